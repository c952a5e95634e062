"""The traffic simulator: logs, metrics and invocations tell the same story."""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from moto.logs.models import logs_backends

from lambdatui.aws.logparse import InvocationTracker, parse_event
from lambdatui_sandbox import Sandbox
from lambdatui_sandbox.invocations import InvocationType, Outcome, SimulatedInvocation
from lambdatui_sandbox.lambdalogs import Event, FunctionSetup, LogRenderer

from .helpers import eventually

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
MINUTE = 60_000
STREAM_NAME = re.compile(r"^\d{4}/\d\d/\d\d/\[(\$LATEST|\d+)\][0-9a-f]{32}$")
TEXT_REPORT = re.compile(
    r"^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: \d+ MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?"
    r"(Status: timeout\t|Status: error\tError Type: Runtime\.OutOfMemory\t)?\n$"
)
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
WITHOUT_PLATFORM_LOGS = {"orders-worker", "payments-fraud-score"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(now=NOW, simulate=True) as box:
        assert box.traffic is not None
        assert box.traffic.wait_ready(60)
        yield box


@pytest.fixture(scope="module")
def ring(sandbox: Sandbox) -> list[SimulatedInvocation]:
    assert sandbox.traffic is not None
    return sandbox.traffic.recent()


def client(box: Sandbox, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def stored(box: Sandbox, group: str) -> list[tuple[int, str, str, int, str]]:
    """Every event of a log group as (timestamp, stream, message, ingestion, id), in order."""
    backend = logs_backends[box.account_id][box.region]
    events = [
        (
            event.timestamp,
            stream.log_stream_name,
            event.message,
            event.ingestion_time,
            event.event_id,
        )
        for stream in backend.groups[group].streams.values()
        for event in stream.events
    ]
    events.sort(key=lambda item: (item[0], item[4]))
    return [
        (ts, stream, message, ingested, str(eid)) for ts, stream, message, ingested, eid in events
    ]


def in_window(ring: list[SimulatedInvocation], name: str, start: int, end: int) -> list[Any]:
    return [i for i in ring if i.function_name == name and start <= i.start_ms < end]


def metric(
    box: Sandbox,
    name: str,
    stat: str,
    dimensions: dict[str, str],
    start: int,
    end: int,
    period: int = 60,
) -> dict[int, float]:
    result = client(box, "cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": "q",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/Lambda",
                        "MetricName": name,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                    },
                    "Period": period,
                    "Stat": stat,
                },
            }
        ],
        StartTime=datetime.fromtimestamp(start / 1000, UTC),
        EndTime=datetime.fromtimestamp(end / 1000, UTC),
    )["MetricDataResults"][0]
    return {
        int(stamp.timestamp() * 1000): value
        for stamp, value in zip(result["Timestamps"], result["Values"], strict=True)
    }


def nearest_rank(values: list[float], rank: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(rank / 100 * len(ordered))) - 1]


def test_invocations_are_modelled_as_lambda_reports_them(ring: list[SimulatedInvocation]) -> None:
    assert len(ring) > 5000
    ran = [i for i in ring if i.outcome is not Outcome.THROTTLED]
    assert all(UUID4.match(i.request_id) for i in ring)
    assert all(i.log_stream and STREAM_NAME.match(i.log_stream) for i in ran)
    assert all(i.billed_duration_ms >= math.ceil(i.duration_ms) for i in ran)
    assert all(i.max_memory_used_mb <= i.memory_size_mb for i in ran)
    assert any(i.init_duration_ms for i in ran)
    assert {i.invocation_type for i in ring} == set(InvocationType)
    assert {i.outcome for i in ring} == set(Outcome)
    durations = sorted(i.duration_ms for i in ran if i.function_name == "orders-api")
    assert nearest_rank(durations, 99) > 2.5 * nearest_rank(durations, 50)


def test_history_covers_three_hours_and_the_last_minutes_completely(
    sandbox: Sandbox, ring: list[SimulatedInvocation]
) -> None:
    logs = client(sandbox, "logs")
    oldest = logs.filter_log_events(
        logGroupName="/aws/lambda/orders-api",
        startTime=NOW_MS - 180 * MINUTE,
        endTime=NOW_MS - 170 * MINUTE,
    )["events"]
    assert oldest
    per_five = metric(
        sandbox,
        "Invocations",
        "Sum",
        {"FunctionName": "orders-api"},
        NOW_MS - 180 * MINUTE,
        NOW_MS,
        300,
    )
    assert len(per_five) == 36
    start, end = NOW_MS - 14 * MINUTE, NOW_MS - 2 * MINUTE
    expected = {i.request_id for i in in_window(ring, "orders-api", start, end)}
    starts = set()
    for ts, _, message, _, _ in stored(sandbox, "/aws/lambda/orders-api"):
        if start <= ts < end and '"type":"platform.start"' in message:
            starts.add(json.loads(message)["record"]["requestId"])
    assert starts == expected
    recent = [i for i in ring if i.arrival_ms >= NOW_MS - 15 * MINUTE]
    assert all(i.weight == 1 for i in recent)
    assert all(i.logged for i in recent if i.outcome is not Outcome.THROTTLED)
    older = [i for i in ring if i.arrival_ms < NOW_MS - 15 * MINUTE]
    assert any(not i.logged for i in older if i.outcome is Outcome.OK)


def test_logs_parse_back_into_the_same_invocations(
    sandbox: Sandbox, ring: list[SimulatedInvocation]
) -> None:
    start, end = NOW_MS - 6 * MINUTE, NOW_MS - 1 * MINUTE
    tracker = InvocationTracker(max_invocations=100_000, max_streams=10_000)
    groups = {i.log_group for i in ring}
    for group in sorted(groups):
        for ts, stream, message, ingested, event_id in stored(sandbox, group):
            if start - MINUTE <= ts < NOW_MS:
                record = parse_event(
                    message,
                    timestamp=ts,
                    log_group=group,
                    log_stream=stream,
                    event_id=event_id,
                    ingestion_time=ingested,
                )
                tracker.feed(record)
    last_attempt: dict[str, SimulatedInvocation] = {}
    for inv in ring:
        if inv.outcome is not Outcome.THROTTLED and inv.end_ms < NOW_MS - 1000:
            last_attempt[inv.request_id] = inv
    checked: Counter[str] = Counter()
    for inv in last_attempt.values():
        if not start <= inv.start_ms < end or inv.function_name in WITHOUT_PLATFORM_LOGS:
            continue
        parsed = tracker.get(inv.request_id)
        assert parsed is not None, inv
        assert parsed.status.value == inv.outcome.value, (inv, parsed)
        if inv.invocation_type is not InvocationType.ASYNC:
            assert parsed.cold_start == inv.cold_start, (inv, parsed)
            if inv.cold_start:
                assert parsed.init_duration_ms == pytest.approx(inv.init_duration_ms)
        assert parsed.duration_ms == pytest.approx(inv.duration_ms)
        assert parsed.billed_duration_ms == inv.billed_duration_ms
        assert parsed.max_memory_used_mb == inv.max_memory_used_mb
        checked[inv.outcome.value] += 1
        checked["cold"] += inv.cold_start
    assert checked["ok"] > 1000
    assert checked["error"] and checked["cold"]
    older = [i for i in ring if i.start_ms >= NOW_MS - 15 * MINUTE and i.end_ms < NOW_MS - 1000]
    assert any(i.outcome is Outcome.TIMEOUT for i in older)
    assert any(i.outcome is Outcome.OOM for i in older)


def test_failures_keep_their_outcome_through_the_parser_whenever_they_happened(
    sandbox: Sandbox, ring: list[SimulatedInvocation]
) -> None:
    wanted = {
        "shipping-label-printer": Outcome.TIMEOUT,
        "image-resizer": Outcome.OOM,
        "payments-webhook": Outcome.ERROR,
        "checkout-api": Outcome.ERROR,
    }
    for name, outcome in wanted.items():
        failed = [
            i
            for i in ring
            if i.function_name == name and i.outcome is outcome and i.end_ms < NOW_MS
        ]
        assert failed, name
        group = failed[0].log_group
        tracker = InvocationTracker(max_invocations=100_000)
        for ts, stream, message, _, _ in stored(sandbox, group):
            tracker.feed(parse_event(message, timestamp=ts, log_group=group, log_stream=stream))
        for inv in failed:
            parsed = tracker.get(inv.request_id)
            assert parsed is not None and parsed.status.value == outcome.value


def test_metrics_match_the_invocation_ring(
    sandbox: Sandbox, ring: list[SimulatedInvocation]
) -> None:
    start, end = NOW_MS - 10 * MINUTE, NOW_MS - 3 * MINUTE
    assert ring[0].start_ms < start
    for name in ("orders-api", "payments-webhook", "inventory-sync", "legacy-coupon-service"):
        invocations = in_window(ring, name, start, end)
        ran = [i for i in invocations if i.outcome is not Outcome.THROTTLED]
        by_minute: dict[int, list[SimulatedInvocation]] = {}
        for inv in ran:
            by_minute.setdefault(inv.start_ms // MINUTE * MINUTE, []).append(inv)
        dims = {"FunctionName": name}
        counts = metric(sandbox, "Invocations", "Sum", dims, start, end)
        assert sum(counts.values()) == len(ran)
        assert counts == {minute: len(items) for minute, items in by_minute.items()}
        errors = metric(sandbox, "Errors", "Sum", dims, start, end)
        assert sum(errors.values()) == sum(i.outcome.failed for i in ran)
        throttles = metric(sandbox, "Throttles", "Sum", dims, start, end)
        assert sum(throttles.values()) == sum(i.outcome is Outcome.THROTTLED for i in invocations)
        if not ran:
            continue
        for stat in ("Maximum", "Average", "p50", "p90", "p99"):
            got = metric(sandbox, "Duration", stat, dims, start, end)
            for minute, items in by_minute.items():
                values = [round(i.duration_ms, 2) for i in items]
                want = {
                    "Maximum": max(values),
                    "Average": sum(values) / len(values),
                }.get(stat) or nearest_rank(values, float(stat[1:]))
                assert got[minute] == pytest.approx(want), (name, stat, minute)
        peak = metric(sandbox, "ConcurrentExecutions", "Maximum", dims, start, end)
        assert peak == {m: max(i.concurrency for i in items) for m, items in by_minute.items()}


def test_the_incident_story(sandbox: Sandbox, ring: list[SimulatedInvocation]) -> None:
    deploy = NOW_MS - 23 * MINUTE
    webhook = {"FunctionName": "payments-webhook"}
    before = metric(sandbox, "Errors", "Sum", webhook, NOW_MS - 180 * MINUTE, deploy - MINUTE)
    assert before and sum(before.values()) == 0
    early = sum(metric(sandbox, "Errors", "Sum", webhook, deploy, deploy + 8 * MINUTE).values())
    late = sum(metric(sandbox, "Errors", "Sum", webhook, NOW_MS - 8 * MINUTE, NOW_MS).values())
    assert 0 < early < late
    dropped = metric(sandbox, "AsyncEventsDropped", "Sum", webhook, deploy, NOW_MS)
    assert sum(dropped.values()) > 0
    failures = [i for i in ring if i.function_name == "payments-webhook" and i.outcome.failed]
    assert {(i.error_type, i.error_message, i.version) for i in failures} == {
        ("KeyError", "'payment_intent'", "2")
    }
    retried = Counter(i.request_id for i in failures)
    assert max(retried.values()) == 3
    final = [i for i in failures if not i.will_retry]
    assert final and all(i.attempt == 3 and i.event for i in final)
    assert "payment_intent" not in json.loads(final[0].event or "{}")["data"]["object"]
    webhook_logs = [m for _, _, m, _, _ in stored(sandbox, "/aws/lambda/payments-webhook")]
    assert any('"errorType": "KeyError"' in m and "payment_intent" in m for m in webhook_logs)

    canary = {"FunctionName": "checkout-api", "Resource": "checkout-api:live"}
    since = NOW_MS - 50 * MINUTE
    v1 = metric(sandbox, "Errors", "Sum", canary | {"ExecutedVersion": "1"}, since, NOW_MS, 3600)
    v2 = metric(sandbox, "Errors", "Sum", canary | {"ExecutedVersion": "2"}, since, NOW_MS, 3600)
    assert sum(v1.values()) == 0 < sum(v2.values())

    coupon = {"FunctionName": "legacy-coupon-service"}
    assert sum(metric(sandbox, "Throttles", "Sum", coupon, NOW_MS - 3600_000, NOW_MS).values())
    assert not metric(sandbox, "Invocations", "Sum", coupon, NOW_MS - 3600_000, NOW_MS)
    assert not stored(sandbox, "/aws/lambda/legacy-coupon-service")

    inventory = {"FunctionName": "inventory-sync"}
    hour = (NOW_MS - 3600_000, NOW_MS)
    assert sum(metric(sandbox, "Throttles", "Sum", inventory, *hour).values()) > 0
    assert max(metric(sandbox, "ConcurrentExecutions", "Maximum", inventory, *hour).values()) == 5

    labels = [m for _, _, m, _, _ in stored(sandbox, "/aws/lambda/shipping-label-printer")]
    assert any(m.endswith("Task timed out after 30.00 seconds\n\n") for m in labels)
    assert any(m.startswith("REPORT") and "Status: timeout" in m for m in labels)
    images = [m for _, _, m, _, _ in stored(sandbox, "/aws/lambda/image-resizer")]
    assert any("Error Type: Runtime.OutOfMemory" in m for m in images)


def test_log_formats_follow_the_function_configuration(sandbox: Sandbox) -> None:
    cart = stored(sandbox, "/aws/lambda/checkout-cart-service")
    reports = [m for _, _, m, _, _ in cart if m.startswith("REPORT")]
    assert reports and all(TEXT_REPORT.match(m) for m in reports)
    assert any(m.startswith("INIT_START Runtime Version: nodejs:20.") for _, _, m, _, _ in cart)
    node_line = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tINFO\tGET ")
    assert any(node_line.match(m) for _, _, m, _, _ in cart)
    python_line = re.compile(r"^\[INFO\]\t\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tForwarded ")
    shipper = stored(sandbox, "/aws/lambda/platform-log-shipper")
    assert any(python_line.match(m) for _, _, m, _, _ in shipper)

    checkout = stored(sandbox, "/shop/checkout")
    records = [json.loads(m) for _, _, m, _, _ in checkout]
    kinds = Counter(r.get("type", "app") for r in records)
    assert set(kinds) == {
        "platform.initStart",
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
        "app",
    }
    report = next(r for r in records if r.get("type") == "platform.report")
    assert set(report["record"]["metrics"]) >= {
        "durationMs",
        "billedDurationMs",
        "memorySizeMB",
        "maxMemoryUsedMB",
    }
    assert report["record"]["tracing"]["value"].startswith("Root=1-")
    assert {"[1]", "[2]"} <= {stream[11:14] for _, stream, _, _, _ in checkout}

    powertools = [
        json.loads(m)
        for _, _, m, _, _ in stored(sandbox, "/aws/lambda/orders-api")
        if "function_request_id" in m
    ]
    assert powertools
    assert set(powertools[0]) >= {
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "xray_trace_id",
    }
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000$", powertools[0]["timestamp"])

    staging = [json.loads(m) for _, _, m, _, _ in stored(sandbox, "/aws/lambda/orders-api-staging")]
    assert any(r.get("level") == "DEBUG" for r in staging)
    fraud = [json.loads(m) for _, _, m, _, _ in stored(sandbox, "/aws/lambda/payments-fraud-score")]
    assert fraud and all(r["level"] == "WARNING" for r in fraud)
    assert not any(m.endswith("\n") for _, _, m, _, _ in stored(sandbox, "/shop/checkout"))


def test_backfill_is_deterministic(sandbox: Sandbox) -> None:
    assert sandbox.traffic is not None

    class Memory:
        def __init__(self) -> None:
            self.events: list[tuple[str, str, int, str, int]] = []

        def write(
            self,
            group: str,
            stream: str,
            events: list[Event],
            ingestion: list[int],
            durability: list[int],
        ) -> None:
            for (ts, message), ingested in zip(events, ingestion, strict=True):
                self.events.append((group, stream, ts, message, ingested))

    memory = Memory()
    published: list[SimulatedInvocation] = []
    fresh = sandbox.traffic.model.fresh(memory, published.append)
    fresh.backfill()
    horizon = NOW_MS - fresh.settings.ingest_lag_ms
    replayed = sorted(memory.events)
    original = sorted(
        (group, stream, ts, message, ingested)
        for group in {group for group, *_ in replayed}
        for ts, stream, message, ingested, _ in stored(sandbox, group)
        if ts <= horizon
    )
    assert len(replayed) > 20_000
    assert replayed == original
    recent = [i for i in sandbox.traffic.recent() if i.end_ms <= NOW_MS]
    assert published[-len(recent) :] == recent


def test_live_traffic_follows_the_clock_and_the_speed(sandbox: Sandbox) -> None:
    traffic = sandbox.traffic
    assert traffic is not None
    seen: list[SimulatedInvocation] = []
    unsubscribe = traffic.subscribe(seen.append)
    try:
        written = traffic.model.counters.events
        began = traffic.now_ms
        traffic.set_speed(10)
        # Fifteen simulated seconds: at ten times the clock's pace.
        eventually(lambda: traffic.now_ms - began > 15_000)
        traffic.set_speed(1)
        assert traffic.model.counters.events - written > 200
        assert len(seen) > 100 and all(i.end_ms > NOW_MS for i in seen)
        assert not traffic.errors
    finally:
        unsubscribe()
    assert traffic.recent(1)[0].end_ms >= seen[-1].end_ms


async def test_simulated_logs_reach_live_tail(sandbox: Sandbox) -> None:
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/auth-session-validator"
    async with get_session().create_client(
        "logs",
        endpoint_url=sandbox.endpoint_url,
        region_name=sandbox.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=AioConfig(inject_host_prefix=False),
    ) as logs:
        response = await logs.start_live_tail(logGroupIdentifiers=[group])
        found: list[dict[str, Any]] = []

        async def read() -> None:
            async for event in response["responseStream"]:
                found.extend(event.get("sessionUpdate", {}).get("sessionResults", []))
                if found:
                    return

        await asyncio.wait_for(read(), 6)
        response["responseStream"].close()
    assert found[0]["ingestionTime"] >= NOW_MS
    assert '"type":"platform.' in found[0]["message"]


def test_get_metric_data_answers_percentiles(sandbox: Sandbox) -> None:
    watch = client(sandbox, "cloudwatch")
    minute = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    dims = [{"Name": "Probe", "Value": "percentiles"}]
    watch.put_metric_data(
        Namespace="Sandbox/Probe",
        MetricData=[
            {
                "MetricName": "Latency",
                "Dimensions": dims,
                "Timestamp": minute,
                "Values": [1.0, 2.0, 3.0, 100.0],
                "Counts": [50.0, 30.0, 19.0, 1.0],
            },
            {
                "MetricName": "Spread",
                "Dimensions": dims,
                "Timestamp": minute,
                "StatisticValues": {"SampleCount": 4, "Sum": 10, "Minimum": 1, "Maximum": 4},
            },
        ],
    )

    def value(name: str, stat: str) -> list[float]:
        result = watch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "q",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "Sandbox/Probe",
                            "MetricName": name,
                            "Dimensions": dims,
                        },
                        "Period": 60,
                        "Stat": stat,
                    },
                }
            ],
            StartTime=minute - timedelta(minutes=5),
            EndTime=minute + timedelta(minutes=5),
        )
        return list(result["MetricDataResults"][0]["Values"])

    assert value("Latency", "p50") == [1.0]
    assert value("Latency", "p90") == [3.0]
    assert value("Latency", "p99") == [3.0]
    assert value("Latency", "p99.5") == [100.0]
    assert value("Latency", "SampleCount") == [100.0]
    assert value("Latency", "Average") == pytest.approx([(50 + 60 + 57 + 100) / 100])
    assert value("Spread", "Average") == [2.5]
    assert value("Spread", "p99") == []


def test_text_reports_of_traced_functions_carry_the_xray_line() -> None:
    setup = FunctionSetup(
        name="traced",
        arn="arn:aws:lambda:us-east-1:123456789012:function:traced",
        region="us-east-1",
        runtime="python3.12",
        image=False,
        handler="app.handler",
        memory=128,
        timeout=3,
        log_format="Text",
        log_group="/aws/lambda/traced",
        application_level="INFO",
        system_level="INFO",
        tracing=True,
    )
    invocation = SimulatedInvocation(
        function_name="traced",
        version="$LATEST",
        qualifier=None,
        request_id="8f5a0c4e-1b2d-4c3e-9f10-aa11bb22cc33",
        start_ms=NOW_MS,
        duration_ms=3000.0,
        billed_duration_ms=3131,
        memory_size_mb=128,
        max_memory_used_mb=75,
        init_duration_ms=130.49,
        outcome=Outcome.TIMEOUT,
        invocation_type=InvocationType.SYNC,
        log_group="/aws/lambda/traced",
        log_stream="2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef",
        trace_id="1-6740b6c2-5a1b2c3d4e5f60718293a4b5",
    )
    renderer = LogRenderer(setup, "python")
    events = renderer.init_events(NOW_MS - 130, "$LATEST")
    events += renderer.invocation_events(invocation, [], "6a4f5e0a2e1b3c4d")
    messages = [message for _, message in events]
    assert messages[0].startswith("INIT_START Runtime Version: python:3.12.")
    assert messages[-2:][0] == f"END RequestId: {invocation.request_id}\n"
    assert messages[-1] == (
        f"REPORT RequestId: {invocation.request_id}\tDuration: 3000.00 ms\t"
        "Billed Duration: 3131 ms\tMemory Size: 128 MB\tMax Memory Used: 75 MB\t"
        "Init Duration: 130.49 ms\tStatus: timeout\t\n"
        "XRAY TraceId: 1-6740b6c2-5a1b2c3d4e5f60718293a4b5\tSegmentId: 6a4f5e0a2e1b3c4d\t"
        "Sampled: true\t\n"
    )
    assert "Task timed out after 3.00 seconds" in messages[-3]
    tracker = InvocationTracker()
    for ts, message in events:
        tracker.feed(parse_event(message, timestamp=ts, log_group=setup.log_group, log_stream="s"))
    parsed = tracker.get(invocation.request_id)
    assert parsed is not None
    assert (parsed.status.value, parsed.cold_start) == ("timeout", True)
    assert parsed.xray_trace_id == invocation.trace_id
