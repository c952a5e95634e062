"""The live demo follows what an operator does, and an Invoke tells its traffic's story.

Throttling a function turns its traffic into throttles; an alias rollback changes the
version that runs (and whether it fails); a disabled mapping stops consuming. A dead
letter of the traffic fails again, the same way, when it is invoked on the version that
failed it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from lambdatui_sandbox import Outcome, Sandbox, SimulatedInvocation
from lambdatui_sandbox.stories import demo_profiles

from .helpers import FROZEN_NOW, client, eventually, peek_queue

#: The stack payments-webhook's failure logs in the traffic (version 2's bug).
WEBHOOK_STACK = demo_profiles(0)["payments-webhook"].failures[0].stack
#: How far the simulated clock runs ahead of the wall clock in these tests.
SPEED = 8
#: Simulated time after a change by which the traffic has surely followed it.
SETTLE_MS = 3 * SPEED * 1000
TEXT_REPORT = re.compile(
    r"^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: \d+ MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?"
    r"(Status: timeout\t|Status: error\tError Type: Runtime\.OutOfMemory\t)?\n$"
)


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(now=FROZEN_NOW, simulate=True) as sandbox:
        assert sandbox.traffic is not None
        assert sandbox.traffic.wait_ready(120)
        sandbox.traffic.set_speed(SPEED)
        yield sandbox


@pytest.fixture(scope="module")
def lam(box: Sandbox) -> Any:
    return client(box, "lambda")


def now(box: Sandbox) -> int:
    assert box.traffic is not None
    return box.traffic.now_ms


def since(box: Sandbox, name: str, start_ms: int) -> list[SimulatedInvocation]:
    """The function's invocations that arrived after ``start_ms`` (world time)."""
    assert box.traffic is not None
    return [
        inv
        for inv in box.traffic.recent()
        if inv.function_name == name and inv.arrival_ms > start_ms
    ]


def messages_of(box: Sandbox, group: str, request_id: str) -> list[str]:
    pages = client(box, "logs").get_paginator("filter_log_events")
    found = pages.paginate(logGroupName=group, filterPattern=f'"{request_id}"')
    return [event["message"] for page in found for event in page["events"]]


def queue_depth(box: Sandbox, queue: str) -> int:
    sqs = client(box, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


# The traffic follows the operator.


def test_reserved_concurrency_zero_turns_the_traffic_into_throttles(box: Sandbox, lam: Any) -> None:
    name = "auth-session-validator"
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    changed = now(box)
    later = eventually(
        lambda: (found := since(box, name, changed + SETTLE_MS)) and len(found) >= 10 and found,
        within=60,
    )
    assert all(i.outcome is Outcome.THROTTLED and not i.logged for i in later)
    watch = client(box, "cloudwatch")

    def throttles_in_metrics() -> float:
        result = watch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "t",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/Lambda",
                            "MetricName": "Throttles",
                            "Dimensions": [{"Name": "FunctionName", "Value": name}],
                        },
                        "Period": 60,
                        "Stat": "Sum",
                    },
                }
            ],
            StartTime=later[0].start_ms // 60_000 * 60,
            EndTime=now(box) // 1000 + 60,
        )
        return sum(result["MetricDataResults"][0]["Values"])

    assert eventually(throttles_in_metrics, within=60) >= 1
    rid = later[-1].request_id
    assert messages_of(box, "/aws/lambda/auth-session-validator", rid) == []

    lam.delete_function_concurrency(FunctionName=name)
    restored = now(box)
    back = eventually(
        lambda: [i for i in since(box, name, restored + SETTLE_MS) if i.outcome is Outcome.OK],
        within=60,
    )
    assert back[0].logged
    assert all(i.outcome is not Outcome.THROTTLED for i in since(box, name, restored + SETTLE_MS))


def test_an_alias_rollback_runs_the_other_version_and_its_story(box: Sandbox, lam: Any) -> None:
    name = "payments-webhook"
    lam.update_alias(FunctionName=name, Name="prod", FunctionVersion="1")
    changed = now(box)
    try:
        fresh = eventually(
            lambda: (
                (found := [i for i in since(box, name, changed + SETTLE_MS) if i.attempt == 1])
                and len(found) >= 8
                and found
            ),
            within=90,
        )
        assert {(i.qualifier, i.version) for i in fresh} == {("prod", "1")}
        assert not [i for i in fresh if i.outcome.failed]
        logged = next(i for i in fresh if i.logged)
        start = next(
            m
            for m in messages_of(box, "/aws/lambda/payments-webhook", logged.request_id)
            if '"platform.start"' in m
        )
        assert json.loads(start)["record"]["version"] == "1"
        assert logged.log_stream and "/[1]" in logged.log_stream
    finally:
        lam.update_alias(FunctionName=name, Name="prod", FunctionVersion="2")
    again = now(box)
    back = eventually(
        lambda: [i for i in since(box, name, again + SETTLE_MS) if i.attempt == 1],
        within=90,
    )
    assert {i.version for i in back} == {"2"}


def test_a_disabled_queue_mapping_stops_consuming_and_its_queue_fills(
    box: Sandbox, lam: Any
) -> None:
    name = "orders-worker"
    mapping = lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"][0]
    assert queue_depth(box, "orders-queue") == 0
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    changed = now(box)
    first = eventually(lambda: queue_depth(box, "orders-queue"), within=90)
    eventually(lambda: queue_depth(box, "orders-queue") > first, within=90)
    assert not since(box, name, changed + SETTLE_MS)
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    eventually(
        lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled",
        within=30,
    )
    resumed = now(box)
    eventually(lambda: queue_depth(box, "orders-queue") == 0, within=90)
    assert eventually(lambda: since(box, name, resumed), within=60)


def test_a_disabled_stream_mapping_falls_further_behind(box: Sandbox, lam: Any) -> None:
    name = "orders-analytics-consumer"
    mapping = lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"][0]
    before = eventually(lambda: since(box, name, now(box) - 60_000), within=60)[-1]
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    paused = now(box)
    eventually(lambda: now(box) > paused + 4 * SETTLE_MS, within=60)
    assert not since(box, name, paused + SETTLE_MS)
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    resumed = now(box)
    after = eventually(lambda: since(box, name, resumed + SETTLE_MS), within=90)[0]
    assert before.iterator_age_ms is not None and after.iterator_age_ms is not None
    gap = resumed - paused - 2 * SETTLE_MS
    assert after.iterator_age_ms > before.iterator_age_ms + gap


# An Invoke tells the story the traffic tells.


def dead_letter(box: Sandbox, queue: str, group: str) -> tuple[dict[str, Any], list[str]]:
    """A message of the DLQ whose failure is still in the logs (they keep 3 hours), and them."""

    def found() -> tuple[dict[str, Any], list[str]] | None:
        for message in reversed(peek_queue(box, queue)):
            original = message["MessageAttributes"]["RequestID"]["StringValue"]
            logged = messages_of(box, group, original)
            if logged:
                return message, logged
        return None

    return eventually(found, within=60)


def test_a_webhook_dead_letter_fails_on_version_2_as_its_logs_say_and_not_on_1(
    box: Sandbox, lam: Any
) -> None:
    message, traffic_logs = dead_letter(box, "payments-webhook-dlq", "/aws/lambda/payments-webhook")
    received = next(json.loads(m) for m in traffic_logs if "Received " in m)
    reply = lam.invoke(
        FunctionName="payments-webhook",
        Qualifier="prod",
        Payload=message["Body"].encode(),
        LogType="Tail",
    )
    assert (reply["FunctionError"], reply["ExecutedVersion"]) == ("Unhandled", "2")
    error = json.loads(reply["Payload"].read())
    assert (error["errorType"], error["errorMessage"]) == ("KeyError", "'payment_intent'")
    assert error["stackTrace"] == list(WEBHOOK_STACK)
    tail = [json.loads(line) for line in base64.b64decode(reply["LogResult"]).decode().splitlines()]
    told = next(r for r in tail if str(r.get("message", "")).startswith("Received "))
    keep = ("level", "message", "logger", "provider", "event_type")
    assert {k: told[k] for k in keep} == {k: received[k] for k in keep}
    logged_error = next(r for r in tail if r.get("level") == "ERROR")
    assert logged_error["message"]["stackTrace"] == list(WEBHOOK_STACK)
    assert (
        next(r for r in tail if r.get("type") == "platform.report")["record"]["status"] == "error"
    )

    rolled_back = lam.invoke(
        FunctionName="payments-webhook", Qualifier="1", Payload=message["Body"].encode()
    )
    assert "FunctionError" not in rolled_back
    assert rolled_back["ExecutedVersion"] == "1"


def test_an_image_that_ran_out_of_memory_does_again_when_invoked(box: Sandbox, lam: Any) -> None:
    message, traffic_logs = dead_letter(box, "image-resizer-dlq", "/aws/lambda/image-resizer")
    resizing = next(m for m in traffic_logs if "Resizing " in m)
    reply = lam.invoke(
        FunctionName="image-resizer", Payload=message["Body"].encode(), LogType="Tail"
    )
    assert reply["FunctionError"] == "Unhandled"
    error = json.loads(reply["Payload"].read())
    assert error["errorType"] == "Runtime.OutOfMemory"
    assert error["errorMessage"] == message["MessageAttributes"]["ErrorMessage"]["StringValue"]
    tail = base64.b64decode(reply["LogResult"]).decode().splitlines(keepends=True)
    told = next(line for line in tail if "Resizing " in line)
    assert told.split("\t")[-1] == resizing.split("\t")[-1]  # same upload, same size
    report = next(line for line in tail if line.startswith("REPORT"))
    assert "Status: error\tError Type: Runtime.OutOfMemory\t" in report
    assert "Memory Size: 2048 MB\tMax Memory Used: 2048 MB" in report


def test_a_function_without_code_says_it_is_the_demos_stand_in(box: Sandbox, lam: Any) -> None:
    reply = lam.invoke(FunctionName="checkout-cart-service", Payload=b"{}", LogType="Tail")
    assert "FunctionError" not in reply
    answer = json.loads(reply["Payload"].read())
    assert "stand-in" in answer["standIn"]
    tail = base64.b64decode(reply["LogResult"]).decode().splitlines(keepends=True)
    node_line = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\t(GET|PUT) /cart/")
    assert any(node_line.match(line) for line in tail)
    assert TEXT_REPORT.match(next(line for line in tail if line.startswith("REPORT")))
