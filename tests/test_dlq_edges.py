"""Dead-letter queues at the edges: a queue URL on AWS itself, a source queue without a
redrive policy, a body that looks like an API Gateway event but is cut short."""

from __future__ import annotations

import uuid
from typing import Any

from lambdatui.aws.dlq import decode, queue_url, source_queue_dlq

from .helpers import client, session_for


def test_a_queue_url_on_aws_is_built_from_the_arn_region() -> None:
    arn = "arn:aws:sqs:eu-west-1:123456789012:orders-dlq"

    assert queue_url(arn, None, "us-east-1") == (
        "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq"
    )


async def test_a_source_queue_without_a_redrive_policy_has_no_dlq(sandbox: Any) -> None:
    name = f"orders-{uuid.uuid4().hex[:8]}"
    client(sandbox, "sqs").create_queue(QueueName=name)
    aws = session_for(sandbox)
    try:
        found = await source_queue_dlq(aws, f"arn:aws:sqs:us-east-1:123456789012:{name}")
    finally:
        await aws.close()

    assert found is None


def test_a_body_cut_short_is_kept_as_text() -> None:
    body = '{"requestContext": {"requestId": "abc"'

    message = decode({"MessageId": "m-1", "Body": body})

    assert message.body == body
    assert message.record == {}
