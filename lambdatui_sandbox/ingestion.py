"""Log ingestion into moto's logs backend, and the listeners told about every new event.

Every path that stores log events goes through here: clients' PutLogEvents (moto's
``LogStream.put_log_events`` is wrapped once per process) and the traffic simulator's
direct writes. Event creation is serialised so moto's event ids stay unique. The
simulator's events are not added to moto's instance tracking (a list of every model
object ever made), so dropping a stream frees its events.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from moto.logs.models import LogEvent, LogGroup, LogStream

Listener = Callable[[LogStream, Sequence[LogEvent]], None]

_lock = threading.RLock()
_listeners: list[Listener] = []
_installed = False


def install() -> None:
    """Wrap moto's ``LogStream.put_log_events`` so listeners see clients' writes."""
    global _installed
    with _lock:
        if _installed:
            return
        original = LogStream.put_log_events

        def put_log_events(self: LogStream, log_events: list[dict[str, Any]]) -> str:
            with _lock:
                before = len(self.events)
                token = original(self, log_events)
                added = self.events[before:]
            if added:
                _notify(self, added)
            return token

        LogStream.put_log_events = put_log_events  # type: ignore[method-assign]
        _installed = True


def add_listener(listener: Listener) -> Callable[[], None]:
    """Call ``listener(stream, events)`` after events are stored; returns a remover."""
    global _listeners
    with _lock:
        _listeners = [*_listeners, listener]

    def remove() -> None:
        global _listeners
        with _lock:
            _listeners = [item for item in _listeners if item is not listener]

    return remove


def stream_in(group: LogGroup, name: str, created_ms: int) -> LogStream:
    """The group's stream ``name``, created (with its creation time) when missing.

    The group's stream table is replaced, never changed in place, so requests iterating
    it on other threads are not disturbed.
    """
    stream = group.streams.get(name)
    if stream is not None:
        return stream
    with _lock:
        stream = group.streams.get(name)
        if stream is None:
            stream = LogStream(log_group=group, name=name)
            stream.creation_time = _naive(created_ms)
            group.streams = {**group.streams, name: stream}
    return stream


def remove_streams(group: LogGroup, names: set[str]) -> None:
    with _lock:
        if names & group.streams.keys():
            group.streams = {k: v for k, v in group.streams.items() if k not in names}


def append(
    stream: LogStream,
    events: Sequence[tuple[int, str]],
    ingestion: int | Sequence[int],
    *,
    durability: Sequence[int] | None = None,
    notify: bool = True,
) -> list[LogEvent]:
    """Store ``(timestamp, message)`` events with their ingestion time(s); tell listeners.

    ``durability`` (0, 1 or 2 per event) tells ``trim`` how long each is kept.
    """
    if not events:
        return []
    times = [ingestion] * len(events) if isinstance(ingestion, int) else list(ingestion)
    new = object.__new__
    created: list[LogEvent] = []
    with _lock:
        first = LogEvent._event_id
        LogEvent._event_id = first + len(events)
        for offset, ((ts, message), at) in enumerate(zip(events, times, strict=True)):
            event = new(LogEvent)
            event.ingestion_time = at
            event.timestamp = ts
            event.message = message
            event.event_id = first + offset
            if durability is not None and durability[offset]:
                event.durability = durability[offset]  # type: ignore[attr-defined]
            created.append(event)
        stream.events += created
        stream.stored_bytes += sum(len(message) for _, message in events)
        stream.last_ingestion_time = _naive(max(times))
        stream.upload_sequence_token += 1
    if notify:
        _notify(stream, created)
    return created


def trim(stream: LogStream, cutoffs: Sequence[int]) -> int:
    """Keep a stream's events newer than ``cutoffs[d]`` for their durability ``d``.

    Events without a durability count as 0; events older than every cutoff go. Returns
    how many were dropped. The list is replaced, not changed in place.
    """
    with _lock:
        events = stream.events
        if not events or events[0].timestamp >= cutoffs[0]:
            return 0
        last = len(cutoffs) - 1
        kept = [
            event
            for event in events
            if event.timestamp >= cutoffs[min(getattr(event, "durability", 0), last)]
        ]
        stream.events = kept
        return len(events) - len(kept)


def _notify(stream: LogStream, events: Sequence[LogEvent]) -> None:
    for listener in _listeners:
        with contextlib.suppress(Exception):
            listener(stream, events)


def _naive(t_ms: int) -> datetime:
    return datetime.fromtimestamp(t_ms / 1000, UTC).replace(tzinfo=None)
