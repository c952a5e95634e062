"""The last function list of each (profile, endpoint, account, region), kept on disk.

A launch draws it at once, marked as cached with its age, while ListFunctions
pages the fresh list in. One JSON file per (profile, endpoint, region) in the
user cache directory; the account it was listed in is inside, and rows of
another account are dropped once STS answers. It holds what ListFunctions
returned as the list's rows, minus anything environment-related (no variable
values, not even the names of secret-looking ones), and is written privately
and atomically (lambdatui/files.py). A file that is corrupt or from another
version is ignored, with one line in the console's log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .applog import log
from .aws.models import Function
from .files import write_text

#: Bumped whenever the file's shape changes: files of another version are ignored.
VERSION = 1

# Function fields kept: what ListFunctions says. Not State / LastUpdateStatus (read
# per row), not tags (another call), not secret_env (derived from Environment).
_KEPT = (
    "name",
    "arn",
    "runtime",
    "package_type",
    "architecture",
    "memory_mb",
    "timeout_s",
    "code_size",
    "description",
    "handler",
    "role",
    "log_format",
    "log_group",
    "dead_letter",
    "vpc_id",
    "kms_key_arn",
)
_INTS = {"memory_mb", "timeout_s", "code_size"}


def cache_dir() -> Path:
    """Where the lists are kept: lists/ in the user cache directory."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("lambdatui", appauthor=False)) / "lists"


@dataclass(frozen=True, slots=True)
class CachedList:
    account: str
    region: str
    saved_at: datetime
    functions: list[Function]


class ListCache:
    """Lists by (profile, endpoint, region), each remembering its account."""

    def __init__(self, directory: Path, profile: str | None, endpoint: str | None) -> None:
        self.directory = directory
        self.profile = profile or ""
        self.endpoint = endpoint or ""

    def path(self, region: str) -> Path:
        key = json.dumps([self.profile, self.endpoint, region])
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        return self.directory / f"functions-{digest}.json"

    def read(self, region: str) -> CachedList | None:
        """The list kept for `region`, or None (none kept, corrupt, another version)."""
        path = self.path(region)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("list cache %s ignored: cannot be read (%s)", path, exc)
            return None
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != VERSION:
                found = data.get("version") if isinstance(data, dict) else None
                log.warning("list cache %s ignored: version %r, not %d", path, found, VERSION)
                return None
            if data.get("key") != [self.profile, self.endpoint, region]:
                log.warning("list cache %s ignored: kept for another connection", path)
                return None
            saved_at = datetime.fromisoformat(data["saved_at"])
            functions = [_function(row, region) for row in data["functions"]]
            account = str(data["account"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("list cache %s ignored: corrupt (%s)", path, type(exc).__name__)
            return None
        return CachedList(account, region, saved_at, functions)

    def write(
        self, account: str, region: str, functions: Iterable[Function], now: datetime
    ) -> Path:
        rows = [_row(f) for f in functions if f.region == region]
        data = {
            "version": VERSION,
            "key": [self.profile, self.endpoint, region],
            "account": account,
            "saved_at": now.astimezone(UTC).isoformat(),
            "functions": rows,
        }
        return write_text(self.path(region), json.dumps(data, separators=(",", ":")))


def _row(fn: Function) -> dict[str, Any]:
    row: dict[str, Any] = {k: getattr(fn, k) for k in _KEPT}
    row["last_modified"] = fn.last_modified.isoformat() if fn.last_modified else None
    return row


def _function(row: Any, region: str) -> Function:
    if not isinstance(row, dict):
        raise TypeError("a row is not an object")
    values: dict[str, Any] = {}
    for key in _KEPT:
        value = row[key]
        if key in _INTS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{key} is not a number")
        elif not isinstance(value, str):
            raise TypeError(f"{key} is not a string")
        values[key] = value
    modified = row.get("last_modified")
    return Function(
        **values,
        last_modified=datetime.fromisoformat(modified) if modified else None,
        state="",
        last_update_status="",
        region=region,
    )
