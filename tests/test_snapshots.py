"""SVG snapshots of the main screens on the deterministic demo world (frozen clock).

The world is the demo account with its simulated history (logs and metrics of
the last hours before FROZEN_NOW) and nothing live, so every run looks the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lambdatui.app import LambdaTui
from lambdatui.screens.logs import LogsScreen
from lambdatui.screens.metrics import MetricsScreen
from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, app_for, settled, wait_until


def _app(box: Sandbox, **overrides: object) -> LambdaTui:
    """The app as a user first sees it: the Findings column scanned at launch."""
    return app_for(box, findings_on_launch=True, **overrides)


@pytest.fixture(scope="module")
def history() -> Iterator[Sandbox]:
    with Sandbox(now=FROZEN_NOW, simulate="history") as box:
        assert box.traffic is not None and box.traffic.wait_ready(120)
        yield box


async def _settle(pilot: Any) -> None:
    await settled(pilot)


def _function(pilot: Any, name: str) -> Any:
    return next(f for f in pilot.app.fleet.functions if f.name == name)


def test_function_list_snapshot(history: Sandbox, snap_compare: Any) -> None:
    assert snap_compare(_app(history), terminal_size=(130, 34), run_before=_settle)


def test_function_list_80x24_snapshot(history: Sandbox, snap_compare: Any) -> None:
    async def sorted_by_errors(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("E")
        await pilot.pause()

    assert snap_compare(
        _app(history, read_only=True), terminal_size=(80, 24), run_before=sorted_by_errors
    )


def test_detail_snapshot(history: Sandbox, snap_compare: Any) -> None:
    async def open_detail(pilot: Any) -> None:
        await _settle(pilot)
        pilot.app.goto_function("payments-webhook")
        await _settle(pilot)

    assert snap_compare(_app(history), terminal_size=(110, 48), run_before=open_detail)


async def _open_logs(pilot: Any) -> LogsScreen:
    await _settle(pilot)
    pilot.app.open_logs([_function(pilot, "payments-webhook")])
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, LogsScreen))
    screen = pilot.app.screen
    await wait_until(
        pilot, lambda: screen.tail_status.mode.value == "live tail" and not screen.tail_status.note
    )
    screen._flush_status()
    # Following: the view settles on the newest lines once the history is laid out.
    view = screen.logview
    await wait_until(pilot, lambda: view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y)
    await pilot.pause()
    return screen


def test_logs_snapshot(history: Sandbox, snap_compare: Any) -> None:
    assert snap_compare(_app(history), terminal_size=(130, 34), run_before=_open_logs)


def test_invocations_snapshot(history: Sandbox, snap_compare: Any) -> None:
    async def invocations(pilot: Any) -> None:
        screen = await _open_logs(pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: len(screen.invocations.view) > 0)
        await pilot.pause()

    assert snap_compare(_app(history), terminal_size=(130, 34), run_before=invocations)


def test_metrics_snapshot(history: Sandbox, snap_compare: Any) -> None:
    async def metrics(pilot: Any) -> None:
        await _settle(pilot)
        pilot.app.open_metrics(_function(pilot, "payments-webhook"))
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, MetricsScreen))
        await _settle(pilot)

    assert snap_compare(_app(history), terminal_size=(130, 60), run_before=metrics)
