"""The embedded demo AWS: moto's server with extensions, seeded with a demo account."""

from .invocations import InvocationType, Outcome, SimulatedInvocation
from .server import Sandbox

__all__ = ["InvocationType", "Outcome", "Sandbox", "SimulatedInvocation"]
