"""Polling tail latency: lambdatui's polling tail against `awslogs get --watch`.

One plain moto server (`moto.server.ThreadedMotoServer`, in its own process) serves
both. Every `--every` seconds (shifted a little each time, so writes land at every
phase of the pollers' cycles) one event is put in a log group with boto3; the
script notes when `awslogs get GROUP ALL --watch` prints it and when lambdatui's
polling tail core (Tailer with Live Tail off, as when Live Tail is denied or
unavailable) hands it to its sink. Both run at the same time, against the same
endpoint; medians and p90 of put -> seen are printed.

    uv run python benchmarks/tail_latency.py [--events 30] [--every 1.3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import boto3

from lambdatui.aws.session import AwsSession, Target
from lambdatui.aws.tail import Tailer, TailStatus

CREDS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
REGION = "us-east-1"
GROUP = "/aws/lambda/tail-latency"
STREAM = "2026/12/04/[$LATEST]bench"


def start_moto() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambdatui_sandbox.baremoto"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        raise SystemExit("the moto server did not start")
    return proc, url


def logs_client(endpoint: str) -> Any:
    return boto3.client(
        "logs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDS["AWS_SECRET_ACCESS_KEY"],
    )


def follow_awslogs(endpoint: str, seen: dict[str, float], stop: threading.Event) -> Any:
    """`awslogs get --watch` in another process; each marker's arrival time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | CREDS
    awslogs = os.path.join(os.path.dirname(sys.executable), "awslogs")
    proc = subprocess.Popen(
        [
            awslogs,
            "get",
            GROUP,
            "ALL",
            "--watch",
            "--aws-endpoint-url",
            endpoint,
            "--aws-region",
            REGION,
            "--start",
            "1m",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        bufsize=1,
    )

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.monotonic()
            for word in line.split():
                if word.startswith("mark-"):
                    seen.setdefault(word, now)
            if stop.is_set():
                return

    threading.Thread(target=read, daemon=True).start()
    return proc


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(events: int, every: float) -> None:
    moto, endpoint = start_moto()
    logs = logs_client(endpoint)
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
    put_at: dict[str, float] = {}
    by_awslogs: dict[str, float] = {}
    by_lambdatui: dict[str, float] = {}
    stop = threading.Event()
    awslogs = follow_awslogs(endpoint, by_awslogs, stop)

    def sink(records: list[Any]) -> None:
        now = time.monotonic()
        for record in records:
            for word in record.raw.split():
                if word.startswith("mark-"):
                    by_lambdatui.setdefault(word, now)

    def status(_: TailStatus) -> None:
        pass

    session = AwsSession(
        Target(None, REGION, endpoint, CREDS["AWS_ACCESS_KEY_ID"], CREDS["AWS_SECRET_ACCESS_KEY"])
    )
    tailer = Tailer(session, [GROUP], sink=sink, status=status, history_s=60, live=False)
    follow = asyncio.create_task(tailer.run())

    def put(mark: str) -> None:
        put_at[mark] = time.monotonic()
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=STREAM,
            logEvents=[{"timestamp": int(time.time() * 1000), "message": f"order {mark} done"}],
        )

    try:
        await asyncio.sleep(3.0)  # both followers started and past their first poll
        for i in range(events):
            mark = f"mark-{uuid.uuid4().hex[:12]}"
            await asyncio.to_thread(put, mark)
            # Shifted by a prime fraction each time: every phase of a 1 s poll.
            await asyncio.sleep(every + (i * 0.137) % 0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            len(by_awslogs) < events or len(by_lambdatui) < events
        ):
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        follow.cancel()
        await asyncio.gather(follow, return_exceptions=True)
        await session.close()
        awslogs.terminate()
        awslogs.wait(timeout=10)
        assert moto.stdin is not None
        moto.stdin.close()
        moto.wait(timeout=10)

    print(f"{events} events put {every:.1f}-{every + 0.5:.1f} s apart on {endpoint} (moto)")
    followers = (("awslogs get --watch", by_awslogs), ("lambdatui polling tail", by_lambdatui))
    for name, seen in followers:
        lags = [seen[m] - put_at[m] for m in put_at if m in seen]
        missed = events - len(lags)
        if not lags:
            print(f"{name:24} saw none of them")
            continue
        print(
            f"{name:24} median {statistics.median(lags):.3f} s   p90 {percentile(lags, 0.9):.3f} s"
            f"   max {max(lags):.3f} s   missed {missed}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--every", type=float, default=1.3, help="seconds between puts")
    args = parser.parse_args()
    asyncio.run(run(args.events, args.every))


if __name__ == "__main__":
    main()
