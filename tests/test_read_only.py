"""--read-only is airtight: every screen, every key and palette command, zero mutating calls.

The screens are driven through their own bindings (help's list of them), so a
key added to a screen is driven too; a new screen is one more entry in
`SCREENS`. Confirmations and prompts that appear are answered "yes".
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from lambdatui.app import LambdaTui
from lambdatui.screens.base import Pane
from lambdatui.screens.confirm import Confirm
from lambdatui.screens.help import _bindings
from lambdatui.screens.invokemodals import SavedPicker, SaveEvent
from lambdatui.screens.prompt import Prompt

from .faultmatrix import open_detail, open_dlq, open_functions, open_logs, open_metrics, settle
from .helpers import FROZEN_NOW, app_for, fill_dlq

# Actions that change something, by the verbs AWS uses for them...
MUTATING_VERBS = (
    "Add",
    "Cancel",
    "Create",
    "Delete",
    "Invoke",
    "Publish",
    "Purge",
    "Put",
    "Remove",
    "Reset",
    "Send",
    "Start",
    "Tag",
    "Untag",
    "Update",
)
# ...except these, which only read (peeking hides messages for the time it looks,
# then makes them visible again).
READS = {
    "logs:StartLiveTail",
    "logs:StartQuery",
    "sqs:ChangeMessageVisibility",
    "sqs:ChangeMessageVisibilityBatch",
}


def mutating(key: str) -> bool:
    """Whether a sandbox call key ("sqs:PurgeQueue") changes anything."""
    _, _, action = key.partition(":")
    return key not in READS and action.startswith(MUTATING_VERBS)


def test_the_classifier_knows_the_mutations() -> None:
    for key in (
        "lambda:Invoke",
        "lambda:InvokeAsync",
        "sqs:SendMessage",
        "sqs:SendMessageBatch",
        "sqs:DeleteMessage",
        "sqs:DeleteMessageBatch",
        "sqs:PurgeQueue",
        "sqs:StartMessageMoveTask",
        "sqs:CancelMessageMoveTask",
        "schemas:CreateSchema",
        "schemas:UpdateSchema",
        "schemas:DeleteSchema",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PutFunctionConcurrency",
    ):
        assert mutating(key), key
    for key in ("lambda:GetFunction", "sqs:ReceiveMessage", "logs:StartLiveTail"):
        assert not mutating(key), key


async def open_dlq_overview(app: LambdaTui, pilot: Any) -> Pane:
    from lambdatui.screens.dlqs import DlqOverviewScreen

    await open_functions(app, pilot)
    app.action_dlq_overview()
    await settle(pilot, lambda: isinstance(app.screen, DlqOverviewScreen))
    screen = app.screen
    await settle(
        pilot,
        lambda: (
            bool(screen.query("#count")) and "targets" in str(screen.query_one("#count").render())
        ),
    )
    return screen  # type: ignore[return-value]


async def open_invoke(app: LambdaTui, pilot: Any) -> Pane:
    from lambdatui.screens.invoke import InvokeScreen

    await open_functions(app, pilot)
    # orders-worker has shareable events in the demo registry, so deleting one is driven.
    app.open_invoke(next(f for f in app.fleet.functions if f.name == "orders-worker"))
    await settle(
        pilot, lambda: isinstance(app.screen, InvokeScreen) and bool(app.screen.query("#tail"))
    )
    return app.screen  # type: ignore[return-value]


async def open_insights(app: LambdaTui, pilot: Any) -> Pane:
    from lambdatui.screens.insights import InsightsScreen

    await open_functions(app, pilot)
    app.open_insights([next(f for f in app.fleet.functions if f.name == "payments-webhook")])
    await settle(
        pilot, lambda: isinstance(app.screen, InsightsScreen) and app.screen.focused is not None
    )
    return app.screen  # type: ignore[return-value]


Opener = Callable[[LambdaTui, Any], Awaitable[Pane]]
SCREENS: dict[str, Opener] = {
    "function list": open_functions,
    "function detail": open_detail,
    "logs": open_logs,
    "metrics": open_metrics,
    "DLQ": open_dlq,
    "DLQ overview": open_dlq_overview,
    "invoke": open_invoke,
    "Logs Insights": open_insights,
}
# Keys not driven: they leave the app or only open help.
SKIP_ACTIONS = {"app.quit", "quit", "help", "back"}


async def answer_yes(app: LambdaTui, pilot: Any) -> None:
    """Accept whatever confirmation or prompt a key opened."""
    for _ in range(4):
        await pilot.pause()
        screen = app.screen
        if isinstance(screen, SaveEvent):
            # Save as a shareable event: a schema write.
            await pilot.press(*"drill", "tab", "space", "enter")
        elif isinstance(screen, SavedPicker):
            await pilot.press("D")  # delete the highlighted shareable event
        elif isinstance(screen, Prompt):
            await pilot.press(*"payments-webhook-failures", "enter")
        elif isinstance(screen, Confirm):
            if screen.typed:
                await pilot.press(*screen.typed, "enter")
            else:
                await pilot.press("y")
        else:
            return


async def back_to(app: LambdaTui, pilot: Any, screen: Pane) -> None:
    while app.screen is not screen and len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()


@pytest.mark.parametrize("name", list(SCREENS))
async def test_read_only_sends_no_mutation(
    sandbox: Any, name: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # saves and exports land here
    fill_dlq(sandbox, 5)
    app = app_for(sandbox, read_only=True, clock=None if name == "logs" else (lambda: FROZEN_NOW))
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await SCREENS[name](app, pilot)
        sandbox.reset_calls()
        driven = []
        bindings = _bindings(type(screen))
        # Mark first, so keys that act on marked rows have some.
        bindings.sort(key=lambda b: b.action != "mark")
        for binding in bindings:
            if binding.action in SKIP_ACTIONS or binding.action.startswith("app.quit"):
                continue
            await back_to(app, pilot, screen)
            screen.set_focus(None)
            await pilot.press(binding.key.split(",")[0])
            await answer_yes(app, pilot)
            driven.append(binding.action)
        for title, _help, callback in list(app.palette_actions()):
            if "Help" in title:
                continue
            await back_to(app, pilot, screen)
            result = callback()
            if inspect.isawaitable(result):
                await result
            await answer_yes(app, pilot)
            driven.append(title)
        await pilot.pause(0.3)
        calls = dict(sandbox.calls)
    assert driven
    assert not [key for key in calls if mutating(key)], calls
