"""The demo account's shareable test events (as a team would have saved them)."""

from __future__ import annotations

import json
from datetime import datetime

from lambdatui.aws.testevents import REGISTRY, document, schema_name

from .schemas import Schemas


def _sqs(account: str, region: str, body: dict[str, object], sent_ms: int) -> dict[str, object]:
    return {
        "Records": [
            {
                "messageId": "2e1424d4-f796-459a-8184-9c92662be6da",
                "receiptHandle": "AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq",
                "body": json.dumps(body),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(sent_ms),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": str(sent_ms + 20),
                },
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{region}:{account}:orders-queue",
                "awsRegion": region,
            }
        ]
    }


def seed_test_events(schemas: Schemas, account: str, region: str, now: datetime) -> None:
    sent = int(now.timestamp() * 1000) - 3_600_000
    worker = {
        "valid-order": _sqs(account, region, {"orderId": "o-10482", "quantity": 2}, sent),
        "zero-quantity": _sqs(account, region, {"orderId": "o-10483", "quantity": 0}, sent),
    }
    api = {
        "create-order": {
            "httpMethod": "POST",
            "path": "/orders",
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"items": [{"sku": "SKU-1042", "quantity": 1}]}),
            "isBase64Encoded": False,
        }
    }
    for function, events in (("orders-worker", worker), ("orders-api", api)):
        schemas.put_schema(
            account, region, REGISTRY, schema_name(function), document(function, events)
        )
