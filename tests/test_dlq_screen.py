"""The DLQ pane: peeks consume nothing, redrive moves the marked, read-only sends nothing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from lambdatui.aws.functions import find_function
from lambdatui.screens.dlq import DlqScreen
from lambdatui.screens.invoke import InvokeScreen
from lambdatui.screens.logs import LogsScreen

from .helpers import (
    app_for,
    client,
    dlq_depth,
    fill_dlq,
    mode,
    peek_queue,
    settled,
    wait_until,
)

FUNCTION = "payments-webhook"
DLQ = "payments-webhook-dlq"
MUTATING = (
    "lambda:Invoke",
    "sqs:DeleteMessage",
    "sqs:DeleteMessageBatch",
    "sqs:PurgeQueue",
    "sqs:SendMessage",
    "sqs:SendMessageBatch",
    "sqs:StartMessageMoveTask",
)


async def open_dlq(app: Any, pilot: Any) -> DlqScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.open_dlq(next(f for f in app.fleet.functions if f.name == FUNCTION))
    await wait_until(pilot, lambda: isinstance(app.screen, DlqScreen))
    screen = app.screen
    await wait_until(
        pilot,
        lambda: bool(screen.query("#messages")) and len(screen.messages.rows) > 0,
        frames=2000,
    )
    await app.workers.wait_for_complete()
    return screen


async def test_peek_shows_messages_and_consumes_nothing(sandbox: Any) -> None:
    rids = fill_dlq(sandbox, 12)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        kinds = {r.target.kind for r in screen.targets.rows}
        assert {"dead-letter queue", "on-failure destination"} <= kinds
        assert sorted(m.request_id for m in screen.messages.rows) == sorted(rids)
        status = str(screen.query_one("#dlqstatus").render())
        assert "seen 12 of about 12" in status
        text = screen.query_one("#message-facts").text
        assert "KeyError: 'payment_intent'" in text
    assert dlq_depth(sandbox) == 12


async def test_redrive_moves_exactly_the_marked_messages(sandbox: Any) -> None:
    fill_dlq(sandbox, 8)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        screen.messages.focus()
        before = {m.message_id for m in screen.messages.rows}
        assert len(before) == 8
        await pilot.press("space", "space")
        marked = {m.message_id for m in screen.messages.marked_rows()}
        assert len(marked) == 2
        sandbox.reset_calls()
        await pilot.press("R")
        await pilot.pause()
        assert "Redrive 2 marked" in str(app.screen.query("Static").first().render())
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sandbox.calls["lambda:Invoke"] == 2
        remaining = {m.message_id for m in screen.messages.rows}
        assert remaining == before - marked
    # The redriven events fail again (version 2 still has the bug) and come back as new
    # messages after their retries; the six left alone stay, the two marked are gone.
    assert sandbox.invoker.wait_async(timeout=60)
    in_queue = {m["MessageId"] for m in peek_queue(sandbox, "payments-webhook-dlq")}
    assert before - marked <= in_queue and not (in_queue & marked)


async def test_read_only_blocks_every_mutation_before_any_call(sandbox: Any) -> None:
    fill_dlq(sandbox, 3)
    app = app_for(sandbox, read_only=True)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        screen.messages.focus()
        sandbox.reset_calls()
        await pilot.press("space", "R", "D", "P", "y", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DlqScreen)
        assert all(sandbox.calls[action] == 0 for action in MUTATING)
        assert any("Read-only" in str(n.message) for n in app._notifications)
    assert dlq_depth(sandbox) == 3


async def test_a_message_leads_to_its_invocation_logs(sandbox: Any) -> None:
    rids = fill_dlq(sandbox, 2)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        screen.messages.focus()
        rid = screen.messages.current.request_id  # type: ignore[union-attr]
        assert rid in rids
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        assert app.screen.request_id == rid


async def test_a_message_opens_the_invoke_pane_with_its_original_event(sandbox: Any) -> None:
    fill_dlq(sandbox, 1)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        screen.messages.focus()
        body = screen.messages.current.body  # type: ignore[union-attr]
        await pilot.press("i")
        await wait_until(
            pilot, lambda: isinstance(app.screen, InvokeScreen) and bool(app.screen.query("#event"))
        )
        assert json.loads(app.screen.editor.text) == json.loads(body)
        assert "DLQ message" in str(app.screen.query_one("#options").render())


async def test_send_marked_messages_to_a_named_queue(sandbox: Any) -> None:
    fill_dlq(sandbox, 5)
    target = f"replay-{uuid.uuid4().hex[:8]}"
    sqs = client(sandbox, "sqs")
    url = sqs.create_queue(QueueName=target)["QueueUrl"]
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        screen.messages.focus()
        await pilot.press("space", "space", "space", "T")
        await pilot.pause()
        await pilot.press(*target, "enter")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert len(got) == 3
    assert dlq_depth(sandbox) == 2


async def test_overview_lists_every_failure_target_deepest_first(sandbox: Any) -> None:
    fill_dlq(sandbox, 4)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("Q")
        from lambdatui.screens.dlqs import DlqOverviewScreen

        await wait_until(pilot, lambda: isinstance(app.screen, DlqOverviewScreen))
        screen = app.screen
        await wait_until(
            pilot, lambda: bool(screen.query("#queues")) and len(screen.table.rows) > 0, frames=4000
        )
        rows = {r.name: r for r in screen.table.view}
        assert {
            "payments-webhook-dlq",
            "payments-webhook-failures",
            "orders-dlq",
            "image-resizer-dlq",
            "payments-alerts",
        } <= set(rows)
        assert rows["payments-alerts"].is_topic
        assert screen.table.view[0].name == "payments-webhook-dlq"
        assert rows["notifications-dlq"].functions == (
            "notifications-email-sender",
            "notifications-sms-sender",
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DlqScreen))
        assert app.screen.function.name == "payments-webhook"
        # Its first peek runs to the end (a peek cut off by quitting leaves what it
        # held hidden until the visibility timeout, and the next test refills the queue).
        await settled(pilot)


async def test_enter_while_the_first_peek_runs_still_shows_every_message(sandbox: Any) -> None:
    """A second peek of the same queue waits for the first one's messages to be
    released (made visible again) instead of finding the queue empty."""
    fill_dlq(sandbox, 7)
    app = app_for(sandbox, fleet_autoload=False)
    async with app.run_test(size=(140, 44)) as pilot:
        fn = await find_function(app.aws, FUNCTION)
        app.open_dlq(fn)
        await wait_until(pilot, lambda: isinstance(app.screen, DlqScreen))
        screen = app.screen
        assert isinstance(screen, DlqScreen)
        # The pane's own first peek has begun (its status says so): enter on the queue now.
        await wait_until(pilot, lambda: "Peeking at" in _status(screen), frames=2000)
        screen.targets.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "seen" in _status(screen), frames=2000)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(screen.messages.rows) == 7
        assert "seen 7 of about 7" in _status(screen)
    assert dlq_depth(sandbox) == 7


def _status(screen: DlqScreen) -> str:
    found = screen.query("#dlqstatus")
    return str(found.first().render()) if found else ""


async def test_export_writes_the_messages_for_the_user_alone(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    rids = fill_dlq(sandbox, 3)
    tmp_path.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        shown = sorted(m.request_id for m in screen.messages.rows)
        screen.messages.focus()
        await pilot.press("e")
        await wait_until(pilot, lambda: any(tmp_path.glob("lambdatui-dlq-*.jsonl")))
    (exported,) = tmp_path.glob("lambdatui-dlq-*.jsonl")
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    assert sorted(row["messageAttributes"]["RequestID"] for row in rows) == shown
    assert set(rids) <= set(shown)
    assert (mode(exported), mode(tmp_path)) == (0o600, 0o755)


# ----- counts and progress come from the queue -------------------------------------


async def test_after_a_redrive_the_counts_are_read_from_the_queue(sandbox: Any) -> None:
    """Two marked of sixty: the answer says how many are still there, not how many failed."""
    fill_dlq(sandbox, 60)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        screen.messages.focus()
        await pilot.press("space", "space", "R")
        await wait_until(pilot, lambda: not isinstance(app.screen, DlqScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: "Redrive: 2 moved · " in _status(screen), frames=2000)
        await wait_until(pilot, lambda: "seen" in _status(screen), frames=2000)
        left = dlq_depth(sandbox)
        assert left == 58
        notes = " ".join(str(n.message) for n in app._notifications)
        assert f"Redrive: 2 moved; about {left} messages in {DLQ}" in notes
        assert f"seen 50 of about {left} messages" in _status(screen)
        (row,) = [r for r in screen.targets.rows if r.target.name == DLQ]
        assert row.visible == left


ORDERS_DLQ = "orders-dlq"


async def _open_orders_dlq(app: Any, pilot: Any, sandbox: Any) -> DlqScreen:
    await app.workers.wait_for_complete()
    fn = await find_function(app.aws, "orders-worker")
    arn = f"arn:aws:sqs:{sandbox.region}:123456789012:{ORDERS_DLQ}"
    app.open_dlq(fn, target_arn=arn)
    await wait_until(pilot, lambda: isinstance(app.screen, DlqScreen))
    screen = app.screen
    assert isinstance(screen, DlqScreen)
    return screen


def _orders_row(screen: DlqScreen) -> Any:
    return next((r for r in screen.targets.rows if r.target.name == ORDERS_DLQ), None)


async def test_a_move_task_shows_its_progress_and_the_queue_its_new_depth(sandbox: Any) -> None:
    # A slow task (one message a second), started elsewhere: the pane finds it running,
    # shows its progress instead of peeking, and c cancels it.
    fill_dlq(sandbox, 30, queue=ORDERS_DLQ)
    sqs = client(sandbox, "sqs")
    source = sqs.get_queue_attributes(
        QueueUrl=sqs.get_queue_url(QueueName=ORDERS_DLQ)["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    sqs.start_message_move_task(SourceArn=source, MaxNumberOfMessagesPerSecond=1)
    app = app_for(sandbox, fleet_autoload=False)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await _open_orders_dlq(app, pilot, sandbox)
        await wait_until(pilot, lambda: "Move task running: " in _status(screen), frames=2000)
        assert " of 30 moved" in _status(screen) and "(c cancels)" in _status(screen)
        assert "seen" not in _status(screen)
        screen.targets.focus()
        await pilot.press("c")
        await wait_until(pilot, lambda: "Move task cancelled" in _status(screen), frames=2000)
        await wait_until(pilot, lambda: "seen" in _status(screen), frames=2000)
        await settled(pilot)
        left = dlq_depth(sandbox, ORDERS_DLQ)
        assert 0 < left < 30
        assert _orders_row(screen).visible == left
        assert f"of about {left} messages" in _status(screen)

        # One started here moves the rest; the targets row follows the queue to zero.
        await pilot.press("R")
        await wait_until(pilot, lambda: not isinstance(app.screen, DlqScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: "Move task completed" in _status(screen), frames=4000)
        await settled(pilot)
        assert f"Move task completed: {left} of {left} moved" in _status(screen)
        assert "seen 0 of about 0 messages" in _status(screen)
        assert _orders_row(screen).visible == 0
    assert dlq_depth(sandbox, ORDERS_DLQ) == 0


# ----- read-only and peeking -------------------------------------------------------


async def test_read_only_says_once_that_a_peek_receives(sandbox: Any) -> None:
    fill_dlq(sandbox, 3)
    app = app_for(sandbox, read_only=True)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_dlq(app, pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: "seen 3 of about 3" in _status(screen), frames=2000)
        await settled(pilot)
        told = [n for n in app._notifications if "a peek receives messages" in str(n.message)]
        assert len(told) == 1
        assert "receive count rises" in str(told[0].message)


ROLE = "arn:aws:iam::123456789012:role/service-role/lambda-basic-execution"


@pytest.fixture
def guarded_dlq(sandbox: Any) -> Any:
    """A function whose DLQ has its own redrive policy (to a further queue, after 3 receives)."""
    sqs = client(sandbox, "sqs")
    lam = client(sandbox, "lambda")
    tag = uuid.uuid4().hex[:6]
    final = sqs.create_queue(QueueName=f"last-stop-{tag}")["QueueUrl"]
    final_arn = sqs.get_queue_attributes(QueueUrl=final, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": final_arn, "maxReceiveCount": 3})
    url = sqs.create_queue(QueueName=f"guarded-dlq-{tag}", Attributes={"RedrivePolicy": policy})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    for i in range(2):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"id": i}))
    name = f"guarded-{tag}"
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        DeadLetterConfig={"TargetArn": arn},
    )
    yield name, f"last-stop-{tag}", url
    lam.delete_function(FunctionName=name)


async def test_read_only_refuses_to_peek_a_queue_with_its_own_redrive_policy(
    sandbox: Any, guarded_dlq: Any
) -> None:
    name, final, url = guarded_dlq
    app = app_for(sandbox, read_only=True, fleet_autoload=False)
    async with app.run_test(size=(140, 44)) as pilot:
        await app.workers.wait_for_complete()
        fn = await find_function(app.aws, name)
        sandbox.reset_calls()
        app.open_dlq(fn)
        await wait_until(pilot, lambda: isinstance(app.screen, DlqScreen))
        screen = app.screen
        assert isinstance(screen, DlqScreen)
        await wait_until(pilot, lambda: "not peeked" in _status(screen), frames=2000)
        await settled(pilot)
        status = _status(screen)
        assert f"its redrive policy moves a message to {final} after 3 receives" in status
        assert "about 2 messages" in status and "not peeked (read-only)" in status
        assert any("a peek is a receive" in str(n.message) for n in app._notifications)
        assert sandbox.calls["sqs:ReceiveMessage"] == 0
        assert screen.messages.rows == []
    attrs = client(sandbox, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "2"


async def test_the_overview_reads_depths_again_when_you_come_back(sandbox: Any) -> None:
    fill_dlq(sandbox, 5)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 44)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("Q")
        from lambdatui.screens.dlqs import DlqOverviewScreen

        await wait_until(pilot, lambda: isinstance(app.screen, DlqOverviewScreen))
        overview = app.screen

        def depth_shown() -> int | None:
            row = next((r for r in overview.table.rows if r.name == DLQ), None)
            return row.visible if row else None

        await wait_until(pilot, lambda: depth_shown() == 5, frames=4000)
        app.open_dlq(next(f for f in app.fleet.functions if f.name == FUNCTION))
        await wait_until(pilot, lambda: isinstance(app.screen, DlqScreen))
        screen = app.screen
        await wait_until(
            pilot,
            lambda: bool(screen.query("#messages")) and len(screen.messages.rows) == 5,
            frames=2000,
        )
        await settled(pilot)
        screen.messages.focus()
        await pilot.press("space", "space", "D")
        await wait_until(pilot, lambda: not isinstance(app.screen, DlqScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: "Deleted 2 messages · " in _status(screen), frames=2000)
        await settled(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is overview)
        await wait_until(pilot, lambda: depth_shown() == 3, frames=2000)
        await settled(pilot)
    assert dlq_depth(sandbox) == 3
