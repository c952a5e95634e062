"""Parse CloudWatch Logs events written by Lambda into `LogRecord`s.

Handles the Lambda JSON and Text log formats (application and platform
records), the runtime line layouts of Python, Node.js, Java (Log4j2's Lambda
layout, LambdaLogger), .NET (ILambdaLogger), Go (the `log` package, slog's
default, text and JSON handlers) and Ruby (Logger, with or without the
runtime's request id), stack traces, timeouts, runtime exits and Powertools for
AWS Lambda JSON. Anything else becomes a RAW record. `parse_event` never raises.

A line cannot always say everything about itself: `StreamContext` fills in
the request id of lines written inside an invocation without one, and the
level of stack-trace lines printed one event per line.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from lambdatui.aws.logrecords import (
    Invocation,
    InvocationStatus,
    Level,
    LogRecord,
    RecordFormat,
    RecordKind,
    Report,
)

__all__ = ["InvocationTracker", "StreamContext", "compact", "is_continuation", "parse_event"]

_Ctx = tuple[int, str, str, str, str | None, int | None]

_loads = json.loads
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_fromiso = datetime.fromisoformat
_intern = sys.intern

_APP = RecordKind.APP
_RAW = RecordKind.RAW
_TEXT_FMT = RecordFormat.TEXT
_JSON_FMT = RecordFormat.JSON
_RAW_FMT = RecordFormat.RAW
_POWERTOOLS_FMT = RecordFormat.POWERTOOLS

# The level column of tab-separated runtime lines: Node.js writes these words,
# .NET the labels of Microsoft.Extensions.Logging's console provider.
_TAB_LEVELS: dict[str, Level] = {
    "TRACE": Level.TRACE,
    "DEBUG": Level.DEBUG,
    "INFO": Level.INFO,
    "WARN": Level.WARN,
    "ERROR": Level.ERROR,
    "FATAL": Level.FATAL,
    "trce": Level.TRACE,
    "dbug": Level.DEBUG,
    "info": Level.INFO,
    "warn": Level.WARN,
    "fail": Level.ERROR,
    "crit": Level.FATAL,
}
# Log4j2's %p and Ruby's Logger severities (Ruby's "ANY" carries no level).
_WORD_LEVELS: dict[str, Level] = {
    "TRACE": Level.TRACE,
    "DEBUG": Level.DEBUG,
    "INFO": Level.INFO,
    "WARN": Level.WARN,
    "ERROR": Level.ERROR,
    "FATAL": Level.FATAL,
    "ANY": Level.NONE,
}
_NO_REQUEST_ID = frozenset({"", "undefined", "null", "None"})
_NODE_ERROR_PREFIXES = ("Invoke Error", "Unhandled Promise Rejection", "Uncaught Exception")
_FAILED_STATUSES = frozenset({"error", "failure", "timeout"})
_EXCEPTION_NAME = re.compile(r"[A-Za-z_$][\w.$]{0,127}")
# The first line of a JVM exception printed on its own: a qualified class name.
_JVM_EXCEPTION = re.compile(
    r"(?:Exception in thread \"[^\"]{0,200}\" )?((?:[a-z_$][\w$]*\.)+(?:[A-Z][\w$]*)?"
    r"(?:Exception|Error|Throwable))(?::|$)"
)
# How the frames of a JVM, .NET or JavaScript stack trace begin.
_FRAME_MARKERS = ("\n\tat ", "\n   at ", "\n    at ")
# Lines that continue a stack trace printed one event per line (Java's
# printStackTrace on stderr): they belong to the line that began the trace.
_CONTINUATION_PREFIXES = (
    "\tat ",
    "\t... ",
    "Caused by: ",
    "\tCaused by: ",
    "Suppressed: ",
    "\tSuppressed: ",
    "   at ",
    "    at ",
)
_RUBY_CLASS = re.compile(r"\(([A-Z]\w*(?:::[A-Z]\w*)*)\)$")
_LOGFMT_PAIR = re.compile(r'([^\s="]+)=("[^"\\]*(?:\\.[^"\\]*)*"|\S*)')
_TIME_KEYS = ("timestamp", "time", "@timestamp")
_LEVEL_KEYS = ("level", "log_level", "severity", "levelname")
_MESSAGE_KEYS = ("message", "msg")
_REQUEST_ID_KEYS = ("requestId", "awsRequestId", "AWSRequestId", "request_id")
_LOGFMT_RID_KEYS = frozenset((*_REQUEST_ID_KEYS, "aws_request_id"))
_STACK_KEYS = ("stackTrace", "stack", "trace")
_POWERTOOLS_CONTEXT_KEYS = (
    "sampling_rate",
    "function_name",
    "function_memory_size",
    "function_arn",
)


def parse_event(
    message: str,
    *,
    timestamp: int,
    log_group: str = "",
    log_stream: str = "",
    event_id: str | None = None,
    ingestion_time: int | None = None,
) -> LogRecord:
    """Parse one CloudWatch Logs event. Never raises: unparseable text becomes RAW."""
    try:
        ctx: _Ctx = (
            timestamp,
            _intern(log_group),
            _intern(log_stream),
            message,
            event_id,
            ingestion_time,
        )
        return _parse(message, ctx)
    except Exception:
        return _fallback(
            message, (timestamp, log_group, log_stream, message, event_id, ingestion_time)
        )


def _parse(message: str, ctx: _Ctx) -> LogRecord:
    first = message[:1]
    if first == "{":
        record = _parse_json(message, ctx)
    elif first in " \t\r\n" and message:
        stripped = message.lstrip()
        record = _parse_json(stripped, ctx) if stripped[:1] == "{" else None
    else:
        parser = _BY_FIRST_CHAR.get(first)
        record = parser(message, ctx) if parser is not None else None
    return record if record is not None else _raw(message, ctx)


def _fallback(message: str, ctx: _Ctx) -> LogRecord:
    # The text as it came, untouched: whatever failed above may fail again in _raw.
    return LogRecord(*ctx, _RAW, Level.NONE, message, _RAW_FMT)


def _raw(message: str, ctx: _Ctx) -> LogRecord:
    text = message.rstrip("\r\n")
    level = _leading_level(text)
    if level is Level.NONE:
        if "Runtime exited with error" in text:
            level = Level.ERROR
        elif (dot := text.find(".", 0, 300)) > 0 and (
            text.find(" ", 0, dot) < 0 or text.startswith("Exception in thread ")
        ):
            # The first word is a qualified name: perhaps a JVM exception on its own.
            match = _JVM_EXCEPTION.match(text, 0, 400)
            if match is not None:
                return LogRecord(*ctx, _RAW, Level.ERROR, text, _RAW_FMT, exception_name=match[1])
    return LogRecord(*ctx, _RAW, level, text, _RAW_FMT)


def is_continuation(text: str) -> bool:
    """True for a line that continues a stack trace printed one line per event."""
    return text.startswith(_CONTINUATION_PREFIXES)


def _leading_level(text: str) -> Level:
    if text[:1] == "[":
        close = text.find("]", 1, 13)
        if close > 1:
            return Level.lookup(text[1:close]) or Level.NONE
        return Level.NONE
    colon = text.find(":", 1, 11)
    if colon > 0:
        word = text[:colon]
        if word.isalpha():
            return Level.lookup(word) or Level.NONE
    return Level.NONE


def _text(value: str) -> str:
    value = value.rstrip("\r\n")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _rid(value: str) -> str | None:
    value = value.strip()
    return None if value in _NO_REQUEST_ID else _intern(value)


def _fields(data: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(zip(map(_intern, data), data.values(), strict=True))


def _shared(value: Any) -> Any:
    return _intern(value) if type(value) is str and len(value) <= 256 else value


_UTC_SUFFIXES = frozenset({"Z", "+0000", "+00:00", ""})
_DIGITS = "0123456789"
_second_cache: dict[str, int | None] = {}


def _iso_ms(value: str) -> int | None:
    """Epoch ms of an ISO 8601 time (``T`` or a space between date and time);
    naive times are taken as UTC."""
    # The usual shape first: milliseconds and a UTC suffix (2026-12-01T05:53:11.123Z).
    if 23 <= len(value) <= 29 and value[19] in ".," and value[23:] in _UTC_SUFFIXES:
        millis = value[20:23]
        if millis.isascii() and millis.isdigit():
            # _at_second, inlined: this runs for nearly every line.
            base = _second_cache.get(value[:19], -1)
            if base == -1:
                return _at_second(value, int(millis))
            return None if base is None else base + int(millis)
    return _iso_ms_other(value)


def _iso_ms_other(value: str) -> int | None:
    """Whole seconds (Log4j, Go) or finer than milliseconds (Ruby, Go's slog), else any."""
    if 19 <= len(value) <= 35 and value[4:5] == "-" and value[13:14] == ":":
        rest = value[19:]
        if rest in _UTC_SUFFIXES:
            return _at_second(value, 0)
        digits = rest[1:4]
        if (
            rest[:1] in (".", ",")
            and digits.isascii()
            and digits.isdigit()
            and rest[4:].lstrip(_DIGITS) in _UTC_SUFFIXES
        ):
            return _at_second(value, int(digits))
    return _iso_ms_slow(value)


def _at_second(value: str, millis: int) -> int | None:
    """`millis` after the second `value` starts with (its first 19 characters)."""
    head = value[:19]
    base = _second_cache.get(head, -1)
    if base == -1:
        if len(_second_cache) >= 4096:
            _second_cache.clear()
        base = _second_cache[head] = _iso_ms_slow(head)
    return None if base is None else base + millis


def _iso_ms_slow(value: str) -> int | None:
    if len(value) > 40:
        return None
    try:
        dt = _fromiso(value)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return round(dt.timestamp() * 1000)
    except (ValueError, OverflowError, OSError):
        return None


def _time_ms(value: object) -> int | None:
    if isinstance(value, str):
        return _iso_ms(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > 1e17:
            return None
        return round(value if abs(value) >= 1e11 else value * 1000)
    return None


def compact(value: Any) -> str:
    """A parsed JSON value as one line: strings as they are, the rest as compact JSON."""
    return value if isinstance(value, str) else _dumps(value)


def _stack(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(compact(item).rstrip("\n") for item in value)
    return None


def _take_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, str):
        del data[key]
        return value
    return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    return None


def _float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        result = float(value)
        return result if math.isfinite(result) else None
    return None


def _number(text: str | None) -> float | None:
    if not text:
        return None
    try:
        result = float(text.split(" ", 1)[0])
    except ValueError:
        return None
    return result if math.isfinite(result) else None


def _number_int(text: str | None) -> int | None:
    result = _number(text)
    return None if result is None else round(result)


def _exception_name(text: str) -> str | None:
    head = text[:200].split("\n", 1)[0].partition(":")[0].strip()
    return head if _EXCEPTION_NAME.fullmatch(head) else None


def _stack_trace(text: str) -> tuple[str | None, str | None]:
    """A JVM, .NET or JavaScript stack trace inside a message: (trace, exception type).

    The trace starts at the line before the first frame (``\tat ...``, ``   at ...``).
    """
    for marker in _FRAME_MARKERS:
        at = text.find(marker)
        if at >= 0:
            break
    else:
        return None, None
    start = text.rfind("\n", 0, at) + 1
    header = text[start:at]
    name = header[:200].partition(":")[0].strip()
    if name.startswith("Exception in thread "):
        name = name.rpartition(" ")[2]
    return text[start:], (name if _EXCEPTION_NAME.fullmatch(name) else None)


# --- Text format platform lines -------------------------------------------------


def _parse_s(message: str, ctx: _Ctx) -> LogRecord | None:
    if not message.startswith("START RequestId: "):
        return None
    rest = message[17:]
    space = rest.find(" ")
    rid = _rid(rest[:space] if space >= 0 else rest)
    return LogRecord(*ctx, RecordKind.START, Level.INFO, message.rstrip(), _TEXT_FMT, rid)


def _parse_e(message: str, ctx: _Ctx) -> LogRecord | None:
    if message[1:4] == ", [":
        return _parse_ruby(message, ctx)
    if message.startswith("END RequestId: "):
        tokens = message[15:].split(None, 1)
        rid = _rid(tokens[0]) if tokens else None
        return LogRecord(*ctx, RecordKind.END, Level.INFO, message.rstrip(), _TEXT_FMT, rid)
    if message.startswith(("EXTENSION\t", "EXTENSION ")):
        return _platform_text(message, ctx)
    return None


def _parse_i(message: str, ctx: _Ctx) -> LogRecord | None:
    if message[1:4] == ", [":
        return _parse_ruby(message, ctx)
    if message.startswith("INIT_START "):
        return LogRecord(*ctx, RecordKind.INIT_START, Level.INFO, message.rstrip(), _TEXT_FMT)
    if message.startswith(("INIT_REPORT ", "INIT_RUNTIME_DONE ")):
        return _platform_text(message, ctx)
    return None


def _parse_t(message: str, ctx: _Ctx) -> LogRecord | None:
    if message.startswith(("TELEMETRY\t", "TELEMETRY ")):
        return _platform_text(message, ctx)
    return None


def _parse_l(message: str, ctx: _Ctx) -> LogRecord | None:
    if message.startswith(("LOGS\tName:", "LOGS Name:")):
        return _platform_text(message, ctx)
    return None


def _parse_r(message: str, ctx: _Ctx) -> LogRecord | None:
    if message.startswith("REPORT RequestId: "):
        return _report_text(message, ctx)
    if message.startswith(("RESTORE_START ", "RESTORE_REPORT ", "RESTORE_RUNTIME_DONE ")):
        return _platform_text(message, ctx)
    if message.startswith("RequestId: "):
        return _request_error_text(message, ctx)
    return None


def _platform_text(message: str, ctx: _Ctx) -> LogRecord:
    text = message.rstrip()
    failed = "Status: error" in text or "Status: timeout" in text or "Status: failure" in text
    level = Level.ERROR if failed else Level.INFO
    return LogRecord(*ctx, RecordKind.PLATFORM_OTHER, level, text, _TEXT_FMT)


def _report_text(message: str, ctx: _Ctx) -> LogRecord:
    parts = message[18:].replace("\n", "\t").split("\t")
    rid = _rid(parts[0])
    values: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, value = part.partition(": ")
        if sep:
            values[key.strip()] = value.strip()
    report = Report(
        duration_ms=_number(values.get("Duration")),
        billed_duration_ms=_number_int(values.get("Billed Duration")),
        memory_size_mb=_number_int(values.get("Memory Size")),
        max_memory_used_mb=_number_int(values.get("Max Memory Used")),
        init_duration_ms=_number(values.get("Init Duration")),
        status=values.get("Status"),
        error_type=values.get("Error Type"),
        xray_trace_id=values.get("XRAY TraceId"),
    )
    level = Level.ERROR if report.status in _FAILED_STATUSES else Level.INFO
    return LogRecord(
        *ctx,
        RecordKind.REPORT,
        level,
        _report_summary(report),
        _TEXT_FMT,
        rid,
        report=report,
        xray_trace_id=report.xray_trace_id,
    )


def _failed(status: object) -> bool:
    return isinstance(status, str) and status in _FAILED_STATUSES


def _trace_root(header: str) -> str:
    for part in header.split(";"):
        if part.startswith("Root="):
            return part[5:]
    return header


def _report_summary(report: Report) -> str:
    parts: list[str] = []
    if report.duration_ms is not None:
        parts.append(f"Duration {report.duration_ms:.2f} ms")
    if report.billed_duration_ms is not None:
        parts.append(f"billed {report.billed_duration_ms} ms")
    used, size = report.max_memory_used_mb, report.memory_size_mb
    if used is not None or size is not None:
        used_text = "?" if used is None else str(used)
        size_text = "?" if size is None else str(size)
        parts.append(f"memory {used_text}/{size_text} MB")
    if report.init_duration_ms is not None:
        parts.append(f"init {report.init_duration_ms:.2f} ms")
    if report.status is not None and report.status != "success":
        status = f"status {report.status}"
        if report.error_type:
            status += f" ({report.error_type})"
        parts.append(status)
    elif report.error_type:
        parts.append(report.error_type)
    return "REPORT " + (", ".join(parts) if parts else "(no figures)")


def _request_error_text(message: str, ctx: _Ctx) -> LogRecord | None:
    rest = message[11:]
    space = rest.find(" ")
    if space <= 0:
        return None
    rid = _rid(rest[:space])
    text = _text(rest[space + 1 :])
    if text.startswith("Error: "):
        text = text[7:]
    elif not text.startswith("Process exited"):
        return None
    last_line = text.rsplit("\n", 1)[-1].strip()
    name = last_line if last_line.startswith("Runtime.") else None
    return LogRecord(
        *ctx,
        RecordKind.PLATFORM_OTHER,
        Level.ERROR,
        text,
        _TEXT_FMT,
        rid,
        exception_name=name,
    )


# --- Runtime lines --------------------------------------------------------------


def _parse_bracket(message: str, ctx: _Ctx) -> LogRecord | None:
    close = message.find("]", 1, 12)
    if close < 0:
        return None
    level = Level.lookup(message[1:close])
    if level is None:
        return None
    after = message[close + 1 : close + 2]
    if after == "\t":
        parts = message.split("\t", 3)
        if len(parts) == 4:
            record_time = _iso_ms(parts[1])
            if record_time is not None or not parts[1]:
                return LogRecord(
                    *ctx,
                    _APP,
                    level,
                    _text(parts[3]),
                    _TEXT_FMT,
                    _rid(parts[2]),
                    record_time,
                )
        return None
    if after == " " and level >= Level.ERROR:
        text = _text(message[close + 2 :])
        name = _exception_name(text)
        trace_at = text.find("Traceback (most recent call last):")
        exception = text[trace_at:] if trace_at >= 0 else None
        if exception is None and "\n" in text:
            exception, traced = _stack_trace(text)
            name = traced or name
        return LogRecord(
            *ctx,
            _APP,
            level,
            text,
            _TEXT_FMT,
            exception=exception,
            exception_name=name,
        )
    return None


def _parse_digit(message: str, ctx: _Ctx) -> LogRecord | None:
    tab = message.find("\t", 0, 40)
    if tab > 0:
        # Node.js and .NET: time<TAB>request id<TAB>level<TAB>message. Inline: the
        # most common runtime line there is.
        parts = message.split("\t", 3)
        level = _TAB_LEVELS.get(parts[2]) if len(parts) == 4 else None
        if level is None:
            return _dotnet_unlabelled(message, parts, ctx)
        record_time = _iso_ms(parts[0])
        if record_time is None:
            return None
        text = _text(parts[3])
        exception = exception_name = None
        if level >= Level.ERROR:
            if text.startswith(_NODE_ERROR_PREFIXES):
                text, exception, exception_name = _node_error(text)
            elif "\n" in text:
                exception, exception_name = _stack_trace(text)
        return LogRecord(
            *ctx,
            _APP,
            level,
            text,
            _TEXT_FMT,
            _rid(parts[1]),
            record_time,
            exception=exception,
            exception_name=exception_name,
        )
    sep = message[4:5]
    if sep == "-" and message[10:11] == " ":
        return _parse_log4j(message, ctx)
    if sep == "/":
        return _parse_go_log(message, ctx)
    if message.find(" Task timed out after ", 0, 200) > 0:
        parts = message.split(" ", 2)
        record_time = _iso_ms(parts[0])
        if record_time is not None and parts[2].startswith("Task timed out after "):
            return LogRecord(
                *ctx,
                RecordKind.TIMEOUT,
                Level.ERROR,
                parts[2].rstrip(),
                _TEXT_FMT,
                _rid(parts[1]),
                record_time,
            )
    return None


def _runtime_line(
    ctx: _Ctx,
    level: Level,
    text: str,
    rid: str | None,
    record_time: int | None,
    location: str | None = None,
    exception: str | None = None,
    exception_name: str | None = None,
) -> LogRecord:
    """An application line of a runtime's text layout. Unless the layout found the
    exception itself, an error's stack trace in it (JVM, .NET) gives it and its type."""
    if exception_name is None and level >= Level.ERROR and "\n" in text:
        exception, exception_name = _stack_trace(text)
    return LogRecord(
        *ctx,
        _APP,
        level,
        text,
        _TEXT_FMT,
        rid,
        record_time,
        location=location,
        exception=exception,
        exception_name=exception_name,
    )


def _looks_like_request_id(value: str) -> bool:
    return len(value) == 36 and value[8] == value[13] == value[18] == value[23] == "-"


def _dotnet_unlabelled(message: str, parts: list[str], ctx: _Ctx) -> LogRecord | None:
    """.NET without its level label: for lines that carry their own (``[Information]
    Category: ...`` from the ASP.NET Core logging provider)."""
    if len(parts) < 3:
        return None
    rid = parts[1]
    if rid and not _looks_like_request_id(rid):
        return None
    record_time = _iso_ms(parts[0])
    if record_time is None:
        return None
    text = _text(message[len(parts[0]) + len(rid) + 2 :])
    level = _leading_level(text)
    if level is Level.NONE and "\n" in text and _stack_trace(text)[1] is not None:
        level = Level.ERROR  # an exception written without a level
    return _runtime_line(ctx, level, text, _rid(rid), record_time)


def _parse_log4j(message: str, ctx: _Ctx) -> LogRecord | None:
    """Java, Log4j2 with the Lambda layout: ``%d{yyyy-MM-dd HH:mm:ss} %X{AWSRequestId}
    %-5p %c{1} - %m%n`` (also with ``.SSS`` / ``,SSS`` and ``%c{1}:%L``)."""
    end = 19
    if message[19:20] in (".", ","):
        end = 23
    record_time = _iso_ms(message[:end])
    if record_time is None or message[end : end + 1] != " ":
        return None
    rid_text, _, rest = message[end + 1 :].partition(" ")
    level = _WORD_LEVELS.get(rid_text)
    if level is not None:
        # A layout without the request id.
        rid_text = ""
    else:
        word, _, rest = rest.lstrip(" ").partition(" ")
        level = _WORD_LEVELS.get(word)
        if level is None or (rid_text and not _looks_like_request_id(rid_text)):
            return None
    rest = rest.lstrip(" ")
    logger, sep, body = rest.partition(" - ")
    location = None
    if sep and logger and " " not in logger and len(logger) <= 200:
        location = _shared(logger)
    else:
        body = rest
    return _runtime_line(ctx, level, _text(body), _rid(rid_text), record_time, location)


def _parse_go_log(message: str, ctx: _Ctx) -> LogRecord | None:
    """Go's `log` package: ``2026/12/01 05:53:11[.123456] message``; slog's default
    logger writes through it with the level first (``... INFO message k=v``)."""
    if message[7:8] != "/" or message[10:11] != " " or message[13:14] != ":":
        return None
    end = 19
    if message[19:20] == ".":
        end = 20 + len(message[20:27]) - len(message[20:27].lstrip(_DIGITS))
    stamp = message[:end].replace("/", "-", 2)
    record_time = _iso_ms(stamp)
    if record_time is None or message[end : end + 1] != " ":
        return None
    rest = message[end + 1 :]
    word, _, after = rest.partition(" ")
    level = Level.lookup(word) if word.isupper() or "+" in word or "-" in word else None
    if level is None:
        level, after = Level.NONE, rest
    return LogRecord(*ctx, _APP, level, _text(after), _TEXT_FMT, None, record_time)


def _parse_ruby(message: str, ctx: _Ctx) -> LogRecord | None:
    """Ruby's Logger: ``I, [2026-12-01T05:53:11.123456 #8]  INFO -- : message``; the
    Lambda runtime's formatter puts the request id after the severity."""
    close = message.find("]", 4, 80)
    if close < 0:
        return None
    stamp = message[4:close]
    hash_at = stamp.rfind("#")
    if hash_at < 0:
        return None
    record_time = _iso_ms(stamp[:hash_at].rstrip())
    if record_time is None:
        return None
    head, sep, _ = message[close + 1 : close + 200].partition(" -- ")
    if not sep:
        return None
    words = head.split()
    if not 1 <= len(words) <= 2:
        return None
    level = _WORD_LEVELS.get(words[0])
    if level is None:
        return None
    rid = _rid(words[1]) if len(words) == 2 else None
    start = close + 1 + len(head) + 4
    progname_end = message.find(": ", start)
    if progname_end < 0:
        return None
    text = _text(message[progname_end + 2 :])
    exception = exception_name = None
    if level >= Level.ERROR:
        # logger.error(exception) writes "message (Class)" and the backtrace.
        first, newline, _ = text.partition("\n")
        match = _RUBY_CLASS.search(first[-200:])
        if match is not None:
            exception_name = match[1]
            exception = text if newline else None
    return _runtime_line(
        ctx, level, text, rid, record_time, exception=exception, exception_name=exception_name
    )


def _parse_ruby_only(message: str, ctx: _Ctx) -> LogRecord | None:
    return _parse_ruby(message, ctx) if message[1:4] == ", [" else None


def _logfmt_value(value: str) -> str:
    """A quoted logfmt value, unquoted (Go's strconv.Quote escapes, as JSON's mostly are)."""
    if len(value) >= 2:
        try:
            decoded = _loads(value)
        except ValueError:
            return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        return decoded if isinstance(decoded, str) else value[1:-1]
    return value


def _parse_logfmt(message: str, ctx: _Ctx) -> LogRecord | None:
    """Go slog's TextHandler: ``time=... level=INFO msg="..." key=value ...``."""
    if not message.startswith(("time=", "level=")):
        return None
    record_time = None
    level = Level.NONE
    text: str | None = None
    rid = location = None
    fields: list[tuple[str, Any]] = []
    for key, value in _LOGFMT_PAIR.findall(message):
        if value[:1] == '"':
            value = _logfmt_value(value)
        if key == "time" and record_time is None:
            record_time = _iso_ms(value)
            if record_time is not None:
                continue
        elif key == "level" and level is Level.NONE:
            level = Level.lookup(value) or Level.NONE
            if level is not Level.NONE:
                continue
        elif key == "msg" and text is None:
            text = value
            continue
        elif key == "source" and location is None:
            location = _shared(value)
            continue
        elif key in _LOGFMT_RID_KEYS and rid is None:
            rid = _rid(value)
            continue
        fields.append((_intern(key) if len(key) <= 64 else key, _shared(value)))
    if text is None and level is Level.NONE:
        return None
    return LogRecord(
        *ctx,
        _APP,
        level,
        _text(text or ""),
        _TEXT_FMT,
        rid,
        record_time,
        tuple(fields),
        location=location,
    )


def _node_error(text: str) -> tuple[str, str | None, str | None]:
    tab = text.find("\t")
    if tab < 0 or text[tab + 1 : tab + 2] != "{":
        return text, None, None
    try:
        data = _loads(text[tab + 1 :])
    except (ValueError, RecursionError):
        return text, None, None
    # A text starting with "{" that JSON accepts is an object.
    name = data.get("errorType")
    detail = data.get("errorMessage")
    exception = None
    for key in _STACK_KEYS:
        exception = _stack(data.get(key))
        if exception is not None:
            break
    name = name if isinstance(name, str) else None
    summary = text[:tab].rstrip()
    if name:
        summary += f" {name}"
    if detail is not None:
        summary += f": {compact(detail)}"
    return summary, exception, name


# --- JSON -----------------------------------------------------------------------


def _parse_json(text: str, ctx: _Ctx) -> LogRecord | None:
    try:
        data = _loads(text)
    except (ValueError, RecursionError):
        return None
    # Both callers pass a text starting with "{": what JSON accepts is an object.
    kind = data.get("type")
    if isinstance(kind, str) and kind.startswith("platform.") and "record" in data:
        return _platform_json(data, kind, ctx)
    if "function_request_id" in data or (
        "service" in data and "location" in data and "level" in data
    ):
        return _powertools(data, ctx)
    return _app_json(data, ctx)


def _pop_time(data: dict[str, Any]) -> int | None:
    for key in _TIME_KEYS:
        if key in data:
            record_time = _time_ms(data[key])
            if record_time is not None:
                del data[key]
                return record_time
    return None


def _pop_level(data: dict[str, Any]) -> Level:
    for key in _LEVEL_KEYS:
        if key in data:
            level = Level.parse(data[key])
            if level is not Level.NONE:
                del data[key]
                return level
    return Level.NONE


def _pop_request_id(data: dict[str, Any]) -> str | None:
    for key in _REQUEST_ID_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            del data[key]
            return _rid(value)
    return None


def _pop_stack(data: dict[str, Any]) -> str | None:
    for key in _STACK_KEYS:
        if key in data:
            stack = _stack(data[key])
            if stack is not None:
                del data[key]
                return stack
    return None


def _error_summary(error_type: str | None, detail: object) -> str:
    if detail is None:
        return error_type or ""
    detail_text = compact(detail)
    return f"{error_type}: {detail_text}" if error_type else detail_text


def _app_json(data: dict[str, Any], ctx: _Ctx) -> LogRecord:
    record_time = _pop_time(data)
    level = _pop_level(data)
    rid = _pop_request_id(data)
    location = _shared(_take_str(data, "location"))
    exception_name = _take_str(data, "errorType")
    exception = _pop_stack(data)
    extra: list[tuple[str, Any]] = []
    for key in _MESSAGE_KEYS:
        if key in data:
            value = data.pop(key)
            if isinstance(value, str):
                message = value
            elif isinstance(value, dict) and "errorType" in value:
                error = value
                name = error.pop("errorType")
                exception_name = exception_name or (name if isinstance(name, str) else None)
                message = _error_summary(exception_name, error.pop("errorMessage", None))
                exception = exception or _pop_stack(error)
                extra.extend(_fields(error))
            else:
                message = _dumps(value)
            break
    else:
        if exception_name is not None or "errorMessage" in data:
            message = _error_summary(exception_name, data.pop("errorMessage", None))
        elif data:
            message = _dumps(data)
            data = {}
        else:
            message = ""
    if level is Level.NONE and exception_name is not None:
        level = Level.ERROR
    fields = _fields(data)
    if extra:
        fields += tuple(extra)
    return LogRecord(
        *ctx,
        _APP,
        level,
        message,
        _JSON_FMT,
        rid,
        record_time,
        fields,
        location=location,
        exception=exception,
        exception_name=exception_name,
    )


def _powertools(data: dict[str, Any], ctx: _Ctx) -> LogRecord:
    level = _pop_level(data)
    location = _shared(_take_str(data, "location"))
    value = data.pop("message", None)
    message = "" if value is None else compact(value)
    record_time = _pop_time(data)
    service = _shared(_take_str(data, "service"))
    cold_start = data.get("cold_start")
    if isinstance(cold_start, bool):
        del data["cold_start"]
    else:
        cold_start = None
    rid = _take_str(data, "function_request_id")
    xray = _shared(_take_str(data, "xray_trace_id"))
    exception = _take_str(data, "exception")
    exception_name = _take_str(data, "exception_name")
    if level is Level.NONE and exception_name is not None:
        level = Level.ERROR
    context = [(key, _shared(data.pop(key))) for key in _POWERTOOLS_CONTEXT_KEYS if key in data]
    fields = _fields(data) + tuple(context)
    return LogRecord(
        *ctx,
        _APP,
        level,
        message,
        _POWERTOOLS_FMT,
        None if rid is None else _rid(rid),
        record_time,
        fields,
        service=service,
        location=location,
        cold_start=cold_start,
        xray_trace_id=xray,
        exception=exception,
        exception_name=exception_name,
    )


@lru_cache(maxsize=64)
def _platform_name(kind: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", kind[9:]).upper() or "PLATFORM"


def _platform_json(data: dict[str, Any], kind: str, ctx: _Ctx) -> LogRecord:
    record = data.get("record")
    record_time = _time_ms(data.get("time"))
    if not isinstance(record, dict):
        text = f"{_platform_name(kind)} {compact(record)}"
        return LogRecord(
            *ctx, RecordKind.PLATFORM_OTHER, Level.INFO, text, _JSON_FMT, None, record_time
        )
    rid = _pop_request_id(record)
    if kind == "platform.start":
        version = record.pop("version", None)
        text = f"START RequestId: {rid}"
        if version is not None:
            text += f" Version: {compact(version)}"
        return LogRecord(
            *ctx,
            RecordKind.START,
            Level.INFO,
            text,
            _JSON_FMT,
            rid,
            record_time,
            _fields(record),
        )
    if kind == "platform.report":
        return _platform_report(record, rid, record_time, ctx)
    if kind == "platform.runtimeDone":
        status = record.pop("status", None)
        error_type = _take_str(record, "errorType")
        failed = _failed(status) or error_type is not None
        text = f"RUNTIME_DONE RequestId: {rid} Status: {compact(status)}"
        if error_type:
            text += f" ({error_type})"
        return LogRecord(
            *ctx,
            RecordKind.RUNTIME_DONE,
            Level.ERROR if failed else Level.INFO,
            text,
            _JSON_FMT,
            rid,
            record_time,
            _fields(record),
            exception_name=error_type,
        )
    if kind == "platform.initStart":
        runtime = record.pop("runtimeVersion", None)
        arn = record.pop("runtimeVersionArn", None)
        text = "INIT_START"
        if runtime is not None:
            text += f" Runtime Version: {compact(runtime)}"
        if arn is not None:
            text += f"\tRuntime Version ARN: {compact(arn)}"
        return LogRecord(
            *ctx,
            RecordKind.INIT_START,
            Level.INFO,
            text,
            _JSON_FMT,
            rid,
            record_time,
            _fields(record),
        )
    return _platform_other(kind, record, rid, record_time, ctx)


def _platform_other(
    kind: str, record: dict[str, Any], rid: str | None, record_time: int | None, ctx: _Ctx
) -> LogRecord:
    status = record.get("status")
    error_type = record.get("errorType")
    if _failed(status) or isinstance(error_type, str):
        level = Level.ERROR
    elif kind == "platform.logsDropped":
        level = Level.WARN
    else:
        level = Level.INFO
    parts = [_platform_name(kind)]
    if rid is not None:
        parts.append(f"RequestId: {rid}")
    for key, value in record.items():
        if isinstance(value, (str, int, float, bool)) or value is None:
            parts.append(f"{key}: {compact(value)}")
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            parts.append(f"{key}: [{', '.join(value)}]")
    nested = tuple(
        (key, value)
        for key, value in record.items()
        if isinstance(value, dict)
        or (isinstance(value, list) and not all(isinstance(item, str) for item in value))
    )
    return LogRecord(
        *ctx,
        RecordKind.PLATFORM_OTHER,
        level,
        " ".join(parts),
        _JSON_FMT,
        rid,
        record_time,
        nested,
        exception_name=error_type if isinstance(error_type, str) else None,
    )


def _platform_report(
    record: dict[str, Any], rid: str | None, record_time: int | None, ctx: _Ctx
) -> LogRecord:
    metrics = record.pop("metrics", None)
    if not isinstance(metrics, dict):
        metrics = {}
    status = _take_str(record, "status")
    error_type = _take_str(record, "errorType")
    tracing = record.get("tracing")
    xray = None
    if isinstance(tracing, dict) and isinstance(tracing.get("value"), str):
        xray = _trace_root(tracing["value"])
        del record["tracing"]
    report = Report(
        duration_ms=_float(metrics.get("durationMs")),
        billed_duration_ms=_int(metrics.get("billedDurationMs")),
        memory_size_mb=_int(metrics.get("memorySizeMB")),
        max_memory_used_mb=_int(metrics.get("maxMemoryUsedMB")),
        init_duration_ms=_float(metrics.get("initDurationMs")),
        status=status,
        error_type=error_type,
        xray_trace_id=xray,
    )
    known = ("durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs")
    other_metrics = {key: value for key, value in metrics.items() if key not in known}
    fields = _fields(record)
    if other_metrics:
        fields += (("metrics", other_metrics),)
    level = Level.ERROR if status in _FAILED_STATUSES else Level.INFO
    return LogRecord(
        *ctx,
        RecordKind.REPORT,
        level,
        _report_summary(report),
        _JSON_FMT,
        rid,
        record_time,
        fields,
        report,
        xray_trace_id=xray,
    )


_BY_FIRST_CHAR: dict[str, Callable[[str, _Ctx], LogRecord | None]] = {
    "S": _parse_s,
    "E": _parse_e,
    "R": _parse_r,
    "I": _parse_i,
    "T": _parse_t,
    "L": _parse_l,
    "[": _parse_bracket,
    **{digit: _parse_digit for digit in "0123456789"},
    **{letter: _parse_ruby_only for letter in "DWFA"},
    "t": _parse_logfmt,
    "l": _parse_logfmt,
}


# --- What a line says by its place in the stream --------------------------------


class _StreamState:
    __slots__ = ("active", "head")

    def __init__(self) -> None:
        self.active: str | None = None
        self.head: LogRecord | None = None


class StreamContext:
    """Completes records from the ones before them in the same log stream.

    A log stream is one execution environment, which runs one invocation at a
    time: a line written between an invocation's START and its REPORT without
    a request id of its own (print output, Go's `log` lines, LambdaLogger's
    plain lines) belongs to that invocation. A stack trace printed one line per
    event (``\tat ...``, ``Caused by: ...``) takes the level and request id of
    the line that began it. Feed records in each stream's order; at most
    `max_streams` streams are remembered.
    """

    def __init__(self, max_streams: int = 2_000) -> None:
        self.max_streams = max(1, max_streams)
        self._streams: OrderedDict[tuple[str, str], _StreamState] = OrderedDict()

    def apply(self, records: list[LogRecord]) -> list[LogRecord]:
        """`records`, with what their streams tell filled in (a new list if any changed)."""
        out = records
        streams = self._streams
        for index, record in enumerate(records):
            kind = record.kind
            key = (record.log_group, record.log_stream)
            state = streams.get(key)
            if kind is _APP or kind is _RAW:
                if state is None:
                    state = self._state(key)
                completed = self._complete(record, state)
                if completed is not record:
                    if out is records:
                        out = list(records)
                    out[index] = completed
            elif kind is RecordKind.START:
                state = state or self._state(key)
                state.active = record.request_id
                state.head = None
            elif kind is RecordKind.REPORT and state is not None:
                if state.active == record.request_id:
                    state.active = None
                state.head = None
        return out

    @staticmethod
    def _complete(record: LogRecord, state: _StreamState) -> LogRecord:
        if record.raw.startswith(_CONTINUATION_PREFIXES):
            head = state.head
            level = record.level
            rid = record.request_id
            if head is not None:
                level = max(level, head.level)
                rid = rid or head.request_id
            rid = rid or state.active
            if level is record.level and rid is record.request_id:
                return record
            return replace(record, level=level, request_id=rid)
        if record.request_id is None and state.active is not None:
            record = replace(record, request_id=state.active)
        state.head = record
        return record

    def _state(self, key: tuple[str, str]) -> _StreamState:
        state = self._streams[key] = _StreamState()
        while len(self._streams) > self.max_streams:
            self._streams.popitem(last=False)
        return state


# --- Invocations ----------------------------------------------------------------


class _Builder:
    __slots__ = (
        "billed",
        "cold",
        "duration",
        "end_ts",
        "error_message",
        "errors",
        "failed",
        "init",
        "log_group",
        "log_stream",
        "max_memory",
        "memory",
        "oom",
        "records",
        "reported",
        "request_id",
        "snapshot",
        "start_ts",
        "timed_out",
        "xray",
    )

    def __init__(self, request_id: str, log_group: str, log_stream: str, start_ts: int) -> None:
        self.request_id = request_id
        self.log_group = log_group
        self.log_stream = log_stream
        self.start_ts = start_ts
        self.end_ts: int | None = None
        self.duration: float | None = None
        self.billed: int | None = None
        self.memory: int | None = None
        self.max_memory: int | None = None
        self.init: float | None = None
        self.cold = False
        self.errors = 0
        self.records = 0
        self.error_message: str | None = None
        self.xray: str | None = None
        self.failed = False
        self.timed_out = False
        self.oom = False
        self.reported = False
        self.snapshot: Invocation | None = None

    def status(self) -> InvocationStatus:
        if self.oom:
            return InvocationStatus.OOM
        if self.timed_out:
            return InvocationStatus.TIMEOUT
        if not self.reported:
            return InvocationStatus.RUNNING
        if self.failed or self.errors:
            if (
                self.memory is not None
                and self.max_memory is not None
                and self.max_memory >= self.memory
            ):
                return InvocationStatus.OOM
            return InvocationStatus.ERROR
        return InvocationStatus.OK

    def build(self) -> Invocation:
        if self.snapshot is None:
            self.snapshot = Invocation(
                request_id=self.request_id,
                log_group=self.log_group,
                log_stream=self.log_stream,
                start_ts=self.start_ts,
                end_ts=self.end_ts,
                status=self.status(),
                cold_start=self.cold,
                duration_ms=self.duration,
                billed_duration_ms=self.billed,
                memory_size_mb=self.memory,
                max_memory_used_mb=self.max_memory,
                init_duration_ms=self.init,
                error_count=self.errors,
                record_count=self.records,
                error_message=self.error_message,
                xray_trace_id=self.xray,
            )
        return self.snapshot


class _Stream:
    __slots__ = ("active", "cold_pending")

    def __init__(self) -> None:
        self.active: str | None = None
        self.cold_pending = False


class InvocationTracker:
    """Groups records into invocations by request id, one record at a time.

    Records without a request id (print output, the Python runtime's unhandled
    error line) are credited to the invocation running in the same log stream,
    between its START and its REPORT. An INIT_START marks the next invocation of
    its stream as a cold start. At most `max_invocations` are kept (the oldest
    seen first go) and at most `max_streams` streams are followed.
    """

    def __init__(self, max_invocations: int = 10_000, max_streams: int = 2_000) -> None:
        self.max_invocations = max(1, max_invocations)
        self.max_streams = max(1, max_streams)
        self._invocations: OrderedDict[str, _Builder] = OrderedDict()
        self._streams: OrderedDict[tuple[str, str], _Stream] = OrderedDict()

    def __len__(self) -> int:
        return len(self._invocations)

    def __contains__(self, request_id: object) -> bool:
        return request_id in self._invocations

    def get(self, request_id: str) -> Invocation | None:
        builder = self._invocations.get(request_id)
        return None if builder is None else builder.build()

    def invocations(self) -> list[Invocation]:
        """Every tracked invocation, oldest first."""
        return [builder.build() for builder in self._invocations.values()]

    def clear(self) -> None:
        self._invocations.clear()
        self._streams.clear()

    def feed_many(self, records: Iterable[LogRecord]) -> list[Invocation]:
        """Feed records in order; return the invocations they changed, each once."""
        changed: dict[str, None] = {}
        for record in records:
            request_id = self.feed(record)
            if request_id is not None:
                changed[request_id] = None
        result = []
        for request_id in changed:
            invocation = self.get(request_id)
            if invocation is not None:
                result.append(invocation)
        return result

    def feed(self, record: LogRecord) -> str | None:
        """Account for one record; return the request id it was credited to, if any."""
        kind = record.kind
        key = (record.log_group, record.log_stream)
        stream = self._streams.get(key)
        if kind is RecordKind.INIT_START:
            self._stream(key, stream).cold_pending = True
            return None
        request_id = record.request_id
        if request_id is None:
            if stream is None or stream.active is None:
                return None
            request_id = stream.active
        builder = self._invocations.get(request_id)
        if builder is None:
            builder = self._create(request_id, record)
        stream = self._stream(key, stream)
        # The environment's first invocation after INIT_START is the cold one,
        # even when it is a retry that reuses an earlier request id.
        if stream.cold_pending and (kind is RecordKind.START or stream.active != request_id):
            stream.cold_pending = False
            builder.cold = True
        if kind is RecordKind.START:
            stream.active = request_id
            builder.start_ts = min(builder.start_ts, record.timestamp)
        elif kind is RecordKind.REPORT:
            if stream is not None and stream.active == request_id:
                stream.active = None
            self._apply_report(builder, record)
        elif kind is RecordKind.TIMEOUT:
            builder.timed_out = True
        self._apply(builder, record)
        return request_id

    def _create(self, request_id: str, record: LogRecord) -> _Builder:
        builder = _Builder(request_id, record.log_group, record.log_stream, record.timestamp)
        invocations = self._invocations
        invocations[request_id] = builder
        while len(invocations) > self.max_invocations:
            invocations.popitem(last=False)
        return builder

    def _stream(self, key: tuple[str, str], stream: _Stream | None) -> _Stream:
        if stream is None:
            stream = _Stream()
            streams = self._streams
            streams[key] = stream
            while len(streams) > self.max_streams:
                streams.popitem(last=False)
        return stream

    @staticmethod
    def _apply(builder: _Builder, record: LogRecord) -> None:
        builder.snapshot = None
        builder.records += 1
        if (
            record.level >= Level.ERROR
            and record.kind is not RecordKind.REPORT
            and not record.raw.startswith(_CONTINUATION_PREFIXES)
        ):
            builder.errors += 1
            if builder.error_message is None:
                first_line = record.message.split("\n", 1)[0]
                builder.error_message = first_line[:500]
        if record.cold_start:
            builder.cold = True
        if record.exception_name == "Runtime.OutOfMemory":
            builder.oom = True
        if builder.xray is None and record.xray_trace_id is not None:
            builder.xray = record.xray_trace_id

    @staticmethod
    def _apply_report(builder: _Builder, record: LogRecord) -> None:
        builder.reported = True
        builder.end_ts = record.timestamp
        report = record.report
        if report is None:
            return
        builder.duration = report.duration_ms
        builder.billed = report.billed_duration_ms
        builder.memory = report.memory_size_mb
        builder.max_memory = report.max_memory_used_mb
        if report.init_duration_ms is not None:
            builder.init = report.init_duration_ms
            builder.cold = True
        status = report.status
        if report.error_type == "Runtime.OutOfMemory":
            builder.oom = True
        elif status == "timeout":
            builder.timed_out = True
        elif status in _FAILED_STATUSES or report.error_type:
            builder.failed = True
