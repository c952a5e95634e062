"""Log pane figures (live structured log tail issue).

1. Ingest: 5,000 events/s for 20 s fed into the log pane through the same
   path the transports use (parse_event -> the pane's sink), in the real app
   (headless). Prints the lag at the end, key-press -> redraw latency during
   the flood (p50/p99), lines buffered and dropped, peak RSS.
2. Latency: PutLogEvents (boto3, over HTTP) -> the line in the pane, Live Tail
   mode, against `lambdatui sandbox` in another process (median of N).
3. Parse throughput: see benchmarks/parse_throughput.py.

    uv run python benchmarks/log_tail.py [--rate 5000] [--seconds 20] [--events 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from typing import Any

import boto3
import psutil
from common import CREDS, KeyTimer, start_sandbox

from lambdatui.app import make_app
from lambdatui.aws.logparse import parse_event
from lambdatui.aws.tail import TailMode
from lambdatui.config import Settings
from lambdatui.screens.logs import LogsScreen

GROUP_FN = "orders-api"
GROUP = f"/aws/lambda/{GROUP_FN}"


def message(i: int, rid: str) -> str:
    if i % 5 == 0:
        return json.dumps(
            {
                "timestamp": "2026-11-27T12:00:00.000Z",
                "level": "INFO",
                "message": f"order {i} accepted",
                "requestId": rid,
                "orderId": i,
            }
        )
    return f"[INFO]\t2026-11-27T12:00:00.000Z\t{rid}\tprocessing item {i}\n"


async def open_pane(url: str, **settings: Any) -> tuple[Any, Any, LogsScreen]:
    os.environ.update(CREDS)
    app = make_app(
        Settings(region="us-east-1", endpoint_url=url, animations=False, **settings),
        system_clipboard=False,
    )
    context = app.run_test(size=(160, 48))
    pilot = await context.__aenter__()
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.open_logs([f for f in app.fleet.functions if f.name == GROUP_FN])
    while not isinstance(app.screen, LogsScreen):
        await pilot.pause()
    screen = app.screen
    while screen.tail_status.mode is TailMode.CONNECTING or "history" in screen.tail_status.note:
        await pilot.pause()
    return context, pilot, screen


async def ingest(url: str, rate: int, seconds: float) -> dict[str, float]:
    context, pilot, screen = await open_pane(url)
    screen.history_s = 0
    screen.start_tail()
    process = psutil.Process()
    peak = process.memory_info().rss
    keys = KeyTimer(screen.app, screen, "action_time")
    batch = max(rate // 10, 1)  # ten batches a second, like a busy transport
    sent = 0
    start = time.perf_counter()
    next_batch = start
    rid = str(uuid.uuid4())
    while time.perf_counter() - start < seconds:
        now_ms = int(time.time() * 1000)
        records = [
            parse_event(
                message(sent + i, rid), timestamp=now_ms, log_group=GROUP, log_stream="bench"
            )
            for i in range(batch)
        ]
        screen._ingest(records)
        sent += batch
        next_batch += batch / rate
        # A key press during the flood: toggling the time format redraws every line.
        keys.press("t", "t")
        peak = max(peak, process.memory_info().rss)
        delay = next_batch - time.perf_counter()
        await asyncio.sleep(max(delay, 0))
    fed = time.perf_counter()
    await pilot.pause()
    lag = time.perf_counter() - fed
    behind = time.perf_counter() - next_batch
    log = screen.logview
    peak = max(peak, process.memory_info().rss)
    latency = keys.latencies()
    result = {
        "sent": sent,
        "buffered": log.total,
        "dropped": log.dropped,
        "elapsed": fed - start,
        "lag": max(lag, behind),
        "key_p50": statistics.median(latency) * 1000,
        "key_p99": latency[int(len(latency) * 0.99) - 1] * 1000,
        "rss": peak / 2**20,
    }
    await context.__aexit__(None, None, None)
    return result


async def put_to_screen(url: str, events: int) -> list[float]:
    context, pilot, screen = await open_pane(url)
    assert screen.tail_status.mode is TailMode.LIVE, screen.tail_status
    logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1")
    stream = f"bench-{uuid.uuid4().hex}"
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    latencies = []
    for _ in range(events):
        marker = uuid.uuid4().hex
        start = time.perf_counter()
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=[
                {"timestamp": int(time.time() * 1000), "message": f"latency probe {marker}"}
            ],
        )
        while not any(marker in r.raw for r in screen.logview.records()[-50:]):
            await pilot.pause()
            await asyncio.sleep(0.005)
        latencies.append(time.perf_counter() - start)
    await context.__aexit__(None, None, None)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--events", type=int, default=30)
    args = parser.parse_args()
    sandbox, url = start_sandbox()
    try:
        flood = asyncio.run(ingest(url, args.rate, args.seconds))
        latencies = asyncio.run(put_to_screen(url, args.events))
    finally:
        sandbox.terminate()
        sandbox.wait()
    print(
        f"ingest: {args.rate:,} events/s for {args.seconds:.0f} s "
        f"({flood['sent']:,.0f} events in {flood['elapsed']:.1f} s)"
    )
    print(f"  lag at the end                  {flood['lag']:8.2f} s     (target <= 2 s)")
    print(f"  key press -> redraw p50          {flood['key_p50']:8.1f} ms")
    print(f"  key press -> redraw p99          {flood['key_p99']:8.1f} ms    (target <= 100 ms)")
    print(f"  lines buffered / dropped        {flood['buffered']:>8,.0f} / {flood['dropped']:,.0f}")
    print(f"  peak RSS                         {flood['rss']:8.0f} MB    (target <= 250 MB)")
    lat = sorted(latencies)
    print(f"Live Tail: PutLogEvents -> line in the pane, {len(lat)} events")
    print(
        f"  median {statistics.median(lat):.2f} s, max {lat[-1]:.2f} s  "
        f"(target median <= 1.5 s; `aws logs tail --follow` polls every 5 s)"
    )


if __name__ == "__main__":
    main()
