"""Sandbox fault injection: each kind, in each protocol the console speaks."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import exceptions as bx
from botocore.config import Config
from botocore.parsers import ResponseParserError

from lambdatui_sandbox import Sandbox

ONCE = Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=0.5)


def _client(box: Sandbox, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=ONCE,
    )


# One action per service the console calls (REST-JSON, JSON, query XML protocols).
CALLS: dict[str, Callable[[Sandbox], Any]] = {
    "lambda:ListFunctions": lambda b: _client(b, "lambda").list_functions(),
    "logs:DescribeLogGroups": lambda b: _client(b, "logs").describe_log_groups(),
    "cloudwatch:ListMetrics": lambda b: _client(b, "cloudwatch").list_metrics(),
    "sqs:ListQueues": lambda b: _client(b, "sqs").list_queues(),
    "sts:GetCallerIdentity": lambda b: _client(b, "sts").get_caller_identity(),
}
CODES = {
    "throttle": {
        "lambda": "TooManyRequestsException",
        "logs": "ThrottlingException",
        "cloudwatch": "Throttling",
        "sqs": "RequestThrottled",
        "sts": "Throttling",
    },
    "denied": {"sts": "AccessDenied"},
    "expired": {"sts": "ExpiredToken"},
}


def _code(kind: str, service: str) -> str:
    default = {
        "denied": "AccessDeniedException",
        "expired": "ExpiredTokenException",
        "500": "InternalFailure",
        "503": "ServiceUnavailableException",
    }
    if kind == "500" and service == "lambda":
        return "ServiceException"
    if kind == "503" and service == "sts":
        return "ServiceUnavailable"
    return CODES.get(kind, {}).get(service) or default[kind]


@pytest.mark.parametrize("action", list(CALLS))
@pytest.mark.parametrize("kind", ["throttle", "500", "503", "denied", "expired"])
def test_error_faults_speak_each_protocol(sandbox: Sandbox, action: str, kind: str) -> None:
    sandbox.fault(action, kind, times=1)
    try:
        with pytest.raises(bx.ClientError) as caught:
            CALLS[action](sandbox)
        assert caught.value.response["Error"]["Code"] == _code(kind, action.split(":")[0])
        CALLS[action](sandbox)  # the fault was for one call only
    finally:
        sandbox.allow()


@pytest.mark.parametrize(
    ("kind", "error"), [("slow", bx.ReadTimeoutError), ("drop", bx.ConnectionClosedError)]
)
def test_network_faults(sandbox: Sandbox, kind: str, error: type[Exception]) -> None:
    rule = sandbox.fault("lambda:ListFunctions", kind, times=1, delay=1.0)
    try:
        with pytest.raises(error):
            CALLS["lambda:ListFunctions"](sandbox)
        assert rule.hits == 1
        assert CALLS["lambda:ListFunctions"](sandbox)["Functions"]
    finally:
        sandbox.allow()


def test_malformed_body(sandbox: Sandbox) -> None:
    sandbox.fault("sts:GetCallerIdentity", "malformed", times=1)
    try:
        with pytest.raises(ResponseParserError):
            CALLS["sts:GetCallerIdentity"](sandbox)
    finally:
        sandbox.allow()


def test_fraction_and_wildcards(sandbox: Sandbox) -> None:
    rule = sandbox.fault("logs:*", "throttle", fraction=0.5)
    failed = 0
    try:
        for _ in range(40):
            try:
                CALLS["logs:DescribeLogGroups"](sandbox)
            except bx.ClientError:
                failed += 1
        CALLS["lambda:ListFunctions"](sandbox)  # another service is untouched
    finally:
        sandbox.allow()
    assert failed == rule.hits
    assert 5 < failed < 35


def test_admin_endpoint(sandbox: Sandbox) -> None:
    url = sandbox.endpoint_url + "/_lambdatui/faults"

    def send(method: str, payload: dict[str, Any] | None = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        with urllib.request.urlopen(request) as reply:
            return json.loads(reply.read())

    made = send("POST", {"action": "lambda:ListFunctions", "kind": "503", "times": 2})
    assert made["kind"] == "503"
    assert [r["action"] for r in send("GET")] == ["lambda:ListFunctions"]
    with pytest.raises(bx.ClientError):
        CALLS["lambda:ListFunctions"](sandbox)
    send("DELETE")
    assert send("GET") == []
    CALLS["lambda:ListFunctions"](sandbox)
    with pytest.raises(urllib.error.HTTPError) as bad:
        send("POST", {"action": "lambda:ListFunctions", "kind": "gremlins"})
    assert bad.value.code == 400
