"""How long the test suite takes: wall and CPU time per worker count, and the slowest files.

    uv run python benchmarks/suite.py [--workers 4] [--runs 1] [pytest args...]

Each run is `pytest -n N` in a child process (as `uv run pytest` runs it), timed from
start to exit; CPU is the children's user + system time (the workers and the
sandboxes they spawn). The slowest files sum their tests' setup, call and teardown.
Several worker counts in one invocation (--workers 2,3,4) compare on the same
machine state; read the ratios, not the absolute times, on a shared machine.
"""

from __future__ import annotations

import argparse
import collections
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION = re.compile(r"^([\d.]+)s (?:call|setup|teardown)\s+(\S+?)::")


@dataclass
class Run:
    workers: int
    wall: float
    cpu: float
    status: int
    summary: str
    slowest: list[tuple[str, float]]
    test_time: float


def run(workers: int, extra: list[str]) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", str(workers), "-q", "--durations=0", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    per_file: collections.defaultdict[str, float] = collections.defaultdict(float)
    for line in done.stdout.splitlines():
        match = DURATION.match(line)
        if match:
            per_file[match[2]] += float(match[1])
    lines = done.stdout.strip().splitlines()
    for line in lines:
        if line.startswith(("FAILED", "ERROR")):
            print(f"-n {workers}: {line}", file=sys.stderr, flush=True)
    return Run(
        workers=workers,
        wall=wall,
        cpu=cpu,
        status=done.returncode,
        summary=lines[-1].strip("= ") if lines else "",
        slowest=sorted(per_file.items(), key=lambda item: -item[1])[:8],
        test_time=sum(per_file.values()),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="4", help="comma-separated worker counts")
    parser.add_argument("--runs", type=int, default=1)
    args, extra = parser.parse_known_args()
    counts = [int(n) for n in args.workers.split(",")]
    results = [run(n, extra) for _ in range(args.runs) for n in counts]
    print("| workers | wall | CPU (user+sys) | CPU / wall | tests' own time | result |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r.workers} | {r.wall // 60:.0f} min {r.wall % 60:02.0f} s | {r.cpu:.0f} s "
            f"| {r.cpu / r.wall:.2f} | {r.test_time:.0f} s | {r.summary} |"
        )
    print()
    for r in results:
        slowest = ", ".join(f"{Path(f).name} {t:.0f} s" for f, t in r.slowest)
        print(f"-n {r.workers}, slowest files: {slowest}")
    sys.exit(max(r.status for r in results))


if __name__ == "__main__":
    main()
