"""The one door from the console to the demo AWS (`--demo`, `lambdatui sandbox`).

The sandbox (`lambdatui_sandbox`) and what it runs on (moto, boto3, flask...)
install only with the `demo` extra; everything else in the console works
without them. Nothing else in `lambdatui` imports the sandbox (an
import-linter contract in pyproject.toml holds that).
"""

from __future__ import annotations

from types import ModuleType

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
