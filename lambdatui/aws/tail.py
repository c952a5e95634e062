"""Follow log groups: backfill history, then Live Tail, falling back to polling.

A Live Tail session that ends is renewed without a gap (the gap since the
newest event seen is backfilled with FilterLogEvents) and without duplicates
(every event passes a de-duplicator that both transports share). Batches go
to the sink in timestamp order; a batch can still be older than the one
before it (another stream's page, a late event), so the sink places records
by timestamp (`LogBuffer`).
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter

from .errors import AwsError, ServerError, Throttled, TimedOut, is_transient
from .logparse import StreamContext
from .logrecords import LogRecord
from .logs import LiveTailUnavailable, filter_pages, group_arn, live_tail
from .session import AwsSession

# History keys 0..6 (as k9s): seconds of history to backfill.
HISTORY = {0: 0, 1: 60, 2: 300, 3: 900, 4: 1800, 5: 3600, 6: 10800}
DEFAULT_HISTORY = 300
# How far before the newest event a gap backfill or a poll starts, for late ingestion.
OVERLAP_MS = 10_000
# A Live Tail session that ends sooner than this counts as a quick end.
QUICK_END_S = 5.0
QUICK_ENDS_BEFORE_POLLING = 3
# A session that ends, without an error, sooner than this after it started has not
# streamed at all (AWS sends an update every second): an endpoint whose Live Tail
# is a one-shot snapshot. Polling takes over at once.
AT_ONCE_S = 1.0
# Seconds between FilterLogEvents polls while a pane follows without Live Tail.
POLL_INTERVAL = 1.0


TROUBLES = ("throttled", "disconnected", "server error", "timed out")

_timestamp = attrgetter("timestamp")


def trouble(error: AwsError) -> str:
    """A transient failure in two words, for a status line."""
    if isinstance(error, Throttled):
        return "throttled"
    if isinstance(error, ServerError):
        return "server error"
    if isinstance(error, TimedOut):
        return "timed out"
    return "disconnected"


class TailMode(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live tail"
    POLLING = "polling"


@dataclass(frozen=True, slots=True)
class TailStatus:
    mode: TailMode
    sampled: bool = False
    note: str = ""
    renewals: int = 0


_Key = tuple[str, str, int, int]
_UNSEEN = object()


class _Copies:
    """The copies seen of one (group, stream, timestamp, text): event ids and Live Tail results.

    FilterLogEvents gives each event its eventId; Live Tail gives none. A Live
    Tail result is a copy of an event FilterLogEvents may also return, so the
    distinct events are as many as the larger of the two counts.
    """

    __slots__ = ("ids", "live")

    def __init__(self, first: str | None) -> None:
        self.ids: set[str] = set() if first is None else {first}
        self.live = 1 if first is None else 0

    def add(self, event_id: str | None) -> bool:
        """Count one more copy; True if it is an event not seen before."""
        before = max(self.live, len(self.ids))
        if event_id is None:
            self.live += 1
        else:
            self.ids.add(event_id)
        return max(self.live, len(self.ids)) > before


class Deduper:
    """Drops events already seen, from either transport.

    Events are matched by (group, stream, timestamp, message), what both
    transports share, and told apart by eventId where they carry one: the same
    line written twice in one millisecond is two events. Live Tail results
    carry no eventId, and a session never sends an event twice. Keys older than
    `horizon_ms` before the newest event are forgotten, so memory stays bounded.
    """

    def __init__(self, horizon_ms: int = 10 * 60_000, max_keys: int = 500_000) -> None:
        self.horizon_ms = horizon_ms
        self.max_keys = max_keys
        self._seen: dict[_Key, object] = {}
        self._order: deque[tuple[int, _Key]] = deque()
        self.newest = 0
        self.dropped = 0

    def fresh(self, records: list[LogRecord]) -> list[LogRecord]:
        out: list[LogRecord] = []
        seen = self._seen
        for record in records:
            key = (record.log_group, record.log_stream, record.timestamp, hash(record.raw))
            prior = seen.get(key, _UNSEEN)
            if prior is _UNSEEN:
                # The common case: one copy, remembered by its event id (None: Live Tail).
                seen[key] = record.event_id
                self._order.append((record.timestamp, key))
                if record.timestamp > self.newest:
                    self.newest = record.timestamp
                out.append(record)
                continue
            if isinstance(prior, _Copies):
                copies = prior
            else:
                copies = seen[key] = _Copies(prior if isinstance(prior, str) else None)
            if copies.add(record.event_id):
                out.append(record)
            else:
                self.dropped += 1
        self._prune()
        return out

    def _prune(self) -> None:
        horizon = self.newest - self.horizon_ms
        order, seen = self._order, self._seen
        while order and (order[0][0] < horizon or len(seen) > self.max_keys):
            seen.pop(order.popleft()[1], None)

    def __len__(self) -> int:
        return len(self._seen)


Sink = Callable[[list[LogRecord]], None]
StatusSink = Callable[[TailStatus], None]


class Tailer:
    """Feeds `sink` with new records of `groups` until cancelled."""

    def __init__(
        self,
        session: AwsSession,
        groups: list[str],
        *,
        sink: Sink,
        status: StatusSink,
        history_s: int = DEFAULT_HISTORY,
        pattern: str | None = None,
        poll_interval: float = POLL_INTERVAL,
        live: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session = session
        self.groups = groups
        self.sink = sink
        self.report = status
        self.history_s = history_s
        self.pattern = pattern or None
        self.poll_interval = poll_interval
        self.live = live
        self.clock = clock
        self.dedupe = Deduper()
        self.context = StreamContext()
        self.renewals = 0
        self.mode = TailMode.CONNECTING
        self._sampled = False
        self._note = ""
        self._since_ms = 0

    def _status(self, mode: TailMode | None = None, note: str | None = None) -> None:
        if mode is not None:
            self.mode = mode
        if note is not None:
            self._note = note
        self.report(TailStatus(self.mode, self._sampled, self._note, self.renewals))

    def _emit(self, records: list[LogRecord]) -> None:
        fresh = self.dedupe.fresh(records)
        if fresh:
            # Stable: each stream's own order is kept, which the context relies on.
            fresh.sort(key=_timestamp)
            self.sink(self.context.apply(fresh))

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def backfill(self, start_ms: int, end_ms: int | None = None) -> None:
        """FilterLogEvents over every group from `start_ms`, merged by time."""
        if len(self.groups) == 1:
            async for page in filter_pages(
                self.session, self.groups[0], start_ms, end_ms, self.pattern
            ):
                self._emit(page)
            return

        async def collect(group: str) -> list[LogRecord]:
            out: list[LogRecord] = []
            async for page in filter_pages(self.session, group, start_ms, end_ms, self.pattern):
                out.extend(page)
            return out

        pages = await asyncio.gather(*(collect(g) for g in self.groups))
        self._emit(list(heapq.merge(*pages, key=_timestamp)))

    async def run(self) -> None:
        """Follow until cancelled: Live Tail when possible, else FilterLogEvents polling."""
        if not self._since_ms:
            # A second run (after an error was fixed) resumes where the first stopped.
            self._since_ms = self._now_ms() - self.history_s * 1000
        self._status(TailMode.CONNECTING, "connecting")
        if self.live:
            try:
                await self._follow_live()
            except LiveTailUnavailable as exc:
                self._status(TailMode.POLLING, f"Live Tail unavailable: {exc.sentence}")
        else:
            self._status(TailMode.POLLING, "")
        await self._poll(first=True)

    def _gap_start(self) -> int:
        """Where a backfill starts: the history window, or just before the newest event."""
        if self.dedupe.newest:
            return max(self.dedupe.newest - OVERLAP_MS, self._since_ms)
        return self._since_ms

    async def _wait_out(self, error: AwsError, failures: int) -> None:
        """Say why the tail waits (throttled, disconnected, ...), then wait, doubling."""
        delay = min(2.0 ** max(failures - 1, 0), 30.0)
        self._status(TailMode.CONNECTING, f"{trouble(error)}, retrying in {delay:.0f}s")
        await asyncio.sleep(delay)

    async def _group_arns(self) -> dict[str, str]:
        failures = 0
        while True:
            try:
                return {await group_arn(self.session, group): group for group in self.groups}
            except AwsError as exc:
                if not is_transient(exc):
                    raise
                failures += 1
                await self._wait_out(exc, failures)

    async def _follow_live(self) -> None:
        arns = await self._group_arns()
        quick_ends = 0
        failures = 0
        while True:
            started = time.monotonic()
            reason = "the Live Tail session ended"
            error: AwsError | None = None
            opened = False
            # History is read beside the stream, not in its way: how soon a session
            # ends is then the endpoint's doing alone.
            history: asyncio.Task[None] | None = None
            try:
                async for update in live_tail(self.session, arns, self.pattern):
                    if update.started:
                        opened = True
                        started = time.monotonic()
                        # The session catches events from now on: fill in history
                        # and whatever arrived while no session was open.
                        self._status(TailMode.LIVE, "loading history")
                        history = asyncio.create_task(self._history(self._gap_start()))
                        continue
                    if history is not None and history.done():
                        history.result()  # its failure is the session's
                        history = None
                        failures = 0
                    if update.sampled != self._sampled:
                        self._sampled = update.sampled
                        self._status()
                    if update.records:
                        self._emit(update.records)
                lasted = time.monotonic() - started
                if history is not None:
                    await history
                    failures = 0
            except LiveTailUnavailable:
                raise
            except AwsError as exc:
                reason = exc.sentence
                error = exc
                lasted = time.monotonic() - started
                # The session and its history both came through before this error:
                # the next wait starts from the shortest again.
                if (
                    history is not None
                    and history.done()
                    and not history.cancelled()
                    and history.exception() is None
                ):
                    failures = 0
            finally:
                if history is not None and not history.done():
                    history.cancel()
            if opened:
                self.renewals += 1
            if error is not None and is_transient(error):
                # The network or AWS, not Live Tail: keep trying Live Tail, and
                # the next session's backfill closes the gap.
                failures += 1
                await self._wait_out(error, failures)
                continue
            if error is None and lasted < AT_ONCE_S:
                raise LiveTailUnavailable(
                    f"{self.session.endpoint} ends Live Tail sessions as soon as they start"
                )
            quick_ends = quick_ends + 1 if lasted < QUICK_END_S else 0
            if quick_ends >= QUICK_ENDS_BEFORE_POLLING:
                raise LiveTailUnavailable(f"sessions end as soon as they start ({reason})")
            self._status(TailMode.CONNECTING, f"renewing Live Tail: {reason}")
            if quick_ends:
                await asyncio.sleep(min(2.0**quick_ends, 30.0))

    async def _history(self, start_ms: int) -> None:
        await self.backfill(start_ms)
        if self.mode is TailMode.LIVE and self._note == "loading history":
            self._status(TailMode.LIVE, "")

    async def _poll(self, first: bool = False) -> None:
        """FilterLogEvents every `poll_interval` seconds, counted from one poll's start
        to the next (a slow reply does not stretch the cadence); backing off on
        throttles, 5xx and lost connections."""
        delay = 0.0 if first else self.poll_interval
        while True:
            await asyncio.sleep(delay)
            began = time.monotonic()
            try:
                await self.backfill(self._gap_start())
                delay = max(self.poll_interval - (time.monotonic() - began), 0.0)
                if self._note.startswith(TROUBLES):
                    self._status(note="")
            except AwsError as exc:
                if not is_transient(exc):
                    raise
                delay = min(max(delay, 1.0) * 2, 30.0)
                self._status(note=f"{trouble(exc)}, retrying in {delay:.0f}s")
