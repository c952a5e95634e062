"""The tail at the edges: several groups backfilled together, a poll that fails once
and recovers, a group lookup throttled once, or refused."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest

from lambdatui.aws.errors import AccessDenied
from lambdatui.aws.logrecords import LogRecord
from lambdatui.aws.tail import Tailer, TailMode, TailStatus

from .helpers import arrives, client, session_for


def group_with(box: Any, lines: list[tuple[int, str]]) -> str:
    """A fresh log group holding `lines` as (epoch ms, message)."""
    logs = client(box, "logs")
    group = f"/aws/lambda/orders-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": ts, "message": text} for ts, text in lines],
    )
    return group


def tailer(
    aws: Any, groups: list[str], *, live: bool
) -> tuple[Tailer, list[LogRecord], list[TailStatus]]:
    records: list[LogRecord] = []
    statuses: list[TailStatus] = []
    tail = Tailer(
        aws,
        groups,
        sink=records.extend,
        status=statuses.append,
        history_s=600,
        poll_interval=0.05,
        live=live,
    )
    return tail, records, statuses


async def test_two_groups_are_backfilled_in_one_time_order(sandbox: Any) -> None:
    now = int(time.time() * 1000)
    first = group_with(sandbox, [(now - 3000, "a1"), (now - 1000, "a2")])
    second = group_with(sandbox, [(now - 2000, "b1")])
    aws = session_for(sandbox)
    try:
        tail, records, _ = tailer(aws, [first, second], live=False)
        await tail.backfill(now - 60_000)
    finally:
        await aws.close()

    assert [r.message for r in records] == ["a1", "b1", "a2"]


async def test_a_poll_that_fails_once_says_so_and_clears_when_it_recovers(sandbox: Any) -> None:
    now = int(time.time() * 1000)
    group = group_with(sandbox, [(now - 1000, "after the fault")])
    aws = session_for(sandbox)
    aws.max_attempts = 1  # the fault reaches the tail, not botocore's retries
    sandbox.fault("logs:FilterLogEvents", "500", times=1)
    tail, records, statuses = tailer(aws, [group], live=False)
    task = asyncio.ensure_future(tail.run())
    try:
        await arrives(lambda: records and statuses[-1].note == "")
    finally:
        task.cancel()
        sandbox.faults.clear()
        await aws.close()

    notes = [s.note for s in statuses]
    assert "server error, retrying in 2s" in notes
    assert [r.message for r in records] == ["after the fault"]


async def test_a_throttled_group_lookup_is_retried_and_a_refused_one_is_said(
    sandbox: Any,
) -> None:
    now = int(time.time() * 1000)
    group = group_with(sandbox, [(now - 1000, "live")])
    aws = session_for(sandbox)
    aws.max_attempts = 1
    sandbox.fault("logs:DescribeLogGroups", "throttle", times=1)
    tail, _, statuses = tailer(aws, [group], live=True)
    task = asyncio.ensure_future(tail.run())
    try:
        await arrives(lambda: statuses and statuses[-1].mode is TailMode.LIVE)
        assert "throttled, retrying in 1s" in [s.note for s in statuses]
    finally:
        task.cancel()
        sandbox.faults.clear()

    sandbox.deny("logs:DescribeLogGroups")
    tail, _, statuses = tailer(aws, [group], live=True)
    try:
        with pytest.raises(AccessDenied):
            await tail.run()
    finally:
        sandbox.faults.clear()
        await aws.close()
