"""The sandbox runs demo handlers for real: results, errors, timeouts, logs, DLQ delivery."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, client


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(now=FROZEN_NOW) as sandbox:
        yield sandbox


def invoke(box: Sandbox, name: str, event: Any, **params: Any) -> dict[str, Any]:
    reply = client(box, "lambda").invoke(
        FunctionName=name, Payload=json.dumps(event).encode(), **params
    )
    reply["Body"] = reply["Payload"].read()
    return reply


def log_messages(box: Sandbox, name: str, request_id: str) -> list[str]:
    logs = client(box, "logs")
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    return [e["message"] for e in events if request_id in e["message"]]


def test_a_handler_that_succeeds_returns_its_result_and_logs(box: Sandbox) -> None:
    reply = invoke(box, "dev-sandbox-hello", {"name": "ops"}, LogType="Tail")
    assert reply["StatusCode"] == 200
    assert "FunctionError" not in reply
    assert reply["ExecutedVersion"] == "$LATEST"
    result = json.loads(reply["Body"])
    request_id = reply["ResponseMetadata"]["RequestId"]
    assert result == {"message": "Hello, ops!", "requestId": request_id}
    tail = base64.b64decode(reply["LogResult"]).decode()
    assert f"START RequestId: {request_id} Version: $LATEST" in tail
    assert "saying hello to ops" in tail
    assert f"REPORT RequestId: {request_id}\tDuration:" in tail
    stored = log_messages(box, "dev-sandbox-hello", request_id)
    assert any(m.startswith("REPORT") for m in stored)


def test_an_api_function_answers_an_api_gateway_response(box: Sandbox) -> None:
    reply = invoke(box, "orders-api", {"httpMethod": "GET", "path": "/orders"})
    result = json.loads(reply["Body"])
    assert result["statusCode"] == 200
    assert result["headers"]["Content-Type"] == "application/json"
    assert json.loads(result["body"]) == {"orders": [], "path": "/orders"}


def test_a_raising_handler_gives_lambdas_error_payload(box: Sandbox) -> None:
    event = {"Records": [{"messageId": "m-1", "body": json.dumps({"orderId": "o-1"})}]}
    reply = invoke(box, "orders-worker", event)
    assert reply["StatusCode"] == 200
    assert reply["FunctionError"] == "Unhandled"
    error = json.loads(reply["Body"])
    assert error["errorType"] == "OrderValidationError"
    assert "'quantity' must be a positive integer" in error["errorMessage"]
    assert error["stackTrace"][0].startswith('  File "/var/task/worker.py"')
    fixed = {
        "Records": [{"messageId": "m-1", "body": json.dumps({"orderId": "o-1", "quantity": 1})}]
    }
    assert "FunctionError" not in invoke(box, "orders-worker", fixed)


def test_a_handler_past_its_timeout_is_stopped(box: Sandbox) -> None:
    lam = client(box, "lambda")
    # The reconciler runs for most of a minute: far past a timeout of one second.
    lam.update_function_configuration(FunctionName="payments-reconciler-prod", Timeout=1)
    reply = invoke(box, "payments-reconciler-prod", {}, LogType="Tail")
    assert reply["FunctionError"] == "Unhandled"
    error = json.loads(reply["Body"])
    assert error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in error["errorMessage"]


def test_refusals_follow_the_api_reference(box: Sandbox) -> None:
    lam = client(box, "lambda")
    cases = [
        (
            dict(FunctionName="dev-sandbox-hello", Payload=b"{nope"),
            "InvalidRequestContentException",
        ),
        (dict(FunctionName="no-such-function", Payload=b"{}"), "ResourceNotFoundException"),
        (
            dict(FunctionName="dev-sandbox-hello", Payload=b'"' + b"x" * (6 * 1024 * 1024) + b'"'),
            "RequestEntityTooLargeException",
        ),
        (
            dict(
                FunctionName="dev-sandbox-hello",
                InvocationType="Event",
                Payload=b'"' + b"x" * (1024 * 1024) + b'"',
            ),
            "RequestEntityTooLargeException",
        ),
    ]
    for params, code in cases:
        with pytest.raises(ClientError) as caught:
            lam.invoke(**params)
        assert caught.value.response["Error"]["Code"] == code
    assert (
        lam.invoke(FunctionName="dev-sandbox-hello", InvocationType="DryRun")["StatusCode"] == 204
    )


def test_reserved_concurrency_zero_throttles(box: Sandbox) -> None:
    lam = client(box, "lambda")
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName="legacy-coupon-service", Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"


def _failing_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("app.py", "def handler(event, context):\n    raise KeyError('customer')\n")
    return buffer.getvalue()


def test_an_async_event_that_keeps_failing_reaches_the_dlq(box: Sandbox) -> None:
    sqs, lam = client(box, "sqs"), client(box, "lambda")
    url = sqs.create_queue(QueueName="async-failures-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.create_function(
        FunctionName="always-fails",
        Runtime="python3.12",
        Role=client(box, "iam").get_role(RoleName="lambda-basic-execution")["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": _failing_package()},
        DeadLetterConfig={"TargetArn": arn},
    )
    lam.put_function_event_invoke_config(FunctionName="always-fails", MaximumRetryAttempts=1)
    box.invoker.retry_delays = (0.0,)
    reply = lam.invoke(FunctionName="always-fails", InvocationType="Event", Payload=b'{"order": 7}')
    assert reply["StatusCode"] == 202
    request_id = reply["ResponseMetadata"]["RequestId"]
    assert box.invoker.wait_async(timeout=30)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert len(got) == 1
    assert json.loads(got[0]["Body"]) == {"order": 7}
    attributes = got[0]["MessageAttributes"]
    assert attributes["RequestID"]["StringValue"] == request_id
    assert "customer" in attributes["ErrorMessage"]["StringValue"]
    starts = [m for m in log_messages(box, "always-fails", request_id) if m.startswith("START")]
    assert len(starts) == 2  # the first attempt and one retry
