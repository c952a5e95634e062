"""SVG snapshots at 80x24 of the screens that render the same on every run under
NO_COLOR, and of three of them (the list with its cursor row, the detail, the DLQ
overview) under each theme. The world is the demo account's simulated history with a
frozen clock; tests/test_colour_walks.py walks every screen in every mode."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from lambdatui_sandbox import Sandbox

from .colourmodes import SCREENS, SIZE, THEMES, app_in, history
from .helpers import listed, settled

__all__ = ["history"]


async def _settled_list(pilot: Any) -> None:
    await listed(pilot)
    await settled(pilot)


def _before(name: str) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        await _settled_list(pilot)
        await SCREENS[name](pilot)

    return run_before


# Snapshots of what renders the same on every run: the DLQ's messages (receive counts
# and order), the metrics' load and the live log pane vary, so the walk and
# tests/test_new_user_view.py cover those.
STEADY = [name for name in SCREENS if name not in ("dlq", "metrics", "logs")]


@pytest.mark.parametrize("name", STEADY)
def test_no_color_snapshot(
    history: Sandbox, monkeypatch: pytest.MonkeyPatch, snap_compare: Any, name: str
) -> None:
    app = app_in(history, "no-color", monkeypatch, findings_on_launch=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=_before(name))


@pytest.mark.parametrize("name", ["list", "detail", "dlqs"])
@pytest.mark.parametrize("theme", THEMES)
def test_theme_snapshot(
    history: Sandbox, monkeypatch: pytest.MonkeyPatch, snap_compare: Any, theme: str, name: str
) -> None:
    app = app_in(history, theme, monkeypatch, findings_on_launch=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=_before(name))
