from __future__ import annotations

import ast
import copy
import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdatui.aws import logparse
from lambdatui.aws.logparse import InvocationTracker, parse_event
from lambdatui.aws.logrecords import (
    InvocationStatus,
    Level,
    LogRecord,
    RecordFormat,
    RecordKind,
    Report,
)

GROUP = "/aws/lambda/orders-api"
STREAM = "2024/11/20/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0"
OTHER_STREAM = "2024/11/20/[$LATEST]99aa88bb77cc66dd55ee44ff33001122"
TS = 1_732_097_730_123
RID = "8f5a0c4e-1b2d-4c3e-9f10-aa11bb22cc33"
RID2 = "c0ffee00-1111-4222-8333-944455556666"
TRACE = "1-6740b6c2-5a1b2c3d4e5f60718293a4b5"


def parse(message: str, *, stream: str = STREAM, timestamp: int = TS) -> LogRecord:
    return parse_event(
        message,
        timestamp=timestamp,
        log_group=GROUP,
        log_stream=stream,
        event_id="38261528913371224598214513380553066447155370474815569920",
        ingestion_time=timestamp + 40,
    )


def report_line(rid: str = RID, *, extra: str = "", init: bool = False) -> str:
    init_part = "Init Duration: 130.49 ms\t" if init else ""
    return (
        f"REPORT RequestId: {rid}\tDuration: 26.73 ms\tBilled Duration: 27 ms\t"
        f"Memory Size: 128 MB\tMax Memory Used: 75 MB\t{init_part}{extra}\n"
    )


# --- Level ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("WARNING", Level.WARN),
        ("warn", Level.WARN),
        ("CRITICAL", Level.FATAL),
        ("critical", Level.FATAL),
        ("Info", Level.INFO),
        ("TRACE", Level.TRACE),
        ("debug", Level.DEBUG),
        ("ERROR", Level.ERROR),
        ("fatal", Level.FATAL),
        ("bogus", Level.NONE),
        ("", Level.NONE),
        (None, Level.NONE),
        (30, Level.INFO),
        (50, Level.ERROR),
        (True, Level.NONE),
    ],
)
def test_level_parse(text: object, level: Level) -> None:
    assert Level.parse(text) is level


def test_level_order() -> None:
    assert (
        Level.NONE < Level.TRACE < Level.DEBUG < Level.INFO < Level.WARN < Level.ERROR < Level.FATAL
    )


# --- Records ----------------------------------------------------------------------


def test_record_is_frozen_slotted_and_keeps_context() -> None:
    record = parse("hello\n")
    assert type(record) is LogRecord
    assert not hasattr(record, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.message = "changed"  # type: ignore[misc]
    assert record.timestamp == TS
    assert record.ingestion_time == TS + 40
    assert record.event_id is not None
    assert (record.log_group, record.log_stream) == (GROUP, STREAM)
    assert record.raw == "hello\n"


def test_record_copies_and_pickles() -> None:
    record = parse(report_line(init=True))
    assert copy.copy(record) == record
    assert pickle.loads(pickle.dumps(record)) == record
    assert dataclasses.replace(record, message="x").message == "x"


def test_parsed_record_equals_one_built_directly() -> None:
    record = parse_event("plain", timestamp=1)
    assert record == LogRecord(1, "", "", "plain", message="plain")
    assert type(record.report) is type(None)
    report = parse(report_line()).report
    assert type(report) is Report
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.duration_ms = 1.0  # type: ignore[misc]


def test_core_imports_no_ui() -> None:
    root = Path(logparse.__file__).parent
    for name in ("logparse.py", "logrecords.py"):
        tree = ast.parse((root / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert not module.startswith(("textual", "rich")), (name, module)


# --- Text format platform lines ---------------------------------------------------


def test_text_start() -> None:
    record = parse(f"START RequestId: {RID} Version: $LATEST\n")
    assert record.kind is RecordKind.START
    assert record.format is RecordFormat.TEXT
    assert record.request_id == RID
    assert record.level is Level.INFO
    assert record.message == f"START RequestId: {RID} Version: $LATEST"


def test_text_end() -> None:
    record = parse(f"END RequestId: {RID}\n")
    assert record.kind is RecordKind.END
    assert record.request_id == RID


def test_text_report_warm() -> None:
    record = parse(report_line())
    assert record.kind is RecordKind.REPORT
    assert record.request_id == RID
    assert record.level is Level.INFO
    assert record.report == Report(
        duration_ms=26.73,
        billed_duration_ms=27,
        memory_size_mb=128,
        max_memory_used_mb=75,
        init_duration_ms=None,
    )
    assert "26.73 ms" in record.message
    assert "75/128 MB" in record.message


def test_text_report_cold_and_traced() -> None:
    line = (
        f"REPORT RequestId: {RID}\tDuration: 1042.17 ms\tBilled Duration: 1043 ms\t"
        "Memory Size: 512 MB\tMax Memory Used: 88 MB\tInit Duration: 130.49 ms\t\n"
        f"XRAY TraceId: {TRACE}\tSegmentId: 6a4f5e0a2e1b3c4d\tSampled: true\t\n"
    )
    record = parse(line)
    assert record.report is not None
    assert record.report.init_duration_ms == 130.49
    assert record.report.duration_ms == 1042.17
    assert record.report.memory_size_mb == 512
    assert record.report.xray_trace_id == TRACE
    assert record.xray_trace_id == TRACE
    assert "init 130.49 ms" in record.message


def test_text_report_timeout() -> None:
    record = parse(report_line(extra="Status: timeout\t"))
    assert record.report is not None
    assert record.report.status == "timeout"
    assert record.level is Level.ERROR
    assert "timeout" in record.message


def test_text_report_out_of_memory() -> None:
    line = (
        f"REPORT RequestId: {RID}\tDuration: 2816.61 ms\tBilled Duration: 2817 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\t"
        "Error Type: Runtime.OutOfMemory\t\n"
    )
    record = parse(line)
    assert record.report is not None
    assert record.report.status == "error"
    assert record.report.error_type == "Runtime.OutOfMemory"
    assert record.level is Level.ERROR
    assert "Runtime.OutOfMemory" in record.message


def test_text_init_start() -> None:
    line = (
        "INIT_START Runtime Version: python:3.12.v18\tRuntime Version ARN: "
        "arn:aws:lambda:us-east-1::runtime:2a8b9c1d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b\n"
    )
    record = parse(line)
    assert record.kind is RecordKind.INIT_START
    assert record.request_id is None
    assert record.message.startswith("INIT_START Runtime Version: python:3.12.v18")


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("INIT_REPORT Init Duration: 10006.66 ms\tPhase: init\tStatus: timeout\n", Level.ERROR),
        ("INIT_REPORT Init Duration: 482.33 ms\tPhase: invoke\tStatus: error\t\n", Level.ERROR),
        ("EXTENSION\tName: datadog-agent\tState: Ready\tEvents: [INVOKE, SHUTDOWN]\n", Level.INFO),
        ("TELEMETRY\tName: datadog-agent\tState: Subscribed\tTypes: [Platform]\n", Level.INFO),
        ("RESTORE_START Runtime Version: java:21.v20\n", Level.INFO),
    ],
)
def test_text_other_platform_lines(line: str, level: Level) -> None:
    record = parse(line)
    assert record.kind is RecordKind.PLATFORM_OTHER
    assert record.format is RecordFormat.TEXT
    assert record.level is level
    assert record.message == line.rstrip()


def test_runtime_exited_line() -> None:
    line = f"RequestId: {RID} Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n"
    record = parse(line)
    assert record.level is Level.ERROR
    assert record.request_id == RID
    assert record.kind is RecordKind.PLATFORM_OTHER
    assert record.exception_name == "Runtime.ExitError"
    assert record.message.startswith("Runtime exited with error: signal: killed")


def test_runtime_exited_inside_other_text_is_error() -> None:
    record = parse("Runtime exited with error: signal: killed Runtime.ExitError\n")
    assert record.level is Level.ERROR


# --- Python runtime ---------------------------------------------------------------


def test_python_line() -> None:
    record = parse(f"[INFO]\t2024-11-20T10:15:30.123Z\t{RID}\tprocessing order 42\n")
    assert record.kind is RecordKind.APP
    assert record.format is RecordFormat.TEXT
    assert record.level is Level.INFO
    assert record.request_id == RID
    assert record.record_time == TS
    assert record.message == "processing order 42"


def test_python_line_outside_an_invocation() -> None:
    record = parse(
        "[INFO]\t2024-11-20T10:15:29.001Z\t\tFound credentials in environment variables.\n"
    )
    assert record.request_id is None
    assert record.level is Level.INFO
    assert record.message == "Found credentials in environment variables."


def test_python_warning_line() -> None:
    record = parse(
        "[WARNING]\t2024-11-20T10:15:30.123Z\t\tLAMBDA_WARNING: Unhandled exception. "
        "The most likely cause is an issue in the function code.\n"
    )
    assert record.level is Level.WARN


def test_python_multiline_stack_trace_kept_whole() -> None:
    message = (
        "payment failed\nTraceback (most recent call last):\n"
        '  File "/var/task/app.py", line 12, in handler\n    charge(order)\n'
        "ValueError: card declined"
    )
    record = parse(f"[ERROR]\t2024-11-20T10:15:30.123Z\t{RID}\t{message}\n")
    assert record.level is Level.ERROR
    assert record.message == message


@pytest.mark.parametrize("sep", ["\n", "\r"])
def test_python_unhandled_exception_text(sep: str) -> None:
    lines = [
        "[ERROR] KeyError: 'order_id'",
        "Traceback (most recent call last):",
        '\u00a0\u00a0File "/var/task/app.py", line 7, in lambda_handler',
        "\u00a0\u00a0\u00a0\u00a0return event['order_id']",
    ]
    record = parse(sep.join(lines) + "\n")
    assert record.kind is RecordKind.APP
    assert record.level is Level.ERROR
    assert record.request_id is None
    assert record.exception_name == "KeyError"
    assert record.message.split("\n")[0] == "KeyError: 'order_id'"
    assert record.message.count("\n") == 3
    assert record.exception is not None
    assert record.exception.startswith("Traceback (most recent call last):")


def test_python_unhandled_exception_json() -> None:
    payload = {
        "errorMessage": "'order_id'",
        "errorType": "KeyError",
        "requestId": RID,
        "stackTrace": [
            '  File "/var/task/app.py", line 7, in lambda_handler\n    return event["order_id"]\n'
        ],
    }
    record = parse(json.dumps(payload) + "\n")
    assert record.level is Level.ERROR
    assert record.request_id == RID
    assert record.message == "KeyError: 'order_id'"
    assert record.exception_name == "KeyError"
    assert record.exception == (
        '  File "/var/task/app.py", line 7, in lambda_handler\n    return event["order_id"]'
    )
    assert record.fields == ()


def test_python_unhandled_exception_json_log_format() -> None:
    payload = {
        "timestamp": "2024-11-20T10:15:30Z",
        "level": "ERROR",
        "errorMessage": "division by zero",
        "errorType": "ZeroDivisionError",
        "requestId": RID,
        "stackTrace": ['  File "/var/task/app.py", line 3, in handler\n    return 1 / 0\n'],
    }
    record = parse(json.dumps(payload))
    assert record.level is Level.ERROR
    assert record.record_time == 1_732_097_730_000
    assert record.message == "ZeroDivisionError: division by zero"


def test_python_json_log_format_with_exception() -> None:
    payload = {
        "timestamp": "2024-11-20T10:15:30.123Z",
        "level": "ERROR",
        "message": "charge failed",
        "logger": "root",
        "stackTrace": ['  File "/var/task/app.py", line 9, in handler\n    charge()\n'],
        "errorType": "ValueError",
        "errorMessage": "card declined",
        "requestId": RID,
        "location": "/var/task/app.py:handler:9",
    }
    record = parse(json.dumps(payload))
    assert record.message == "charge failed"
    assert record.exception_name == "ValueError"
    assert record.location == "/var/task/app.py:handler:9"
    assert record.fields == (("logger", "root"), ("errorMessage", "card declined"))


# --- Node.js runtime --------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "level"),
    [("INFO", Level.INFO), ("WARN", Level.WARN), ("ERROR", Level.ERROR), ("DEBUG", Level.DEBUG)],
)
def test_node_line(word: str, level: Level) -> None:
    record = parse(f"2024-11-20T10:15:30.123Z\t{RID}\t{word}\tcart has 3 items\n")
    assert record.kind is RecordKind.APP
    assert record.format is RecordFormat.TEXT
    assert record.level is level
    assert record.request_id == RID
    assert record.record_time == TS
    assert record.message == "cart has 3 items"


def test_node_line_before_invocation_and_stdout_newlines() -> None:
    record = parse("2024-11-20T10:15:30.123Z\tundefined\tINFO\tline one\rline two\n")
    assert record.request_id is None
    assert record.message == "line one\nline two"


def test_node_invoke_error() -> None:
    line = (
        f"2024-11-20T10:15:30.123Z\t{RID}\tERROR\tInvoke Error \t"
        '{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined",'
        '"stack":["TypeError: Cannot read properties of undefined",'
        '"    at Runtime.handler (file:///var/task/index.mjs:4:21)"]}\n'
    )
    record = parse(line)
    assert record.level is Level.ERROR
    assert record.request_id == RID
    assert record.exception_name == "TypeError"
    assert record.message == "Invoke Error TypeError: Cannot read properties of undefined"
    assert record.exception == (
        "TypeError: Cannot read properties of undefined\n"
        "    at Runtime.handler (file:///var/task/index.mjs:4:21)"
    )


def test_node_json_log_format_error_object() -> None:
    payload = {
        "timestamp": "2024-11-20T10:15:30.123Z",
        "level": "ERROR",
        "requestId": RID,
        "message": {
            "errorType": "Error",
            "errorMessage": "boom",
            "stackTrace": [
                "Error: boom",
                "    at Runtime.handler (file:///var/task/index.mjs:2:9)",
            ],
            "code": "E_BOOM",
        },
    }
    record = parse(json.dumps(payload))
    assert record.format is RecordFormat.JSON
    assert record.level is Level.ERROR
    assert record.message == "Error: boom"
    assert record.exception_name == "Error"
    assert record.exception is not None and record.exception.startswith("Error: boom\n")
    assert record.fields == (("code", "E_BOOM"),)


# --- Timeouts ---------------------------------------------------------------------


def test_timeout_line() -> None:
    record = parse(f"2024-11-20T10:15:33.456Z {RID} Task timed out after 3.00 seconds\n\n")
    assert record.kind is RecordKind.TIMEOUT
    assert record.level is Level.ERROR
    assert record.request_id == RID
    assert record.record_time == 1_732_097_733_456
    assert record.message == "Task timed out after 3.00 seconds"


# --- Lambda JSON log format -------------------------------------------------------


def test_json_app_record() -> None:
    payload = {
        "timestamp": "2024-11-20T10:15:30.123Z",
        "level": "INFO",
        "message": "order accepted",
        "logger": "root",
        "requestId": RID,
        "orderId": 42,
        "items": [{"sku": "A-1", "qty": 2}],
        "paid": True,
    }
    record = parse(json.dumps(payload) + "\n")
    assert record.kind is RecordKind.APP
    assert record.format is RecordFormat.JSON
    assert record.level is Level.INFO
    assert record.request_id == RID
    assert record.record_time == TS
    assert record.message == "order accepted"
    assert record.fields == (
        ("logger", "root"),
        ("orderId", 42),
        ("items", [{"sku": "A-1", "qty": 2}]),
        ("paid", True),
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"b": 1, "a": [1, 2]}, '{"b":1,"a":[1,2]}'),
        ([1, "two", None], '[1,"two",null]'),
        (3.5, "3.5"),
        (None, "null"),
        ("ünïcode ✓", "ünïcode ✓"),
    ],
)
def test_json_app_record_non_string_message(value: object, shown: str) -> None:
    payload = {"timestamp": "2024-11-20T10:15:30.123Z", "level": "DEBUG", "message": value}
    assert parse(json.dumps(payload)).message == shown


def test_json_printed_to_stdout_without_message() -> None:
    record = parse('{"event":"cache_miss","key":"user:7"}\n')
    assert record.format is RecordFormat.JSON
    assert record.level is Level.NONE
    assert record.message == '{"event":"cache_miss","key":"user:7"}'


def test_json_with_leading_whitespace() -> None:
    record = parse('  \t{"level":"warn","message":"slow"}')
    assert record.format is RecordFormat.JSON
    assert record.level is Level.WARN


def test_pino_style_json() -> None:
    record = parse('{"level":50,"time":1732097730123,"msg":"db down","awsRequestId":"' + RID + '"}')
    assert record.level is Level.ERROR
    assert record.record_time == TS
    assert record.message == "db down"
    assert record.request_id == RID


# --- Lambda JSON system records ---------------------------------------------------


def system(kind: str, record: object) -> str:
    return json.dumps({"time": "2024-11-20T10:15:30.123Z", "type": kind, "record": record})


def test_platform_init_start() -> None:
    record = parse(
        system(
            "platform.initStart",
            {
                "initializationType": "on-demand",
                "phase": "init",
                "runtimeVersion": "python:3.12.v18",
                "runtimeVersionArn": "arn:aws:lambda:us-east-1::runtime:2a8b9c1d",
                "functionName": "orders-api",
                "functionVersion": "$LATEST",
            },
        )
    )
    assert record.kind is RecordKind.INIT_START
    assert record.format is RecordFormat.JSON
    assert record.record_time == TS
    assert "python:3.12.v18" in record.message
    assert ("phase", "init") in record.fields


def test_platform_start() -> None:
    record = parse(system("platform.start", {"requestId": RID, "version": "$LATEST"}))
    assert record.kind is RecordKind.START
    assert record.request_id == RID
    assert record.message == f"START RequestId: {RID} Version: $LATEST"


def test_platform_runtime_done() -> None:
    ok = parse(
        system(
            "platform.runtimeDone",
            {
                "requestId": RID,
                "status": "success",
                "metrics": {"durationMs": 25.3, "producedBytes": 52},
                "spans": [{"name": "responseLatency", "durationMs": 24.1}],
            },
        )
    )
    assert ok.kind is RecordKind.RUNTIME_DONE
    assert ok.level is Level.INFO
    assert ok.request_id == RID
    failed = parse(
        system(
            "platform.runtimeDone",
            {"requestId": RID, "status": "error", "errorType": "Runtime.ExitError"},
        )
    )
    assert failed.level is Level.ERROR
    assert failed.exception_name == "Runtime.ExitError"


def test_platform_report_cold_traced() -> None:
    record = parse(
        system(
            "platform.report",
            {
                "requestId": RID,
                "metrics": {
                    "durationMs": 26.73,
                    "billedDurationMs": 27,
                    "memorySizeMB": 128,
                    "maxMemoryUsedMB": 75,
                    "initDurationMs": 130.49,
                },
                "tracing": {
                    "spanId": "6a4f5e0a2e1b3c4d",
                    "type": "X-Amzn-Trace-Id",
                    "value": f"Root={TRACE};Parent=6a4f5e0a2e1b3c4d;Sampled=1",
                },
                "status": "success",
            },
        )
    )
    assert record.kind is RecordKind.REPORT
    assert record.level is Level.INFO
    assert record.report == Report(
        duration_ms=26.73,
        billed_duration_ms=27,
        memory_size_mb=128,
        max_memory_used_mb=75,
        init_duration_ms=130.49,
        status="success",
        xray_trace_id=TRACE,
    )
    assert record.message == parse(report_line(init=True)).message


def test_platform_report_timeout_and_oom() -> None:
    metrics = {"durationMs": 3000.0, "billedDurationMs": 3000, "memorySizeMB": 128}
    timeout = parse(
        system("platform.report", {"requestId": RID, "metrics": metrics, "status": "timeout"})
    )
    assert timeout.report is not None and timeout.report.status == "timeout"
    assert timeout.level is Level.ERROR
    oom = parse(
        system(
            "platform.report",
            {
                "requestId": RID,
                "metrics": {**metrics, "maxMemoryUsedMB": 128},
                "status": "error",
                "errorType": "Runtime.OutOfMemory",
            },
        )
    )
    assert oom.report is not None
    assert (oom.report.status, oom.report.error_type) == ("error", "Runtime.OutOfMemory")


@pytest.mark.parametrize(
    ("kind", "body", "level", "start"),
    [
        (
            "platform.extension",
            {"name": "datadog-agent", "state": "Ready", "events": ["INVOKE", "SHUTDOWN"]},
            Level.INFO,
            "EXTENSION name: datadog-agent state: Ready events: [INVOKE, SHUTDOWN]",
        ),
        (
            "platform.telemetrySubscription",
            {"name": "otel", "state": "Subscribed", "types": ["platform", "function"]},
            Level.INFO,
            "TELEMETRY_SUBSCRIPTION name: otel",
        ),
        (
            "platform.logsDropped",
            {"reason": "Consumer seems to have fallen behind", "droppedRecords": 42},
            Level.WARN,
            "LOGS_DROPPED reason: Consumer seems to have fallen behind droppedRecords: 42",
        ),
        (
            "platform.initReport",
            {"initializationType": "on-demand", "phase": "init", "status": "timeout"},
            Level.ERROR,
            "INIT_REPORT",
        ),
        ("platform.somethingNew", {"x": 1}, Level.INFO, "SOMETHING_NEW x: 1"),
        ("platform.weird", "not a dict", Level.INFO, "WEIRD not a dict"),
    ],
)
def test_platform_other(kind: str, body: object, level: Level, start: str) -> None:
    record = parse(system(kind, body))
    assert record.kind is RecordKind.PLATFORM_OTHER
    assert record.format is RecordFormat.JSON
    assert record.level is level
    assert record.message.startswith(start)


# --- Powertools -------------------------------------------------------------------


def test_powertools_record() -> None:
    payload = {
        "level": "INFO",
        "location": "collect_payment:42",
        "message": "payment collected",
        "timestamp": "2024-11-20 10:15:30,123+0000",
        "service": "payment",
        "cold_start": True,
        "function_name": "orders-api",
        "function_memory_size": 128,
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:orders-api",
        "function_request_id": RID,
        "order_id": "o-991",
        "xray_trace_id": TRACE,
        "sampling_rate": 0.1,
    }
    record = parse(json.dumps(payload) + "\n")
    assert record.format is RecordFormat.POWERTOOLS
    assert record.kind is RecordKind.APP
    assert record.level is Level.INFO
    assert record.request_id == RID
    assert record.record_time == TS
    assert record.service == "payment"
    assert record.location == "collect_payment:42"
    assert record.cold_start is True
    assert record.xray_trace_id == TRACE
    assert record.fields[0] == ("order_id", "o-991")
    assert dict(record.fields)["function_name"] == "orders-api"


def test_powertools_exception() -> None:
    payload = {
        "level": "ERROR",
        "location": "handler:17",
        "message": {"order": 7, "state": "failed"},
        "timestamp": "2024-11-20 10:15:30,123+0000",
        "service": "payment",
        "cold_start": False,
        "function_request_id": RID,
        "exception": 'Traceback (most recent call last):\n  File "/var/task/app.py", line 17\n'
        "ValueError: card declined",
        "exception_name": "ValueError",
    }
    record = parse(json.dumps(payload))
    assert record.level is Level.ERROR
    assert record.message == '{"order":7,"state":"failed"}'
    assert record.exception_name == "ValueError"
    assert record.exception is not None and record.exception.endswith("card declined")
    assert record.cold_start is False


# --- Raw --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("[WARN] disk almost full\n", Level.WARN),
        ("[debug] cache warm", Level.DEBUG),
        ("ERROR: upstream returned 502\n", Level.ERROR),
        ("WARNING:root:retrying\n", Level.WARN),
        ("hello: world", Level.NONE),
        ("just some print output\n", Level.NONE),
        ("[1, 2, 3]", Level.NONE),
        ("", Level.NONE),
        ("   ", Level.NONE),
    ],
)
def test_raw_lines(line: str, level: Level) -> None:
    record = parse(line)
    assert record.kind is RecordKind.RAW
    assert record.format is RecordFormat.RAW
    assert record.level is level
    assert record.message == line.rstrip("\n")


def test_markup_stays_literal() -> None:
    for line in ("[bold red]x[/]", '{"message":"[bold red]x[/]"}', "[ERROR] [bold red]x[/]"):
        record = parse(line)
        assert "[bold red]x[/]" in record.message


def test_invalid_json_is_raw() -> None:
    record = parse('{"level": "INFO", "message": "cut off')
    assert record.kind is RecordKind.RAW
    assert record.message == '{"level": "INFO", "message": "cut off'


def test_tricky_prefixes_are_raw() -> None:
    for line in (
        "START of batch",
        "REPORT ready",
        "2024 was a good year",
        "2024-11-20T10:15:30.123Z\tnot\ta level\t",
        "RequestId: x",
        "[ERROR]\tnot-a-time\tabc\tmsg",
        "INIT",
        "2 cats said Task timed out after 3.00 seconds",
    ):
        assert parse(line).kind is RecordKind.RAW, line


# --- Java, .NET, Go and Ruby runtime lines ------------------------------------------


def test_java_log4j2_lambda_layout() -> None:
    record = parse(f"2026-12-01 05:53:11 {RID} INFO  LabelHandler - Requesting UPS label\n")
    assert (record.kind, record.format, record.level) == (
        RecordKind.APP,
        RecordFormat.TEXT,
        Level.INFO,
    )
    assert record.request_id == RID
    assert record.record_time == 1_796_104_391_000
    assert record.location == "LabelHandler"
    assert record.message == "Requesting UPS label"


@pytest.mark.parametrize(
    ("line", "level", "rid", "location", "message"),
    [
        # The request id is empty outside an invocation (init).
        (
            "2026-12-01 05:53:11  WARN  LabelHandler - warming up",
            Level.WARN,
            None,
            "LabelHandler",
            "warming up",
        ),
        # A layout without %X{AWSRequestId}.
        ("2026-12-01 05:53:11 DEBUG Cache - miss", Level.DEBUG, None, "Cache", "miss"),
        # %c{1}:%L, milliseconds, a message with " - " in it.
        (
            f"2026-12-01 05:53:11.250 {RID} ERROR LabelHandler:88 - carrier - down",
            Level.ERROR,
            RID,
            "LabelHandler:88",
            "carrier - down",
        ),
        (f"2026-12-01 05:53:11,250 {RID} FATAL Main - bye", Level.FATAL, RID, "Main", "bye"),
    ],
)
def test_java_log4j2_variants(
    line: str, level: Level, rid: str | None, location: str, message: str
) -> None:
    record = parse(line + "\n")
    assert (record.kind, record.level, record.request_id) == (RecordKind.APP, level, rid)
    assert (record.location, record.message) == (location, message)


def test_java_log4j2_exception_in_the_event() -> None:
    line = (
        f"2026-12-01 05:53:11 {RID} ERROR LabelHandler - Label purchase failed\n"
        "java.net.SocketTimeoutException: Read timed out\n"
        "\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)\n"
        "\tat com.example.shipping.Carrier.buy(Carrier.java:42)\n"
        "Caused by: java.io.IOException: connection reset\n"
        "\t... 2 more\n"
    )
    record = parse(line)
    assert record.level is Level.ERROR and record.request_id == RID
    assert record.message.startswith("Label purchase failed\njava.net.SocketTimeoutException")
    assert record.exception_name == "java.net.SocketTimeoutException"
    assert record.exception is not None
    assert record.exception.startswith("java.net.SocketTimeoutException: Read timed out\n\tat ")
    assert "Caused by: java.io.IOException" in record.exception


def test_java_lambda_logger_lines() -> None:
    info = parse("[INFO] Reconciling batch stl_1\n")
    assert info.level is Level.INFO and info.message == "[INFO] Reconciling batch stl_1"
    error = parse(
        "[ERROR] java.lang.IllegalStateException: no ledger\n\tat com.example.A.b(A.java:3)\n"
    )
    assert error.level is Level.ERROR
    assert error.exception_name == "java.lang.IllegalStateException"
    assert (
        error.exception
        == "java.lang.IllegalStateException: no ledger\n\tat com.example.A.b(A.java:3)"
    )
    plain = parse("Reconciling batch stl_1\n")
    assert plain.kind is RecordKind.RAW and plain.level is Level.NONE


def test_java_stack_trace_printed_line_by_line() -> None:
    head = parse("java.lang.IllegalStateException: no ledger\n")
    assert head.level is Level.ERROR
    assert head.exception_name == "java.lang.IllegalStateException"
    assert parse('Exception in thread "main" java.lang.Error: x\n').level is Level.ERROR
    for line in (
        "\tat com.example.A.b(A.java:3)\n",
        "Caused by: java.io.IOException: reset\n",
        "\t... 12 more\n",
    ):
        record = parse(line)
        assert record.kind is RecordKind.RAW and record.level is Level.NONE
        assert logparse.is_continuation(record.raw)
    assert not logparse.is_continuation("at the end of the day\n")
    assert parse("java.lang is a package: ok\n").level is Level.NONE


@pytest.mark.parametrize(
    ("label", "level"),
    [
        ("trce", Level.TRACE),
        ("dbug", Level.DEBUG),
        ("info", Level.INFO),
        ("warn", Level.WARN),
        ("fail", Level.ERROR),
        ("crit", Level.FATAL),
    ],
)
def test_dotnet_ilambdalogger_line(label: str, level: Level) -> None:
    record = parse(f"2026-12-01T05:53:11.123Z\t{RID}\t{label}\tOrder 42 saved\n")
    assert (record.kind, record.level, record.request_id) == (RecordKind.APP, level, RID)
    assert record.record_time == 1_796_104_391_123
    assert record.message == "Order 42 saved"


def test_dotnet_exception_and_unlabelled_lines() -> None:
    failed = parse(
        f"2026-12-01T05:53:11.123Z\t{RID}\tfail\tCould not save order\n"
        "System.InvalidOperationException: ledger closed\n"
        "   at Orders.Ledger.Save(Order order) in /src/Ledger.cs:line 31\n"
        "   at Orders.Function.Handler(Event e) in /src/Function.cs:line 12\n"
    )
    assert failed.level is Level.ERROR
    assert failed.exception_name == "System.InvalidOperationException"
    assert failed.exception is not None and failed.exception.startswith("System.Invalid")
    # ASP.NET Core's provider writes its own level; the runtime then leaves its label out.
    aspnet = parse(f"2026-12-01T05:53:11.123Z\t{RID}\t[Warning] Orders.Api: slow\tcart\n")
    assert (aspnet.kind, aspnet.level, aspnet.request_id) == (RecordKind.APP, Level.WARN, RID)
    assert aspnet.message == "[Warning] Orders.Api: slow\tcart"
    information = parse(f"2026-12-01T05:53:11.123Z\t{RID}\t[Information] Orders.Api: ok\n")
    assert information.level is Level.INFO
    before_first = parse("2026-12-01T05:53:11.123Z\t\tinfo\tstarting\n")
    assert before_first.level is Level.INFO and before_first.request_id is None


@pytest.mark.parametrize(
    ("line", "level", "message", "record_time"),
    [
        (
            "2026/12/01 05:53:11 rotated signing key\n",
            Level.NONE,
            "rotated signing key",
            1_796_104_391_000,
        ),
        # slog's default logger writes through `log`, level first.
        (
            "2026/12/01 05:53:11 WARN rejected expired session token client_id=ios-app\n",
            Level.WARN,
            "rejected expired session token client_id=ios-app",
            1_796_104_391_000,
        ),
        ("2026/12/01 05:53:11.250123 ERROR+2 boom\n", Level.ERROR, "boom", 1_796_104_391_250),
        (
            "2026/12/01 05:53:11 main.go:23: Info about x\n",
            Level.NONE,
            "main.go:23: Info about x",
            1_796_104_391_000,
        ),
    ],
)
def test_go_log_lines(line: str, level: Level, message: str, record_time: int) -> None:
    record = parse(line)
    assert (record.kind, record.level, record.message) == (RecordKind.APP, level, message)
    assert record.record_time == record_time


def test_go_slog_text_handler() -> None:
    record = parse(
        'time=2026-12-01T05:53:11.123Z level=WARN source=/var/task/main.go:41 msg="rejected '
        f'\\"expired\\" token" client_id=ios-app ttl=900 requestId={RID}\n'
    )
    assert (record.kind, record.level, record.request_id) == (RecordKind.APP, Level.WARN, RID)
    assert record.message == 'rejected "expired" token'
    assert record.record_time == 1_796_104_391_123
    assert record.location == "/var/task/main.go:41"
    assert record.fields == (("client_id", "ios-app"), ("ttl", "900"))
    bare = parse("level=INFO msg=hello\n")
    assert (bare.level, bare.message, bare.record_time) == (Level.INFO, "hello", None)
    assert parse("timeout after 3 s\n").kind is RecordKind.RAW
    assert parse("level=unknown\n").kind is RecordKind.RAW


def test_go_slog_json_handler() -> None:
    record = parse(
        '{"time":"2026-12-01T05:53:11.123456789Z","level":"INFO+2","msg":"issued access token",'
        f'"client_id":"storefront-web","requestId":"{RID}"}}'
    )
    assert (record.level, record.message, record.request_id) == (
        Level.INFO,
        "issued access token",
        RID,
    )
    assert record.record_time == 1_796_104_391_123
    assert record.fields == (("client_id", "storefront-web"),)


@pytest.mark.parametrize(
    ("line", "level", "rid", "message"),
    [
        (
            "I, [2026-12-01T05:53:11.123456 #8]  INFO -- : Hello from Ruby\n",
            Level.INFO,
            None,
            "Hello from Ruby",
        ),
        (
            f"I, [2026-12-01T05:53:11.123456 #8]  INFO {RID} -- : ## EVENT\n",
            Level.INFO,
            RID,
            "## EVENT",
        ),
        (
            f"D, [2026-12-01T05:53:11.123456 #8] DEBUG {RID} -- worker: cache warm\n",
            Level.DEBUG,
            RID,
            "cache warm",
        ),
        (
            "W, [2026-12-01T05:53:11.123456#8]  WARN -- : older Ruby\n",
            Level.WARN,
            None,
            "older Ruby",
        ),
        ("F, [2026-12-01T05:53:11.123456 #8] FATAL -- : down\n", Level.FATAL, None, "down"),
        ("A, [2026-12-01T05:53:11.123456 #8]   ANY -- : anything\n", Level.NONE, None, "anything"),
    ],
)
def test_ruby_logger_lines(line: str, level: Level, rid: str | None, message: str) -> None:
    record = parse(line)
    assert (record.kind, record.level, record.request_id) == (RecordKind.APP, level, rid)
    assert record.message == message
    assert record.record_time == 1_796_104_391_123


def test_ruby_logged_exception() -> None:
    record = parse(
        f"E, [2026-12-01T05:53:11.123456 #8] ERROR {RID} -- : no intent (KeyError)\n"
        "/var/task/app.rb:12:in `fetch'\n/var/task/app.rb:12:in `handler'\n"
    )
    assert record.level is Level.ERROR and record.exception_name == "KeyError"
    assert record.exception is not None and "app.rb:12" in record.exception


@pytest.mark.parametrize(
    "line",
    [
        "2026-12-01 05:53:11 started the batch\n",
        "2026-12-01 05:53:11 not-a-request-id INFO X - y\n",
        "2026/12/01 is a date\n",
        "2026/12/01 05:53:1 short\n",
        "I, [not a time #8]  INFO -- : x\n",
        "E, [2026-12-01T05:53:11.123456 #8] OOPS -- : x\n",
        "Done, [2026-12-01]\n",
        "2026-12-01T05:53:11.123Z\tnot-a-request-id\tsomething\n",
    ],
)
def test_lookalikes_of_runtime_lines_are_raw(line: str) -> None:
    assert parse(line).kind is RecordKind.RAW, line


def test_runtime_lines_keep_escapes_and_long_text_as_text() -> None:
    hostile = "pwn \x1b[2J\x1b]52;c;aGFjaw==\x07 [bold red]x[/] \u202e"
    long_text = "y" * (1 << 20)
    for template in (
        "2026-12-01 05:53:11 " + RID + " ERROR LabelHandler - {}\n",
        "2026-12-01T05:53:11.123Z\t" + RID + "\tfail\t{}\n",
        "2026/12/01 05:53:11 ERROR {}\n",
        'time=2026-12-01T05:53:11.123Z level=ERROR msg="{}"\n',
        "E, [2026-12-01T05:53:11.123456 #8] ERROR " + RID + " -- : {}\n",
    ):
        for text in (hostile, long_text):
            record = parse(template.format(text))
            assert record.kind is RecordKind.APP and record.level is Level.ERROR, template
            assert text in record.message
    unterminated = parse('level=INFO msg="' + 'a "' * 100_000 + "\n")
    assert unterminated.kind is RecordKind.APP


# --- Stream context ---------------------------------------------------------------


def test_stream_context_credits_lines_written_inside_an_invocation() -> None:
    context = logparse.StreamContext()
    lines = [
        f"START RequestId: {RID} Version: $LATEST\n",
        "2026/12/01 05:53:11 INFO rotated signing key\n",
        "plain print output\n",
        f"END RequestId: {RID}\n",
        report_line(),
        "between invocations\n",
    ]
    records = context.apply([parse(line, timestamp=TS + i) for i, line in enumerate(lines)])
    assert [r.request_id for r in records] == [RID, RID, RID, RID, RID, None]
    assert records[1].level is Level.INFO
    # Another stream's invocation is not this one's.
    other = context.apply([parse("elsewhere\n", stream=OTHER_STREAM)])
    assert other[0].request_id is None


def test_stream_context_joins_a_trace_printed_line_by_line() -> None:
    context = logparse.StreamContext()
    first = context.apply(
        [
            parse(f"START RequestId: {RID} Version: $LATEST\n"),
            parse("java.lang.IllegalStateException: no ledger\n"),
            parse("\tat com.example.A.b(A.java:3)\n"),
        ]
    )
    # The trace goes on in the next batch, and another stream interleaves.
    later = context.apply(
        [
            parse(f"START RequestId: {RID2} Version: $LATEST\n", stream=OTHER_STREAM),
            parse("Caused by: java.io.IOException: reset\n"),
            parse("\t... 3 more\n"),
            parse("\tat elsewhere(B.java:1)\n", stream=OTHER_STREAM),
        ]
    )
    trace = [first[1], first[2], later[1], later[2]]
    assert all(r.level is Level.ERROR and r.request_id == RID for r in trace)
    assert (later[3].level, later[3].request_id) == (Level.NONE, RID2)
    tracker = InvocationTracker()
    tracker.feed_many([*first, *later])
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.error_count == 1
    assert invocation.error_message == "java.lang.IllegalStateException: no ledger"


def test_stream_context_leaves_complete_records_alone() -> None:
    context = logparse.StreamContext()
    records = [
        parse(f"START RequestId: {RID} Version: $LATEST\n"),
        parse(f"[INFO]\t2024-11-20T10:15:30.123Z\t{RID}\tok\n"),
    ]
    assert context.apply(records) is records


def test_stream_context_is_bounded() -> None:
    context = logparse.StreamContext(max_streams=10)
    for index in range(100):
        context.apply([parse(f"START RequestId: {RID} Version: $LATEST\n", stream=f"s{index}")])
    assert len(context._streams) == 10


def _demo_setup(runtime: str, log_format: str) -> Any:
    from lambdatui_sandbox.lambdalogs import FunctionSetup

    return FunctionSetup(
        name="demo",
        arn="arn:aws:lambda:us-east-1:123456789012:function:demo",
        region="us-east-1",
        runtime=runtime,
        image=False,
        handler="com.example.LabelHandler::handleRequest"
        if runtime.startswith("java")
        else "app.handler",
        memory=512,
        timeout=30,
        log_format=log_format,
        log_group="/aws/lambda/demo",
        application_level="DEBUG",
        system_level="INFO",
        tracing=False,
    )


@pytest.mark.parametrize("log_format", ["Text", "JSON"])
@pytest.mark.parametrize(
    ("style", "runtime"),
    [
        ("python", "python3.12"),
        ("powertools", "python3.12"),
        ("node", "nodejs22.x"),
        ("java", "java17"),
        ("go", "provided.al2023"),
    ],
)
@pytest.mark.parametrize("outcome", ["ok", "error", "timeout"])
def test_every_demo_runtime_line_has_its_level_and_request_id(
    style: str, runtime: str, log_format: str, outcome: str
) -> None:
    """What the demo's functions write (sandbox templates) reads back whole."""
    from lambdatui_sandbox.invocations import InvocationType, Outcome, SimulatedInvocation
    from lambdatui_sandbox.lambdalogs import AppLine, LogRenderer

    setup = _demo_setup(runtime, log_format)
    start = 1_796_104_391_000
    invocation = SimulatedInvocation(
        function_name="demo",
        version="$LATEST",
        qualifier=None,
        request_id=RID,
        start_ms=start,
        duration_ms=1200.0,
        billed_duration_ms=1200,
        memory_size_mb=512,
        max_memory_used_mb=200,
        init_duration_ms=None,
        outcome=Outcome(outcome),
        invocation_type=InvocationType.SYNC,
        log_group=setup.log_group,
        log_stream=STREAM,
        error_type="KeyError" if outcome == "error" else None,
        error_message="'payment_intent'" if outcome == "error" else None,
        stack_trace=("  File x\n",) if outcome == "error" else (),
    )
    lines = [
        AppLine(start + 10, "INFO", "Requesting UPS label for order ord_1"),
        AppLine(start + 20, "WARN", "UPS did not answer in 10 s", (("attempt", "2"),)),
        AppLine(start + 30, "DEBUG", "cache warm"),
    ]
    renderer = LogRenderer(setup, style)
    events = renderer.invocation_events(invocation, lines, "6a4f5e0a2e1b3c4d")
    parsed = logparse.StreamContext().apply(
        [
            parse_event(text, timestamp=ts, log_group=setup.log_group, log_stream=STREAM)
            for ts, text in events
        ]
    )
    app = [r for r in parsed if r.kind in (RecordKind.APP, RecordKind.RAW)]
    assert app, events
    assert all(r.request_id == RID for r in parsed), [(r.raw, r.request_id) for r in parsed]
    by_text = {line.message: line.level for line in lines}
    levels = {"WARN": Level.WARN, "INFO": Level.INFO, "DEBUG": Level.DEBUG}
    for record in app:
        expected = next((lv for text, lv in by_text.items() if text in record.message), None)
        if expected is not None:
            assert record.level is levels[expected], record.raw
        elif "LAMBDA_WARNING" not in record.raw:
            assert record.level >= Level.ERROR, record.raw
    assert len([r for r in app if any(t in r.message for t in by_text)]) == len(lines)


# --- Hostile input ----------------------------------------------------------------


def test_deeply_nested_json() -> None:
    deep = "[" * 10_000 + "]" * 10_000
    for line in ('{"message": ' + deep + "}", "{" + '"a":{' * 10_000 + "}" * 10_001):
        record = parse(line)
        assert record.kind is RecordKind.RAW
        assert record.raw == line


def test_moderately_nested_json_message() -> None:
    nested = "[" * 200 + "]" * 200
    record = parse('{"level":"INFO","message":' + nested + "}")
    assert record.message == nested


def test_one_megabyte_lines() -> None:
    text = "x" * (1 << 20)
    assert parse(text).message == text
    record = parse(json.dumps({"level": "INFO", "message": text}))
    assert record.message == text
    python = parse(f"[INFO]\t2024-11-20T10:15:30.123Z\t{RID}\t{text}\n")
    assert python.message == text


def test_nul_bytes_control_characters_and_surrogates() -> None:
    for line in (
        "\x00\x00\x00",
        f"[INFO]\t2024-11-20T10:15:30.123Z\t{RID}\tnul\x00here\x1b[31m\n",
        "\ud800 lone surrogate",
        '{"message": "\\ud800\\udfff\\u0000", "level": "INFO"}',
        "\x1b]8;;http://x\x07link\x1b]8;;\x07",
    ):
        record = parse(line)
        assert record.raw == line
        assert isinstance(record.message, str)
    assert parse('{"message": "a\\u0000b"}').message == "a\x00b"


def test_huge_json_number_is_raw() -> None:
    line = '{"message": 1' + "0" * 5000 + "}"
    assert parse(line).kind is RecordKind.RAW


def test_bad_value_types_in_known_keys() -> None:
    lines = [
        '{"timestamp": [1], "level": {"x": 1}, "message": "m", "requestId": 5}',
        '{"type": "platform.report", "record": {"metrics": {"durationMs": "fast"}, '
        '"requestId": null, "status": 3, "tracing": "x"}}',
        '{"type": "platform.report", "record": {"metrics": [1, 2]}}',
        '{"type": "platform.start", "record": {"requestId": ["a"], "version": {"v": 1}}}',
        '{"time": 1e400, "type": "platform.initStart", "record": {}}',
        '{"level": 7, "location": 1, "service": 2, "function_request_id": 3, "cold_start": "yes"}',
        '{"message": {"errorType": 5, "errorMessage": null, "stack": "at x"}}',
        '{"timestamp": "9999-12-31T23:59:59.999-23:59", "message": "m"}',
        '{"timestamp": NaN, "time": -Infinity, "message": "m"}',
    ]
    for line in lines:
        record = parse(line)
        assert record.kind is not RecordKind.RAW, line


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the parser's last-resort exception handler fail the test instead."""

    def fail(message: str, ctx: object) -> LogRecord:
        raise AssertionError(f"parser raised on {message!r}")

    monkeypatch.setattr(logparse, "_fallback", fail)


_PREFIXES = [
    "",
    "{",
    "[",
    "[ERROR] ",
    "[INFO]\t2024-11-20T10:15:30.123Z\t",
    "2024-11-20T10:15:30.123Z\t",
    "2024-11-20T10:15:30.123Z ",
    "START RequestId: ",
    "END RequestId: ",
    "REPORT RequestId: ",
    "RequestId: ",
    "INIT_START ",
    "EXTENSION\t",
    "ERROR:",
]
_ALPHABET = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(categories=["Cs"]),
    st.sampled_from('\t\n\r \x00\x1b[]{}:"\\,.0123456789ZT-'),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(_PREFIXES), text=st.text(_ALPHABET))
def test_never_raises_on_text(strict: None, prefix: str, text: str) -> None:
    line = prefix + text
    record = parse(line)
    assert record.raw == line
    assert isinstance(record.message, str)


_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(_ALPHABET)
)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(_ALPHABET, max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_KEYS = st.sampled_from(
    [
        "timestamp",
        "time",
        "level",
        "log_level",
        "message",
        "msg",
        "requestId",
        "awsRequestId",
        "errorType",
        "errorMessage",
        "stackTrace",
        "stack",
        "trace",
        "location",
        "service",
        "cold_start",
        "function_request_id",
        "xray_trace_id",
        "exception",
        "exception_name",
        "sampling_rate",
        "function_name",
    ]
)
_TYPES = st.sampled_from(
    [
        "platform.start",
        "platform.report",
        "platform.runtimeDone",
        "platform.initStart",
        "platform.extension",
        "platform.logsDropped",
        "platform.",
        "platform.x",
    ]
)
_RECORD_KEYS = st.sampled_from(
    ["requestId", "version", "status", "errorType", "metrics", "tracing", "runtimeVersion", "name"]
)
_METRICS = st.dictionaries(
    st.sampled_from(
        ["durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs"]
    ),
    _JSON_SCALARS,
)
_APP_OBJECTS = st.dictionaries(_KEYS | st.text(max_size=5), _JSON | _METRICS, max_size=8)
_SYSTEM_OBJECTS = st.fixed_dictionaries(
    {
        "time": _JSON_SCALARS,
        "type": _TYPES,
        "record": st.dictionaries(_RECORD_KEYS, _JSON | _METRICS, max_size=6) | _JSON,
    }
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_JSON | _APP_OBJECTS | _SYSTEM_OBJECTS, indent=st.sampled_from([None, 1]))
def test_never_raises_on_json(strict: None, value: object, indent: int | None) -> None:
    line = json.dumps(value, indent=indent)
    record = parse(line)
    assert record.raw == line
    assert isinstance(record.message, str)
    for key, _ in record.fields:
        assert isinstance(key, str)


# --- Invocations ------------------------------------------------------------------


def feed_all(tracker: InvocationTracker, lines: list[str], *, stream: str = STREAM) -> None:
    for offset, line in enumerate(lines):
        tracker.feed(parse(line, stream=stream, timestamp=TS + offset))


def test_invocation_cold_start_ok() -> None:
    tracker = InvocationTracker()
    feed_all(
        tracker,
        [
            "INIT_START Runtime Version: python:3.12.v18\tRuntime Version ARN: arn:x\n",
            f"START RequestId: {RID} Version: $LATEST\n",
            f"[INFO]\t2024-11-20T10:15:30.123Z\t{RID}\tprocessing\n",
            "print output without a request id\n",
            f"END RequestId: {RID}\n",
            report_line(init=True),
        ],
    )
    invocation = tracker.get(RID)
    assert invocation is not None
    assert invocation.status == "ok"
    assert invocation.status is InvocationStatus.OK
    assert invocation.cold_start is True
    assert invocation.start_ts == TS + 1
    assert invocation.end_ts == TS + 5
    assert invocation.duration_ms == 26.73
    assert invocation.billed_duration_ms == 27
    assert invocation.memory_size_mb == 128
    assert invocation.max_memory_used_mb == 75
    assert invocation.init_duration_ms == 130.49
    assert invocation.record_count == 5
    assert invocation.log_group == GROUP


def test_invocation_warm_and_running() -> None:
    tracker = InvocationTracker()
    feed_all(tracker, [f"START RequestId: {RID} Version: $LATEST\n", report_line()])
    feed_all(tracker, [f"START RequestId: {RID2} Version: $LATEST\n", "working\n"])
    done, running = tracker.get(RID), tracker.get(RID2)
    assert done is not None and done.status == "ok" and done.cold_start is False
    assert running is not None and running.status == "running"
    assert running.end_ts is None
    assert running.record_count == 2


def test_invocation_error_from_unattributed_python_traceback() -> None:
    tracker = InvocationTracker()
    feed_all(
        tracker,
        [
            f"START RequestId: {RID} Version: $LATEST\n",
            "[ERROR] KeyError: 'order_id'\rTraceback (most recent call last):\r  File x\n",
            f"END RequestId: {RID}\n",
            report_line(),
        ],
    )
    invocation = tracker.get(RID)
    assert invocation is not None
    assert invocation.status == "error"
    assert invocation.error_count == 1
    assert invocation.error_message == "KeyError: 'order_id'"


def test_invocation_error_status_from_report_only() -> None:
    tracker = InvocationTracker()
    feed_all(tracker, [report_line(extra="Status: error\tError Type: Runtime.Unknown\t")])
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.status == "error"


def test_invocation_timeout() -> None:
    tracker = InvocationTracker()
    feed_all(
        tracker,
        [
            f"START RequestId: {RID} Version: $LATEST\n",
            f"2024-11-20T10:15:33.456Z {RID} Task timed out after 3.00 seconds\n",
        ],
    )
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.status == "timeout"
    feed_all(tracker, [f"END RequestId: {RID}\n", report_line(extra="Status: timeout\t")])
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.status == "timeout"
    assert invocation.end_ts is not None


def test_invocation_timeout_from_json_report() -> None:
    tracker = InvocationTracker()
    tracker.feed(parse(system("platform.report", {"requestId": RID, "status": "timeout"})))
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.status == "timeout"


def test_invocation_out_of_memory_text() -> None:
    tracker = InvocationTracker()
    feed_all(
        tracker,
        [
            f"START RequestId: {RID} Version: $LATEST\n",
            f"RequestId: {RID} Error: Runtime exited with error: signal: killed\n"
            "Runtime.ExitError\n",
            f"END RequestId: {RID}\n",
            f"REPORT RequestId: {RID}\tDuration: 2816.61 ms\tBilled Duration: 2817 ms\t"
            "Memory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\t"
            "Error Type: Runtime.OutOfMemory\t\n",
        ],
    )
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.status == "oom"


def test_invocation_out_of_memory_json_and_heuristic() -> None:
    tracker = InvocationTracker()
    tracker.feed(
        parse(
            system(
                "platform.report",
                {
                    "requestId": RID,
                    "status": "error",
                    "errorType": "Runtime.OutOfMemory",
                    "metrics": {"memorySizeMB": 128, "maxMemoryUsedMB": 128},
                },
            )
        )
    )
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.status == "oom"
    feed_all(
        tracker,
        [
            f"START RequestId: {RID2} Version: $LATEST\n",
            f"RequestId: {RID2} Error: Runtime exited with error: signal: killed\n",
            f"REPORT RequestId: {RID2}\tDuration: 900.00 ms\tBilled Duration: 900 ms\t"
            "Memory Size: 256 MB\tMax Memory Used: 256 MB\t\n",
        ],
    )
    invocation = tracker.get(RID2)
    assert invocation is not None and invocation.status == "oom"


def test_invocation_json_format_sequence() -> None:
    tracker = InvocationTracker()
    lines = [
        system("platform.initStart", {"runtimeVersion": "nodejs:20.v30", "phase": "init"}),
        system("platform.start", {"requestId": RID, "version": "$LATEST"}),
        json.dumps(
            {
                "timestamp": "2024-11-20T10:15:30.123Z",
                "level": "INFO",
                "requestId": RID,
                "message": "hi",
            }
        ),
        system("platform.runtimeDone", {"requestId": RID, "status": "success"}),
        system(
            "platform.report",
            {"requestId": RID, "status": "success", "metrics": {"durationMs": 5.0}},
        ),
    ]
    feed_all(tracker, lines)
    invocation = tracker.get(RID)
    assert invocation is not None
    assert invocation.status == "ok"
    assert invocation.cold_start is True
    assert invocation.record_count == 4


def test_invocation_powertools_cold_start() -> None:
    tracker = InvocationTracker()
    line = json.dumps(
        {
            "level": "INFO",
            "location": "h:1",
            "message": "m",
            "service": "s",
            "cold_start": True,
            "function_request_id": RID,
        }
    )
    feed_all(tracker, [line])
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.cold_start is True
    assert invocation.status == "running"


def test_invocation_streams_are_separate() -> None:
    tracker = InvocationTracker()
    tracker.feed(parse(f"START RequestId: {RID} Version: $LATEST\n", stream=STREAM))
    tracker.feed(parse(f"START RequestId: {RID2} Version: $LATEST\n", stream=OTHER_STREAM))
    assert tracker.feed(parse("[ERROR] ValueError: bad\n", stream=OTHER_STREAM)) == RID2
    assert tracker.feed(parse("fine\n", stream=STREAM)) == RID
    tracker.feed(parse(report_line(RID), stream=STREAM))
    tracker.feed(parse(report_line(RID2), stream=OTHER_STREAM))
    first, second = tracker.get(RID), tracker.get(RID2)
    assert first is not None and first.status == "ok"
    assert second is not None and second.status == "error"
    assert tracker.feed(parse("after the report\n", stream=STREAM)) is None


def test_invocation_error_arriving_after_report() -> None:
    tracker = InvocationTracker()
    feed_all(tracker, [report_line(), f"[ERROR]\t2024-11-20T10:15:30.123Z\t{RID}\tlate\n"])
    invocation = tracker.get(RID)
    assert invocation is not None and invocation.status == "error"


def test_invocation_tracker_is_bounded() -> None:
    tracker = InvocationTracker(max_invocations=3, max_streams=2)
    ids = [f"00000000-0000-4000-8000-00000000000{i}" for i in range(5)]
    for index, rid in enumerate(ids):
        tracker.feed(parse(f"START RequestId: {rid} Version: $LATEST\n", stream=f"s{index}"))
    assert len(tracker) == 3
    assert ids[0] not in tracker and ids[1] not in tracker
    assert [invocation.request_id for invocation in tracker.invocations()] == ids[2:]
    assert len(tracker._streams) == 2
    tracker.clear()
    assert len(tracker) == 0


def test_feed_many_reports_each_changed_invocation_once() -> None:
    tracker = InvocationTracker()
    records = [
        parse(f"START RequestId: {RID} Version: $LATEST\n"),
        parse("line\n"),
        parse(f"START RequestId: {RID2} Version: $LATEST\n", stream=OTHER_STREAM),
        parse(report_line()),
        parse("orphan\n", stream="elsewhere"),
    ]
    changed = tracker.feed_many(records)
    assert [invocation.request_id for invocation in changed] == [RID, RID2]
    assert changed[0].status == "ok"


def test_snapshot_reused_until_changed() -> None:
    tracker = InvocationTracker()
    tracker.feed(parse(f"START RequestId: {RID} Version: $LATEST\n"))
    first = tracker.get(RID)
    assert tracker.get(RID) is first
    tracker.feed(parse("more\n"))
    assert tracker.get(RID) is not first


def test_tracker_many_records() -> None:
    tracker = InvocationTracker(max_invocations=1000)
    for index in range(20_000):
        rid = f"{index:08d}-0000-4000-8000-000000000000"
        tracker.feed(parse(f"START RequestId: {rid} Version: $LATEST\n"))
        tracker.feed(parse(report_line(rid)))
    assert len(tracker) == 1000
    last = tracker.invocations()[-1]
    assert last.request_id.startswith("00019999") and last.status == "ok"
