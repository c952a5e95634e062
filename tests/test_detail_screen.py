"""The detail screen: every part of a function, masked secrets, failures in place."""

from __future__ import annotations

from lambdatui.aws.models import Function
from lambdatui.screens.detail import MASK, DetailScreen

from .helpers import all_functions, app_for, client, screen_text


def _function_with(box, predicate) -> dict:  # type: ignore[no-untyped-def]
    lam = client(box, "lambda")
    for fn in all_functions(box):
        config = lam.get_function_configuration(FunctionName=fn["FunctionName"])
        if predicate(config):
            return config
    raise AssertionError("the demo world lacks such a function")


async def _open(app, pilot, name: str) -> DetailScreen:  # type: ignore[no-untyped-def]
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.goto_function(name)
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, DetailScreen)
    return app.screen


async def test_detail_shows_dlq_target_and_log_config(sandbox) -> None:
    config = _function_with(sandbox, lambda c: "DeadLetterConfig" in c)
    app = app_for(sandbox)
    async with app.run_test(size=(140, 60)) as pilot:
        await _open(app, pilot, config["FunctionName"])
        text = screen_text(app)
        assert config["DeadLetterConfig"]["TargetArn"] in text
        assert config["LoggingConfig"]["LogGroup"] in text
        assert config["FunctionArn"] in text


async def test_environment_values_masked_until_revealed(sandbox) -> None:
    config = _function_with(
        sandbox, lambda c: len((c.get("Environment") or {}).get("Variables", {})) > 1
    )
    variables = config["Environment"]["Variables"]
    app = app_for(sandbox)
    async with app.run_test(size=(140, 60)) as pilot:
        await _open(app, pilot, config["FunctionName"])
        text = screen_text(app)
        for name, value in variables.items():
            assert name in text
            assert value not in text
        assert MASK in text
        await pilot.press("v")
        await pilot.pause()
        text = screen_text(app)
        for value in variables.values():
            assert value in text
        await pilot.press("v")
        await pilot.pause()
        assert all(value not in screen_text(app) for value in variables.values())


async def test_missing_function_says_why_in_place(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        ghost = Function(
            name="ghost-function",
            arn="arn:aws:lambda:us-east-1:123456789012:function:ghost-function",
            runtime="python3.12",
            package_type="Zip",
            architecture="x86_64",
            memory_mb=128,
            timeout_s=3,
            code_size=1,
            last_modified=None,
            state="",
            last_update_status="",
            description="",
            handler="",
            role="",
            log_format="Text",
            log_group="/aws/lambda/ghost-function",
            region="us-east-1",
        )
        app.open_function(ghost)
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "ghost-function" in text
        assert "Traceback" not in text
        assert "not found" in text.lower()
