"""The log pane's records: in timestamp order, bounded, with a filtered view over them.

Records do not arrive in time order. FilterLogEvents may page through a group
one stream after another, Live Tail and polls deliver what was ingested
(another stream's line can be older than the newest one shown), and the
history backfill can end after newer lines came in. Each batch is placed
where its timestamps put it; records with the same timestamp keep their
arrival order. The usual batch is newer than everything held and is simply
appended.
"""

from __future__ import annotations

import heapq
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter

from .logrecords import Level, LogRecord

__all__ = ["Change", "LogBuffer", "Query", "compile_query"]

_timestamp = attrgetter("timestamp")


@dataclass(frozen=True)
class Query:
    """What the view shows: a text or /regex/ query, a minimum level, a request id."""

    text: str = ""
    min_level: Level = Level.NONE
    request_id: str | None = None
    context: int = 0

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return compile_query(self.text)

    @property
    def active(self) -> bool:
        return bool(self.text or self.min_level > Level.NONE or self.request_id)


def compile_query(text: str) -> re.Pattern[str] | None:
    """Plain text matches literally (case-insensitive); /text/ is a regex."""
    if not text:
        return None
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        try:
            return re.compile(text[1:-1], re.IGNORECASE)
        except re.error:
            return re.compile(re.escape(text), re.IGNORECASE)
    return re.compile(re.escape(text), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Change:
    """How one `LogBuffer.extend` changed the view.

    `seam`: the first view index whose record may have changed (the old length
    when the batch was appended at the end). `trimmed`: view records dropped
    from the front to stay within capacity. `added`: how many of the batch's
    records the view shows.
    """

    added: int
    seam: int
    trimmed: int


class LogBuffer:
    """At most `capacity` records, oldest (by timestamp) dropped first.

    It holds the records themselves (no wrapper objects): fewer objects for
    the cyclic garbage collector to walk.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = max(1, capacity)
        self.records: deque[LogRecord] = deque()
        self.view: deque[LogRecord] = deque()
        self.dropped = 0
        self.query = Query()
        self.pattern: re.Pattern[str] | None = None
        self._pending_context: deque[LogRecord] = deque()
        self._after_context = 0

    def clear(self) -> None:
        self.records.clear()
        self.view.clear()
        self._pending_context.clear()
        self._after_context = 0
        self.dropped = 0

    # ----- filtering ------------------------------------------------------------

    def matches(self, record: LogRecord) -> bool:
        query = self.query
        if record.level < query.min_level:
            return False
        if (
            query.request_id
            and record.request_id != query.request_id
            and (query.request_id not in record.raw)
        ):
            return False
        return not (self.pattern and not self.pattern.search(record.raw))

    @property
    def _context(self) -> int:
        return self.query.context if self.pattern else 0

    def _admit(self, entry: LogRecord) -> None:
        """Add `entry` to the view if it matches (or is context of a match)."""
        context = self._context
        if self.matches(entry):
            if context:
                self.view.extend(self._pending_context)
                self._pending_context.clear()
                self._after_context = context
            self.view.append(entry)
            return
        if context:
            if self._after_context > 0:
                self._after_context -= 1
                self.view.append(entry)
                return
            self._pending_context.append(entry)
            while len(self._pending_context) > context:
                self._pending_context.popleft()

    def set_query(self, query: Query) -> None:
        self.query = query
        self.pattern = query.pattern
        self._rebuild()

    def _rebuild(self) -> None:
        self.view.clear()
        self._pending_context.clear()
        self._after_context = 0
        for entry in self.records:
            self._admit(entry)

    # ----- adding ---------------------------------------------------------------

    def extend(self, batch: Iterable[LogRecord]) -> Change:
        """Place `batch` by timestamp; drop the oldest records beyond capacity."""
        ordered = sorted(batch, key=_timestamp)
        records, view = self.records, self.view
        before = len(view)
        seam = before
        if ordered and records and ordered[0].timestamp < records[-1].timestamp:
            seam = self._merge(ordered)
        else:
            for record in ordered:
                records.append(record)
                self._admit(record)
        added = len(view) - before
        trimmed = 0
        overflow = len(records) - self.capacity
        if overflow > 0:
            arrived = {id(record) for record in ordered}
            for _ in range(overflow):
                oldest = records.popleft()
                if view and view[0] is oldest:
                    view.popleft()
                    trimmed += 1
                    if id(oldest) in arrived:
                        added -= 1  # older than all that is kept: never shown
            self.dropped += overflow
        return Change(added, seam, trimmed)

    def _merge(self, ordered: list[LogRecord]) -> int:
        """Merge a batch older than the newest record held; returns the seam."""
        records, view = self.records, self.view
        oldest = ordered[0].timestamp
        later: list[LogRecord] = []
        while records and records[-1].timestamp > oldest:
            later.append(records.pop())
        later.reverse()
        # Records held first among equal timestamps: they arrived first.
        merged = heapq.merge(later, ordered, key=_timestamp)
        if self._context:
            # Which lines are context depends on their neighbours: build again.
            records.extend(merged)
            self._rebuild()
            return 0
        # The view is a subsequence of the records: its part after `oldest` is
        # exactly what matched among the records taken off.
        while view and view[-1].timestamp > oldest:
            view.pop()
        seam = len(view)
        for record in merged:
            records.append(record)
            self._admit(record)
        return seam

    def relocate(self, record: LogRecord, index: int, change: Change) -> int:
        """Where `record`, at view `index` before `change`, is now (-1 if gone)."""
        view = self.view
        if index < change.seam:
            moved = index - change.trimmed
            return moved if moved >= 0 else -1
        # It is among the records placed again, at the end of the view.
        start = max(change.seam - change.trimmed, 0)
        position = len(view)
        for candidate in islice(reversed(view), max(position - start, 0)):
            position -= 1
            if candidate is record:
                return position
        return -1
