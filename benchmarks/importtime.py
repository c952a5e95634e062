"""What importing a module costs: `python -X importtime`, median of several runs.

Runs `python -X importtime -c "import MODULE"` in fresh interpreters for the
working tree and, with `--ref REV`, for a git revision (its sources first on
sys.path, the same installed dependencies), alternating the two so both see
the same machine. Prints the median total (the sum of every module's own
time) and MODULE's cumulative time, then the heaviest top-level packages.

    uv run python benchmarks/importtime.py --ref a5d506e
    uv run python benchmarks/importtime.py --module lambdatui.__main__
    uv run python benchmarks/importtime.py --first-frame --ref 6fff656

`--first-frame` measures what the console imports before its first frame
instead: the app is started headless (the first AWS client held back until
that frame is drawn) and every import logged before it is counted; it also
names which of the heavy packages (aiohttp, aiobotocore, botocore,
tree_sitter, plotext) were loaded by then.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
HEAVY = ("aiohttp", "aiobotocore", "botocore", "tree_sitter", "plotext")
MARK = "--- first frame ---"

# Started headless against an endpoint that is never reached: the first client's
# import of aiobotocore (where the console has one) waits for the first frame.
FIRST_FRAME = """
import sys, threading
sys.path.insert(0, {tree!r})
gate = threading.Event()
from lambdatui.aws import session
real = getattr(session, "_import_aiobotocore", None)
if real is not None:
    def held():
        gate.wait()
        real()
    session._import_aiobotocore = held
import dataclasses
from lambdatui.app import make_app
from lambdatui.config import Settings
names = {{f.name for f in dataclasses.fields(Settings)}}
extra = {{"list_cache": False}} if "list_cache" in names else {{}}
app = make_app(Settings(region="us-east-1", endpoint_url="http://127.0.0.1:9",
    access_key="x", secret_key="y", **extra), system_clipboard=False)
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
        print({mark!r}, file=sys.stderr, flush=True)
        print(",".join(heavy) or "-")
        gate.set()
        app.exit()
import asyncio
asyncio.run(main())
"""


def sample(tree: Path, module: str, first_frame: bool = False) -> tuple[float, float, Counter[str]]:
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); import {module}"
    if first_frame:
        code = FIRST_FRAME.format(tree=str(tree), heavy=HEAVY, mark=MARK)
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    err = run.stderr
    if first_frame:
        err = err.split(MARK)[0]
        heavy = run.stdout.strip().splitlines()[-1]
        _heavy_by_tree[str(tree)] = heavy
    total = 0
    cumulative = 0
    packages: Counter[str] = Counter()
    for match in LINE.finditer(err):
        own, cum, _indent, name = int(match[1]), int(match[2]), match[3], match[4]
        total += own
        packages[name.split(".")[0]] += own
        if name == module:
            cumulative = cum
    return total / 1e6, cumulative / 1e6, packages


# The heavy packages loaded at the first frame, by tree (the last run's).
_heavy_by_tree: dict[str, str] = {}


def source_at(ref: str, where: Path) -> Path:
    tree = where / "src"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", ref], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", default="lambdatui.app")
    parser.add_argument("--ref", help="also measure this git revision (the 'before')")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--first-frame",
        action="store_true",
        help="what the app imports before its first frame (not one module)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"working tree": ROOT}
        if args.ref:
            trees = {args.ref: source_at(args.ref, Path(tmp)), **trees}
        results: dict[str, list[tuple[float, float, Counter[str]]]] = {k: [] for k in trees}
        for _ in range(args.runs):
            for label, tree in trees.items():
                results[label].append(sample(tree, args.module, args.first_frame))
        what = "the first frame" if args.first_frame else f"`import {args.module}`"
        print(f"{what}, median of {args.runs} fresh interpreters:\n")
        print(f"| tree | total (all modules) | {args.module} cumulative |")
        print("| --- | --- | --- |")
        for label, runs in results.items():
            total = statistics.median(r[0] for r in runs)
            cumulative = statistics.median(r[1] for r in runs)
            print(f"| {label} | {total:.3f} s | {cumulative:.3f} s |")
        if args.first_frame:
            print()
            for label, tree in trees.items():
                heavy = _heavy_by_tree.get(str(tree), "?")
                print(f"heavy packages loaded at the first frame ({label}): {heavy}")
        for label, runs in results.items():
            summed: Counter[str] = Counter()
            for r in runs:
                summed.update(r[2])
            top = ", ".join(
                f"{name} {own / len(runs) / 1e6:.3f}" for name, own in summed.most_common(10)
            )
            print(f"\nheaviest packages ({label}, mean own seconds): {top}")


if __name__ == "__main__":
    main()
