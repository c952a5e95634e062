"""CloudWatch Logs calls at the edges: a group that does not exist, a bounded and
filtered read, a Live Tail with a filter pattern."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from lambdatui.aws.errors import NotFound
from lambdatui.aws.logs import filter_pages, group_arn, live_tail

from .helpers import client, session_for


async def test_a_group_that_does_not_exist_says_so(sandbox: Any) -> None:
    aws = session_for(sandbox)
    try:
        with pytest.raises(NotFound) as missing:
            await group_arn(aws, "/aws/lambda/never-ran")
    finally:
        await aws.close()

    assert "log group /aws/lambda/never-ran does not exist" in missing.value.sentence


async def test_a_bounded_filtered_read_and_a_filtered_live_tail(sandbox: Any) -> None:
    logs = client(sandbox, "logs")
    group = f"/aws/lambda/orders-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 3000, "message": "ERROR too early"},
            {"timestamp": now - 2000, "message": "ERROR in the window"},
            {"timestamp": now - 1500, "message": "INFO in the window"},
            {"timestamp": now - 500, "message": "ERROR too late"},
        ],
    )
    aws = session_for(sandbox)
    try:
        found = [
            r.message
            async for page in filter_pages(aws, group, now - 2500, now - 1000, "ERROR")
            for r in page
        ]
        arn = await group_arn(aws, group)
        stream = live_tail(aws, {arn: group}, pattern="ERROR")
        first = await anext(stream)
        await stream.aclose()
    finally:
        await aws.close()

    assert found == ["ERROR in the window"]
    assert first.started
