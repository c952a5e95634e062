"""Logs Insights pane: key latency while a 10,000-row result streams in.

The real app runs headless against a sandbox in another process, with the pane
open on a demo function. The result arrives as GetQueryResults answers do while
a query runs: every answer holds every row so far (here 500 more per answer, an
answer every 0.1 s, ten times AWS's pace, until 10,000 rows), and goes through
the pane's own path for an answer (`_show`: columns, table, chart, status).
Meanwhile a key moves the results' cursor every 20 ms; its latency runs from
posting the key to the first frame written after the key was handled.

    uv run python benchmarks/insights_keys.py [--rows 10000] [--step 500]

Prints p50 / p99 key latency (issue target: p99 <= 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

from common import KeyTimer, start_sandbox

from lambdatui.app import make_app
from lambdatui.aws.functions import find_function
from lambdatui.aws.insights import QueryResults, QueryStatistics
from lambdatui.aws.session import AwsSession, Target
from lambdatui.config import Settings
from lambdatui.screens.insights import InsightsScreen

FUNCTION = "payments-webhook"


def rows(count: int) -> list[dict[str, str]]:
    """Rows shaped like `fields @timestamp, @requestId, @message, @logStream`."""
    out = []
    for i in range(count):
        rid = str(uuid.UUID(int=i))
        out.append(
            {
                "@timestamp": f"2026-11-27 11:{i // 600 % 60:02d}:{i // 10 % 60:02d}.000",
                "@requestId": rid,
                "@message": f"[ERROR]\t2026-11-27T11:00:00Z\t{rid}\tpayment declined for "
                f"order ord_{i:06d}: card_declined (insufficient_funds)",
                "@logStream": "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef",
                "@ptr": f"ptr{i}",
            }
        )
    return out


async def measure(url: str, total: int, step: int, interval: float) -> dict[str, float]:
    settings = Settings(
        region="us-east-1",
        endpoint_url=url,
        access_key="bench",
        secret_key="bench",
        animations=False,
        fleet_autoload=False,
        pacing=False,
    )
    aws = AwsSession(Target(None, "us-east-1", url, "bench", "bench"))
    fn = await find_function(aws, FUNCTION)
    await aws.close()
    app = make_app(settings, system_clipboard=False)
    all_rows = rows(total)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(InsightsScreen([fn]))
        while not isinstance(app.screen, InsightsScreen) or app.screen.focused is None:
            await pilot.pause()
        screen = app.screen
        screen.set_focus(screen.table)
        keys = KeyTimer(app, screen.table, "action_cursor")
        shown = 0
        next_answer = time.perf_counter()
        start = next_answer
        while shown < total:
            now = time.perf_counter()
            if now >= next_answer:
                shown = min(total, shown + step)
                status = "Running" if shown < total else "Complete"
                screen.state = status
                screen._show(
                    QueryResults(
                        "bench",
                        status,
                        tuple(all_rows[:shown]),
                        QueryStatistics(shown, shown * 3, shown * 300),
                    )
                )
                next_answer += interval
            keys.press("down")
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - start
        await pilot.pause()
        await pilot.pause(0.2)
        assert len(screen.table.rows) == total
    latency = keys.latencies()
    return {
        "keys": len(latency),
        "elapsed": elapsed,
        "p50": statistics.median(latency) * 1000,
        "p99": latency[max(int(len(latency) * 0.99) - 1, 0)] * 1000,
        "max": latency[-1] * 1000,
        "p90": latency[int(len(latency) * 0.9) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--step", type=int, default=500, help="rows more per answer")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between answers")
    args = parser.parse_args()
    proc, url = start_sandbox()
    try:
        result = asyncio.run(measure(url, args.rows, args.step, args.interval))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"Logs Insights pane, {args.rows:,} rows streaming in ({args.step} per answer):")
    keys, elapsed = result["keys"], result["elapsed"]
    print(f"  keys measured                    {keys:8.0f}   over {elapsed:.1f} s")
    print(f"  key press -> redraw p50          {result['p50']:8.1f} ms")
    print(f"  key press -> redraw p99          {result['p99']:8.1f} ms    (target <= 100 ms)")
    print(f"  key press -> redraw p90          {result['p90']:8.1f} ms")
    print(f"  key press -> redraw max          {result['max']:8.1f} ms")


if __name__ == "__main__":
    main()
