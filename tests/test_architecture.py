"""Rules of the house that a test can hold: layers, the lean install, the demo extra."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
# What only the sandbox runs: none of it may come with the console alone.
SANDBOX_ONLY = {"moto", "boto3", "flask", "werkzeug", "docker", "cfn-lint", "sympy", "s3transfer"}


def test_import_contracts_hold() -> None:
    """pyproject.toml's import-linter contracts: the core knows no UI, the snapshot is
    UI-free, only the demo entry imports the sandbox, layers, and no cycles."""
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    assert result.stdout.count(" KEPT") >= 5


def test_core_loads_without_textual_in_a_fresh_interpreter() -> None:
    code = (
        "import sys, lambdatui.aws.functions, lambdatui.aws.errors, lambdatui.aws.session;"
        "import lambdatui.aws.logparse, lambdatui.incident;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_loads_without_the_sandbox_in_a_fresh_interpreter() -> None:
    code = (
        "import sys, lambdatui.app, lambdatui.__main__;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('lambdatui_sandbox', 'moto', 'boto3', 'flask', 'werkzeug')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


FIRST_FRAME = """
import asyncio, sys, threading
from lambdatui.aws import session
gate = threading.Event()
real = session._import_aiobotocore
def held():
    gate.wait()
    real()
session._import_aiobotocore = held
from lambdatui.app import make_app
from lambdatui.config import Settings
app = make_app(Settings(region="us-east-1", endpoint_url="http://127.0.0.1:9",
    access_key="x", secret_key="y", list_cache=False), system_clipboard=False)
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print(str(app.screen.query_one("#title").render()))
        print(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:])))
        gate.set()
asyncio.run(main())
"""


def test_the_first_frame_waits_for_no_aws_sdk_chart_or_highlighter() -> None:
    """The list's frame is drawn while aiobotocore (and botocore, aiohttp) are still
    to be imported, and without what later panes need (tree-sitter, plotext)."""
    heavy = ["aiohttp", "aiobotocore", "botocore", "tree_sitter", "plotext"]
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, *heavy], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    title, loaded = result.stdout.strip().splitlines()[-2:]
    assert title.startswith("Functions")
    assert loaded == "[]"


def _uv() -> str:
    found = BIN / "uv"
    if found.exists():
        return str(found)
    on_path = shutil.which("uv")
    if on_path is None:
        pytest.fail("uv is a dev dependency: `uv sync` installs it")
    return on_path


def test_the_wheel_alone_installs_lean_and_names_the_demo_extra(tmp_path: Path) -> None:
    """Built and installed as a user would (no extras): no sandbox dependency comes
    along, and `--demo` / `sandbox` answer with one sentence naming the extra."""
    uv = _uv()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
    run = {"cwd": tmp_path, "capture_output": True, "text": True, "env": env, "check": True}
    subprocess.run([uv, "build", "--wheel", "-o", str(tmp_path / "dist"), str(ROOT)], **run)
    wheel = next((tmp_path / "dist").glob("lambdatui-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], **run)
    python = venv / "bin" / "python"
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python), str(wheel)], **run)
    listed = subprocess.run([uv, "pip", "freeze", "--python", str(python)], **run).stdout
    names = {line.split("==")[0].split(" @ ")[0].lower() for line in listed.splitlines()}
    assert "lambdatui" in names and "textual" in names and "aiobotocore" in names
    assert not names & SANDBOX_ONLY, sorted(names & SANDBOX_ONLY)
    assert len(names) <= 40, sorted(names)

    for argv in (["--demo"], ["sandbox", "--port", "0"]):
        result = subprocess.run(
            [str(venv / "bin" / "lambdatui"), *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "pip install 'lambdatui[demo]'" in lines[0]
