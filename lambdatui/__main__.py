"""Command line: `lambdatui [options]` runs the console; `lambdatui sandbox` serves the demo."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from . import __version__
from .applog import LOG_ENV
from .config import (
    DEFAULT_CONFIG,
    REGION_RE,
    ConfigFile,
    DeepLink,
    Settings,
    apply_config,
    config_path,
    load_config,
    user_themes_dir,
)


class UsageError(Exception):
    """A problem the user can fix; printed as one sentence, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# Panes a command line can open straight away (esc then goes to the list).
DEEP_LINKS = {
    "show": "the function's detail",
    "logs": "a live tail of the functions' logs (merged when several)",
    "metrics": "the function's metric charts",
    "dlq": "the function's dead-letter queues",
    "invoke": "the invoke pane, to send the function a test event",
    "insights": "Logs Insights over the functions' log groups, running the query",
}
SINCE_RE = re.compile(r"^(\d+)([smhd])$")
SINCE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _connection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, else default)")
    parser.add_argument(
        "--region",
        help="AWS region, or several comma-separated listed together "
        "(default: AWS_REGION, AWS_DEFAULT_REGION, the config, or the profile's region)",
    )
    parser.add_argument(
        "--endpoint-url",
        help="send every AWS call to this URL (LocalStack, moto; default: AWS_ENDPOINT_URL)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="never send a mutating call (invoke, redrive, delete, purge)",
    )
    parser.add_argument(
        "--theme", help="colour theme (textual-dark, textual-light, high-contrast, themes/ files)"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="do not draw (or keep) the last function list from the user cache directory",
    )
    parser.add_argument(
        "--demo", action="store_true", help="run on the built-in demo account (no AWS needed)"
    )
    parser.add_argument(
        "--log-file",
        metavar="PATH",
        help=f"write the console's own log there (default: {LOG_ENV}; no secrets, no payloads)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="log each AWS call's action and outcome too"
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lambdatui",
        description="A keyboard-driven terminal console for AWS Lambda.",
    )
    _connection_flags(parser)
    parser.add_argument("--version", action="version", version=f"lambdatui {__version__}")
    links = ", ".join(f"`lambdatui {name} NAME`" for name in DEEP_LINKS)
    parser.epilog = (
        f"{links} open one pane straight away. "
        "`lambdatui sandbox --help` serves the demo account for other clients; "
        "`lambdatui config path|init` shows or writes the config file."
    )
    return parser


def _link_parser(pane: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"lambdatui {pane}", description=f"Open {DEEP_LINKS[pane]}.")
    several = pane in ("logs", "insights")
    parser.add_argument(
        "names",
        nargs="+" if several else 1,
        metavar="NAME",
        help="function names or ARNs" if several else "function name or ARN",
    )
    if pane == "logs":
        parser.add_argument("--since", help="history to read first, e.g. 15m, 1h, 3h (at most 3h)")
    if pane == "insights":
        parser.add_argument(
            "--since", help="the query's time range, back from now, e.g. 15m, 1h, 2d (default 1h)"
        )
        parser.add_argument(
            "--query",
            metavar="TEXT",
            help="the Logs Insights query (default: the latest 100 lines with their request ids)",
        )
    _connection_flags(parser)
    return parser


# Flags that take a value, so their value is not mistaken for a deep link's name.
VALUED_FLAGS = {
    "--profile",
    "--region",
    "--endpoint-url",
    "--theme",
    "--log-file",
    "--since",
    "--query",
}


def _split_link(argv: list[str]) -> tuple[str | None, list[str]]:
    """The deep link named by the first positional word (flags may come before it:
    `lambdatui --demo logs NAME`), and the words left for its parser."""
    skip = False
    for i, word in enumerate(argv):
        if skip:
            skip = False
            continue
        if word in VALUED_FLAGS:
            skip = True
            continue
        if word.startswith("-"):
            continue
        if word in DEEP_LINKS:
            return word, argv[:i] + argv[i + 1 :]
        return None, argv
    return None, argv


def _since(value: str | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    match = SINCE_RE.match(value.strip())
    if not match:
        raise UsageError(f"--since {value!r} is not a duration like 90s, 15m, 1h or 2d")
    return now - timedelta(seconds=int(match[1]) * SINCE_UNITS[match[2]])


def _config_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lambdatui config",
        description="The config file (TOML; LAMBDATUI_CONFIG overrides where it is).",
    )
    parser.add_argument(
        "command",
        choices=("path", "init"),
        help="path: print where the file is; init: write a commented default there",
    )
    parser.add_argument("--force", action="store_true", help="init: replace an existing file")
    return parser


def _config(argv: Sequence[str], env: dict[str, str]) -> int:
    args = _config_parser().parse_args(argv)
    path = config_path(env)
    if args.command == "path":
        print(path)
        return 0
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists; pass --force to replace it")
    from .files import write_text

    try:
        write_text(path, DEFAULT_CONFIG)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    print(f"Wrote {path}")
    return 0


def _sandbox_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lambdatui sandbox", description="Serve the demo AWS account over HTTP until Ctrl-C."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=4566, help="port (0 picks a free one)")
    parser.add_argument(
        "--functions",
        type=int,
        default=0,
        metavar="N",
        help="add N extra simple functions (for load tests)",
    )
    parser.add_argument(
        "--world",
        choices=("demo", "empty"),
        default="demo",
        help="the demo account, or an empty one",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=None,
        metavar="X",
        help=(
            "multiply AWS's waits by X: an asynchronous invoke's retries after 1 and 2 "
            "minutes, a throttled event's backoff and maximum age, demo functions' runs "
            "longer than 3 s (1 = AWS's real times; default 1/60: a minute takes a second)"
        ),
    )
    return parser


def check_endpoint(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageError(f"--endpoint-url {url!r} is not an http(s) URL")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=3):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"the endpoint {url} is unreachable ({reason})") from exc


def _check_theme(name: str | None, found: ConfigFile) -> None:
    """A --theme that names no theme is a usage error (a config one falls back in the app)."""
    if not name:
        return
    from .themes import builtin_themes, load_theme_files, shipped_dir

    names = set(builtin_themes())
    names |= set(load_theme_files([shipped_dir(), user_themes_dir(found.path)]).themes)
    if name not in names:
        raise UsageError(f"unknown theme {name!r}; choose one of: {', '.join(sorted(names))}")


def _regions(value: str) -> tuple[str, ...]:
    regions = tuple(dict.fromkeys(r.strip() for r in value.split(",") if r.strip()))
    for region in regions:
        if not REGION_RE.match(region):
            raise UsageError(f"{region!r} is not an AWS region name (e.g. us-east-1)")
    return regions


def _load_config(env: dict[str, str]) -> ConfigFile:
    found = load_config(config_path(env))
    for problem in found.problems:
        print(f"lambdatui: {problem}", file=sys.stderr)
    return found


def _from_environment(
    profile: str | None, region: str | None, endpoint: str | None, env: dict[str, str]
) -> bool:
    """Whether the environment alone says everything botocore would find (keys, region,
    and no profile or config file that could add an endpoint): then the checks below
    need not import botocore, which costs a third of a second before the first frame."""
    if (
        profile
        or not region
        or not (env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"))
    ):
        return False
    config_file = env.get("AWS_CONFIG_FILE") or "~/.aws/config"
    return bool(endpoint) or not os.path.exists(os.path.expanduser(config_file))


def resolve_settings(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    """Settings for AWS or an endpoint, checked before the screen starts."""
    found = _load_config(env)
    _check_theme(args.theme, found)
    profile = args.profile or env.get("AWS_PROFILE") or found.values.get("profile") or None
    endpoint = args.endpoint_url or env.get("AWS_ENDPOINT_URL") or None
    configured = found.values.get("regions") or ()
    quick_region = (
        args.region
        or env.get("AWS_REGION")
        or env.get("AWS_DEFAULT_REGION")
        or ",".join(configured)
    )
    if _from_environment(profile, quick_region, endpoint, env):
        return _settings(args, found, _regions(quick_region), None, endpoint)
    from botocore import exceptions as bx
    from botocore.session import Session

    try:
        session = Session(profile=profile)
        scoped = session.get_scoped_config()
        region = (
            args.region
            or env.get("AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or ",".join(configured)
            or (session.get_config_variable("region"))
        )
        endpoint = endpoint or scoped.get("endpoint_url") or None
    except bx.ProfileNotFound as exc:
        raise UsageError(
            f"the AWS profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials"
        ) from exc
    if not region:
        raise UsageError(
            "no AWS region configured: pass --region, set AWS_REGION, "
            "or set a region in the profile"
        )
    regions = _regions(region)
    try:
        credentials = session.get_credentials()
    except bx.BotoCoreError as exc:
        raise UsageError(f"AWS credentials could not be loaded: {exc}") from exc
    if credentials is None:
        where = f"profile {profile!r}" if profile else "the default profile or the environment"
        raise UsageError(
            f"no AWS credentials found in {where}: run `aws configure` or "
            "`aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    return _settings(args, found, regions, profile, endpoint)


def _settings(
    args: argparse.Namespace,
    found: ConfigFile,
    regions: tuple[str, ...],
    profile: str | None,
    endpoint: str | None,
) -> Settings:
    if not regions:
        raise UsageError("--region names no region (e.g. us-east-1)")
    if endpoint:
        check_endpoint(endpoint)
    return Settings(
        **apply_config(
            found,
            region=regions[0],
            regions=regions if len(regions) > 1 else (),
            profile=profile,
            endpoint_url=endpoint,
            read_only=args.read_only or None,
            list_cache=False if args.no_cache else None,
            theme=args.theme,
            notices=tuple(found.problems),
        )
    )


def _sandbox_module() -> Any:
    from .demo import DemoUnavailable, sandbox_module

    try:
        return sandbox_module()
    except DemoUnavailable as exc:
        raise UsageError(str(exc)) from exc


def _run_demo(args: argparse.Namespace, pane: str | None = None) -> int:
    from .demo import DemoUnavailable, StartingDemo, check_demo

    try:
        check_demo()
    except DemoUnavailable as exc:
        raise UsageError(str(exc)) from exc
    found = _load_config(dict(os.environ))
    _check_theme(args.theme, found)
    # The demo lives in one region and its own endpoint: the config's AWS section is not for it.
    found.values.pop("profile", None)
    found.values.pop("regions", None)
    ignored = [
        flag
        for flag, value in (
            ("--profile", args.profile),
            ("--region", args.region),
            ("--endpoint-url", args.endpoint_url),
        )
        if value
    ]
    notices = list(found.problems)
    if ignored:
        sentence = (
            f"{', '.join(ignored)} ignored: the demo account has one region (us-east-1) "
            "and its own endpoint"
        )
        print(f"lambdatui: {sentence}", file=sys.stderr)
        notices.append(sentence)
    # The account comes up on a thread behind the console's first frame (a deep link
    # waits for it here: it looks its functions up before the screen starts).
    demo = StartingDemo().start()
    try:
        settings = Settings(
            **apply_config(
                found,
                region=demo.region,
                endpoint_url=demo.endpoint_url,
                endpoint_label="demo sandbox",
                read_only=args.read_only or None,
                # A new endpoint each time: nothing to keep for the next launch.
                list_cache=False,
                theme=args.theme,
                access_key="demo",
                secret_key="demo",
                notices=tuple(notices),
                starting=demo.wait,
            )
        )
        if pane is not None:
            print(settings.starting_text, file=sys.stderr)
            problem = demo.wait()
            if problem is not None:
                raise UsageError(problem)
            settings = link_settings(replace(settings, starting=None), pane, args)
        return _run_app(settings)
    finally:
        demo.stop()


def _run_app(settings: Settings) -> int:
    from .app import make_app

    _log_start(settings)
    make_app(settings).run()
    return 0


def _log_start(settings: Settings) -> None:
    """What the console started with, in its own log (never the keys)."""
    from .applog import log

    log.info(
        "lambdatui %s: profile=%s regions=%s endpoint=%s read_only=%s theme=%s config=%s%s",
        __version__,
        settings.profile or "default",
        ",".join(settings.all_regions),
        settings.endpoint_label or settings.endpoint_url or "AWS",
        settings.read_only,
        settings.theme,
        settings.config_path,
        f" start={settings.start.pane}" if settings.start else "",
    )


def link_settings(settings: Settings, pane: str, args: argparse.Namespace) -> Settings:
    """The deep link's functions looked up before the screen starts (exit 2 if unknown)."""
    return asyncio.run(linked_settings(settings, pane, args))


async def linked_settings(settings: Settings, pane: str, args: argparse.Namespace) -> Settings:
    names = list(dict.fromkeys(args.names))
    since = _since(getattr(args, "since", None), settings.clock())
    query = getattr(args, "query", None)
    if pane == "insights":
        from .aws.insights import MAX_GROUPS

        if len(names) > MAX_GROUPS:
            raise UsageError(
                f"Logs Insights reads at most {MAX_GROUPS} log groups at once; {len(names)} named"
            )
        if query is not None and not query.strip():
            raise UsageError("--query is empty")
    functions = await _find_functions(settings, names)
    return replace(settings, start=DeepLink(pane, tuple(functions), since=since, query=query))


async def _find_functions(settings: Settings, names: list[str]) -> list[Any]:
    from .aws.errors import AwsError, NotFound
    from .aws.functions import find_function
    from .aws.session import AwsSession, Target

    session = AwsSession(
        Target(
            profile=settings.profile,
            region=settings.region,
            endpoint_url=settings.endpoint_url,
            access_key=settings.access_key,
            secret_key=settings.secret_key,
        )
    )
    session.max_attempts = 2
    found = []
    try:
        for name in names:
            for region in settings.all_regions:
                try:
                    found.append(await find_function(session.in_region(region), name))
                    break
                except NotFound:
                    continue
                except AwsError as exc:
                    raise UsageError(f"cannot look up {name!r}: {exc.sentence}") from exc
            else:
                where = ", ".join(settings.all_regions)
                raise UsageError(
                    f"no function named {name!r} in {where} "
                    f"(profile {settings.profile or 'default'})"
                )
    finally:
        await session.close()
    return found


def _open_log(args: argparse.Namespace, env: dict[str, str]) -> None:
    path = args.log_file or env.get(LOG_ENV)
    if not path:
        return
    from .applog import start_log

    try:
        start_log(path, debug=args.debug)
    except OSError as exc:
        raise UsageError(f"cannot write the log file {path}: {exc.strerror or exc}") from exc


def _sandbox(argv: Sequence[str]) -> int:
    args = _sandbox_parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0-65535)")
    if args.functions < 0:
        raise UsageError("--functions must be 0 or more")
    if args.time_scale is not None and not 0 < args.time_scale < float("inf"):
        raise UsageError("--time-scale must be a number more than 0")
    serve = _sandbox_module().serve
    if args.time_scale is None:
        return serve(args.host, args.port, args.functions, args.world)
    return serve(args.host, args.port, args.functions, args.world, time_scale=args.time_scale)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["sandbox"]:
            return _sandbox(argv[1:])
        if argv[:1] == ["config"]:
            return _config(argv[1:], dict(os.environ))
        env = dict(os.environ)
        pane, rest = _split_link(argv)
        args = _link_parser(pane).parse_args(rest) if pane else _parser().parse_args(argv)
        _open_log(args, env)
        if args.demo:
            return _run_demo(args, pane)
        settings = resolve_settings(args, env)
        if pane is not None:
            settings = link_settings(settings, pane, args)
        return _run_app(settings)
    except UsageError as exc:
        print(f"lambdatui: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
