"""Themes: the built-in ones, theme files (TOML), and the app's semantic colour variables.

A theme file is one TOML table that maps onto Textual's `Theme`:

    name = "solarized-dark"      # what --theme, the config and the palette call it
    dark = true
    primary = "#268bd2"          # required; every other colour is optional
    secondary = "#2aa198"
    accent = "#b58900"
    warning = "#cb4b16"
    error = "#dc322f"
    success = "#859900"
    foreground = "#93a1a1"
    background = "#002b36"
    surface = "#073642"
    panel = "#0b3f4c"
    boost = "#ffffff 4%"         # optional
    luminosity_spread = 0.15     # optional
    text_alpha = 0.95            # optional

    [variables]                  # optional: Textual variables and the app's own
    log-error = "#ff5f5f"
    footer-key-foreground = "#268bd2"

The app's own variables (SEMANTIC) default to Textual colours of the theme; a
theme sets any of them in [variables]. Values may name another variable
(`"$text-error"`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

DEFAULT_THEME = "textual-dark"
LIGHT_THEME = "textual-light"
HIGH_CONTRAST = "high-contrast"

# The app's semantic colours: name -> (default, what it colours).
SEMANTIC: dict[str, tuple[str, str]] = {
    "log-error": ("$text-error", "ERROR and FATAL log lines' level"),
    "log-warn": ("$text-warning", "WARN log lines' level"),
    "log-info": ("$text-success", "INFO log lines' level"),
    "log-debug": ("$text-muted", "DEBUG and TRACE log lines' level"),
    "state-failed": ("$text-error", "functions whose state or last update failed"),
    "state-pending": ("$text-muted", "functions that are Pending or Inactive"),
    "error-highlight": ("$text-error", "rows and figures with errors"),
    "throttle-highlight": ("$text-warning", "rows and figures with throttles"),
    "dlq-depth": ("$text-error", "a dead-letter queue holding messages"),
    "dlq-empty": ("$text-success", "an empty dead-letter queue"),
}

_COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_FIELDS = {"name", "dark", "luminosity_spread", "text_alpha", "variables", *_COLOUR_FIELDS}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_REF = re.compile(r"\$([a-zA-Z0-9_-]+)")

HIGH_CONTRAST_THEME = Theme(
    name=HIGH_CONTRAST,
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    warning="#ffaf00",
    error="#ff5f5f",
    success="#5fff5f",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#303030",
    dark=True,
    text_alpha=1.0,
    variables={
        "text-muted": "#c0c0c0",
        "block-cursor-background": "#ffff00",
        "block-cursor-foreground": "#000000",
        "block-cursor-blurred-background": "#404040",
        "footer-key-foreground": "#ffff00",
        "log-error": "#ff5f5f",
        "log-warn": "#ffaf00",
        "log-info": "#5fff5f",
        "log-debug": "#c0c0c0",
        "error-highlight": "#ff5f5f",
        "throttle-highlight": "#ffaf00",
        "dlq-depth": "#ff5f5f",
        "dlq-empty": "#5fff5f",
    },
)


class ThemeFileError(Exception):
    """A theme file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class LoadedThemes:
    themes: dict[str, Theme]
    # Where each file theme came from (for messages).
    sources: dict[str, Path]
    problems: list[str]


def builtin_themes() -> dict[str, Theme]:
    return {**BUILTIN_THEMES, HIGH_CONTRAST: HIGH_CONTRAST_THEME}


def shipped_dir() -> Path:
    """themes/ beside the package (a checkout) or inside it (an installed wheel)."""
    inside = Path(__file__).parent / "themes"
    return inside if inside.is_dir() else Path(__file__).parent.parent / "themes"


def _check_colour(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f'{path}: {key} must be a colour string like "#268bd2"')
    colour = value.split()[0] if value.strip() else value
    try:
        Color.parse(colour)
    except ColorParseError:
        raise ThemeFileError(f"{path}: {key} = {value!r} is not a colour") from None
    return value


def parse_theme(path: Path, text: str) -> Theme:
    """One theme from a file's text; ThemeFileError says what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ThemeFileError(f"{path}: unknown key {unknown[0]!r}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ThemeFileError(f"{path}: name must be lower-case letters, digits, - or _")
    if "primary" not in data:
        raise ThemeFileError(f"{path}: primary colour missing")
    colours = {key: _check_colour(path, key, data[key]) for key in _COLOUR_FIELDS if key in data}
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeFileError(f"{path}: dark must be true or false")
    numbers: dict[str, float] = {}
    for key in ("luminosity_spread", "text_alpha"):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ThemeFileError(f"{path}: {key} must be a number from 0 to 1")
            numbers[key] = float(value)
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeFileError(f"{path}: [variables] must map names to strings")
    for key, value in variables.items():
        if key in SEMANTIC and not value.startswith("$"):
            _check_colour(path, f"variables.{key}", value)
    options: dict[str, Any] = {**colours, **numbers}
    return Theme(name=name, dark=dark, variables=dict(variables), **options)


def load_theme_files(directories: Iterable[Path]) -> LoadedThemes:
    """Every *.toml theme in `directories`; a broken file is a problem, not a crash."""
    themes: dict[str, Theme] = {}
    sources: dict[str, Path] = {}
    problems: list[str] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = parse_theme(path, path.read_text(encoding="utf-8"))
            except ThemeFileError as exc:
                problems.append(str(exc))
                continue
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{path}: cannot be read ({exc})")
                continue
            themes[theme.name] = theme
            sources[theme.name] = path
    return LoadedThemes(themes, sources, problems)


def resolve_variables(variables: Mapping[str, str]) -> dict[str, str]:
    """The app's semantic variables filled in from their defaults, references resolved."""
    merged = dict(variables)
    for name, (default, _) in SEMANTIC.items():
        merged.setdefault(name, default)

    def resolve(value: str, depth: int = 0) -> str:
        if "$" not in value or depth > 5:
            return value
        return resolve(_REF.sub(lambda m: merged.get(m[1], m[0]), value), depth + 1)

    return {name: resolve(value) for name, value in merged.items()}
