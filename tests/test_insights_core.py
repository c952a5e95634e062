"""The Logs Insights core against the sandbox over HTTP (aiobotocore through AwsSession)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lambdatui.aws.errors import NotFound
from lambdatui.aws.insights import (
    BUILT_IN,
    MalformedQuery,
    QueryRefused,
    QueryResults,
    TooManyQueries,
    delete_query_definition,
    follow_query,
    put_query_definition,
    query_definitions,
    query_results,
    start_query,
    stop_query,
)
from lambdatui.aws.session import AwsSession
from lambdatui_sandbox import Sandbox
from lambdatui_sandbox.insights.engine import Event, run

from .helpers import arrives, client, session_for
from .insights_world import (
    BASE_MS,
    C3,
    EVENTS,
    F6,
    G7,
    GROUPS,
    PYTHON_JSON,
    PYTHON_TEXT,
    STREAM,
    seed,
)

START = datetime.fromtimestamp(BASE_MS / 1000, UTC)
END = START + timedelta(hours=1)


@pytest.fixture(scope="module")
def box(sandbox: Sandbox) -> Iterator[Sandbox]:
    seed(sandbox)
    sandbox.insights.schedule_seconds = sandbox.insights.min_seconds = 0
    yield sandbox


@pytest.fixture
async def aws(box: Sandbox) -> AsyncIterator[AwsSession]:
    session = session_for(box)
    yield session
    box.insights.release()
    box.allow()
    for query_id, _ in list(running(box)):
        await stop_query(session, query_id)
    await session.close()


def running(box: Sandbox) -> list[tuple[str, str]]:
    queries = client(box, "logs").describe_queries()["queries"]
    return [(q["queryId"], q["status"]) for q in queries if q["status"] in ("Scheduled", "Running")]


async def no_sleep(seconds: float) -> None:
    return None


async def results_until(aws: AwsSession, query_id: str, predicate: Any) -> QueryResults:
    """Poll GetQueryResults until ``predicate(results)`` holds, or fail."""

    async def probe() -> QueryResults | None:
        results = await query_results(aws, query_id)
        return results if predicate(results) else None

    found: QueryResults = await arrives(probe)
    return found


async def run_to_end(aws: AwsSession, query: str, groups: tuple[str, ...] = GROUPS) -> QueryResults:
    query_id = await start_query(aws, groups, query, START, END)
    answers = [answer async for answer in follow_query(aws, query_id, interval=0.01)]
    assert all(answer.running for answer in answers[:-1])
    return answers[-1]


def engine_rows(query: str) -> list[dict[str, str]]:
    streams = [
        (group, STREAM, [Event(t, m, t + 50, i) for i, (t, m) in enumerate(events)])
        for group, events in EVENTS.items()
    ]
    return [{k: v for k, v in row if k != "@ptr"} for row in run(query, streams).rows]


def without_ptr(results: QueryResults) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != "@ptr"} for row in results.rows]


@pytest.mark.parametrize("name", list(BUILT_IN))
async def test_built_in_queries_run_over_http_as_the_engine_answers(
    aws: AwsSession, name: str
) -> None:
    results = await run_to_end(aws, BUILT_IN[name])
    assert results.status == "Complete"
    assert results.rows
    assert without_ptr(results) == engine_rows(BUILT_IN[name])


async def test_errors_and_timeouts_over_http(aws: AwsSession) -> None:
    errors = await run_to_end(aws, BUILT_IN["Errors by message"])
    assert errors.columns == ["error", "errors"]
    assert errors.rows[0] == {"error": "payment declined", "errors": "2"}
    timeouts = await run_to_end(aws, BUILT_IN["Timeouts"])
    assert [row["requestId"] for row in timeouts.rows] == [G7, C3]
    assert all("@ptr" in row for row in timeouts.rows)
    recent = await run_to_end(aws, BUILT_IN["Recent errors with request ids"], (PYTHON_JSON,))
    assert [row["requestId"] for row in recent.rows] == [F6, F6]
    assert recent.statistics.records_scanned == len(EVENTS[PYTHON_JSON])
    assert recent.statistics.records_matched == 2


async def test_following_a_query_shows_it_scheduled_then_complete(
    box: Sandbox, aws: AwsSession
) -> None:
    box.insights.hold(0)
    query_id = await start_query(aws, [PYTHON_TEXT], "stats count(*) as n", START, END)
    follow = follow_query(aws, query_id, interval=0.01)
    first = await anext(follow)
    assert (first.status, first.rows, first.running) == ("Scheduled", (), True)
    box.insights.release()
    rest = [answer async for answer in follow]
    assert rest[-1].status == "Complete" and not rest[-1].running
    assert rest[-1].rows == ({"n": str(len(EVENTS[PYTHON_TEXT]))},)


async def test_stop_query_cancels_then_says_it_had_ended(box: Sandbox, aws: AwsSession) -> None:
    box.insights.hold(0)
    query_id = await start_query(aws, [PYTHON_TEXT], "fields @message", START, END)
    assert await stop_query(aws, query_id) is True
    assert (await query_results(aws, query_id)).status == "Cancelled"
    assert await stop_query(aws, query_id) is False


async def test_a_malformed_query_keeps_its_location(aws: AwsSession) -> None:
    query = "filter @type = 'REPORT'\n| stats avg(@duration) by"
    with pytest.raises(MalformedQuery) as caught:
        await start_query(aws, [PYTHON_TEXT], query, START, END)
    error = caught.value
    assert error.location == (len(query), len(query))
    assert error.code == "MalformedQueryException"
    assert "expected a field" in error.message
    assert error.sentence.startswith("the query does not compile: expected a field")


async def test_more_than_fifty_groups_are_refused_before_any_call(
    box: Sandbox, aws: AwsSession
) -> None:
    before = box.calls["logs:StartQuery"]
    groups = [f"/aws/lambda/f{i}" for i in range(51)]
    with pytest.raises(QueryRefused) as caught:
        await start_query(aws, groups, "fields @message", START, END)
    assert "at most 50 log groups" in caught.value.sentence
    with pytest.raises(QueryRefused):
        await start_query(aws, [], "fields @message", START, END)
    with pytest.raises(QueryRefused):
        await start_query(aws, [PYTHON_TEXT], "fields @message", END, START)
    assert box.calls["logs:StartQuery"] == before


async def test_the_concurrency_limit_is_said_at_once(box: Sandbox, aws: AwsSession) -> None:
    box.insights.hold(0)
    for _ in range(30):
        await start_query(aws, [PYTHON_TEXT], "fields @message", START, END)
    before = box.calls["logs:StartQuery"]
    with pytest.raises(TooManyQueries) as caught:
        await start_query(aws, [PYTHON_TEXT], "fields @message", START, END)
    assert "30 concurrent queries per account" in caught.value.sentence
    # Sent once: no retry of a refusal that only a finished query lifts.
    assert box.calls["logs:StartQuery"] == before + 1


async def test_a_throttled_start_is_tried_again(box: Sandbox, aws: AwsSession) -> None:
    rule = box.fault("logs:StartQuery", "throttle", times=1)
    query_id = await start_query(aws, [PYTHON_TEXT], "fields @message", START, END, sleep=no_sleep)
    assert rule.hits == 1
    assert query_id


async def test_an_unknown_group_is_not_found(aws: AwsSession) -> None:
    with pytest.raises(NotFound) as caught:
        await start_query(aws, ["/aws/lambda/none-such"], "fields @message", START, END)
    assert "none-such" in caught.value.sentence


async def test_group_arns_and_the_row_limit(box: Sandbox, aws: AwsSession) -> None:
    arn = f"arn:aws:logs:{box.region}:{box.account_id}:log-group:{PYTHON_TEXT}:*"
    query_id = await start_query(aws, [arn], "fields @requestId", START, END, limit=4)
    answers = [answer async for answer in follow_query(aws, query_id, interval=0.01)]
    assert len(answers[-1].rows) == 4


async def test_partial_rows_while_running(box: Sandbox, aws: AwsSession) -> None:
    box.insights.chunk_events = 1
    box.insights.hold(2)
    try:
        query_id = await start_query(
            aws, [PYTHON_TEXT], "fields @message | sort @timestamp asc", START, END
        )
        partial = await results_until(aws, query_id, lambda r: r.statistics.records_scanned == 2)
        assert partial.status == "Running"
        assert [row["@message"] for row in partial.rows] == [
            message for _, message in EVENTS[PYTHON_TEXT][:2]
        ]
        box.insights.release()
        done = await results_until(aws, query_id, lambda r: not r.running)
        assert done.status == "Complete"
        assert len(done.rows) == len(EVENTS[PYTHON_TEXT])
    finally:
        box.insights.chunk_events = 2000


async def test_saved_queries(aws: AwsSession) -> None:
    first = await put_query_definition(
        aws, "lambdatui/Cold starts", BUILT_IN["Cold starts"], [PYTHON_TEXT, PYTHON_JSON]
    )
    await put_query_definition(aws, "lambdatui/Timeouts", BUILT_IN["Timeouts"])
    saved = await query_definitions(aws, "lambdatui/")
    assert [(d.name, d.groups) for d in saved] == [
        ("lambdatui/Cold starts", (PYTHON_TEXT, PYTHON_JSON)),
        ("lambdatui/Timeouts", ()),
    ]
    assert saved[0].definition_id == first and saved[0].query == BUILT_IN["Cold starts"]
    assert saved[0].last_modified is not None
    same = await put_query_definition(
        aws, "lambdatui/Cold starts", "fields @message", definition_id=first
    )
    assert same == first
    assert [d.query for d in await query_definitions(aws, "lambdatui/Cold")] == ["fields @message"]
    await delete_query_definition(aws, first)
    assert [d.name for d in await query_definitions(aws, "lambdatui/")] == ["lambdatui/Timeouts"]
    with pytest.raises(NotFound):
        await delete_query_definition(aws, first)
    with pytest.raises(QueryRefused):
        await put_query_definition(aws, "x", "fields a", [f"/g{i}" for i in range(51)])
