"""Log lines at the edges of the parsers: near misses of a known layout, malformed
figures, and the records a stream or an invocation is built from."""

from __future__ import annotations

import json

import pytest

from lambdatui.aws.logparse import InvocationTracker, StreamContext, parse_event
from lambdatui.aws.logrecords import (
    InvocationStatus,
    Level,
    LogRecord,
    RecordFormat,
    RecordKind,
)

GROUP = "/aws/lambda/orders-api"
STREAM = "2026/12/01/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0"
TS = 1_764_568_391_000
RID = "8f5a0c4e-1b2d-4c3e-9f10-aa11bb22cc33"


def parse(message: str) -> LogRecord:
    return parse_event(message, timestamp=TS, log_group=GROUP, log_stream=STREAM)


@pytest.mark.parametrize(
    "line",
    [
        "Thread pool started with 4 workers",  # a T that is no TELEMETRY line
        f"RequestId: {RID} finished after a retry",  # neither an error nor an exit
        # Node.js's layout with a time no calendar has.
        f"2026-13-45T05:53:11.123Z\t{RID}\tINFO\torder accepted",
        # .NET without a level label, and a time no calendar has.
        f"2026-13-45T05:53:11.123Z\t{RID}\torder accepted",
        # Log4j's layout with a time no calendar has.
        f"2026-13-45 05:53:11 {RID} INFO OrderHandler - order accepted",
        # Ruby's Logger, cut short in every place it can be.
        "E, [2026-12-01T05:53:11.123456 #8 and the bracket never closes",
        "E, [2026-12-01T05:53:11.123456]  ERROR -- : no process id",
        "I, [2026-12-01T05:53:11.123456 #8]  INFO : no separator",
        "I, [2026-12-01T05:53:11.123456 #8]  INFO one two -- : three words",
        "W, [2026-12-01T05:53:11.123456 #8]  WARN -- no program name",
    ],
)
def test_a_near_miss_of_a_layout_is_shown_as_it_is(line: str) -> None:
    record = parse(line)

    assert record.kind is RecordKind.RAW
    assert record.message == line
    assert record.record_time is None


def test_a_logs_api_subscription_line_is_a_platform_record() -> None:
    line = "LOGS\tName: telemetry-ext\tState: Subscribed\tTypes: [function, platform]"

    record = parse(line)

    assert record.kind is RecordKind.PLATFORM_OTHER
    assert record.level is Level.INFO
    assert record.message == line


def test_a_report_with_unreadable_figures_keeps_the_readable_ones() -> None:
    record = parse(f"REPORT RequestId: {RID}\tDuration: fast ms\tBilled Duration: 27 ms\t")

    assert record.kind is RecordKind.REPORT
    assert record.report is not None
    assert record.report.duration_ms is None
    assert record.report.billed_duration_ms == 27
    assert record.message == "REPORT billed 27 ms"


def test_a_report_naming_an_error_without_a_status_says_the_error() -> None:
    record = parse(f"REPORT RequestId: {RID}\tDuration: 3.00 ms\tError Type: Runtime.Unknown\t")

    assert record.message == "REPORT Duration 3.00 ms, Runtime.Unknown"
    assert record.level is Level.INFO


def test_a_java_exception_of_a_thread_is_named_by_its_class() -> None:
    line = (
        '[ERROR] Exception in thread "main" java.lang.IllegalStateException: stock below zero\n'
        "\tat com.shop.Stock.take(Stock.java:41)\n"
    )

    record = parse(line)

    assert record.level is Level.ERROR
    assert record.exception_name == "java.lang.IllegalStateException"
    assert record.exception is not None
    assert record.exception.startswith("Exception in thread")


def test_a_dotnet_exception_without_a_level_is_an_error() -> None:
    line = (
        f"2026-12-01T05:53:11.123Z\t{RID}\tSystem.InvalidOperationException: no stock\n"
        "   at Shop.Stock.Take() in /src/Stock.cs:line 41"
    )

    record = parse(line)

    assert record.level is Level.ERROR
    assert record.request_id == RID
    assert record.message.startswith("System.InvalidOperationException: no stock")


def test_a_log4j_line_without_a_logger_keeps_the_whole_text() -> None:
    record = parse("2026-12-01 05:53:11 INFO order accepted without a logger name")

    assert record.kind is RecordKind.APP
    assert record.level is Level.INFO
    assert record.message == "order accepted without a logger name"
    assert record.location is None
    assert record.request_id is None


def test_a_logfmt_value_that_opens_a_quote_and_ends_is_kept() -> None:
    record = parse('level=INFO msg="')

    assert record.kind is RecordKind.APP
    assert record.message == '"'


@pytest.mark.parametrize(
    "text",
    [
        "Invoke Error without a JSON part",
        'Invoke Error \t{"errorType": "TypeError", "errorMessage": "cut',
    ],
)
def test_a_node_invoke_error_without_readable_json_keeps_its_text(text: str) -> None:
    record = parse(f"2026-12-01T05:53:11.123Z\t{RID}\tERROR\t{text}")

    assert record.level is Level.ERROR
    assert record.message == text
    assert record.exception is None
    assert record.exception_name is None


def test_a_powertools_exception_without_a_level_is_an_error() -> None:
    line = json.dumps(
        {
            "message": "payment failed",
            "function_request_id": RID,
            "exception_name": "ValueError",
            "exception": "Traceback (most recent call last):\nValueError: bad card",
        }
    )

    record = parse(line)

    assert record.format is RecordFormat.POWERTOOLS
    assert record.level is Level.ERROR
    assert record.exception_name == "ValueError"


def test_a_json_time_too_long_to_be_one_is_no_time() -> None:
    record = parse(json.dumps({"timestamp": "2026-12-01T05:53:11.123Z" * 3, "message": "hi"}))

    assert record.message == "hi"
    assert record.record_time is None


def test_an_unknown_platform_record_names_its_request() -> None:
    line = json.dumps(
        {
            "time": "2026-12-01T05:53:11.123Z",
            "type": "platform.restoreReport",
            "record": {"requestId": RID, "status": "success"},
        }
    )

    record = parse(line)

    assert record.kind is RecordKind.PLATFORM_OTHER
    assert record.request_id == RID
    assert record.message == f"RESTORE_REPORT RequestId: {RID} status: success"


def test_a_platform_report_trace_without_a_root_is_kept_whole() -> None:
    line = json.dumps(
        {
            "time": "2026-12-01T05:53:11.123Z",
            "type": "platform.report",
            "record": {
                "requestId": RID,
                "metrics": {"durationMs": 2.5},
                "tracing": {"type": "X-Amzn-Trace-Id", "value": "Parent=53995c3f42cd8ad8"},
            },
        }
    )

    record = parse(line)

    assert record.xray_trace_id == "Parent=53995c3f42cd8ad8"


def test_times_stay_right_past_the_cache_of_seconds() -> None:
    # A long tail brings more distinct seconds than the cache keeps; it starts over.
    base = parse("2026-12-01T00:00:00.000Z\t-\tINFO\tfirst").record_time
    assert base is not None
    for second in range(5000):
        hour, rest = divmod(second, 3600)
        minute, sec = divmod(rest, 60)
        stamp = f"2026-12-02T{hour:02}:{minute:02}:{sec:02}.250Z"
        record = parse(f"{stamp}\t{RID}\tINFO\tline {second}")
        assert record.record_time == base + 86_400_000 + second * 1000 + 250

    assert parse("2026-12-01T00:00:00.000Z\t-\tINFO\tagain").record_time == base


class _Hostile(str):
    """A message whose every slice fails: what the net under the parsers is for."""

    def __getitem__(self, key: object) -> str:
        raise RuntimeError("unreadable")


def test_a_message_no_parser_can_read_is_kept_as_it_came() -> None:
    message = _Hostile("[ERROR] anything")

    record = parse(message)

    assert record.kind is RecordKind.RAW
    assert record.level is Level.NONE
    assert record.message is message
    assert record.log_group == GROUP


def test_a_continuation_with_nothing_before_it_is_left_alone() -> None:
    record = parse("\tat com.shop.Stock.take(Stock.java:41)")

    [completed] = StreamContext().apply([record])

    assert completed is record


def test_an_out_of_memory_exit_marks_the_invocation_oom() -> None:
    tracker = InvocationTracker()
    records = [
        parse(f"START RequestId: {RID} Version: $LATEST"),
        parse(
            f"RequestId: {RID} Error: Runtime exited with error: signal: killed\n"
            "Runtime.OutOfMemory"
        ),
    ]

    tracker.feed_many(records)

    invocation = tracker.get(RID)
    assert invocation is not None
    assert invocation.status is InvocationStatus.OOM


def test_a_report_record_without_figures_still_ends_the_invocation() -> None:
    # The tracker takes any LogRecord; one built by hand may carry no Report.
    tracker = InvocationTracker()
    tracker.feed(parse(f"START RequestId: {RID} Version: $LATEST"))

    tracker.feed(LogRecord(TS + 5, GROUP, STREAM, "REPORT", kind=RecordKind.REPORT, request_id=RID))

    invocation = tracker.get(RID)
    assert invocation is not None
    assert invocation.end_ts == TS + 5
    assert invocation.duration_ms is None
    assert invocation.status is InvocationStatus.OK


@pytest.mark.parametrize(
    ("word", "level"),
    [("INFO+4", Level.WARN), ("WARN+4", Level.ERROR), ("DEBUG-4", Level.DEBUG)],
)
def test_a_slog_level_with_an_offset_reads_as_the_level_it_reaches(word: str, level: Level) -> None:
    record = parse(f"2026/12/01 05:53:11 {word} cache warm k=v")

    assert record.level is level
    assert record.message == "cache warm k=v"


def test_a_word_with_an_offset_that_is_no_slog_level_stays_in_the_message() -> None:
    record = parse("2026/12/01 05:53:11 BATCH+2 started")

    assert record.level is Level.NONE
    assert record.message == "BATCH+2 started"
