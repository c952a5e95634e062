"""Findings for 1,000 functions (alarms, cost, identity and posture issue).

Against `lambdatui sandbox --functions 1000` (the demo account plus 1,000
generated functions) in another process, runs the core's posture scan as the
findings screen does and prints: wall time of the scan, the API calls it made
by action, the time until the findings decided by account-wide calls show,
and the time to turn every function's facts into findings (pure, redone
whenever logs or health change).

    uv run python benchmarks/findings.py [--functions 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from common import CREDS, start_sandbox

from lambdatui.aws import alarms, findings, iam, metrics
from lambdatui.aws.functions import list_function_pages
from lambdatui.aws.session import AwsSession, Target

CALLS: Counter[str] = Counter()


def count_calls() -> None:
    for module in (alarms, findings, iam, metrics):
        original = module.call  # type: ignore[attr-defined]

        async def counted(
            session: Any, service: str, action: str, _o: Any = original, **kw: Any
        ) -> Any:
            CALLS[f"{service}:{action}"] += 1
            return await _o(session, service, action, **kw)

        module.call = counted  # type: ignore[attr-defined]


async def run(url: str, runs: int) -> None:
    target = Target(
        None, "us-east-1", url, CREDS["AWS_ACCESS_KEY_ID"], CREDS["AWS_SECRET_ACCESS_KEY"]
    )
    session = AwsSession(target)
    try:
        functions = [f async for page in list_function_pages(session) for f in page]
        print(f"functions: {len(functions)}")
        walls, checks, firsts = [], [], []
        for _ in range(runs):
            CALLS.clear()
            posture = findings.Posture(session)  # a fresh app: nothing cached
            now = datetime.now(UTC)
            started = time.perf_counter()
            first: list[float] = []

            def progress(_: object, first: list[float] = first, t0: float = started) -> None:
                if not first:
                    first.append(time.perf_counter() - t0)

            result = await posture.scan(functions, now, progress)
            walls.append(time.perf_counter() - started)
            firsts.append(first[0])
            started = time.perf_counter()
            found = [f for facts in result.facts.values() for f in findings.check(facts, now)]
            checks.append(time.perf_counter() - started)
        print(f"findings: {len(found)} in {len({f.function for f in found})} functions")
        print(
            f"scan wall time, median of {runs}: {statistics.median(walls):.2f} s "
            f"(min {min(walls):.2f}, max {max(walls):.2f})"
        )
        print(
            "account-wide findings (roles, alarms, runtimes, secrets...), median: "
            f"{statistics.median(firsts):.2f} s"
        )
        print(f"check() over every function, median: {statistics.median(checks) * 1000:.1f} ms")
        print("calls in one scan:")
        for action, n in sorted(CALLS.items(), key=lambda kv: -kv[1]):
            print(f"  {action:45} {n:6,}")
    finally:
        await session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--functions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(CREDS)
    proc, url = start_sandbox("--functions", str(args.functions))
    try:
        count_calls()
        asyncio.run(run(url, args.runs))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
