"""A small fixed world of Lambda log events for the Logs Insights tests.

Three functions, as Lambda logs them: a Python function in the Text format, a Node.js
function in the Text format, and a Python function in the JSON format. Seven
invocations: cold and warm starts, logged and unhandled errors, and two timeouts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

# 11:00 on the tests' frozen day; every event lies in the hour before noon.
BASE_MS = int(datetime(2026, 11, 27, 11, 0, 0, tzinfo=UTC).timestamp() * 1000)

PYTHON_TEXT = "/aws/lambda/insights-python-text"
NODE_TEXT = "/aws/lambda/insights-node-text"
PYTHON_JSON = "/aws/lambda/insights-python-json"
GROUPS = (PYTHON_TEXT, NODE_TEXT, PYTHON_JSON)
STREAM = "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef"

A1 = "a1a1a1a1-0000-4000-8000-000000000001"
B2 = "b2b2b2b2-0000-4000-8000-000000000002"
C3 = "c3c3c3c3-0000-4000-8000-000000000003"
D4 = "d4d4d4d4-0000-4000-8000-000000000004"
E5 = "e5e5e5e5-0000-4000-8000-000000000005"
F6 = "f6f6f6f6-0000-4000-8000-000000000006"
G7 = "g7g7g7g7-0000-4000-8000-000000000007"


def at(seconds: float) -> int:
    return BASE_MS + int(seconds * 1000)


def iso(t_ms: int) -> str:
    moment = datetime.fromtimestamp(t_ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t_ms % 1000:03d}Z"


def stamp(t_ms: int) -> str:
    """How a result row shows a time."""
    moment = datetime.fromtimestamp(t_ms / 1000, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{t_ms % 1000:03d}"


def _report(rid: str, duration: str, billed: int, memory: int, used: int, extra: str = "") -> str:
    return (
        f"REPORT RequestId: {rid}\tDuration: {duration} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t{extra}\n"
    )


def _python_text() -> list[tuple[int, str]]:
    traceback = 'Traceback (most recent call last):\n  File "/var/task/app.py", line 9\n'
    return [
        # A1: cold start, success.
        (at(0), f"START RequestId: {A1} Version: $LATEST\n"),
        (at(0.1), f'[INFO]\t{iso(at(0.1))}\t{A1}\torder accepted {{"order": 17}}\n'),
        (at(0.12), f"END RequestId: {A1}\n"),
        (at(0.12), _report(A1, "120.50", 121, 128, 60, "Init Duration: 300.25 ms\t")),
        # B2: a logged error, then an unhandled one.
        (at(60), f"START RequestId: {B2} Version: $LATEST\n"),
        (at(60.01), f"[ERROR]\t{iso(at(60.01))}\t{B2}\tpayment declined\n"),
        (at(60.02), "LAMBDA_WARNING: Unhandled exception. The most likely cause is...\n"),
        (at(60.02), f"[ERROR] KeyError: 'payment_intent'\n{traceback}"),
        (at(60.08), f"END RequestId: {B2}\n"),
        (at(60.08), _report(B2, "80.00", 80, 128, 70)),
        # C3: a timeout, in the next 5-minute bin.
        (at(400), f"START RequestId: {C3} Version: $LATEST\n"),
        (at(403), f"{iso(at(403))} {C3} Task timed out after 3.00 seconds\n\n"),
        (at(403), f"END RequestId: {C3}\n"),
        (at(403), _report(C3, "3000.00", 3000, 128, 90, "Status: timeout\t")),
    ]


def _node_text() -> list[tuple[int, str]]:
    error = json.dumps(
        {"errorType": "TypeError", "errorMessage": "price is undefined", "stack": ["at x"]},
        separators=(",", ":"),
    )
    return [
        # D4: cold start, unhandled error.
        (at(30), f"START RequestId: {D4} Version: $LATEST\n"),
        (at(30.04), f"{iso(at(30.04))}\t{D4}\tERROR\tInvoke Error \t{error}\n"),
        (at(30.05), f"END RequestId: {D4}\n"),
        (at(30.05), _report(D4, "45.50", 46, 512, 100, "Init Duration: 210.00 ms\t")),
    ]


def _platform(t_ms: int, kind: str, record: dict[str, object]) -> tuple[int, str]:
    body = {"time": iso(t_ms), "type": kind, "record": record}
    return t_ms, json.dumps(body, separators=(",", ":"))


def _app(t_ms: int, level: str, message: object, rid: str) -> tuple[int, str]:
    body = {"timestamp": iso(t_ms), "level": level, "message": message, "requestId": rid}
    return t_ms, json.dumps(body)


def _metrics(
    duration: float, billed: int, used: int, init: float | None = None
) -> dict[str, object]:
    metrics: dict[str, object] = {
        "durationMs": duration,
        "billedDurationMs": billed,
        "memorySizeMB": 256,
        "maxMemoryUsedMB": used,
    }
    if init is not None:
        metrics["initDurationMs"] = init
    return metrics


def _python_json() -> list[tuple[int, str]]:
    error = {
        "errorMessage": "card expired",
        "errorType": "CardError",
        "requestId": F6,
        "stackTrace": ["  File app.py"],
    }
    return [
        # E5: cold start, success.
        _platform(at(10), "platform.initStart", {"phase": "init", "functionName": "payments"}),
        _platform(at(10.4), "platform.start", {"requestId": E5, "version": "$LATEST"}),
        _app(at(10.5), "INFO", "charged", E5),
        _platform(at(10.6), "platform.runtimeDone", {"requestId": E5, "status": "success"}),
        _platform(
            at(10.6),
            "platform.report",
            {"requestId": E5, "metrics": _metrics(200.0, 200, 100, 400.0), "status": "success"},
        ),
        # F6: a logged error, then an unhandled one.
        _platform(at(120), "platform.start", {"requestId": F6, "version": "$LATEST"}),
        _app(at(120.01), "ERROR", "payment declined", F6),
        _app(at(120.02), "ERROR", error, F6),
        _platform(
            at(120.05),
            "platform.report",
            {"requestId": F6, "metrics": _metrics(50.0, 50, 110), "status": "error"},
        ),
        # G7: a timeout, in the next 5-minute bin.
        _platform(at(500), "platform.start", {"requestId": G7, "version": "$LATEST"}),
        _platform(
            at(505),
            "platform.report",
            {"requestId": G7, "metrics": _metrics(5000.0, 5000, 120), "status": "timeout"},
        ),
    ]


EVENTS: dict[str, list[tuple[int, str]]] = {
    PYTHON_TEXT: _python_text(),
    NODE_TEXT: _node_text(),
    PYTHON_JSON: _python_json(),
}


def seed(box: Any) -> None:
    """Put the world's events in a running sandbox (log groups made over HTTP).

    The events are written as the sandbox's own writers do: PutLogEvents refuses
    events more than 14 days older than the real clock, and the world's day is fixed.
    """
    from moto.logs.models import logs_backends

    from lambdatui_sandbox import ingestion

    from .helpers import client

    logs = client(box, "logs")
    existing = {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]}
    backend = logs_backends[box.account_id][box.region]
    for group, events in EVENTS.items():
        if group in existing:
            continue
        logs.create_log_group(logGroupName=group)
        stream = ingestion.stream_in(backend.groups[group], STREAM, events[0][0])
        ingestion.append(stream, events, [t + 50 for t, _ in events])
