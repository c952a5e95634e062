"""Settings: what the app connects to and how it behaves, and the TOML config file.

The file lives in the user config directory (`lambdatui config path` prints it;
LAMBDATUI_CONFIG overrides it). Every key is optional; a value that is wrong is
reported with its key and the file, and the default is used for it.
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .aws.models import Function

CONFIG_ENV = "LAMBDATUI_CONFIG"
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
MB = 1024 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DeepLink:
    """A pane to open at start (`lambdatui show NAME`, `logs A B --since 1h`, ...)."""

    pane: str  # show, logs, metrics, dlq, invoke, insights
    functions: tuple[Function, ...]
    since: datetime | None = None
    query: str | None = None


@dataclass(frozen=True)
class Settings:
    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    # What the header says for the endpoint; defaults to the URL itself.
    endpoint_label: str | None = None
    read_only: bool = False
    theme: str = "textual-dark"
    access_key: str | None = None
    secret_key: str | None = None
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)
    # More regions listed in one table (the first is `region`); empty: just `region`.
    regions: tuple[str, ...] = ()
    # Log pane: lines kept (oldest dropped first), polling interval, Live Tail on/off,
    # seconds of history read when a tail opens.
    log_buffer: int = 100_000
    log_poll_interval: float = 1.0
    live_tail: bool = True
    log_history: int = 300
    # Keep Lambda's control-plane quotas (15 requests/s shared, GetFunction 100/s) on
    # the console's side. Off only against an endpoint without quotas (the test suite).
    pacing: bool = True
    # Seconds between refreshes of the list's health columns.
    metrics_refresh: float = 60.0
    # Functions that count as production: "key=value" matches a tag (value may be a
    # glob), anything else is a glob on the name. See `is_production`.
    prod_patterns: tuple[str, ...] = ("env=prod", "*prod*")
    # Invoke payload limits in bytes (Lambda: 6 MB synchronous, 1 MB asynchronous).
    payload_limit_sync: int = 6 * MB
    payload_limit_async: int = 1 * MB
    # Key remapping: (binding id, keys) pairs given to App.set_keymap.
    keymap: tuple[tuple[str, str], ...] = ()
    # Where incident snapshots are written; None: the current directory.
    snapshot_dir: str | None = None
    # The config file these settings came from (its directory also holds user themes).
    config_path: str | None = None
    # Problems found while loading the config or theme files, shown once the app starts.
    notices: tuple[str, ...] = ()
    # Seconds to wait for a connection and for a control-plane reply before botocore
    # tries again (Live Tail's stream and long polls wait longer), and seconds a call
    # may go unanswered before the header names the silent endpoint.
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    silence_after: float = 5.0
    # Seconds before a pane tries again after a throttle, a 5xx or a lost connection
    # (doubling on each failure, at most a minute).
    retry_after: float = 5.0
    # Tests turn animations and cursor blink off for stable screens.
    animations: bool = True
    # Replacements for the cost estimate's price table (lambdatui/data/prices.toml),
    # by the same keys, e.g. {"x86_64_gb_second": 0.0000166667}.
    prices: Mapping[str, float | str] = field(default_factory=dict, compare=False)
    # Where saved test events live (None: events/ in the user config directory).
    events_dir: str | None = None
    # The action journal (None: LAMBDATUI_JOURNAL, else journal.jsonl in the user
    # state directory).
    journal_path: str | None = None
    # A pane to open at start instead of the list (esc then goes to the list).
    start: DeepLink | None = field(default=None, compare=False)
    # List the functions (and their health, alarms and findings) as soon as the app
    # starts. Tests of one pane turn it off so nothing else calls AWS meanwhile.
    fleet_autoload: bool = True
    # Scan every function for findings once the list is in (the list's Findings column).
    # Off ([findings] on_launch = false): the scan waits until a pane wants findings
    # (`f`, a function's detail), which spares a large account its calls at each launch.
    findings_on_launch: bool = True
    # Draw the last list of this profile, endpoint and region from the user cache
    # directory at once, while the fresh one is paged in (--no-cache, [cache] enabled).
    list_cache: bool = True
    # Where the list cache lives (None: the user cache directory).
    cache_dir: str | None = None
    # What the endpoint still waits for (the demo account starting behind the first
    # frame): a blocking call the app makes in a thread before its first AWS call,
    # returning None once the endpoint serves, or why it never will.
    starting: Callable[[], str | None] | None = field(default=None, compare=False)
    starting_text: str = "Starting the demo account…"

    @property
    def all_regions(self) -> tuple[str, ...]:
        return self.regions or (self.region,)

    def is_production(self, name: str, tags: Mapping[str, str] | None = None) -> bool:
        return bool(self.production_matches(name, tags))

    def production_matches(
        self, name: str, tags: Mapping[str, str] | None = None
    ) -> tuple[str, ...]:
        """The production patterns this function matches (by tag or by name), in order."""
        matched: list[str] = []
        for pattern in self.prod_patterns:
            key, eq, value = pattern.partition("=")
            if eq:
                tag = (tags or {}).get(key.strip())
                if tag is not None and fnmatch.fnmatchcase(tag.lower(), value.strip().lower()):
                    matched.append(pattern)
            elif fnmatch.fnmatchcase(name.lower(), pattern.lower()):
                matched.append(pattern)
        return tuple(matched)


# ----- the config file ----------------------------------------------------------------


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("lambdatui", appauthor=False)) / "config.toml"


def user_themes_dir(path: Path) -> Path:
    """User themes live in themes/ beside the config file."""
    return path.parent / "themes"


class Invalid(Exception):
    pass


def _string(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("must be a non-empty string")
    return value.strip()


def _regions(value: object) -> tuple[str, ...]:
    regions = tuple(r.strip() for r in _string(value).split(",") if r.strip())
    for region in regions:
        if not REGION_RE.match(region):
            raise Invalid(f"{region!r} is not an AWS region name (e.g. us-east-1)")
    return regions


def _number(low: float, high: float, *, integer: bool = False) -> Callable[[object], Any]:
    def check(value: object) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid("must be a number")
        if integer and not isinstance(value, int):
            raise Invalid("must be a whole number")
        if not low <= value <= high:
            raise Invalid(f"must be from {_show(low)} to {_show(high)}")
        return value

    return check


def _show(number: float) -> str:
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("must be true or false")
    return value


HISTORY_NAMES = {"0": 0, "1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "3h": 10800}


def _history(value: object) -> int:
    if isinstance(value, str) and value in HISTORY_NAMES:
        return HISTORY_NAMES[value]
    raise Invalid(f"must be one of {', '.join(HISTORY_NAMES)}")


def _patterns(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        raise Invalid('must be a list of strings, e.g. ["env=prod", "*prod*"]')
    return tuple(p.strip() for p in value)


# (section, key) -> (Settings field, check); the order is the order of `config init`.
KEYS: dict[tuple[str, str], tuple[str, Callable[[object], Any]]] = {
    ("aws", "profile"): ("profile", _string),
    ("aws", "region"): ("regions", _regions),
    ("ui", "theme"): ("theme", _string),
    ("refresh", "metrics"): ("metrics_refresh", _number(5, 3600)),
    ("refresh", "logs"): ("log_poll_interval", _number(0.5, 60)),
    ("logs", "buffer"): ("log_buffer", _number(1_000, 5_000_000, integer=True)),
    ("logs", "history"): ("log_history", _history),
    ("logs", "live_tail"): ("live_tail", _boolean),
    ("invoke", "production_patterns"): ("prod_patterns", _patterns),
    ("invoke", "payload_limit_sync"): ("payload_limit_sync", _number(1, 6 * MB, integer=True)),
    ("invoke", "payload_limit_async"): ("payload_limit_async", _number(1, 1 * MB, integer=True)),
    ("snapshot", "directory"): ("snapshot_dir", _string),
    ("cache", "enabled"): ("list_cache", _boolean),
    ("findings", "on_launch"): ("findings_on_launch", _boolean),
    ("network", "connect_timeout"): ("connect_timeout", _number(0.5, 60)),
    ("network", "read_timeout"): ("read_timeout", _number(1, 300)),
    ("network", "silence_after"): ("silence_after", _number(1, 60)),
}


@dataclass
class ConfigFile:
    path: Path
    # Settings field -> value, for the keys that were present and valid.
    values: dict[str, Any] = field(default_factory=dict)
    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def load_config(path: Path) -> ConfigFile:
    """Read the config file; a missing file is no problem, a wrong value is one."""
    found = ConfigFile(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return found
    except (OSError, UnicodeDecodeError) as exc:
        found.problems.append(f"{path}: cannot be read ({exc}); using the defaults")
        return found
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found.problems.append(f"{path}: not valid TOML ({exc}); using the defaults")
        return found
    for section, table in data.items():
        if section == "keys":
            found.keymap = _keys(path, table, found.problems)
            continue
        if section == "prices":
            prices = _prices(path, table, found.problems)
            if prices:
                found.values["prices"] = prices
            continue
        if not isinstance(table, dict) or not any(s == section for s, _ in KEYS):
            found.problems.append(f"{path}: unknown setting {section!r}, ignored")
            continue
        for key, value in table.items():
            spec = KEYS.get((section, key))
            if spec is None:
                found.problems.append(f"{path}: unknown setting {section}.{key}, ignored")
                continue
            name, check = spec
            try:
                found.values[name] = check(value)
            except Invalid as exc:
                found.problems.append(
                    f"{path}: {section}.{key} = {value!r} {exc}; using the default"
                )
    return found


def _keys(path: Path, table: object, problems: list[str]) -> dict[str, str]:
    if not isinstance(table, dict):
        problems.append(f"{path}: [keys] must map binding ids to keys; ignored")
        return {}
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f'{path}: keys.{binding_id} must be a key name like "ctrl+l"')
            continue
        keymap[binding_id] = keys.strip()
    return keymap


def _prices(path: Path, table: object, problems: list[str]) -> dict[str, float | str]:
    """[prices]: replacements for the cost estimate's price table, checked one by one."""
    from .aws.cost import Prices

    if not isinstance(table, dict):
        problems.append(f"{path}: [prices] must map price names to numbers; ignored")
        return {}
    prices: dict[str, float | str] = {}
    for key, value in table.items():
        try:
            Prices().with_overrides({key: value})
        except ValueError as exc:
            problems.append(f"{path}: prices.{key}: {exc}; using the shipped price")
            continue
        prices[key] = value
    return prices


def apply_config(found: ConfigFile, **explicit: Any) -> dict[str, Any]:
    """Settings keyword arguments: the file's values under those given explicitly."""
    values = dict(found.values)
    regions = values.pop("regions", None)
    if regions:
        values["region"] = regions[0]
        values["regions"] = regions if len(regions) > 1 else ()
    values["keymap"] = tuple(found.keymap.items())
    values["config_path"] = str(found.path)
    values.update({k: v for k, v in explicit.items() if v is not None})
    return values


DEFAULT_CONFIG = """\
# lambdatui configuration. Every setting is optional: delete or comment out what
# you do not need. A wrong value is reported at start, and its default is used.

[aws]
# The profile and region used when neither --profile/--region nor AWS_PROFILE /
# AWS_REGION say otherwise. Several regions, comma-separated, list them together.
# profile = "default"
# region = "us-east-1"

[ui]
# textual-dark, textual-light, high-contrast, the files in themes/ (shipped, and
# beside this file), or any Textual theme.
# theme = "textual-dark"

[refresh]
# Seconds between refreshes of the list's health columns (5-3600).
# metrics = 60
# Seconds between log polls when Live Tail is unavailable (0.5-60).
# logs = 1.0

[logs]
# Lines kept in a log pane; the oldest are dropped first.
# buffer = 100000
# History read when a log pane opens: 0, 1m, 5m, 15m, 30m, 1h or 3h.
# history = "5m"
# Follow with CloudWatch Logs Live Tail (false: poll FilterLogEvents).
# live_tail = true

[invoke]
# Functions that count as production (a confirmation names them): "key=value"
# matches a tag (the value may be a glob), anything else is a glob on the name.
# production_patterns = ["env=prod", "*prod*"]
# Payload limits in bytes (Lambda: 6 MB synchronous, 1 MB asynchronous).
# payload_limit_sync = 6291456
# payload_limit_async = 1048576

[snapshot]
# Where incident snapshots are written (default: the current directory).
# directory = "~/incidents"

[cache]
# Draw the last function list of this profile, account and region at once (from
# the user cache directory) while the fresh one loads. No environment values.
# enabled = true

[findings]
# Scan every function for findings as soon as the list is in (the Findings column).
# false: scan when findings are first wanted (f, a function's detail); a large
# account is then spared the scan's calls at each launch.
# on_launch = true

[network]
# Seconds to wait for a connection, and for a reply to a control-plane call, before
# botocore tries again (Live Tail's stream and long polls wait longer).
# connect_timeout = 3.0
# read_timeout = 10.0
# Seconds a call may go unanswered before the top line says "no answer from ...".
# silence_after = 5.0

[prices]
# The cost estimate's prices (USD, on demand, US East by default; the shipped
# table and what it leaves out: lambdatui/data/prices.toml).
# requests_per_million = 0.20
# x86_64_gb_second = 0.0000166667
# arm64_gb_second = 0.0000133334
# Logs Insights, per GB scanned (shown before a query over more than an hour).
# insights_per_gb = 0.005

[keys]
# Remap keys by binding id (the help screen, `?`, lists the keys). Examples:
# "functions.logs" = "L"
# "app.snapshot" = "ctrl+x"
"""
