"""Health columns: batched GetMetricData, "-" for no data, sorting by errors."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from lambdatui.aws.metrics import HEALTH, health_period
from lambdatui.screens.functions import FunctionTable
from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, app_for, client

EXTRA = 120  # with the demo's functions: more than 500 queries, so several calls


@pytest.fixture(scope="module")
def big_sandbox() -> Iterator[Sandbox]:
    with Sandbox(extra_functions=EXTRA, now=FROZEN_NOW) as box:
        yield box


async def _loaded(app: Any, pilot: Any) -> FunctionTable:
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(FunctionTable)


async def test_one_refresh_makes_the_minimum_number_of_calls(big_sandbox: Sandbox) -> None:
    app = app_for(big_sandbox)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await _loaded(app, pilot)
        functions = len(table.rows)
        big_sandbox.reset_calls()
        await app.fleet.refresh_health()
        queries = functions * len(HEALTH)
        assert queries > 500
        assert big_sandbox.calls["cloudwatch:GetMetricData"] == math.ceil(queries / 500)
        assert set(app.fleet.health) == {(f.region, f.name) for f in table.rows}


async def test_no_data_shows_a_dash_never_zero(big_sandbox: Sandbox) -> None:
    app = app_for(big_sandbox)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await _loaded(app, pilot)
        quiet = table.view[0]
        assert not app.fleet.health_of(quiet).get("invocations").has_data
        line = str(table.render_line(1).text)
        assert quiet.name in line
        cells = line.split()
        health_cells = cells[1:5]
        assert health_cells == ["-", "-", "-", "-"], line


async def test_sorting_by_errors_brings_the_failing_function_to_the_top(
    big_sandbox: Sandbox,
) -> None:
    cw = client(big_sandbox, "cloudwatch")
    period = health_period(900)
    when = FROZEN_NOW - timedelta(seconds=period * 3)
    for name, errors in (("bulk-fn-00007", 40.0), ("bulk-fn-00042", 3.0)):
        cw.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": metric,
                    "Dimensions": [{"Name": "FunctionName", "Value": name}],
                    "Timestamp": when,
                    "Value": value,
                    "Unit": "Count",
                }
                for metric, value in (("Invocations", 100.0), ("Errors", errors))
            ],
        )
    app = app_for(big_sandbox)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await _loaded(app, pilot)
        await pilot.press("E")
        await pilot.pause()
        assert table.sort_column == "errors" and table.sort_reverse
        assert [f.name for f in table.view[:2]] == ["bulk-fn-00007", "bulk-fn-00042"]
        assert table.current is not None and table.current.name == "bulk-fn-00007"
        top = str(table.render_line(1).text)
        assert "40" in top and "40.0%" in top


async def test_missing_metrics_permission_is_said_in_place(big_sandbox: Sandbox) -> None:
    big_sandbox.deny("cloudwatch:GetMetricData")
    try:
        app = app_for(big_sandbox)
        async with app.run_test(size=(160, 40)) as pilot:
            table = await _loaded(app, pilot)
            message = str(app.screen.query_one("#message").render())
            assert "no permission: cloudwatch:GetMetricData" in message
            assert len(table.view) == len(table.rows) > 0  # the list itself still works
            assert "Traceback" not in message
    finally:
        big_sandbox.allow()
