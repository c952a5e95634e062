"""Every screen renders at 80x24 under NO_COLOR and under each shipped theme: a walk
through every screen per colour mode (no exception, no traceback, every screen drawn).
The world is the demo account's simulated history with a frozen clock."""

from __future__ import annotations

import pytest

from lambdatui_sandbox import Sandbox

from .colourmodes import MODES, SCREENS, SIZE, app_in, history, to_list
from .helpers import listed, settled

__all__ = ["history"]


@pytest.mark.parametrize("mode", MODES)
async def test_every_screen_renders_in_each_colour_mode(
    history: Sandbox, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    app = app_in(history, mode, monkeypatch, findings_on_launch=True)
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        await settled(pilot)
        for name, steps in SCREENS.items():
            screen = await steps(pilot)
            assert app.screen is screen, name
            svg = app.export_screenshot()
            assert "Traceback" not in svg, name
            await to_list(pilot)
            if name == "account":
                await pilot.press("a")  # the account line closed again
    # A crash while drawing ends the app with its exception: none did.
    assert app.return_code in (None, 0)
