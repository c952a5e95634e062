"""Estimated cost of a function over the metrics window, from Invocations and Duration.

cost = invocations x request price + GB-seconds x the architecture's GB-second price,
GB-seconds = total Duration (ms) / 1000 x memory (MB) / 1024. The price table is
`lambdatui/data/prices.toml` (documented there); the free tier is left out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from importlib import resources

from .metrics import Health, Series

FREE_TIER_NOTE = "free tier not included"

# A "noisy trigger": many very short invocations, where the request price outweighs
# the compute and batching or filtering at the source would cut it without losing
# work. At 1/s and 20 ms, a 128 MB function pays 2.6 M requests a month ($0.52) for
# 52,000 s of compute ($0.11 on x86).
NOISY_RATE = 1.0  # invocations per second, averaged over the window
NOISY_DURATION_MS = 20.0  # average duration below this


@dataclass(frozen=True, slots=True)
class Prices:
    currency: str = "USD"
    requests_per_million: float = 0.20
    x86_64_gb_second: float = 0.0000166667
    arm64_gb_second: float = 0.0000133334
    # Logs Insights: per GB of log data a query scans.
    insights_per_gb: float = 0.005

    @classmethod
    def shipped(cls) -> Prices:
        """The table in lambdatui/data/prices.toml."""
        text = resources.files("lambdatui").joinpath("data/prices.toml").read_text("utf-8")
        return cls().with_overrides(tomllib.loads(text))

    def with_overrides(self, values: Mapping[str, object]) -> Prices:
        """These prices with some replaced (a config file's [prices] table); unknown keys fail."""
        known = {f.name: f.type for f in fields(self)}
        changes: dict[str, object] = {}
        for key, value in values.items():
            if key not in known:
                raise ValueError(f"unknown price {key!r}; known: {', '.join(sorted(known))}")
            if key == "currency":
                changes[key] = str(value)
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"price {key} must be a number >= 0, not {value!r}")
            changes[key] = float(value)
        return replace(self, **changes)  # type: ignore[arg-type]

    def gb_second(self, architecture: str) -> float:
        return self.arm64_gb_second if architecture == "arm64" else self.x86_64_gb_second


@dataclass(frozen=True, slots=True)
class Cost:
    requests: float  # invocations in the window
    gb_seconds: float
    request_cost: float
    duration_cost: float
    avg_duration_ms: float | None
    rate_per_s: float

    @property
    def total(self) -> float:
        return self.request_cost + self.duration_cost

    @property
    def noisy(self) -> bool:
        """Many very short invocations: a trigger worth batching or filtering."""
        return (
            self.rate_per_s >= NOISY_RATE
            and self.avg_duration_ms is not None
            and self.avg_duration_ms < NOISY_DURATION_MS
        )


def _pairs(invocations: Series, durations: Series) -> Iterable[tuple[float, float]]:
    for count, avg in zip(invocations.values, durations.values, strict=False):
        if count:
            yield count, avg or 0.0


def estimate(
    health: Health | None, memory_mb: int, architecture: str, window_s: int, prices: Prices
) -> Cost | None:
    """The window's cost from per-period Invocations (Sum) and Duration (Average).

    Each period's total duration is its invocations x its average duration, so the
    sum over periods is the window's total Duration. None without invocation data.
    """
    if health is None:
        return None
    invocations = health.get("invocations")
    durations = health.get("duration_avg")
    if invocations is None or not invocations.has_data:
        return None
    empty = Series((), ())
    pairs = list(_pairs(invocations, durations or empty))
    requests = sum(count for count, _ in pairs)
    total_ms = sum(count * avg for count, avg in pairs)
    gb_seconds = total_ms / 1000.0 * memory_mb / 1024.0
    return Cost(
        requests=requests,
        gb_seconds=gb_seconds,
        request_cost=requests * prices.requests_per_million / 1_000_000,
        duration_cost=gb_seconds * prices.gb_second(architecture),
        avg_duration_ms=total_ms / requests if requests else None,
        rate_per_s=requests / window_s if window_s else 0.0,
    )


MONTH_S = 30 * 86_400


def per_month(total: float, window_s: int) -> float:
    """What `total` over the window comes to over 30 days at the same rate."""
    return total * MONTH_S / window_s if window_s else 0.0


def money(value: float | None, currency: str = "USD", *, compact: bool = False) -> str:
    """$0.00042, $0.0113, $0.996, $12.34, $1,234: three significant digits under a dollar.

    `compact` (table cells, at most 8 characters): four decimals under a dollar.
    """
    if value is None:
        return "-"
    sign = "$" if currency == "USD" else f"{currency} "
    if value == 0:
        return f"{sign}0"
    if value < 0.0001:
        return f"<{sign}0.0001"
    if value < 1:
        # Table cells keep their decimal points aligned; elsewhere three digits count.
        return f"{sign}{value:.4f}" if compact else f"{sign}{value:.3g}"
    if value < 100:
        return f"{sign}{value:.2f}"
    return f"{sign}{value:,.0f}"
