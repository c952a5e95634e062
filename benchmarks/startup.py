"""Launch figures: process start to a full function list, fresh and from the cache.

In one run, for each size (default 1,234, 2,000 and 10,000 functions, each
served by a sandbox process whose ListFunctions pages by 50):
- a plain boto3 script that pages through ListFunctions (start -> last page);
- `lambdatui` fresh (an empty cache directory), in a real pseudo-terminal:
  process start -> first frame ("Loading functions…"), -> first row, -> the
  full list (the header count reads "N functions"); the ratio to boto3;
- `lambdatui` again with the cache the fresh launch left: start -> the full
  list drawn from the cache ("N functions · cached");
- peak RSS of the console with the list loaded; filter keystroke -> redrawn
  table latency (p50/p95), from writing the key to the next screen update;
and `lambdatui --demo`: start -> the demo's 30 functions, -> the first health
figures (an error rate in the Err % column). XDG_CACHE_HOME is a temporary
directory throughout: the user's own cache is never read or written.

    uv run python benchmarks/startup.py [--sizes 1234,2000,10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

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

    def __init__(
        self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (120, 40)
    ) -> None:
        self.start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(sys.executable, [sys.executable, "-m", "lambdatui", *argv], env)
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

    def wait_for(self, marker: bytes | re.Pattern[bytes], limit: float = 180) -> float:
        deadline = time.perf_counter() + limit
        while not (marker in self.tail if isinstance(marker, bytes) else marker.search(self.tail)):
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
                print(f"no redraw within 5 s after {key!r}", file=sys.stderr, flush=True)
                return 5.0
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


def console(url: str, cache: Path) -> Console:
    argv = ["--endpoint-url", url, "--region", "us-east-1"]
    return Console(argv, ENV | {"XDG_CACHE_HOME": str(cache)})


def kept(cache: Path) -> bool:
    return any(cache.glob("lambdatui/lists/functions-*.json"))


def fresh_run(url: str, functions: int, keystrokes: int, cache: Path) -> dict[str, object]:
    """A launch with an empty cache; the list it keeps is left in `cache`."""
    run = console(url, cache)
    figures: dict[str, object] = {
        "frame": run.wait_for("Loading functions…".encode()),
        "first": run.wait_for(b"bulk-fn-00001"),
        "full": run.wait_for(f"{functions} functions".encode()),
    }
    deadline = time.perf_counter() + 60
    while not kept(cache) and time.perf_counter() < deadline:
        run.read(0.05)
    run.settle()
    latencies: list[float] = []
    if keystrokes:
        os.write(run.fd, b"/")
        query = b"bulk-fn-01"
        while len(latencies) < keystrokes:
            latencies += [run.keystroke_latency(bytes([ch])) for ch in query]
            latencies += [run.keystroke_latency(b"\x7f") for _ in query]
    figures["rss"] = run.peak_rss / 2**20
    figures["latencies"] = latencies
    run.quit()
    return figures


def cached_run(url: str, functions: int, cache: Path) -> float:
    """A second launch: start -> the whole list drawn from the cache."""
    run = console(url, cache)
    found = run.wait_for(f"{functions} functions · cached".encode())
    run.wait_for(f"{functions} functions".encode() + b" ")  # (let it finish listing)
    run.settle()
    run.quit()
    return found


HEALTH = re.compile(rb"\d\.\d%")


def demo_run(cache: Path) -> tuple[float, float]:
    """`lambdatui --demo`: start -> its 30 functions, -> the first health figures."""
    run = Console(["--demo"], ENV | {"XDG_CACHE_HOME": str(cache)})
    listed = run.wait_for(b"30 functions")
    health = run.wait_for(HEALTH)
    run.quit()
    return listed, health


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)] * 1000


def size_figures(functions: int, runs: int, keystrokes: int, tmp: Path) -> list[str]:
    sandbox, url = start_sandbox("--world", "empty", "--functions", str(functions))
    try:
        boto3 = statistics.median(
            timed([sys.executable, "-c", BOTO3_SCRIPT, url]) for _ in range(runs)
        )
        fresh, second = [], []
        for i in range(runs):
            cache = tmp / f"{functions}-{i}"
            fresh.append(fresh_run(url, functions, keystrokes if i == 0 else 0, cache))
            second.append(cached_run(url, functions, cache))
    finally:
        sandbox.terminate()
        sandbox.wait()

    def median(key: str) -> float:
        return statistics.median(float(f[key]) for f in fresh)  # type: ignore[arg-type]

    full, cached = median("full"), statistics.median(second)
    lat: list[float] = fresh[0]["latencies"]  # type: ignore[assignment]
    return [
        f"{functions:,}",
        f"{boto3:.2f} s",
        f"{median('frame'):.2f} s",
        f"{median('first'):.2f} s",
        f"{full:.2f} s",
        f"{full / boto3:.2f}x",
        f"{cached:.2f} s",
        f"{cached / boto3:.2f}x",
        f"{max(float(f['rss']) for f in fresh):.0f} MB",  # type: ignore[arg-type]
        f"{percentile(lat, 0.5):.1f} / {percentile(lat, 0.95):.1f} ms" if lat else "-",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1234,2000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    with tempfile.TemporaryDirectory(prefix="lambdatui-bench-") as where:
        tmp = Path(where)
        floor = statistics.median(
            timed([sys.executable, "-c", "import textual.app"]) for _ in range(args.runs)
        )
        table = []
        for n in sizes:
            table.append(size_figures(n, args.runs, args.keystrokes, tmp))
            print("| " + " | ".join(table[-1]) + " |", file=sys.stderr, flush=True)
        demo = [demo_run(tmp / f"demo-{i}") for i in range(0 if args.no_demo else args.runs)]

    print(f"medians of {args.runs} runs; filter keystrokes: {args.keystrokes} (first fresh run)")
    print()
    print(
        "| functions | boto3 script | first frame | first row | full list | / boto3 "
        "| 2nd launch (cache) | / boto3 | peak RSS | filter key p50 / p95 |"
    )
    print("| " + " | ".join("---" for _ in range(10)) + " |")
    for row in table:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"python + `import textual.app` alone: {floor:.2f} s")
    if demo:
        listed = statistics.median(d[0] for d in demo)
        health = statistics.median(d[1] for d in demo)
        print(f"--demo: start -> 30 functions {listed:.2f} s, -> first health {health:.2f} s")


if __name__ == "__main__":
    main()
