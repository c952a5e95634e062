"""SVG snapshots of the main screens on the deterministic demo world (frozen clock)."""

from __future__ import annotations

from .conftest import app_for


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_function_list_snapshot(sandbox, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for(sandbox), terminal_size=(110, 32), run_before=_settle)


def test_function_list_80x24_snapshot(sandbox, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        app_for(sandbox, read_only=True), terminal_size=(80, 24), run_before=_settle
    )


def test_detail_snapshot(sandbox, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def open_detail(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        pilot.app.goto_function("payments-webhook")
        await _settle(pilot)

    assert snap_compare(app_for(sandbox), terminal_size=(110, 48), run_before=open_detail)
