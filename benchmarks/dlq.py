"""DLQ figures (dead-letter queue issue).

Against an in-process sandbox (calls counted at the server):
- peek 1,000 messages: wall time and messages per API call, and the queue
  still holds all 1,000 afterwards;
- redrive 1,000 messages by re-invoking the function and by sending them to
  another queue: wall time, API calls per message, lost and duplicated.

    uv run python benchmarks/dlq.py [--messages 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from typing import Any

import boto3

from lambdatui.aws.dlq import peek
from lambdatui.aws.redrive import Progress, invoke_delivery, queue_delivery, redrive
from lambdatui.aws.session import AwsSession, Target
from lambdatui_sandbox import Sandbox

ACCOUNT = "arn:aws:sqs:us-east-1:123456789012"


def sqs(box: Sandbox) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


def fill(box: Sandbox, count: int) -> tuple[str, set[str]]:
    client = sqs(box)
    name = f"bench-dlq-{uuid.uuid4().hex[:8]}"
    url = client.create_queue(QueueName=name)["QueueUrl"]
    bodies = set()
    for start in range(0, count, 10):
        entries = []
        for i in range(start, min(start + 10, count)):
            body = json.dumps({"order": i, "n": uuid.uuid4().hex})
            bodies.add(body)
            entries.append(
                {
                    "Id": str(i),
                    "MessageBody": body,
                    "MessageAttributes": {
                        "RequestID": {"DataType": "String", "StringValue": str(uuid.uuid4())}
                    },
                }
            )
        client.send_message_batch(QueueUrl=url, Entries=entries)
    return name, bodies


def drain(box: Sandbox, name: str) -> list[str]:
    client = sqs(box)
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    out: list[str] = []
    while True:
        got = client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300
        ).get("Messages", [])
        if not got:
            return out
        out += [m["Body"] for m in got]


def calls(box: Sandbox, prefix: str = "") -> int:
    return sum(v for k, v in box.calls.items() if k.startswith(prefix))


async def run(box: Sandbox, count: int) -> None:
    aws = AwsSession(
        Target(
            profile=None,
            region=box.region,
            endpoint_url=box.endpoint_url,
            access_key="bench",
            secret_key="bench",
        )
    )
    try:
        name, bodies = fill(box, count)
        box.reset_calls()
        start = time.perf_counter()
        messages = await peek(aws, f"{ACCOUNT}:{name}", limit=count)
        elapsed = time.perf_counter() - start
        api = calls(box)
        left = drain(box, name)
        print(
            f"peek {count:,}: {elapsed:.2f} s, {len(messages):,} read, "
            f"{len(messages) / max(api, 1):.1f} messages per API call ({api} calls), "
            f"{len(left):,} still in the queue (target <= 5 s)"
        )

        for mode in ("re-invoke", "send-to-queue"):
            name, bodies = fill(box, count)
            target = f"bench-target-{uuid.uuid4().hex[:8]}"
            sqs(box).create_queue(QueueName=target)
            deliver = (
                invoke_delivery(aws, "dev-sandbox-hello")
                if mode == "re-invoke"
                else queue_delivery(aws, f"{ACCOUNT}:{target}")
            )
            box.reset_calls()
            start = time.perf_counter()
            progress = await redrive(aws, f"{ACCOUNT}:{name}", deliver, Progress(count))
            elapsed = time.perf_counter() - start
            api = calls(box)
            left = drain(box, name)
            delivered = drain(box, target) if mode == "send-to-queue" else []
            if mode == "send-to-queue":
                lost = len(bodies - set(left) - set(delivered))
                duplicated = len(delivered) - len(set(delivered))
            else:
                invoked = box.calls["lambda:Invoke"]
                lost = count - progress.done - len(left)
                duplicated = max(invoked - progress.done - progress.failed, 0)
            print(
                f"redrive {count:,} by {mode}: {elapsed:.2f} s, {progress.done:,} moved, "
                f"{api / count:.2f} API calls per message ({api} calls), "
                f"lost {lost}, duplicated {duplicated}"
            )
    finally:
        await aws.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    with Sandbox() as box:
        asyncio.run(run(box, args.messages))


if __name__ == "__main__":
    main()
