"""The log events Lambda writes for an invocation, in the function's log format."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from .invocations import Outcome, SimulatedInvocation

LEVELS = {"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "WARNING": 3, "ERROR": 4, "FATAL": 5}
RUNTIME_VERSIONS = {
    "python3.11": "python:3.11.v52",
    "python3.12": "python:3.12.v38",
    "python3.13": "python:3.13.v21",
    "nodejs20.x": "nodejs:20.v58",
    "nodejs22.x": "nodejs:22.v45",
    "java17": "java:17.v44",
    "java21": "java:21.v33",
    "provided.al2023": "provided:al2023.v97",
}
EXIT_ERROR = "Runtime.ExitError"

Event = tuple[int, str]

_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_spaced = json.JSONEncoder(ensure_ascii=False).encode
_seconds: dict[int, tuple[str, str, str]] = {}


def _clock(t_ms: int) -> tuple[str, str, str, int]:
    """ISO date-time, ``date time`` and Go's ``date time`` for the second; and the ms."""
    second, millis = divmod(t_ms, 1000)
    parts = _seconds.get(second)
    if parts is None:
        if len(_seconds) > 8192:
            _seconds.clear()
        stamp = time.gmtime(second)
        parts = (
            time.strftime("%Y-%m-%dT%H:%M:%S", stamp),
            time.strftime("%Y-%m-%d %H:%M:%S", stamp),
            time.strftime("%Y/%m/%d %H:%M:%S", stamp),
        )
        _seconds[second] = parts
    return parts[0], parts[1], parts[2], millis


def iso_ms(t_ms: int) -> str:
    """``2026-11-27T10:15:30.123Z``."""
    iso, _, _, millis = _clock(t_ms)
    return f"{iso}.{millis:03d}Z"


def stream_date(t_ms: int) -> str:
    """The ``YYYY/MM/DD`` a log stream name starts with."""
    return _clock(t_ms)[2][:10]


@dataclass(frozen=True)
class FunctionSetup:
    """What shapes a function's logs, read from its configuration."""

    name: str
    arn: str
    region: str
    runtime: str | None
    image: bool
    handler: str
    memory: int
    timeout: int
    log_format: str
    log_group: str
    application_level: str
    system_level: str
    tracing: bool

    @property
    def json(self) -> bool:
        return self.log_format == "JSON"

    def shows(self, level: str) -> bool:
        return LEVELS.get(level, 2) >= LEVELS.get(self.application_level, 2)

    @property
    def system_logs(self) -> bool:
        return not self.json or LEVELS.get(self.system_level, 2) <= LEVELS["INFO"]

    @property
    def runtime_version(self) -> str | None:
        return None if self.image or self.runtime is None else RUNTIME_VERSIONS.get(self.runtime)

    @property
    def runtime_version_arn(self) -> str:
        digest = hashlib.sha256(f"{self.runtime_version}".encode()).hexdigest()
        return f"arn:aws:lambda:{self.region}::runtime:{digest}"

    @property
    def java_class(self) -> str:
        return self.handler.split("::", 1)[0].rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class AppLine:
    """One application log line of an invocation, already formatted.

    A line without a level is what the handler printed: Lambda writes it as it is.
    """

    t_ms: int
    level: str
    message: str
    fields: tuple[tuple[str, Any], ...] = ()
    location: str = ""


class LogRenderer:
    """Formats one function's invocations as Lambda would log them."""

    def __init__(self, setup: FunctionSetup, style: str) -> None:
        self.setup = setup
        self.style = style

    def init_events(self, arrival_ms: int, version: str) -> list[Event]:
        setup = self.setup
        if not setup.system_logs:
            return []
        runtime = setup.runtime_version
        if setup.json:
            record: dict[str, Any] = {"initializationType": "on-demand", "phase": "init"}
            if runtime:
                record["runtimeVersion"] = runtime
                record["runtimeVersionArn"] = setup.runtime_version_arn
            record["functionName"] = setup.name
            record["functionVersion"] = version
            return [(arrival_ms, self._system(arrival_ms, "platform.initStart", record))]
        if runtime is None:
            return []
        text = (
            f"INIT_START Runtime Version: {runtime}\t"
            f"Runtime Version ARN: {setup.runtime_version_arn}\n"
        )
        return [(arrival_ms, text)]

    def invocation_events(
        self, inv: SimulatedInvocation, lines: list[AppLine], segment: str
    ) -> list[Event]:
        setup = self.setup
        rid = inv.request_id
        start, end = inv.start_ms, inv.end_ms
        events: list[Event] = []
        tracing = self._tracing(inv, segment)
        if setup.system_logs:
            if setup.json:
                text = (
                    f'{{"time":"{iso_ms(start)}","type":"platform.start","record":'
                    f'{{"requestId":"{rid}","version":"{inv.version}"{tracing}}}}}'
                )
                events.append((start, text))
            else:
                events.append((start, f"START RequestId: {rid} Version: {inv.version}\n"))
        for line in lines:
            if not line.level:
                text = line.message if line.message.endswith("\n") else f"{line.message}\n"
                events.append((line.t_ms, text))
            elif setup.shows(line.level):
                events.append((line.t_ms, self._app(inv, line)))
        if inv.outcome is Outcome.ERROR:
            events.extend(self._unhandled(inv, max(start, end - 1)))
        elif inv.outcome is Outcome.TIMEOUT and not setup.json:
            seconds = f"{setup.timeout:.2f}"
            events.append((end, f"{iso_ms(end)} {rid} Task timed out after {seconds} seconds\n\n"))
        elif inv.outcome is Outcome.OOM and not setup.json:
            text = f"RequestId: {rid} Error: {inv.error_message}\n{EXIT_ERROR}\n"
            events.append((end, text))
        if setup.system_logs:
            events.extend(self._closing(inv, end, tracing, segment))
        return events

    def _closing(
        self, inv: SimulatedInvocation, end: int, tracing: str, segment: str
    ) -> list[Event]:
        rid = inv.request_id
        status, error_type = _status(inv)
        if self.setup.json:
            error = f',"errorType":"{error_type}"' if error_type else ""
            produced = 0 if status != "success" else 96 + len(rid)
            stamp = iso_ms(end)
            done = (
                f'{{"time":"{stamp}","type":"platform.runtimeDone","record":'
                f'{{"requestId":"{rid}","status":"{status}"{error},"metrics":'
                f'{{"durationMs":{round(max(inv.duration_ms - 0.4, 0.0), 3)!r},'
                f'"producedBytes":{produced}}}{tracing}}}}}'
            )
            init = ""
            if inv.init_duration_ms is not None:
                init = f',"initDurationMs":{round(inv.init_duration_ms, 2)!r}'
            report = (
                f'{{"time":"{stamp}","type":"platform.report","record":'
                f'{{"requestId":"{rid}","metrics":{{"durationMs":{round(inv.duration_ms, 2)!r},'
                f'"billedDurationMs":{inv.billed_duration_ms},'
                f'"memorySizeMB":{inv.memory_size_mb},'
                f'"maxMemoryUsedMB":{inv.max_memory_used_mb}{init}}}'
                f'{tracing},"status":"{status}"{error}}}}}'
            )
            return [(end, done), (end, report)]
        text = (
            f"REPORT RequestId: {rid}\tDuration: {inv.duration_ms:.2f} ms\t"
            f"Billed Duration: {inv.billed_duration_ms} ms\t"
            f"Memory Size: {inv.memory_size_mb} MB\tMax Memory Used: {inv.max_memory_used_mb} MB\t"
        )
        if inv.init_duration_ms is not None:
            text += f"Init Duration: {inv.init_duration_ms:.2f} ms\t"
        if inv.outcome is Outcome.TIMEOUT:
            text += "Status: timeout\t"
        elif inv.outcome is Outcome.OOM:
            text += f"Status: error\tError Type: {inv.error_type}\t"
        text += "\n"
        if inv.trace_id:
            text += f"XRAY TraceId: {inv.trace_id}\tSegmentId: {segment}\tSampled: true\t\n"
        return [(end, f"END RequestId: {rid}\n"), (end, text)]

    @staticmethod
    def _tracing(inv: SimulatedInvocation, segment: str) -> str:
        """The ``"tracing"`` member of JSON platform records (with its leading comma)."""
        if not inv.trace_id:
            return ""
        return (
            f',"tracing":{{"spanId":"{segment}","type":"X-Amzn-Trace-Id",'
            f'"value":"Root={inv.trace_id};Parent={segment};Sampled=1"}}'
        )

    @staticmethod
    def _system(t_ms: int, kind: str, record: dict[str, Any]) -> str:
        return _compact({"time": iso_ms(t_ms), "type": kind, "record": record})

    def _app(self, inv: SimulatedInvocation, line: AppLine) -> str:
        style, setup, rid = self.style, self.setup, inv.request_id
        level = line.level
        if style == "powertools":
            return self._powertools(inv, line) + ("" if setup.json else "\n")
        if style == "node":
            word = "WARN" if level == "WARNING" else level
            if setup.json:
                node: dict[str, Any] = {
                    "timestamp": iso_ms(line.t_ms),
                    "level": word,
                    "requestId": rid,
                    "message": line.message,
                }
                node.update(line.fields)
                return _compact(node)
            return f"{iso_ms(line.t_ms)}\t{rid}\t{word}\t{line.message}\n"
        if style == "java":
            word = "WARN" if level == "WARNING" else level
            if setup.json:
                return _compact(
                    {
                        "timestamp": iso_ms(line.t_ms),
                        "level": word,
                        "message": line.message,
                        "logger": setup.java_class,
                        "AWSRequestId": rid,
                    }
                )
            _, plain, _, _ = _clock(line.t_ms)
            return f"{plain} {rid} {word:<5} {setup.java_class} - {line.message}\n"
        if style == "go":
            word = "WARN" if level == "WARNING" else level
            if setup.json:
                go: dict[str, Any] = {
                    "time": iso_ms(line.t_ms),
                    "level": word,
                    "msg": line.message,
                    "requestId": rid,
                }
                go.update(line.fields)
                return _compact(go)
            # slog's default logger, which writes through the `log` package.
            _, _, stamp, _ = _clock(line.t_ms)
            extra = "".join(f" {key}={value}" for key, value in line.fields)
            return f"{stamp} {word} {line.message}{extra}\n"
        word = "WARNING" if level == "WARN" else level
        if setup.json:
            iso, _, _, _ = _clock(line.t_ms)
            py: dict[str, Any] = {
                "timestamp": f"{iso}Z",
                "level": word,
                "message": line.message,
                "logger": "root",
                "requestId": rid,
            }
            py.update(line.fields)
            return _spaced(py)
        return f"[{word}]\t{iso_ms(line.t_ms)}\t{rid}\t{line.message}\n"

    def _powertools(self, inv: SimulatedInvocation, line: AppLine, **extra: Any) -> str:
        setup = self.setup
        _, plain, _, millis = _clock(line.t_ms)
        record: dict[str, Any] = {
            "level": "WARNING" if line.level == "WARN" else line.level,
            "location": line.location or "handler:1",
            "message": line.message,
            "timestamp": f"{plain},{millis:03d}+0000",
            "service": setup.name,
            "cold_start": inv.cold_start,
            "function_name": setup.name,
            "function_memory_size": str(setup.memory),
            "function_arn": f"{setup.arn}:{inv.qualifier}" if inv.qualifier else setup.arn,
            "function_request_id": inv.request_id,
        }
        record.update(line.fields)
        record.update(extra)
        if inv.trace_id:
            record["xray_trace_id"] = inv.trace_id
        return _compact(record)

    def _unhandled(self, inv: SimulatedInvocation, t_ms: int) -> list[Event]:
        style, setup, rid = self.style, self.setup, inv.request_id
        error_type = inv.error_type or "Error"
        message = inv.error_message or ""
        stack = list(inv.stack_trace)
        end = "" if setup.json else "\n"
        if style == "node":
            if setup.json:
                record = {
                    "timestamp": iso_ms(t_ms),
                    "level": "ERROR",
                    "requestId": rid,
                    "message": {
                        "errorType": error_type,
                        "errorMessage": message,
                        "stackTrace": stack,
                    },
                }
                return [(t_ms, _compact(record))]
            body = _compact({"errorType": error_type, "errorMessage": message, "stack": stack})
            return [(t_ms, f"{iso_ms(t_ms)}\t{rid}\tERROR\tInvoke Error \t{body}\n")]
        if style in ("java", "go"):
            body = _compact({"errorMessage": message, "errorType": error_type, "stackTrace": stack})
            return [(t_ms, body + end)]
        events: list[Event] = []
        traceback = "Traceback (most recent call last):\n" + "".join(stack)
        if style == "powertools":
            line = AppLine(t_ms, "ERROR", "Unhandled exception", location="handler:1")
            text = self._powertools(
                inv,
                line,
                exception=f"{traceback}{error_type}: {message}",
                exception_name=error_type,
            )
            events.append((t_ms, text + end))
        if setup.json:
            iso, _, _, _ = _clock(t_ms)
            warning = {
                "timestamp": f"{iso}Z",
                "level": "WARNING",
                "message": WARNING_TEXT,
                "logger": "root",
                "requestId": rid,
            }
            error = {
                "timestamp": f"{iso}Z",
                "level": "ERROR",
                "message": {
                    "errorMessage": message,
                    "errorType": error_type,
                    "requestId": rid,
                    "stackTrace": stack,
                },
                "requestId": rid,
            }
            events.append((t_ms, _spaced(warning)))
            events.append((t_ms, _spaced(error)))
            return events
        events.append((t_ms, f"{WARNING_TEXT}\n"))
        events.append((t_ms, f"[ERROR] {error_type}: {message}\n{traceback}"))
        return events


def _status(inv: SimulatedInvocation) -> tuple[str, str | None]:
    if inv.outcome is Outcome.TIMEOUT:
        return "timeout", None
    if inv.outcome in (Outcome.ERROR, Outcome.OOM):
        return "error", inv.error_type
    return "success", None


WARNING_TEXT = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)
