"""Logs Insights at the edges: a naive time range, a group that does not exist, a
server error on start, a stop that is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from lambdatui.aws.errors import AccessDenied, AwsError, ServerError
from lambdatui.aws.insights import query_results, start_query, stop_query

from .helpers import FROZEN_NOW, session_for

GROUP = "/aws/lambda/orders-api"


async def test_a_naive_time_range_is_taken_as_utc(sandbox: Any) -> None:
    end = FROZEN_NOW.replace(tzinfo=None)
    aws = session_for(sandbox)
    try:
        query_id = await start_query(aws, [GROUP], "fields @message", end - timedelta(hours=1), end)
        results = await query_results(aws, query_id)
    finally:
        await aws.close()

    assert results.query_id == query_id


async def test_a_server_error_on_start_says_the_query_may_not_have_started(sandbox: Any) -> None:
    sandbox.fault("logs:StartQuery", "500", times=1)
    aws = session_for(sandbox)
    try:
        with pytest.raises(ServerError) as failed:
            await start_query(aws, [GROUP], "fields @message", FROZEN_NOW, FROZEN_NOW)
    finally:
        sandbox.faults.clear()
        await aws.close()

    assert "may not have started: run it again" in failed.value.sentence


async def test_a_query_of_a_group_that_does_not_exist_is_refused(sandbox: Any) -> None:
    aws = session_for(sandbox)
    try:
        with pytest.raises(AwsError) as refused:
            await start_query(
                aws, ["/aws/lambda/never-ran"], "fields @message", FROZEN_NOW, FROZEN_NOW
            )
    finally:
        await aws.close()

    assert "never-ran" in refused.value.sentence, refused.value.sentence


async def test_a_stop_that_is_not_allowed_is_said(sandbox: Any) -> None:
    aws = session_for(sandbox)
    try:
        query_id = await start_query(aws, [GROUP], "fields @message", FROZEN_NOW, FROZEN_NOW)
        sandbox.deny("logs:StopQuery")
        with pytest.raises(AccessDenied) as refused:
            await stop_query(aws, query_id)
    finally:
        sandbox.faults.clear()
        await aws.close()

    assert "logs:StopQuery" in refused.value.sentence
