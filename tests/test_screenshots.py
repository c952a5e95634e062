"""The screenshots script renders every main screen, in the default and the light theme.

It runs in its own process (the sandbox's moto state is per process) at 80x24,
so the run also shows every screen fits the smallest terminal it supports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "screenshots" / "make.py"
SCREENS = ["functions", "functions-errors", "detail", "logs", "invocations"]
SCREENS += ["metrics", "dlq", "dlqs", "invoke", "functions-cost", "findings", "roles", "insights"]
SCREENS += ["help"]


def test_the_screenshots_script_renders_every_screen(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--size", "80x24"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    expected = {f"{name}{suffix}.svg" for name in SCREENS for suffix in ("", "-light")}
    assert {p.name for p in tmp_path.iterdir()} == expected
    for path in tmp_path.iterdir():
        svg = path.read_text()
        assert svg.startswith("<svg") and "lambdatui" in svg
        assert "Traceback" not in svg
    assert "payments" in (tmp_path / "detail.svg").read_text()
    # The light theme is really another theme.
    assert (tmp_path / "functions.svg").read_text() != (
        tmp_path / "functions-light.svg"
    ).read_text()
