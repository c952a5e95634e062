"""Themes: every shipped theme renders the list; broken files fall back; colours come from
theme variables; NO_COLOR is honoured."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdatui.app import LambdaTui
from lambdatui.themes import SEMANTIC, load_theme_files, shipped_dir
from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, app_for, settled, wait_until


def _app(box: Sandbox, **overrides: object) -> LambdaTui:
    """The app as a user first sees it: the Findings column scanned at launch."""
    return app_for(box, findings_on_launch=True, **overrides)


PACKAGE = Path(__file__).parent.parent / "lambdatui"
FILES = sorted(load_theme_files([shipped_dir()]).themes)
SHIPPED = ["textual-dark", "textual-light", "high-contrast", *FILES]


@pytest.fixture(scope="module")
def history() -> Iterator[Sandbox]:
    with Sandbox(now=FROZEN_NOW, simulate="history") as box:
        assert box.traffic is not None and box.traffic.wait_ready(120)
        yield box


async def _errors_first(pilot: Any) -> None:
    screen = pilot.app.screen
    await wait_until(
        pilot,
        lambda: pilot.app.fleet.loaded and len(pilot.app.fleet.health) == len(screen.table.rows),
        frames=600,
    )
    await settled(pilot)
    await pilot.press("E")
    await pilot.pause()


def test_the_shipped_files_are_themes() -> None:
    loaded = load_theme_files([shipped_dir()])
    assert loaded.problems == []
    assert {"solarized-dark", "paper"} <= set(loaded.themes)
    for theme in loaded.themes.values():
        assert set(SEMANTIC) <= set(theme.variables) | set(SEMANTIC)


@pytest.mark.parametrize("theme", SHIPPED)
def test_each_shipped_theme_renders_the_list(
    history: Sandbox, snap_compare: Any, theme: str
) -> None:
    app = _app(history, theme=theme)
    assert snap_compare(app, terminal_size=(100, 22), run_before=_errors_first)


def _user_theme(tmp_path: Path, name: str, text: str) -> Path:
    themes = tmp_path / "themes"
    themes.mkdir(exist_ok=True)
    path = themes / name
    path.write_text(text)
    return path


async def test_a_broken_theme_file_falls_back_with_a_message(
    history: Sandbox, tmp_path: Path
) -> None:
    bad_colour = _user_theme(tmp_path, "neon.toml", 'name = "neon"\nprimary = "glowing"\n')
    not_toml = _user_theme(tmp_path, "half.toml", 'name = "half"\nprimary = "#fff\n')
    app = _app(history, theme="neon", config_path=str(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        messages = [n.message for n in app._notifications]
        assert any(
            str(bad_colour) in m and "primary = 'glowing' is not a colour" in m for m in messages
        )
        assert any(str(not_toml) in m and "not valid TOML" in m for m in messages)
        assert any("Theme 'neon' is not available; using textual-dark" in m for m in messages)


async def test_a_user_theme_sets_the_semantic_colours(history: Sandbox, tmp_path: Path) -> None:
    _user_theme(
        tmp_path,
        "ops.toml",
        'name = "ops"\nprimary = "#3366ff"\nbackground = "#101010"\n'
        '[variables]\nlog-error = "#ff00ff"\nerror-highlight = "$accent"\n',
    )
    app = _app(history, theme="ops", config_path=str(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "ops"
        variables = app.theme_variables
        assert variables["log-error"] == "#ff00ff"
        assert variables["error-highlight"] == variables["accent"]
        # Variables the theme leaves out fall back to its own Textual colours.
        assert variables["log-warn"] == variables["text-warning"]
        # The list draws rows with errors in the theme's colour for them.
        table = app.screen.query_one("VirtualTable")
        hot = table.get_component_rich_style("vtable--hot").color
        assert hot is not None and hot.triplet is not None
        assert hot.triplet.hex == variables["accent"].lower()
        assert not any(n.severity == "warning" for n in app._notifications)


async def test_no_color_renders_without_colour(
    history: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _app(history)
    async with app.run_test(size=(100, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.no_color and app.has_class("-no-color")
        svg = app.export_screenshot()
    body = svg[svg.index("<g ") :] if "<g " in svg else svg
    chrome = {"#ff5f57", "#febc2e", "#28c840"}  # the screenshot's window buttons
    colours = set(re.findall(r"#[0-9a-fA-F]{6}\b", body)) - chrome
    assert colours
    greys = {c for c in colours if c[1:3] == c[3:5] == c[5:7]}
    assert colours == greys, f"colours under NO_COLOR: {sorted(colours - greys)}"


CSS_COLOUR = re.compile(
    r"\b(color|background|border(?:-[a-z]+)?|outline|tint|scrollbar-[a-z-]+)\s*:\s*([^;}\n]+)"
)
ALLOWED = {"none", "transparent", "auto", "hidden", "blank"}


def _css_sources() -> Iterator[tuple[Path, str]]:
    for path in PACKAGE.rglob("*.tcss"):
        yield path, path.read_text()
    for path in PACKAGE.rglob("*.py"):
        if "sandbox" in path.parts:
            continue
        text = path.read_text()
        for block in re.findall(r'(?:DEFAULT_CSS|CSS)\s*=\s*"""(.*?)"""', text, re.S):
            yield path, block


def test_every_colour_comes_from_a_theme_variable() -> None:
    offenders = []
    for path, css in _css_sources():
        for prop, value in CSS_COLOUR.findall(css):
            words = value.split()
            colours = [
                w
                for w in words
                if not re.match(
                    r"^(\d+%?|solid|round|tall|wide|heavy|inner|outer|dashed|double|ascii|hkey|vkey|thick|panel|blank)$",
                    w,
                )
            ]
            for word in colours:
                if word.startswith("$") or word in ALLOWED:
                    continue
                offenders.append(f"{path.name}: {prop}: {value.strip()}")
    assert offenders == []
    hex_literal = re.compile(r"[\"'][^\"'\n]*#[0-9a-fA-F]{6}\b")
    for path in PACKAGE.rglob("*.py"):
        if "sandbox" in path.parts or path.name == "themes.py":
            continue
        assert not hex_literal.search(path.read_text()), f"a colour literal in {path}"
