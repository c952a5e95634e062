"""Profiles at the edges: a profile that logs in through a process or names no
credentials, a config file the SDK cannot read, a profile that is not there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lambdatui.aws.profiles import FALLBACK_REGIONS, lambda_regions, list_profiles, profile_endpoint


def use_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "config"
    config.write_text(text)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


def test_a_process_profile_and_a_bare_one_say_how_they_log_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_config(
        tmp_path,
        monkeypatch,
        "[profile vault]\ncredential_process = /usr/local/bin/vault-aws\nregion = eu-west-1\n\n"
        "[profile bare]\nregion = us-west-2\n",
    )

    kinds = {p.name: (p.kind, p.region) for p in list_profiles()}

    assert kinds["vault"] == ("process", "eu-west-1")
    assert kinds["bare"] == ("", "us-west-2")
    assert profile_endpoint("nowhere") is None


def test_a_config_file_the_sdk_cannot_read_lists_nothing_and_keeps_regions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_config(tmp_path, monkeypatch, "[profile broken\nregion = us-east-1\n")

    assert list_profiles() == []
    assert profile_endpoint("broken") is None
    assert lambda_regions() == list(FALLBACK_REGIONS)
