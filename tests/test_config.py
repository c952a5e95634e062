"""The config file: values apply, a wrong one is reported with key and file, keys remap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lambdatui.__main__ import _parser, resolve_settings
from lambdatui.app import known_binding_ids, make_app
from lambdatui.config import MB, Settings, load_config
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.help import HelpScreen
from lambdatui_sandbox import Sandbox

from .helpers import mode, screen_text, wait_until


@pytest.fixture
def env(tmp_path: Path, sandbox: Sandbox) -> dict[str, str]:
    """A process environment with its own config file and AWS credentials, no user files."""
    values = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    values |= {
        "HOME": str(tmp_path),
        "LAMBDATUI_CONFIG": str(tmp_path / "lambdatui" / "config.toml"),
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": sandbox.endpoint_url,
    }
    return values


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambdatui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def _write(env: dict[str, str], text: str) -> Path:
    path = Path(env["LAMBDATUI_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _settings(env: dict[str, str], *args: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return resolve_settings(_parser().parse_args(list(args)), env)


def test_config_path_and_init_write_a_commented_default(
    env: dict[str, str], open_umask: None
) -> None:
    where = _cli(["config", "path"], env)
    assert where.returncode == 0
    assert where.stdout.strip() == env["LAMBDATUI_CONFIG"]

    wrote = _cli(["config", "init"], env)
    assert wrote.returncode == 0, wrote.stderr
    path = Path(env["LAMBDATUI_CONFIG"])
    assert f"Wrote {path}" in wrote.stdout
    text = path.read_text()
    assert "[invoke]" in text and "production_patterns" in text and "[keys]" in text
    assert (mode(path), mode(path.parent)) == (0o600, 0o700)
    # Everything is commented out: the file means the defaults, and reports nothing.
    found = load_config(path)
    assert found.problems == [] and found.values == {} and found.keymap == {}

    again = _cli(["config", "init"], env)
    assert again.returncode == 2
    assert "already exists; pass --force" in again.stderr
    path.chmod(0o644)
    assert _cli(["config", "init", "--force"], env).returncode == 0
    assert mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]


def test_config_values_apply(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        env,
        """
[aws]
region = "eu-west-1"
[ui]
theme = "paper"
[refresh]
metrics = 30
logs = 5
[logs]
buffer = 5000
history = "15m"
live_tail = false
[invoke]
production_patterns = ["stage=live", "*-prd"]
payload_limit_sync = 1048576
payload_limit_async = 262144
[snapshot]
directory = "~/incidents"
[findings]
on_launch = false
[keys]
"app.help" = "f1"
""",
    )
    settings = _settings(env, monkeypatch=monkeypatch)
    assert settings.region == "eu-west-1"
    assert settings.theme == "paper"
    assert settings.metrics_refresh == 30
    assert settings.log_poll_interval == 5
    assert settings.log_buffer == 5000
    assert settings.log_history == 900
    assert settings.live_tail is False
    assert settings.prod_patterns == ("stage=live", "*-prd")
    assert settings.payload_limit_sync == MB
    assert settings.payload_limit_async == 256 * 1024
    assert settings.snapshot_dir == "~/incidents"
    assert settings.findings_on_launch is False
    assert settings.keymap == (("app.help", "f1"),)
    assert settings.notices == ()
    assert settings.is_production("orders-prd")
    assert settings.is_production("orders", {"stage": "LIVE"})
    assert not settings.is_production("orders", {"stage": "dev"})

    # The command line wins over the file.
    chosen = _settings(
        env, "--region", "us-east-1", "--theme", "textual-light", monkeypatch=monkeypatch
    )
    assert (chosen.region, chosen.theme) == ("us-east-1", "textual-light")


def test_defaults_without_a_file(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(env, "--region", "us-east-1", monkeypatch=monkeypatch)
    assert settings.prod_patterns == ("env=prod", "*prod*")
    assert (settings.payload_limit_sync, settings.payload_limit_async) == (6 * MB, MB)
    assert settings.is_production("payments-reconciler-prod")
    assert settings.is_production("orders", {"env": "prod"})
    assert settings.findings_on_launch is True
    assert settings.notices == ()


async def test_invalid_values_are_reported_with_key_and_file(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox
) -> None:
    path = _write(
        env,
        """
[aws]
region = "us-east-1"
[refresh]
metrics = "fast"
[logs]
buffer = 12
history = "2d"
[invoke]
payload_limit_sync = 7340032
[colours]
x = 1
[keys]
"app.help" = "f1"
"functions.nope" = "x"
""",
    )
    settings = _settings(env, monkeypatch=monkeypatch)
    # Every wrong value keeps its default; the right ones still apply.
    assert settings.metrics_refresh == 60.0
    assert settings.log_buffer == 100_000
    assert settings.log_history == 300
    assert settings.payload_limit_sync == 6 * MB
    assert settings.region == "us-east-1"
    notices = "\n".join(settings.notices)
    assert f"{path}: refresh.metrics = 'fast' must be a number; using the default" in notices
    assert f"{path}: logs.buffer = 12 must be from 1,000 to 5,000,000" in notices
    assert f"{path}: logs.history = '2d' must be one of" in notices
    assert f"{path}: invoke.payload_limit_sync = 7340032 must be from 1 to" in notices
    assert f"{path}: unknown setting 'colours', ignored" in notices

    settings = Settings(
        **{
            **settings.__dict__,
            "access_key": "testing",
            "secret_key": "testing",
            "animations": False,
        }
    )
    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, FunctionsScreen))
        shown = [n.message for n in app._notifications]
        assert any("refresh.metrics = 'fast'" in m and str(path) in m for m in shown)
        assert any("keys.functions.nope: no such binding id" in m for m in shown)
        # The remapped key works; the help screen shows it.
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "f1" in screen_text(app)


def test_startup_prints_config_problems(env: dict[str, str], tmp_path: Path) -> None:
    path = _write(env, '[ui]\ntheme = 3\n[logs]\nbuffer = "big"\n')
    # --theme with a name that is not a theme stops before the screen; the problems are said.
    result = _cli(["--region", "us-east-1", "--theme", "nope"], env)
    assert result.returncode == 2
    assert f"lambdatui: {path}: ui.theme = 3 must be a non-empty string" in result.stderr
    assert f"lambdatui: {path}: logs.buffer = 'big' must be a number" in result.stderr
    assert "unknown theme 'nope'" in result.stderr and "paper" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_binding_has_an_id_to_remap() -> None:
    ids = known_binding_ids()
    assert {"app.help", "app.where", "app.theme", "app.snapshot", "functions.logs"} <= ids
    assert "where.mark" in ids


def test_no_binding_lacks_an_id() -> None:
    from textual.binding import Binding
    from textual.dom import DOMNode

    known_binding_ids()  # imports every screen and widget
    missing = []
    todo: list[type] = [DOMNode]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("lambdatui."):
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and not binding.id:
                    missing.append(f"{cls.__name__}: {binding.key}")
    assert missing == []
