"""Test event templates: the events AWS services send, filled with this session's values.

Each template is built fresh with the current time, the session's account and region
and the function's name, in the shape the service documents (API Gateway REST and HTTP
API payload 2.0, ALB, function URL, SQS, SNS, S3, EventBridge, EventBridge Scheduler,
DynamoDB Streams, Kinesis, CloudWatch Logs subscription (gzip + base64, as sent) and a
Cognito user pool trigger).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Context:
    account: str
    region: str
    function: str
    now: datetime

    @property
    def ms(self) -> int:
        return int(self.now.timestamp() * 1000)

    @property
    def iso(self) -> str:
        return self.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def uid(self, salt: str) -> str:
        """A stable UUID for this template and moment (so a preview equals the insert)."""
        digest = hashlib.sha256(f"{salt}:{self.ms}:{self.function}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def _clf(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def api_gateway_rest(c: Context) -> dict[str, Any]:
    return {
        "resource": "/orders/{id}",
        "path": "/orders/42",
        "httpMethod": "GET",
        "headers": {"Accept": "application/json", "Host": "api.example.com"},
        "multiValueHeaders": {"Accept": ["application/json"], "Host": ["api.example.com"]},
        "queryStringParameters": {"verbose": "true"},
        "multiValueQueryStringParameters": {"verbose": ["true"]},
        "pathParameters": {"id": "42"},
        "stageVariables": None,
        "requestContext": {
            "accountId": c.account,
            "apiId": "a1b2c3d4e5",
            "resourcePath": "/orders/{id}",
            "httpMethod": "GET",
            "path": "/prod/orders/42",
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "requestId": c.uid("apigw-rest"),
            "requestTime": _clf(c.now),
            "requestTimeEpoch": c.ms,
            "identity": {"sourceIp": "203.0.113.10", "userAgent": "curl/8.5.0"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def api_gateway_http(c: Context) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "POST /orders",
        "rawPath": "/orders",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.com"},
        "requestContext": {
            "accountId": c.account,
            "apiId": "f6g7h8i9j0",
            "domainName": "api.example.com",
            "domainPrefix": "api",
            "http": {
                "method": "POST",
                "path": "/orders",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "curl/8.5.0",
            },
            "requestId": c.uid("apigw-http"),
            "routeKey": "POST /orders",
            "stage": "$default",
            "time": _clf(c.now),
            "timeEpoch": c.ms,
        },
        "body": json.dumps({"items": [{"sku": "SKU-1042", "quantity": 1}]}),
        "isBase64Encoded": False,
    }


def alb(c: Context) -> dict[str, Any]:
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": c.arn(
                    "elasticloadbalancing", f"targetgroup/{c.function[:20]}/6d0ecf831eec9f09"
                )
            }
        },
        "httpMethod": "GET",
        "path": "/health",
        "queryStringParameters": {},
        "headers": {
            "host": "internal-alb.example.com",
            "user-agent": "ELB-HealthChecker/2.0",
            "x-forwarded-for": "10.0.1.17",
            "x-forwarded-port": "80",
            "x-forwarded-proto": "http",
        },
        "body": "",
        "isBase64Encoded": False,
    }


def function_url(c: Context) -> dict[str, Any]:
    event = api_gateway_http(c)
    event["routeKey"] = "$default"
    context = event["requestContext"]
    context["apiId"] = "abcdefghijklmnopqrstuvwxyz012345"
    context["domainName"] = f"abcdefghijklmnopqrstuvwxyz012345.lambda-url.{c.region}.on.aws"
    context["domainPrefix"] = "abcdefghijklmnopqrstuvwxyz012345"
    context["routeKey"] = "$default"
    context["requestId"] = c.uid("function-url")
    context["authorizer"] = {"iam": {"accountId": c.account, "userId": "AIDAEXAMPLE"}}
    event["headers"]["host"] = context["domainName"]
    return event


def sqs(c: Context) -> dict[str, Any]:
    body = "Hello from SQS!"
    return {
        "Records": [
            {
                "messageId": c.uid("sqs"),
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(c.ms - 40),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": str(c.ms - 20),
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": c.arn("sqs", f"{c.function}-queue"),
                "awsRegion": c.region,
            }
        ]
    }


def sns(c: Context) -> dict[str, Any]:
    topic = c.arn("sns", f"{c.function}-topic")
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:{c.uid('sns-sub')}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": c.uid("sns"),
                    "TopicArn": topic,
                    "Subject": "example subject",
                    "Message": "example message",
                    "Timestamp": c.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": f"https://sns.{c.region}.amazonaws.com/SimpleNotificationService.pem",
                    "UnsubscribeUrl": f"https://sns.{c.region}.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def s3_put(c: Context) -> dict[str, Any]:
    bucket = f"{c.function}-uploads"
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": c.region,
                "eventTime": c.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
                "requestParameters": {"sourceIPAddress": "203.0.113.10"},
                "responseElements": {
                    "x-amz-request-id": "C3D13FE58DE4C810",
                    "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5",
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "uploads",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": "incoming/report.csv",
                        "size": 1024,
                        "eTag": "0123456789abcdef0123456789abcdef",
                        "sequencer": "0A1B2C3D4E5F678901",
                    },
                },
            }
        ]
    }


def eventbridge(c: Context) -> dict[str, Any]:
    return {
        "version": "0",
        "id": c.uid("eventbridge"),
        "detail-type": "Order Placed",
        "source": "com.example.orders",
        "account": c.account,
        "time": c.iso,
        "region": c.region,
        "resources": [],
        "detail": {"orderId": "o-10482", "total": 42.5, "currency": "EUR"},
    }


def scheduled(c: Context) -> dict[str, Any]:
    return {
        "version": "0",
        "id": c.uid("scheduler"),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": c.account,
        "time": c.iso,
        "region": c.region,
        "resources": [c.arn("scheduler", f"schedule/default/{c.function}-every-5-minutes")],
        "detail": "{}",
    }


def dynamodb_stream(c: Context) -> dict[str, Any]:
    table = c.arn("dynamodb", f"table/{c.function}-table/stream/2026-01-01T00:00:00.000")
    return {
        "Records": [
            {
                "eventID": c.uid("ddb").replace("-", ""),
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": c.region,
                "dynamodb": {
                    "ApproximateCreationDateTime": c.ms // 1000,
                    "Keys": {"pk": {"S": "ORDER#o-10482"}},
                    "NewImage": {
                        "pk": {"S": "ORDER#o-10482"},
                        "status": {"S": "PLACED"},
                        "total": {"N": "42.5"},
                    },
                    "SequenceNumber": "111100000000012345678901",
                    "SizeBytes": 59,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": table,
            }
        ]
    }


def kinesis(c: Context) -> dict[str, Any]:
    data = base64.b64encode(json.dumps({"orderId": "o-10482"}).encode()).decode()
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "o-10482",
                    "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                    "data": data,
                    "approximateArrivalTimestamp": c.ms / 1000,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": "shardId-000000000006:"
                "49590338271490256608559692538361571095921575989136588898",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": c.arn("iam", "role/lambda-kinesis-role").replace(
                    f":{c.region}:", "::"
                ),
                "awsRegion": c.region,
                "eventSourceARN": c.arn("kinesis", f"stream/{c.function}-stream"),
            }
        ]
    }


def cloudwatch_logs(c: Context) -> dict[str, Any]:
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": c.account,
        "logGroup": f"/aws/lambda/{c.function}-source",
        "logStream": f"{c.now:%Y/%m/%d}/[$LATEST]0123456789abcdef0123456789abcdef",
        "subscriptionFilters": ["to-" + c.function],
        "logEvents": [
            {
                "id": "3719522928475830000000000000000000000000000000000001",
                "timestamp": c.ms,
                "message": "[ERROR] first failure",
            },
            {
                "id": "3719522928475830000000000000000000000000000000000002",
                "timestamp": c.ms + 1,
                "message": "[ERROR] second failure",
            },
        ],
    }
    packed = gzip.compress(json.dumps(payload).encode(), mtime=0)
    return {"awslogs": {"data": base64.b64encode(packed).decode("ascii")}}


def cognito(c: Context) -> dict[str, Any]:
    return {
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": c.region,
        "userPoolId": f"{c.region}_EXAMPLE1",
        "userName": "jdoe",
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": "1example23456789",
        },
        "request": {
            "userAttributes": {"email": "jdoe@example.com", "phone_number": "+15555550100"},
            "validationData": None,
        },
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }


TEMPLATES: dict[str, tuple[str, Callable[[Context], dict[str, Any]]]] = {
    "apigw-rest": ("API Gateway REST API", api_gateway_rest),
    "apigw-http": ("API Gateway HTTP API (v2)", api_gateway_http),
    "alb": ("Application Load Balancer", alb),
    "function-url": ("Function URL", function_url),
    "sqs": ("SQS", sqs),
    "sns": ("SNS", sns),
    "s3-put": ("S3 put", s3_put),
    "eventbridge": ("EventBridge", eventbridge),
    "scheduled": ("EventBridge Scheduler", scheduled),
    "dynamodb-stream": ("DynamoDB stream", dynamodb_stream),
    "kinesis": ("Kinesis", kinesis),
    "cloudwatch-logs": ("CloudWatch Logs subscription", cloudwatch_logs),
    "cognito": ("Cognito pre sign-up trigger", cognito),
}


def render(key: str, context: Context) -> str:
    """The template ``key`` as indented JSON text."""
    return json.dumps(TEMPLATES[key][1](context), indent=2)
