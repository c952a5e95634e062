"""Acting during an incident: throttle, restore, set reserved concurrency, pause and
resume an event source, roll an alias back, the journal and its undo. The real app
(Pilot) against the sandbox; what is asserted is what a user would see and what
AWS holds afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdatui.app import LambdaTui
from lambdatui.screens.confirm import Confirm
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.journal import JournalScreen
from lambdatui.screens.pickers import Picker
from lambdatui.screens.prompt import Prompt
from lambdatui_sandbox import Sandbox

from .helpers import app_for, client, listed, settled, wait_until

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
