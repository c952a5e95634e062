"""Parsed Lambda log records and per-invocation summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum, IntEnum, StrEnum
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")


class Level(IntEnum):
    """Severity of a log record; NONE (lowest) for records that carry no level."""

    NONE = 0
    TRACE = 1
    DEBUG = 2
    INFO = 3
    WARN = 4
    ERROR = 5
    FATAL = 6

    @classmethod
    def parse(cls, value: object) -> Level:
        """The level named by `value` (case-insensitive, with common aliases), else NONE.

        Integers follow the pino convention (10 trace ... 60 fatal).
        """
        if isinstance(value, str):
            level = _LEVEL_NAMES.get(value)
            if level is None and len(value) <= 16:
                level = _LEVEL_NAMES.get(value.strip().upper()) or _slog_offset(value.strip())
            return level if level is not None else Level.NONE
        if isinstance(value, int) and not isinstance(value, bool):
            return _PINO_LEVELS.get(value, Level.NONE)
        return Level.NONE

    @classmethod
    def lookup(cls, name: str) -> Level | None:
        """The level for an exact level word (any case), or None if it is not one.

        Go's slog writes levels between its named ones as an offset (``INFO+2``,
        ``DEBUG-4``); those count as the named level they reach.
        """
        level = _LEVEL_NAMES.get(name)
        if level is None and len(name) <= 16:
            level = _LEVEL_NAMES.get(name.upper())
            if level is None:
                level = _slog_offset(name)
        return level


_LEVEL_NAMES: dict[str, Level] = {
    "TRACE": Level.TRACE,
    "VERBOSE": Level.TRACE,
    "DEBUG": Level.DEBUG,
    "INFO": Level.INFO,
    "INFORMATION": Level.INFO,
    "NOTICE": Level.INFO,
    "WARN": Level.WARN,
    "WARNING": Level.WARN,
    "ERROR": Level.ERROR,
    "ERR": Level.ERROR,
    "SEVERE": Level.ERROR,
    "FATAL": Level.FATAL,
    "CRITICAL": Level.FATAL,
    "CRIT": Level.FATAL,
    "ALERT": Level.FATAL,
    "EMERG": Level.FATAL,
    "EMERGENCY": Level.FATAL,
    "PANIC": Level.FATAL,
}

# slog's named levels and their numeric values; an offset from one lands between them.
_SLOG_VALUES = {"DEBUG": -4, "INFO": 0, "WARN": 4, "ERROR": 8}


def _slog_offset(name: str) -> Level | None:
    """``INFO+2`` -> INFO, ``WARN+4`` -> ERROR, ``DEBUG-4`` -> DEBUG; else None."""
    sign = max(name.find("+", 4), name.find("-", 4))
    if sign < 0:
        return None
    base = _SLOG_VALUES.get(name[:sign].upper())
    digits = name[sign + 1 :]
    if base is None or not (digits.isascii() and digits.isdigit()):
        return None
    value = base + int(digits) if name[sign] == "+" else base - int(digits)
    if value >= 8:
        return Level.ERROR
    if value >= 4:
        return Level.WARN
    return Level.INFO if value >= 0 else Level.DEBUG


_PINO_LEVELS: dict[int, Level] = {
    10: Level.TRACE,
    20: Level.DEBUG,
    30: Level.INFO,
    40: Level.WARN,
    50: Level.ERROR,
    60: Level.FATAL,
}


class RecordKind(Enum):
    APP = "app"
    START = "start"
    END = "end"
    REPORT = "report"
    INIT_START = "init_start"
    RUNTIME_DONE = "runtime_done"
    PLATFORM_OTHER = "platform_other"
    TIMEOUT = "timeout"
    RAW = "raw"


class RecordFormat(Enum):
    JSON = "json"
    TEXT = "text"
    POWERTOOLS = "powertools"
    RAW = "raw"


@dataclass(frozen=True, slots=True)
class Report:
    """The figures of a REPORT line or a platform.report record."""

    duration_ms: float | None = None
    billed_duration_ms: int | None = None
    memory_size_mb: int | None = None
    max_memory_used_mb: int | None = None
    init_duration_ms: float | None = None
    status: str | None = None
    error_type: str | None = None
    xray_trace_id: str | None = None


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One CloudWatch Logs event, parsed.

    `timestamp` is the event's own epoch-ms timestamp; `record_time` is the time
    written inside the message, when there is one. `raw` is the event text as
    received; `message` is the human part of it.
    """

    timestamp: int
    log_group: str
    log_stream: str
    raw: str
    event_id: str | None = None
    ingestion_time: int | None = None
    kind: RecordKind = RecordKind.RAW
    level: Level = Level.NONE
    message: str = ""
    format: RecordFormat = RecordFormat.RAW
    request_id: str | None = None
    record_time: int | None = None
    fields: tuple[tuple[str, Any], ...] = ()
    report: Report | None = None
    service: str | None = None
    location: str | None = None
    cold_start: bool | None = None
    xray_trace_id: str | None = None
    exception: str | None = None
    exception_name: str | None = None


class InvocationStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    OOM = "oom"
    RUNNING = "running"


@dataclass(frozen=True, slots=True)
class Invocation:
    """What the log records of one request id say about that invocation.

    `end_ts` is set once the REPORT arrived; until then the status is RUNNING
    (unless a timeout or an out-of-memory error was already seen).
    """

    request_id: str
    log_group: str
    log_stream: str
    start_ts: int
    end_ts: int | None
    status: InvocationStatus
    cold_start: bool
    duration_ms: float | None = None
    billed_duration_ms: int | None = None
    memory_size_mb: int | None = None
    max_memory_used_mb: int | None = None
    init_duration_ms: float | None = None
    error_count: int = 0
    record_count: int = 0
    error_message: str | None = None
    xray_trace_id: str | None = None


def export_record(record: LogRecord) -> dict[str, object]:
    """One line as a JSON object, as saved logs and snapshots write it."""
    return {
        "timestamp": record.timestamp,
        "time": datetime.fromtimestamp(record.timestamp / 1000, UTC).isoformat(),
        "logGroup": record.log_group,
        "logStream": record.log_stream,
        "eventId": record.event_id,
        "requestId": record.request_id,
        "level": record.level.name,
        "kind": record.kind.name,
        "message": record.message,
        "raw": record.raw,
    }
