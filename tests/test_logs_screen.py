"""The log pane against the sandbox: live events, filters, invocations, hostile lines."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from lambdatui.aws.tail import TailMode
from lambdatui.screens.logs import LogsScreen

from .helpers import app_for, client, mode, screen_text, wait_until

FUNCTION = "orders-api"
GROUP = f"/aws/lambda/{FUNCTION}"


def put(box: Any, messages: list[str], stream: str | None = None) -> str:
    """Write `messages` to the function's log group, as Lambda would, now."""
    logs = client(box, "logs")
    stream = stream or f"2026/11/27/[$LATEST]{uuid.uuid4().hex}"
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )
    return stream


def invocation(rid: str, *, error: bool = False, cold: bool = False) -> list[str]:
    lines = [f"START RequestId: {rid} Version: $LATEST\n"]
    level = "ERROR" if error else "INFO"
    lines.append(f"[{level}]\t2026-11-27T12:00:00.000Z\t{rid}\tprocessing order {rid[:4]}\n")
    lines.append(f"END RequestId: {rid}\n")
    init = "\tInit Duration: 412.50 ms" if cold else ""
    lines.append(
        f"REPORT RequestId: {rid}\tDuration: 123.45 ms\tBilled Duration: 124 ms\t"
        f"Memory Size: 512 MB\tMax Memory Used: 88 MB{init}\t\n"
    )
    return lines


async def open_logs(app: Any, pilot: Any) -> LogsScreen:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    fn = next(f for f in app.fleet.functions if f.name == FUNCTION)
    app.open_logs([fn])
    await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
    screen = app.screen
    await wait_until(
        pilot,
        lambda: (
            screen.tail_status.mode is not TailMode.CONNECTING
            and "history" not in screen.tail_status.note
        ),
    )
    return screen


def shown(screen: LogsScreen) -> list[str]:
    return [r.raw for r in screen.logview.records()]


async def test_new_events_arrive_live(sandbox: Any) -> None:
    app = app_for(sandbox, clock=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_logs(app, pilot)
        assert screen.tail_status.mode is TailMode.LIVE
        rid = str(uuid.uuid4())
        put(sandbox, invocation(rid))
        await wait_until(pilot, lambda: any(rid in line for line in shown(screen)), frames=2000)
        assert "live tail" in str(screen.query_one("#tailstatus").render())


async def test_filter_and_level_narrow_the_view(sandbox: Any) -> None:
    app = app_for(sandbox, clock=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_logs(app, pilot)
        ok, bad = str(uuid.uuid4()), str(uuid.uuid4())
        put(sandbox, invocation(ok) + invocation(bad, error=True))
        await wait_until(pilot, lambda: any(bad in line for line in shown(screen)), frames=2000)
        await pilot.press("slash", *ok[:8])
        await pilot.pause()
        assert shown(screen) and all(ok[:8] in line for line in shown(screen))
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert any(bad in line for line in shown(screen))
        await pilot.press("e")
        await pilot.pause()
        lines = shown(screen)
        assert lines and all("[ERROR]" in line for line in lines)
        assert any(bad in line for line in lines)


async def test_invocations_view_shows_duration_and_cold_start(sandbox: Any) -> None:
    app = app_for(sandbox, clock=None)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_logs(app, pilot)
        cold, warm = str(uuid.uuid4()), str(uuid.uuid4())
        put(sandbox, invocation(cold, cold=True) + invocation(warm))
        await wait_until(pilot, lambda: any(warm in line for line in shown(screen)), frames=2000)
        await pilot.press("v")
        table = screen.invocations
        await wait_until(
            pilot, lambda: {cold, warm} <= {i.request_id for i in table.view}, frames=2000
        )
        by_id = {i.request_id: i for i in table.view}
        assert by_id[cold].cold_start and by_id[cold].init_duration_ms == pytest.approx(412.5)
        assert not by_id[warm].cold_start
        assert by_id[warm].duration_ms == pytest.approx(123.45)
        rendered = [str(table.render_line(y).text) for y in range(table.size.height)]
        assert any(cold in line and "412" in line and "123" in line for line in rendered)
        # enter on an invocation shows just its lines
        table.select_key(warm)
        await pilot.press("enter")
        await pilot.pause()
        assert shown(screen) and all(warm in line for line in shown(screen))


async def test_hostile_line_is_shown_literally(sandbox: Any) -> None:
    app = app_for(sandbox, clock=None)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_logs(app, pilot)
        hostile = "pwn [bold red]x[/] \x1b[2J\x1b]52;c;aGFjaw==\x07 \x9b31m \u202eevil"
        put(sandbox, [hostile])
        await wait_until(pilot, lambda: any("pwn" in line for line in shown(screen)), frames=2000)
        await pilot.pause()
        log = screen.logview
        strips = [log.render_line(y) for y in range(log.size.height)]
        text = "\n".join(s.text for s in strips)
        assert "[bold red]x[/]" in text
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        assert "␛]52;c;aGFjaw==␇" in text
        assert "<U+202E>evil" in text
        for strip in strips:
            for segment in strip:
                assert "\x1b" not in segment.text


async def test_polling_takes_over_when_live_tail_is_unavailable(sandbox: Any) -> None:
    app = app_for(sandbox, clock=None, live_tail=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_logs(app, pilot)
        assert screen.tail_status.mode is TailMode.POLLING
        rid = str(uuid.uuid4())
        put(sandbox, invocation(rid))
        await wait_until(pilot, lambda: any(rid in line for line in shown(screen)), frames=4000)
        assert "polling" in str(screen.query_one("#tailstatus").render())


async def test_renewed_sessions_add_no_duplicates_and_no_gaps(sandbox: Any) -> None:
    sandbox.live_tail_max_seconds = 1.5
    try:
        app = app_for(sandbox, clock=None)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_logs(app, pilot)
            stream = f"2026/11/27/[$LATEST]{uuid.uuid4().hex}"
            sent: list[str] = []
            for batch in range(8):
                rid = str(uuid.uuid4())
                lines = invocation(rid)
                put(sandbox, lines, stream=stream if batch == 0 else None)
                sent.extend(lines)
                await wait_until(
                    pilot, lambda rid=rid: any(rid in x for x in shown(screen)), frames=4000
                )
            await wait_until(pilot, lambda: screen.tail_status.renewals >= 2, frames=4000)
            got = [line for line in shown(screen) if line in set(sent)]
            assert sorted(got) == sorted(sent), "every line exactly once"
    finally:
        sandbox.live_tail_max_seconds = 3 * 3600


async def test_keep_and_share_copy_save_and_open(
    sandbox: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    tmp_path.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    app = app_for(sandbox, clock=None)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_logs(app, pilot)
        rid = str(uuid.uuid4())
        put(sandbox, invocation(rid, error=True))
        await wait_until(pilot, lambda: any(rid in x for x in shown(screen)), frames=2000)
        await pilot.press("slash", *rid[:13], "enter")
        await pilot.pause()
        error_line = next(r for r in screen.logview.records() if "[ERROR]" in r.raw)
        screen.logview.move_cursor(screen.logview.records().index(error_line))
        await pilot.press("y")
        assert app.clipboard == error_line.raw
        await pilot.press("Y")
        assert app.clipboard == rid
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = list(tmp_path.glob("lambdatui-logs-orders-api-*.jsonl"))
        assert len(saved) == 1
        # Readable by the user alone; the current directory is left as it was.
        assert (mode(saved[0]), mode(tmp_path)) == (0o600, 0o755)
        assert [p.name for p in tmp_path.iterdir()] == [saved[0].name]
        rows = [json.loads(line) for line in saved[0].read_text().splitlines()]
        assert rows and all(row["requestId"] == rid for row in rows)
        assert any(str(saved[0]) in str(n.message) for n in app._notifications)
        await pilot.press("enter")
        await pilot.pause()
        from lambdatui.screens.logline import LogLineScreen

        assert isinstance(app.screen, LogLineScreen)
        assert rid in screen_text(app)


async def test_sampled_updates_are_flagged(sandbox: Any) -> None:
    app = app_for(sandbox, clock=None)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_logs(app, pilot)
        # Live Tail sends at most 500 events a second and says "sampled" when more came;
        # 3,000 in one put stays above 500 a second even when a slow machine spreads
        # their ingestion over several updates.
        put(sandbox, [f"burst line {i}\n" for i in range(3000)])
        await wait_until(pilot, lambda: screen.tail_status.sampled, frames=4000)
        await wait_until(
            pilot, lambda: "sampled" in str(screen.query_one("#tailstatus").render()), frames=400
        )


async def test_polling_takes_over_when_live_tail_is_denied(sandbox: Any) -> None:
    sandbox.deny("logs:StartLiveTail")
    try:
        app = app_for(sandbox, clock=None)
        async with app.run_test(size=(140, 40)) as pilot:
            screen = await open_logs(app, pilot)
            assert screen.tail_status.mode is TailMode.POLLING
            status = str(screen.query_one("#tailstatus").render())
            assert "polling" in status and "no permission: logs:StartLiveTail" in status
            rid = str(uuid.uuid4())
            put(sandbox, invocation(rid))
            await wait_until(pilot, lambda: any(rid in x for x in shown(screen)), frames=4000)
    finally:
        sandbox.allow()


async def test_history_of_several_streams_reads_in_time_order(
    sandbox: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    logs = client(sandbox, "logs")
    tag = uuid.uuid4().hex[:8]
    start = int(time.time() * 1000) - 120_000
    streams = [f"2026/12/04/[$LATEST]{uuid.uuid4().hex}" for _ in range(3)]
    for index, stream in enumerate(streams):
        # Written one stream after another; their lines interleave in time.
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=[
                {"timestamp": start + i * 1000 + index * 300, "message": f"{tag} s{index} {i}\n"}
                for i in range(30)
            ],
        )
    app = app_for(sandbox, clock=None)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_logs(app, pilot)

        def ours() -> list[Any]:
            return [r for r in screen.logview.records() if tag in r.raw]

        await wait_until(pilot, lambda: len(ours()) == 90, frames=2000)
        assert [r.timestamp for r in ours()] == sorted(r.timestamp for r in ours())
        assert [r.raw.split()[1] for r in ours()[:4]] == ["s0", "s1", "s2", "s0"]
        # A late line from the first stream, older than the newest one shown.
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=streams[0],
            logEvents=[{"timestamp": start + 15_500, "message": f"{tag} late\n"}],
        )
        await wait_until(pilot, lambda: len(ours()) == 91, frames=4000)
        lines = [r.raw.strip() for r in ours()]
        at = lines.index(f"{tag} late")
        assert lines[at - 1 : at + 2] == [f"{tag} s1 15", f"{tag} late", f"{tag} s2 15"]
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = next(tmp_path.glob("lambdatui-logs-orders-api-*.jsonl"))
    rows = [json.loads(line) for line in saved.read_text().splitlines()]
    times = [row["timestamp"] for row in rows]
    assert times == sorted(times)
    assert sum(tag in row["raw"] for row in rows) == 91
