"""The log buffer's filter and its bookkeeping at the edges: regular expressions, and a
line that stops being context when older lines arrive."""

from __future__ import annotations

from lambdatui.aws.logbuffer import LogBuffer, Query, compile_query
from lambdatui.aws.logparse import parse_event
from lambdatui.aws.logrecords import LogRecord


def line(text: str, timestamp: int) -> LogRecord:
    return parse_event(text, timestamp=timestamp, log_group="/aws/lambda/orders", log_stream="s")


def test_a_slashed_query_is_a_regular_expression_and_a_broken_one_is_text() -> None:
    regex = compile_query("/timed? ?out/")
    broken = compile_query("/[unclosed/")

    assert regex is not None and regex.search("Task TIMED OUT after 3 s")
    assert broken is not None
    assert broken.search("a literal /[unclosed/ in a line")
    assert not broken.search("unclosed")


def test_a_line_that_is_no_longer_context_after_an_older_one_arrives_is_gone() -> None:
    buffer = LogBuffer()
    buffer.set_query(Query(text="ERROR", context=1))
    buffer.extend([line("[ERROR] payment failed", 10), line("retrying", 30)])
    shown = list(buffer.view)
    assert [r.raw for r in shown] == ["[ERROR] payment failed", "retrying"]

    change = buffer.extend([line("between the two", 20)])

    assert [r.raw for r in buffer.view] == ["[ERROR] payment failed", "between the two"]
    assert buffer.relocate(shown[1], 1, change) == -1
    assert buffer.relocate(shown[0], 0, change) == 0
