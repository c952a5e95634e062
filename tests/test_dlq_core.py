"""DLQ core against the sandbox: every failure target found, peeks that consume nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

from lambdatui.aws.dlq import failure_targets, peek, queue_depth
from lambdatui.aws.functions import function_detail

from .helpers import client, session_for


async def targets_of(box: Any, name: str) -> dict[str, str]:
    aws = session_for(box)
    try:
        detail = await function_detail(aws, name)
        return {t.kind: t.arn for t in await failure_targets(aws, name, detail)}
    finally:
        await aws.close()


async def test_discovery_finds_dlq_destination_and_source_queue_dlq(sandbox: Any) -> None:
    webhook = await targets_of(sandbox, "payments-webhook")
    assert webhook["dead-letter queue"].endswith(":payments-webhook-dlq")
    assert webhook["on-failure destination"].endswith(":payments-webhook-failures")
    worker = await targets_of(sandbox, "orders-worker")
    assert worker["source queue DLQ"].endswith(":orders-dlq")
    ledger = await targets_of(sandbox, "payments-ledger-writer")
    assert ledger["dead-letter queue"].startswith("arn:aws:sns:")
    analytics = await targets_of(sandbox, "orders-analytics-consumer")
    assert analytics["stream on-failure destination"].endswith(":orders-analytics-failures")


def _seed(box: Any, queue: str, count: int) -> tuple[str, list[str]]:
    sqs = client(box, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)
    bodies = []
    for i in range(count):
        rid = str(uuid.uuid4())
        body = json.dumps({"order": i, "rid": rid})
        sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={
                "RequestID": {"DataType": "String", "StringValue": rid},
                "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                "ErrorMessage": {"DataType": "String", "StringValue": "KeyError: 'payment_intent'"},
            },
        )
        bodies.append(body)
    return url, bodies


async def test_peek_pages_through_and_leaves_every_message_visible(sandbox: Any) -> None:
    url, bodies = _seed(sandbox, "image-resizer-dlq", 25)
    arn = "arn:aws:sqs:us-east-1:123456789012:image-resizer-dlq"
    aws = session_for(sandbox)
    try:
        messages = await peek(aws, arn, limit=100)
        assert sorted(m.body for m in messages) == sorted(bodies)
        first = messages[0]
        assert first.request_id and first.error_code == "200"
        assert first.error_message == "KeyError: 'payment_intent'"
        depth = await queue_depth(aws, arn)
        assert (depth.visible, depth.in_flight) == (25, 0)
    finally:
        await aws.close()
    # Still all there, visible to the next reader.
    sqs = client(sandbox, "sqs")
    seen = set()
    for _ in range(5):
        for m in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30
        ).get("Messages", []):
            seen.add(m["Body"])
    assert seen == set(bodies)


async def test_destination_record_is_decoded(sandbox: Any) -> None:
    sqs = client(sandbox, "sqs")
    url = sqs.get_queue_url(QueueName="payments-webhook-failures")["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)
    record = {
        "version": "1.0",
        "timestamp": "2026-11-27T11:50:00.000Z",
        "requestContext": {
            "requestId": "8f5e-req",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:"
            "payments-webhook:$LATEST",
        },
        "requestPayload": {"type": "charge.succeeded"},
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "2",
            "functionError": "Unhandled",
        },
        "responsePayload": {
            "errorType": "KeyError",
            "errorMessage": "'payment_intent'",
            "stackTrace": ['  File "/var/task/app.py", line 12'],
        },
    }
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))
    aws = session_for(sandbox)
    try:
        [message] = await peek(aws, "arn:aws:sqs:us-east-1:123456789012:payments-webhook-failures")
    finally:
        await aws.close()
    assert message.request_id == "8f5e-req"
    assert message.error_message == "'payment_intent'"
    assert json.loads(message.original_event) == {"type": "charge.succeeded"}
    assert message.record["requestContext"]["condition"] == "RetriesExhausted"
