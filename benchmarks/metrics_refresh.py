"""Health-column refresh at 1,000 functions (metrics issue).

Against `lambdatui sandbox --world empty --functions 1000` in another process,
with 15 minutes of Invocations / Errors / Duration datapoints put for every
function, prints for one refresh of the function list's health columns:
GetMetricData calls (target: ceil(6,000 / 500) = 12), wall time, and the
latency of key presses (cursor moves) made during the refresh, from posting
the key to the next frame the app writes (p50 / p99, target p99 <= 100 ms).

    uv run python benchmarks/metrics_refresh.py [--functions 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from common import CREDS, KeyTimer, start_sandbox

from lambdatui.app import make_app
from lambdatui.aws import metrics as metrics_module
from lambdatui.config import Settings
from lambdatui.screens.functions import FunctionsScreen, FunctionTable


def seed_metrics(url: str, names: list[str]) -> None:
    cw = boto3.client(
        "cloudwatch",
        endpoint_url=url,
        region_name="us-east-1",
        **{"aws_access_key_id": "bench", "aws_secret_access_key": "bench"},
    )
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    datums: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        dims = [{"Name": "FunctionName", "Value": name}]
        for minute in range(15):
            when = now - timedelta(minutes=minute)
            datums.append(
                {
                    "MetricName": "Invocations",
                    "Dimensions": dims,
                    "Timestamp": when,
                    "Value": float(10 + i % 7),
                    "Unit": "Count",
                }
            )
            datums.append(
                {
                    "MetricName": "Duration",
                    "Dimensions": dims,
                    "Timestamp": when,
                    "Value": float(50 + i % 90),
                    "Unit": "Milliseconds",
                }
            )
            if i % 10 == 0:
                datums.append(
                    {
                        "MetricName": "Errors",
                        "Dimensions": dims,
                        "Timestamp": when,
                        "Value": 1.0,
                        "Unit": "Count",
                    }
                )
    for start in range(0, len(datums), 1000):
        cw.put_metric_data(Namespace="AWS/Lambda", MetricData=datums[start : start + 1000])


async def refresh(url: str) -> dict[str, float]:
    os.environ.update(CREDS)
    calls = 0
    real_call = metrics_module.call

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if args[2] == "GetMetricData":
            calls += 1
        return await real_call(*args, **kwargs)

    metrics_module.call = counting  # type: ignore[assignment]
    app = make_app(
        Settings(region="us-east-1", endpoint_url=url, animations=False, metrics_refresh=3600),
        system_clipboard=False,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FunctionsScreen)
        table = screen.query_one(FunctionTable)
        functions = len(table.rows)
        keys = KeyTimer(app, table, "action_cursor")
        calls = 0
        app.fleet.health.clear()
        started = time.perf_counter()
        app.refresh_health()
        worker = next(w for w in app.workers if w.group == "fleet-health")
        while not worker.is_finished:
            keys.press("down")
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        await pilot.pause()
    latencies = keys.latencies()
    return {
        "functions": functions,
        "calls": calls,
        "minimum": math.ceil(functions * len(metrics_module.HEALTH) / 500),
        "elapsed": elapsed,
        "keys": len(latencies),
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000 if latencies else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--functions", type=int, default=1000)
    args = parser.parse_args()
    sandbox, url = start_sandbox("--world", "empty", "--functions", str(args.functions))
    try:
        names = [f"bulk-fn-{i:05d}" for i in range(1, args.functions + 1)]
        seed_metrics(url, names)
        result = asyncio.run(refresh(url))
    finally:
        sandbox.terminate()
        sandbox.wait()
    print(f"functions: {result['functions']:.0f} x {len(metrics_module.HEALTH)} metrics")
    print(
        f"  GetMetricData calls per refresh   {result['calls']:.0f}   "
        f"(minimum ceil(queries/500) = {result['minimum']:.0f})"
    )
    print(f"  one refresh, wall time            {result['elapsed']:.2f} s")
    print(
        f"  key press during refresh -> frame p50 {result['p50']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms over {result['keys']:.0f} keys (target p99 <= 100 ms)"
    )


if __name__ == "__main__":
    main()
