"""Redrive at the edges: a stop between batches, a delivery the target refuses whole,
a move task with a destination and a rate, listed and cancelled."""

from __future__ import annotations

import json
import uuid
from typing import Any

from lambdatui.aws.dlq import RECEIVE_WAIT_S
from lambdatui.aws.redrive import (
    Progress,
    cancel_move,
    move_tasks,
    queue_delivery,
    redrive,
    start_move,
)

from .helpers import arrives, client, session_for

ACCOUNT = "arn:aws:sqs:us-east-1:123456789012"


def queue(box: Any, prefix: str, **attributes: str) -> tuple[str, str]:
    """A fresh queue: (its URL, its ARN)."""
    sqs = client(box, "sqs")
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, f"{ACCOUNT}:{name}"


def fill(box: Any, url: str, count: int) -> None:
    sqs = client(box, "sqs")
    for i in range(count):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order": i}))


def visible(box: Any, url: str) -> int:
    attributes = client(box, "sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


async def test_a_stop_between_batches_leaves_the_rest_in_the_queue(sandbox: Any) -> None:
    dlq_url, dlq = queue(sandbox, "orders-dlq")
    target_url, target = queue(sandbox, "orders-retry")
    fill(sandbox, dlq_url, 6)
    batches: list[int] = []
    aws = session_for(sandbox)
    try:
        progress = await redrive(
            aws,
            dlq,
            queue_delivery(aws, target),
            Progress(total=6),
            should_stop=lambda: bool(batches),
            on_progress=lambda p: batches.append(p.done),
            batch_size=2,
        )
    finally:
        await aws.close()

    assert progress.stopped
    assert progress.done == 2
    assert visible(sandbox, target_url) == 2
    assert visible(sandbox, dlq_url) == 4


async def test_a_target_that_refuses_the_whole_batch_keeps_every_message(sandbox: Any) -> None:
    dlq_url, dlq = queue(sandbox, "orders-dlq")
    target_url, target = queue(sandbox, "orders-retry")
    fill(sandbox, dlq_url, 3)
    sandbox.deny("sqs:SendMessageBatch")
    aws = session_for(sandbox)
    try:
        progress = await redrive(aws, dlq, queue_delivery(aws, target), Progress(total=3))
    finally:
        sandbox.faults.clear()
        await aws.close()

    assert progress.done == 0
    assert progress.failed == 3
    assert any("sqs:SendMessageBatch" in error for error in progress.errors.values())
    assert visible(sandbox, dlq_url) == 3
    assert visible(sandbox, target_url) == 0


async def test_a_move_task_with_a_destination_and_a_rate_is_listed_and_cancelled(
    sandbox: Any,
) -> None:
    dlq_url, dlq = queue(sandbox, "orders-dlq")
    queue(
        sandbox,
        "orders",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq, "maxReceiveCount": "3"}),
    )
    _, target = queue(sandbox, "orders-retry")
    fill(sandbox, dlq_url, 20)
    aws = session_for(sandbox)
    try:
        handle = await start_move(aws, dlq, target, rate=1)
        tasks = await move_tasks(aws, dlq)
        moved = await cancel_move(aws, handle)
        after = await arrives(
            lambda: _settled(aws, dlq),
        )
    finally:
        await aws.close()

    assert handle
    assert [(t.handle, t.status) for t in tasks] == [(handle, "RUNNING")]
    assert 0 <= moved < 20
    assert after[0].status in ("CANCELLING", "CANCELLED")


async def _settled(aws: Any, dlq: str) -> Any:
    tasks = await move_tasks(aws, dlq)
    return tasks if tasks and tasks[0].status != "RUNNING" else None


async def test_an_entry_the_target_refuses_stays_in_the_dlq_with_its_reason(
    sandbox: Any,
) -> None:
    # Stubber: SendMessageBatch refuses single entries only for causes the console never
    # sends (an invalid delay); AWS also refuses entries for its own reasons.
    import hashlib

    from aiobotocore.stub import AioStubber

    dlq = f"{ACCOUNT}:orders-dlq"
    target = f"{ACCOUNT}:orders-retry"
    bodies = {"m-1": '{"order": 1}', "m-2": '{"order": 2}'}
    messages = [
        {
            "MessageId": mid,
            "ReceiptHandle": f"rh-{mid}",
            "Body": body,
            "MD5OfBody": hashlib.md5(body.encode()).hexdigest(),
        }
        for mid, body in bodies.items()
    ]
    aws = session_for(sandbox)
    try:
        sqs = await aws.client("sqs")
        # Receives are long polls, made with a client of their own.
        polls = await aws.long_poll_client("sqs", float(RECEIVE_WAIT_S))
        with AioStubber(polls) as poll_stub, AioStubber(sqs) as stub:
            poll_stub.add_response("receive_message", {"Messages": messages})
            stub.add_response(
                "send_message_batch",
                {
                    "Successful": [
                        {
                            "Id": "0",
                            "MessageId": "n-1",
                            "MD5OfMessageBody": messages[0]["MD5OfBody"],
                        }
                    ],
                    "Failed": [
                        {
                            "Id": "1",
                            "SenderFault": False,
                            "Code": "InternalError",
                            "Message": "the queue could not take it",
                        }
                    ],
                },
            )
            stub.add_response(
                "delete_message_batch",
                {"Successful": [{"Id": "0"}], "Failed": []},
                {
                    "QueueUrl": f"{sandbox.endpoint_url}/123456789012/orders-dlq",
                    "Entries": [{"Id": "0", "ReceiptHandle": "rh-m-1"}],
                },
            )
            stub.add_response(
                "change_message_visibility_batch",
                {"Successful": [{"Id": "0"}], "Failed": []},
                {
                    "QueueUrl": f"{sandbox.endpoint_url}/123456789012/orders-dlq",
                    "Entries": [{"Id": "0", "ReceiptHandle": "rh-m-2", "VisibilityTimeout": 0}],
                },
            )
            progress = await redrive(
                aws, dlq, queue_delivery(aws, target), Progress(total=2), only={"m-1", "m-2"}
            )
            poll_stub.assert_no_pending_responses()
            stub.assert_no_pending_responses()
    finally:
        await aws.close()

    assert progress.done == 1
    assert progress.failed == 1
    assert progress.errors == {"m-2": "the queue could not take it"}
