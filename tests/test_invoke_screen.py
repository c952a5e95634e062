"""The invoke pane: events, validation, the response, safety, saved and shared events."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lambdatui.aws.errors import AccessDenied
from lambdatui.aws.logrecords import Level, RecordKind
from lambdatui.aws.session import AwsSession, Target
from lambdatui.aws.templates import TEMPLATES, Context, render
from lambdatui.aws.testevents import (
    REGISTRY,
    delete_shared_event,
    save_shared_event,
    schema_name,
    shared_events,
)
from lambdatui.screens.confirm import Confirm
from lambdatui.screens.invoke import InvokeScreen
from lambdatui.screens.invokemodals import HistoryScreen, SavedPicker, SaveEvent
from lambdatui.screens.logs import LogsScreen
from lambdatui.screens.pickers import Picker

from .helpers import app_for, client, mode, screen_text, wait_until


def _context() -> Context:
    return Context("123456789012", "eu-west-1", "orders-worker", datetime(2026, 11, 27, tzinfo=UTC))


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_each_template_is_json_of_its_sources_shape(key: str) -> None:
    event = json.loads(render(key, _context()))
    records = event.get("Records", [{}])
    shape = {
        "apigw-rest": lambda: event["requestContext"]["stage"] and event["httpMethod"],
        "apigw-http": lambda: event["version"] == "2.0" and event["requestContext"]["http"],
        "alb": lambda: "elb" in event["requestContext"],
        "function-url": lambda: ".lambda-url.eu-west-1.on.aws" in event["headers"]["host"],
        "sqs": lambda: (
            records[0]["eventSource"] == "aws:sqs"
            and records[0]["eventSourceARN"].startswith("arn:aws:sqs:eu-west-1:123456789012:")
        ),
        "sns": lambda: records[0]["Sns"]["Type"] == "Notification",
        "s3-put": lambda: records[0]["eventName"] == "ObjectCreated:Put",
        "eventbridge": lambda: event["detail-type"] and event["account"] == "123456789012",
        "scheduled": lambda: event["source"] == "aws.scheduler",
        "dynamodb-stream": lambda: records[0]["dynamodb"]["NewImage"],
        "kinesis": lambda: json.loads(base64.b64decode(records[0]["kinesis"]["data"])),
        "cloudwatch-logs": lambda: (
            json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))["messageType"]
            == "DATA_MESSAGE"
        ),
        "cognito": lambda: event["triggerSource"] == "PreSignUp_SignUp",
    }
    assert shape[key]()


async def open_invoke(app: Any, pilot: Any, name: str, **kwargs: Any) -> InvokeScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.open_invoke(next(f for f in app.fleet.functions if f.name == name), **kwargs)
    await wait_until(
        pilot, lambda: isinstance(app.screen, InvokeScreen) and bool(app.screen.query("#tail"))
    )
    screen: InvokeScreen = app.screen
    await app.workers.wait_for_complete()
    return screen


def head(screen: InvokeScreen) -> str:
    return str(screen.query_one("#response-head").render())


async def send(app: Any, pilot: Any, screen: InvokeScreen, *, confirm: bool = False) -> None:
    await pilot.press("ctrl+j")
    if confirm:
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
    await wait_until(pilot, lambda: "ms" in head(screen) or "failed" in head(screen), frames=2000)


async def test_invalid_json_is_refused_with_its_position(sandbox: Any) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_invoke(app, pilot, "dev-sandbox-hello")
        screen.editor.text = '{\n  "name": "ops",\n  oops\n}'
        await pilot.pause()
        assert "Invalid JSON at line 3, column 3" in str(screen.query_one("#validity").render())
        sandbox.reset_calls()
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert "Not sent: Invalid JSON at line 3, column 3" in head(screen)
        assert sandbox.calls["lambda:Invoke"] == 0


async def test_a_raising_handler_shows_its_error_stack_and_log_tail(sandbox: Any) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_invoke(app, pilot, "orders-worker")
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, Picker))
        app.screen.dismiss("sqs")
        await wait_until(pilot, lambda: '"aws:sqs"' in screen.editor.text)
        await send(app, pilot, screen, confirm=True)  # orders-worker is tagged env=prod
        text = screen_text(app)
        assert "200 · Unhandled" in head(screen)
        assert "OrderValidationError: record 0" in text
        assert 'File "/var/task/worker.py"' in text
        records = screen.tail_view.records()
        assert any("received 1 record(s)" in r.message for r in records)
        assert app.invocations[-1].request_id in {r.request_id for r in records}
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        assert app.screen.request_id == app.invocations[-1].request_id


@pytest.mark.parametrize("name", ["shipping-label-printer", "auth-jwks-rotator"])
async def test_java_and_go_lines_of_the_log_tail_are_their_own(sandbox: Any, name: str) -> None:
    """Log4j2 and Go log lines start events of their own, with level and request id."""
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_invoke(app, pilot, name)
        screen.editor.text = '{"order": "ord_1"}'
        await send(app, pilot, screen, confirm=True)  # both are env=prod
        request_id = app.invocations[-1].request_id
        records = screen.tail_view.records()
        start = next(r for r in records if r.kind is RecordKind.START)
        assert "\n" not in start.message
        # The first line the function logs itself: its own event, level and request id.
        line = next(r for r in records if r.kind is RecordKind.APP)
        assert "\n" not in line.message and line.message.strip()
        assert (line.level, line.request_id) == (Level.INFO, request_id)


async def test_a_successful_call_shows_payload_and_report_figures(sandbox: Any) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_invoke(app, pilot, "dev-sandbox-hello")
        screen.editor.text = '{"name": "ops"}'
        await send(app, pilot, screen)  # a dev function: no confirmation
        assert "200 · OK" in head(screen)
        assert "billed" in head(screen) and "max used" in head(screen)
        assert '"message": "Hello, ops!"' in screen_text(app)


async def test_production_needs_a_confirmation_that_can_say_no(sandbox: Any) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_invoke(app, pilot, "orders-api")
        sandbox.reset_calls()
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        facts = screen_text(app)
        assert "orders-api" in facts and "us-east-1" in facts and "$LATEST" in facts
        await pilot.press("n")
        await pilot.pause()
        assert sandbox.calls["lambda:Invoke"] == 0


async def test_production_confirmation_names_only_the_patterns_that_matched(sandbox: Any) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_invoke(app, pilot, "orders-worker")  # tagged env=prod, no "prod" in its name
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        facts = screen_text(app)
        assert "production: matches env=prod" in facts
        assert "*prod*" not in facts
        await pilot.press("n")


async def test_read_only_and_oversized_events_send_nothing(sandbox: Any) -> None:
    for overrides, expected in (
        ({"read_only": True}, "Read-only mode"),
        ({"payload_limit_sync": 64}, "accepts at most 64 bytes"),
    ):
        app = app_for(sandbox, **overrides)
        async with app.run_test(size=(140, 40)) as pilot:
            screen = await open_invoke(app, pilot, "dev-sandbox-hello")
            screen.editor.text = json.dumps({"padding": "x" * 100})
            sandbox.reset_calls()
            await pilot.press("ctrl+j")
            await pilot.pause()
            shown = head(screen) + " ".join(str(n.message) for n in app._notifications)
            assert expected in shown
            assert sandbox.calls["lambda:Invoke"] == 0


async def test_async_and_history_rerun(sandbox: Any) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_invoke(app, pilot, "dev-sandbox-hello")
        await pilot.press("ctrl+n")  # sync -> async
        assert "async" in str(screen.query_one("#options").render())
        await send(app, pilot, screen)
        assert "202" in head(screen) and "Accepted" in head(screen)
        await pilot.press("ctrl+n", "ctrl+n")  # -> dry run -> sync
        await send(app, pilot, screen)
        assert len(app.invocations) == 2
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert len(app.screen.query_one("#history").rows) == 2
        sandbox.reset_calls()
        await pilot.press("enter")  # newest first: re-runs the sync call
        await wait_until(pilot, lambda: len(app.invocations) == 3, frames=2000)
        assert sandbox.calls["lambda:Invoke"] == 1
        assert app.invocations[-1].kind.value == "RequestResponse"


async def test_local_events_save_and_load(sandbox: Any, tmp_path: Path, open_umask: None) -> None:
    app = app_for(sandbox, events_dir=str(tmp_path / "events"))
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_invoke(app, pilot, "dev-sandbox-hello")
        screen.editor.text = '{"name": "saved"}'
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveEvent))
        app.screen.query_one("#name").value = "greeting"
        await pilot.press("enter")
        saved = tmp_path / "events/dev-sandbox-hello/greeting.json"
        await wait_until(pilot, saved.exists)
        assert json.loads(saved.read_text()) == {"name": "saved"}
        assert mode(saved) == 0o600
        assert mode(saved.parent) == mode(saved.parent.parent) == 0o700
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveEvent))
        app.screen.query_one("#name").value = "greeting"
        await pilot.press("tab", "space", "enter")  # tick "shareable", then save
        schemas = client(sandbox, "schemas")
        name = schema_name("dev-sandbox-hello")
        await wait_until(
            pilot,
            lambda: any(
                s["SchemaName"] == name
                for s in schemas.list_schemas(RegistryName=REGISTRY)["Schemas"]
            ),
            frames=2000,
        )
        screen.editor.text = "{}"
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, SavedPicker))
        app.screen.dismiss(("load", "local", "greeting"))
        await wait_until(pilot, lambda: "saved" in screen.editor.text)


async def test_shareable_events_round_trip_through_the_registry(sandbox: Any) -> None:
    session = AwsSession(Target(None, sandbox.region, sandbox.endpoint_url, "testing", "testing"))
    try:
        seeded = await shared_events(session, "orders-worker")
        assert set(seeded.events) == {"valid-order", "zero-quantity"}
        await save_shared_event(session, "checkout-api", "hi", {"name": "team"})
        schemas = client(sandbox, "schemas")
        content = schemas.describe_schema(
            RegistryName=REGISTRY, SchemaName=schema_name("checkout-api")
        )["Content"]
        assert json.loads(content)["components"]["examples"]["hi"]["value"] == {"name": "team"}
        assert (await shared_events(session, "checkout-api")).events == {"hi": {"name": "team"}}
        await delete_shared_event(session, "checkout-api", "hi")
        assert (await shared_events(session, "checkout-api")).events == {}
        sandbox.deny("schemas:DescribeSchema")
        with pytest.raises(AccessDenied):
            await shared_events(session, "orders-worker")
    finally:
        sandbox.allow()
        await session.close()


async def test_denied_registry_keeps_local_events_working(sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "dev-sandbox-hello").mkdir()
    (tmp_path / "dev-sandbox-hello/mine.json").write_text('{"a": 1}')
    app = app_for(sandbox, events_dir=str(tmp_path))
    sandbox.deny("schemas:DescribeSchema")
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await open_invoke(app, pilot, "dev-sandbox-hello")
            await pilot.press("ctrl+o")
            await wait_until(pilot, lambda: isinstance(app.screen, SavedPicker))
            text = screen_text(app)
            assert "no permission: schemas:DescribeSchema" in text
            assert "mine" in str(app.screen.query_one("OptionList").get_option("local:mine").prompt)
    finally:
        sandbox.allow()


async def test_a_dlq_message_opens_with_its_original_event(sandbox: Any) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        event = json.dumps({"id": "evt_9"})
        screen = await open_invoke(
            app, pilot, "payments-webhook", event=event, source="DLQ message 1234abcd"
        )
        assert json.loads(screen.editor.text) == {"id": "evt_9"}
        assert "DLQ message 1234abcd" in str(screen.query_one("#options").render())
