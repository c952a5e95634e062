"""Profiles and regions in-app: switching reconnects, every pane is rebuilt, the header follows.

Two profiles of an AWS config file point at two sandboxes (endpoint_url per
profile): the demo world in this process and an empty world in another.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.widgets import Input, OptionList

from lambdatui.__main__ import _parser, resolve_settings
from lambdatui.app import make_app
from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.where import WherePicker
from lambdatui_sandbox import Sandbox

from .helpers import RemoteSandbox, app_for, client, listed, screen_text, spawn_sandbox, wait_until

ROLE = "arn:aws:iam::123456789012:role/service-role/lambda-basic-execution"


@pytest.fixture(scope="module")
def other() -> Iterator[RemoteSandbox]:
    with spawn_sandbox("--world", "empty") as box:
        yield box


@pytest.fixture
def aws_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, other: RemoteSandbox
) -> dict[str, str]:
    """~/.aws/config and credentials in tmp_path: alpha, beta, an SSO and a role profile."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text(
        f"[profile alpha]\nregion = us-east-1\nendpoint_url = {sandbox.endpoint_url}\n\n"
        f"[profile beta]\nregion = us-east-1\nendpoint_url = {other.endpoint_url}\n\n"
        "[profile sso-dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
        "sso_role_name = ReadOnly\nregion = us-east-1\n"
        f"endpoint_url = {sandbox.endpoint_url}\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-east-1\n\n"
        "[profile ops-admin]\nrole_arn = arn:aws:iam::123456789012:role/ops\n"
        "source_profile = alpha\n"
    )
    credentials.write_text(
        "[alpha]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n"
        "[beta]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    env = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


async def _loaded(pilot: Any) -> FunctionsScreen:
    app = pilot.app
    await listed(pilot)
    screen = app.screen
    assert isinstance(screen, FunctionsScreen)
    return screen


async def _pick(pilot: Any, *keys: str) -> None:
    app = pilot.app
    await pilot.press("p")
    await wait_until(pilot, lambda: isinstance(app.screen, WherePicker))
    await pilot.pause()
    await pilot.press(*keys)


async def test_switching_profile_reconnects_to_the_other_account(
    aws_files: dict[str, str], sandbox: Sandbox, other: RemoteSandbox
) -> None:
    # The CLI's own path: the profile's endpoint_url and region come from the config file.
    settings = resolve_settings(_parser().parse_args(["--profile", "alpha"]), aws_files)
    assert settings.endpoint_url == sandbox.endpoint_url
    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _loaded(pilot)
        assert len(screen.table.rows) == 30
        assert "profile alpha" in screen_text(app)
        first_screen = screen
        lists_before = sandbox.calls["lambda:ListFunctions"]

        # The picker lists every profile of the files, SSO and assume-role included.
        await _pick(pilot)
        picker = app.screen
        assert isinstance(picker, WherePicker)
        kinds = {p.name: p.kind for p in picker.profiles}
        assert kinds == {
            "alpha": "keys",
            "beta": "keys",
            "sso-dev": "sso",
            "ops-admin": "assume-role",
        }
        await pilot.press("down", "enter")  # alpha -> beta
        await wait_until(pilot, lambda: app.settings.profile == "beta")
        screen = await _loaded(pilot)
        assert screen is not first_screen, "every pane is rebuilt on the new connection"
        assert screen.table.rows == []
        header = screen_text(app)
        assert "profile beta" in header and other.endpoint_url in header
        assert "No Lambda functions in us-east-1" in screen.table.empty_text
        assert app.aws.target.endpoint_url == other.endpoint_url
        # The list came from the other sandbox: this one saw no new ListFunctions.
        assert sandbox.calls["lambda:ListFunctions"] == lists_before

        await _pick(pilot, "up", "enter")  # back to alpha
        await wait_until(pilot, lambda: app.settings.profile == "alpha")
        screen = await _loaded(pilot)
        assert len(screen.table.rows) == 30
        assert sandbox.calls["lambda:ListFunctions"] == lists_before + 1


async def test_expired_sso_session_names_the_login_command(
    aws_files: dict[str, str], sandbox: Sandbox
) -> None:
    settings = resolve_settings(_parser().parse_args(["--profile", "alpha"]), aws_files)
    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _loaded(pilot)
        await _pick(pilot, "down", "down", "down", "enter")  # alpha, beta, ops-admin, sso-dev
        await wait_until(pilot, lambda: app.settings.profile == "sso-dev")
        await _loaded(pilot)
        assert app.fleet.load_error is not None
        assert "aws sso login --profile sso-dev" in screen_text(app)
        assert "Traceback" not in screen_text(app)


async def test_region_picker_switches_and_multi_selects(
    sandbox: Sandbox, aws_files: dict[str, str]
) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await _loaded(pilot)
        # tab to the regions' filter, type, enter: one region left is the one.
        await _pick(pilot, "tab", *"eu-west-1", "enter")
        await wait_until(pilot, lambda: app.settings.region == "eu-west-1")
        screen = await _loaded(pilot)
        assert screen.table.rows == []
        assert "eu-west-1" in screen_text(app)
        assert "No Lambda functions in eu-west-1" in screen.table.empty_text

        # Mark two regions with space: one table for both, with a region column.
        await _pick(pilot, "tab")
        picker = app.screen
        assert isinstance(picker, WherePicker)
        eu = picker.region_names.index("eu-west-1")
        here = picker.region_names.index("us-east-1")
        regions = picker.query_one("#regions")
        picker.set_focus(regions)
        regions.highlighted = here  # type: ignore[attr-defined]
        await pilot.press("space")
        regions.highlighted = eu  # type: ignore[attr-defined]
        await pilot.press("space", "enter")
        await wait_until(pilot, lambda: len(app.settings.all_regions) == 2)
        screen = await _loaded(pilot)
        assert app.settings.all_regions == ("us-east-1", "eu-west-1")
        assert len(screen.table.rows) == 30
        assert "region" in [c.key for c in screen.table.columns]
        assert "us-east-1, eu-west-1" in screen_text(app)


async def test_region_filter_then_space_marks_and_the_focused_list_stands_out(
    sandbox: Sandbox, aws_files: dict[str, str]
) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot)
        await _pick(pilot)
        picker = app.screen
        assert isinstance(picker, WherePicker)

        def framed() -> dict[str, str]:
            return {
                column.id or "": column.styles.border_top[0]
                for column in picker.query(".where-column")
            }

        # The profiles have the keys first: their frame, not the regions', is the heavy one.
        assert framed() == {"profiles-column": "heavy", "regions-column": "round"}
        await pilot.press("tab")
        await pilot.pause()
        assert framed() == {"profiles-column": "round", "regions-column": "heavy"}

        # Type to filter, space: the highlighted match is marked (no space typed), the
        # filter clears for the next one; enter lists the marked regions together.
        await pilot.press(*"eu-west", "space")
        await wait_until(pilot, lambda: picker.marked == ["eu-west-1"])
        regions = picker.query_one("#regions", OptionList)
        assert str(regions.get_option("eu-west-1").prompt).startswith("[x] eu-west-1")
        assert picker.query_one("#region-filter", Input).value == ""
        await pilot.press(*"us-east-", "down", "space")
        await wait_until(pilot, lambda: len(picker.marked) == 2)
        assert picker.marked == ["eu-west-1", "us-east-2"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.settings.all_regions == ("eu-west-1", "us-east-2"))


@pytest.fixture
def eu_function(sandbox: Sandbox) -> Iterator[str]:
    lam = boto3.client(
        "lambda",
        endpoint_url=sandbox.endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    lam.create_function(
        FunctionName="payments-webhook",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        Description="the European copy",
    )
    yield "payments-webhook"
    lam.delete_function(FunctionName="payments-webhook")


async def test_multi_region_list_from_the_command_line(
    sandbox: Sandbox, eu_function: str, aws_files: dict[str, str]
) -> None:
    args = _parser().parse_args(["--profile", "alpha", "--region", "us-east-1,eu-west-1"])
    settings = resolve_settings(args, aws_files)
    assert settings.all_regions == ("us-east-1", "eu-west-1")
    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _loaded(pilot)
        table = screen.table
        assert len(table.rows) == 31
        same_name = sorted(f.region for f in table.rows if f.name == eu_function)
        assert same_name == ["eu-west-1", "us-east-1"]
        us_total = len(client(sandbox, "lambda").list_functions()["Functions"])
        assert len([f for f in table.rows if f.region == "us-east-1"]) == us_total

        # A function of the other region opens on that region's endpoint.
        european = next(f for f in table.rows if f.region == "eu-west-1")
        app.open_function(european)
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await wait_until(pilot, lambda: detail.detail is not None, frames=400)  # type: ignore[attr-defined]
        text = screen_text(app)
        assert "the European copy" in text
        assert ":eu-west-1:" in text


async def test_the_palette_offers_the_picker_and_the_screens_own_keys(
    sandbox: Sandbox, aws_files: dict[str, str]
) -> None:
    from textual.command import CommandPalette

    app = app_for(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await _loaded(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        offered = [title for title, _, _ in app.palette_actions(app.screen_stack[-2])]
        assert "Profile and region" in offered and "Incident snapshot" in offered
        assert "Logs" in offered  # the list's own keys, not the palette's
        await pilot.press(*"profile and region")
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, WherePicker))
