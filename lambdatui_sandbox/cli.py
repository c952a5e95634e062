"""``lambdatui sandbox``: serve the demo account to other clients until Ctrl-C."""

from __future__ import annotations

import errno
import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from .invoke import DEFAULT_TIME_SCALE
from .server import Sandbox


def serve(
    host: str,
    port: int,
    extra_functions: int = 0,
    world: str = "demo",
    simulate: bool = True,
    time_scale: float = DEFAULT_TIME_SCALE,
) -> int:
    """Run a sandbox on ``host:port``, print how to reach it, and block until Ctrl-C.

    ``time_scale`` multiplies the waits of asynchronous invokes (1 = AWS's real waits).
    """
    try:
        sandbox = Sandbox(
            host,
            port,
            world=world,
            extra_functions=extra_functions,
            simulate=simulate,
            time_scale=time_scale,
        ).start()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(
                f"Port {port} on {host} is already in use; stop whatever holds it "
                "or choose another port.",
                file=sys.stderr,
            )
        else:
            reason = error.strerror or str(error)
            print(f"Cannot listen on {host}:{port}: {reason}.", file=sys.stderr)
        return 2
    try:
        for name, value in sandbox.env().items():
            print(f"export {name}={shlex.quote(value)}")
        count = len(sandbox.seeded.functions) if sandbox.seeded else 0
        print(
            f"# Sandbox at {sandbox.endpoint_url}: {count} functions in {sandbox.region}. "
            "Press Ctrl-C to stop.",
            flush=True,
        )
        with _interruptible():
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


@contextmanager
def _interruptible() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while serving."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
