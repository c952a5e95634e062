"""Saved test events on this machine: one JSON file per event, a folder per function.

They live under the user config directory (``events/<function>/<name>.json``) unless
the settings name another folder. Names follow the Lambda console's rule for test
events (letters, digits, ``.``, ``_`` and ``-``), so a name is always a safe file name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

from .files import atomic_writer

NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def default_folder() -> Path:
    return user_config_path("lambdatui") / "events"


def check_name(name: str) -> str | None:
    """None when ``name`` can name an event, else why not."""
    if not NAME.match(name) or name.strip(".") == "":
        return "Use 1-64 letters, digits, '.', '_' or '-' for the event's name."
    return None


class LocalEvents:
    """The saved events of one folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()

    def _dir(self, function: str) -> Path:
        # Function names are [A-Za-z0-9_-]; an ARN or qualifier never reaches here.
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", function)
        return self.folder / safe

    def names(self, function: str) -> list[str]:
        folder = self._dir(function)
        if not folder.is_dir():
            return []
        return sorted(path.stem for path in folder.glob("*.json") if NAME.match(path.stem))

    def load(self, function: str, name: str) -> str:
        """The event's text as saved. Raises OSError / ValueError on a bad name or file."""
        problem = check_name(name)
        if problem:
            raise ValueError(problem)
        return (self._dir(function) / f"{name}.json").read_text(encoding="utf-8")

    def save(self, function: str, name: str, event: Any) -> Path:
        """Write the event, readable by the user alone (atomically: a crash leaves
        the old file or the new one)."""
        problem = check_name(name)
        if problem:
            raise ValueError(problem)
        path = self._dir(function) / f"{name}.json"
        with atomic_writer(path) as out:
            json.dump(event, out, indent=2)
            out.write("\n")
        return path

    def delete(self, function: str, name: str) -> None:
        problem = check_name(name)
        if problem:
            raise ValueError(problem)
        (self._dir(function) / f"{name}.json").unlink(missing_ok=True)
