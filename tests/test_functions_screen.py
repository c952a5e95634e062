"""The function list, driven with Pilot against the sandbox over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.widgets import OptionList

from lambdatui.aws import functions as functions_core
from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.functions import FunctionsScreen, FunctionTable

from .helpers import all_functions, app_for, screen_text, spawn_sandbox, wait_until


async def _loaded(pilot) -> FunctionTable:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen.query_one(FunctionTable)


async def test_list_shows_every_function_with_count(sandbox) -> None:
    expected = sorted(fn["FunctionName"] for fn in all_functions(sandbox))
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _loaded(pilot)
        assert [f.name for f in table.view] == expected
        count = str(app.screen.query_one("#count").render())
        assert count == f"{len(expected)} functions"
        # The account, once STS has answered (asked for after the first rows).
        where = app.screen.query_one("#where")
        await wait_until(pilot, lambda: "123456789012" in str(where.render()))


async def test_list_pages_through_many_functions_showing_rows_as_they_come(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with spawn_sandbox("--functions", "120") as box:
        expected = sorted(fn["FunctionName"] for fn in all_functions(box))
        assert len(expected) > 100, "must span several ListFunctions pages of 50"
        app = app_for(box)
        shown_when_fetched: list[int] = []
        real_pages = functions_core.list_function_pages

        async def observed_pages(session: Any) -> Any:
            async for page in real_pages(session):
                if shown_when_fetched:
                    # Before handing on a later page: the earlier ones are drawn meanwhile
                    # (a few turns of the loop; a list drawn only at the end never is).
                    for _ in range(500):
                        if _rows() >= 50:
                            break
                        await asyncio.sleep(0)
                shown_when_fetched.append(_rows())
                yield page

        def _rows() -> int:
            shown = app.screen.query(FunctionTable)
            return len(shown.first().rows) if shown else 0

        monkeypatch.setattr(functions_core, "list_function_pages", observed_pages)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await _loaded(pilot)
            assert [f.name for f in table.view] == expected
        # When the last page came back, the first was already in the table.
        assert len(shown_when_fetched) == 3
        assert shown_when_fetched[0] == 0
        assert shown_when_fetched[-1] >= 50


async def test_filter_narrows_by_name_runtime_and_tag_then_clears(sandbox) -> None:
    functions = all_functions(sandbox)
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _loaded(pilot)
        total = len(table.view)
        await pilot.press("slash", *"java")
        await pilot.pause()
        java = {f["FunctionName"] for f in functions if f.get("Runtime", "").startswith("java")}
        assert java and {f.name for f in table.view} == java
        assert str(app.screen.query_one("#count").render()) == f"{len(java)} of {total} functions"

        await pilot.press("escape")
        await pilot.pause()
        assert len(table.view) == total
        assert str(app.screen.query_one("#count").render()) == f"{total} functions"

        await pilot.press("slash", *"staging")
        await pilot.pause()
        staging = {f.name for f in table.view}
        assert staging and all(f.tag("env") == "staging" for f in table.view)
        assert len(staging) < total


async def test_sort_by_memory_both_ways(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _loaded(pilot)
        await pilot.press("M")
        await pilot.pause()
        memories = [f.memory_mb for f in table.view]
        assert memories == sorted(memories)
        await pilot.press("M")
        await pilot.pause()
        memories = [f.memory_mb for f in table.view]
        assert memories == sorted(memories, reverse=True)
        assert "sorted by memory ▼" in str(app.screen.query_one("#title").render())


async def test_sort_picker_sorts_by_chosen_column(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _loaded(pilot)
        await pilot.press("o")
        await pilot.pause()
        position = [c.key for c in table.columns if c.sort_key].index("timeout")
        await pilot.press(*["down"] * position, "enter")
        await pilot.pause()
        assert table.sort_column == "timeout"
        timeouts = [f.timeout_s for f in table.view]
        assert timeouts == sorted(timeouts)


async def test_copy_arn_puts_it_on_the_clipboard(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _loaded(pilot)
        await pilot.press("down", "y")
        await pilot.pause()
        fn = table.current
        assert fn is not None
        assert app.clipboard == fn.arn
        assert any(f"ARN of {fn.name}" in str(n.message) for n in app._notifications)


async def test_enter_opens_detail_and_escape_comes_back(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _loaded(pilot)
        name = table.view[0].name
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert name in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FunctionsScreen)


async def test_read_only_shows_in_header(sandbox) -> None:
    app = app_for(sandbox, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot)
        assert str(app.screen.query_one("#mode").render()) == "READ-ONLY"


async def test_empty_account_says_so(empty_sandbox) -> None:
    app = app_for(empty_sandbox)
    async with app.run_test(size=(100, 24)) as pilot:
        table = await _loaded(pilot)
        assert table.view == []
        assert str(app.screen.query_one("#count").render()) == "0 functions"
        lines = [str(table.render_line(y).text) for y in range(4)]
        assert any("No Lambda functions in us-east-1" in line for line in lines)


async def test_help_lists_keys_of_every_screen(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await _loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for expected in ("Function list", "Function detail", "Filter", "Reveal env", "Copy ARN"):
            assert expected in text


async def test_palette_goes_to_a_function(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _loaded(pilot)
        target = table.view[-1].name
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*f"go to function {target}")
        options = app.screen.query_one(OptionList)
        await wait_until(
            pilot,
            lambda: (
                options.option_count > 0 and target in str(options.get_option_at_index(0).prompt)
            ),
        )
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.function.name == target


def _header(table: FunctionTable) -> str:
    """The table's header line as drawn."""
    return "".join(segment.text for segment in table.render_line(0))


async def test_hidden_columns_show_when_their_keys_are_used_and_can_be_chosen(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _loaded(pilot)
        at_80 = _header(table).split()
        assert "Cost" not in at_80 and "Alarms" not in at_80 and "State" not in at_80

        # `$` sorts by cost: the Cost column shows, in place of a lower-priority one.
        await pilot.press("dollar_sign")
        await pilot.pause()
        header = _header(table)
        assert "Cost ▼" in header and "Name" in header and len(header.rstrip()) <= 80
        assert "p95 ms" not in header  # what gave way
        await pilot.press("N")
        await pilot.pause()
        assert "Cost" not in _header(table)

        # `b` keeps only functions in ALARM: the Alarms column shows while it does.
        await pilot.press("b")
        await pilot.pause()
        assert "Alarms" in _header(table)
        await pilot.press("b")
        await pilot.pause()
        assert "Alarms" not in _header(table)

        # The column picker (also in the palette): State shown, Err % hidden.
        await pilot.press("v")
        await wait_until(pilot, lambda: bool(app.screen.query("#column-list")))
        options = app.screen.query_one("#column-list", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "name" not in ids  # the name always shows
        options.highlighted = ids.index("state")
        await pilot.press("space")
        options.highlighted = ids.index("error_rate")
        await pilot.press("space")
        await pilot.pause()
        assert str(options.get_option_at_index(ids.index("state")).prompt).startswith("[x] State")
        await pilot.press("escape")
        await pilot.pause()
        header = _header(table)
        assert "State" in header and "Err %" not in header

        # The choice holds for the session: a new list shows the same columns.
        app.push_screen(FunctionsScreen())
        await wait_until(pilot, lambda: app.screen is not table.screen)
        await _loaded(pilot)
        again = app.screen.query_one(FunctionTable)
        await wait_until(pilot, lambda: "State" in _header(again))
        assert "Err %" not in _header(again)


async def test_the_palette_offers_choose_columns(sandbox) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"choose columns")
        options = app.screen.query_one(OptionList)
        await wait_until(
            pilot,
            lambda: (
                options.option_count > 0
                and "Choose columns" in str(options.get_option_at_index(0).prompt)
            ),
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app.screen.query("#column-list")))
