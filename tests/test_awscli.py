"""The AWS CLI (v1) as a client of `lambdatui sandbox`: its paginators and output shapes.

The CLI reaches the sandbox through the variables `lambdatui sandbox` prints
(AWS_ENDPOINT_URL among them); a private config and credentials file keep the user's
own out of the way, and ask for ISO 8601 timestamps (v1 prints them as sent otherwise,
epoch seconds for CloudWatch's CBOR protocol). The CLI v1 replaces the endpoint of sqs
in us-east-1 with queue.amazonaws.com unless ``--endpoint-url`` is given, so SQS
commands pass it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from .helpers import RemoteSandbox, client

GROUP = "/awscli/orders"
MB = 1_048_576


@pytest.fixture(scope="module")
def cli_env(
    empty_sandbox: RemoteSandbox, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    home = tmp_path_factory.mktemp("aws")
    (home / "config").write_text("[default]\ncli_timestamp_format = iso8601\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(empty_sandbox.exported)
    env.update(
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_DEFAULT_OUTPUT="json",
    )
    assert env["AWS_ENDPOINT_URL"] == empty_sandbox.endpoint_url
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awscli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def aws(env: dict[str, str], *args: str) -> Any:
    done = run(env, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.fixture(scope="module")
def log_events(empty_sandbox: RemoteSandbox) -> list[str]:
    """About 1.6 MB of events in two streams, one in ten of them a JSON error record."""
    logs = client(empty_sandbox, "logs")
    logs.create_log_group(logGroupName=GROUP)
    start = int(time.time() * 1000) - 600_000
    written = [
        json.dumps({"level": "ERROR" if i % 10 == 0 else "INFO", "n": i, "pad": "x" * 560})
        for i in range(2_600)
    ]
    for stream, first in (("a", 0), ("b", 1)):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        events = [{"timestamp": start + i, "message": written[i]} for i in range(first, 2_600, 2)]
        for at in range(0, len(events), 1_000):
            logs.put_log_events(
                logGroupName=GROUP, logStreamName=stream, logEvents=events[at : at + 1_000]
            )
    return written


def test_filter_log_events_pages_through_the_cli_paginator(
    cli_env: dict[str, str], log_events: list[str]
) -> None:
    first = aws(cli_env, "logs", "filter-log-events", "--log-group-name", GROUP, "--no-paginate")
    assert 0 < len(first["events"]) < len(log_events)
    assert sum(len(e["message"].encode()) + 26 for e in first["events"]) <= MB
    assert first["nextToken"]
    every = aws(cli_env, "logs", "filter-log-events", "--log-group-name", GROUP)
    assert [e["message"] for e in every["events"]] == log_events
    assert "nextToken" not in every
    small_pages = aws(
        cli_env, "logs", "filter-log-events", "--log-group-name", GROUP, "--page-size", "400"
    )
    assert [e["message"] for e in small_pages["events"]] == log_events
    some = aws(
        cli_env, "logs", "filter-log-events", "--log-group-name", GROUP, "--max-items", "1500"
    )
    assert len(some["events"]) == 1500
    rest = aws(
        cli_env,
        "logs",
        "filter-log-events",
        "--log-group-name",
        GROUP,
        "--starting-token",
        some["NextToken"],
    )
    assert [e["message"] for e in some["events"] + rest["events"]] == log_events


def test_filter_log_events_with_a_json_filter_pattern(
    cli_env: dict[str, str], log_events: list[str]
) -> None:
    errors = aws(
        cli_env,
        "logs",
        "filter-log-events",
        "--log-group-name",
        GROUP,
        "--filter-pattern",
        '{ $.level = "ERROR" && $.n >= 1000 }',
    )
    expected = [m for m in log_events if '"ERROR"' in m and json.loads(m)["n"] >= 1000]
    assert [e["message"] for e in errors["events"]] == expected
    assert len(expected) == 160
    bad = run(
        cli_env, "logs", "filter-log-events", "--log-group-name", GROUP,
        "--filter-pattern", '{ $.level = "ERROR"',
    )  # fmt: skip
    assert bad.returncode != 0
    assert "InvalidParameterException" in bad.stderr
    assert "Invalid filter pattern" in bad.stderr


def test_get_metric_data(cli_env: dict[str, str], empty_sandbox: RemoteSandbox) -> None:
    minute = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    dimensions = [{"Name": "FunctionName", "Value": "orders-api"}]
    client(empty_sandbox, "cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": dimensions,
                "Timestamp": minute + timedelta(minutes=i, seconds=20),
                "Value": float(i + 1),
            }
            for i in range(5)
        ],
    )
    queries = [
        {
            "Id": "invocations",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Lambda",
                    "MetricName": "Invocations",
                    "Dimensions": dimensions,
                },
                "Period": 60,
                "Stat": "Sum",
            },
        },
        {"Id": "doubled", "Expression": "2 * invocations", "Label": "Twice"},
    ]
    reply = aws(
        cli_env,
        "cloudwatch",
        "get-metric-data",
        "--metric-data-queries",
        json.dumps(queries),
        "--start-time",
        (minute + timedelta(seconds=45)).isoformat(),
        "--end-time",
        (minute + timedelta(minutes=5)).isoformat(),
        "--scan-by",
        "TimestampAscending",
    )
    assert reply["Messages"] == []
    invocations, doubled = reply["MetricDataResults"]
    assert invocations["Id"] == "invocations"
    assert invocations["Label"] == "Invocations"
    assert invocations["StatusCode"] == "Complete"
    # StartTime hh:mm:45 is rounded down to hh:mm:00, so the point at hh:mm:20 is in.
    stamps = [datetime.fromisoformat(stamp) for stamp in invocations["Timestamps"]]
    assert stamps == [minute + timedelta(minutes=i) for i in range(5)]
    assert invocations["Values"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert (doubled["Label"], doubled["Values"]) == ("Twice", [2.0, 4.0, 6.0, 8.0, 10.0])
    too_many = [{**queries[0], "Id": f"q{i}"} for i in range(501)]
    refused = run(
        cli_env, "cloudwatch", "get-metric-data",
        "--metric-data-queries", json.dumps(too_many),
        "--start-time", minute.isoformat(),
        "--end-time", (minute + timedelta(minutes=5)).isoformat(),
    )  # fmt: skip
    assert refused.returncode != 0
    assert "ValidationError" in refused.stderr
    assert "must not have a size greater than 500" in refused.stderr


def test_get_queue_attributes_redrive_allow_policy(cli_env: dict[str, str], tmp_path: Path) -> None:
    policy = {"redrivePermission": "denyAll"}
    attributes = tmp_path / "attributes.json"
    attributes.write_text(json.dumps({"RedriveAllowPolicy": json.dumps(policy)}))
    endpoint = ("--endpoint-url", cli_env["AWS_ENDPOINT_URL"])
    url = aws(
        cli_env, "sqs", "create-queue", "--queue-name", "awscli-dlq",
        "--attributes", f"file://{attributes}", *endpoint,
    )["QueueUrl"]  # fmt: skip
    reply = aws(
        cli_env, "sqs", "get-queue-attributes", "--queue-url", url,
        "--attribute-names", "RedriveAllowPolicy", *endpoint,
    )  # fmt: skip
    assert json.loads(reply["Attributes"]["RedriveAllowPolicy"]) == policy


def test_list_schema_versions(cli_env: dict[str, str]) -> None:
    registry, schema = "lambda-testevent-schemas", "_awscli-demo-schema"
    aws(cli_env, "schemas", "create-registry", "--registry-name", registry)
    aws(
        cli_env, "schemas", "create-schema", "--registry-name", registry,
        "--schema-name", schema, "--type", "OpenApi3", "--content", '{"openapi": "3.0.0"}',
    )  # fmt: skip
    aws(
        cli_env, "schemas", "update-schema", "--registry-name", registry,
        "--schema-name", schema, "--content", '{"openapi": "3.0.1"}',
    )  # fmt: skip
    listed = aws(
        cli_env, "schemas", "list-schema-versions", "--registry-name", registry,
        "--schema-name", schema,
    )  # fmt: skip
    versions = listed["SchemaVersions"]
    assert [v["SchemaVersion"] for v in versions] == ["1", "2"]
    assert {v["Type"] for v in versions} == {"OpenApi3"}
    assert {v["SchemaName"] for v in versions} == {schema}
    done = run(
        cli_env, "schemas", "delete-schema-version", "--registry-name", registry,
        "--schema-name", schema, "--schema-version", "1",
    )  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, "")
    listed = aws(
        cli_env, "schemas", "list-schema-versions", "--registry-name", registry,
        "--schema-name", schema,
    )  # fmt: skip
    assert [v["SchemaVersion"] for v in listed["SchemaVersions"]] == ["2"]
