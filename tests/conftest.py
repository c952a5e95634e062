"""Shared fixtures: a sandbox AWS over HTTP (the builders of apps and sessions: helpers)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lambdatui_sandbox import Sandbox

# The builders live in helpers; importable from here too for older test modules.
from .helpers import FROZEN_NOW, RemoteSandbox, app_for, settings_for, spawn_sandbox


@pytest.fixture(scope="session", autouse=True)
def private_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads or writes the user's real config directory (or its themes), nor
    appends to the user's action journal."""
    folder = tmp_path_factory.mktemp("config")
    private = {
        "LAMBDATUI_CONFIG": str(folder / "config.toml"),
        "LAMBDATUI_JOURNAL": str(folder / "state" / "journal.jsonl"),
    }
    before = {name: os.environ.get(name) for name in private}
    os.environ.update(private)
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads or writes the user's real cache directory (the list cache)."""
    path = tmp_path_factory.mktemp("cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(path)
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


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


__all__ = ["FROZEN_NOW", "app_for", "settings_for"]
