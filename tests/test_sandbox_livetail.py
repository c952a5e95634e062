"""StartLiveTail streams through the app's client (aiobotocore) as AWS documents it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import boto3
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError

from lambdatui_sandbox import Sandbox
from lambdatui_sandbox.filterpattern import PatternError, compile_pattern

from .helpers import arrives

GROUP = "/test/live-tail"
OTHER = "/test/live-tail-other"
STREAM = "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(world="empty") as box:
        logs = sync_logs(box)
        for group in (GROUP, OTHER):
            logs.create_log_group(logGroupName=group)
            logs.create_log_stream(logGroupName=group, logStreamName=STREAM)
            logs.create_log_stream(logGroupName=group, logStreamName="other-stream")
        yield box


def sync_logs(box: Sandbox) -> Any:
    return boto3.client(
        "logs",
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(inject_host_prefix=False),
    )


def arn(group: str) -> str:
    return f"arn:aws:logs:us-east-1:123456789012:log-group:{group}"


@asynccontextmanager
async def logs_client(box: Sandbox) -> AsyncIterator[Any]:
    async with get_session().create_client(
        "logs",
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=AioConfig(inject_host_prefix=False),
    ) as client:
        yield client


def put(box: Sandbox, messages: list[str], group: str = GROUP, stream: str = STREAM) -> None:
    now = int(time.time() * 1000)
    sync_logs(box).put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now, "message": message} for message in messages],
    )


async def updates(
    response: dict[str, Any], until: Callable[[list[dict[str, Any]]], bool], timeout: float = 6.0
) -> list[dict[str, Any]]:
    """Read events until ``until(events)`` holds; fail after ``timeout`` seconds."""
    events: list[dict[str, Any]] = []

    async def read() -> None:
        async for event in response["responseStream"]:
            events.append(event)
            if until(events):
                return

    await asyncio.wait_for(read(), timeout)
    return events


def results(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for e in events if "sessionUpdate" in e for r in e["sessionUpdate"]["sessionResults"]]


def messages(events: list[dict[str, Any]]) -> list[str]:
    return [r["message"] for r in results(events)]


async def wait_closed(box: Sandbox) -> None:
    await arrives(lambda: box.live_tail.open_sessions == 0)


async def test_session_start_then_updates_with_new_events_only(sandbox: Sandbox) -> None:
    put(sandbox, ["before the session"])
    async with logs_client(sandbox) as client:
        response = await client.start_live_tail(logGroupIdentifiers=[arn(GROUP)])
        stream = response["responseStream"]
        first = await updates(response, lambda events: len(events) >= 1)
        start = first[0]["sessionStart"]
        assert start["logGroupIdentifiers"] == [arn(GROUP)]
        assert start["sessionId"] and start["requestId"]
        assert sandbox.live_tail.open_sessions == 1
        await asyncio.to_thread(put, sandbox, ["after the session started"])
        events = await updates(response, lambda events: bool(results(events)))
        assert messages(events) == ["after the session started"]
        record = results(events)[0]
        assert record["logStreamName"] == STREAM
        assert record["logGroupIdentifier"] == arn(GROUP)
        assert {"timestamp", "ingestionTime"} <= set(record)
        empty = await updates(response, lambda events: len(events) >= 2)
        assert all(e["sessionUpdate"]["sessionResults"] == [] for e in empty)
        assert all(e["sessionUpdate"]["sessionMetadata"] == {"sampled": False} for e in empty)
        stream.close()
    await wait_closed(sandbox)


async def test_more_than_500_events_in_a_second_are_sampled(sandbox: Sandbox) -> None:
    async with logs_client(sandbox) as client:
        response = await client.start_live_tail(logGroupIdentifiers=[arn(GROUP)])
        await updates(response, lambda events: len(events) >= 1)
        await asyncio.to_thread(put, sandbox, [f"burst {index}" for index in range(1200)])
        events = await updates(response, lambda events: bool(results(events)))
        update = events[-1]["sessionUpdate"]
        assert update["sessionMetadata"]["sampled"] is True
        assert len(update["sessionResults"]) == 500
        indexes = [int(r["message"].split()[1]) for r in update["sessionResults"]]
        assert len(set(indexes)) == 500
        assert indexes == sorted(indexes)
        response["responseStream"].close()
    await wait_closed(sandbox)


async def test_filter_pattern_and_stream_filters(sandbox: Sandbox) -> None:
    async with logs_client(sandbox) as client:
        by_term = await client.start_live_tail(
            logGroupIdentifiers=[arn(GROUP)], logEventFilterPattern='?ERROR ?"timed out"'
        )
        by_json = await client.start_live_tail(
            logGroupIdentifiers=[arn(GROUP)], logEventFilterPattern='{ $.level = "ERR*" }'
        )
        by_stream = await client.start_live_tail(
            logGroupIdentifiers=[arn(GROUP)], logStreamNamePrefixes=["other-"]
        )
        for response in (by_term, by_json, by_stream):
            await updates(response, lambda events: len(events) >= 1)
        lines = [
            "INFO all good",
            "ERROR something broke",
            "Task timed out after 3.00 seconds",
            '{"level": "ERROR", "message": "json failure"}',
            '{"level": "INFO", "message": "json fine"}',
        ]
        await asyncio.to_thread(put, sandbox, lines)
        await asyncio.to_thread(put, sandbox, ["from the other stream"], GROUP, "other-stream")
        term = await updates(by_term, lambda events: len(results(events)) >= 3)
        assert messages(term) == [
            "ERROR something broke",
            "Task timed out after 3.00 seconds",
            '{"level": "ERROR", "message": "json failure"}',
        ]
        structured = await updates(by_json, lambda events: bool(results(events)))
        assert messages(structured) == ['{"level": "ERROR", "message": "json failure"}']
        streams = await updates(by_stream, lambda events: bool(results(events)))
        assert messages(streams) == ["from the other stream"]
        for response in (by_term, by_json, by_stream):
            response["responseStream"].close()
    await wait_closed(sandbox)


async def test_two_sessions_and_other_requests_at_once(sandbox: Sandbox) -> None:
    async with logs_client(sandbox) as client:
        both = await client.start_live_tail(logGroupIdentifiers=[arn(GROUP), arn(OTHER)])
        one = await client.start_live_tail(logGroupIdentifiers=[arn(OTHER)])
        await updates(both, lambda events: len(events) >= 1)
        await updates(one, lambda events: len(events) >= 1)
        assert sandbox.live_tail.open_sessions == 2
        # Streams held open do not hold up other requests (a stuck one hits the deadline).
        groups = await asyncio.wait_for(client.describe_log_groups(), timeout=30)
        assert {g["logGroupName"] for g in groups["logGroups"]} >= {GROUP, OTHER}
        await asyncio.to_thread(put, sandbox, ["to the other group"], OTHER)
        seen_both = await updates(both, lambda events: bool(results(events)))
        seen_one = await updates(one, lambda events: bool(results(events)))
        assert messages(seen_both) == messages(seen_one) == ["to the other group"]
        assert results(seen_both)[0]["logGroupIdentifier"] == arn(OTHER)
        both["responseStream"].close()
        one["responseStream"].close()
    await wait_closed(sandbox)


def request_threads() -> int:
    """The server's request-handling threads (socketserver names them after their target)."""
    return sum("process_request_thread" in thread.name for thread in threading.enumerate())


async def test_disconnect_ends_the_session_without_leaking_a_thread(sandbox: Sandbox) -> None:
    await wait_closed(sandbox)
    async with logs_client(sandbox) as client:
        response = await client.start_live_tail(logGroupIdentifiers=[arn(GROUP)])
        await updates(response, lambda events: len(events) >= 1)
        assert sandbox.live_tail.open_sessions == 1
        assert request_threads() == 1
        response["responseStream"].close()
    await wait_closed(sandbox)
    await arrives(lambda: request_threads() == 0)


async def test_session_timeout_ends_the_stream_with_an_error(sandbox: Sandbox) -> None:
    sandbox.live_tail_max_seconds = 1.5
    try:
        async with logs_client(sandbox) as client:
            response = await client.start_live_tail(logGroupIdentifiers=[arn(GROUP)])
            seen: list[dict[str, Any]] = []
            with pytest.raises(EventStreamError) as raised:
                await updates(response, lambda events: seen.extend(events[-1:]) and False)
            assert raised.value.response["Error"]["Code"] == "SessionTimeoutException"
            assert "sessionStart" in seen[0]
            assert any("sessionUpdate" in event for event in seen)
    finally:
        sandbox.live_tail_max_seconds = 3 * 3600
    await wait_closed(sandbox)


async def test_dropped_streams_break_for_the_client(sandbox: Sandbox) -> None:
    async with logs_client(sandbox) as client:
        response = await client.start_live_tail(logGroupIdentifiers=[arn(GROUP)])
        await updates(response, lambda events: len(events) >= 1)
        assert sandbox.drop_live_tails() == 1
        with pytest.raises(Exception) as raised:
            await updates(response, lambda events: False, timeout=3.0)
        assert not isinstance(raised.value, TimeoutError)
    await wait_closed(sandbox)
    async with logs_client(sandbox) as client:
        again = await client.start_live_tail(logGroupIdentifiers=[arn(GROUP)])
        events = await updates(again, lambda events: len(events) >= 2)
        assert "sessionStart" in events[0] and "sessionUpdate" in events[1]
        again["responseStream"].close()
    await wait_closed(sandbox)


@pytest.mark.parametrize(
    ("request_args", "code", "words"),
    [
        ({"logGroupIdentifiers": [GROUP]}, "InvalidParameterException", "ARN"),
        ({"logGroupIdentifiers": [arn(GROUP) + ":*"]}, "InvalidParameterException", "asterisk"),
        (
            {"logGroupIdentifiers": [arn(GROUP)] * 11},
            "InvalidParameterException",
            "less than or equal to 10",
        ),
        (
            {
                "logGroupIdentifiers": [arn(GROUP)],
                "logStreamNames": [STREAM],
                "logStreamNamePrefixes": ["2026/"],
            },
            "InvalidParameterException",
            "not both",
        ),
        (
            {"logGroupIdentifiers": [arn(GROUP), arn(OTHER)], "logStreamNames": [STREAM]},
            "InvalidParameterException",
            "single log group",
        ),
        (
            {"logGroupIdentifiers": [arn(GROUP)], "logEventFilterPattern": "x" * 1025},
            "InvalidParameterException",
            "1024",
        ),
        (
            {"logGroupIdentifiers": [arn("/test/no-such-group")]},
            "ResourceNotFoundException",
            "does not exist",
        ),
    ],
)
def test_invalid_requests_are_rejected_before_the_stream(
    sandbox: Sandbox, request_args: dict[str, Any], code: str, words: str
) -> None:
    with pytest.raises(ClientError) as raised:
        sync_logs(sandbox).start_live_tail(**request_args)
    assert raised.value.response["Error"]["Code"] == code
    assert words in raised.value.response["Error"]["Message"]
    assert sandbox.live_tail.open_sessions == 0


def test_a_sandbox_without_simulation_has_no_traffic(sandbox: Sandbox) -> None:
    assert sandbox.traffic is None


async def test_events_put_one_by_one_each_reach_live_tail_once_in_order(
    sandbox: Sandbox,
) -> None:
    """50 PutLogEvents (boto3, HTTP), one call each, read by Live Tail
    (aiobotocore): each arrives once, in the order written. (How fast: see
    benchmarks/log_tail.py.)"""
    sent = [f"probe {index}" for index in range(50)]
    received: list[str] = []

    def producer() -> None:
        logs = sync_logs(sandbox)
        for message in sent:
            logs.put_log_events(
                logGroupName=GROUP,
                logStreamName=STREAM,
                logEvents=[{"timestamp": int(time.time() * 1000), "message": message}],
            )

    async with logs_client(sandbox) as client:
        response = await client.start_live_tail(logGroupIdentifiers=[arn(GROUP)])
        await updates(response, lambda events: len(events) >= 1)
        task = asyncio.create_task(asyncio.to_thread(producer))

        def arrived(events: list[dict[str, Any]]) -> bool:
            for record in events[-1].get("sessionUpdate", {}).get("sessionResults", []):
                if record["message"].startswith("probe "):
                    received.append(record["message"])
            return len(received) >= len(sent)

        await updates(response, arrived, timeout=30)
        await task
        response["responseStream"].close()
    assert received == sent
    await wait_closed(sandbox)


@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        ("", "anything", True),
        ("ERROR 500", "ERROR status 500", True),
        ("ERROR 500", "ERROR status 404", False),
        ('"status 500"', "ERROR status 500", True),
        ("?WARN ?ERROR", "[WARN] slow", True),
        ("?WARN ?ERROR", "[INFO] fine", False),
        ("ERROR -retry", "ERROR will retry", False),
        ("%timed out after \\d+\\.\\d+ seconds%", "Task timed out after 3.00 seconds", True),
        ('{ $.level = "ERROR" }', '{"level": "ERROR"}', True),
        ('{ $.level = "ERR*" }', '{"level": "INFO"}', False),
        ('{ $.level != "INFO" }', '{"level": "WARN"}', True),
        (
            "{ $.record.metrics.durationMs > 1000 }",
            '{"record": {"metrics": {"durationMs": 1500.5}}}',
            True,
        ),
        (
            "{ $.record.metrics.durationMs > 1000 }",
            '{"record": {"metrics": {"durationMs": 12}}}',
            False,
        ),
        ('{ ($.a = 1 || $.b = 2) && $.c = "x" }', '{"b": 2, "c": "x"}', True),
        ('{ ($.a = 1 || $.b = 2) && $.c = "x" }', '{"a": 1, "c": "y"}', False),
        ("{ $.missing NOT EXISTS }", '{"present": 1}', True),
        ("{ $.value IS NULL }", '{"value": null}', True),
        ('{ $.items[1] = "b" }', '{"items": ["a", "b"]}', True),
        ('{ $.level = "ERROR" }', "not json", False),
    ],
)
def test_filter_patterns(pattern: str, message: str, expected: bool) -> None:
    assert compile_pattern(pattern)(message) is expected


@pytest.mark.parametrize("pattern", ["{ $.level = }", "{ level = 1 }", "%(%", '{ $.a < "x" }'])
def test_bad_filter_patterns_are_errors(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)
