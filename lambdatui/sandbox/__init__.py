"""The embedded demo AWS: moto's server with extensions, seeded with a demo account."""

from .server import Sandbox

__all__ = ["Sandbox"]
