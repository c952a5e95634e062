"""Alarms at the edges: a metric-math alarm, a reply with no metric, a second page of
alarms, history data that is not the JSON AWS documents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from aiobotocore.stub import AioStubber

from lambdatui.aws.alarms import alarm_from, alarm_history, list_alarms

from .helpers import client, session_for


def lambda_metric(name: str) -> dict[str, Any]:
    return {
        "Namespace": "AWS/Lambda",
        "MetricName": name,
        "Dimensions": [{"Name": "FunctionName", "Value": "orders-api"}],
    }


async def test_a_metric_math_alarm_names_its_expression_and_metrics(sandbox: Any) -> None:
    name = f"orders-error-rate-{uuid.uuid4().hex[:8]}"
    client(sandbox, "cloudwatch").put_metric_alarm(
        AlarmName=name,
        ComparisonOperator="GreaterThanThreshold",
        EvaluationPeriods=1,
        Threshold=5.0,
        Metrics=[
            {"Id": "rate", "Expression": "100 * errors / calls", "ReturnData": True},
            {
                "Id": "errors",
                "MetricStat": {"Metric": lambda_metric("Errors"), "Period": 60, "Stat": "Sum"},
                "ReturnData": False,
            },
            {
                "Id": "calls",
                "MetricStat": {"Metric": lambda_metric("Invocations"), "Period": 60, "Stat": "Sum"},
                "ReturnData": False,
            },
        ],
    )
    aws = session_for(sandbox)
    try:
        alarms = {a.name: a for a in await list_alarms(aws)}
    finally:
        await aws.close()

    alarm = alarms[name]
    assert alarm.metric_label == "100 * errors / calls  (Errors, Invocations)"
    assert alarm.watches_metric("Errors")


def test_an_alarm_reply_without_a_metric_says_so() -> None:
    assert alarm_from({"AlarmName": "bare", "StateValue": "OK"}).metric_label == "-"


def _alarm(name: str) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}",
        "StateValue": "OK",
        **lambda_metric("Errors"),
        "Statistic": "Sum",
    }


async def test_every_page_of_alarms_is_read(sandbox: Any) -> None:
    # Stubber: the sandbox answers DescribeAlarms in one page whatever MaxRecords says;
    # AWS pages at 100 with NextToken.
    aws = session_for(sandbox)
    try:
        cloudwatch = await aws.client("cloudwatch")
        with AioStubber(cloudwatch) as stub:
            stub.add_response(
                "describe_alarms", {"MetricAlarms": [_alarm("first")], "NextToken": "page-2"}
            )
            stub.add_response(
                "describe_alarms",
                {"MetricAlarms": [_alarm("second")]},
                {
                    "AlarmTypes": ["MetricAlarm", "CompositeAlarm"],
                    "MaxRecords": 100,
                    "NextToken": "page-2",
                },
            )
            alarms = await list_alarms(aws)
    finally:
        await aws.close()

    assert [a.name for a in alarms] == ["first", "second"]


async def test_history_data_that_is_not_the_documented_json_keeps_the_summary(
    sandbox: Any,
) -> None:
    # Stubber: AWS documents HistoryData as JSON with oldState/newState, and the sandbox
    # writes it so; an item that is not must still be listed by its summary.
    when = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    aws = session_for(sandbox)
    try:
        cloudwatch = await aws.client("cloudwatch")
        alarm = alarm_from(_alarm("orders-errors"))
        with AioStubber(cloudwatch) as stub:
            stub.add_response(
                "describe_alarm_history",
                {
                    "AlarmHistoryItems": [
                        {"Timestamp": when, "HistorySummary": "Alarm updated", "HistoryData": x}
                        for x in ("not json", "[1, 2]")
                    ]
                },
            )
            items = await alarm_history(aws, alarm)
    finally:
        await aws.close()

    assert [(i.summary, i.old_state, i.new_state) for i in items] == [
        ("Alarm updated", "", ""),
        ("Alarm updated", "", ""),
    ]
