"""Files the console writes for its user: private and atomic.

Snapshots, saved logs, exports, saved test events and the config may hold
request ids, errors, payloads and log lines. On a shared host they must not
be readable by other users, and an interrupted write must not leave half a
file where a whole one is expected. So every such file is written to a
temporary file in the same directory (created 0600 before any content goes
in), flushed to disk, and renamed over the target; directories the console
creates on the way are 0700. An existing directory (the current one, a
user's folder) is left as it is. The umask does not matter.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "atomic_writer",
    "private_dir",
    "write_jsonl",
    "write_text",
]

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Make `path` a directory, creating what is missing 0700; existing ones are untouched."""
    missing: list[Path] = []
    current = path
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            if not directory.is_dir():
                raise
            continue  # made meanwhile by someone else: theirs to keep as it is
        # mkdir's mode passes through the umask, which could take the owner's bits.
        os.chmod(directory, PRIVATE_DIR)
    return path


@contextlib.contextmanager
def atomic_writer(path: Path, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """A text file open for writing that becomes `path` only if the block completes.

    Write to it as it suits (all at once or streamed); on an exception the
    temporary file is removed and whatever was at `path` stays as it was.
    """
    directory = private_dir(path.parent)
    # mkstemp creates the file 0600 (O_EXCL), so no content is ever readable by others.
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding=encoding) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    """Persist the rename (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> Path:
    """Write `text` to `path`, privately and atomically."""
    with atomic_writer(path) as out:
        out.write(text)
    return path


def write_jsonl(path: Path, rows: Iterable[object]) -> int:
    """Stream `rows` to `path` as JSON Lines, privately and atomically; returns the count.

    Rows are encoded one at a time: a 100,000-line export is never one string.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    with atomic_writer(path) as out:
        write = out.write
        for row in rows:
            write(encode(row))
            write("\n")
            count += 1
    return count
