"""The sandbox's dead-letter queues: what the demo world puts in them, and redrive."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdatui_sandbox import Sandbox

from .helpers import client, eventually

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(now=NOW, simulate="history") as sandbox:
        assert sandbox.traffic is not None
        assert sandbox.traffic.wait_ready(120)
        yield sandbox


def arn(name: str) -> str:
    return f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def peek(sqs: Any, name: str) -> list[dict[str, Any]]:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    messages: dict[str, dict[str, Any]] = {}
    for _ in range(60):
        batch = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=30,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not batch:
            break
        for message in batch:
            messages[message["MessageId"]] = message
    entries = [
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
        for i, m in enumerate(messages.values())
    ]
    for start in range(0, len(entries), 10):
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries[start : start + 10])
    return list(messages.values())


def test_lambda_dead_letter_messages_carry_the_event_and_error_attributes(box: Sandbox) -> None:
    messages = peek(client(box, "sqs"), "payments-webhook-dlq")
    assert 10 <= len(messages) <= 400
    for message in messages:
        event = json.loads(message["Body"])
        assert event["object"] == "event" and "type" in event
        attributes = message["MessageAttributes"]
        assert attributes["RequestID"]["DataType"] == "String"
        assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
        assert attributes["ErrorMessage"]["DataType"] == "String"
        assert 0 < len(attributes["ErrorMessage"]["StringValue"].encode()) <= 1024
    assert len({m["MessageAttributes"]["RequestID"]["StringValue"] for m in messages}) == len(
        messages
    )


def test_on_failure_destination_holds_invocation_records(box: Sandbox) -> None:
    sqs = client(box, "sqs")
    records = [json.loads(m["Body"]) for m in peek(sqs, "payments-webhook-failures")]
    assert records
    dead_letters = {
        m["MessageAttributes"]["RequestID"]["StringValue"]: json.loads(m["Body"])
        for m in peek(sqs, "payments-webhook-dlq")
    }
    for record in records:
        assert record["version"] == "1.0"
        assert record["timestamp"].endswith("Z")
        context = record["requestContext"]
        assert context["condition"] == "RetriesExhausted"
        assert context["approximateInvokeCount"] >= 1
        assert context["functionArn"].startswith(
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:payments-webhook:"
        )
        assert record["responseContext"]["statusCode"] == 200
        assert record["responseContext"]["functionError"] == "Unhandled"
        assert record["responseContext"]["executedVersion"]
        response = record["responsePayload"]
        assert response["errorType"] and isinstance(response["stackTrace"], list)
        # The same failure went to the DLQ with the same event.
        assert dead_letters[context["requestId"]] == record["requestPayload"]


def test_source_queue_dlqs_hold_messages_that_failed_from_the_queue(box: Sandbox) -> None:
    sqs = client(box, "sqs")
    orders = peek(sqs, "orders-dlq")
    assert 3 <= len(orders) <= 20
    for message in orders:
        body = json.loads(message["Body"])
        assert body["order_id"].startswith("ord_") and body["items"]
        assert int(message["Attributes"]["ApproximateReceiveCount"]) >= 5
    assert peek(sqs, "catalog-updates-dlq")


def test_move_task_refuses_a_queue_that_is_no_dlq(box: Sandbox) -> None:
    sqs = client(box, "sqs")
    with pytest.raises(ClientError) as raised:
        sqs.start_message_move_task(SourceArn=arn("orders-queue"))
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as raised:
        sqs.start_message_move_task(SourceArn=arn("no-such-queue"))
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as raised:
        sqs.start_message_move_task(SourceArn=arn("orders-dlq"), MaxNumberOfMessagesPerSecond=501)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_cancel_stops_a_running_task(box: Sandbox) -> None:
    sqs = client(box, "sqs")
    source = arn("catalog-updates-dlq")
    url = sqs.get_queue_url(QueueName="catalog-updates-dlq")["QueueUrl"]
    before = depth(sqs, url)
    assert before >= 3
    handle = sqs.start_message_move_task(SourceArn=source, MaxNumberOfMessagesPerSecond=1)[
        "TaskHandle"
    ]
    [running] = sqs.list_message_move_tasks(SourceArn=source)["Results"]
    assert running["Status"] == "RUNNING" and running["TaskHandle"] == handle
    assert running["ApproximateNumberOfMessagesToMove"] == before
    assert running["MaxNumberOfMessagesPerSecond"] == 1
    assert "DestinationArn" not in running
    with pytest.raises(ClientError) as raised:
        sqs.start_message_move_task(SourceArn=source)
    assert raised.value.response["Error"]["Code"] == "UnsupportedOperation"
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    assert moved < before

    def cancelled() -> dict[str, Any] | None:
        entry = sqs.list_message_move_tasks(SourceArn=source)["Results"][0]
        return entry if entry["Status"] == "CANCELLED" else None

    entry = eventually(cancelled)
    assert entry is not None and "TaskHandle" not in entry
    assert entry["ApproximateNumberOfMessagesMoved"] < before
    with pytest.raises(ClientError) as raised:
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert raised.value.response["Error"]["Code"] in ("UnsupportedOperation",)
    moved_back = depth(sqs, sqs.get_queue_url(QueueName="catalog-updates")["QueueUrl"])
    assert moved_back == entry["ApproximateNumberOfMessagesMoved"]
    assert depth(sqs, url) == before - moved_back


def test_move_task_redrives_every_message_to_its_source_queue(box: Sandbox) -> None:
    sqs = client(box, "sqs")
    source = arn("orders-dlq")
    dlq_url = sqs.get_queue_url(QueueName="orders-dlq")["QueueUrl"]
    queue_url = sqs.get_queue_url(QueueName="orders-queue")["QueueUrl"]
    bodies = sorted(m["Body"] for m in peek(sqs, "orders-dlq"))
    before = depth(sqs, queue_url)
    started = int(time.time() * 1000)
    sqs.start_message_move_task(SourceArn=source)

    def completed() -> dict[str, Any] | None:
        entry = sqs.list_message_move_tasks(SourceArn=source, MaxResults=10)["Results"][0]
        return entry if entry["Status"] == "COMPLETED" else None

    entry = eventually(completed)
    assert entry is not None
    assert (
        entry["ApproximateNumberOfMessagesMoved"]
        == entry["ApproximateNumberOfMessagesToMove"]
        == len(bodies)
    )
    assert entry["StartedTimestamp"] >= started - 1000
    assert depth(sqs, dlq_url) == 0
    assert depth(sqs, queue_url) == before + len(bodies)
    assert sorted(m["Body"] for m in peek(sqs, "orders-queue")) == bodies
