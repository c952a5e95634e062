"""Command line: `lambdatui [options]` runs the console; `lambdatui sandbox` serves the demo."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from . import __version__
from .config import (
    DEFAULT_CONFIG,
    REGION_RE,
    ConfigFile,
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


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lambdatui",
        description="A keyboard-driven terminal console for AWS Lambda.",
    )
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
        "--demo", action="store_true", help="run on the built-in demo account (no AWS needed)"
    )
    parser.add_argument("--version", action="version", version=f"lambdatui {__version__}")
    parser.epilog = (
        "`lambdatui sandbox --help` serves the demo account for other clients; "
        "`lambdatui config path|init` shows or writes the config file."
    )
    return parser


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


def resolve_settings(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    """Settings for AWS or an endpoint, checked before the screen starts."""
    from botocore import exceptions as bx
    from botocore.session import Session

    found = _load_config(env)
    _check_theme(args.theme, found)
    profile = args.profile or env.get("AWS_PROFILE") or found.values.get("profile") or None
    endpoint = args.endpoint_url or env.get("AWS_ENDPOINT_URL") or None
    configured = found.values.get("regions") or ()
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
    if not regions:
        raise UsageError("--region names no region (e.g. us-east-1)")
    if endpoint:
        check_endpoint(endpoint)
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
    return Settings(
        **apply_config(
            found,
            region=regions[0],
            regions=regions if len(regions) > 1 else (),
            profile=profile,
            endpoint_url=endpoint,
            read_only=args.read_only or None,
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


def _run_demo(args: argparse.Namespace) -> int:
    Sandbox = _sandbox_module().Sandbox

    found = _load_config(dict(os.environ))
    _check_theme(args.theme, found)
    # The demo lives in one region and its own endpoint: the config's AWS section is not for it.
    found.values.pop("profile", None)
    found.values.pop("regions", None)
    print("Starting the demo account…", file=sys.stderr)
    with Sandbox(simulate=True) as sandbox:
        settings = Settings(
            **apply_config(
                found,
                region=sandbox.region,
                endpoint_url=sandbox.endpoint_url,
                endpoint_label="demo sandbox",
                read_only=args.read_only or None,
                theme=args.theme,
                access_key="demo",
                secret_key="demo",
                notices=tuple(found.problems),
            )
        )
        return _run_app(settings)


def _run_app(settings: Settings) -> int:
    from .app import make_app

    make_app(settings).run()
    return 0


def _sandbox(argv: Sequence[str]) -> int:
    args = _sandbox_parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0-65535)")
    if args.functions < 0:
        raise UsageError("--functions must be 0 or more")
    serve = _sandbox_module().serve
    return serve(args.host, args.port, args.functions, args.world)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["sandbox"]:
            return _sandbox(argv[1:])
        if argv[:1] == ["config"]:
            return _config(argv[1:], dict(os.environ))
        args = _parser().parse_args(argv)
        if args.demo:
            return _run_demo(args)
        return _run_app(resolve_settings(args, dict(os.environ)))
    except UsageError as exc:
        print(f"lambdatui: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
