"""Metrics at the edges: the periods of long windows, a figure with no series."""

from __future__ import annotations

from lambdatui.aws.metrics import Health, period_for


def test_long_windows_use_the_periods_cloudwatch_keeps() -> None:
    # Past 15 days CloudWatch keeps 5-minute data, past 63 days hourly data.
    assert period_for(30 * 86400) == 7200
    assert period_for(90 * 86400) == 21600


def test_a_figure_with_no_series_is_none() -> None:
    assert Health().value("errors") is None
