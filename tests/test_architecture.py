"""Rules of the house that a test can hold."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).parent.parent / "lambdatui" / "aws"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_imports_nothing_from_textual_or_rich() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) >= 5
    for path in files:
        for name in _imports(path):
            root = name.split(".")[0]
            assert root not in {"textual", "rich"}, f"{path.name} imports {name}"


def test_core_loads_without_textual_in_a_fresh_interpreter() -> None:
    import subprocess
    import sys

    code = (
        "import sys, lambdatui.aws.functions, lambdatui.aws.errors, lambdatui.aws.session;"
        "import lambdatui.aws.logparse;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
