"""The embedded demo AWS: moto's server with extensions, seeded with a demo account.

Installed with the `demo` extra (`pip install 'lambdatui[demo]'`); the console reaches
it only through `lambdatui.demo`.
"""

from .cli import serve
from .invocations import InvocationType, Outcome, SimulatedInvocation
from .server import Sandbox

__all__ = ["InvocationType", "Outcome", "Sandbox", "SimulatedInvocation", "serve"]
