"""Command line: `lambdatui [options]` runs the console; `lambdatui sandbox` serves the demo."""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
from collections.abc import Sequence
from urllib.parse import urlparse

from . import __version__
from .config import Settings

REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class UsageError(Exception):
    """A problem the user can fix; printed as one sentence, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lambdatui",
        description="A keyboard-driven terminal console for AWS Lambda.",
        epilog="`lambdatui sandbox --help` serves the demo account for other clients.",
    )
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, else default)")
    parser.add_argument(
        "--region",
        help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region)",
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
    parser.add_argument("--theme", help="colour theme (e.g. textual-dark, textual-light)")
    parser.add_argument(
        "--demo", action="store_true", help="run on the built-in demo account (no AWS needed)"
    )
    parser.add_argument("--version", action="version", version=f"lambdatui {__version__}")
    return parser


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


def _check_theme(name: str | None) -> None:
    if not name:
        return
    from textual.theme import BUILTIN_THEMES

    if name not in BUILTIN_THEMES:
        raise UsageError(
            f"unknown theme {name!r}; choose one of: {', '.join(sorted(BUILTIN_THEMES))}"
        )


def resolve_settings(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    """Settings for AWS or an endpoint, checked before the screen starts."""
    from botocore import exceptions as bx
    from botocore.session import Session

    _check_theme(args.theme)
    profile = args.profile or env.get("AWS_PROFILE") or None
    endpoint = args.endpoint_url or env.get("AWS_ENDPOINT_URL") or None
    try:
        session = Session(profile=profile)
        session.get_scoped_config()
        region = (
            args.region
            or env.get("AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or (session.get_config_variable("region"))
        )
    except bx.ProfileNotFound as exc:
        raise UsageError(
            f"the AWS profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials"
        ) from exc
    if not region:
        raise UsageError(
            "no AWS region configured: pass --region, set AWS_REGION, "
            "or set a region in the profile"
        )
    if not REGION_RE.match(region):
        raise UsageError(f"{region!r} is not an AWS region name (e.g. us-east-1)")
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
        region=region,
        profile=profile,
        endpoint_url=endpoint,
        read_only=args.read_only,
        theme=args.theme or "textual-dark",
    )


def _run_demo(args: argparse.Namespace) -> int:
    from .sandbox import Sandbox

    _check_theme(args.theme)
    print("Starting the demo account…", file=sys.stderr)
    with Sandbox(simulate=True) as sandbox:
        settings = Settings(
            region=sandbox.region,
            endpoint_url=sandbox.endpoint_url,
            endpoint_label="demo sandbox",
            read_only=args.read_only,
            theme=args.theme or "textual-dark",
            access_key="demo",
            secret_key="demo",
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
    from .sandbox.cli import serve

    return serve(args.host, args.port, args.functions, args.world)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["sandbox"]:
            return _sandbox(argv[1:])
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
