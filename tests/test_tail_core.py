"""The tail's core: de-duplication across transports, gap-free following, time order.

The ordering tests run the real aiobotocore clients against the sandbox, whose
FilterLogEvents pages through a group one stream after another.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lambdatui.aws.logbuffer import LogBuffer, Query
from lambdatui.aws.logparse import parse_event
from lambdatui.aws.logrecords import Level, LogRecord, RecordKind
from lambdatui.aws.tail import Deduper, Tailer, TailMode, TailStatus

from .helpers import client, session_for


def _record(ts: int, message: str, stream: str = "s1", event_id: str | None = None) -> LogRecord:
    return parse_event(
        message, timestamp=ts, log_group="/aws/lambda/f", log_stream=stream, event_id=event_id
    )


# --- De-duplication ---------------------------------------------------------------


def test_dedupe_drops_repeats_from_either_transport() -> None:
    dedupe = Deduper()
    live = [_record(1000, "a"), _record(1001, "b")]
    assert dedupe.fresh(live) == live
    page = [_record(1001, "b", event_id="e2"), _record(1002, "c", event_id="e3")]
    fresh = dedupe.fresh(page)
    assert [r.raw for r in fresh] == ["c"]
    assert dedupe.fresh(page) == []  # the next poll's overlap
    assert dedupe.fresh([_record(1002, "c")]) == []  # and Live Tail's copy of c
    assert dedupe.dropped == 4
    assert dedupe.newest == 1002


def test_dedupe_keeps_the_same_line_logged_twice_in_one_millisecond() -> None:
    dedupe = Deduper()
    twice = [_record(1000, "retrying", event_id="e1"), _record(1000, "retrying", event_id="e2")]
    assert dedupe.fresh(twice) == twice
    # Live Tail's copies of both are copies, a third is not.
    assert dedupe.fresh([_record(1000, "retrying"), _record(1000, "retrying")]) == []
    assert len(dedupe.fresh([_record(1000, "retrying")])) == 1
    # Live Tail first this time: two results, then the events behind them.
    other = Deduper()
    assert len(other.fresh([_record(5, "x"), _record(5, "x")])) == 2
    assert other.fresh([_record(5, "x", event_id="a"), _record(5, "x", event_id="b")]) == []


def test_dedupe_keeps_identical_text_in_other_streams_or_times() -> None:
    dedupe = Deduper()
    records = [_record(1000, "same"), _record(1000, "same", "s2"), _record(1001, "same")]
    assert len(dedupe.fresh(records)) == 3


def test_dedupe_memory_is_bounded_by_horizon() -> None:
    dedupe = Deduper(horizon_ms=1000)
    dedupe.fresh([_record(ts, f"m{ts}", event_id=str(ts)) for ts in range(0, 5000, 10)])
    assert len(dedupe) <= 101


# --- The time-ordered buffer --------------------------------------------------------


def _times(buffer: LogBuffer) -> list[int]:
    return [r.timestamp for r in buffer.records]


def test_buffer_places_late_batches_by_timestamp() -> None:
    buffer = LogBuffer()
    first = [_record(ts, f"a{ts}", "a") for ts in (100, 200, 300)]
    change = buffer.extend(first)
    assert (change.added, change.seam) == (3, 0)
    # Another stream's page covering the same minutes, itself out of order.
    change = buffer.extend([_record(ts, f"b{ts}", "b") for ts in (250, 50, 150)])
    assert _times(buffer) == [50, 100, 150, 200, 250, 300]
    assert (change.added, change.seam) == (3, 0)
    # Equal timestamps keep arrival order; a newer batch is appended.
    change = buffer.extend([_record(300, "c300", "c"), _record(400, "c400", "c")])
    assert [r.raw for r in buffer.records][-3:] == ["a300", "c300", "c400"]
    assert change.seam == 6


def test_buffer_view_follows_the_order_and_the_filter() -> None:
    buffer = LogBuffer()
    buffer.set_query(Query(min_level=Level.ERROR))
    buffer.extend(
        [_record(100, "[ERROR] one"), _record(200, "[INFO] two"), _record(300, "[ERROR] three")]
    )
    change = buffer.extend([_record(150, "[ERROR] late"), _record(160, "[INFO] late info")])
    assert [r.raw for r in buffer.view] == ["[ERROR] one", "[ERROR] late", "[ERROR] three"]
    assert (change.added, change.seam) == (1, 1)
    three = buffer.view[2]
    assert buffer.relocate(three, 1, change) == 2
    assert buffer.relocate(buffer.view[0], 0, change) == 0


def test_buffer_context_lines_stay_right_after_a_late_batch() -> None:
    buffer = LogBuffer()
    buffer.set_query(Query(text="boom", context=1))
    buffer.extend([_record(ts, f"line {ts}") for ts in range(0, 100, 10)])
    buffer.extend([_record(55, "boom"), _record(95, "after")])
    assert [r.raw for r in buffer.view] == ["line 50", "boom", "line 60"]


def test_buffer_capacity_drops_the_oldest_by_time() -> None:
    buffer = LogBuffer(capacity=4)
    buffer.extend([_record(ts, str(ts)) for ts in (10, 20, 30, 40)])
    change = buffer.extend([_record(5, "too old"), _record(25, "25")])
    assert _times(buffer) == [20, 25, 30, 40]
    assert buffer.dropped == 2
    assert change.trimmed == 2 and change.added == 1


# --- Against the sandbox --------------------------------------------------------------


STREAMS = 3
INVOCATIONS = 1_000  # per stream, four events each: 12,000 events, two FilterLogEvents pages


def _invocation(rid: str, stamp: str) -> list[str]:
    return [
        f"START RequestId: {rid} Version: $LATEST\n",
        f"{stamp} {rid} INFO  LabelHandler - Requesting label\n",
        f"END RequestId: {rid}\n",
        f"REPORT RequestId: {rid}\tDuration: 2.00 ms\tBilled Duration: 2 ms\t"
        "Memory Size: 1024 MB\tMax Memory Used: 200 MB\t\n",
    ]


@contextlib.contextmanager
def _group(box: Any) -> Iterator[tuple[str, list[str], int]]:
    """A Java function's group: streams whose invocations interleave in time."""
    logs = client(box, "logs")
    group = f"/aws/lambda/label-printer-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    start = int(time.time() * 1000) - 240_000
    streams = [f"2026/12/04/[$LATEST]{index:032x}" for index in range(STREAMS)]
    for index, stream in enumerate(streams):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        events = []
        for n in range(INVOCATIONS):
            at = start + n * 120 + index * 40
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at / 1000))
            lines = _invocation(str(uuid.uuid4()), stamp)
            events += [{"timestamp": at + i, "message": m} for i, m in enumerate(lines)]
        # The same line twice in one millisecond: two events.
        events += [{"timestamp": events[-1]["timestamp"], "message": "flush\n"}] * 2
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    try:
        yield group, streams, start
    finally:
        logs.delete_log_group(logGroupName=group)


def _put(box: Any, group: str, stream: str, events: list[tuple[int, str]]) -> None:
    logs = client(box, "logs")
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": ts, "message": message} for ts, message in events],
    )


def _assert_in_order_and_once(buffer: LogBuffer, expected: Counter[tuple[str, int, str]]) -> None:
    records = list(buffer.records)
    times = [r.timestamp for r in records]
    assert times == sorted(times), "lines in timestamp order"
    got = Counter((r.log_stream, r.timestamp, r.raw) for r in records)
    assert got == expected, "every event exactly once"


def _seeded(box: Any, group: str) -> Counter[tuple[str, int, str]]:
    pages = client(box, "logs").get_paginator("filter_log_events").paginate(logGroupName=group)
    return Counter(
        (e["logStreamName"], e["timestamp"], e["message"]) for page in pages for e in page["events"]
    )


async def test_backfill_across_streams_comes_out_in_time_order(sandbox: Any) -> None:
    with _group(sandbox) as (group, _, start):
        expected = _seeded(sandbox, group)
        buffer = LogBuffer()
        batches: list[int] = []

        def sink(records: list[LogRecord]) -> None:
            batches.append(len(records))
            buffer.extend(records)

        aws = session_for(sandbox)
        try:
            tailer = Tailer(aws, [group], sink=sink, status=lambda _: None, live=False)
            await tailer.backfill(start - 1000)
        finally:
            await aws.close()
        assert len(batches) >= 2, "several FilterLogEvents pages"
        _assert_in_order_and_once(buffer, expected)
        records = list(buffer.records)
        # The streams interleave, as the invocations did.
        switches = sum(a.log_stream != b.log_stream for a, b in itertools.pairwise(records))
        assert switches > STREAMS * 100
        # The Java lines carry their level and request id.
        java = [r for r in records if "LabelHandler" in r.raw]
        assert len(java) == STREAMS * INVOCATIONS
        assert all(r.level is Level.INFO and r.kind is RecordKind.APP for r in java)
        assert all(r.request_id and r.request_id in r.raw for r in java)
        # "flush" is written inside no invocation; both copies are kept.
        assert sum(r.raw == "flush\n" for r in records) == 2 * STREAMS


class _Follow:
    """Runs a tailer until `until()` holds, feeding a LogBuffer; writes `during` once,
    while the history backfill is still paging (after its first page)."""

    def __init__(self, box: Any, group: str, during: Callable[[], None], *, live: bool) -> None:
        self.box, self.group, self.during, self.live = box, group, during, live
        self.buffer = LogBuffer()
        self.wrote = False
        self.statuses: list[TailStatus] = []
        self.changed = asyncio.Event()

    def sink(self, records: list[LogRecord]) -> None:
        self.buffer.extend(records)
        if not self.wrote:
            self.wrote = True
            self.during()
        self.changed.set()

    def status(self, status: TailStatus) -> None:
        self.statuses.append(status)
        self.changed.set()

    async def run(self, until: Callable[[Tailer], bool]) -> Tailer:
        aws = session_for(self.box)
        tailer = Tailer(
            aws,
            [self.group],
            sink=self.sink,
            status=self.status,
            history_s=600,
            poll_interval=0.2,
            live=self.live,
        )
        task = asyncio.create_task(tailer.run())
        try:
            async with asyncio.timeout(90):
                while not until(tailer):
                    if task.done():
                        task.result()
                    self.changed.clear()
                    await self.changed.wait()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await aws.close()
        return tailer


def _seam_events(streams: list[str], newest: int) -> dict[str, list[tuple[int, str]]]:
    """Lines written while the backfill pages: late ones (older than the newest line
    already shown, in an old stream and a new one) and newer ones."""
    late = [(newest - 3_000 + i, f"late line {i}\n") for i in range(5)]
    return {
        streams[0]: late[:2],
        "2026/12/04/[$LATEST]" + "f" * 32: late[2:],
        streams[1]: [(newest + 1 + i, f"new line {i}\n") for i in range(5)],
    }


@pytest.mark.parametrize("live", [True, False], ids=["live-tail", "polling"])
async def test_lines_arriving_during_the_backfill_land_in_order_once(
    sandbox: Any, live: bool
) -> None:
    sandbox.live_tail_max_seconds = 1.5  # renewals backfill the gap: copies from both transports
    try:
        with _group(sandbox) as (group, streams, _):
            seeded = _seeded(sandbox, group)
            newest = max(ts for _, ts, _ in seeded)
            extra = _seam_events(streams, newest)

            def write() -> None:
                for stream, events in extra.items():
                    _put(sandbox, group, stream, events)

            expected = seeded + Counter(
                (stream, ts, message) for stream, events in extra.items() for ts, message in events
            )
            follow = _Follow(sandbox, group, write, live=live)
            complete: dict[str, int] = {}
            marker = (streams[2], newest + 100, "marker\n")

            def settled(tailer: Tailer) -> bool:
                got = Counter((r.log_stream, r.timestamp, r.raw) for r in follow.buffer.records)
                if not complete:
                    if not got >= expected:
                        return False
                    complete.update(renewals=tailer.renewals, dropped=tailer.dedupe.dropped)
                    if not live:
                        # The poll that brings this one reads the last lines again too.
                        _put(sandbox, group, marker[0], [marker[1:]])
                        expected[marker] += 1
                if live:
                    # A renewed session's gap backfill has read the last lines again.
                    last = follow.statuses[-1]
                    return (
                        tailer.renewals > complete["renewals"]
                        and last.mode is TailMode.LIVE
                        and not last.note
                    )
                return marker in got

            tailer = await follow.run(settled)
            assert follow.wrote
            assert tailer.dedupe.dropped > 0
            _assert_in_order_and_once(follow.buffer, expected)
    finally:
        sandbox.live_tail_max_seconds = 3 * 3600
