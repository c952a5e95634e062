"""What importing a module costs: `python -X importtime`, median of several runs.

Runs `python -X importtime -c "import MODULE"` in fresh interpreters for the
working tree and, with `--ref REV`, for a git revision (its sources first on
sys.path, the same installed dependencies), alternating the two so both see
the same machine. Prints the median total (the sum of every module's own
time) and MODULE's cumulative time, then the heaviest top-level packages.

    uv run python benchmarks/importtime.py --ref a5d506e
    uv run python benchmarks/importtime.py --module lambdatui.__main__
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


def sample(tree: Path, module: str) -> tuple[float, float, Counter[str]]:
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); import {module}"
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    ).stderr
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"working tree": ROOT}
        if args.ref:
            trees = {args.ref: source_at(args.ref, Path(tmp)), **trees}
        results: dict[str, list[tuple[float, float, Counter[str]]]] = {k: [] for k in trees}
        for _ in range(args.runs):
            for label, tree in trees.items():
                results[label].append(sample(tree, args.module))
        print(f"`import {args.module}`, median of {args.runs} fresh interpreters:\n")
        print(f"| tree | total (all modules) | {args.module} cumulative |")
        print("| --- | --- | --- |")
        for label, runs in results.items():
            total = statistics.median(r[0] for r in runs)
            cumulative = statistics.median(r[1] for r in runs)
            print(f"| {label} | {total:.3f} s | {cumulative:.3f} s |")
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
