"""The fault matrix as a table (reliability issue): pane x fault, recovered, time to recover.

Runs tests/faultmatrix.py's cells against an in-process sandbox: each fault
is injected into the pane's actions until the pane says what is wrong, then
cleared; the time to recover runs from clearing it (or pressing the retry
key, for faults a user must fix) to the pane showing its data again.

The app runs with 2 attempts per call (botocore's standard retries), a 1.3 s
read timeout (the "slow" fault answers after 1.6 s) and panes retrying after
`--retry-after` seconds, doubling (the app's default is 5 s).

    uv run python benchmarks/fault_matrix.py [--retry-after 1]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lambdatui_sandbox import Sandbox
from tests.conftest import FROZEN_NOW
from tests.faultmatrix import FAULTS, PANES, Outcome, make_app, run_cell


async def matrix(box: Sandbox, retry_after: float) -> list[Outcome]:
    outcomes = []
    for pane in PANES:
        app = make_app(box, pane, retry_after=retry_after)
        async with app.run_test(size=(140, 44)) as pilot:
            await pane.open(app, pilot)
            for fault in FAULTS:
                outcome = await run_cell(app, pilot, box, pane, fault)
                outcomes.append(outcome)
                print(
                    f"  {pane.name:18} {fault.kind:9} "
                    f"{'recovered' if outcome.recovered else 'NOT RECOVERED'} "
                    f"in {outcome.seconds:.2f} s  | {outcome.said[:70]}",
                    file=sys.stderr,
                )
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--retry-after", type=float, default=1.0)
    args = parser.parse_args()
    with Sandbox(now=FROZEN_NOW) as box:
        outcomes = asyncio.run(matrix(box, args.retry_after))
    kinds = [f.kind for f in FAULTS]
    how = {f.kind: "retry key" if f.recovery == "key" else "by itself" for f in FAULTS}
    print("| pane | " + " | ".join(kinds) + " |")
    print("| --- |" + " --- |" * len(kinds))
    print("| recovers | " + " | ".join(how[k] for k in kinds) + " |")
    for pane in PANES:
        cells = []
        for kind in kinds:
            o = next(o for o in outcomes if o.pane == pane.name and o.fault == kind)
            cells.append(f"yes, {o.seconds:.1f} s" if o.recovered else "**no**")
        print(f"| {pane.name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
