"""Load figures (reliability issue): 5,000 functions, a 10,000-message DLQ and a
5,000 events/s tail, all at once in one app.

The sandbox (another process) holds the demo world plus enough functions for
`--functions`; one DLQ gets `--messages` messages. The app (this process,
headless) lists every function, opens the DLQ pane on the full queue, then
opens the log pane over both and floods it at `--rate` events/s for
`--seconds` (through the transports' path, as benchmarks/log_tail.py does)
while keys are pressed. Prints times, key latency during the flood and peak RSS.

    uv run python benchmarks/load.py [--functions 5000] [--messages 10000] [--rate 5000]
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
from common import CREDS, KeyTimer, serve, spawn, stop

from lambdatui.app import make_app
from lambdatui.aws.logparse import parse_event
from lambdatui.aws.tail import TailMode
from lambdatui.config import Settings
from lambdatui.screens.dlq import DlqScreen
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.logs import LogsScreen

DEMO_FUNCTIONS = 30
DLQ_FUNCTION = "payments-webhook"
DLQ = "payments-webhook-dlq"
LOG_FUNCTION = "orders-api"


def fill(url: str, count: int) -> None:
    sqs = boto3.client("sqs", endpoint_url=url, region_name="us-east-1")
    queue = sqs.get_queue_url(QueueName=DLQ)["QueueUrl"]
    for start in range(0, count, 10):
        entries = [
            {
                "Id": str(i),
                "MessageBody": json.dumps({"id": f"evt_{start + i}", "amount": start + i}),
                "MessageAttributes": {
                    "RequestID": {"DataType": "String", "StringValue": str(uuid.uuid4())},
                    "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                    "ErrorMessage": {"DataType": "String", "StringValue": "KeyError: 'x'"},
                },
            }
            for i in range(min(10, count - start))
        ]
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)


async def wait(pilot: Any, predicate: Any, timeout: float = 300) -> float:
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out")
        await pilot.pause(0.01)
    return time.perf_counter() - start


async def run(url: str, functions: int, rate: int, seconds: float) -> dict[str, Any]:
    os.environ.update(CREDS)
    app = make_app(
        Settings(region="us-east-1", endpoint_url=url, animations=False), system_clipboard=False
    )
    process = psutil.Process()
    out: dict[str, Any] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        listing = await wait(
            pilot,
            lambda: (
                isinstance(app.screen, FunctionsScreen)
                and app.fleet.loaded
                and len(app.fleet.functions) >= functions
            ),
        )
        out["list"] = listing
        app.open_dlq(next(f for f in app.fleet.functions if f.name == DLQ_FUNCTION))
        await wait(pilot, lambda: isinstance(app.screen, DlqScreen))
        dlq = app.screen
        assert isinstance(dlq, DlqScreen)

        def peeked() -> str:
            return str(dlq.query_one("#dlqstatus").render()) if dlq.query("#dlqstatus") else ""

        out["peek"] = await wait(pilot, lambda: "seen" in peeked())
        out["peek_status"] = peeked()
        app.open_logs([next(f for f in app.fleet.functions if f.name == LOG_FUNCTION)])
        await wait(pilot, lambda: isinstance(app.screen, LogsScreen))
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        await wait(pilot, lambda: logs.tail_status.mode is not TailMode.CONNECTING)
        logs.history_s = 0
        logs.start_tail()
        keys = KeyTimer(app, logs, "action_time")
        peak = process.memory_info().rss
        batch = max(rate // 10, 1)
        sent = 0
        start = time.perf_counter()
        next_batch = start
        rid = str(uuid.uuid4())
        group = f"/aws/lambda/{LOG_FUNCTION}"
        while time.perf_counter() - start < seconds:
            now_ms = int(time.time() * 1000)
            records = [
                parse_event(
                    f"[INFO]\t2026-11-27T12:00:00.000Z\t{rid}\tprocessing item {sent + i}\n",
                    timestamp=now_ms,
                    log_group=group,
                    log_stream="bench",
                )
                for i in range(batch)
            ]
            logs._ingest(records)
            sent += batch
            next_batch += batch / rate
            keys.press("t", "t")
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(max(next_batch - time.perf_counter(), 0))
        fed = time.perf_counter()
        await pilot.pause()
        out["lag"] = max(time.perf_counter() - fed, time.perf_counter() - next_batch)
        latency = keys.latencies()
        out["key_p50"] = statistics.median(latency) * 1000
        out["key_p99"] = latency[int(len(latency) * 0.99) - 1] * 1000
        out["sent"] = sent
        out["buffered"] = logs.logview.total
        out["dropped"] = logs.logview.dropped
        # Back to the list of 5,000 under all this: a filter keystroke.
        app.pop_screen()
        app.pop_screen()
        await pilot.pause()
        listing_screen = app.screen
        assert isinstance(listing_screen, FunctionsScreen)
        filter_start = time.perf_counter()
        await pilot.press("slash", "o", "r", "d")
        await wait(pilot, lambda: len(listing_screen.table.view) < len(app.fleet.functions))
        out["filter"] = (time.perf_counter() - filter_start) * 1000 / 4
        out["rss"] = max(peak, process.memory_info().rss) / 2**20
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--functions", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        # The demo world without its traffic simulator: the load is ours.
        serve(extra_functions=args.functions - DEMO_FUNCTIONS)
        return
    os.environ.update(CREDS)
    sandbox, url = spawn(__file__, "--functions", str(args.functions))
    try:
        filled = time.perf_counter()
        fill(url, args.messages)
        filled = time.perf_counter() - filled
        result = asyncio.run(run(url, args.functions, args.rate, args.seconds))
    finally:
        stop(sandbox)
    print(
        f"load: {args.functions:,} functions, a {args.messages:,}-message DLQ "
        f"(filled in {filled:.0f} s), {args.rate:,} events/s for {args.seconds:.0f} s, at once"
    )
    print(f"  all {args.functions:,} functions listed      {result['list']:8.2f} s")
    print(f"  DLQ pane: first peek on screen    {result['peek']:8.2f} s")
    print(f"    {result['peek_status'][:90]}")
    print(f"  flood: lag at the end             {result['lag']:8.2f} s")
    print(
        f"  flood: key -> redraw p50 / p99    {result['key_p50']:.1f} / {result['key_p99']:.1f} ms"
    )
    print(f"  flood: lines buffered / dropped   {result['buffered']:,} / {result['dropped']:,}")
    print(f"  list filter keystroke afterwards  {result['filter']:8.1f} ms per key")
    print(f"  peak RSS (the app)                {result['rss']:8.0f} MB")


if __name__ == "__main__":
    main()
