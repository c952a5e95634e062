"""WSGI layer in front of moto: counts calls and routes operations to extensions."""

from __future__ import annotations

import io
import json
import threading
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qs

from .faults import ADMIN_PATH, Faults, admin, fault_reply
from .operations import Operation, identify

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class Reply:
    """An HTTP response: a complete body, or a ``stream`` of chunks sent as produced."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: Iterable[bytes] | None = None

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> Reply:
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ]
        return cls(status, headers, json.dumps(payload).encode())

    @classmethod
    def error(cls, code: str, message: str, status: int = 400) -> Reply:
        reply = cls.json({"Type": "User", "message": message}, status)
        reply.headers.append(("x-amzn-ErrorType", code))
        return reply

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def payload(self) -> Any:
        return json.loads(self.body) if self.body else {}

    def with_payload(self, payload: Any) -> Reply:
        body = json.dumps(payload).encode()
        headers = [
            (k, v) for k, v in self.headers if k.lower() not in ("content-length", "content-type")
        ]
        headers.append(("Content-Type", "application/json"))
        return Reply(self.status, headers, body)


@dataclass
class Call:
    """The request an extension handles."""

    operation: Operation
    environ: dict[str, Any]
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        parsed = parse_qs(self.environ.get("QUERY_STRING", ""), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def json_body(self) -> dict[str, Any]:
        if not self.body:
            return {}
        data = json.loads(self.body)
        return data if isinstance(data, dict) else {}


Forward = Callable[[], Reply]
Handler = Callable[[Call, Forward], Reply]


class Extensions(Protocol):
    def handler_for(self, operation: Operation) -> Handler | None: ...

    def reset(self) -> None: ...


class ExtensionSet:
    """Several extensions; the first with a handler for an operation answers it."""

    def __init__(self, *members: Extensions) -> None:
        self.members = members

    def handler_for(self, operation: Operation) -> Handler | None:
        for member in self.members:
            handler = member.handler_for(operation)
            if handler is not None:
                return handler
        return None

    def reset(self) -> None:
        for member in self.members:
            member.reset()


class ErrorLog(io.TextIOBase):
    """Collects what moto and Flask would print to stderr, keeping the last lines."""

    def __init__(self, limit: int = 200) -> None:
        self.lines: deque[str] = deque(maxlen=limit)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                self.lines.append(line)
        return len(text)


# Seconds a gated action waits at most (see SandboxMiddleware.gates).
GATE_TIMEOUT = 30.0


class SandboxMiddleware:
    """Counts every request by ``service:Action`` and lets extensions answer or amend it."""

    def __init__(
        self,
        app: WSGIApp,
        extensions: Extensions,
        calls: Counter[str],
        region: str,
    ) -> None:
        self.app = app
        self.extensions = extensions
        self.calls = calls
        self.region = region
        self.errors = ErrorLog()
        self.faults = Faults()
        # Actions held until an event is set (e.g. metrics until the history exists).
        self.gates: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def count(self, key: str) -> None:
        with self._lock:
            self.calls[key] += 1

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = _read_body(environ)
        environ["wsgi.errors"] = self.errors
        if environ.get("PATH_INFO", "").startswith("/moto-api/reset"):
            self.extensions.reset()
        if environ.get("PATH_INFO", "") == ADMIN_PATH:
            return _answer(start_response, *admin(environ, body, self.faults))
        operation = identify(environ, body, self.region)
        self.count(operation.key)
        gate = self.gates.get(operation.key)
        if gate is not None:
            gate.wait(GATE_TIMEOUT)
        fault = self.faults.pick(operation.key)
        if fault is not None:
            # A "drop" shuts the socket and raises Dropped, which the server
            # takes for a connection the client lost.
            answer = fault_reply(environ, operation, fault)
            if answer is not None:
                return _answer(start_response, *answer)
        handler = self.extensions.handler_for(operation)
        try:
            if handler is None:
                _rewind(environ, body)
                return self.app(environ, start_response)

            def forward() -> Reply:
                _rewind(environ, body)
                return self._collect(environ)

            reply = handler(Call(operation, environ, body), forward)
        except Exception as error:
            self.errors.write(traceback.format_exc())
            reply = _failure(environ, operation, error)
        headers = [(k, v) for k, v in reply.headers if k.lower() != "content-length"]
        if reply.stream is not None:
            start_response(f"{reply.status} {_phrase(reply.status)}", headers)
            return reply.stream
        headers.append(("Content-Length", str(len(reply.body))))
        start_response(f"{reply.status} {_phrase(reply.status)}", headers)
        return [reply.body]

    def _collect(self, environ: dict[str, Any]) -> Reply:
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = list(headers)
            return chunks.append

        result = self.app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return Reply(captured["status"], captured["headers"], b"".join(chunks))


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if environ.get("wsgi.input_terminated"):
        return bytes(stream.read())
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return bytes(stream.read(length)) if length > 0 else b""


def _answer(
    start_response: Callable[..., Any], status: int, headers: list[tuple[str, str]], body: bytes
) -> list[bytes]:
    headers = [*headers, ("Content-Length", str(len(body)))]
    start_response(f"{status} {_phrase(status)}", headers)
    return [body]


def _rewind(environ: dict[str, Any], body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("wsgi.input_terminated", None)
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _failure(environ: dict[str, Any], operation: Operation, error: Exception) -> Reply:
    """The AWS-shaped error for an operation moto lacks (501) or failed on (500)."""
    if isinstance(error, NotImplementedError):
        status, code = 501, "NotImplemented"
        message = f"The sandbox does not implement {operation.key}."
    else:
        status, code = 500, "InternalFailure"
        message = f"The sandbox failed on {operation.key}: {error}"
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        reply = Reply.json({"__type": code, "message": message}, status)
        reply.headers.append(("x-amzn-ErrorType", code))
        return reply
    body = (
        "<ErrorResponse><Error><Type>Receiver</Type>"
        f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return Reply(status, [("Content-Type", "text/xml")], body.encode())
