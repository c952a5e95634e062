"""The screens at 80x24 in each colour mode: the modes, the demo world's history and
the steps that reach each screen from the settled list (for the colour walks and the
colour-mode snapshots)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from textual.screen import Screen

from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.dlq import DlqScreen
from lambdatui.screens.dlqs import DlqOverviewScreen
from lambdatui.screens.findings import FindingsScreen
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.help import HelpScreen
from lambdatui.screens.invoke import InvokeScreen
from lambdatui.screens.logs import LogsScreen
from lambdatui.screens.metrics import MetricsScreen
from lambdatui.screens.pickers import SortPicker
from lambdatui.screens.roles import RolesScreen
from lambdatui.screens.where import WherePicker
from lambdatui.themes import load_theme_files, shipped_dir
from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, app_for, screen_text, settled, wait_until

SIZE = (80, 24)
THEMES = [
    "textual-dark",
    "textual-light",
    "high-contrast",
    *sorted(load_theme_files([shipped_dir()]).themes),
]
MODES = ["no-color", *THEMES]


@pytest.fixture(scope="module")
def history() -> Iterator[Sandbox]:
    with Sandbox(now=FROZEN_NOW, simulate="history") as box:
        assert box.traffic is not None and box.traffic.wait_ready(120)
        yield box


def app_in(box: Sandbox, mode: str, monkeypatch: pytest.MonkeyPatch, **overrides: object) -> Any:
    """The app in `mode`: NO_COLOR (the default theme drawn in greys) or a theme."""
    if mode == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
        return app_for(box, **overrides)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return app_for(box, theme=mode, **overrides)


def _function(pilot: Any, name: str) -> Any:
    return next(f for f in pilot.app.fleet.functions if f.name == name)


async def _shown(pilot: Any, kind: type[Screen[Any]], *, settle: bool = True) -> Any:
    """The screen once shown; settled unless it runs a worker that never ends (a tail)."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind))
    if settle:
        await settled(pilot)
    else:
        await pilot.pause()
    return pilot.app.screen


# ----- the screens, each reached from the settled function list ----------------------


async def function_list(pilot: Any) -> Any:
    await pilot.press("down", "down")
    return await _shown(pilot, FunctionsScreen)


async def account(pilot: Any) -> Any:
    await pilot.press("a")
    screen = await _shown(pilot, FunctionsScreen)
    await wait_until(pilot, lambda: "loading" not in screen_text(pilot.app))
    return screen


async def sort_picker(pilot: Any) -> Any:
    await pilot.press("o")
    return await _shown(pilot, SortPicker)


async def where(pilot: Any) -> Any:
    await pilot.press("p")
    return await _shown(pilot, WherePicker)


async def detail(pilot: Any) -> Any:
    pilot.app.goto_function("payments-webhook")
    return await _shown(pilot, DetailScreen)


async def logs(pilot: Any) -> Any:
    pilot.app.open_logs([_function(pilot, "payments-webhook")])
    screen = await _shown(pilot, LogsScreen, settle=False)
    await wait_until(
        pilot, lambda: screen.tail_status.mode.value == "live tail" and not screen.tail_status.note
    )
    await wait_until(pilot, lambda: screen.logview.shown > 10)
    # A selected line, a few up from the newest.
    await pilot.press("up", "up", "up")
    screen._flush_status()
    await pilot.pause()
    return screen


async def logs_waiting(pilot: Any) -> Any:
    """A log pane with nothing to show yet: its waiting sentence."""
    pilot.app.open_logs([_function(pilot, "auth-jwks-rotator")])
    screen = await _shown(pilot, LogsScreen, settle=False)
    await wait_until(pilot, lambda: screen.tail_status.mode.value == "live tail")
    assert "Waiting for log events" in _first_line(screen)
    return screen


async def invocations(pilot: Any) -> Any:
    screen = await logs(pilot)
    await pilot.press("v")
    await wait_until(pilot, lambda: len(screen.invocations.view) > 0)
    await pilot.press("down")
    await pilot.pause()
    return screen


async def metrics(pilot: Any) -> Any:
    pilot.app.open_metrics(_function(pilot, "payments-webhook"))
    return await _shown(pilot, MetricsScreen)


async def dlq(pilot: Any) -> Any:
    pilot.app.open_dlq(_function(pilot, "payments-webhook"))
    screen = await _shown(pilot, DlqScreen)
    await wait_until(pilot, lambda: len(screen.messages.view) > 2)
    screen.messages.focus()
    await pilot.press("down", "space", "down")
    await pilot.pause()
    return screen


async def dlqs(pilot: Any) -> Any:
    await pilot.press("Q")
    return await _shown(pilot, DlqOverviewScreen)


async def invoke(pilot: Any) -> Any:
    pilot.app.open_invoke(_function(pilot, "orders-worker"))
    return await _shown(pilot, InvokeScreen)


async def findings(pilot: Any) -> Any:
    await pilot.press("f")
    return await _shown(pilot, FindingsScreen)


async def roles(pilot: Any) -> Any:
    await pilot.press("e")
    screen = await _shown(pilot, RolesScreen)
    await pilot.press("down")
    await pilot.pause()
    return screen


async def help_screen(pilot: Any) -> Any:
    await pilot.press("question_mark")
    return await _shown(pilot, HelpScreen)


SCREENS: dict[str, Callable[[Any], Awaitable[Any]]] = {
    "list": function_list,
    "account": account,
    "sort": sort_picker,
    "where": where,
    "detail": detail,
    "logs": logs,
    "logs-waiting": logs_waiting,
    "invocations": invocations,
    "metrics": metrics,
    "dlq": dlq,
    "dlqs": dlqs,
    "invoke": invoke,
    "findings": findings,
    "roles": roles,
    "help": help_screen,
}


def _first_line(screen: Any) -> str:
    """The log view's first line, as text."""
    return str(screen.logview.render_line(0).text)


async def to_list(pilot: Any) -> None:
    app = pilot.app
    while not isinstance(app.screen, FunctionsScreen):
        app.pop_screen()
        await pilot.pause()
