"""How long the test suite takes: wall and CPU time per worker count, and the slowest files.

    uv run python benchmarks/suite.py [--workers 3] [--runs 1] [pytest args...]

Each run is `pytest -n N` in a child process (as `uv run pytest` runs it), timed from
start to exit; CPU is the children's user + system time (the workers and the
sandboxes they spawn). The slowest files sum their tests' setup, call and teardown.
Several worker counts in one invocation (--workers 2,3,4) compare on the same
machine state; read the ratios, not the absolute times, on a shared machine.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION = re.compile(r"^([\d.]+)s (?:call|setup|teardown)\s+(\S+?)::")
SUMMARY = re.compile(r"(\d+) passed|(\d+) failed|(\d+) error")


def run(workers: int, extra: list[str]) -> dict[str, object]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", str(workers), "-q", "--durations=0", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    per_file: collections.Counter[str] = collections.Counter()
    for line in done.stdout.splitlines():
        match = DURATION.match(line)
        if match:
            per_file[match[2]] += float(match[1])
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return {
        "workers": workers,
        "wall": wall,
        "cpu": cpu,
        "status": done.returncode,
        "summary": last.strip("= "),
        "slowest": per_file.most_common(8),
        "test_time": sum(per_file.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="3", help="comma-separated worker counts")
    parser.add_argument("--runs", type=int, default=1)
    args, extra = parser.parse_known_args()
    counts = [int(n) for n in args.workers.split(",")]
    results = [run(n, extra) for _ in range(args.runs) for n in counts]
    print("| workers | wall | CPU (user+sys) | CPU / wall | tests' own time | result |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        wall, cpu = float(r["wall"]), float(r["cpu"])  # type: ignore[arg-type]
        print(
            f"| {r['workers']} | {wall / 60:.0f} min {wall % 60:02.0f} s | {cpu:.0f} s "
            f"| {cpu / wall:.2f} | {float(r['test_time']):.0f} s | {r['summary']} |"  # type: ignore[arg-type]
        )
    print()
    for r in results:
        slowest = ", ".join(f"{Path(f).name} {t:.0f} s" for f, t in r["slowest"])  # type: ignore[attr-defined]
        print(f"-n {r['workers']}, slowest files: {slowest}")
    sys.exit(max(int(r["status"]) for r in results))  # type: ignore[call-overload]


if __name__ == "__main__":
    main()
