"""The sandbox's Logs Insights API over HTTP: lifecycle, limits, errors, saved queries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdatui_sandbox import Sandbox

from .helpers import client, eventually
from .insights_world import (
    A1,
    BASE_MS,
    EVENTS,
    GROUPS,
    NODE_TEXT,
    PYTHON_JSON,
    PYTHON_TEXT,
    seed,
)

START = BASE_MS // 1000
END = START + 3600


@pytest.fixture(scope="module")
def box(sandbox: Sandbox) -> Iterator[Sandbox]:
    seed(sandbox)
    insights = sandbox.insights
    insights.schedule_seconds = insights.min_seconds = 0
    yield sandbox


@pytest.fixture
def logs(box: Sandbox) -> Iterator[Any]:
    yield client(box, "logs")
    box.insights.release()
    box.insights.chunk_events = 2000
    logs = client(box, "logs")
    for query in logs.describe_queries()["queries"]:
        if query["status"] in ("Scheduled", "Running"):
            # Released above, it may finish between the listing and the stop.
            with contextlib.suppress(logs.exceptions.InvalidParameterException):
                logs.stop_query(queryId=query["queryId"])


def start(logs: Any, query: str, *groups: str, **extra: Any) -> str:
    params: dict[str, Any] = {"startTime": START, "endTime": END, "queryString": query}
    if "logGroupIdentifiers" not in extra:
        params["logGroupNames"] = list(groups or [PYTHON_TEXT])
    return str(logs.start_query(**params, **extra)["queryId"])


def finished(logs: Any, query_id: str) -> dict[str, Any]:
    def ended() -> dict[str, Any] | None:
        reply = logs.get_query_results(queryId=query_id)
        return None if reply["status"] in ("Scheduled", "Running") else reply

    return eventually(ended)  # type: ignore[no-any-return]


def rows(reply: dict[str, Any], *, ptr: bool = False) -> list[dict[str, str]]:
    return [
        {f["field"]: f["value"] for f in row if ptr or f["field"] != "@ptr"}
        for row in reply["results"]
    ]


def error_of(call: Any, **params: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response  # type: ignore[no-any-return]


def refusal(logs: Any, query: str = "fields @message", **params: Any) -> dict[str, Any]:
    """The error StartQuery answers (of the world's Python group unless groups are given)."""
    if not {"logGroupName", "logGroupNames", "logGroupIdentifiers"} & params.keys():
        params["logGroupName"] = PYTHON_TEXT
    request = {"startTime": START, "endTime": END, "queryString": query, **params}
    return error_of(logs.start_query, **request)


def test_a_query_goes_scheduled_running_complete_with_partial_results(
    box: Sandbox, logs: Any
) -> None:
    box.insights.chunk_events = 1
    box.insights.hold(0)
    query_id = start(logs, "fields @message | sort @timestamp asc")
    scheduled = logs.get_query_results(queryId=query_id)
    assert scheduled["status"] == "Scheduled" and scheduled["results"] == []
    listed = logs.describe_queries(status="Scheduled", logGroupName=PYTHON_TEXT)["queries"]
    assert [q["queryId"] for q in listed] == [query_id]
    assert listed[0]["queryString"] == "fields @message | sort @timestamp asc"

    box.insights.hold(3)

    def partial() -> dict[str, Any] | None:
        reply = logs.get_query_results(queryId=query_id)
        return reply if reply["statistics"]["recordsScanned"] == 3 else None

    running = eventually(partial)
    assert running["status"] == "Running"
    assert [r["@message"] for r in rows(running)] == [m for _, m in EVENTS[PYTHON_TEXT][:3]]

    box.insights.release()
    done = finished(logs, query_id)
    assert done["status"] == "Complete"
    assert [r["@message"] for r in rows(done)] == [m for _, m in EVENTS[PYTHON_TEXT]]
    total = len(EVENTS[PYTHON_TEXT])
    assert done["statistics"]["recordsScanned"] == total
    assert done["statistics"]["recordsMatched"] == total
    assert done["statistics"]["bytesScanned"] == sum(len(m) for _, m in EVENTS[PYTHON_TEXT])
    assert all(row[-1]["field"] == "@ptr" for row in done["results"])
    info = logs.describe_queries(logGroupName=PYTHON_TEXT)["queries"][0]
    assert info["queryId"] == query_id and info["status"] == "Complete"


def test_stats_rows_have_no_ptr_and_read_every_group(logs: Any) -> None:
    query_id = start(logs, "stats count(*) as n by @log", *GROUPS)
    done = finished(logs, query_id)
    assert [(r["@log"].split(":", 1)[1], r["n"]) for r in rows(done, ptr=True)] == sorted(
        (group, str(len(EVENTS[group]))) for group in GROUPS
    )
    assert done["statistics"]["logGroupsScanned"] == 3


def test_stop_query_cancels_and_refuses_an_ended_query(box: Sandbox, logs: Any) -> None:
    box.insights.hold(0)
    query_id = start(logs, "fields @message")
    assert logs.stop_query(queryId=query_id)["success"] is True
    assert logs.get_query_results(queryId=query_id)["status"] == "Cancelled"
    again = error_of(logs.stop_query, queryId=query_id)
    assert again["Error"]["Code"] == "InvalidParameterException"
    assert "not running" in again["Error"]["Message"]


def test_the_thirty_first_concurrent_query_is_refused(box: Sandbox, logs: Any) -> None:
    box.insights.hold(0)
    ids = [start(logs, "fields @message") for _ in range(30)]
    refused = refusal(logs)
    assert refused["Error"]["Code"] == "LimitExceededException"
    assert refused["Error"]["Message"] == "Account maximum query concurrency limit of [30] reached."
    logs.stop_query(queryId=ids[0])
    assert start(logs, "fields @message")


def test_a_query_past_its_time_times_out(box: Sandbox, logs: Any) -> None:
    box.insights.timeout_seconds = 0.05
    try:
        box.insights.hold(0)
        query_id = start(logs, "fields @message")
        assert finished(logs, query_id)["status"] == "Timeout"
    finally:
        box.insights.timeout_seconds = 3600


def test_log_groups_by_identifier_and_the_row_limit(box: Sandbox, logs: Any) -> None:
    arn = f"arn:aws:logs:{box.region}:{box.account_id}:log-group:{NODE_TEXT}"
    query_id = start(logs, "fields @requestId", logGroupIdentifiers=[arn])
    assert len(rows(finished(logs, query_id))) == len(EVENTS[NODE_TEXT])
    limited = start(logs, "fields @message", PYTHON_JSON, limit=3)
    assert len(rows(finished(logs, limited))) == 3


def test_results_page_with_max_items(logs: Any) -> None:
    query_id = start(logs, "fields @message | sort @timestamp asc")
    first = finished(logs, query_id)
    page = logs.get_query_results(queryId=query_id, maxItems=10)
    assert rows(page) == rows(first)[:10] and page["nextToken"]
    rest = logs.get_query_results(queryId=query_id, maxItems=10, nextToken=page["nextToken"])
    assert rows(rest) == rows(first)[10:] and "nextToken" not in rest


def test_malformed_query_says_where(logs: Any) -> None:
    response = refusal(logs, "fields @message | stats nope(x)")
    assert response["Error"]["Code"] == "MalformedQueryException"
    assert response["queryCompileError"] == {
        "location": {"startCharOffset": 24, "endCharOffset": 31},
        "message": "unknown function 'nope'",
    }


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"logGroupNames": ["/aws/lambda/none-such"]}, "ResourceNotFoundException", "none-such"),
        ({"logGroupNames": [PYTHON_TEXT] * 51}, "InvalidParameterException", "50"),
        (
            {"logGroupName": PYTHON_TEXT, "logGroupNames": [NODE_TEXT]},
            "InvalidParameterException",
            "exactly one",
        ),
        ({"logGroupName": PYTHON_TEXT, "limit": 100_001}, "InvalidParameterException", "limit"),
        (
            {"logGroupName": PYTHON_TEXT, "startTime": END, "endTime": START},
            "InvalidParameterException",
            "before",
        ),
    ],
)
def test_start_query_refusals(logs: Any, params: dict[str, Any], code: str, words: str) -> None:
    response = refusal(logs, **params)
    assert response["Error"]["Code"] == code
    assert words in response["Error"]["Message"]


def test_unknown_query_ids(logs: Any) -> None:
    for call in (logs.get_query_results, logs.stop_query):
        response = error_of(call, queryId="00000000-0000-0000-0000-000000000000")
        assert response["Error"]["Code"] == "ResourceNotFoundException"


def test_query_definitions_are_created_listed_updated_and_deleted(logs: Any) -> None:
    first = logs.put_query_definition(
        name="lambda/errors", queryString="filter level = 'ERROR'", logGroupNames=[PYTHON_JSON]
    )["queryDefinitionId"]
    second = logs.put_query_definition(name="lambda/slow", queryString="sort @duration desc")[
        "queryDefinitionId"
    ]
    logs.put_query_definition(name="other", queryString="fields @message")
    listed = logs.describe_query_definitions(queryDefinitionNamePrefix="lambda/")
    assert [(d["name"], d.get("logGroupNames")) for d in listed["queryDefinitions"]] == [
        ("lambda/errors", [PYTHON_JSON]),
        ("lambda/slow", None),
    ]
    page = logs.describe_query_definitions(queryDefinitionNamePrefix="lambda/", maxResults=1)
    assert [d["queryDefinitionId"] for d in page["queryDefinitions"]] == [first]
    rest = logs.describe_query_definitions(
        queryDefinitionNamePrefix="lambda/", maxResults=1, nextToken=page["nextToken"]
    )
    assert [d["queryDefinitionId"] for d in rest["queryDefinitions"]] == [second]

    # An update replaces every value (the groups too, when none are given).
    logs.put_query_definition(
        queryDefinitionId=first, name="lambda/errors", queryString="filter level = 'FATAL'"
    )
    updated = logs.describe_query_definitions(queryDefinitionNamePrefix="lambda/errors")
    assert [(d["queryString"], d.get("logGroupNames")) for d in updated["queryDefinitions"]] == [
        ("filter level = 'FATAL'", None)
    ]
    assert logs.delete_query_definition(queryDefinitionId=first)["success"] is True
    gone = error_of(logs.delete_query_definition, queryDefinitionId=first)
    assert gone["Error"]["Code"] == "ResourceNotFoundException"
    missing = error_of(
        logs.put_query_definition, queryDefinitionId=first, name="x", queryString="fields a"
    )
    assert missing["Error"]["Code"] == "ResourceNotFoundException"


def test_requests_show_up_as_logs_calls(box: Sandbox, logs: Any) -> None:
    before = box.calls["logs:StartQuery"]
    finished(logs, start(logs, f"filter @requestId = '{A1}' | stats count(*)"))
    assert box.calls["logs:StartQuery"] == before + 1
