"""Redrive against the sandbox: exactly the chosen messages move, none is lost or sent twice."""

from __future__ import annotations

import json
import uuid
from typing import Any

from lambdatui.aws.redrive import Progress, invoke_delivery, queue_delivery, redrive

from .helpers import client, session_for

ACCOUNT = "arn:aws:sqs:us-east-1:123456789012"


def seed(box: Any, count: int) -> tuple[str, dict[str, str]]:
    """A fresh dead-letter queue with `count` messages: (its name, {message id: body})."""
    sqs = client(box, "sqs")
    name = f"image-resizer-dlq-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    out = {}
    for i in range(count):
        body = json.dumps({"image": f"s3://uploads/{i}.png", "n": str(uuid.uuid4())})
        reply = sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={
                "RequestID": {"DataType": "String", "StringValue": str(uuid.uuid4())}
            },
        )
        out[reply["MessageId"]] = body
    return name, out


def drain(box: Any, queue: str) -> list[str]:
    sqs = client(box, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
            "Messages", []
        )
        if not got:
            return bodies
        bodies += [m["Body"] for m in got]


def target_queue(box: Any) -> str:
    name = f"redrive-target-{uuid.uuid4().hex[:8]}"
    client(box, "sqs").create_queue(QueueName=name)
    return name


async def test_send_to_queue_moves_all_in_batches_of_ten(sandbox: Any) -> None:
    dlq, messages = seed(sandbox, 23)
    target = target_queue(sandbox)
    aws = session_for(sandbox)
    sandbox.reset_calls()
    try:
        progress = await redrive(
            aws, f"{ACCOUNT}:{dlq}", queue_delivery(aws, f"{ACCOUNT}:{target}"), Progress(23)
        )
    finally:
        await aws.close()
    assert (progress.done, progress.failed) == (23, 0)
    assert sorted(drain(sandbox, target)) == sorted(messages.values())
    assert drain(sandbox, dlq) == []
    assert sandbox.calls["sqs:SendMessageBatch"] == 3
    assert sandbox.calls["sqs:DeleteMessageBatch"] == 3


async def test_reinvoke_moves_exactly_the_marked_messages(sandbox: Any) -> None:
    dlq, messages = seed(sandbox, 15)
    marked = set(list(messages)[3:5])
    aws = session_for(sandbox)
    sandbox.reset_calls()
    try:
        progress = await redrive(
            aws,
            f"{ACCOUNT}:{dlq}",
            invoke_delivery(aws, "image-resizer"),
            Progress(len(marked)),
            only=marked,
        )
    finally:
        await aws.close()
    assert (progress.done, progress.failed) == (2, 0)
    assert sandbox.calls["lambda:Invoke"] == 2
    left = drain(sandbox, dlq)
    assert sorted(left) == sorted(b for m, b in messages.items() if m not in marked)


async def test_failed_invokes_stay_in_the_dlq_with_the_error(sandbox: Any) -> None:
    dlq, messages = seed(sandbox, 12)
    sandbox.deny("lambda:Invoke")
    aws = session_for(sandbox)
    try:
        progress = await redrive(
            aws, f"{ACCOUNT}:{dlq}", invoke_delivery(aws, "image-resizer"), Progress(12)
        )
    finally:
        sandbox.allow()
        await aws.close()
    assert (progress.done, progress.failed) == (0, 12)
    assert all("no permission: lambda:Invoke" in e for e in progress.errors.values())
    assert sorted(drain(sandbox, dlq)) == sorted(messages.values())


async def test_stopping_midway_loses_nothing_and_sends_nothing_twice(sandbox: Any) -> None:
    dlq, messages = seed(sandbox, 30)
    target = target_queue(sandbox)
    aws = session_for(sandbox)
    batches = 0

    def stop_after_two() -> bool:
        return batches >= 2

    def count(_: Progress) -> None:
        nonlocal batches
        batches += 1

    try:
        progress = await redrive(
            aws,
            f"{ACCOUNT}:{dlq}",
            queue_delivery(aws, f"{ACCOUNT}:{target}"),
            Progress(30),
            should_stop=stop_after_two,
            on_progress=count,
        )
    finally:
        await aws.close()
    delivered = drain(sandbox, target)
    left = drain(sandbox, dlq)
    assert progress.stopped and progress.done == len(delivered) < 30
    assert len(delivered) == len(set(delivered))
    assert sorted(delivered + left) == sorted(messages.values())
