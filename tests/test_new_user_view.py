"""What a new user sees at 80x24, in any colour mode: the cursor row stands out, marks
have their own cell, nothing collides, every scrollable screen scrolls from the
keyboard, charts tell the truth, and long names stay apart from their values."""

from __future__ import annotations

from typing import Any

import pytest
from rich.segment import Segment

from lambdatui.screens.logs import LogsScreen
from lambdatui_sandbox import Sandbox

from .colourmodes import MODES, SIZE, app_in, history
from .helpers import app_for, listed, settled, terminal_lines, wait_until

__all__ = ["history"]


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
    app = app_in(history, mode, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        await settled(pilot)
        table = screen.table
        await pilot.press("down", "down")
        y = table.cursor - int(table.scroll_offset.y) + 1
        _stands_out(list(table.render_line(y)), list(table.render_line(y + 1)), mode)

        # The pickers' highlighted choice too.
        await pilot.press("o")
        await wait_until(pilot, lambda: bool(app.screen.query("OptionList")))
        await pilot.pause()
        options = app.screen.query_one("OptionList")
        y = options.highlighted - int(options.scroll_offset.y)
        highlighted = [s for s in options.render_line(y) if s.text.strip()]
        other = {s.style.bgcolor for s in options.render_line(y + 1) if s.style}
        assert highlighted and {s.style.bgcolor for s in highlighted}.isdisjoint(other)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

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


# ----- 10: nothing collides at 80x24 ----------------------------------------------------


def _line_with(app: Any, needle: str) -> str:
    lines = terminal_lines(app)
    found = next((line for line in lines if needle in line), None)
    assert found is not None, f"{needle!r} not on screen: {lines}"
    return found


async def _footer_is_whole_keys(pilot: Any) -> None:
    """The footer shows whole keys only, `?` among them, and the palette key.

    A new screen's footer is laid out before its keys are fitted (it measures them
    first): wait for the fit, a frame or two after the screen has settled.
    """
    from textual.widgets._footer import FooterKey

    app = pilot.app
    await wait_until(pilot, lambda: "? Help" in terminal_lines(app)[-1])
    footer = terminal_lines(app)[-1]
    assert footer.rstrip().endswith("^p palette"), footer
    assert "? Help" in footer, footer
    shown = [k for k in app.screen.query(FooterKey) if k.display and k.description]
    words = footer.split("▏")[0].split()
    for key in shown:
        assert f"{key.key_display} {key.description}" in footer, (key.description, footer)
    # Every word on the footer belongs to a key shown whole.
    whole = " ".join(f"{k.key_display} {k.description}" for k in shown).split()
    assert set(words) <= set(whole), footer


async def test_marks_have_their_own_cell_and_nothing_collides_at_80x24(
    history: Sandbox,
) -> None:
    from lambdatui.screens.detail import DetailScreen
    from lambdatui.screens.dlq import DlqScreen
    from lambdatui.screens.metrics import MetricsScreen

    app = app_for(history, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        await settled(pilot)
        await pilot.press("E")
        await pilot.pause()
        # The title and the count stay apart.
        count = str(screen.query_one("#count").render())
        title = _line_with(app, count)
        assert f"▼ {count}" in title or f"… {count}" in title or f"  {count}" in title, title
        # A mark takes its own cell: the name stays whole.
        first = screen.table.current.name
        await pilot.press("space")
        await pilot.pause()
        row = _line_with(app, first)
        assert row.startswith("●" + first), row
        other = screen.table.view[1].name
        assert _line_with(app, other).startswith(" " + other)
        await _footer_is_whole_keys(pilot)

        app.open_function(_function(app, "payments-webhook"))
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await settled(pilot)
        await _footer_is_whole_keys(pilot)
        app.pop_screen()

        app.open_metrics(_function(app, "payments-webhook"))
        await wait_until(pilot, lambda: isinstance(app.screen, MetricsScreen))
        await settled(pilot)
        await _footer_is_whole_keys(pilot)
        app.pop_screen()

        app.open_dlq(_function(app, "payments-webhook"))
        await wait_until(pilot, lambda: isinstance(app.screen, DlqScreen))
        dlq = app.screen
        await settled(pilot)
        await wait_until(pilot, lambda: len(dlq.messages.view) > 1)
        dlq.messages.focus()
        await pilot.press("space")
        await pilot.pause()
        sent = dlq.messages.render_line(1).text
        assert sent.startswith("●") and sent[1] != " " and "●" not in sent[1:], sent
        unmarked = dlq.messages.render_line(2).text
        assert unmarked.startswith(" ") and sent[1:3] == unmarked[1:3], (sent, unmarked)
        await _footer_is_whole_keys(pilot)


async def test_the_empty_region_sentence_is_whole_at_80x24(empty_sandbox: Any) -> None:
    app = app_for(empty_sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        await settled(pilot)
        shown = " ".join(line.strip() for line in terminal_lines(app))
        assert (
            "No Lambda functions in us-east-1 for this account. Try another region "
            "(p, or --region), or create one with `aws lambda create-function`."
        ) in shown


# ----- 7: every scrollable screen scrolls from the keyboard ----------------------------


async def _scrolls_with_the_listed_keys(pilot: Any, pane: Any) -> None:
    """`pane` has focus, more than a screenful, and moves with the keys help lists."""
    from lambdatui.widgets.scroll import KeyScroll

    assert pilot.app.focused is pane
    assert pane.max_scroll_y > 0
    keys = {b.action: b.key.split(",") for b in KeyScroll.BINDINGS}  # type: ignore[union-attr]
    for key in keys["scroll_end"]:
        await pilot.press(*keys["scroll_home"][:1])
        await wait_until(pilot, lambda: pane.scroll_y == 0)
        await pilot.press(key)
        await wait_until(pilot, lambda: pane.scroll_y == pane.max_scroll_y)
    for key in keys["scroll_home"]:
        await pilot.press(key)
        await wait_until(pilot, lambda: pane.scroll_y == 0)
        await pilot.press(*keys["scroll_end"][:1])
    for key in keys["page_down"] + keys["scroll_down"]:
        await pilot.press(*keys["scroll_home"][:1])
        await wait_until(pilot, lambda: pane.scroll_y == 0)
        await pilot.press(key)
        await wait_until(pilot, lambda: pane.scroll_y > 0)
    for key in keys["page_up"] + keys["scroll_up"]:
        await pilot.press(*keys["scroll_end"][:1])
        await wait_until(pilot, lambda: pane.scroll_y == pane.max_scroll_y)
        await pilot.press(key)
        await wait_until(pilot, lambda: pane.scroll_y < pane.max_scroll_y)


async def test_metrics_detail_and_help_scroll_from_the_keyboard(history: Sandbox) -> None:
    from lambdatui.screens.detail import DetailScreen
    from lambdatui.screens.help import HelpScreen
    from lambdatui.screens.metrics import MetricsScreen

    app = app_for(history)
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        await settled(pilot)
        app.open_metrics(_function(app, "payments-webhook"))
        await wait_until(pilot, lambda: isinstance(app.screen, MetricsScreen))
        await settled(pilot)
        await _scrolls_with_the_listed_keys(pilot, app.screen.query_one("#charts"))
        app.pop_screen()

        app.open_function(_function(app, "payments-webhook"))
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await settled(pilot)
        await _scrolls_with_the_listed_keys(pilot, app.screen.query_one("#detail"))

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settled(pilot)
        help_pane = app.screen.query_one("#help")
        text = str(help_pane.query_one("Static").render())
        assert "Scrolling panes" in text
        assert "pgdn, ^f          Page down" in text and "end, G            Bottom" in text
        await _scrolls_with_the_listed_keys(pilot, help_pane)


# ----- 12: a long environment variable name and its value stay apart -----------------


async def test_a_long_environment_name_stays_apart_from_its_value(history: Sandbox) -> None:
    from lambdatui.screens.detail import DetailScreen

    app = app_for(history)
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        await settled(pilot)
        app.open_function(_function(app, "payments-webhook"))
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await settled(pilot)
        env = app.screen.query_one("#environment")
        app.screen.query_one("#detail").scroll_to_widget(env, animate=False, top=True)
        await pilot.pause()
        lines = terminal_lines(app)
        at = next((i for i, line in enumerate(lines) if "STRIPE_WEBHOOK_SECRE" in line), None)
        assert at is not None, "\n".join(lines)
        lines = [line.rstrip().rstrip("▁▂▃▄▅▆▇█▔") for line in lines]  # the scroll bar
        # The whole name on its line, nothing of the value with it; the value below.
        assert lines[at].split() == ["STRIPE_WEBHOOK_SECRET"], lines[at]
        assert lines[at + 1].split() == ["*****"], "\n".join(lines)
        short = next(line for line in lines if "PAYMENTS_TABLE" in line)
        assert short.split() == ["PAYMENTS_TABLE", "*****"], short


# ----- 11: charts tell the truth --------------------------------------------------------


async def test_charts_have_no_legend_over_the_data_no_negative_axis_and_no_partial_bucket(
    history: Sandbox,
) -> None:
    import re

    from lambdatui.screens.metrics import ChartView, MetricsScreen

    app = app_for(history)
    async with app.run_test(size=(120, 60)) as pilot:
        await listed(pilot)
        await settled(pilot)
        now = app.settings.clock()
        # The list's trends mark the running period (the frozen clock sits at its start)
        # instead of drawing it as a dip.
        screen = app.screen
        row = _line_with(app, "payments-webhook")
        assert re.search(r"\d [▁▂▃▄▅▆▇█ ]{4}· ", row), row
        app.open_metrics(_function(app, "payments-webhook"))
        await wait_until(pilot, lambda: isinstance(app.screen, MetricsScreen))
        await settled(pilot)
        screen = app.screen
        # The charts end with the last finished period; "now" is its figure.
        invocations = screen.series["invocations"]
        finished = invocations.finished(now)
        assert len(finished.values) == len(invocations.values) - 1
        header = str(screen.query_one("#chart-invocations").query_one(".chart-title").render())
        assert f"now Invocations {finished.last():,.0f}" in header, header

        def plot(key: str) -> str:
            view = screen.query_one(f"#chart-{key}").query_one(ChartView)
            return str(view.render())

        # No throttles: the axis runs from 0, never to -1.
        assert screen.series["throttles"].total() in (None, 0)
        throttles = plot("throttles")
        assert not re.search(r"-\s*\d", throttles), throttles
        assert re.search(r"^\s*0(\.0+)?┤", throttles, re.M), throttles
        # Duration's five lines are named in the header, in their colours, not over the data.
        duration = plot("duration")
        for stat in ("Average", "p50", "p90", "p99", "Maximum"):
            assert stat not in duration
        header = screen.query_one("#chart-duration").query_one(".chart-title").render()
        assert all(stat in str(header) for stat in ("Average", "p50", "p90", "p99", "Maximum"))
