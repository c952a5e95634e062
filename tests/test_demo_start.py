"""`--demo` starts the console while the demo account comes up behind its first frame."""

from __future__ import annotations

import threading

from lambdatui.app import make_app
from lambdatui.config import Settings
from lambdatui.demo import StartingDemo

from .helpers import listed, screen_text, wait_until


def _settings(demo: StartingDemo, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "region": demo.region,
        "endpoint_url": demo.endpoint_url,
        "endpoint_label": "demo sandbox",
        "access_key": "demo",
        "secret_key": "demo",
        "animations": False,
        "pacing": False,
        "list_cache": False,
        "starting": demo.wait,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def test_the_list_frame_says_the_demo_is_starting_then_lists_it() -> None:
    demo = StartingDemo().start()
    released = threading.Event()

    def starting() -> str | None:
        released.wait()  # (the test says when the demo is up: what comes first is seen)
        return demo.wait()

    try:
        app = make_app(_settings(demo, starting=starting), system_clipboard=False)
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.table
            await wait_until(pilot, lambda: table.empty_text == "Starting the demo account…")
            assert not table.rows
            assert str(app.screen.query_one("#count").render()) == "starting…"
            assert "Functions" in screen_text(app)
            released.set()
            await listed(pilot)
            assert len(app.screen.table.rows) == 30
            assert str(app.screen.query_one("#count").render()) == "30 functions"
    finally:
        released.set()
        demo.stop()


async def test_a_demo_that_does_not_start_is_one_sentence_on_screen() -> None:
    demo = StartingDemo()  # (never started: only its port is taken)

    def starting() -> str:
        return "the demo account did not start: OSError: no room"

    try:
        app = make_app(_settings(demo, starting=starting), system_clipboard=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.fleet.load_error is not None)
            await pilot.pause()
            text = screen_text(app)
            assert "Could not list functions: the demo account did not start" in text
            assert "Traceback" not in text
    finally:
        demo.listener.close()
