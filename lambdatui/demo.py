"""The one door from the console to the demo AWS (`--demo`, `lambdatui sandbox`).

The sandbox (`lambdatui_sandbox`) and what it runs on (moto, boto3, flask...)
install only with the `demo` extra; everything else in the console works
without them. Nothing else in `lambdatui` imports the sandbox (an
import-linter contract in pyproject.toml holds that).
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

INSTALL_HINT = "pip install 'lambdatui[demo]'"


class DemoUnavailable(Exception):
    """The sandbox cannot be imported here: one sentence naming the extra."""


def sandbox_module() -> ModuleType:
    """`lambdatui_sandbox`, or DemoUnavailable when the `demo` extra is not installed."""
    try:
        import lambdatui_sandbox
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0] or "a module"
        raise DemoUnavailable(
            f"the demo account needs the `demo` extra ({missing} is not installed): "
            f"run `{INSTALL_HINT}`, or `uv tool install 'lambdatui[demo]'`"
        ) from exc
    return lambdatui_sandbox


#: The demo account's one region (the sandbox's).
DEMO_REGION = "us-east-1"
# What the demo needs installed (the `demo` extra), checked without importing it.
_DEMO_MODULES = ("lambdatui_sandbox", "moto", "boto3", "flask", "werkzeug")


def check_demo() -> None:
    """DemoUnavailable unless the `demo` extra is installed (nothing is imported)."""
    import importlib.util

    for name in _DEMO_MODULES:
        if importlib.util.find_spec(name) is None:
            raise DemoUnavailable(
                f"the demo account needs the `demo` extra ({name} is not installed): "
                f"run `{INSTALL_HINT}`, or `uv tool install 'lambdatui[demo]'`"
            )


class StartingDemo:
    """The demo account coming up on a thread while the console draws its first frame.

    Importing moto and seeding the world take seconds: the port is taken at once
    (so the console knows its endpoint), the sandbox starts behind it, and the
    console's first AWS call waits for `wait()` (in a thread of its own).
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        import socket

        self.listener = socket.create_server((host, 0), backlog=128)
        self.endpoint_url = f"http://{host}:{self.listener.getsockname()[1]}"
        self.region = DEMO_REGION
        self.sandbox: Any = None
        self.problem: str | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._start, name="lambdatui-demo", daemon=True)

    def start(self) -> StartingDemo:
        self._thread.start()
        return self

    def _start(self) -> None:
        try:
            module = sandbox_module()
            self.sandbox = module.Sandbox(
                simulate=True, listener=self.listener, traffic_after_list=True
            ).start()
        except DemoUnavailable as exc:
            self.problem = str(exc)
        except Exception as exc:  # a sentence on screen, not a traceback
            self.problem = f"the demo account did not start: {type(exc).__name__}: {exc}"
        finally:
            self._done.set()

    def wait(self) -> str | None:
        """Block until the demo serves; None, or why it did not start."""
        self._done.wait()
        return self.problem

    def stop(self) -> None:
        self._done.wait()
        if self.sandbox is not None:
            self.sandbox.stop()
        self.listener.close()
