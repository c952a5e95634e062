"""Acting during an incident: throttle, restore, set reserved concurrency, pause and
resume an event source, roll an alias back, the journal and its undo. The real app
(Pilot) against the sandbox; what is asserted is what a user would see and what
AWS holds afterwards."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from lambdatui.app import LambdaTui
from lambdatui.screens.confirm import Confirm
from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.journal import JournalScreen
from lambdatui.screens.pickers import Picker
from lambdatui.screens.prompt import Prompt
from lambdatui_sandbox import Sandbox

from .helpers import (
    app_for,
    client,
    eventually,
    fill_dlq,
    listed,
    mode,
    screen_text,
    settled,
    wait_until,
)

ACCOUNT = "123456789012"
# Not production by the default patterns (env=prod, *prod*): confirmed with `y`.
PLAIN = "catalog-price-updater"
SIZE = (160, 44)


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.jsonl"


def make_app(box: Sandbox, journal: Path, **overrides: Any) -> LambdaTui:
    return app_for(box, journal_path=str(journal), **overrides)


def entries(journal: Path) -> list[dict[str, Any]]:
    if not journal.exists():
        return []
    return [json.loads(line) for line in journal.read_text().splitlines()]


def reserved(box: Sandbox, name: str) -> int | None:
    got = client(box, "lambda").get_function_concurrency(FunctionName=name)
    value = got.get("ReservedConcurrentExecutions")
    return None if value is None else int(value)


def notes(app: LambdaTui) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def confirm_text(app: LambdaTui) -> str:
    screen = app.screen
    assert isinstance(screen, Confirm), type(screen)
    return "\n".join([screen.title_text, *(f"{k} {v}" for k, v in screen.facts)])


async def on_list(app: LambdaTui, pilot: Any, name: str) -> FunctionsScreen:
    screen = await listed(pilot)
    assert isinstance(screen, FunctionsScreen)
    fn = app.fleet.named(name)
    assert fn is not None
    assert screen.select_function(fn.arn)
    return screen


async def asked(app: LambdaTui, pilot: Any, kind: type = Confirm) -> Any:
    await wait_until(pilot, lambda: isinstance(app.screen, kind))
    return app.screen


async def done(app: LambdaTui, pilot: Any) -> None:
    """The action's worker (and the reads after it) finished."""
    await wait_until(
        pilot, lambda: not any(w.is_running for w in app.workers if w.group == "acting")
    )
    assert not isinstance(app.screen, Confirm | Picker | Prompt), "still asking"
    await settled(pilot)


def conc_cell(screen: FunctionsScreen, fn: Any) -> str:
    """What the list's Conc column shows for `fn`."""
    column = next(c for c in screen.table.columns if c.key == "concurrency")
    return str(column.render(fn))


def mutations(box: Sandbox) -> dict[str, int]:
    verbs = ("Put", "Delete", "Update", "Invoke", "Send", "Purge", "Start")
    return {k: v for k, v in box.calls.items() if k.partition(":")[2].startswith(verbs) and v}


# ----- reserved concurrency -------------------------------------------------------------


async def test_throttle_then_restore_a_function_from_the_list(
    sandbox: Sandbox, journal: Path
) -> None:
    assert reserved(sandbox, PLAIN) is None
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_list(app, pilot, PLAIN)
        await pilot.press("t")
        await asked(app, pilot)
        text = confirm_text(app)
        assert f"Throttle {PLAIN}?" in text
        assert f"Account {ACCOUNT}" in text
        assert "Region us-east-1" in text
        assert f"{PLAIN}: reserved unreserved -> 0" in text
        assert app.screen.typed is None  # not production: `y` is enough
        await pilot.press("y")
        await done(app, pilot)
        assert reserved(sandbox, PLAIN) == 0
        # The row says so: the fleet read the function again.
        fn = app.fleet.named(PLAIN)
        assert fn is not None
        assert app.fleet.reservation(fn) == (True, 0)
        assert "thr 0" in conc_cell(screen, fn)

        await pilot.press("u")
        await asked(app, pilot)
        assert "reserved 0 -> unreserved" in confirm_text(app)
        await pilot.press("y")
        await done(app, pilot)
        assert reserved(sandbox, PLAIN) is None
        assert app.fleet.reservation(fn) == (True, None)
    rows = entries(journal)
    assert [(r["action"], r["before"], r["after"], r["outcome"]) for r in rows] == [
        ("throttle", "unreserved", "0", "done"),
        ("restore concurrency", "0", "unreserved", "done"),
    ]
    first = rows[0]
    assert (first["account"], first["region"], first["profile"]) == (
        ACCOUNT,
        "us-east-1",
        "default",
    )
    assert first["target"] == PLAIN and first["time"].startswith("2026-11-27T12:00:00")


async def test_production_functions_ask_for_the_name_and_restore_the_exact_reservation(
    sandbox: Sandbox, journal: Path
) -> None:
    # orders-api reserves 200 in the demo world and is tagged env=prod.
    assert reserved(sandbox, "orders-api") == 200
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await on_list(app, pilot, "orders-api")
        await pilot.press("t")
        confirm = await asked(app, pilot)
        assert confirm.typed == "orders-api"
        assert "orders-api: reserved 200 -> 0" in confirm_text(app)
        assert "production" in confirm_text(app)
        await pilot.press("enter")  # not enough: the name must be typed
        await pilot.pause()
        assert app.screen is confirm
        assert "Type orders-api exactly" in notes(app)
        await pilot.press(*"orders-api", "enter")
        await done(app, pilot)
        assert reserved(sandbox, "orders-api") == 0
        await pilot.press("u")
        confirm = await asked(app, pilot)
        assert "reserved 0 -> 200" in confirm_text(app)
        await pilot.press(*"orders-api", "enter")
        await done(app, pilot)
    assert reserved(sandbox, "orders-api") == 200


async def test_set_reserved_concurrency_checks_the_pool_before_any_call(
    sandbox: Sandbox, journal: Path
) -> None:
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await on_list(app, pilot, PLAIN)
        sandbox.reset_calls()
        await pilot.press("c")
        await asked(app, pilot, Prompt)
        await pilot.press(*"900000", "enter")
        await done(app, pilot)
        assert "would leave the account fewer than 100 unreserved" in notes(app)
        assert "nothing was changed" in notes(app)
        assert sandbox.calls["lambda:GetAccountSettings"] >= 1
        assert not mutations(sandbox)
        await pilot.press("c")
        await asked(app, pilot, Prompt)
        await pilot.press(*"many", "enter")
        await done(app, pilot)
        assert "Not a number" in notes(app)
        assert not mutations(sandbox)
        await pilot.press("c")
        await asked(app, pilot, Prompt)
        await pilot.press(*"25", "enter")
        await asked(app, pilot)
        assert "reserved unreserved -> 25" in confirm_text(app)
        await pilot.press("y")
        await done(app, pilot)
        assert reserved(sandbox, PLAIN) == 25
        # Undone from the journal: exactly unreserved again.
        await pilot.press("J")
        journal_screen = await asked(app, pilot, JournalScreen)
        assert journal_screen.table.current is not None
        assert journal_screen.table.current.action == "set reserved concurrency"
        await pilot.press("u")
        await asked(app, pilot)
        assert "reserved 25 -> unreserved" in confirm_text(app)
        await pilot.press("y")
        await done(app, pilot)
        assert reserved(sandbox, PLAIN) is None
        newest = journal_screen.table.view[0]
        assert (newest.action, newest.before, newest.after) == (
            "undo set reserved concurrency",
            "25",
            "unreserved",
        )


# ----- event sources --------------------------------------------------------------------


async def on_detail(app: LambdaTui, pilot: Any, name: str) -> DetailScreen:
    await listed(pilot)
    fn = app.fleet.named(name)
    assert fn is not None
    app.open_function(fn)
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    await wait_until(pilot, lambda: screen.detail is not None and screen.detail.mappings.ok)
    return screen


def mapping_state(box: Sandbox, uuid: str) -> str:
    return str(client(box, "lambda").get_event_source_mapping(UUID=uuid)["State"])


@pytest.fixture(scope="module")
def two_sources(sandbox: Sandbox) -> list[str]:
    """Two queues feeding the plain function: pausing one asks which."""
    sqs = client(sandbox, "sqs")
    lam = client(sandbox, "lambda")
    uuids = []
    for name in ("acting-prices-a", "acting-prices-b"):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        made = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=PLAIN)
        uuids.append(str(made["UUID"]))
    for uuid in uuids:
        eventually(lambda uuid=uuid: mapping_state(sandbox, uuid) == "Enabled")
    return uuids


async def test_pausing_an_event_source_shows_its_state_as_aws_reports_it(
    sandbox: Sandbox, journal: Path, two_sources: list[str]
) -> None:
    first, second = two_sources
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        detail = await on_detail(app, pilot, PLAIN)
        await pilot.press("x")
        picker = await asked(app, pilot, Picker)
        assert [key for key, _ in picker.choices] == [first, second]
        await pilot.press("down", "enter")
        await asked(app, pilot)
        text = confirm_text(app)
        assert f"Mapping {second}" in text
        assert "acting-prices-b" in text
        assert "Change Enabled -> Disabled" in text
        await pilot.press("y")
        # The detail follows the mapping through AWS's transition to rest.
        await wait_until(pilot, lambda: "Disabling" in detail.text)
        await done(app, pilot)
        assert mapping_state(sandbox, second) == "Disabled"
        assert mapping_state(sandbox, first) == "Enabled"
        states = [m.state for m in detail.detail.mappings.value or () if m.uuid == second]
        assert states == ["Disabled"]
        assert "Disabled" in detail.text
        # Resuming: only the paused one is a candidate, so no picker.
        await pilot.press("n")
        await asked(app, pilot)
        assert "Change Disabled -> Enabled" in confirm_text(app)
        await pilot.press("y")
        await done(app, pilot)
        assert mapping_state(sandbox, second) == "Enabled"
    rows = entries(journal)
    assert [(r["action"], r["before"], r["after"]) for r in rows] == [
        ("disable event source", "Enabled", "Disabled"),
        ("enable event source", "Disabled", "Enabled"),
    ]
    assert rows[0]["undo"] == {
        "kind": "mapping",
        "function": PLAIN,
        "uuid": second,
        "enabled": True,
    }


async def test_undo_re_enables_a_paused_mapping(
    sandbox: Sandbox, journal: Path, two_sources: list[str]
) -> None:
    first = two_sources[0]
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await on_list(app, pilot, PLAIN)
        await pilot.press("x")
        await asked(app, pilot, Picker)
        await pilot.press("enter")
        await asked(app, pilot)
        await pilot.press("y")
        await done(app, pilot)
        assert mapping_state(sandbox, first) == "Disabled"
        await pilot.press("J")
        await asked(app, pilot, JournalScreen)
        await pilot.press("u")
        await asked(app, pilot)
        assert "Change Disabled -> Enabled" in confirm_text(app)
        assert "Undoes disable event source" in confirm_text(app)
        await pilot.press("y")
        await done(app, pilot)
        assert mapping_state(sandbox, first) == "Enabled"
    assert [r["action"] for r in entries(journal)] == [
        "disable event source",
        "undo disable event source",
    ]


# ----- aliases ----------------------------------------------------------------------------


def alias_of(box: Sandbox, function: str, name: str) -> tuple[str, dict[str, float]]:
    got = client(box, "lambda").get_alias(FunctionName=function, Name=name)
    weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return str(got["FunctionVersion"]), {str(k): float(v) for k, v in weights.items()}


async def test_roll_back_an_alias_to_the_previous_version_and_undo_it(
    sandbox: Sandbox, journal: Path
) -> None:
    assert alias_of(sandbox, "orders-api", "live") == ("3", {})
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        detail = await on_detail(app, pilot, "orders-api")
        await pilot.press("B")
        aliases = await asked(app, pilot, Picker)
        assert [key for key, _ in aliases.choices] == ["live", "previous"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is not aliases)
        versions = await asked(app, pilot, Picker)
        # Newest first, each with its date, description and code hash; the current one
        # marked, the previous one under the cursor.
        assert [key for key, _ in versions.choices] == ["3", "2", "1"]
        assert versions.current == "3"
        assert versions.highlighted_id == "2"
        labels = [str(label) for _, label in versions.choices]
        assert "(current)" in labels[0]
        assert all(len(label.split()) >= 4 for label in labels)
        sha = client(sandbox, "lambda").get_function_configuration(
            FunctionName="orders-api", Qualifier="2"
        )["CodeSha256"]
        assert sha[:12] in labels[1]
        await pilot.press("enter")
        confirm = await asked(app, pilot)
        assert "Alias live" in confirm_text(app)
        assert "Change version 3 -> version 2" in confirm_text(app)
        assert confirm.typed == "orders-api"
        await pilot.press(*"orders-api", "enter")
        await done(app, pilot)
        assert alias_of(sandbox, "orders-api", "live") == ("2", {})
        await wait_until(pilot, lambda: "alias live" in detail.text)
        assert "→ version 2" in detail.text
        # Undo from the journal points it back.
        await pilot.press("J")
        await asked(app, pilot, JournalScreen)
        await pilot.press("u")
        await asked(app, pilot)
        assert "Change version 2 -> version 3" in confirm_text(app)
        await pilot.press(*"orders-api", "enter")
        await done(app, pilot)
    assert alias_of(sandbox, "orders-api", "live") == ("3", {})
    assert [(r["action"], r["before"], r["after"]) for r in entries(journal)] == [
        ("roll back alias", "version 3", "version 2"),
        ("undo roll back alias", "version 2", "version 3"),
    ]


async def test_a_weighted_alias_can_have_its_weights_set_back_to_zero(
    sandbox: Sandbox, journal: Path
) -> None:
    assert alias_of(sandbox, "checkout-api", "live") == ("1", {"2": 0.1})
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await on_list(app, pilot, "checkout-api")
        await pilot.press("B")
        versions = await asked(app, pilot, Picker)
        assert versions.highlighted_id == "1"  # no older version than the current
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is not versions)
        weights = await asked(app, pilot, Picker)
        assert "10% to 2" in weights.title_text
        assert weights.highlighted_id == "clear"
        await pilot.press("enter")
        await asked(app, pilot)
        assert "Change version 1 (+10% to 2) -> version 1" in confirm_text(app)
        await pilot.press(*"checkout-api", "enter")
        await done(app, pilot)
        assert alias_of(sandbox, "checkout-api", "live") == ("1", {})
        await pilot.press("J")
        await asked(app, pilot, JournalScreen)
        await pilot.press("u")
        await asked(app, pilot)
        await pilot.press(*"checkout-api", "enter")
        await done(app, pilot)
    assert alias_of(sandbox, "checkout-api", "live") == ("1", {"2": 0.1})


# ----- the journal of every mutation ------------------------------------------------------


async def test_redrive_purge_and_invoke_are_journaled_privately_and_without_secrets(
    sandbox: Sandbox, journal: Path, tmp_path: Path, open_umask: None
) -> None:
    from lambdatui.screens.dlq import DlqScreen
    from lambdatui.screens.invoke import InvokeScreen

    fill_dlq(sandbox, 4)
    secret = "hunter2-do-not-keep"
    app = make_app(sandbox, journal, snapshot_dir=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        fn = app.fleet.named("payments-webhook")
        assert fn is not None
        app.open_dlq(fn)
        await wait_until(pilot, lambda: isinstance(app.screen, DlqScreen))
        dlq = app.screen
        assert isinstance(dlq, DlqScreen)
        await wait_until(
            pilot, lambda: bool(dlq.query("#messages")) and len(dlq.messages.rows) == 4
        )
        await settled(pilot)
        dlq.messages.focus()
        await pilot.press("space", "R")
        await asked(app, pilot)
        await pilot.press("y")
        await settled(pilot)
        await pilot.press("P")
        confirm = await asked(app, pilot)
        await pilot.press(*confirm.typed, "enter")
        await settled(pilot)
        app.pop_screen()
        plain = app.fleet.named(PLAIN)
        assert plain is not None
        app.open_invoke(plain, event=json.dumps({"password": secret}))
        await wait_until(pilot, lambda: isinstance(app.screen, InvokeScreen))
        await settled(pilot)
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: any(e["action"] == "invoke" for e in entries(journal)))
        await settled(pilot)
        app.pop_screen()
        await pilot.pause()
        await pilot.press("exclamation_mark")
        await wait_until(pilot, lambda: app.last_snapshot is not None)
        shot = app.last_snapshot
    assert shot is not None
    rows = entries(journal)
    assert [r["action"] for r in rows] == ["redrive", "purge queue", "invoke"]
    redrive, purge, invoke = rows
    assert (redrive["target"], redrive["before"]) == (
        "payments-webhook-dlq",
        "1 message to function payments-webhook",
    )
    assert redrive["after"].startswith("1 moved")
    assert (purge["target"], purge["after"], purge["outcome"]) == (
        "payments-webhook-dlq",
        "purged",
        "done",
    )
    assert invoke["target"] == f"{PLAIN}:$LATEST"
    assert invoke["before"].startswith("sync event of")
    assert invoke["after"].startswith("status 200")
    assert all(r["account"] == ACCOUNT and r["region"] == "us-east-1" for r in rows)
    # Nothing secret: no payload, no message body, no environment value.
    text = journal.read_text()
    assert secret not in text and "evt_0" not in text and "payment_intent" not in text
    env = client(sandbox, "lambda").get_function_configuration(FunctionName="payments-webhook")
    for value in (env.get("Environment") or {}).get("Variables", {}).values():
        if len(value) > 6:
            assert value not in text
    assert mode(journal) == 0o600 and mode(journal.parent) == 0o700
    # The incident snapshot carries this session's entries.
    report = shot.report.read_text()
    assert "## Actions taken this session" in report
    assert "| redrive | payments-webhook-dlq |" in report
    assert "| purge queue |" in report and f"| invoke | {PLAIN}:$LATEST |" in report
    assert secret not in report


# ----- read-only and refusals ---------------------------------------------------------------


ACTION_KEYS = {
    "Throttle function": "t",
    "Restore concurrency": "u",
    "Set reserved concurrency": "c",
    "Disable event source": "x",
    "Enable event source": "n",
    "Roll back alias": "B",
}


@pytest.mark.parametrize("where", ["list", "detail"])
async def test_read_only_refuses_every_action_before_any_call(
    sandbox: Sandbox, journal: Path, where: str
) -> None:
    app = make_app(sandbox, journal, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        if where == "list":
            await on_list(app, pilot, "orders-worker")
        else:
            await on_detail(app, pilot, "orders-worker")
        await settled(pilot)
        sandbox.reset_calls()
        for title, key in ACTION_KEYS.items():
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, Confirm | Picker | Prompt), title
        # The palette's entries, by their exact names, do the same.
        palette = {title: go for title, _, go in app.palette_actions()}
        for title in ACTION_KEYS:
            result = palette[title]()
            if inspect.isawaitable(result):
                await result
            await pilot.pause()
        assert not any(w.group == "acting" for w in app.workers)
        said = notes(app)
        calls = dict(sandbox.calls)
    for word in ("throttling", "restoring", "setting", "disabling", "enabling", "rolling back"):
        assert f"Read-only: {word}" in said
    assert "nothing was sent" in said
    assert not [k for k, v in calls.items() if v and k.startswith("lambda:")], calls
    assert entries(journal) == []


def test_the_palette_names_every_action() -> None:
    from lambdatui.screens.help import _bindings

    for screen in (FunctionsScreen, DetailScreen):
        names = {b.description for b in _bindings(screen)}
        assert set(ACTION_KEYS) <= names, screen
    assert "Action journal" in {b.description for b in _bindings(LambdaTui)}


DENIED = {
    "t": "lambda:PutFunctionConcurrency",
    "c": "lambda:PutFunctionConcurrency",
    "x": "lambda:UpdateEventSourceMapping",
    "B": "lambda:UpdateAlias",
}


@pytest.mark.parametrize("key", list(DENIED))
async def test_access_denied_leaves_a_sentence_and_nothing_changed(
    sandbox: Sandbox, journal: Path, key: str
) -> None:
    action = DENIED[key]
    function = "orders-worker"
    lam = client(sandbox, "lambda")
    before_reserved = reserved(sandbox, function)
    mapping = lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"][0]
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await on_list(app, pilot, "orders-api" if key == "B" else function)
        sandbox.deny(action)
        try:
            await pilot.press(key)
            if key == "c":
                await asked(app, pilot, Prompt)
                await pilot.press(*"10", "enter")
            if key == "B":
                await asked(app, pilot, Picker)  # the alias
                await pilot.press("enter")
                await wait_until(pilot, lambda: not app.screen.title_text.startswith("Roll back"))
                await asked(app, pilot, Picker)  # the version
                await pilot.press("enter")
            confirm = await asked(app, pilot)
            await pilot.press(*(confirm.typed or "y"), *(["enter"] if confirm.typed else []))
            await done(app, pilot)
        finally:
            sandbox.allow(action)
        said = notes(app)
    assert f"no permission: {action}" in said
    assert "Traceback" not in said
    assert reserved(sandbox, function) == before_reserved
    assert mapping_state(sandbox, mapping["UUID"]) == "Enabled"
    assert alias_of(sandbox, "orders-api", "live") == ("3", {})
    (entry,) = entries(journal)
    assert entry["outcome"] == "failed"
    assert entry["error"] == f"no permission: {action}"
    assert entry["undo"] is None


async def test_a_read_that_fails_stops_the_action_before_any_change(
    sandbox: Sandbox, journal: Path
) -> None:
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await on_list(app, pilot, PLAIN)
        sandbox.deny("lambda:GetFunctionConcurrency")
        try:
            sandbox.reset_calls()
            await pilot.press("t")
            await done(app, pilot)
            calls = dict(sandbox.calls)
        finally:
            sandbox.allow("lambda:GetFunctionConcurrency")
        said = notes(app)
    assert (
        f"Reserved concurrency of {PLAIN} not read: no permission: "
        "lambda:GetFunctionConcurrency; nothing was changed"
    ) in said
    assert calls.get("lambda:PutFunctionConcurrency", 0) == 0
    assert entries(journal) == []


async def test_restore_without_a_throttle_in_the_journal_says_so(
    sandbox: Sandbox, journal: Path
) -> None:
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await on_list(app, pilot, PLAIN)
        sandbox.reset_calls()
        await pilot.press("u")
        await done(app, pilot)
        assert f"The journal has no throttle of {PLAIN}" in notes(app)
        assert not mutations(sandbox)


def test_journal_skips_damaged_lines_and_reads_newest_first(tmp_path: Path) -> None:
    from lambdatui.journal import Entry, Journal

    path = tmp_path / "deep" / "journal.jsonl"
    journal = Journal(path, session="one")
    for action in ("a", "b"):
        journal.append(
            Entry("2026-11-27T12:00:00+00:00", "p", "1", "r", action, "t", "x", "y", "done")
        )
    with path.open("a") as out:
        out.write("{not json\n")
        out.write(json.dumps({"action": 3}) + "\n")
    other = Journal(path, session="two")
    other.append(Entry("2026-11-27T12:00:01+00:00", "p", "1", "r", "c", "t", "x", "y", "done"))
    assert [e.action for e in other.entries()] == ["c", "b", "a"]
    assert [e.action for e in journal.this_session()] == ["b", "a"]
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


async def test_denied_restore_enable_and_undo_leave_the_state_as_it_was(
    sandbox: Sandbox, journal: Path, two_sources: list[str]
) -> None:
    first = two_sources[0]
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await on_list(app, pilot, PLAIN)
        await pilot.press("t")
        await asked(app, pilot)
        await pilot.press("y")
        await done(app, pilot)
        await pilot.press("x")
        await asked(app, pilot, Picker)
        await pilot.press("enter")
        await asked(app, pilot)
        await pilot.press("y")
        await done(app, pilot)
        assert (reserved(sandbox, PLAIN), mapping_state(sandbox, first)) == (0, "Disabled")
        denied = ("lambda:DeleteFunctionConcurrency", "lambda:UpdateEventSourceMapping")
        sandbox.deny(*denied)
        try:
            for key in ("u", "n"):
                await pilot.press(key)
                await asked(app, pilot)
                await pilot.press("y")
                await done(app, pilot)
            await pilot.press("J")
            journal_screen = await asked(app, pilot, JournalScreen)
            journal_screen.table.move_cursor(
                next(i for i, e in enumerate(journal_screen.table.view) if e.action == "throttle")
            )
            await pilot.press("u")
            await asked(app, pilot)
            await pilot.press("y")
            await done(app, pilot)
        finally:
            sandbox.allow(*denied)
        said = notes(app)
        assert "no permission: lambda:DeleteFunctionConcurrency" in said
        assert "no permission: lambda:UpdateEventSourceMapping" in said
        assert (reserved(sandbox, PLAIN), mapping_state(sandbox, first)) == (0, "Disabled")
        failed = [(r["action"], r["outcome"]) for r in entries(journal) if r["outcome"] != "done"]
        assert failed == [
            ("restore concurrency", "failed"),
            ("enable event source", "failed"),
            ("undo throttle", "failed"),
        ]
        # Allowed again, both come back.
        await pilot.press("u")
        await asked(app, pilot)
        await pilot.press("y")
        await done(app, pilot)
    lam = client(sandbox, "lambda")
    lam.update_event_source_mapping(UUID=first, Enabled=True)
    eventually(lambda: mapping_state(sandbox, first) == "Enabled")
    assert reserved(sandbox, PLAIN) is None


def test_reservations_are_checked_against_the_pool() -> None:
    from lambdatui.aws.acting import reservation_problem

    assert reservation_problem(50, None, 1000) is None
    assert reservation_problem(900, None, 1000) is None
    problem = reservation_problem(901, None, 1000)
    assert problem is not None and "at most 900" in problem
    # What the function reserves already goes back to the pool first.
    assert reservation_problem(950, 100, 1000) is None
    assert reservation_problem(-1, None, 1000) is not None


def test_the_previous_version_is_the_one_published_before() -> None:
    from lambdatui.aws.acting import newest_first, previous_version
    from lambdatui.aws.models import Version

    versions = newest_first([Version(v, "", None) for v in ("$LATEST", "1", "2", "10", "3")])
    assert [v.version for v in versions] == ["10", "3", "2", "1"]
    assert previous_version(versions, "10") == "3"
    assert previous_version(versions, "1") is None
    assert previous_version(versions, "$LATEST") == "10"


async def test_the_journal_screen_lists_newest_first_and_undoes_only_where_it_was_made(
    sandbox: Sandbox, journal: Path
) -> None:
    from lambdatui.journal import Entry, Journal

    earlier = Journal(journal, session="earlier")
    undo = {"kind": "concurrency", "function": PLAIN, "value": "unreserved"}
    earlier.append(
        Entry(
            "2026-11-27T11:00:00+00:00",
            "default",
            "999999999999",
            "us-east-1",
            "throttle",
            PLAIN,
            "unreserved",
            "0",
            "done",
            function=PLAIN,
            undo=undo,
        )
    )
    earlier.append(
        Entry(
            "2026-11-27T11:30:00+00:00",
            "default",
            ACCOUNT,
            "us-east-1",
            "purge queue",
            "payments-webhook-dlq",
            "messages",
            "purged",
            "done",
        )
    )
    app = make_app(sandbox, journal)
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        await pilot.press("J")
        screen = await asked(app, pilot, JournalScreen)
        assert [e.action for e in screen.table.view] == ["purge queue", "throttle"]
        assert "2 entries · all sessions" in screen_text(app)
        await pilot.press("u")  # a purge has no inverse
        await pilot.pause()
        assert "This entry has nothing to undo" in notes(app)
        screen.table.move_cursor(1)
        sandbox.reset_calls()
        await pilot.press("u")
        await done(app, pilot)
        assert "made as profile default in account 999999999999" in notes(app)
        assert not mutations(sandbox)
        await pilot.press("s")
        await pilot.pause()
        assert list(screen.table.view) == []
        assert "0 entries · this session" in screen_text(app)
