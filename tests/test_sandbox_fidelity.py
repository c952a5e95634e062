"""Logs, metrics, SQS and Schemas answer as the AWS API references document them.

Each test drives the sandbox over HTTP with boto3 and checks the shapes, paging and
errors the references describe (FilterLogEvents, GetMetricData, GetQueueAttributes,
ListSchemaVersions / DeleteSchemaVersion).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.logs.models import logs_backends

from lambdatui_sandbox import Sandbox, ingestion

from .helpers import FROZEN_NOW, client

MB = 1_048_576
GROUP = "/fidelity/patterns"
BIG = "/fidelity/big"
MIXED = "/fidelity/interleaved"
NAMESPACE = "Fidelity/Probe"
DIMENSIONS = [{"Name": "Probe", "Value": "rounding"}]

MESSAGES = [
    '{"level": "ERROR", "message": "payment declined", "durationMs": 1500, "user": null}',
    '{"level": "INFO", "message": "payment accepted", "durationMs": 20, "user": "ana"}',
    '{"level": "WARN", "message": "slow downstream", "durationMs": 900}',
    "[ERROR] 2026-11-27T11:00:00Z req-1 Task timed out after 3.00 seconds",
    "[INFO] 2026-11-27T11:00:01Z req-2 order created",
    "[WARN] 2026-11-27T11:00:02Z req-3 retry scheduled",
    "REPORT RequestId: req-1 Duration: 3000.00 ms",
    '10.0.0.1 - ana [27/Nov/2026:11:00:03 +0000] "GET /orders HTTP/1.1" 200 512',
    '10.0.0.2 - bob [27/Nov/2026:11:00:04 +0000] "POST /orders HTTP/1.1" 503 2048',
]


def now_ms() -> int:
    return int(time.time() * 1000)


def put_events(logs: Any, group: str, stream: str, events: list[tuple[int, str]]) -> None:
    """PutLogEvents in batches under the API's limits, each in timestamp order."""
    events = sorted(events)
    batch: list[dict[str, Any]] = []
    size = 0
    for stamp, message in events:
        if batch and (len(batch) == 5_000 or size + len(message) + 26 > 900_000):
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
            batch, size = [], 0
        batch.append({"timestamp": stamp, "message": message})
        size += len(message) + 26
    if batch:
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)


def make_group(logs: Any, group: str, *streams: str) -> None:
    logs.create_log_group(logGroupName=group)
    for stream in streams:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)


@pytest.fixture(scope="module")
def logs(sandbox: Sandbox) -> Any:
    return client(sandbox, "logs")


@pytest.fixture(scope="module")
def seeded(sandbox: Sandbox, logs: Any) -> dict[str, Any]:
    """A group of varied messages, a group over 1 MB, and a group of two interleaved streams."""
    start = now_ms() - 600_000
    make_group(logs, GROUP, "app")
    put_events(logs, GROUP, "app", [(start + i, m) for i, m in enumerate(MESSAGES)])
    make_group(logs, BIG, "a", "b")
    big = [(start + i, f"event {i:05d} " + "x" * 600) for i in range(2_600)]
    put_events(logs, BIG, "a", big[::2])
    put_events(logs, BIG, "b", big[1::2])
    make_group(logs, MIXED, "2026/11/27/[$LATEST]one", "2026/11/27/[$LATEST]two", "other")
    put_events(logs, MIXED, "2026/11/27/[$LATEST]one", [(start + t, f"one {t}") for t in (0, 2, 4)])
    put_events(logs, MIXED, "2026/11/27/[$LATEST]two", [(start + t, f"two {t}") for t in (1, 3, 5)])
    put_events(logs, MIXED, "other", [(start + 6, "other 6")])
    return {"start": start, "big": big}


def messages(reply: dict[str, Any]) -> list[str]:
    return [event["message"] for event in reply["events"]]


def error_of(call: Any, **kwargs: Any) -> dict[str, str]:
    """The error's code and message (the protocol may add more keys, such as Type)."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return {"Code": error["Code"], "Message": error["Message"]}


# FilterLogEvents: filter patterns.


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.level = "ERROR" }', [0]),
        ('{ $.level = "ERR*" || $.level = "WARN" }', [0, 2]),
        ("{ $.durationMs > 1000 }", [0]),
        ('{ $.durationMs <= 900 && $.level != "WARN" }', [1]),
        ("{ $.user IS NULL }", [0]),
        ("{ $.user NOT EXISTS }", [2]),
        ("{ $.message = %pay.*d$% }", [0, 1]),
        ("?ERROR ?WARN", [0, 2, 3, 5]),
        ("INFO order", [4]),
        ("req -ERROR", [4, 5, 6]),
        ("req-1", [3, 6]),
        ('"timed out"', [3]),
        ("%timed out after \\d+\\.\\d+ seconds%", [3]),
        ("%^\\[[EW]%", [3, 5]),
        ("[ip, id, user, timestamp, request, status = 5*, bytes]", [8]),
        ('[ip, ..., request = "*GET*", status, bytes < 1000]', [7]),
        ("", list(range(len(MESSAGES)))),
    ],
)
def test_filter_log_events_honours_filter_patterns(
    logs: Any, seeded: dict[str, Any], pattern: str, expected: list[int]
) -> None:
    reply = logs.filter_log_events(logGroupName=GROUP, filterPattern=pattern)
    assert messages(reply) == [MESSAGES[i] for i in expected]
    assert "nextToken" not in reply
    assert reply["searchedLogStreams"] == []


@pytest.mark.parametrize(
    "pattern",
    [
        '{ $.level = "ERROR"',
        "{ level = 1 }",
        "{ $.durationMs > }",
        '{ $.level < "x" }',
        "email@example.com",
        '""',
        "?",
        "%a(b)%",
        "%ok!%",
        "[ip, , user]",
    ],
)
def test_malformed_patterns_are_invalid_parameters(
    sandbox: Sandbox, logs: Any, seeded: dict[str, Any], pattern: str
) -> None:
    error = error_of(logs.filter_log_events, logGroupName=GROUP, filterPattern=pattern)
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"].startswith("Invalid filter pattern")
    # Live Tail parses patterns with the same code, so it refuses them in the same words.
    arn = f"arn:aws:logs:{sandbox.region}:{sandbox.account_id}:log-group:{GROUP}"
    tail = client(sandbox, "logs", Config(inject_host_prefix=False))
    tail_error = error_of(
        tail.start_live_tail, logGroupIdentifiers=[arn], logEventFilterPattern=pattern
    )
    assert tail_error == error


def test_a_pattern_longer_than_1024_characters_is_refused(logs: Any, seeded: Any) -> None:
    error = error_of(logs.filter_log_events, logGroupName=GROUP, filterPattern="a" * 1025)
    assert error["Code"] == "InvalidParameterException"
    assert "Member must have length less than or equal to 1024" in error["Message"]


# FilterLogEvents: pages.


def test_pages_hold_at_most_one_megabyte_then_a_next_token(
    logs: Any, seeded: dict[str, Any]
) -> None:
    first = logs.filter_log_events(logGroupName=BIG)
    size = sum(len(e["message"].encode()) + 26 for e in first["events"])
    assert size <= MB
    assert size + len(first["events"][0]["message"]) + 26 > MB
    assert first["nextToken"]
    pages = list(logs.get_paginator("filter_log_events").paginate(logGroupName=BIG))
    assert len(pages) == 2
    events = [event for page in pages for event in page["events"]]
    assert [(e["timestamp"], e["message"]) for e in events] == seeded["big"]
    assert len({e["eventId"] for e in events}) == len(events)
    assert {e["logStreamName"] for e in events} == {"a", "b"}
    assert "nextToken" not in pages[-1]


def test_limit_caps_a_page_and_the_token_resumes_after_it(
    logs: Any, seeded: dict[str, Any]
) -> None:
    first = logs.filter_log_events(logGroupName=BIG, limit=100)
    assert len(first["events"]) == 100
    second = logs.filter_log_events(logGroupName=BIG, limit=100, nextToken=first["nextToken"])
    assert [e["message"] for e in first["events"] + second["events"]] == [
        message for _, message in seeded["big"][:200]
    ]


@pytest.mark.parametrize(("limit", "words"), [(0, "greater than or equal to 1"), (10_001, "10000")])
def test_limit_outside_the_model_is_refused(
    sandbox: Sandbox, seeded: dict[str, Any], limit: int, words: str
) -> None:
    # botocore checks only the lower bound itself; the service checks both.
    unchecked = client(sandbox, "logs", Config(parameter_validation=False))
    error = error_of(unchecked.filter_log_events, logGroupName=GROUP, limit=limit)
    assert error["Code"] == "InvalidParameterException"
    assert words in error["Message"]


def test_a_search_for_rare_events_can_answer_empty_pages_that_continue(
    sandbox: Sandbox, logs: Any, seeded: dict[str, Any]
) -> None:
    sandbox.log_events.scan_limit = 500
    try:
        pages = list(
            logs.get_paginator("filter_log_events").paginate(
                logGroupName=BIG, filterPattern='"event 02599"'
            )
        )
    finally:
        sandbox.log_events.scan_limit = 100_000
    assert len(pages) == 6
    assert [len(page["events"]) for page in pages] == [0, 0, 0, 0, 0, 1]
    assert all("nextToken" in page for page in pages[:-1])
    assert pages[-1]["events"][0]["message"].startswith("event 02599")


def test_streams_interleave_by_timestamp_within_the_time_range(
    logs: Any, seeded: dict[str, Any]
) -> None:
    start = seeded["start"]
    every = logs.filter_log_events(logGroupName=MIXED)
    assert messages(every) == ["one 0", "two 1", "one 2", "two 3", "one 4", "two 5", "other 6"]
    window = logs.filter_log_events(logGroupName=MIXED, startTime=start + 2, endTime=start + 4)
    assert messages(window) == ["one 2", "two 3", "one 4"]
    named = logs.filter_log_events(logGroupName=MIXED, logStreamNames=["other"])
    assert messages(named) == ["other 6"]
    prefixed = logs.filter_log_events(logGroupName=MIXED, logStreamNamePrefix="2026/11/27/")
    assert messages(prefixed) == ["one 0", "two 1", "one 2", "two 3", "one 4", "two 5"]
    newest_first = list(
        logs.get_paginator("filter_log_events").paginate(
            logGroupName=MIXED, startTime=start, startFromHead=False, limit=3
        )
    )
    assert [messages(page) for page in newest_first] == [
        ["other 6", "two 5", "one 4"],
        ["two 3", "one 2", "two 1"],
        ["one 0"],
    ]


def test_each_search_sees_the_group_as_it_is_now(sandbox: Sandbox, logs: Any) -> None:
    group = "/fidelity/changing"
    make_group(logs, group, "s")
    start = now_ms() - 60_000
    put_events(logs, group, "s", [(start + 10, "ten"), (start + 30, "thirty")])
    assert messages(logs.filter_log_events(logGroupName=group)) == ["ten", "thirty"]
    # A later write with an earlier timestamp still comes out in timestamp order.
    put_events(logs, group, "s", [(start + 20, "twenty")])
    assert messages(logs.filter_log_events(logGroupName=group)) == ["ten", "twenty", "thirty"]
    # The traffic simulator trims old events by replacing a stream's event list.
    stream = logs_backends[sandbox.account_id][sandbox.region].groups[group].streams["s"]
    assert ingestion.trim(stream, [start + 25]) == 2
    put_events(logs, group, "s", [(start + 40, "forty"), (start + 50, "fifty")])
    assert messages(logs.filter_log_events(logGroupName=group)) == ["thirty", "forty", "fifty"]


def test_stream_names_and_prefix_together_are_refused(logs: Any, seeded: Any) -> None:
    error = error_of(
        logs.filter_log_events,
        logGroupName=MIXED,
        logStreamNames=["other"],
        logStreamNamePrefix="2026/",
    )
    assert error == {
        "Code": "InvalidParameterException",
        "Message": "Cannot specify both logStreamNames and logStreamNamePrefix.",
    }


def test_the_group_is_named_or_identified_by_arn(
    sandbox: Sandbox, logs: Any, seeded: dict[str, Any]
) -> None:
    arn = f"arn:aws:logs:{sandbox.region}:{sandbox.account_id}:log-group:{MIXED}"
    by_arn = logs.filter_log_events(logGroupIdentifier=arn)
    by_name = logs.filter_log_events(logGroupIdentifier=MIXED)
    assert (
        messages(by_arn)
        == messages(by_name)
        == messages(logs.filter_log_events(logGroupName=MIXED))
    )
    both = error_of(logs.filter_log_events, logGroupName=MIXED, logGroupIdentifier=arn)
    assert both["Code"] == "InvalidParameterException"
    missing = error_of(logs.filter_log_events, logGroupName="/fidelity/none")
    assert missing == {
        "Code": "ResourceNotFoundException",
        "Message": "The specified log group does not exist.",
    }


def test_describe_log_groups_reports_retention_as_a_number(logs: Any) -> None:
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    kept = [group["retentionInDays"] for group in groups if "retentionInDays" in group]
    assert kept
    assert all(isinstance(days, int) for days in kept)


# GetMetricData.


@pytest.fixture(scope="module")
def watch(sandbox: Sandbox) -> Any:
    return client(sandbox, "cloudwatch")


def stat_query(qid: str, name: str, stat: str = "Sum", period: int = 60, **extra: Any) -> Any:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": name, "Dimensions": DIMENSIONS},
            "Period": period,
            "Stat": stat,
        },
        **extra,
    }


def put_points(watch: Any, name: str, points: list[tuple[datetime, float]]) -> None:
    for at in range(0, len(points), 20):
        watch.put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                {"MetricName": name, "Dimensions": DIMENSIONS, "Timestamp": stamp, "Value": value}
                for stamp, value in points[at : at + 20]
            ],
        )


@pytest.fixture(scope="module")
def metric_points(watch: Any) -> datetime:
    """Requests and failures a minute apart (at :10 seconds) for ten minutes."""
    base = FROZEN_NOW - timedelta(hours=1)
    put_points(
        watch, "Requests", [(base + timedelta(minutes=i, seconds=10), 10.0) for i in range(10)]
    )
    put_points(
        watch,
        "Failures",
        [(base + timedelta(minutes=i, seconds=10), float(i % 3)) for i in range(10)],
    )
    return base


def test_start_time_and_timestamps_are_rounded_to_the_minute(
    watch: Any, metric_points: datetime
) -> None:
    base = metric_points
    reply = watch.get_metric_data(
        MetricDataQueries=[stat_query("requests", "Requests")],
        StartTime=base + timedelta(seconds=37),
        EndTime=base + timedelta(minutes=10),
        ScanBy="TimestampAscending",
    )
    result = reply["MetricDataResults"][0]
    assert result["Timestamps"] == [base + timedelta(minutes=i) for i in range(10)]
    assert result["Values"] == [10.0] * 10
    assert result["StatusCode"] == "Complete"
    assert reply["Messages"] == []


@pytest.mark.parametrize(
    ("age", "rounded"),
    [(timedelta(days=20), timedelta(minutes=5)), (timedelta(days=70), timedelta(0))],
)
def test_older_start_times_round_to_five_minutes_or_an_hour(
    watch: Any, age: timedelta, rounded: timedelta
) -> None:
    hour = (FROZEN_NOW - age).replace(minute=0, second=0)
    name = f"Old{age.days}"
    put_points(watch, name, [(hour + timedelta(minutes=8, seconds=10), 4.0)])
    reply = watch.get_metric_data(
        MetricDataQueries=[stat_query("old", name, period=3600)],
        StartTime=hour + timedelta(minutes=7, seconds=30),
        EndTime=hour + timedelta(hours=2),
    )
    result = reply["MetricDataResults"][0]
    assert result["Timestamps"] == [hour + rounded]
    assert result["Values"] == [4.0]


def test_more_than_500_queries_are_refused(watch: Any, metric_points: datetime) -> None:
    queries = [stat_query(f"q{i}", "Requests") for i in range(501)]
    error = error_of(
        watch.get_metric_data,
        MetricDataQueries=queries,
        StartTime=metric_points,
        EndTime=metric_points + timedelta(minutes=10),
    )
    assert error == {
        "Code": "ValidationError",
        "Message": "The collection MetricDataQueries must not have a size greater than 500.",
    }
    fine = watch.get_metric_data(
        MetricDataQueries=queries[:500],
        StartTime=metric_points,
        EndTime=metric_points + timedelta(minutes=10),
    )
    assert len(fine["MetricDataResults"]) == 500


def test_labels_default_to_the_metric_name_or_the_expression_id(
    watch: Any, metric_points: datetime
) -> None:
    reply = watch.get_metric_data(
        MetricDataQueries=[
            stat_query("requests", "Requests"),
            stat_query("failures", "Failures", Label="Failed requests"),
            {"Id": "rate", "Expression": "100 * failures / requests"},
        ],
        StartTime=metric_points,
        EndTime=metric_points + timedelta(minutes=10),
    )
    labels = {r["Id"]: r["Label"] for r in reply["MetricDataResults"]}
    assert labels == {"requests": "Requests", "failures": "Failed requests", "rate": "rate"}


def test_failures_are_reported_per_query(watch: Any, metric_points: datetime) -> None:
    reply = watch.get_metric_data(
        MetricDataQueries=[
            stat_query("requests", "Requests"),
            stat_query("failures", "Failures", ReturnData=False),
            {"Id": "perfailure", "Expression": "requests / failures"},
            {"Id": "filled", "Expression": "FILL(failures, 0)"},
        ],
        StartTime=metric_points,
        EndTime=metric_points + timedelta(minutes=10),
        ScanBy="TimestampAscending",
    )
    results = {r["Id"]: r for r in reply["MetricDataResults"]}
    assert list(results) == ["requests", "perfailure", "filled"]
    assert results["requests"]["StatusCode"] == "Complete"
    assert "Messages" not in results["requests"]
    # Division by zero leaves out the minutes without failures and says so.
    per_failure = results["perfailure"]
    assert per_failure["StatusCode"] == "Complete"
    assert per_failure["Values"] == [10.0, 5.0, 10.0, 5.0, 10.0, 5.0]
    assert per_failure["Messages"] == [
        {
            "Code": "ArithmeticError",
            "Value": "One or more data-points have been dropped due to non-numeric values "
            "(NaN, -Infinite, +Infinite)",
        }
    ]
    filled = results["filled"]
    assert filled["StatusCode"] == "InternalError"
    assert filled["Values"] == []
    assert filled["Messages"][0]["Code"] == "InternalError"


def test_max_datapoints_pages_with_partial_data(watch: Any, metric_points: datetime) -> None:
    request = {
        "MetricDataQueries": [
            stat_query("requests", "Requests"),
            stat_query("failures", "Failures"),
        ],
        "StartTime": metric_points,
        "EndTime": metric_points + timedelta(minutes=10),
        "ScanBy": "TimestampAscending",
        "MaxDatapoints": 8,
    }
    first = watch.get_metric_data(**request)
    status = {r["Id"]: (r["StatusCode"], len(r["Values"])) for r in first["MetricDataResults"]}
    assert status == {"requests": ("PartialData", 8), "failures": ("PartialData", 0)}
    assert first["NextToken"]
    pages = list(watch.get_paginator("get_metric_data").paginate(**request))
    assert len(pages) == 3
    collected: dict[str, list[float]] = {}
    for page in pages:
        for result in page["MetricDataResults"]:
            collected.setdefault(result["Id"], []).extend(result["Values"])
    assert collected == {"requests": [10.0] * 10, "failures": [float(i % 3) for i in range(10)]}
    assert all(r["StatusCode"] == "Complete" for r in pages[-1]["MetricDataResults"])
    assert "NextToken" not in pages[-1]
    stale = error_of(watch.get_metric_data, **{**request, "NextToken": "bm90IGEgdG9rZW4="})
    assert stale["Code"] == "InvalidNextToken"


# SQS RedriveAllowPolicy.


def test_get_queue_attributes_returns_redrive_allow_policy_when_set(sandbox: Sandbox) -> None:
    sqs = client(sandbox, "sqs")
    source = sqs.create_queue(QueueName="fidelity-source")["QueueUrl"]
    source_arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    policy = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]})
    dlq = sqs.create_queue(QueueName="fidelity-dlq", Attributes={"RedriveAllowPolicy": policy})[
        "QueueUrl"
    ]
    named = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["RedriveAllowPolicy"])
    assert named["Attributes"] == {"RedriveAllowPolicy": policy}
    every = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert every["RedriveAllowPolicy"] == policy
    assert "QueueArn" in every
    without = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["All"])["Attributes"]
    assert "RedriveAllowPolicy" not in without
    none = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedriveAllowPolicy"])
    assert "Attributes" not in none
    denied = json.dumps({"redrivePermission": "denyAll"})
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedriveAllowPolicy": denied})
    both = sqs.get_queue_attributes(
        QueueUrl=source, AttributeNames=["RedriveAllowPolicy", "VisibilityTimeout"]
    )["Attributes"]
    assert both == {"RedriveAllowPolicy": denied, "VisibilityTimeout": "30"}


# EventBridge Schemas versions.


@pytest.fixture
def schema(sandbox: Sandbox) -> Iterator[tuple[Any, str, str]]:
    schemas = client(sandbox, "schemas")
    registry, name = "fidelity-registry", "_fidelity-schema"
    schemas.create_registry(RegistryName=registry)
    schemas.create_schema(
        RegistryName=registry, SchemaName=name, Type="OpenApi3", Content=json.dumps({"v": 1})
    )
    yield schemas, registry, name
    schemas.delete_registry(RegistryName=registry)


def test_list_schema_versions_and_delete_one(schema: tuple[Any, str, str]) -> None:
    schemas, registry, name = schema
    for version in (2, 3):
        schemas.update_schema(
            RegistryName=registry, SchemaName=name, Content=json.dumps({"v": version})
        )
    listed = schemas.list_schema_versions(RegistryName=registry, SchemaName=name)
    assert [v["SchemaVersion"] for v in listed["SchemaVersions"]] == ["1", "2", "3"]
    first = listed["SchemaVersions"][0]
    assert first["SchemaName"] == name
    assert first["Type"] == "OpenApi3"
    assert first["SchemaArn"].endswith(f":schema/{registry}/{name}")
    paged = list(
        schemas.get_paginator("list_schema_versions").paginate(
            RegistryName=registry, SchemaName=name, PaginationConfig={"PageSize": 2}
        )
    )
    assert [[v["SchemaVersion"] for v in p["SchemaVersions"]] for p in paged] == [["1", "2"], ["3"]]

    reply = schemas.delete_schema_version(RegistryName=registry, SchemaName=name, SchemaVersion="2")
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 204
    listed = schemas.list_schema_versions(RegistryName=registry, SchemaName=name)
    assert [v["SchemaVersion"] for v in listed["SchemaVersions"]] == ["1", "3"]
    gone = error_of(
        schemas.describe_schema, RegistryName=registry, SchemaName=name, SchemaVersion="2"
    )
    assert gone["Code"] == "NotFoundException"
    again = error_of(
        schemas.delete_schema_version, RegistryName=registry, SchemaName=name, SchemaVersion="2"
    )
    assert again["Code"] == "NotFoundException"
    kept = schemas.describe_schema(RegistryName=registry, SchemaName=name)
    assert (kept["SchemaVersion"], json.loads(kept["Content"])) == ("3", {"v": 3})
    summary = schemas.list_schemas(RegistryName=registry)["Schemas"][0]
    assert summary["VersionCount"] == 2
    # Numbers are never reused: the next version after 3 is 4 even with 2 deleted.
    schemas.delete_schema_version(RegistryName=registry, SchemaName=name, SchemaVersion="3")
    updated = schemas.update_schema(RegistryName=registry, SchemaName=name, Description="next")
    assert updated["SchemaVersion"] == "4"


def test_schema_versions_of_an_unknown_schema_are_not_found(
    schema: tuple[Any, str, str],
) -> None:
    schemas, registry, _ = schema
    error = error_of(schemas.list_schema_versions, RegistryName=registry, SchemaName="_none")
    assert error["Code"] == "NotFoundException"
