"""Answering chosen actions with AWS errors, as a missing permission would.

`Sandbox.deny("logs:StartLiveTail")` makes the sandbox answer that action with
AccessDeniedException, encoded for the action's protocol, so the console's
real error paths run.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any
from xml.sax.saxutils import escape

from .operations import Operation

Headers = list[tuple[str, str]]


class Denials:
    """The actions ("service:Action") the sandbox refuses, thread-safe."""

    def __init__(self) -> None:
        self._actions: set[str] = set()
        self._lock = threading.Lock()

    def deny(self, *actions: str) -> None:
        with self._lock:
            self._actions.update(actions)

    def allow(self, *actions: str) -> None:
        with self._lock:
            if actions:
                self._actions.difference_update(actions)
            else:
                self._actions.clear()

    def __contains__(self, action: object) -> bool:
        with self._lock:
            return action in self._actions


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


def access_denied(environ: dict[str, Any], operation: Operation) -> tuple[int, Headers, bytes]:
    """The AccessDenied reply for `operation` in its protocol's error shape."""
    message = (
        f"User: arn:aws:sts::123456789012:assumed-role/demo/console is not authorized "
        f"to perform: {operation.key} because no identity-based policy allows the "
        f"{operation.key} action"
    )
    content_type = environ.get("CONTENT_TYPE", "")
    if "cbor" in content_type or environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        body = _cbor_map({"__type": "AccessDenied", "message": message})
        return 403, [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")], body
    if content_type.startswith("application/x-www-form-urlencoded"):
        xml = (
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        )
        return 403, [("Content-Type", "text/xml")], xml.encode()
    body_json = json.dumps(
        {"__type": "AccessDeniedException", "message": message, "Message": message}
    ).encode()
    return (
        403,
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", "AccessDeniedException"),
        ],
        body_json,
    )
