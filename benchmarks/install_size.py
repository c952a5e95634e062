"""What installing lambdatui brings: packages and megabytes in a fresh venv.

Builds the wheel of the working tree (and of `--ref REV`, from git, for a
before/after in one run), installs each into a fresh venv alone and with the
`demo` extra, and prints the package count, the installed size (file bytes
under site-packages, bytecode excluded) and whether a sandbox-only package
came along.

    uv run python benchmarks/install_size.py --ref a5d506e
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_ONLY = ("moto", "boto3", "flask", "werkzeug", "docker", "cfn-lint", "sympy")


def uv() -> str:
    found = Path(sys.executable).parent / "uv"
    return str(found) if found.exists() else (shutil.which("uv") or "uv")


def run(*argv: str, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
    return subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def build(source: Path, out: Path) -> Path:
    run(uv(), "build", "--wheel", "-o", str(out), str(source))
    return next(out.glob("lambdatui-*.whl"))


def measure(wheel: Path, extra: str, where: Path) -> tuple[int, float, list[str]]:
    venv = where / f"venv{extra or '-plain'}"
    run(uv(), "venv", "-q", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    target = f"{wheel}[{extra}]" if extra else str(wheel)
    run(uv(), "pip", "install", "-q", "--no-compile", "--python", str(python), target)
    frozen = run(uv(), "pip", "freeze", "--python", str(python))
    names = sorted(line.split("==")[0].split(" @ ")[0].lower() for line in frozen.splitlines())
    site = next((venv / "lib").glob("python*/site-packages"))
    total = 0
    for dirpath, dirnames, filenames in os.walk(site):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        total += sum((Path(dirpath) / f).stat().st_size for f in filenames)
    return len(names), total / 1e6, [n for n in names if n in SANDBOX_ONLY]


def source_at(ref: str, where: Path) -> Path:
    tree = where / f"src-{ref}"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", ref], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", help="also measure this git revision (the 'before')")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        sources = [("working tree", ROOT)]
        if args.ref:
            sources.insert(0, (args.ref, source_at(args.ref, where)))
        print("| build | install | packages | MB | sandbox-only packages |")
        print("| --- | --- | --- | --- | --- |")
        for label, source in sources:
            out = where / f"dist-{len(label)}-{abs(hash(label))}"
            wheel = build(source, out)
            for extra in ("", "demo"):
                count, mb, sandbox = measure(wheel, extra, out)
                what = "lambdatui[demo]" if extra else "lambdatui"
                shown = ", ".join(sandbox) if sandbox else "none"
                print(f"| {label} | {what} | {count} | {mb:.1f} | {shown} |", flush=True)


if __name__ == "__main__":
    main()
