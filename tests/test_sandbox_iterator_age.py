"""The demo's stream consumer: a Kinesis mapping and an IteratorAge that keeps growing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from lambdatui_sandbox import Sandbox

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
FUNCTION = "orders-analytics-consumer"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(now=NOW, simulate="history") as box:
        assert box.traffic is not None
        assert box.traffic.wait_ready(120)
        yield box


def client(box: Sandbox, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_the_consumer_is_mapped_to_the_stream(sandbox: Sandbox) -> None:
    lam = client(sandbox, "lambda")
    mappings = lam.list_event_source_mappings(FunctionName=FUNCTION)["EventSourceMappings"]
    assert len(mappings) == 1
    mapping = mappings[0]
    assert mapping["EventSourceArn"].endswith(":stream/orders-events")
    assert mapping["EventSourceArn"].split(":")[2] == "kinesis"
    assert mapping["StartingPosition"] == "LATEST"
    assert mapping["BatchSize"] == 100
    assert mapping["State"] == "Enabled"
    failure = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert failure.endswith(":orders-analytics-failures")
    stream = client(sandbox, "kinesis").describe_stream_summary(StreamName="orders-events")
    assert stream["StreamDescriptionSummary"]["StreamARN"] == mapping["EventSourceArn"]
    config = lam.get_function(FunctionName=FUNCTION)
    assert config["Configuration"]["Runtime"] == "python3.12"
    assert config["Configuration"]["LoggingConfig"]["LogFormat"] == "JSON"
    assert config["Tags"]["env"] == "prod"
    assert config["Tags"]["team"] == "orders"


def test_the_consumer_has_traffic_and_logs(sandbox: Sandbox) -> None:
    logs = client(sandbox, "logs")
    start = int((NOW - timedelta(minutes=10)).timestamp() * 1000)
    events = logs.filter_log_events(
        logGroupName=f"/aws/lambda/{FUNCTION}", startTime=start, limit=50
    )["events"]
    assert events


def test_iterator_age_grows_over_the_last_hour(sandbox: Sandbox) -> None:
    cloudwatch = client(sandbox, "cloudwatch")
    result = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "age",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/Lambda",
                        "MetricName": "IteratorAge",
                        "Dimensions": [{"Name": "FunctionName", "Value": FUNCTION}],
                    },
                    "Period": 60,
                    "Stat": "Maximum",
                    "Unit": "Milliseconds",
                },
            }
        ],
        StartTime=NOW - timedelta(hours=1),
        EndTime=NOW,
        ScanBy="TimestampAscending",
    )["MetricDataResults"][0]
    points = sorted(zip(result["Timestamps"], result["Values"], strict=True))
    assert len(points) >= 50
    first = [value for stamp, value in points if stamp < NOW - timedelta(minutes=50)]
    last = [value for stamp, value in points if stamp >= NOW - timedelta(minutes=10)]
    assert first and last
    assert max(last) >= 5 * max(first)
    assert max(last) >= 3 * 60_000
    assert max(first) < 5_000
