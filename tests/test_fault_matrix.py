"""Every pane under every fault: it says what is wrong, never a traceback, and recovers."""

from __future__ import annotations

from typing import Any

import pytest

from lambdatui.aws.session import Health, Notice
from lambdatui.screens.functions import FunctionsScreen

from .faultmatrix import FAULTS, PANES, PaneCase, make_app, run_cell, settle, text_of


@pytest.mark.parametrize("pane", PANES, ids=[p.name for p in PANES])
async def test_pane_under_every_fault(sandbox: Any, pane: PaneCase) -> None:
    app = make_app(sandbox, pane)
    failed = []
    async with app.run_test(size=(140, 44)) as pilot:
        await pane.open(app, pilot)
        for fault in FAULTS:
            outcome = await run_cell(app, pilot, sandbox, pane, fault)
            if not outcome.recovered:
                failed.append(fault.kind)
    assert not failed, f"{pane.name} did not recover from {failed}"


async def test_one_denied_action_leaves_the_rest_working(sandbox: Any) -> None:
    """Metrics denied: the list names the action and still lists; detail still loads."""
    sandbox.deny("cloudwatch:GetMetricData")
    try:
        app = make_app(sandbox, PANES[0])
        async with app.run_test(size=(140, 44)) as pilot:
            screen = await PANES[0].open(app, pilot)
            assert isinstance(screen, FunctionsScreen)
            await settle(pilot, lambda: "no permission: cloudwatch:GetMetricData" in text_of(app))
            assert len(screen.table.rows) >= 30
            detail = await PANES[1].open(app, pilot)
            assert PANES[1].ready(detail)
            metrics = await _open_metrics_denied(app, pilot)
            assert "no permission: cloudwatch:GetMetricData" in metrics
    finally:
        sandbox.allow()


async def _open_metrics_denied(app: Any, pilot: Any) -> str:
    from lambdatui.screens.metrics import MetricsScreen

    app.open_metrics(app.fleet.functions[0])
    await settle(pilot, lambda: isinstance(app.screen, MetricsScreen))
    await settle(pilot, lambda: app.screen.error is not None)
    return text_of(app)


async def test_throttling_shows_retrying_then_clears(sandbox: Any) -> None:
    """While botocore retries, the context bar says so; the call that succeeds clears it."""
    app = make_app(sandbox, PANES[0])
    app.aws.max_attempts = 5
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await PANES[0].open(app, pilot)
        notices: list[Notice] = []
        app.aws.watch(notices.append)
        # Three throttles: botocore's jittered waits (up to 1, 2, 4 s) leave time to look.
        rule = sandbox.fault("lambda:ListFunctions", "throttle", times=3)
        try:
            await pilot.press("r")
            await settle(pilot, lambda: "throttled, retrying: lambda:ListFunctions" in text_of(app))
            await settle(pilot, lambda: rule.hits == 3 and app.aws_health == "")
            assert Notice(Health.THROTTLED, "lambda:ListFunctions") in notices
            await settle(pilot, lambda: PANES[0].ready(screen))
            assert "throttled" not in text_of(app)
        finally:
            sandbox.allow()
