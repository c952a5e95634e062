"""`?`: every key of every screen, generated from the bindings (keymap applied)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.scroll import KeyScroll


def _bindings(source: type) -> list[Binding]:
    """The bindings `source` has, nearest class first per key, as Textual resolves them."""
    seen: dict[str, Binding] = {}
    for cls in source.__mro__:
        for binding in cls.__dict__.get("BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            for key in binding.key.split(","):
                seen.setdefault(key.strip(), binding)
    unique: list[Binding] = []
    for binding in seen.values():
        if binding not in unique:
            unique.append(binding)
    return unique


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, type]]) -> None:
        super().__init__()
        self.sections = sections

    def _key(self, binding: Binding) -> str:
        keymap = getattr(self.app, "_keymap", {})
        keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
        return ", ".join(
            self.app.get_key_display(Binding(k.strip(), binding.action)) for k in keys.split(",")
        )

    def compose(self) -> ComposeResult:
        lines: list[Content] = [
            Content.styled("Keys  (esc closes; ctrl+p opens the command palette)", "bold $accent"),
        ]
        for title, source in self.sections:
            lines.append(Content(""))
            lines.append(Content.styled(title, "bold $text-accent"))
            for binding in _bindings(source):
                lines.append(
                    Content.assemble(
                        (f"  {self._key(binding):<18}", "bold"),
                        binding.description or binding.action,
                    )
                )
        with KeyScroll(id="help"):
            yield Static(Content("\n").join(lines))
