"""Render the main screens on the deterministic demo world into screenshots/*.svg.

uv run python screenshots/make.py [--out DIR] [--theme NAME]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lambdatui.app import LambdaTui, make_app
from lambdatui.config import Settings
from lambdatui.sandbox import Sandbox

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
SIZE = (120, 36)


async def settle(app: LambdaTui, pilot: Any) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def functions(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)


async def detail(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)
    app.goto_function("payments-webhook")
    await settle(app, pilot)


async def filtered(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)
    await pilot.press("slash", *"payments")
    await settle(app, pilot)


async def help_screen(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)
    await pilot.press("question_mark")
    await settle(app, pilot)


SHOTS: dict[str, Callable[[LambdaTui, Any], Awaitable[None]]] = {
    "functions": functions,
    "functions-filtered": filtered,
    "detail": detail,
    "help": help_screen,
}


async def render(box: Sandbox, out: Path, theme: str, suffix: str) -> list[Path]:
    written = []
    for name, steps in SHOTS.items():
        settings = Settings(
            region=box.region,
            endpoint_url=box.endpoint_url,
            endpoint_label="demo sandbox",
            access_key="demo",
            secret_key="demo",
            theme=theme,
            clock=lambda: NOW,
            animations=False,
        )
        app = make_app(settings, system_clipboard=False)
        async with app.run_test(size=SIZE) as pilot:
            await steps(app, pilot)
            path = out / f"{name}{suffix}.svg"
            path.write_text(app.export_screenshot(title=f"lambdatui: {name}"))
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()
    with Sandbox(now=NOW) as box:
        paths = asyncio.run(render(box, args.out, "textual-dark", ""))
        paths += asyncio.run(render(box, args.out, "textual-light", "-light"))
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
