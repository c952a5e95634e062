"""Values, log records and the fields Logs Insights discovers in them.

Every log event has @timestamp, @message, @logStream, @log and @ingestionTime. Lambda's
Text lines add @type (START, END, REPORT) and @requestId, and REPORT lines @duration,
@billedDuration, @memorySize and @maxMemoryUsed (in bytes, 1 MB = 1,000,000),
@initDuration (cold starts) and @xrayTraceId / @xraySegmentId (traced calls). The
first JSON object in a message (the whole message, or one embedded in a Text line) is
discovered key by key, nested keys joined by dots (``record.metrics.durationMs``) and
array items by index (``items.0.id``). Values are found once, when a query first asks.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from collections.abc import Callable
from typing import Any

#: The most fields taken from one JSON message.
MAX_JSON_FIELDS = 200
_MB = 1_000_000


class Stamp(int):
    """A time in epoch milliseconds, shown as ``2026-11-27 12:00:00.000`` (UTC)."""

    __slots__ = ()

    def __str__(self) -> str:
        seconds, millis = divmod(int(self), 1000)
        try:
            return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}"
        except (OverflowError, ValueError, OSError):
            return str(int(self))


_NUMERIC = re.compile(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")


def number(value: Any) -> int | float | None:
    """The value as a number, when it is one (numeric strings count), else None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if len(value) > 64 or _NUMERIC.fullmatch(value) is None:
            return None
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            return float(text)
    return None


def text(value: Any) -> str:
    """The value as the text a result row shows."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    return str(value)


def format_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool | int | float):
        return bool(value)
    return bool(value) if isinstance(value, str) else True


# ----- natural sort order ---------------------------------------------------------------

_CHUNKS = re.compile(r"\d+|\D+")


def sort_key(value: Any) -> tuple[Any, ...]:
    """Logs Insights' sort order: text before numbers; in text, runs of digits compare
    by length and then value, other runs by code point."""
    as_number = number(value)
    if as_number is not None:
        return (1, float(as_number))
    chunks = []
    for chunk in _CHUNKS.findall(text(value)):
        if chunk[0].isdigit():
            chunks.append((48, len(chunk), chunk))
        else:
            chunks.append((ord(chunk[0]), -1, chunk))
    return (0, tuple(chunks))


# ----- records --------------------------------------------------------------------------


class Record:
    """One log event as a query sees it: system fields, discovered fields, and the
    fields the query's own commands add (``fields ... as``, ``parse``)."""

    __slots__ = ("_found", "extra", "ingestion", "log", "message", "ptr", "stream", "timestamp")

    def __init__(
        self, timestamp: int, message: str, ingestion: int, stream: str, log: str, ptr: str
    ) -> None:
        self.timestamp = timestamp
        self.message = message
        self.ingestion = ingestion
        self.stream = stream
        self.log = log
        self.ptr = ptr
        self._found: dict[str, Any] | None = None
        self.extra: dict[str, Any] | None = None

    def get(self, name: str) -> Any:
        extra = self.extra
        if extra is not None and name in extra:
            return extra[name]
        system = _SYSTEM.get(name)
        if system is not None:
            return system(self)
        found = self._found
        if found is None:
            found = self._found = discover(self.message)
        return found.get(name)

    def set(self, name: str, value: Any) -> None:
        if self.extra is None:
            self.extra = {}
        self.extra[name] = value


class Row:
    """A row made by ``stats``: its named values."""

    __slots__ = ("values",)

    ptr = None

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def set(self, name: str, value: Any) -> None:
        self.values[name] = value


_SYSTEM: dict[str, Callable[[Record], Any]] = {
    "@timestamp": lambda r: Stamp(r.timestamp),
    "@message": lambda r: r.message,
    "@logStream": lambda r: r.stream,
    "@log": lambda r: r.log,
    "@ingestionTime": lambda r: Stamp(r.ingestion),
}


# ----- discovery ------------------------------------------------------------------------

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_START = re.compile(r"START RequestId: (\S+)(?: Version: (\S+))?")
_END = re.compile(r"END RequestId: (\S+)")
_REQUEST_LINE = re.compile(
    rf"^(?:\[[A-Z]+\]\t[^\t\n]*\t({_UUID})\t|[^\t\n]*\t({_UUID})\t[A-Z]+\t"
    rf"|\S+ ({_UUID}) Task timed out|RequestId: ({_UUID}) Error)"
)
_REPORT_KEYS = {
    "Duration": ("@duration", 1),
    "Billed Duration": ("@billedDuration", 1),
    "Memory Size": ("@memorySize", _MB),
    "Max Memory Used": ("@maxMemoryUsed", _MB),
    "Init Duration": ("@initDuration", 1),
}
_decoder = json.JSONDecoder()


def discover(message: str) -> dict[str, Any]:
    """The fields Logs Insights finds in a message (beyond the system fields)."""
    if message.startswith("REPORT RequestId: "):
        return _report(message)
    if message.startswith("START RequestId: "):
        match = _START.match(message)
        return {"@type": "START", "@requestId": match.group(1)} if match else {}
    if message.startswith("END RequestId: "):
        match = _END.match(message)
        return {"@type": "END", "@requestId": match.group(1)} if match else {}
    found: dict[str, Any] = {}
    if "\t" in message or "RequestId: " in message or "Task timed out" in message:
        line = _REQUEST_LINE.match(message)
        if line is not None:
            found["@requestId"] = next(group for group in line.groups() if group)
    brace = message.find("{")
    if brace >= 0:
        document = _first_object(message, brace)
        if document is not None:
            with contextlib.suppress(RecursionError):
                _flatten(document, "", found)
    return found


def _report(message: str) -> dict[str, Any]:
    found: dict[str, Any] = {"@type": "REPORT"}
    for line in message.split("\n"):
        for part in line.split("\t"):
            key, sep, value = part.partition(": ")
            if not sep:
                continue
            key = key.strip()
            if key == "REPORT RequestId":
                found["@requestId"] = value.strip()
            elif key in _REPORT_KEYS:
                name, scale = _REPORT_KEYS[key]
                amount = number(value.split(" ", 1)[0])
                if amount is not None:
                    found[name] = amount * scale
            elif key == "XRAY TraceId":
                found["@xrayTraceId"] = value.strip()
            elif key == "SegmentId":
                found["@xraySegmentId"] = value.strip()
    return found


def _first_object(message: str, brace: int) -> dict[str, Any] | None:
    try:
        document, _ = _decoder.raw_decode(message, brace)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _flatten(value: dict[str, Any] | list[Any], prefix: str, out: dict[str, Any]) -> None:
    items: Any = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        name = key if isinstance(key, str) else str(key)
        if not prefix and name[:1] == "@":
            name = "@" + name
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(item, dict | list):
            _flatten(item, path, out)
        elif item is not None and len(out) < MAX_JSON_FIELDS:
            out[path] = item
