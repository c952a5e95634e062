"""The health columns of an account whose metrics have not arrived yet."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .helpers import app_for, client, listed, wait_until


async def test_health_is_read_again_soon_while_no_function_has_data(sandbox: Any) -> None:
    """Metrics reach CloudWatch a minute or two after the first invocations: a list
    with not one data point looks again within seconds, not a refresh interval later."""
    app = app_for(sandbox, clock=None, metrics_refresh=600)
    async with app.run_test(size=(140, 40)) as pilot:
        await listed(pilot)
        await wait_until(pilot, lambda: len(app.fleet.health) == len(app.fleet.functions))
        assert not app.fleet.has_health_data()
        client(sandbox, "cloudwatch").put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": "Invocations",
                    "Dimensions": [{"Name": "FunctionName", "Value": "orders-api"}],
                    "Timestamp": datetime.now(UTC),
                    "Value": 3.0,
                    "Unit": "Count",
                }
            ],
        )
        # Well inside the ten minutes the settings ask for between refreshes.
        await wait_until(pilot, app.fleet.has_health_data, within=45)
        orders = app.fleet.named("orders-api")
        assert orders is not None
        assert app.fleet.health_of(orders).value("invocations") == 3.0  # type: ignore[union-attr]
