"""Small formatting helpers shared by the screens (pure, no UI)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


def ago(when: datetime | None, now: datetime) -> str:
    """ "3d ago" style relative time."""
    if when is None:
        return "-"
    seconds = int((now - when).total_seconds())
    if seconds < 0:
        return "just now"
    for unit, size in (
        ("y", 365 * 86400),
        ("mo", 30 * 86400),
        ("d", 86400),
        ("h", 3600),
        ("m", 60),
    ):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def plural(count: float, word: str, many: str | None = None) -> str:
    """A count and its noun: "1 target", "3 targets", "1,024 lines".

    `many` is the plural where adding "s" is wrong ("1 policy", "2 policies").
    Fractions are rounded as shown.
    """
    number = f"{count:,}" if isinstance(count, int) else f"{count:,.0f}"
    return f"{number} {word if number == '1' else (many or word + 's')}"


def size(num_bytes: int) -> str:
    """Human byte size: 512 B, 3.4 KB, 12.0 MB."""
    value = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def memory(mb: int) -> str:
    if mb >= 1024 and mb % 1024 == 0:
        return f"{mb // 1024} GB"
    return f"{mb} MB"


def duration(seconds: int) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60}s"
    return f"{seconds}s"


# Unicode block sparklines.
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
