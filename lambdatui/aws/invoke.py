"""Invoking a function: payload checks, the call itself, and reading what came back."""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .errors import AwsError, translate
from .logparse import parse_event
from .logrecords import LogRecord, RecordKind, Report
from .session import AwsSession, iam_action

#: Lambda's payload limits (bytes): synchronous request and response, asynchronous event.
SYNC_LIMIT = 6 * 1024 * 1024
ASYNC_LIMIT = 1024 * 1024


class InvocationType(StrEnum):
    SYNC = "RequestResponse"
    ASYNC = "Event"
    DRY_RUN = "DryRun"

    @property
    def label(self) -> str:
        return {"RequestResponse": "sync", "Event": "async", "DryRun": "dry run"}[self.value]


class PayloadError(ValueError):
    """The event cannot be sent as it is; ``str()`` says why in one sentence."""


@dataclass(frozen=True)
class JsonProblem:
    """Where a JSON text stops being JSON (1-based line and column)."""

    line: int
    column: int
    message: str

    def sentence(self) -> str:
        return f"Invalid JSON at line {self.line}, column {self.column}: {self.message}."


def json_problem(text: str) -> JsonProblem | None:
    """None when ``text`` is one JSON document, else where and why it is not."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return JsonProblem(exc.lineno, exc.colno, exc.msg)
    except RecursionError:
        return JsonProblem(1, 1, "nested too deeply")
    return None


def payload_bytes(text: str, kind: InvocationType, *, sync_limit: int, async_limit: int) -> bytes:
    """The request body for ``text``, or PayloadError (invalid JSON, over the limit)."""
    problem = json_problem(text)
    if problem is not None:
        raise PayloadError(problem.sentence())
    body = text.encode("utf-8")
    limit = async_limit if kind is InvocationType.ASYNC else sync_limit
    if len(body) > limit:
        raise PayloadError(
            f"The event is {_size(len(body))}; an {kind.label} invoke accepts at most "
            f"{_size(limit)}."
        )
    return body


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count} bytes"


@dataclass(frozen=True)
class InvokeResult:
    """What Invoke answered. ``payload`` is the raw response body."""

    status: int
    request_id: str
    executed_version: str | None
    function_error: str | None
    payload: bytes
    log_tail: str | None
    started: float
    elapsed_s: float

    @property
    def failed(self) -> bool:
        return self.function_error is not None

    def payload_json(self) -> Any:
        """The payload parsed as JSON, or None when it is not JSON."""
        if not self.payload:
            return None
        try:
            return json.loads(self.payload)
        except (ValueError, RecursionError):
            return None

    @property
    def error(self) -> ErrorPayload | None:
        if not self.failed:
            return None
        return ErrorPayload.of(self.payload_json())

    def records(self) -> list[LogRecord]:
        return tail_records(self.log_tail or "", self.request_id)

    def report(self) -> Report | None:
        for record in reversed(self.records()):
            if record.kind is RecordKind.REPORT and record.report is not None:
                return record.report
        return None


@dataclass(frozen=True)
class ErrorPayload:
    """Lambda's error shape: errorType, errorMessage, stackTrace."""

    error_type: str
    message: str
    stack: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, data: Any) -> ErrorPayload | None:
        if not isinstance(data, dict):
            return None
        if "errorMessage" not in data and "errorType" not in data:
            return None
        stack = data.get("stackTrace") or data.get("stack") or []
        if isinstance(stack, str):
            stack = stack.splitlines()
        lines: list[str] = []
        for entry in stack if isinstance(stack, list) else []:
            lines.extend(str(entry).rstrip("\n").splitlines())
        return cls(
            str(data.get("errorType") or "Error"), str(data.get("errorMessage") or ""), lines
        )


async def invoke(
    session: AwsSession,
    function: str,
    body: bytes,
    kind: InvocationType,
    *,
    qualifier: str | None = None,
    tail: bool = True,
) -> InvokeResult:
    """Invoke once (never retried on a timeout: the function may already be running)."""
    client = await session.invoke_client()
    params: dict[str, Any] = {
        "FunctionName": function,
        "InvocationType": kind.value,
        "Payload": body,
    }
    if qualifier:
        params["Qualifier"] = qualifier
    if tail and kind is InvocationType.SYNC:
        params["LogType"] = "Tail"
    started = time.time()
    clock = time.perf_counter()
    try:
        reply = await client.invoke(**params)
        stream = reply.get("Payload")
        payload = await stream.read() if stream is not None else b""
    except Exception as exc:
        raise translate(
            exc,
            iam_action("lambda", "InvokeFunction"),
            profile=session.profile,
            endpoint=session.endpoint,
        ) from exc
    elapsed = time.perf_counter() - clock
    meta = reply.get("ResponseMetadata", {})
    headers = {key.lower(): value for key, value in meta.get("HTTPHeaders", {}).items()}
    log_tail = None
    if reply.get("LogResult"):
        try:
            log_tail = base64.b64decode(reply["LogResult"]).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            log_tail = None
    return InvokeResult(
        status=int(reply.get("StatusCode") or meta.get("HTTPStatusCode") or 0),
        request_id=str(meta.get("RequestId") or headers.get("x-amzn-requestid") or ""),
        executed_version=reply.get("ExecutedVersion"),
        function_error=reply.get("FunctionError"),
        payload=bytes(payload),
        log_tail=log_tail,
        started=started,
        elapsed_s=elapsed,
    )


#: Lines that begin a new log event in a Text-format log tail; others continue one
#: (a traceback, a Java stack trace's "\tat" lines). The runtimes' line layouts:
#: Python, Java's LambdaLogger, Node.js and .NET (ISO time), Log4j2 (date, space,
#: time), Go's log (slashes), Ruby's Logger, slog's text handler.
_EVENT_START = re.compile(
    r"^(START |END |REPORT |INIT_START |INIT_REPORT |EXTENSION|TELEMETRY|LAMBDA_WARNING|"
    r"\[(TRACE|DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\][\t ]|\{|"
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d|"
    r"[DIWEFA], \[\d{4}-|time=|level=|RequestId: )"
)


def tail_records(text: str, request_id: str = "") -> list[LogRecord]:
    """Split a decoded log tail into events and parse each as the log pane does.

    The tail is the last 4 KB of the log, so its first line may be cut: when that is
    so it stays a raw line. Multi-line events (tracebacks) are kept together.
    """
    events: list[str] = []
    for line in text.splitlines():
        if not events or _EVENT_START.match(line):
            events.append(line)
        else:
            events[-1] += "\n" + line
    now = int(time.time() * 1000)
    records = [
        parse_event(event, timestamp=now, log_stream=request_id)
        for event in events
        if event.strip()
    ]
    # The tail is this invocation's: what names no request id is its.
    return [
        replace(record, request_id=request_id)
        if request_id
        and record.request_id is None
        and record.kind in (RecordKind.APP, RecordKind.RAW)
        else record
        for record in records
    ]


def invoke_error_sentence(exc: AwsError) -> str:
    """What to show when Invoke itself failed (not the function)."""
    code = exc.code
    if code == "TooManyRequestsException":
        return (
            "Lambda throttled the invoke (reserved concurrency reached or set to 0); nothing ran."
        )
    if code == "RequestEntityTooLargeException":
        return "Lambda refused the event: it is larger than the invoke limit."
    if code == "InvalidRequestContentException":
        return f"Lambda could not read the event as JSON: {exc.sentence}"
    return exc.sentence
