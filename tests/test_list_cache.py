"""The list cache: the second launch draws the last list at once, then the fresh one."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lambdatui.__main__ import _parser, resolve_settings
from lambdatui.applog import start_log, stop_log
from lambdatui.aws.functions import function_from
from lambdatui.listcache import VERSION, ListCache

from .helpers import FROZEN_NOW, all_functions, app_for, listed, mode, screen_text, wait_until

ACCOUNT = "123456789012"  # the sandbox's account


def _cache(box: Any, directory: Path) -> ListCache:
    return ListCache(directory, None, box.endpoint_url)


def _count(app: Any) -> str:
    return str(app.screen.query_one("#count").render())


def _ghost(box: Any) -> Any:
    """A function that was listed last time and has been deleted since."""
    real = function_from(all_functions(box)[0], box.region)
    return replace(
        real, name="ghost-fn", arn=real.arn.rsplit(":", 1)[0] + ":ghost-fn", log_group=""
    )


async def _launch_and_keep(box: Any, directory: Path) -> None:
    """A first launch: the complete list is kept for the next one."""
    app = app_for(box, list_cache=True, cache_dir=str(directory))
    async with app.run_test(size=(120, 40)) as pilot:
        await listed(pilot)
        await wait_until(pilot, lambda: _cache(box, directory).path(box.region).exists())


async def test_second_launch_draws_the_kept_list_before_the_endpoint_answers(
    sandbox: Any, tmp_path: Path
) -> None:
    names = {fn["FunctionName"] for fn in all_functions(sandbox)}
    await _launch_and_keep(sandbox, tmp_path)
    kept = _cache(sandbox, tmp_path).read(sandbox.region)
    assert kept is not None and {f.name for f in kept.functions} == names
    # Since then, one function was deleted (only the kept list still has it).
    ListCache.write(
        _cache(sandbox, tmp_path),
        ACCOUNT,
        sandbox.region,
        [*kept.functions, _ghost(sandbox)],
        FROZEN_NOW - timedelta(minutes=3),
    )
    app = app_for(sandbox, list_cache=True, cache_dir=str(tmp_path))
    # ListFunctions has not answered yet.
    with sandbox.held("lambda:ListFunctions") as answer:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: "cached" in _count(app))
            assert app.fleet.loading
            assert "ghost-fn" in {f.name for f in app.screen.table.rows}
            assert len(app.screen.table.rows) == len(names) + 1
            assert _count(app) == f"loading… {len(names) + 1} functions · cached 3m ago"
            answer.set()
            await listed(pilot)
            # The fresh list replaced the kept one: the deleted function is gone, the
            # marker too, and every row is the fresh one.
            assert {f.name for f in app.screen.table.rows} == names
            assert _count(app) == f"{len(names)} functions"
            assert "ghost-fn" not in screen_text(app)


async def test_kept_rows_of_another_account_go_once_sts_answers(
    sandbox: Any, tmp_path: Path
) -> None:
    ListCache.write(
        _cache(sandbox, tmp_path), "999999999999", sandbox.region, [_ghost(sandbox)], FROZEN_NOW
    )
    app = app_for(sandbox, list_cache=True, cache_dir=str(tmp_path))
    # The kept rows are drawn while neither STS nor ListFunctions has answered.
    with (
        sandbox.held("lambda:ListFunctions") as pages,
        sandbox.held("sts:GetCallerIdentity") as sts,
    ):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.fleet.cached_account is not None)
            assert "ghost-fn" in {f.name for f in app.screen.table.rows}
            # STS names another account: its rows go before the first page arrives.
            sts.set()
            await wait_until(pilot, lambda: not app.screen.table.rows)
            assert app.fleet.loading
            assert "cached" not in _count(app)
            pages.set()
            await listed(pilot)
            assert "ghost-fn" not in {f.name for f in app.screen.table.rows}


async def test_kept_list_holds_no_environment_and_is_private(
    sandbox: Any, tmp_path: Path, open_umask: None
) -> None:
    await _launch_and_keep(sandbox, tmp_path)
    path = _cache(sandbox, tmp_path).path(sandbox.region)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    text = path.read_text()
    assert "Environment" not in text and "secret_env" not in text
    values = [
        str(value)
        for fn in all_functions(sandbox)
        for value in ((fn.get("Environment") or {}).get("Variables") or {}).values()
        if len(str(value)) > 3
    ]
    assert values, "the demo world has environment values to leak"
    # (Values that are also a function's name or another field are not the leak.)
    elsewhere = json.dumps(
        [{k: v for k, v in fn.items() if k != "Environment"} for fn in all_functions(sandbox)]
    )
    leaked = [v for v in values if v in text and v not in elsewhere]
    assert not leaked
    assert json.loads(text)["version"] == VERSION


async def test_corrupt_or_other_version_kept_list_is_ignored_with_one_log_line(
    sandbox: Any, tmp_path: Path
) -> None:
    names = {fn["FunctionName"] for fn in all_functions(sandbox)}
    path = _cache(sandbox, tmp_path / "cache").path(sandbox.region)
    log = start_log(tmp_path / "lambdatui.log")
    try:
        for content in ('{"version": 1, "functions": [', json.dumps({"version": 999})):
            path.parent.mkdir(exist_ok=True)
            path.write_text(content)
            app = app_for(sandbox, list_cache=True, cache_dir=str(path.parent))
            async with app.run_test(size=(120, 40)) as pilot:
                await listed(pilot)
                assert {f.name for f in app.screen.table.rows} == names
                assert "Traceback" not in screen_text(app)
    finally:
        stop_log()
    lines = [line for line in log.read_text().splitlines() if "list cache" in line]
    assert len(lines) == 2
    assert "corrupt" in lines[0] and "version 999" in lines[1]


async def test_no_cache_draws_and_keeps_nothing(sandbox: Any, tmp_path: Path) -> None:
    await _launch_and_keep(sandbox, tmp_path)
    ListCache.write(
        _cache(sandbox, tmp_path), ACCOUNT, sandbox.region, [_ghost(sandbox)], FROZEN_NOW
    )
    app = app_for(sandbox, list_cache=False, cache_dir=str(tmp_path))
    with sandbox.held("lambda:ListFunctions") as answer:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: sandbox.calls["lambda:ListFunctions"] > 0)
            await pilot.pause()
            assert not app.screen.table.rows
            answer.set()
            await listed(pilot)
            assert "ghost-fn" not in screen_text(app)
            assert "cached" not in _count(app)
    kept = _cache(sandbox, tmp_path).read(sandbox.region)
    assert kept is not None and [f.name for f in kept.functions] == ["ghost-fn"]


def test_no_cache_flag_and_config_turn_the_cache_off(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    config = tmp_path / "config.toml"
    monkeypatch.setenv("LAMBDATUI_CONFIG", str(config))
    flags = ["--endpoint-url", sandbox.endpoint_url, "--region", sandbox.region]

    def cache_on(*more: str) -> bool:
        return resolve_settings(_parser().parse_args([*flags, *more]), dict(os.environ)).list_cache

    assert cache_on()
    assert not cache_on("--no-cache")
    config.write_text("[cache]\nenabled = false\n")
    assert not cache_on()
