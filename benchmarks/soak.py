"""Compressed soak (reliability issue): the log pane following the live demo for minutes.

The sandbox runs in another process with the traffic simulator at `--speed`
times the demo's pace and Live Tail sessions that end every `--session`
seconds (AWS: 3 hours), so the pane renews often. The app (this process,
headless) tails `--functions` busy functions. Prints RSS at the start, half
way and the end, lines dropped by the ring buffer, Live Tail sessions
renewed, and, comparing with the sandbox's own log events (FilterLogEvents
over the same span), duplicates and gaps.

    uv run python benchmarks/soak.py [--minutes 10] [--speed 10] [--session 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections import Counter
from typing import Any

import boto3
import psutil
from common import CREDS, serve, spawn, stop

from lambdatui.app import make_app
from lambdatui.aws.tail import TailMode
from lambdatui.config import Settings
from lambdatui.screens.logs import LogsScreen

BUSY = ["orders-api", "payments-webhook", "checkout-api"]


def live(speed: float, session: float) -> Any:
    """The sandbox's setup: demo traffic at `speed`, Live Tail sessions of `session` s."""

    def setup(box: Any) -> None:
        box.traffic.wait_ready()
        box.traffic.set_speed(speed)
        box.live_tail_max_seconds = session

    return setup


def key(group: str, stream: str, timestamp: int, message: str) -> tuple[int, int]:
    """An event's identity, small: the soak's own counting must not weigh on RSS."""
    return (timestamp, hash((group, stream, message)))


def sandbox_events(url: str, groups: list[str], start_ms: int, end_ms: int) -> Counter[Any]:
    logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1")
    found: Counter[Any] = Counter()
    for group in groups:
        for page in logs.get_paginator("filter_log_events").paginate(
            logGroupName=group, startTime=start_ms, endTime=end_ms
        ):
            for e in page["events"]:
                found[key(group, e["logStreamName"], e["timestamp"], e["message"])] += 1
    return found


async def soak(url: str, minutes: float, functions: int, buffer: int) -> dict[str, Any]:
    os.environ.update(CREDS)
    app = make_app(
        Settings(region="us-east-1", endpoint_url=url, animations=False, log_buffer=buffer),
        system_clipboard=False,
    )
    process = psutil.Process()
    async with app.run_test(size=(160, 48)) as pilot:
        while len(app.fleet.functions) < 30:
            await pilot.pause(0.1)
        chosen = [f for f in app.fleet.functions if f.name in BUSY[:functions]]
        app.open_logs(chosen)
        while not isinstance(app.screen, LogsScreen):
            await pilot.pause()
        screen = app.screen
        while screen.tail_status.mode is not TailMode.LIVE or screen.tail_status.note:
            await pilot.pause(0.1)
        # Count every line the pane is handed, not only those its ring still holds.
        tailer = screen.tailer
        assert tailer is not None
        seen: Counter[Any] = Counter(
            key(r.log_group, r.log_stream, r.timestamp, r.raw) for r in screen.logview.records()
        )
        sink = tailer.sink

        def counting(records: list[Any]) -> None:
            seen.update(key(r.log_group, r.log_stream, r.timestamp, r.raw) for r in records)
            sink(records)

        tailer.sink = counting
        rss = {"start": process.memory_info().rss}
        peak = rss["start"]
        began = time.monotonic()
        total = minutes * 60
        samples: list[tuple[float, int, int]] = []
        while (elapsed := time.monotonic() - began) < total:
            await pilot.pause(1.0)
            now = process.memory_info().rss
            peak = max(peak, now)
            if "half" not in rss and elapsed >= total / 2:
                rss["half"] = now
            if not samples or elapsed - samples[-1][0] >= total / 10:
                samples.append((elapsed, now, screen.logview.total))
        rss["end"] = process.memory_info().rss
        # Let the last Live Tail update arrive, then freeze the view.
        await pilot.pause(2.0)
        result = {
            "samples": samples,
            "rss": rss,
            "peak": peak,
            "lines": screen.logview.total,
            "dropped": screen.logview.dropped,
            "renewals": tailer.renewals,
            "deduped": tailer.dedupe.dropped,
            "mode": str(screen.tail_status.mode),
            "groups": [f.log_group for f in chosen],
        }
    result["seen"] = seen
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--speed", type=float, default=10)
    parser.add_argument("--session", type=float, default=60)
    parser.add_argument("--functions", type=int, default=3)
    parser.add_argument("--buffer", type=int, default=100_000, help="the log pane's ring")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(live(args.speed, args.session), simulate=True)
        return
    sandbox, url = spawn(__file__, "--speed", str(args.speed), "--session", str(args.session))
    try:
        result = asyncio.run(soak(url, args.minutes, args.functions, args.buffer))
        seen: Counter[Any] = result["seen"]
        # Compare over the span of everything the pane was handed.
        stamps = [k[0] for k in seen]
        first, last = min(stamps), max(stamps)
        expected = sandbox_events(url, result["groups"], first, last)
        # Events at the very edges may be cut by ingestion order: compare inside them.
        inner = {k for k in expected if first < k[0] < last}
        gaps = sum(1 for k in inner if k not in seen)
        duplicates = sum(n - 1 for n in seen.values() if n > 1)
    finally:
        stop(sandbox)
    mb = {k: v / 2**20 for k, v in result["rss"].items()}
    print(
        f"soak: {args.minutes:g} min, demo traffic x{args.speed:g}, "
        f"Live Tail sessions of {args.session:g} s, {len(result['groups'])} log groups, "
        f"a ring of {args.buffer:,} lines"
    )
    series = ", ".join(
        f"{t / 60:.0f} min {rss / 2**20:.0f} MB ({lines // 1000}k)"
        for t, rss, lines in result["samples"]
    )
    print(f"  RSS (lines held) over time: {series}")
    print(f"  RSS start / half / end  {mb['start']:.0f} / {mb['half']:.0f} / {mb['end']:.0f} MB")
    print(f"  peak RSS                        {result['peak'] / 2**20:.0f} MB")
    print(
        f"  lines received / in buffer  {result['lines'] + result['dropped']:,} / "
        f"{result['lines']:,}"
    )
    print(f"  dropped by the ring buffer       {result['dropped']:,}")
    print(f"  Live Tail sessions renewed       {result['renewals']}")
    print(f"  repeats filtered by the deduper  {result['deduped']:,}")
    print(f"  duplicates on screen             {duplicates}")
    print(f"  gaps (sandbox events missing)    {gaps} of {len(inner):,}")
    print(f"  mode at the end                  {result['mode']}")


if __name__ == "__main__":
    main()
