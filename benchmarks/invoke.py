"""The invoke pane's overhead over a plain boto3 invoke (invoke issue).

Against `lambdatui sandbox` (the demo world) in another process, invokes
`dev-sandbox-hello` (a handler that returns at once) in alternating rounds:
from the invoke pane (ctrl+j posted as a key, to the first frame written after
the response is on screen) and with boto3 (`invoke(..., LogType="Tail")`, the
same request the pane makes, payload read). Prints both medians and the
console's overhead (target <= 50 ms median). Both pay the sandbox's handler
run, so the difference is the console's own cost: request building, aiobotocore,
parsing the log tail and rendering.

    uv run python benchmarks/invoke.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

import boto3
from common import CREDS, KeyTimer, start_sandbox

from lambdatui.app import make_app
from lambdatui.config import Settings
from lambdatui.screens.invoke import InvokeScreen

FUNCTION = "dev-sandbox-hello"
EVENT = b'{"name": "bench"}'


async def run(url: str, rounds: int) -> tuple[list[float], list[float]]:
    os.environ.update(CREDS)
    lam = boto3.client(
        "lambda",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=CREDS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDS["AWS_SECRET_ACCESS_KEY"],
    )
    settings = Settings(region="us-east-1", endpoint_url=url, animations=False)
    app = make_app(settings, system_clipboard=False)
    console: list[float] = []
    plain: list[float] = []
    async with app.run_test(size=(140, 40)) as pilot:
        while not app.fleet.functions:
            await pilot.pause(0.05)
        app.open_invoke(next(f for f in app.fleet.functions if f.name == FUNCTION))
        while not (isinstance(app.screen, InvokeScreen) and app.screen.query("#event")):
            await pilot.pause(0.05)
        screen = app.screen
        screen.editor.text = EVENT.decode()
        await app.workers.wait_for_complete()
        timer = KeyTimer(app, screen, "show_result")
        for index in range(rounds + 2):  # two warm-up rounds of each
            timer.press("ctrl+j")
            while len(timer.handled) <= index or timer.frames[-1] < timer.handled[-1]:
                await pilot.pause(0.001)
            begin = time.perf_counter()
            reply = await asyncio.to_thread(
                lam.invoke, FunctionName=FUNCTION, Payload=EVENT, LogType="Tail"
            )
            reply["Payload"].read()
            plain.append(time.perf_counter() - begin)
        console = timer.latencies()
    return console[2:], sorted(plain[2:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    proc, url = start_sandbox()
    try:
        console, plain = asyncio.run(run(url, args.rounds))
    finally:
        proc.terminate()
        proc.wait()
    console_ms = statistics.median(console) * 1000
    plain_ms = statistics.median(plain) * 1000
    print(f"rounds: {len(console)} console, {len(plain)} boto3")
    print(f"invoke pane, ctrl+j to response on screen: median {console_ms:.1f} ms")
    print(f"boto3 invoke of the same function:          median {plain_ms:.1f} ms")
    print(f"console overhead (median difference):        {console_ms - plain_ms:.1f} ms")


if __name__ == "__main__":
    main()
