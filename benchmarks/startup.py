"""Function-list figures at 2,000 functions (foundation issue).

Prints, from one run against one sandbox process:
- process start -> first row on screen, and -> all rows on screen (the header
  count reads "2000 functions"), for `lambdatui` in a real pseudo-terminal;
- beside it, a plain boto3 script that only pages through ListFunctions
  (process start -> last page), and what Python plus the imports alone cost;
- peak RSS of the console process with 2,000 functions loaded;
- filter keystroke -> redrawn table latency (p50/p95) at 2,000 functions,
  from writing the key to the pty to the console's next screen update.

    uv run python benchmarks/startup.py [--functions 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import termios
import time

import psutil
from common import start_sandbox

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


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=ENV, capture_output=True, check=True)
    return time.perf_counter() - start


class Console:
    """The console in a real pseudo-terminal, read as a terminal would."""

    def __init__(self, url: str, size: tuple[int, int] = (120, 40)) -> None:
        self.start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(
                sys.executable,
                [sys.executable, "-m", "lambdatui", "--endpoint-url", url, "--region", "us-east-1"],
                ENV,
            )
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.pid, self.fd = pid, fd
        self.proc = psutil.Process(pid)
        self.tail = b""
        self.peak_rss = 0

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        chunk = os.read(self.fd, 65536) if ready else b""
        self.tail = (self.tail + chunk)[-20000:]
        with contextlib.suppress(psutil.NoSuchProcess):
            self.peak_rss = max(self.peak_rss, self.proc.memory_info().rss)
        return chunk

    def wait_for(self, marker: bytes, limit: float = 120) -> float:
        deadline = time.perf_counter() + limit
        while marker not in self.tail:
            if time.perf_counter() > deadline:
                raise SystemExit(f"never saw {marker!r} on screen")
            self.read(0.01)
        return time.perf_counter() - self.start

    def settle(self, quiet: float = 0.3) -> None:
        while self.read(quiet):
            pass

    def keystroke_latency(self, key: bytes) -> float:
        """Seconds from writing `key` to the first screen update written back."""
        self.settle(0.05)
        sent = time.perf_counter()
        os.write(self.fd, key)
        while not self.read(5):
            if time.perf_counter() - sent > 5:
                raise SystemExit("no redraw after a keystroke")
        return time.perf_counter() - sent

    def quit(self) -> None:
        os.write(self.fd, b"\x1b")
        self.settle(0.1)
        os.write(self.fd, b"q")
        try:
            self.proc.wait(timeout=10)
        except psutil.TimeoutExpired:
            self.proc.kill()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def console_run(
    url: str, functions: int, keystrokes: int
) -> tuple[float, float, float, list[float]]:
    """(first row s, all rows s, peak RSS MB, filter keystroke latencies s)."""
    console = Console(url)
    first = console.wait_for(b"bulk-fn-00001")
    everything = console.wait_for(f"{functions} functions".encode())
    console.settle()
    latencies: list[float] = []
    if keystrokes:
        os.write(console.fd, b"/")
        query = b"bulk-fn-01"
        while len(latencies) < keystrokes:
            latencies += [console.keystroke_latency(bytes([ch])) for ch in query]
            latencies += [console.keystroke_latency(b"\x7f") for _ in query]
    peak = console.peak_rss / 2**20
    console.quit()
    return first, everything, peak, latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--functions", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keystrokes", type=int, default=200)
    args = parser.parse_args()

    sandbox, url = start_sandbox("--world", "empty", "--functions", str(args.functions))
    try:
        floor = statistics.median(
            timed([sys.executable, "-c", "import textual.app, aiobotocore.session"])
            for _ in range(args.runs)
        )
        baseline = statistics.median(
            timed([sys.executable, "-c", BOTO3_SCRIPT, url]) for _ in range(args.runs)
        )
        runs = [
            console_run(url, args.functions, args.keystrokes if i == 0 else 0)
            for i in range(args.runs)
        ]
    finally:
        sandbox.terminate()
        sandbox.wait()

    first = statistics.median(r[0] for r in runs)
    everything = statistics.median(r[1] for r in runs)
    peak = max(r[2] for r in runs)
    lat = sorted(runs[0][3])
    p50 = lat[len(lat) // 2] * 1000
    p95 = lat[int(len(lat) * 0.95)] * 1000
    rows = [
        ("process start -> first row on screen", f"{first:.2f} s", "<= 0.8 s"),
        ("process start -> all rows on screen", f"{everything:.2f} s", ""),
        ("boto3 script: start -> last page", f"{baseline:.2f} s", ""),
        ("all rows / boto3 script", f"{everything / baseline:.2f}x", "<= 1.3x"),
        ("python + textual + aiobotocore imports only", f"{floor:.2f} s", "(floor)"),
        ("peak RSS, all functions loaded", f"{peak:.0f} MB", "<= 150 MB"),
        ("filter keystroke -> redraw, p50", f"{p50:.1f} ms", ""),
        ("filter keystroke -> redraw, p95", f"{p95:.1f} ms", "<= 50 ms"),
    ]
    print(f"functions: {args.functions}; medians of {args.runs} runs; {len(lat)} keystrokes")
    for name, value, target in rows:
        print(f"{name:<46}{value:>12}  {target}")


if __name__ == "__main__":
    main()
