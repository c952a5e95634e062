"""Shared fixtures: a sandbox AWS over HTTP and the real app pointed at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from lambdatui.app import LambdaTui, make_app
from lambdatui.config import Settings, utc_now
from lambdatui_sandbox import Sandbox

from .helpers import RemoteSandbox, spawn_sandbox

# The demo world and the app's clock agree on "now", so relative times are stable.
FROZEN_NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def private_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads or writes the user's real config directory (or its themes)."""
    path = tmp_path_factory.mktemp("config") / "config.toml"
    before = os.environ.get("LAMBDATUI_CONFIG")
    os.environ["LAMBDATUI_CONFIG"] = str(path)
    yield
    if before is None:
        os.environ.pop("LAMBDATUI_CONFIG", None)
    else:
        os.environ["LAMBDATUI_CONFIG"] = before


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files readable by others (0644), as many hosts have."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """The demo world in this process (moto allows one per process, so one per module)."""
    with Sandbox(now=FROZEN_NOW) as box:
        yield box


@pytest.fixture(scope="module")
def empty_sandbox() -> Iterator[RemoteSandbox]:
    """The empty world, served by `lambdatui sandbox` in another process.

    moto keeps its state per process, so a second world needs its own process.
    """
    with spawn_sandbox("--world", "empty") as box:
        yield box


def settings_for(box: Sandbox | RemoteSandbox, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "region": box.region,
        "endpoint_url": box.endpoint_url,
        "endpoint_label": "demo sandbox",
        "access_key": "testing",
        "secret_key": "testing",
        "clock": lambda: FROZEN_NOW,
        "animations": False,
    }
    values.update(overrides)
    if values["clock"] is None:  # tests of live data run on the real clock
        values["clock"] = utc_now
    return Settings(**values)  # type: ignore[arg-type]


def app_for(box: Sandbox | RemoteSandbox, **overrides: object) -> LambdaTui:
    return make_app(settings_for(box, **overrides), system_clipboard=False)
