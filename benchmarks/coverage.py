"""What the test suite reaches: branch coverage per package (coverage.py through pytest-cov).

Runs the suite once with branch coverage (the suite's own options: two workers),
then prints, per package, the statements and branches reached, and for
lambdatui/aws (the core) the lines no test reaches, file by file.

    uv run python benchmarks/coverage.py            # the whole suite
    uv run python benchmarks/coverage.py tests/test_fleet.py   # part of it
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "lambdatui/aws": "core (aws)",
    "lambdatui/screens": "screens",
    "lambdatui/widgets": "widgets",
    "lambdatui": "app, fleet and the rest",
    "lambdatui_sandbox": "sandbox",
}


def package_of(path: str) -> str:
    for prefix in PACKAGES:
        if path.startswith(prefix + "/"):
            return prefix
    return ""


def ranges(lines: list[int]) -> str:
    out: list[str] = []
    start = prev = None
    for n in sorted(lines):
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(f"{start}-{prev}" if prev != start else str(start))
        start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else str(start))
    return ", ".join(out)


def main() -> int:
    tests = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "coverage.json"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--cov=lambdatui",
                "--cov=lambdatui_sandbox",
                "--cov-branch",
                f"--cov-report=json:{report}",
                *tests,
            ],
            cwd=ROOT,
        )
        data = json.loads(report.read_text())
    totals: dict[str, list[int]] = {p: [0, 0, 0, 0] for p in PACKAGES}
    missing_core: dict[str, list[int]] = {}
    for path, info in data["files"].items():
        package = package_of(path)
        if not package:
            continue
        summary = info["summary"]
        t = totals[package]
        t[0] += summary["num_statements"]
        t[1] += summary["covered_lines"]
        t[2] += summary.get("num_branches", 0)
        t[3] += summary.get("covered_branches", 0)
        if package == "lambdatui/aws" and info["missing_lines"]:
            missing_core[path] = info["missing_lines"]
    print("\n| package | statements | reached | branches | reached |")
    print("| --- | --- | --- | --- | --- |")
    for package, label in PACKAGES.items():
        statements, covered, branches, taken = totals[package]
        if not statements:
            continue
        print(
            f"| {label} | {statements:,} | {100 * covered / statements:.1f}% | "
            f"{branches:,} | {100 * taken / max(branches, 1):.1f}% |"
        )
    print(f"\ntotal: {data['totals']['percent_covered']:.1f}% (statements and branches)")
    print("\nlambdatui/aws lines no test reaches:")
    for path, lines in sorted(missing_core.items(), key=lambda kv: -len(kv[1])):
        print(f"  {path} ({len(lines)}): {ranges(lines)}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
