"""Make untrusted text safe to put on a terminal.

Everything that comes from AWS (names, tags, log lines, message bodies,
payloads) is untrusted. It is rendered as plain text, never as markup, and
this module makes every control character and escape sequence visible so that
nothing can reach the terminal as a command (ANSI CSI, OSC 52 clipboard
writes, OSC 8 links, DCS, BEL) or reorder text (bidi overrides).
"""

from __future__ import annotations

import re

MAX_LINE = 64 * 1024
CUT_MARKER = " …[cut {} chars]"

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)  # control pictures: ␀ ␁ … ␛ …
    table[0x09] = " "
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = f"\\x{code:02x}"
    for ch in _BIDI:
        table[ord(ch)] = f"<U+{ord(ch):04X}>"
    for code in (0x2028, 0x2029, 0xFEFF):
        table[code] = f"<U+{code:04X}>"
    return table


_TABLE = _build_table()
_NEWLINE_TABLE = dict(_TABLE)
_NEWLINE_TABLE[0x0A] = "\n"
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + "\u2028\u2029\ufeff\ud800-\udfff]")


_SURROGATE = re.compile("[\ud800-\udfff]")


def visible(text: str, *, limit: int = MAX_LINE, keep_newlines: bool = False) -> str:
    """Return `text` with every control or formatting character made visible.

    Lone surrogates (from undecodable bytes) become U+FFFD, lines longer than
    `limit` are cut with a visible marker, and newlines become "⏎" unless
    `keep_newlines` is set.
    """
    if len(text) > limit:
        text = text[:limit] + CUT_MARKER.format(len(text) - limit)
    if not _UNSAFE.search(text):
        return text
    text = _SURROGATE.sub("\ufffd", text)
    return text.translate(_NEWLINE_TABLE if keep_newlines else _TABLE)
