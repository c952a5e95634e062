"""Unicode block sparklines (pure functions, no widget)."""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], width: int) -> str:
    """`values` squeezed into `width` cells: max of each bucket; " " where no data."""
    if width <= 0 or not values:
        return ""
    buckets: list[float | None] = []
    n = len(values)
    for i in range(width):
        lo = i * n // width
        hi = max((i + 1) * n // width, lo + 1)
        present = [v for v in values[lo:hi] if v is not None]
        buckets.append(max(present) if present else None)
    present = [b for b in buckets if b is not None]
    if not present:
        return " " * width
    top = max(present)
    out = []
    for b in buckets:
        if b is None:
            out.append(" ")
        elif top <= 0:
            out.append(BLOCKS[0])
        else:
            out.append(BLOCKS[min(int(b / top * (len(BLOCKS) - 1) + 0.5), len(BLOCKS) - 1)])
    return "".join(out)
