"""Function-list figures at 2,000 functions (issue: foundation).

Prints, from one run against one sandbox process:
- process start -> first row on screen, and -> all rows on screen (the header
  count reads "2000 functions"), for `lambdatui` in a real pseudo-terminal;
- beside it, a plain boto3 script that only pages through ListFunctions
  (process start -> last page);
- peak RSS of the console process with 2,000 functions loaded;
- filter keystroke -> redrawn table latency (p50/p95) at 2,000 functions.

    uv run python benchmarks/startup.py [--functions 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import termios
import time

import psutil

ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_EC2_METADATA_DISABLED": "true",
    "TERM": "xterm-256color",
}

BOTO3_SCRIPT = """
import sys, boto3
c = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1")
n = sum(len(p["Functions"]) for p in c.get_paginator("list_functions").paginate())
print(n)
"""


def start_sandbox(functions: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambdatui", "sandbox", "--port", "0", "--world", "empty",
         "--functions", str(functions)],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.search(r"AWS_ENDPOINT_URL=['\"]?(http://[^'\"\s]+)", line)
        if match:
            return proc, match[1]
    raise SystemExit("sandbox did not start")


def boto3_listing(url: str) -> float:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", BOTO3_SCRIPT, url], env=ENV,
                         capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    assert int(out.stdout) > 0
    return elapsed


def console_run(url: str, functions: int, first_name: bytes) -> tuple[float, float, float]:
    """Run the console in a pty: (first row s, all rows s, peak RSS MB)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(sys.executable, [sys.executable, "-m", "lambdatui", "--endpoint-url", url,
                                    "--region", "us-east-1"], ENV)
    start = time.perf_counter()
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = psutil.Process(pid)
    seen = b""
    first = everything = None
    peak = 0
    done_marker = f"{functions} functions".encode()
    deadline = start + 120
    settle_until = None
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.02)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen = (seen + chunk)[-20000:]
            now = time.perf_counter() - start
            if first is None and first_name in seen:
                first = now
            if everything is None and done_marker in seen and b"loading" not in seen[-2000:]:
                everything = now
                settle_until = time.perf_counter() + 1.0
        try:
            peak = max(peak, proc.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        if settle_until and time.perf_counter() > settle_until:
            break
    os.write(fd, b"q")
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    if first is None or everything is None:
        raise SystemExit("the console never showed the rows")
    return first, everything, peak / 2**20


async def filter_latency(url: str, keystrokes: int) -> list[float]:
    from lambdatui.app import make_app
    from lambdatui.config import Settings
    from lambdatui.screens.functions import FunctionTable

    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"})
    app = make_app(Settings(region="us-east-1", endpoint_url=url), system_clipboard=False)
    samples: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(FunctionTable)
        assert len(table.rows) > 0
        await pilot.press("slash")
        query = "bulk-fn-01"
        while len(samples) < keystrokes:
            for key in [*query, *["backspace"] * len(query)]:
                start = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--functions", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keystrokes", type=int, default=200)
    args = parser.parse_args()

    sandbox, url = start_sandbox(args.functions)
    try:
        boto3_times = [boto3_listing(url) for _ in range(args.runs)]
        runs = [console_run(url, args.functions, b"bulk-fn-00001") for _ in range(args.runs)]
        latencies = asyncio.run(filter_latency(url, args.keystrokes))
    finally:
        sandbox.terminate()
        sandbox.wait()

    first = statistics.median(r[0] for r in runs)
    everything = statistics.median(r[1] for r in runs)
    peak = max(r[2] for r in runs)
    baseline = statistics.median(boto3_times)
    lat = sorted(latencies)
    p50 = lat[len(lat) // 2] * 1000
    p95 = lat[int(len(lat) * 0.95)] * 1000
    print(f"functions: {args.functions}, runs: {args.runs} (medians), keystrokes: {len(lat)}")
    print(f"{'figure':<44}{'value':>12}  target")
    print(f"{'process start -> first row on screen':<44}{first:>10.2f} s  <= 0.8 s")
    print(f"{'process start -> all rows on screen':<44}{everything:>10.2f} s")
    print(f"{'boto3 script: start -> last page':<44}{baseline:>10.2f} s")
    print(f"{'all rows / boto3 script':<44}{everything / baseline:>11.2f}x  <= 1.3x")
    print(f"{'peak RSS, all functions loaded':<44}{peak:>9.0f} MB  <= 150 MB")
    print(f"{'filter keystroke -> redrawn table, p50':<44}{p50:>9.1f} ms")
    print(f"{'filter keystroke -> redrawn table, p95':<44}{p95:>9.1f} ms  <= 50 ms")


if __name__ == "__main__":
    main()
