"""Making chosen actions fail the way AWS and networks fail, at the HTTP level.

A fault names an action ("lambda:ListFunctions", "logs:*" or "*"), a kind, and
how often: the next `times` calls, a `fraction` of calls, or every call until
cleared. The reply is encoded in the action's protocol (REST-JSON, JSON, query
XML or RPC-v2 CBOR), so the console's real botocore retry and error paths run.

Kinds:
    throttle   the service's throttling error (Lambda: 429 TooManyRequestsException;
               CloudWatch Logs: ThrottlingException; CloudWatch/STS: Throttling; ...)
    500, 503   InternalFailure / ServiceUnavailable
    slow       answer only after `delay` seconds (beyond a client's read timeout)
    drop       close the connection without an answer
    denied     AccessDeniedException naming the action
    expired    ExpiredTokenException
    malformed  HTTP 200 with a body that cannot be parsed

From a test: `sandbox.fault("lambda:ListFunctions", "throttle", times=3)`; from
outside the process: POST /_lambdatui/faults {"action", "kind", "times",
"fraction", "delay"}; DELETE /_lambdatui/faults clears; GET lists.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from .operations import Operation

Headers = list[tuple[str, str]]
Answer = tuple[int, Headers, bytes]

KINDS = ("throttle", "500", "503", "slow", "drop", "denied", "expired", "malformed")
ADMIN_PATH = "/_lambdatui/faults"

# The throttling code (and HTTP status) each service answers with.
_THROTTLE: dict[str, tuple[str, int]] = {
    "lambda": ("TooManyRequestsException", 429),
    "logs": ("ThrottlingException", 400),
    "sqs": ("RequestThrottled", 403),
    "sns": ("Throttling", 400),
    "cloudwatch": ("Throttling", 400),
    "sts": ("Throttling", 400),
    "tagging": ("ThrottlingException", 400),
    "schemas": ("TooManyRequestsException", 429),
}


@dataclass
class Fault:
    """One rule: `action` fails as `kind` for `times` calls (None: until cleared)."""

    action: str
    kind: str
    times: int | None = None
    fraction: float | None = None
    delay: float = 5.0
    hits: int = 0
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown fault kind {self.kind!r}; choose one of {', '.join(KINDS)}.")
        if self.times is not None and self.times < 1:
            raise ValueError("times is at least 1 (or None for every call).")
        if self.fraction is not None and not 0 < self.fraction <= 1:
            raise ValueError("fraction is between 0 (exclusive) and 1.")
        if ":" not in self.action and self.action != "*":
            raise ValueError('action is "service:Action", "service:*" or "*".')

    def matches(self, key: str) -> bool:
        if self.action in ("*", key):
            return True
        service, _, action = self.action.partition(":")
        return action == "*" and key.startswith(service + ":")

    @property
    def spent(self) -> bool:
        return self.times is not None and self.hits >= self.times


class Faults:
    """The sandbox's fault rules, thread-safe; the first matching rule decides."""

    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[Fault] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self, *actions: str) -> None:
        """Remove the rules for these actions (all rules when none are named)."""
        with self._lock:
            if actions:
                self._rules = [r for r in self._rules if r.action not in actions]
            else:
                self._rules.clear()

    def rules(self) -> list[Fault]:
        with self._lock:
            return list(self._rules)

    def pick(self, key: str) -> Fault | None:
        """The fault this call of `key` meets, if any (counting it against its rule)."""
        with self._lock:
            for rule in self._rules:
                if rule.spent or not rule.matches(key):
                    continue
                if rule.fraction is not None and self._random.random() >= rule.fraction:
                    continue
                rule.hits += 1
                return rule
        return None

    # The older names: a denial is a fault of kind "denied" for every call.
    def deny(self, *actions: str) -> None:
        for action in actions:
            self.add(Fault(action, "denied"))

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return any(not r.spent and r.matches(str(key)) for r in self._rules)


def _cbor_text(text: str) -> bytes:
    data = text.encode()
    size = len(data)
    if size < 24:
        head = bytes([0x60 + size])
    elif size < 256:
        head = bytes([0x78, size])
    else:
        head = bytes([0x79]) + size.to_bytes(2, "big")
    return head + data


def _cbor_map(values: dict[str, str]) -> bytes:
    out = bytes([0xA0 + len(values)])
    for key, value in values.items():
        out += _cbor_text(key) + _cbor_text(value)
    return out


def _protocol(environ: dict[str, Any]) -> str:
    content_type = environ.get("CONTENT_TYPE", "")
    if "cbor" in content_type or environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        return "cbor"
    if content_type.startswith("application/x-www-form-urlencoded"):
        return "query"
    return "json"


def error_reply(
    environ: dict[str, Any], status: int, code: str, message: str, *, sender: bool = True
) -> Answer:
    """An AWS error in the request's protocol."""
    protocol = _protocol(environ)
    request_id = str(uuid.uuid4())
    if protocol == "cbor":
        body = _cbor_map({"__type": code, "message": message})
        return (
            status,
            [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")],
            body,
        )
    if protocol == "query":
        kind = "Sender" if sender else "Receiver"
        xml = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return status, [("Content-Type", "text/xml")], xml.encode()
    body_json = json.dumps({"__type": code, "message": message, "Message": message}).encode()
    return (
        status,
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ],
        body_json,
    )


def access_denied(environ: dict[str, Any], operation: Operation) -> Answer:
    """The AccessDenied reply for `operation` in its protocol's error shape."""
    message = (
        f"User: arn:aws:sts::123456789012:assumed-role/demo/console is not authorized "
        f"to perform: {operation.key} because no identity-based policy allows the "
        f"{operation.key} action"
    )
    code = "AccessDenied" if _protocol(environ) in ("cbor", "query") else "AccessDeniedException"
    return error_reply(environ, 403, code, message)


def fault_reply(environ: dict[str, Any], operation: Operation, fault: Fault) -> Answer | None:
    """The answer `fault` gives, or None when the call should go on (after a delay)."""
    kind = fault.kind
    json_like = _protocol(environ) == "json"
    if kind == "denied":
        return access_denied(environ, operation)
    if kind == "throttle":
        code, status = _THROTTLE.get(operation.service, ("ThrottlingException", 400))
        return error_reply(environ, status, code, "Rate exceeded")
    if kind == "500":
        code = "ServiceException" if operation.service == "lambda" else "InternalFailure"
        return error_reply(
            environ, 500, code, "We encountered an internal error. Please try again.", sender=False
        )
    if kind == "503":
        code = "ServiceUnavailableException" if json_like else "ServiceUnavailable"
        return error_reply(environ, 503, code, "Service unavailable", sender=False)
    if kind == "expired":
        code = "ExpiredTokenException" if json_like else "ExpiredToken"
        return error_reply(
            environ, 400, code, "The security token included in the request is expired"
        )
    if kind == "malformed":
        content_type = "text/xml" if _protocol(environ) == "query" else "application/json"
        return 200, [("Content-Type", content_type)], b'{"Functions": [{"FunctionName": \x00<oops'
    if kind == "slow":
        time.sleep(fault.delay)
        return None
    if kind == "drop":
        drop_connection(environ)
    return None


class Dropped(ConnectionResetError):
    """Raised after closing the client's connection, so the server writes nothing."""


def drop_connection(environ: dict[str, Any]) -> None:
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise Dropped("connection dropped by a sandbox fault")


def admin(environ: dict[str, Any], body: bytes, faults: Faults) -> Answer:
    """GET lists the rules, POST adds one, DELETE clears them (?action=... for one)."""
    method = environ.get("REQUEST_METHOD", "GET")
    try:
        if method == "POST":
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError("the body is a JSON object")
            fault = faults.add(
                Fault(
                    action=str(data.get("action", "")),
                    kind=str(data.get("kind", "")),
                    times=None if data.get("times") is None else int(data["times"]),
                    fraction=None if data.get("fraction") is None else float(data["fraction"]),
                    delay=float(data.get("delay", 5.0)),
                )
            )
            return _json(201, asdict(fault))
        if method == "DELETE":
            from urllib.parse import parse_qs

            actions = parse_qs(environ.get("QUERY_STRING", "")).get("action", [])
            faults.clear(*actions)
            return _json(200, {"cleared": actions or "all"})
    except (ValueError, TypeError) as error:
        return _json(400, {"error": str(error)})
    return _json(200, [asdict(rule) for rule in faults.rules()])


def _json(status: int, payload: Any) -> Answer:
    return status, [("Content-Type", "application/json")], json.dumps(payload).encode()
