"""The console's own log file (`--log-file PATH` or LAMBDATUI_LOG; `--debug` for calls).

What goes in: the settings it started with (never credentials), each AWS call's
action and outcome at debug level, and every unexpected exception with its
traceback. What never goes in: environment values, secrets, payloads, message
bodies or log lines. Only the `lambdatui` logger writes here (botocore's own
loggers, which print request bodies at debug level, are not attached), and every
value the console has read from an environment is replaced by a mask before a
record is written, revealed on screen or not.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

LOG_ENV = "LAMBDATUI_LOG"
MASK = "*****"
# Values shorter than this are not masked: they would hide ordinary words.
MIN_SECRET = 4

log = logging.getLogger("lambdatui")
log.addHandler(logging.NullHandler())
log.propagate = False

_secrets: set[str] = set()
_lock = threading.Lock()
_path: Path | None = None


def never_log(values: Iterable[str]) -> None:
    """Values (environment values, secrets) that must not appear in the log."""
    with _lock:
        _secrets.update(v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_path() -> Path | None:
    """Where the log is written, or None when there is no log file."""
    return _path


def start_log(path: str | Path, *, debug: bool = False) -> Path:
    """Append to `path` (created 0600, its new directory 0700). Raises OSError."""
    global _path
    target = Path(path).expanduser()
    if not target.parent.exists():
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for old in [h for h in log.handlers if isinstance(h, logging.FileHandler)]:
        log.removeHandler(old)
        old.close()
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if debug else logging.INFO)
    _path = target
    return target


def stop_log() -> None:
    global _path
    for old in [h for h in log.handlers if isinstance(h, logging.FileHandler)]:
        log.removeHandler(old)
        old.close()
    _path = None
