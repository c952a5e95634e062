"""Copying: OSC 52 through the terminal (works over SSH) and the local clipboard."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App


def _system_copy(text: str) -> None:
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # no local clipboard (SSH, headless): OSC 52 already did the work
        pass


def copy(app: App[Any], text: str, what: str, *, system: bool = True) -> None:
    """Put `text` on the clipboard and say what was copied."""
    app.copy_to_clipboard(text)
    if system:
        asyncio.get_running_loop().run_in_executor(None, _system_copy, text)
    app.notify(f"Copied {what}", timeout=3)
