"""The command line: every startup problem is one sentence and exit status 2."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdatui.__main__ import _parser, resolve_settings
from lambdatui.app import make_app
from lambdatui.screens.functions import FunctionTable

from .helpers import RemoteSandbox, all_functions, spawn_sandbox


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """An environment with no AWS configuration at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(tmp_path)
    env["AWS_CONFIG_FILE"] = str(tmp_path / "config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambdatui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.mark.parametrize(
    ("args", "extra_env", "sentence"),
    [
        ([], {}, "no AWS region configured"),
        (["--profile", "nope", "--region", "us-east-1"], {}, "the AWS profile 'nope' is not in"),
        (["--region", "us-east-1"], {}, "no AWS credentials found"),
        (
            ["--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:{port}"],
            CREDS,
            "is unreachable",
        ),
        (["--region", "nowhere"], CREDS, "'nowhere' is not an AWS region name"),
        (["--region", "us-east-1", "--endpoint-url", "ftp://x"], CREDS, "is not an http(s) URL"),
        (["--theme", "no-such-theme", "--region", "us-east-1"], CREDS, "unknown theme"),
        (["--bogus"], {}, "unrecognized arguments: --bogus"),
        (["sandbox", "--port", "70000"], {}, "is not a port number"),
        (["sandbox", "--port", "x"], {}, "invalid int value"),
    ],
    ids=[
        "no-region",
        "unknown-profile",
        "no-credentials",
        "endpoint-unreachable",
        "bad-region",
        "bad-endpoint",
        "bad-theme",
        "bad-flag",
        "bad-port",
        "port-not-int",
    ],
)
def test_startup_errors_are_one_sentence_and_status_2(
    clean_env: dict[str, str], args: list[str], extra_env: dict[str, str], sentence: str
) -> None:
    env = clean_env | extra_env
    args = [a.replace("{port}", str(closed_port())) for a in args]
    result = run_cli(args, env)
    assert result.returncode == 2
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_region_from_environment_and_profile_file(
    clean_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore reads the config file locations from the process environment.
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in clean_env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "config").write_text("[profile ops]\nregion = eu-west-1\n")
    (tmp_path / "credentials").write_text(
        "[ops]\naws_access_key_id = a\naws_secret_access_key = b\n"
    )
    args = _parser().parse_args(["--profile", "ops"])
    settings = resolve_settings(args, clean_env)
    assert settings.region == "eu-west-1"
    assert settings.profile == "ops"
    settings = resolve_settings(
        _parser().parse_args([]), clean_env | {"AWS_PROFILE": "ops", "AWS_REGION": "us-west-2"}
    )
    assert (settings.profile, settings.region) == ("ops", "us-west-2")


def test_version(clean_env: dict[str, str]) -> None:
    result = run_cli(["--version"], clean_env)
    assert result.returncode == 0
    assert re.match(r"lambdatui \d+\.\d+", result.stdout)


@pytest.fixture
def sandbox_process(clean_env: dict[str, str]) -> Iterator[RemoteSandbox]:
    with spawn_sandbox(env=clean_env) as box:
        yield box


async def test_app_against_sandbox_in_another_process(
    sandbox_process: RemoteSandbox,
    clean_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = sandbox_process.endpoint_url
    env = clean_env | {"AWS_ACCESS_KEY_ID": "any", "AWS_SECRET_ACCESS_KEY": "value"}
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = resolve_settings(
        _parser().parse_args(["--endpoint-url", url, "--region", "us-east-1"]), dict(os.environ)
    )
    expected = sorted(fn["FunctionName"] for fn in all_functions(sandbox_process))
    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(FunctionTable)
        assert [f.name for f in table.view] == expected
        assert url in str(app.screen.query_one("#where").render())


def test_demo_says_it_ignores_the_regions_asked_for(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo has one region: --region names others, and the operator is told so (on
    stderr and as a notice in the console), not left to wonder where they went."""
    import lambdatui.__main__ as cli

    started = []
    # The console itself is not run here: what it would be started with is enough.
    monkeypatch.setattr(cli, "_run_app", lambda settings: started.append(settings) or 0)
    assert cli.main(["--demo", "--region", "eu-west-1,eu-central-1"]) == 0
    err = capsys.readouterr().err
    assert "--region ignored: the demo account has one region (us-east-1)" in err
    (settings,) = started
    assert settings.all_regions == ("us-east-1",)
    assert any("--region ignored" in notice for notice in settings.notices)
