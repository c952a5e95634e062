"""The acting APIs answer as the Lambda API reference says: concurrency, aliases, mappings."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, client, eventually, peek_queue

ROLE = "arn:aws:iam::123456789012:role/service-role/lambda-basic-execution"


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(now=FROZEN_NOW) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def lam(box: Sandbox) -> Any:
    return client(box, "lambda")


def error_of(call: Any, **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def package(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("app.py", source)
    return buffer.getvalue()


def unreserved(lam: Any) -> int:
    return int(lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"])


# Reserved concurrency.


def test_unreserved_function_has_no_reserved_member(lam: Any) -> None:
    reply = lam.get_function_concurrency(FunctionName="orders-worker")
    assert "ReservedConcurrentExecutions" not in reply
    assert "Concurrency" not in lam.get_function(FunctionName="orders-worker")
    zero = lam.get_function_concurrency(FunctionName="legacy-coupon-service")
    assert zero["ReservedConcurrentExecutions"] == 0


def test_reserving_shrinks_the_unreserved_pool_and_deleting_restores_it(lam: Any) -> None:
    before = unreserved(lam)
    put = lam.put_function_concurrency(
        FunctionName="orders-worker", ReservedConcurrentExecutions=40
    )
    assert put["ReservedConcurrentExecutions"] == 40
    assert unreserved(lam) == before - 40
    got = lam.get_function_concurrency(FunctionName="orders-worker")
    assert got["ReservedConcurrentExecutions"] == 40
    assert lam.get_function(FunctionName="orders-worker")["Concurrency"] == {
        "ReservedConcurrentExecutions": 40
    }
    lam.put_function_concurrency(FunctionName="orders-worker", ReservedConcurrentExecutions=0)
    assert unreserved(lam) == before
    assert lam.get_function(FunctionName="orders-worker")["Concurrency"] == {
        "ReservedConcurrentExecutions": 0
    }
    deleted = lam.delete_function_concurrency(FunctionName="orders-worker")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(
        FunctionName="orders-worker"
    )
    assert unreserved(lam) == before


def test_the_account_keeps_a_hundred_unreserved(lam: Any) -> None:
    pool = unreserved(lam)
    code, status, message = error_of(
        lam.put_function_concurrency,
        FunctionName="orders-worker",
        ReservedConcurrentExecutions=pool - 99,
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == (
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100]."
    )
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(
        FunctionName="orders-worker"
    )
    lam.put_function_concurrency(
        FunctionName="orders-worker", ReservedConcurrentExecutions=pool - 100
    )
    assert unreserved(lam) == 100
    # A function that already reserves can change its own reservation within the pool.
    lam.put_function_concurrency(
        FunctionName="orders-worker", ReservedConcurrentExecutions=pool - 100
    )
    lam.delete_function_concurrency(FunctionName="orders-worker")
    assert unreserved(lam) == pool


def test_concurrency_of_a_missing_function_is_not_found(lam: Any) -> None:
    for call, params in (
        (lam.get_function_concurrency, {}),
        (lam.delete_function_concurrency, {}),
        (lam.put_function_concurrency, {"ReservedConcurrentExecutions": 1}),
    ):
        code, status, _ = error_of(call, FunctionName="no-such-function", **params)
        assert (code, status) == ("ResourceNotFoundException", 404)


# Event source mappings.


def mapping_of(lam: Any, function: str) -> dict[str, Any]:
    mappings = lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
    assert len(mappings) == 1
    return dict(mappings[0])


def states(lam: Any, uuid: str) -> tuple[str, str, str]:
    got = lam.get_event_source_mapping(UUID=uuid)
    listed = next(
        m for m in lam.list_event_source_mappings()["EventSourceMappings"] if m["UUID"] == uuid
    )
    assert listed["State"] in (got["State"], "Disabled", "Enabled")
    return got["State"], listed["State"], got["StateTransitionReason"]


def test_disabling_and_enabling_a_queue_mapping_pass_through_transitions(lam: Any) -> None:
    mapping = mapping_of(lam, "orders-worker")
    assert (mapping["State"], mapping["StateTransitionReason"]) == ("Enabled", "USER_INITIATED")
    uuid = mapping["UUID"]
    reply = lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (reply["State"], reply["StateTransitionReason"]) == ("Disabling", "USER_INITIATED")
    eventually(lambda: states(lam, uuid) == ("Disabled", "Disabled", "USER_INITIATED"))
    reply = lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    assert reply["State"] == "Enabling"
    assert lam.get_event_source_mapping(UUID=uuid)["State"] in ("Enabling", "Enabled")
    eventually(lambda: states(lam, uuid) == ("Enabled", "Enabled", "USER_INITIATED"))


def test_stream_mappings_spell_the_reason_as_aws_does_for_streams(lam: Any) -> None:
    mapping = mapping_of(lam, "orders-analytics-consumer")
    assert mapping["StateTransitionReason"] == "User action"
    reply = lam.update_event_source_mapping(UUID=mapping["UUID"], BatchSize=50)
    assert (reply["State"], reply["BatchSize"]) == ("Updating", 50)
    eventually(lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled")


def test_a_missing_mapping_is_not_found(lam: Any) -> None:
    uuid = "00000000-0000-4000-8000-000000000000"
    assert error_of(lam.get_event_source_mapping, UUID=uuid)[:2] == (
        "ResourceNotFoundException",
        404,
    )
    assert error_of(lam.update_event_source_mapping, UUID=uuid, Enabled=False)[:2] == (
        "ResourceNotFoundException",
        404,
    )


# Aliases, versions and revision ids.


def test_functions_versions_and_aliases_carry_revision_ids(lam: Any) -> None:
    function = lam.get_function(FunctionName="payments-webhook")["Configuration"]["RevisionId"]
    assert function == lam.get_function_configuration(FunctionName="payments-webhook")["RevisionId"]
    listed = next(
        f for f in lam.list_functions()["Functions"] if f["FunctionName"] == "payments-webhook"
    )
    assert listed["RevisionId"] == function
    versions = lam.list_versions_by_function(FunctionName="payments-webhook")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert versions[0]["RevisionId"] == function
    assert len({v["RevisionId"] for v in versions}) == 3
    version = lam.get_function_configuration(FunctionName="payments-webhook", Qualifier="1")
    assert version["RevisionId"] == versions[1]["RevisionId"]
    alias = lam.get_alias(FunctionName="payments-webhook", Name="prod")
    assert alias["RevisionId"]
    listed_aliases = lam.list_aliases(FunctionName="payments-webhook")["Aliases"]
    assert [a["RevisionId"] for a in listed_aliases] == [alias["RevisionId"]]


def test_every_update_changes_the_revision_id_and_stale_ones_are_refused(lam: Any) -> None:
    lam.create_function(
        FunctionName="revisions-probe",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package("def handler(event, context):\n    return 1\n")},
    )
    first = lam.get_function(FunctionName="revisions-probe")["Configuration"]["RevisionId"]
    assert first == lam.get_function(FunctionName="revisions-probe")["Configuration"]["RevisionId"]
    updated = lam.update_function_configuration(
        FunctionName="revisions-probe", MemorySize=256, RevisionId=first
    )
    second = updated["RevisionId"]
    assert second != first
    assert lam.get_function(FunctionName="revisions-probe")["Configuration"]["RevisionId"] == second
    code, status, _ = error_of(
        lam.update_function_configuration,
        FunctionName="revisions-probe",
        Timeout=9,
        RevisionId=first,
    )
    assert (code, status) == ("PreconditionFailedException", 412)
    code_update = lam.update_function_code(
        FunctionName="revisions-probe",
        ZipFile=package("def handler(event, context):\n    return 2\n"),
        RevisionId=second,
    )
    assert code_update["RevisionId"] not in (first, second)
    assert error_of(lam.publish_version, FunctionName="revisions-probe", RevisionId=second)[:2] == (
        "PreconditionFailedException",
        412,
    )


def test_update_alias_rolls_back_and_refuses_an_alias_that_moved(lam: Any) -> None:
    read = lam.get_alias(FunctionName="orders-api", Name="live")
    assert read["FunctionVersion"] == "3"
    moved = lam.update_alias(
        FunctionName="orders-api", Name="live", FunctionVersion="2", RevisionId=read["RevisionId"]
    )
    assert moved["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert moved["FunctionVersion"] == "2"
    assert moved["RevisionId"] != read["RevisionId"]
    again = lam.get_alias(FunctionName="orders-api", Name="live")
    assert (again["FunctionVersion"], again["RevisionId"]) == ("2", moved["RevisionId"])
    code, status, message = error_of(
        lam.update_alias,
        FunctionName="orders-api",
        Name="live",
        FunctionVersion="1",
        RevisionId=read["RevisionId"],
    )
    assert (code, status) == ("PreconditionFailedException", 412)
    assert "Revision Id" in message
    assert lam.get_alias(FunctionName="orders-api", Name="live")["FunctionVersion"] == "2"
    weighted = lam.update_alias(
        FunctionName="orders-api",
        Name="live",
        FunctionVersion="3",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}},
        RevisionId=moved["RevisionId"],
    )
    assert weighted["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    cleared = lam.update_alias(
        FunctionName="orders-api", Name="live", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    assert cleared.get("RoutingConfig", {}).get("AdditionalVersionWeights", {}) == {}


def test_update_alias_checks_the_versions_it_names(lam: Any) -> None:
    assert error_of(lam.update_alias, FunctionName="orders-api", Name="live", FunctionVersion="9")[
        :2
    ] == ("ResourceNotFoundException", 404)
    assert error_of(
        lam.update_alias,
        FunctionName="orders-api",
        Name="live",
        RoutingConfig={"AdditionalVersionWeights": {"9": 0.5}},
    )[:2] == ("ResourceNotFoundException", 404)
    assert error_of(lam.update_alias, FunctionName="orders-api", Name="nope")[:2] == (
        "ResourceNotFoundException",
        404,
    )


def test_versions_of_a_missing_function_are_not_found(lam: Any) -> None:
    code, status, message = error_of(lam.list_versions_by_function, FunctionName="no-such-fn")
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert (
        message == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-fn"
    )


# Asynchronous invoke configurations.


def test_event_invoke_config_names_its_qualifier_and_both_destinations(lam: Any) -> None:
    config = lam.get_function_event_invoke_config(FunctionName="payments-webhook")
    arn = "arn:aws:lambda:us-east-1:123456789012:function:payments-webhook"
    assert config["FunctionArn"] == f"{arn}:$LATEST"
    assert config["DestinationConfig"] == {
        "OnSuccess": {},
        "OnFailure": {
            "Destination": "arn:aws:sqs:us-east-1:123456789012:payments-webhook-failures"
        },
    }
    listed = lam.list_function_event_invoke_configs(FunctionName="payments-webhook")
    assert listed["FunctionEventInvokeConfigs"][0]["FunctionArn"] == f"{arn}:$LATEST"


def test_put_replaces_and_update_amends_the_invoke_config(lam: Any) -> None:
    name = "notifications-email-sender"
    put = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert put["MaximumRetryAttempts"] == 0
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    updated = lam.update_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=120
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 120)
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (0, 120)
    assert (
        len(lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"])
        == 1
    )


# Invoke: weighted aliases, asynchronous events, throttling.


def invoke(lam: Any, name: str, event: Any, **params: Any) -> dict[str, Any]:
    reply = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **params)
    reply["Body"] = reply["Payload"].read()
    return dict(reply)


def stored(box: Sandbox, group: str) -> list[str]:
    """A log group's messages in the order they were written (none if it does not exist)."""
    logs = client(box, "logs")
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        return []
    found = []
    for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
        events = logs.get_log_events(
            logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True
        )["events"]
        found.extend(e["message"] for e in events)
    return found


def function_with(lam: Any, name: str, source: str, **config: Any) -> None:
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package(source)},
        **config,
    )


def queue_arn(box: Sandbox, name: str) -> str:
    sqs = client(box, "sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return str(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    )


def test_a_weighted_alias_runs_its_other_version_in_that_share(box: Sandbox, lam: Any) -> None:
    lam.update_alias(
        FunctionName="checkout-api",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    ran: dict[str, str] = {}
    for index in range(60):
        reply = invoke(lam, "checkout-api", {"cart": index}, Qualifier="live")
        ran[reply["ResponseMetadata"]["RequestId"]] = reply["ExecutedVersion"]
    shares = {version: list(ran.values()).count(version) for version in set(ran.values())}
    assert set(shares) == {"1", "2"}
    assert 15 <= shares["2"] <= 45, shares
    # The log's platform.start record names the version that ran each request.
    starts = {}
    for message in stored(box, "/shop/checkout"):
        record = json.loads(message)
        if record.get("type") == "platform.start":
            starts[record["record"]["requestId"]] = record["record"]["version"]
    assert {rid: starts[rid] for rid in ran} == ran
    lam.update_alias(
        FunctionName="checkout-api", Name="live", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    primary = {
        invoke(lam, "checkout-api", {}, Qualifier="live")["ExecutedVersion"] for _ in range(10)
    }
    assert primary == {"1"}
    assert invoke(lam, "checkout-api", {}, Qualifier="2")["ExecutedVersion"] == "2"


WEBHOOK_EVENT = {
    "id": "evt_0000000000000000000000aa",
    "object": "event",
    "type": "payout.paid",
    "data": {"object": {"id": "po_1", "object": "payout"}},
}


def test_a_failing_async_event_is_retried_twice_then_reaches_dlq_and_destination(
    box: Sandbox, lam: Any
) -> None:
    reply = lam.invoke(
        FunctionName="payments-webhook",
        InvocationType="Event",
        Payload=json.dumps(WEBHOOK_EVENT).encode(),
    )
    assert reply["StatusCode"] == 202
    request_id = reply["ResponseMetadata"]["RequestId"]
    assert box.invoker.wait_async(timeout=60)
    starts = [
        json.loads(m)["record"]
        for m in stored(box, "/aws/lambda/payments-webhook")
        if '"platform.start"' in m and request_id in m
    ]
    assert len(starts) == 3  # the attempt, the first retry and the second retry
    dead = [
        m
        for m in peek_queue(box, "payments-webhook-dlq")
        if "evt_0000000000000000000000aa" in m["Body"]
    ]
    assert len(dead) == 1
    assert json.loads(dead[0]["Body"]) == WEBHOOK_EVENT
    attributes = dead[0]["MessageAttributes"]
    assert attributes["RequestID"]["StringValue"] == request_id
    assert attributes["ErrorCode"]["StringValue"] == "200"
    assert attributes["ErrorMessage"]["StringValue"] == "'payment_intent'"
    records = [
        json.loads(m["Body"])
        for m in peek_queue(box, "payments-webhook-failures")
        if request_id in m["Body"]
    ]
    assert len(records) == 1
    context = records[0]["requestContext"]
    assert (context["condition"], context["approximateInvokeCount"]) == ("RetriesExhausted", 3)
    assert records[0]["responsePayload"]["errorType"] == "KeyError"


def test_an_async_event_of_a_throttled_function_is_accepted_and_ages_out_to_the_dlq(
    box: Sandbox, lam: Any
) -> None:
    dlq = queue_arn(box, "throttled-dlq")
    destination = queue_arn(box, "throttled-failures")
    function_with(
        lam,
        "throttled-async",
        "def handler(event, context):\n    print('ran')\n    return 1\n",
        DeadLetterConfig={"TargetArn": dlq},
    )
    lam.put_function_event_invoke_config(
        FunctionName="throttled-async",
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    lam.put_function_concurrency(FunctionName="throttled-async", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName="throttled-async", Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert caught.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    dry = lam.invoke(FunctionName="throttled-async", InvocationType="DryRun")
    assert dry["StatusCode"] == 204
    reply = lam.invoke(FunctionName="throttled-async", InvocationType="Event", Payload=b'{"n": 1}')
    assert reply["StatusCode"] == 202
    request_id = reply["ResponseMetadata"]["RequestId"]
    assert box.invoker.wait_async(timeout=60)
    dead = peek_queue(box, "throttled-dlq")
    assert [json.loads(m["Body"]) for m in dead] == [{"n": 1}]
    assert dead[0]["MessageAttributes"]["RequestID"]["StringValue"] == request_id
    assert dead[0]["MessageAttributes"]["ErrorCode"]["StringValue"] == "429"
    record = json.loads(peek_queue(box, "throttled-failures")[0]["Body"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert record["requestPayload"] == {"n": 1}
    assert "responsePayload" not in record
    assert not [m for m in stored(box, "/aws/lambda/throttled-async") if request_id in m]


def test_a_throttled_async_event_runs_once_concurrency_is_given_back(
    box: Sandbox, lam: Any
) -> None:
    function_with(lam, "throttled-then-free", "def handler(event, context):\n    return event\n")
    lam.put_function_concurrency(FunctionName="throttled-then-free", ReservedConcurrentExecutions=0)
    reply = lam.invoke(FunctionName="throttled-then-free", InvocationType="Event", Payload=b"{}")
    assert reply["StatusCode"] == 202
    request_id = reply["ResponseMetadata"]["RequestId"]
    assert not box.invoker.wait_async(timeout=0.2)  # still queued, waiting for concurrency
    lam.delete_function_concurrency(FunctionName="throttled-then-free")
    assert box.invoker.wait_async(timeout=60)
    ran = [m for m in stored(box, "/aws/lambda/throttled-then-free") if request_id in m]
    assert sum(m.startswith("START") for m in ran) == 1
    assert any(m.startswith("REPORT") for m in ran)


PRINTS_THEN_FAILS = (
    "import logging\n"
    "logging.getLogger().setLevel('INFO')\n"
    "def handler(event, context):\n"
    "    print('about to fail')\n"
    "    logging.info('logged too')\n"
    "    raise ValueError('no way')\n"
)


def test_printed_output_is_logged_before_the_error_in_async_and_sync_runs(
    box: Sandbox, lam: Any
) -> None:
    function_with(lam, "prints-then-fails", PRINTS_THEN_FAILS)
    lam.put_function_event_invoke_config(FunctionName="prints-then-fails", MaximumRetryAttempts=0)
    sync = invoke(lam, "prints-then-fails", {})["ResponseMetadata"]["RequestId"]
    queued = lam.invoke(FunctionName="prints-then-fails", InvocationType="Event", Payload=b"{}")
    assert box.invoker.wait_async(timeout=60)
    logged = stored(box, "/aws/lambda/prints-then-fails")
    for request_id in (sync, queued["ResponseMetadata"]["RequestId"]):
        start = logged.index(
            next(m for m in logged if m.startswith(f"START RequestId: {request_id}"))
        )
        run = logged[start : start + 7]
        assert run[0].startswith("START")
        assert run[1] == "about to fail\n"
        assert run[2].startswith("[INFO]") and "logged too" in run[2]
        assert run[3].startswith("LAMBDA_WARNING")
        assert run[4].startswith("[ERROR] ValueError: no way")
        assert run[5].startswith("END") and run[6].startswith("REPORT")


def test_the_time_scale_sets_the_waits_of_async_invokes() -> None:
    assert Sandbox(time_scale=1).invoker.retry_delays == (60.0, 120.0)
    assert Sandbox().invoker.retry_delays == (1.0, 2.0)
    with pytest.raises(ValueError):
        Sandbox(time_scale=0)


def test_the_sandbox_command_takes_a_time_scale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import lambdatui_sandbox
    from lambdatui.__main__ import main

    served: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        lambdatui_sandbox, "serve", lambda *args, **kwargs: served.append((args, kwargs)) or 0
    )
    assert main(["sandbox", "--port", "0", "--time-scale", "1"]) == 0
    assert served[-1][1] == {"time_scale": 1.0}
    assert main(["sandbox", "--port", "0"]) == 0
    assert served[-1][1] == {}
    assert main(["sandbox", "--time-scale", "0"]) == 2
    assert "--time-scale must be a number more than 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sandbox", "--help"])
    assert "--time-scale X" in capsys.readouterr().out
