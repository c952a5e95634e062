"""The sandbox over HTTP: paging, the configuration moto lacks, the demo world, the CLI."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from lambdatui_sandbox import Sandbox
from lambdatui_sandbox.cli import serve

NOW = datetime(2024, 11, 20, 10, 15, 30, tzinfo=UTC)
EXTRA = 120
DEMO_MINIMUM = 25

_DUMP_WORLD = """
import json, sys
from datetime import datetime
import boto3
from lambdatui_sandbox import Sandbox

world, extra, now = sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
with Sandbox(world=world, extra_functions=extra, now=now) as sandbox:
    client = boto3.client(
        "lambda",
        endpoint_url=sandbox.endpoint_url,
        region_name=sandbox.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    functions = []
    for page in client.get_paginator("list_functions").paginate():
        functions.extend(page["Functions"])
    print(json.dumps(functions, default=str))
"""


def client_kwargs(sandbox: Sandbox) -> dict[str, str]:
    env = sandbox.env()
    return {
        "endpoint_url": env["AWS_ENDPOINT_URL"],
        "region_name": env["AWS_REGION"],
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
    }


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(extra_functions=EXTRA, now=NOW) as running:
        yield running


@pytest.fixture(scope="module")
def lam(sandbox: Sandbox) -> Any:
    return boto3.client("lambda", **client_kwargs(sandbox))


@pytest.fixture(scope="module")
def listed(lam: Any) -> list[dict[str, Any]]:
    functions: list[dict[str, Any]] = []
    for page in lam.get_paginator("list_functions").paginate():
        functions.extend(page["Functions"])
    return functions


@pytest.fixture(scope="module")
def demo(listed: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["FunctionName"]: f for f in listed if not f["FunctionName"].startswith("bulk-fn-")}


def dump_world(world: str, extra: int) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-c", _DUMP_WORLD, world, str(extra), NOW.isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def test_list_functions_pages_at_fifty(lam: Any) -> None:
    first = lam.list_functions()
    assert len(first["Functions"]) == 50
    assert first["NextMarker"]
    assert len(lam.list_functions(MaxItems=500)["Functions"]) == 50
    seven = lam.list_functions(MaxItems=7)
    assert len(seven["Functions"]) == 7
    following = lam.list_functions(MaxItems=7, Marker=seven["NextMarker"])
    names = [f["FunctionName"] for f in seven["Functions"] + following["Functions"]]
    assert names == [f["FunctionName"] for f in first["Functions"][:14]]


def test_full_paging_returns_every_function_once(
    lam: Any, listed: list[dict[str, Any]], sandbox: Sandbox
) -> None:
    names = [f["FunctionName"] for f in listed]
    assert len(names) == len(set(names))
    assert sandbox.seeded is not None
    assert sorted(names) == sorted(sandbox.seeded.functions)
    assert names == sorted(names)
    walked: list[str] = []
    page = lam.list_functions(MaxItems=37)
    while True:
        walked.extend(f["FunctionName"] for f in page["Functions"])
        if "NextMarker" not in page:
            break
        assert len(page["Functions"]) == 37
        page = lam.list_functions(MaxItems=37, Marker=page["NextMarker"])
    assert walked == names


def test_all_versions_are_listed_after_their_function(lam: Any) -> None:
    entries = [
        (f["FunctionName"], f["Version"])
        for page in lam.get_paginator("list_functions").paginate(FunctionVersion="ALL")
        for f in page["Functions"]
    ]
    assert len(entries) == len(set(entries))
    orders_api = [version for name, version in entries if name == "orders-api"]
    assert orders_api == ["$LATEST", "1", "2", "3"]


def test_listed_items_leave_out_get_function_fields(listed: list[dict[str, Any]]) -> None:
    for function in listed:
        assert "State" not in function
        assert "LastUpdateStatus" not in function


def test_bad_marker_is_an_invalid_parameter(lam: Any) -> None:
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.list_functions(Marker="not-a-marker")


def test_dead_letter_config_is_returned(lam: Any, demo: dict[str, dict[str, Any]]) -> None:
    config = lam.get_function_configuration(FunctionName="payments-webhook")
    assert config["DeadLetterConfig"] == {
        "TargetArn": "arn:aws:sqs:us-east-1:123456789012:payments-webhook-dlq"
    }
    to_topic = lam.get_function(FunctionName="payments-ledger-writer")["Configuration"]
    assert to_topic["DeadLetterConfig"]["TargetArn"].startswith("arn:aws:sns:")
    assert demo["payments-webhook"]["DeadLetterConfig"] == config["DeadLetterConfig"]
    assert "DeadLetterConfig" not in demo["orders-api"]


def test_logging_config_is_returned(lam: Any, demo: dict[str, dict[str, Any]]) -> None:
    json_logs = lam.get_function_configuration(FunctionName="orders-worker")["LoggingConfig"]
    assert json_logs == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "WARN",
        "LogGroup": "/aws/lambda/orders-worker",
    }
    text_logs = lam.get_function(FunctionName="report-generator-java")["Configuration"]
    assert text_logs["LoggingConfig"] == {
        "LogFormat": "Text",
        "LogGroup": "/aws/lambda/report-generator-java",
    }
    assert demo["checkout-api"]["LoggingConfig"]["LogGroup"] == "/shop/checkout"
    assert all("LoggingConfig" in f for f in demo.values())


def test_logging_and_dead_letter_follow_create_and_update(lam: Any) -> None:
    role = "arn:aws:iam::123456789012:role/service-role/lambda-basic-execution"
    created = lam.create_function(
        FunctionName="test-created",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        DeadLetterConfig={"TargetArn": "arn:aws:sqs:us-east-1:123456789012:orders-dlq"},
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"},
        Publish=True,
    )
    try:
        assert created["LoggingConfig"]["ApplicationLogLevel"] == "DEBUG"
        assert created["DeadLetterConfig"]["TargetArn"].endswith(":orders-dlq")
        updated = lam.update_function_configuration(
            FunctionName="test-created",
            LoggingConfig={"LogFormat": "Text"},
            DeadLetterConfig={"TargetArn": ""},
        )
        assert updated["LoggingConfig"] == {
            "LogFormat": "Text",
            "LogGroup": "/aws/lambda/test-created",
        }
        assert "DeadLetterConfig" not in updated
        first = lam.get_function_configuration(FunctionName="test-created", Qualifier="1")
        assert first["LoggingConfig"]["LogFormat"] == "JSON"
        with pytest.raises(lam.exceptions.InvalidParameterValueException):
            lam.update_function_configuration(
                FunctionName="test-created",
                LoggingConfig={"LogFormat": "Text", "ApplicationLogLevel": "DEBUG"},
            )
    finally:
        lam.delete_function(FunctionName="test-created")


def test_demo_world_has_the_promised_variety(lam: Any, demo: dict[str, dict[str, Any]]) -> None:
    assert len(demo) >= DEMO_MINIMUM
    functions = list(demo.values())
    runtimes = {f.get("Runtime") for f in functions}
    assert {"python3.11", "python3.12", "python3.13"} <= runtimes
    assert {"nodejs20.x", "nodejs22.x", "java21", "java17", "provided.al2023"} <= runtimes
    assert {a for f in functions for a in f["Architectures"]} == {"x86_64", "arm64"}
    memory = [f["MemorySize"] for f in functions]
    assert min(memory) == 128
    assert max(memory) == 10240
    timeouts = [f["Timeout"] for f in functions]
    assert min(timeouts) == 3
    assert max(timeouts) == 900
    assert len({f["EphemeralStorage"]["Size"] for f in functions}) >= 4
    assert {f["LoggingConfig"]["LogFormat"] for f in functions} == {"JSON", "Text"}
    assert any("prod" in name for name in demo)
    assert any(f.get("VpcConfig", {}).get("SubnetIds") for f in functions)
    assert any(f["TracingConfig"]["Mode"] == "Active" for f in functions)
    assert any(f.get("Layers") for f in functions)
    secrets = {name for f in functions for name in f.get("Environment", {}).get("Variables", {})}
    assert {"STRIPE_API_KEY", "DB_PASSWORD", "JWT_SECRET"} <= secrets
    images = [f for f in functions if f["PackageType"] == "Image"]
    assert images
    code = lam.get_function(FunctionName=images[0]["FunctionName"])["Code"]
    ecr_uri = r"\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com/[a-z0-9-]+:[\w.-]+"
    assert re.fullmatch(ecr_uri, code["ImageUri"])


def test_tags_concurrency_and_vpc(lam: Any, demo: dict[str, dict[str, Any]]) -> None:
    envs = set()
    for function in demo.values():
        tags = lam.list_tags(Resource=function["FunctionArn"])["Tags"]
        assert {"env", "team", "service"} <= set(tags)
        envs.add(tags["env"])
    assert envs == {"prod", "staging", "dev"}
    assert lam.get_function(FunctionName="legacy-coupon-service")["Concurrency"] == {
        "ReservedConcurrentExecutions": 0
    }
    assert lam.get_function(FunctionName="inventory-sync")["Concurrency"] == {
        "ReservedConcurrentExecutions": 5
    }
    assert "Concurrency" not in lam.get_function(FunctionName="orders-worker")
    vpc = demo["payments-reconciler-prod"]["VpcConfig"]
    assert vpc["VpcId"].startswith("vpc-")
    assert vpc["VpcId"] != "vpc-123abc"
    settings = lam.get_account_settings()
    assert settings["AccountUsage"]["FunctionCount"] == len(demo) + EXTRA
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] < 1000


def test_versions_aliases_and_async_config(lam: Any) -> None:
    versions = lam.list_versions_by_function(FunctionName="orders-api")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3"]
    assert versions[0]["CodeSha256"] == versions[3]["CodeSha256"] != versions[1]["CodeSha256"]
    aliases = {a["Name"]: a for a in lam.list_aliases(FunctionName="orders-api")["Aliases"]}
    assert aliases["live"]["FunctionVersion"] == "3"
    canary = lam.list_aliases(FunctionName="checkout-api")["Aliases"][0]
    assert canary["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}
    invoke = lam.get_function_event_invoke_config(FunctionName="payments-webhook")
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"].startswith("arn:aws:sqs:")
    assert invoke["MaximumRetryAttempts"] == 2


def test_event_source_mapping_and_its_queues(sandbox: Sandbox, lam: Any) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-worker"
    by_arn = lam.list_event_source_mappings(FunctionName=arn)["EventSourceMappings"]
    by_name = lam.list_event_source_mappings(FunctionName="orders-worker")["EventSourceMappings"]
    assert by_arn == by_name
    assert len(by_arn) == 1
    mapping = by_arn[0]
    assert mapping["EventSourceArn"].endswith(":orders-queue")
    assert mapping["State"] == "Enabled"
    sqs = boto3.client("sqs", **client_kwargs(sandbox))
    url = sqs.get_queue_url(QueueName="orders-queue")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(":orders-dlq")


def test_last_modified_derives_from_now(demo: dict[str, dict[str, Any]]) -> None:
    deployed = NOW - timedelta(minutes=23)
    expected = deployed.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert demo["payments-webhook"]["LastModified"] == expected
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", f["LastModified"])
        for f in demo.values()
    )


def test_same_now_gives_the_same_world(listed: list[dict[str, Any]]) -> None:
    assert dump_world("demo", EXTRA) == json.loads(json.dumps(listed, default=str))


def test_empty_world_lists_nothing() -> None:
    assert dump_world("empty", 0) == []


def test_calls_are_counted(sandbox: Sandbox, lam: Any) -> None:
    sandbox.reset_calls()
    lam.list_functions(MaxItems=1)
    lam.list_functions(MaxItems=1)
    lam.get_function(FunctionName="orders-api")
    lam.get_function_configuration(FunctionName="orders-api")
    boto3.client("sts", **client_kwargs(sandbox)).get_caller_identity()
    boto3.client("logs", **client_kwargs(sandbox)).describe_log_groups(limit=1)
    boto3.client("sqs", **client_kwargs(sandbox)).list_queues()
    assert dict(sandbox.calls) == {
        "lambda:ListFunctions": 2,
        "lambda:GetFunction": 1,
        "lambda:GetFunctionConfiguration": 1,
        "sts:GetCallerIdentity": 1,
        "logs:DescribeLogGroups": 1,
        "sqs:ListQueues": 1,
    }
    sandbox.reset_calls()
    assert not sandbox.calls


def test_serve_on_a_taken_port_returns_two(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve("127.0.0.1", port) == 2
    err = capsys.readouterr().err
    assert "already in use" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
