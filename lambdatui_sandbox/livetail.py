"""StartLiveTail as a real stream, as the CloudWatch Logs API reference describes it.

The response is an ``application/vnd.amazon.eventstream`` body written as it happens:
an ``initial-response`` event (botocore's JSON protocol requires it first), one
``sessionStart``, then a ``sessionUpdate`` every second, even when empty, with at most
500 of the events ingested since the previous update (a random sample, and
``sampled: true``, when more arrived). After the session's maximum duration a
``SessionTimeoutException`` exception event ends the stream. Only events ingested after
the session started are sent; both clients' PutLogEvents and the traffic simulator's
writes reach open sessions. A client that disconnects ends its session within a moment.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import select
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from moto.core.eventstream import EventStreamEncoder
from moto.logs.models import LogEvent, LogStream, logs_backends

from . import ingestion
from .filterpattern import Matcher
from .logevents import LogsError, constraint_failed, group_not_found, invalid_parameter, matcher_for
from .middleware import Call, Forward, Handler, Reply
from .operations import Operation

SESSION_SECONDS = 3 * 3600
UPDATE_SECONDS = 1.0
MAX_RESULTS = 500
MAX_GROUPS = 10
MAX_STREAMS = 100
CONTENT_TYPE = "application/vnd.amazon.eventstream"

_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:*]+)$")
_IDENTIFIER = re.compile(r"^[\w#+=/:,.@-]*$")


@dataclass
class LiveTailSession:
    """One open Live Tail stream and the events waiting for its next update."""

    session_id: str
    request_id: str
    groups: dict[str, str]
    stream_names: frozenset[str] | None
    prefixes: tuple[str, ...] | None
    pattern: str
    matcher: Matcher
    deadline: float
    connection: socket.socket | None = None
    dropped: bool = False
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    kept: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    seen: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def wants(self, stream_name: str) -> bool:
        if self.stream_names is not None:
            return stream_name in self.stream_names
        if self.prefixes is not None:
            return stream_name.startswith(self.prefixes)
        return True

    def offer(self, identifier: str, stream_name: str, events: Sequence[LogEvent]) -> None:
        if not self.wants(stream_name):
            return
        matcher = self.matcher
        with self.lock:
            for event in events:
                message = event.message
                if not matcher(message):
                    continue
                self.seen += 1
                result = {
                    "logStreamName": stream_name,
                    "logGroupIdentifier": identifier,
                    "message": message,
                    "timestamp": event.timestamp,
                    "ingestionTime": event.ingestion_time,
                }
                if len(self.kept) < MAX_RESULTS:
                    self.kept.append((self.seen, result))
                else:
                    slot = self.rng.randrange(self.seen)
                    if slot < MAX_RESULTS:
                        self.kept[slot] = (self.seen, result)

    def take(self) -> tuple[list[dict[str, Any]], bool]:
        """The events for the next update and whether they are a sample."""
        with self.lock:
            kept, seen = self.kept, self.seen
            self.kept, self.seen = [], 0
        kept.sort(key=lambda item: item[0])
        return [result for _, result in kept], seen > MAX_RESULTS


class LiveTail:
    """The StartLiveTail extension and its open sessions."""

    def __init__(self) -> None:
        self.max_seconds: float = SESSION_SECONDS
        self.update_seconds: float = UPDATE_SECONDS
        self._lock = threading.Lock()
        self._sessions: dict[str, LiveTailSession] = {}
        self._by_group: dict[str, tuple[LiveTailSession, ...]] = {}
        self._remove_listener: Callable[[], None] | None = None

    def listen(self) -> None:
        """Start receiving ingested events (the sandbox calls this when it starts)."""
        ingestion.install()
        if self._remove_listener is None:
            self._remove_listener = ingestion.add_listener(self._ingested)

    @property
    def open_sessions(self) -> int:
        with self._lock:
            return len(self._sessions)

    def handler_for(self, operation: Operation) -> Handler | None:
        if operation.service == "logs" and operation.action == "StartLiveTail":
            return self._start
        return None

    def reset(self) -> None:
        self.drop_all()

    def drop_all(self) -> int:
        """Break every open stream abruptly (as a network failure would); returns how many."""
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            session.dropped = True
            if session.connection is not None:
                with contextlib.suppress(OSError):
                    session.connection.shutdown(socket.SHUT_RDWR)
        return len(sessions)

    def close(self) -> None:
        """Drop every stream and stop listening to ingestion."""
        self.drop_all()
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None

    def _ingested(self, stream: LogStream, events: Sequence[LogEvent]) -> None:
        sessions = self._by_group.get(stream.log_group.arn)
        if not sessions:
            return
        name = stream.log_stream_name
        for session in sessions:
            if not session.closed:
                session.offer(session.groups[stream.log_group.arn], name, events)

    def _register(self, session: LiveTailSession) -> None:
        with self._lock:
            self._sessions[session.session_id] = session
            self._reindex()

    def _unregister(self, session: LiveTailSession) -> None:
        session.closed = True
        with self._lock:
            self._sessions.pop(session.session_id, None)
            self._reindex()

    def _reindex(self) -> None:
        index: dict[str, list[LiveTailSession]] = {}
        for session in self._sessions.values():
            for arn in session.groups:
                index.setdefault(arn, []).append(session)
        self._by_group = {arn: tuple(items) for arn, items in index.items()}

    def _start(self, call: Call, forward: Forward) -> Reply:
        try:
            session = self._session(call.json_body())
        except LogsError as error:
            return error.reply()
        connection = call.environ.get("werkzeug.socket")
        session.connection = connection if isinstance(connection, socket.socket) else None
        self._register(session)
        headers = [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", session.request_id)]
        return Reply(200, headers, stream=self._events(session))

    def _session(self, request: dict[str, Any]) -> LiveTailSession:
        identifiers = request.get("logGroupIdentifiers")
        if not isinstance(identifiers, list) or not identifiers:
            raise constraint_failed(
                "logGroupIdentifiers", "Member must have length greater than or equal to 1"
            )
        if len(identifiers) > MAX_GROUPS:
            raise constraint_failed(
                "logGroupIdentifiers",
                f"Member must have length less than or equal to {MAX_GROUPS}",
            )
        names = request.get("logStreamNames")
        prefixes = request.get("logStreamNamePrefixes")
        if names is not None and prefixes is not None:
            raise invalid_parameter(
                "You can specify logStreamNames or logStreamNamePrefixes, but not both.",
            )
        for member, values in (("logStreamNames", names), ("logStreamNamePrefixes", prefixes)):
            if values is None:
                continue
            if not isinstance(values, list) or not values:
                raise constraint_failed(
                    member, "Member must have length greater than or equal to 1"
                )
            if len(values) > MAX_STREAMS:
                raise constraint_failed(
                    member, f"Member must have length less than or equal to {MAX_STREAMS}"
                )
            if len(identifiers) != 1:
                raise invalid_parameter(
                    f"{member} can only be specified with a single log group identifier.",
                )
        pattern = request.get("logEventFilterPattern")
        matcher = matcher_for(pattern, "logEventFilterPattern")
        groups: dict[str, str] = {}
        for identifier in identifiers:
            groups[self._group_arn(str(identifier))] = str(identifier)
        return LiveTailSession(
            session_id=str(uuid.uuid4()),
            request_id=str(uuid.uuid4()),
            groups=groups,
            stream_names=frozenset(map(str, names)) if names is not None else None,
            prefixes=tuple(map(str, prefixes)) if prefixes is not None else None,
            pattern=pattern or "",
            matcher=matcher,
            deadline=time.monotonic() + self.max_seconds,
        )

    @staticmethod
    def _group_arn(identifier: str) -> str:
        if identifier.endswith("*"):
            raise invalid_parameter(
                f"The log group ARN {identifier} must not end with an asterisk (*).",
            )
        if not _IDENTIFIER.match(identifier) or len(identifier) > 2048:
            raise constraint_failed(
                "logGroupIdentifiers",
                r"Member must satisfy regular expression pattern: [\w#+=/:,.@-]*",
            )
        match = _GROUP_ARN.match(identifier)
        if match is None:
            raise invalid_parameter(
                f"{identifier} is not a log group ARN; specify each log group by its ARN.",
            )
        region, account, name = match.groups()
        group = logs_backends[account][region].groups.get(name)
        if group is None:
            raise group_not_found()
        return str(group.arn)

    def _events(self, session: LiveTailSession) -> Iterator[bytes]:
        encoder = EventStreamEncoder()
        try:
            yield _event(encoder, "initial-response", {})
            yield _event(
                encoder,
                "sessionStart",
                {
                    "requestId": session.request_id,
                    "sessionId": session.session_id,
                    "logGroupIdentifiers": list(session.groups.values()),
                    "logStreamNames": sorted(session.stream_names or ()),
                    "logStreamNamePrefixes": list(session.prefixes or ()),
                    "logEventFilterPattern": session.pattern,
                },
            )
            next_update = time.monotonic() + self.update_seconds
            while True:
                now = time.monotonic()
                if session.dropped:
                    return
                if now >= session.deadline:
                    yield _exception(
                        encoder,
                        "SessionTimeoutException",
                        "The Live Tail session has reached its maximum duration and has ended.",
                    )
                    return
                if now < next_update:
                    wait = min(next_update, session.deadline) - now
                    if _gone(session.connection, min(wait, 0.25)):
                        return
                    continue
                results, sampled = session.take()
                yield _event(
                    encoder,
                    "sessionUpdate",
                    {"sessionMetadata": {"sampled": sampled}, "sessionResults": results},
                )
                next_update += self.update_seconds
                if next_update < time.monotonic():
                    next_update = time.monotonic() + self.update_seconds
        except Exception as error:
            if not session.dropped:
                yield _exception(encoder, "SessionStreamingException", str(error))
        finally:
            self._unregister(session)


def _event(encoder: EventStreamEncoder, kind: str, payload: dict[str, Any]) -> bytes:
    headers = {
        ":event-type": kind,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return encoder.encode_message(headers, json.dumps(payload).encode())


def _exception(encoder: EventStreamEncoder, kind: str, message: str) -> bytes:
    headers = {
        ":exception-type": kind,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return encoder.encode_message(headers, json.dumps({"message": message}).encode())


def _gone(connection: socket.socket | None, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds; True if the client closed the connection."""
    if connection is None:
        time.sleep(max(timeout, 0.0))
        return False
    try:
        readable, _, _ = select.select([connection], [], [], max(timeout, 0.0))
        if not readable:
            return False
        if connection.recv(1, socket.MSG_PEEK):
            time.sleep(max(timeout, 0.0))
            return False
        return True
    except (OSError, ValueError):
        return True
