"""What a new user sees at 80x24, in any colour mode: the cursor row stands out, marks
have their own cell, nothing collides, every scrollable screen scrolls from the
keyboard, charts tell the truth, and long names stay apart from their values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.segment import Segment

from lambdatui.screens.logs import LogsScreen
from lambdatui.themes import load_theme_files, shipped_dir
from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, app_for, listed, settled, wait_until

SIZE = (80, 24)
THEMES = ["textual-dark", "textual-light", "high-contrast"]
THEMES += sorted(load_theme_files([shipped_dir()]).themes)
MODES = ["no-color", *THEMES]


@pytest.fixture(scope="module")
def history() -> Iterator[Sandbox]:
    with Sandbox(now=FROZEN_NOW, simulate="history") as box:
        assert box.traffic is not None and box.traffic.wait_ready(120)
        yield box


def _app(box: Sandbox, mode: str, monkeypatch: pytest.MonkeyPatch, **overrides: object) -> Any:
    if mode == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
        return app_for(box, **overrides)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return app_for(box, theme=mode, **overrides)


def _function(app: Any, name: str) -> Any:
    return next(f for f in app.fleet.functions if f.name == name)


# ----- 8: the cursor row ------------------------------------------------------------


def _cells(segments: list[Segment]) -> list[Segment]:
    return [s for s in segments if s.text and s.style is not None]


def _stands_out(cursor: list[Segment], other: list[Segment], mode: str) -> None:
    """Every cell of the cursor row carries the highlight; no cell of another row does."""
    cells = _cells(cursor)
    assert cells
    if mode == "no-color":
        assert all(s.style.reverse for s in cells), [s for s in cells if not s.style.reverse]
        assert not any(s.style.reverse for s in _cells(other) if s.text.strip())
        return
    backgrounds = {s.style.bgcolor for s in cells}
    assert len(backgrounds) == 1, f"the cursor row has gaps: {backgrounds}"
    assert backgrounds.isdisjoint(s.style.bgcolor for s in _cells(other))


@pytest.mark.parametrize("mode", MODES)
async def test_the_cursor_row_stands_out_in_the_list_and_the_log_pane(
    history: Sandbox, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    app = _app(history, mode, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        await settled(pilot)
        table = screen.table
        await pilot.press("down", "down")
        y = table.cursor - int(table.scroll_offset.y) + 1
        _stands_out(list(table.render_line(y)), list(table.render_line(y + 1)), mode)

        app.open_logs([_function(app, "payments-webhook")])
        await wait_until(
            pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.query("#log")
        )
        view = app.screen.logview
        await wait_until(pilot, lambda: view.shown > 10)
        view.focus()
        await pilot.press("up", "up", "up")
        await pilot.pause()
        y = view.cursor - int(view.scroll_offset.y)
        # An ERROR line and a plain one: both fully highlighted.
        _stands_out(list(view.render_line(y)), list(view.render_line(y - 1)), mode)
