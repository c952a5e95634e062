"""The action journal: every change the console makes to AWS, one JSON line each.

It lives in the user state directory (`journal.jsonl`; LAMBDATUI_JOURNAL or the
`journal_path` setting name another file), private to the user (the file 0600,
directories the console creates 0700), and is only ever appended to: a line is
written whole with one write and synced before the action is reported done.
An entry says when, where (profile, account, region), what (action, target, before
-> after), how it ended and, when it failed, why. Nothing secret goes in: no
payloads, no message bodies, no environment values. An entry that can be
undone carries what the undo needs (`undo`).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .files import PRIVATE_FILE, private_dir

JOURNAL_ENV = "LAMBDATUI_JOURNAL"
DONE = "done"
FAILED = "failed"


def journal_path(setting: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The setting, else LAMBDATUI_JOURNAL, else journal.jsonl in the user state dir."""
    if setting:
        return Path(setting).expanduser()
    override = (os.environ if env is None else env).get(JOURNAL_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_state_path

    return user_state_path("lambdatui", appauthor=False) / "journal.jsonl"


@dataclass(frozen=True)
class Entry:
    time: str  # ISO 8601, UTC
    profile: str
    account: str
    region: str
    action: str  # e.g. "throttle", "disable event source", "redrive"
    target: str  # what was acted on: a function, a mapping, an alias, a queue
    before: str
    after: str
    outcome: str  # DONE or FAILED
    error: str = ""  # the sentence, when it failed
    function: str = ""
    # What puts `before` back, for entries that have an inverse (see screens/acting).
    undo: dict[str, Any] | None = None
    session: str = ""  # which run of the console wrote it
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def done(self) -> bool:
        return self.outcome == DONE

    @property
    def when(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.time)
        except ValueError:
            return None

    @classmethod
    def from_json(cls, row: Any) -> Entry | None:
        if not isinstance(row, dict):
            return None
        known = {k: row[k] for k in cls.__dataclass_fields__ if k in row}
        try:
            entry = cls(**known)
        except TypeError:
            return None
        text = ("time", "profile", "account", "region", "action", "target", "before", "after")
        if not all(isinstance(getattr(entry, k), str) for k in text):
            return None
        if entry.undo is not None and not isinstance(entry.undo, dict):
            return None
        return entry


class Journal:
    """Appends entries to one file and reads them back, newest first."""

    def __init__(self, path: Path, session: str | None = None) -> None:
        self.path = path
        self.session = session or uuid.uuid4().hex[:12]

    def append(self, entry: Entry) -> Entry:
        """Write `entry` (stamped with this session) as one line. Raises OSError."""
        entry = Entry(**{**asdict(entry), "session": self.session})
        line = json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":")) + "\n"
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        try:
            # O_CREAT's mode passes through the umask; an old file keeps no wider bits.
            os.fchmod(fd, PRIVATE_FILE)
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return entry

    def entries(self) -> list[Entry]:
        """Every readable entry, newest first (a damaged line is skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        found: list[Entry] = []
        for line in text.splitlines():
            try:
                entry = Entry.from_json(json.loads(line))
            except ValueError:
                continue
            if entry is not None:
                found.append(entry)
        found.reverse()
        return found

    def this_session(self) -> list[Entry]:
        """This run's entries, newest first."""
        return [e for e in self.entries() if e.session == self.session]
