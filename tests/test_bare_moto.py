"""The console against a bare moto server (no sandbox extensions): every gap named.

A second target besides the sandbox: an endpoint that answers some calls as AWS
does, some with HTTP 500 or a 404 HTML page, and streams Live Tail snapshots of
every group. The console must degrade, saying what is missing, and never show a
reply body.
"""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from lambdatui.aws.tail import TailMode
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.logs import LogsScreen

from .helpers import (
    RemoteSandbox,
    SilentEndpoint,
    app_for,
    client,
    listed,
    screen_text,
    spawn_bare_moto,
    wait_until,
)

FUNCTION = "bare-orders"
OTHER = "bare-other"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


@pytest.fixture(scope="module")
def bare() -> Iterator[RemoteSandbox]:
    """A plain moto server on a free port, with two functions, their log groups and
    a minute of metrics (a percentile of them is what moto fails on)."""
    with spawn_bare_moto() as box:
        _seed(box)
        yield box


def _seed(box: RemoteSandbox) -> None:
    role = client(box, "iam").create_role(
        RoleName="bare-role", AssumeRolePolicyDocument="{}", Path="/"
    )["Role"]["Arn"]
    lam = client(box, "lambda")
    logs = client(box, "logs")
    cw = client(box, "cloudwatch")
    now = datetime.now(UTC)
    for name in (FUNCTION, OTHER):
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": _zip()},
        )
        logs.create_log_group(logGroupName=f"/aws/lambda/{name}")
        dims = [{"Name": "FunctionName", "Value": name}]
        cw.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {"MetricName": "Invocations", "Dimensions": dims, "Value": 7.0, "Timestamp": now},
                {"MetricName": "Duration", "Dimensions": dims, "Value": 120.0, "Timestamp": now},
            ],
        )


def put(box: RemoteSandbox, function: str, message: str) -> None:
    logs = client(box, "logs")
    group = f"/aws/lambda/{function}"
    stream = f"2026/12/04/[$LATEST]{uuid.uuid4().hex}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(time.time() * 1000), "message": message}],
    )


def no_reply_body(text: str) -> bool:
    return "<" not in text and "doctype" not in text.lower()


async def test_refused_percentile_leaves_other_health_figures(bare: RemoteSandbox) -> None:
    # moto answers HTTP 500 for the whole GetMetricData call once a p95 has data.
    app = app_for(bare, clock=None, endpoint_label="bare moto")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await listed(pilot)
        assert isinstance(screen, FunctionsScreen)
        await wait_until(pilot, lambda: "p95 duration unavailable" in screen_text(app), frames=4000)
        text = screen_text(app)
        endpoint = bare.endpoint_url.removeprefix("http://")
        assert f"{endpoint} refuses percentile statistics in GetMetricData" in text
        assert no_reply_body(text)
        table = screen.table
        lines = [str(table.render_line(y).text) for y in range(table.size.height)]
        row = next(line for line in lines if FUNCTION in line)
        # The invocations are there; the p95 column says it is unavailable, not "-".
        assert " 7 " in row and "n/a" in row


async def test_account_view_names_the_missing_action(bare: RemoteSandbox) -> None:
    app = app_for(bare, clock=None, endpoint_label="bare moto")
    async with app.run_test(size=(160, 40)) as pilot:
        await listed(pilot)
        await pilot.press("a")
        endpoint = bare.endpoint_url.removeprefix("http://")
        sentence = f"lambda:GetAccountSettings is not implemented by {endpoint} (HTTP 404)"
        await wait_until(pilot, lambda: sentence in screen_text(app), frames=4000)
        assert no_reply_body(screen_text(app))


async def test_live_tail_ending_at_once_turns_to_polling_of_the_group_asked(
    bare: RemoteSandbox,
) -> None:
    put(bare, OTHER, "a line of the other function")
    app = app_for(bare, clock=None, endpoint_label="bare moto")
    async with app.run_test(size=(160, 40)) as pilot:
        await listed(pilot)
        fn = next(f for f in app.fleet.functions if f.name == FUNCTION)
        app.open_logs([fn])
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        # moto's Live Tail sends one snapshot and closes: said on the first session.
        await wait_until(
            pilot,
            lambda: (
                screen.tail_status.mode is TailMode.POLLING
                and "Live Tail unavailable" in screen.tail_status.note
            ),
            frames=4000,
        )
        assert screen.tail_status.renewals <= 1  # the first session told, not the third
        rid = uuid.uuid4().hex
        put(bare, FUNCTION, f"order {rid} shipped")
        await wait_until(
            pilot,
            lambda: any(rid in r.raw for r in screen.logview.records()),
            frames=4000,
        )
        assert not any("other function" in r.raw for r in screen.logview.records())
        assert no_reply_body(str(screen.query_one("#tailstatus").render()))


def test_health_reads_skip_the_refused_statistic_once_known(bare: RemoteSandbox) -> None:
    """Later refreshes ask without the refused statistic at once (no 500 retried)."""
    import asyncio

    from lambdatui.aws.metrics import iter_health

    from .helpers import session_for

    async def twice() -> list[str]:
        session = session_for(bare)
        try:
            seen = []
            for _ in range(2):
                async for part in iter_health(
                    session, [FUNCTION], datetime.now(UTC) + timedelta(minutes=1), 900
                ):
                    seen += [h.unavailable("p95") for h in part.values()]
            return seen
        finally:
            await session.close()

    reasons = asyncio.run(twice())
    assert len(reasons) == 2 and all("refuses percentile statistics" in r for r in reasons)


async def test_a_silent_endpoint_is_named_until_it_answers(bare: RemoteSandbox) -> None:
    """An endpoint that accepts connections and never answers: the header says so
    within seconds (timeouts are settings, short here), and the list loads on its own
    once the endpoint answers."""
    silent = SilentEndpoint(bare.endpoint_url)
    try:
        app = app_for(
            silent,
            clock=None,
            endpoint_label="silent",
            connect_timeout=1.0,
            read_timeout=1.0,
            silence_after=2.0,
            retry_after=0.5,
        )
        endpoint = silent.endpoint_url.removeprefix("http://")
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_until(
                pilot, lambda: f"no answer from {endpoint} for" in screen_text(app), frames=4000
            )
            assert not app.fleet.functions
            silent.silent = False
            await listed(pilot)
            assert {f.name for f in app.fleet.functions} >= {FUNCTION, OTHER}
            await wait_until(pilot, lambda: "no answer from" not in screen_text(app), frames=4000)
    finally:
        silent.close()


async def test_live_tail_results_of_groups_not_asked_for_are_dropped(bare: RemoteSandbox) -> None:
    from botocore.config import Config

    from lambdatui.aws.logs import group_arn, live_tail

    from .helpers import session_for

    put(bare, OTHER, "only the other group has this line")
    mine = f"/aws/lambda/{FUNCTION}"
    # The endpoint's own answer, through boto3: events of a group not asked for.
    raw = client(bare, "logs", Config(inject_host_prefix=False))
    arn = raw.describe_log_groups(logGroupNamePrefix=mine)["logGroups"][0]["logGroupArn"]
    reply = raw.start_live_tail(logGroupIdentifiers=[arn.removesuffix(":*")])
    foreign = [
        r["logGroupIdentifier"]
        for event in reply["responseStream"]
        for r in (event.get("sessionUpdate") or {}).get("sessionResults") or []
        if FUNCTION not in r["logGroupIdentifier"]
    ]
    assert foreign, "the endpoint no longer streams other groups' events"
    session = session_for(bare)
    try:
        arns = {await group_arn(session, mine): mine}
        got = [r for update in [u async for u in live_tail(session, arns)] for r in update.records]
    finally:
        await session.close()
    assert all(r.log_group == mine for r in got)
    assert not any("other group" in r.raw for r in got)


async def test_filter_log_events_share_the_quota_across_panes(bare: RemoteSandbox) -> None:
    """Three panes polling at once draw on one FilterLogEvents bucket of 5/s."""
    import asyncio

    from lambdatui.aws.logs import filter_pages

    from .helpers import session_for

    session = session_for(bare, pacing=True)
    bucket = session.limits["logs:FilterLogEvents"]
    assert bucket.rate == 5
    try:

        async def pane() -> None:
            for _ in range(3):
                async for _page in filter_pages(session, f"/aws/lambda/{FUNCTION}", 0):
                    pass

        await asyncio.gather(pane(), pane(), pane())
    finally:
        await session.close()
    # Nine calls against a burst of five: the last ones waited for tokens.
    assert bucket.waited > 0


async def test_per_query_failures_mark_only_their_series(bare: RemoteSandbox) -> None:
    """StatusCode Forbidden / InternalError with Messages, per query.

    Stubbed: neither the sandbox nor moto answers a MetricStat query with a per-query
    failure (the sandbox only does so for metric math it cannot evaluate).
    """
    from aiobotocore.stub import AioStubber

    from lambdatui.aws.metrics import HEALTH, Query, fetch

    from .helpers import session_for

    session = session_for(bare)
    try:
        cw = await session.client("cloudwatch")
        start = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
        queries = [Query(f"q{i}", FUNCTION, spec) for i, spec in enumerate(HEALTH[:2])]
        with AioStubber(cw) as stub:
            stub.add_response(
                "get_metric_data",
                {
                    "MetricDataResults": [
                        {
                            "Id": "q0",
                            "Timestamps": [start],
                            "Values": [4.0],
                            "StatusCode": "Complete",
                        },
                        {
                            "Id": "q1",
                            "Timestamps": [],
                            "Values": [],
                            "StatusCode": "Forbidden",
                            "Messages": [{"Code": "Forbidden", "Value": "<b>not yours</b>"}],
                        },
                    ]
                },
            )
            series = await fetch(session, queries, start, start + timedelta(minutes=5), 300)
    finally:
        await session.close()
    assert series["q0"].total() == 4 and not series["q0"].unavailable
    assert series["q1"].unavailable.startswith("CloudWatch answered Forbidden")
    assert "<" not in series["q1"].unavailable


@pytest.mark.parametrize(
    ("code", "status", "body"),
    [
        ("", 501, "<html><body><h1>501 Not Implemented</h1></body></html>"),
        ("UnknownOperationException", 400, "Unknown operation GetAccountSettings"),
    ],
)
async def test_other_ways_of_lacking_an_action_are_one_sentence(
    bare: RemoteSandbox, code: str, status: int, body: str
) -> None:
    """Stubbed: moto answers a missing action with 404 HTML only (tested above); a 501
    or an unknown-operation error comes from other emulators and proxies."""
    from aiobotocore.stub import AioStubber

    from lambdatui.aws.errors import AwsError, Unsupported
    from lambdatui.aws.metrics import account_settings

    from .helpers import session_for

    session = session_for(bare)
    try:
        lam = await session.client("lambda")
        with AioStubber(lam) as stub:
            stub.add_client_error(
                "get_account_settings",
                service_error_code=code,
                service_message=body,
                http_status_code=status,
            )
            with pytest.raises(AwsError) as caught:
                await account_settings(session)
    finally:
        await session.close()
    endpoint = bare.endpoint_url.removeprefix("http://")
    assert isinstance(caught.value, Unsupported)
    assert caught.value.sentence == (
        f"lambda:GetAccountSettings is not implemented by {endpoint} (HTTP {status})"
    )
