"""The tail's core: de-duplication across transports, gap-free following."""

from __future__ import annotations

from lambdatui.aws.logparse import parse_event
from lambdatui.aws.tail import Deduper


def _record(ts: int, message: str, stream: str = "s1"):  # type: ignore[no-untyped-def]
    return parse_event(message, timestamp=ts, log_group="/aws/lambda/f", log_stream=stream)


def test_dedupe_drops_repeats_from_either_transport() -> None:
    dedupe = Deduper()
    first = [_record(1000, "a"), _record(1001, "b")]
    assert dedupe.fresh(first) == first
    again = [_record(1001, "b"), _record(1002, "c")]
    fresh = dedupe.fresh(again)
    assert [r.raw for r in fresh] == ["c"]
    assert dedupe.dropped == 1
    assert dedupe.newest == 1002


def test_dedupe_keeps_identical_text_in_other_streams_or_times() -> None:
    dedupe = Deduper()
    records = [_record(1000, "same"), _record(1000, "same", "s2"), _record(1001, "same")]
    assert len(dedupe.fresh(records)) == 3


def test_dedupe_memory_is_bounded_by_horizon() -> None:
    dedupe = Deduper(horizon_ms=1000)
    dedupe.fresh([_record(ts, f"m{ts}") for ts in range(0, 5000, 10)])
    assert len(dedupe) <= 101
