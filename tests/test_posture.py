"""Alarms, cost, identity and findings against the sandbox, through the real app."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from lambdatui.aws.alarms import AlarmIndex, list_alarms, worst
from lambdatui.aws.cost import Prices, money
from lambdatui.aws.findings import KINDS
from lambdatui.aws.session import AwsSession, Target
from lambdatui.config import Settings, apply_config, load_config
from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.findings import FindingsScreen
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.logs import LogsScreen
from lambdatui.screens.roles import RolesScreen

from .helpers import FROZEN_NOW, app_for, client, listed, screen_text, settled, wait_until

IN_ALARM = {
    "payments-webhook",  # Errors (FunctionName), its DLQ's depth, a composite on both
    "checkout-api",  # Errors of the live alias (Resource dimension)
    "legacy-coupon-service",
    "shipping-label-printer",
    "orders-analytics-consumer",  # IteratorAge
}
CLEAN = "orders-analytics-consumer"
# The function each finding kind is seeded for in the demo world (or by this module).
EXPECTED = {
    "shared-role": "payments-webhook",
    "wildcard-policy": "payments-ledger-writer",
    "no-failure-destination": "catalog-price-updater",
    "no-alarm": "checkout-cart-service",
    "no-dlq-alarm": "payments-webhook",
    "text-logs": "report-generator-java",
    "plain-secrets": "payments-reconciler-prod",
    "timeout-close": "shipping-label-printer",
    "memory-unused": "report-generator-java",
    "deprecated-runtime": "checkout-cart-service",
    "vpc": "payments-refunds",
    "noisy-trigger": "auth-token-issuer",
}
# Metrics this module writes (the test sandbox runs no traffic): two periods of
# orders-api for the cost, a flood of short calls, and a near-timeout.
ORDERS = [(10, 1000, 120.0), (4, 500, 50.0)]  # (minutes before now, invocations, avg ms)


def _put(
    box: Any, function: str, minutes: float, name: str, now: Any = FROZEN_NOW, **datum: Any
) -> None:
    client(box, "cloudwatch").put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": "FunctionName", "Value": function}],
                "Timestamp": now - timedelta(minutes=minutes),
                **datum,
            }
        ],
    )


def _durations(
    box: Any,
    function: str,
    minutes: float,
    count: int,
    avg: float,
    peak: float,
    now: Any = FROZEN_NOW,
) -> None:
    _put(box, function, minutes, "Invocations", now, Value=count, Unit="Count")
    _put(
        box,
        function,
        minutes,
        "Duration",
        now,
        StatisticValues={"SampleCount": count, "Sum": count * avg, "Minimum": 1.0, "Maximum": peak},
        Unit="Milliseconds",
    )


@pytest.fixture(scope="module")
def world(sandbox: Any) -> Any:
    for minutes, count, avg in ORDERS:
        _durations(sandbox, "orders-api", minutes, count, avg, avg * 3)
    _durations(sandbox, "auth-session-validator", 6, 6000, 8.0, 40.0)
    return sandbox


async def _listed(app: Any, pilot: Any) -> FunctionsScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, FunctionsScreen)
    await wait_until(pilot, lambda: app.fleet.scanned)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def _row(screen: FunctionsScreen, name: str) -> Any:
    return next(f for f in screen.table.rows if f.name == name)


# ----- alarms ---------------------------------------------------------------------------


async def test_alarms_are_found_by_function_resource_queue_and_rule(world: Any) -> None:
    session = AwsSession(
        Target(None, world.region, world.endpoint_url, access_key="t", secret_key="t")
    )
    try:
        index = AlarmIndex(await list_alarms(session))
    finally:
        await session.close()
    dlq = "arn:aws:sqs:us-east-1:123456789012:payments-webhook-dlq"
    webhook = {a.name for a in index.for_function("payments-webhook", [dlq])}
    assert webhook == {
        "payments-webhook-errors",
        "payments-webhook-throttles",
        "payments-webhook-dlq-depth",  # AWS/SQS QueueName of its DLQ
        "payments-degraded",  # composite built on the two above
    }
    # Resource dimension (an alias) and FunctionName both count.
    assert {a.name for a in index.for_function("checkout-api")} == {
        "checkout-api-live-errors",
        "checkout-api-p99",
    }
    # A metric-math alarm counts through its queries' dimensions.
    assert [a.name for a in index.for_function("orders-worker")] == ["orders-worker-error-rate"]
    assert worst(index.for_function("orders-worker")) == "OK"
    assert worst(index.for_function("inventory-sync-dev")) == "INSUFFICIENT_DATA"
    assert worst(index.for_function("checkout-cart-service")) == "none"


async def test_state_column_and_in_alarm_filter(world: Any) -> None:
    # An alarm made by a client (not seeded) in ALARM, on the Resource dimension.
    cloudwatch = client(world, "cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="notifications-sms-throttles",
        Namespace="AWS/Lambda",
        MetricName="Throttles",
        Dimensions=[{"Name": "Resource", "Value": "notifications-sms-sender"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cloudwatch.set_alarm_state(
        AlarmName="notifications-sms-throttles", StateValue="ALARM", StateReason="test"
    )
    try:
        app = app_for(world, findings_on_launch=True)
        async with app.run_test(size=(160, 50)) as pilot:
            screen = await _listed(app, pilot)
            column = next(c for c in screen.table.columns if c.key == "alarms")
            cell = {f.name: str(column.render(f)) for f in screen.table.rows}
            assert cell["payments-webhook"] == "ALARM"
            assert cell["orders-api"] == "OK"
            assert cell["inventory-sync-dev"] == "no data"
            assert cell["checkout-cart-service"] == "none"
            await pilot.press("b")
            await pilot.pause()
            shown = {f.name for f in screen.table.view}
            assert shown == IN_ALARM | {"notifications-sms-sender"}
            assert "in ALARM only" in screen_text(app)
            assert f"{len(shown)} of {len(screen.table.rows)} functions" in screen_text(app)
            await pilot.press("b")
            await pilot.pause()
            assert len(screen.table.view) == len(screen.table.rows)
    finally:
        cloudwatch.delete_alarms(AlarmNames=["notifications-sms-throttles"])


async def test_detail_shows_alarm_threshold_reason_and_history(world: Any) -> None:
    app = app_for(world, findings_on_launch=True)
    async with app.run_test(size=(140, 80)) as pilot:
        await _listed(app, pilot)
        app.goto_function("payments-webhook")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await wait_until(pilot, lambda: "history:" in screen_text(app), frames=400)
        text = screen_text(app)
        assert "payments-webhook-errors" in text
        assert "AWS/Lambda Errors (Sum, 300s) FunctionName=payments-webhook  >= 5" in text
        assert "was greater than or equal to the threshold (5.0)" in text
        assert "history: 18m ago OK→ALARM" in text
        assert "payments-webhook-dlq-depth" in text and "QueueName=payments-webhook-dlq" in text
        assert 'rule: ALARM("payments-webhook-errors")' in text
    assert world.calls["cloudwatch:DescribeAlarmHistory"] > 0


# ----- cost -----------------------------------------------------------------------------


def _hand_cost(prices: Prices) -> float:
    """orders-api: 512 MB on arm64; two periods of the 15-minute window."""
    requests = sum(count for _, count, _ in ORDERS)
    seconds = sum(count * avg for _, count, avg in ORDERS) / 1000  # 145 s
    gb_seconds = seconds * 512 / 1024  # 72.5 GB-s
    return requests * prices.requests_per_million / 1e6 + gb_seconds * prices.arm64_gb_second


async def test_cost_matches_a_hand_computation_and_sorts(world: Any) -> None:
    prices = Prices.shipped()
    expected = _hand_cost(prices)
    assert expected == pytest.approx(1500 * 0.2 / 1e6 + 72.5 * 0.0000133334)
    app = app_for(world, findings_on_launch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await _listed(app, pilot)
        await wait_until(pilot, lambda: app.fleet.cost_of(_row(screen, "orders-api")) is not None)
        cost = app.fleet.cost_of(_row(screen, "orders-api"))
        assert cost is not None
        assert cost.requests == 1500
        assert cost.gb_seconds == pytest.approx(72.5)
        assert cost.total == pytest.approx(expected)
        await pilot.press("dollar_sign")
        await pilot.pause()
        # Most expensive first.
        assert "orders-api" in {f.name for f in screen.table.view[:3]}
        totals = [c.total for f in screen.table.view if (c := app.fleet.cost_of(f)) is not None]
        assert totals == sorted(totals, reverse=True)
        assert "sorted by cost ▼" in screen_text(app)
        screen.select_function(app.fleet.named("orders-api").arn)  # type: ignore[union-attr]
        await pilot.press("a")
        await wait_until(pilot, lambda: "est. cost" in screen_text(app), frames=400)
        assert "free tier not included" in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Estimate" in screen_text(app), frames=400)
        text = screen_text(app)
        assert money(expected) in text
        assert "72.5 GB-s" in text


async def test_prices_come_from_the_settings(world: Any) -> None:
    override = {"arm64_gb_second": 0.00002, "requests_per_million": 0.25}
    prices = Prices.shipped().with_overrides(override)
    app = app_for(world, prices=override, findings_on_launch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await _listed(app, pilot)
        cost = app.fleet.cost_of(_row(screen, "orders-api"))
        assert cost is not None and cost.total == pytest.approx(_hand_cost(prices))
    with pytest.raises(ValueError, match="unknown price"):
        Prices.shipped().with_overrides({"gb_second": 1})


def test_prices_come_from_the_config_file(tmp_path: Any) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[prices]\narm64_gb_second = 0.00002\ngb_second = 1\nrequests_per_million = -1\n"
    )
    found = load_config(path)
    assert found.values["prices"] == {"arm64_gb_second": 0.00002}
    assert any("prices.gb_second: unknown price" in p for p in found.problems)
    assert any("prices.requests_per_million" in p for p in found.problems)
    settings = Settings(region="us-east-1", **apply_config(found))
    assert Prices.shipped().with_overrides(settings.prices).arm64_gb_second == 0.00002


# ----- findings -------------------------------------------------------------------------


def _report_lines(box: Any, function: str, memory: int, used: int, now: datetime) -> None:
    """REPORT records in the function's log group, as Lambda writes them."""
    logs = client(box, "logs")
    group = f"/aws/lambda/{function}"
    stream = f"2026/11/27/[$LATEST]{uuid.uuid4().hex}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    stamp = int((now - timedelta(minutes=1)).timestamp() * 1000)
    events = []
    for _ in range(3):
        rid = str(uuid.uuid4())
        events += [
            f"START RequestId: {rid} Version: $LATEST\n",
            f"END RequestId: {rid}\n",
            f"REPORT RequestId: {rid}\tDuration: 2100.5 ms\tBilled Duration: 2101 ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t\n",
        ]
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": stamp + i, "message": m} for i, m in enumerate(events)],
    )


async def test_each_finding_kind_shows_for_its_function_and_not_for_a_clean_one(
    world: Any,
) -> None:
    # Logs and metrics of the last minutes (CloudWatch refuses log events from the
    # future), so this test runs on the real clock.
    now = datetime.now(UTC)
    _report_lines(world, "report-generator-java", 4096, 310, now)
    _durations(world, "auth-token-issuer", 5, 9000, 6.0, 20.0, now)
    _durations(world, "shipping-label-printer", 30, 20, 9000.0, 29_500.0, now)
    app = app_for(world, clock=None, findings_on_launch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await _listed(app, pilot)
        # Reading the logs is what gives memory figures (REPORT records).
        fn = next(f for f in app.fleet.functions if f.name == "report-generator-java")
        app.open_logs([fn])
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        logs = app.screen
        await wait_until(pilot, lambda: logs.tracker.invocations(), frames=2000)
        await pilot.press("escape")
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen))
        screen = app.screen
        await wait_until(pilot, lambda: app.fleet.scanned and screen.summary.rows, frames=400)
        await pilot.press("a")  # from the summary to every finding
        await wait_until(pilot, lambda: screen.table.rows)
        found = {(r.finding.kind, r.finding.function) for r in screen.table.rows}
        for kind, function in EXPECTED.items():
            assert (kind, function) in found, kind
        assert set(EXPECTED) == set(KINDS)
        assert not [f for f in screen.table.rows if f.finding.function == CLEAN]
        reasons = {
            (r.finding.kind, r.finding.function): r.finding.reason for r in screen.table.rows
        }
        assert (
            "s3.amazonaws.com may invoke it"
            in reasons[("no-failure-destination", "catalog-price-updater")]
        )
        assert (
            "at most 310 MB used of 4096 MB" in reasons[("memory-unused", "report-generator-java")]
        )
        assert "98% of the 30 s timeout" in reasons[("timeout-close", "shipping-label-printer")]
        assert "DB_PASSWORD" in reasons[("plain-secrets", "payments-reconciler-prod")]
        # Each finding links to its function.
        await pilot.press("slash", *"plain secrets", "enter")
        await pilot.pause()
        target = screen.table.current
        assert target is not None and target.finding.kind == "plain-secrets"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.screen.function.name == target.finding.function
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen))
        # esc clears the filter, then goes back to the summary, then to the list,
        # which counts them.
        await pilot.press("escape")
        total = len(screen.table.rows)
        assert len(screen.table.view) == total
        await pilot.press("escape")
        assert screen.showing is None and screen.summary.display
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, FunctionsScreen))
        assert f"{total} findings, " in screen_text(app)
        listing = app.screen
        assert app.fleet.findings_of(_row(listing, CLEAN)) == []


async def test_findings_open_on_a_summary_by_kind_and_drill_into_its_functions(
    world: Any,
) -> None:
    app = app_for(world, findings_on_launch=True)
    async with app.run_test(size=(140, 50)) as pilot:
        await _listed(app, pilot)
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen))
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        await wait_until(pilot, lambda: app.fleet.scanned and bool(screen.summary.rows))
        groups = {g.label: g for g in screen.summary.rows}
        shared = groups["shared role payments-service-role"]
        users = {f.name for f in app.fleet.functions if f.role.endswith("/payments-service-role")}
        assert shared.functions == len(users) == 5
        # Worst first: every high group before every medium one.
        severities = [int(g.severity) for g in screen.summary.view]
        assert severities == sorted(severities, reverse=True)
        title = str(screen.query_one("#title").render())
        assert title.startswith(f"Findings by kind: {len(groups)} kinds")

        # enter on a kind: its functions, one finding each.
        assert screen.summary.select_key(shared.key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.showing == shared)
        assert {r.finding.function for r in screen.table.rows} == users
        assert "shared role payments-service-role: 5 functions" in str(
            screen.query_one("#title").render()
        )
        # enter on a function: its detail; esc back to the kind, esc to the summary.
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        assert screen.showing is None and screen.summary.has_focus

        # The filter works on the summary as on any list.
        await pilot.press("slash", *"wildcard", "enter")
        assert {g.kind for g in screen.summary.view} == {"wildcard-policy"}
        count = str(screen.query_one("#count").render())
        assert f"1 of {len(screen.summary.rows)} kinds · " in count, count
        # `a`: every finding, one key away.
        await pilot.press("escape", "a")
        assert screen.showing == "all"
        assert len(screen.table.rows) == len(app.fleet.all_findings())


async def test_with_the_scan_off_at_launch_findings_wait_for_a_pane_that_wants_them(
    world: Any,
) -> None:
    """[findings] on_launch = false: the list comes without a scan's calls; `f` scans."""
    world.reset_calls()
    app = app_for(world, findings_on_launch=False)
    async with app.run_test(size=(140, 50)) as pilot:
        await listed(pilot)
        await settled(pilot)
        assert not app.fleet.scanned and not app.fleet.scanning
        assert world.calls["lambda:GetPolicy"] == 0
        assert world.calls["cloudwatch:DescribeAlarms"] > 0  # the Alarms column still fills
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen))
        screen = app.screen
        await wait_until(pilot, lambda: app.fleet.scanned and bool(screen.summary.rows))
        assert world.calls["lambda:GetPolicy"] > 0
        kinds = {g.kind for g in screen.summary.rows}
        assert {"shared-role", "wildcard-policy"} <= kinds


async def test_missing_iam_permission_shows_in_place_of_the_policies(world: Any) -> None:
    world.deny("iam:ListAttachedRolePolicies")
    try:
        app = app_for(world, findings_on_launch=True)
        async with app.run_test(size=(140, 80)) as pilot:
            await _listed(app, pilot)
            app.goto_function("orders-api")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            await wait_until(
                pilot, lambda: "no permission: iam:ListAttachedRolePolicies" in screen_text(app)
            )
            text = screen_text(app)
            # The inline half still reads.
            assert "orders-service-role-access" in text
            assert "dynamodb:GetItem" in text
            # The findings screen says what it could not check.
            app.pop_screen()
            await pilot.press("f")
            await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen))
            await pilot.pause()
            assert "role policies not read: no permission: iam:ListAttachedRolePolicies" in (
                screen_text(app)
            )
    finally:
        world.allow("iam:ListAttachedRolePolicies")
    app = app_for(world, findings_on_launch=True)
    async with app.run_test(size=(140, 80)) as pilot:
        await _listed(app, pilot)
        app.goto_function("payments-webhook")
        await wait_until(pilot, lambda: "⚠ wildcard: Action sqs:*" in screen_text(app))
        assert "lambda-logs-write (managed)" in screen_text(app)


async def test_roles_view_groups_functions_largest_first(world: Any) -> None:
    app = app_for(world, findings_on_launch=True)
    async with app.run_test(size=(140, 50)) as pilot:
        await _listed(app, pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, RolesScreen))
        screen = app.screen
        rows = screen.table.view
        sizes = [len(g.functions) for g in rows]
        assert sizes == sorted(sizes, reverse=True)
        assert rows[0].name == "lambda-basic-execution"
        own = next(g for g in rows if g.name == "orders-analytics-consumer-role")
        assert own.functions == ("orders-analytics-consumer",)
        await wait_until(pilot, lambda: "Role lambda-basic-execution" in screen_text(app))
        await wait_until(pilot, lambda: "lambda-logs-write" in screen_text(app))


async def test_alarms_denied_say_so_and_skip_the_alarm_findings(world: Any) -> None:
    world.deny("cloudwatch:DescribeAlarms")
    try:
        app = app_for(world, findings_on_launch=True)
        async with app.run_test(size=(160, 50)) as pilot:
            screen = await _listed(app, pilot)
            column = next(c for c in screen.table.columns if c.key == "alarms")
            assert str(column.render(_row(screen, "payments-webhook"))) == "n/a"
            # Not knowing the alarms is no reason to report missing ones.
            kinds = {f.kind for fn in screen.table.rows for f in app.fleet.findings_of(fn) or ()}
            assert "no-alarm" not in kinds and "no-dlq-alarm" not in kinds
            await pilot.press("f")
            await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen))
            await pilot.pause()
            assert "alarms not checked: no permission: cloudwatch:DescribeAlarms" in (
                screen_text(app)
            )
            app.pop_screen()
            app.goto_function("payments-webhook")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            await wait_until(
                pilot, lambda: "no permission: cloudwatch:DescribeAlarms" in screen_text(app)
            )
    finally:
        world.allow("cloudwatch:DescribeAlarms")


async def test_two_regions_keep_alarms_and_findings_apart(world: Any) -> None:
    """A function of the same name in another region has its own alarms and findings."""
    lam = boto3.client(
        "lambda",
        endpoint_url=world.endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    lam.create_function(
        FunctionName="payments-webhook",
        Runtime="python3.13",
        Role="arn:aws:iam::123456789012:role/service-role/orders-analytics-consumer-role",
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        LoggingConfig={"LogFormat": "JSON"},
    )
    try:
        app = app_for(world, regions=("us-east-1", "eu-west-1"), findings_on_launch=True)
        async with app.run_test(size=(160, 50)) as pilot:
            screen = await _listed(app, pilot)
            twins = [f for f in screen.table.rows if f.name == "payments-webhook"]
            assert {f.region for f in twins} == {"us-east-1", "eu-west-1"}
            state = {f.region: app.fleet.alarm_state(f) for f in twins}
            assert state == {"us-east-1": "ALARM", "eu-west-1": "none"}
            kinds = {f.region: {x.kind for x in app.fleet.findings_of(f) or ()} for f in twins}
            assert "plain-secrets" in kinds["us-east-1"]
            assert "plain-secrets" not in kinds["eu-west-1"]
            assert "no-alarm" in kinds["eu-west-1"]
    finally:
        lam.delete_function(FunctionName="payments-webhook")
