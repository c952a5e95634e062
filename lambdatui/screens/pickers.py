"""Small modal pickers: choose one of a list with the keyboard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

#: A choice: (id, label); an id of None is a heading that cannot be chosen.
Choice = tuple[str | None, str | Content]


def option_list(choices: Sequence[Choice], current: str | None = None) -> OptionList:
    """An OptionList of ``choices``: headings greyed out, the current one marked."""
    options: list[Option] = []
    for key, label in choices:
        if key is None:
            options.append(Option(Content.styled(str(label), "bold $text-muted"), disabled=True))
        else:
            mark = "  ●" if key == current else ""
            text = label if isinstance(label, Content) else Content(label)
            options.append(Option(text + mark, id=key))
    return OptionList(*options)


class Picker(ModalScreen[str | None]):
    """A titled list; enter chooses (the id is the result), escape cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel"),
    ]

    def __init__(
        self,
        title: str,
        choices: Sequence[Choice],
        current: str | None = None,
        *,
        cursor: str | None = None,
        wide: bool = False,
    ) -> None:
        """`current` is marked (and under the cursor unless `cursor` names another);
        `wide` for choices that say a lot each (versions, mappings)."""
        super().__init__()
        self.wide = wide
        self.title_text = title
        self.choices = list(choices)
        self.current = current
        self.cursor = cursor

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker wide" if self.wide else "picker"):
            yield Static(self.title_text, classes="picker-title")
            yield option_list(self.choices, self.current)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [key for key, _ in self.choices]
        start = self.cursor if self.cursor in ids else self.current
        if start in ids:
            options.highlighted = ids.index(start)
        else:
            options.highlighted = next((i for i, key in enumerate(ids) if key is not None), None)
        self.set_focus(options)

    @property
    def highlighted_id(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class SortPicker(Picker):
    """Choose the column to sort by; choosing the current one flips the order."""

    def __init__(self, columns: dict[str, str], current: str | None) -> None:
        super().__init__("Sort by (again to reverse)", list(columns.items()), current)


class ColumnPicker(ModalScreen[None]):
    """Choose the columns a table shows: space (or enter) shows or hides the highlighted
    one at once; `a` gives every column back to the width; esc closes.

    `apply(pinned, hidden)` applies a choice and answers which columns show now.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,c", "dismiss(None)", "Done", id="columns.done"),
        Binding("space", "flip", "Show/hide", id="columns.flip"),
        Binding("a", "automatic", "As the width allows", id="columns.automatic"),
    ]

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        pinned: frozenset[str],
        hidden: frozenset[str],
        apply: Callable[[frozenset[str], frozenset[str]], list[str]],
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.pinned = pinned
        self.hidden = hidden
        self.apply = apply
        self.shown = apply(pinned, hidden)

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker columns"):
            yield Static("Columns", classes="picker-title")
            yield OptionList(*self._options(), id="column-list")
            yield Static(
                Content.styled("space: show/hide · a: by width · esc", "$text-muted"),
                classes="picker-hint",
            )

    def _options(self) -> list[Option]:
        options = []
        for key, label in self.columns:
            on = key in self.shown
            why = "  (chosen)" if key in self.pinned else "  (hidden)" if key in self.hidden else ""
            options.append(
                Option(
                    Content.assemble(
                        ("[x] " if on else "[ ] ", "$text-accent" if on else "$text-muted"),
                        label,
                        (why, "$text-muted"),
                    ),
                    id=key,
                )
            )
        return options

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))

    def _redraw(self) -> None:
        options = self.query_one(OptionList)
        at = options.highlighted
        options.set_options(self._options())
        options.highlighted = at

    def action_flip(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        key = str(options.get_option_at_index(options.highlighted).id)
        if key in self.shown:
            self.pinned, self.hidden = self.pinned - {key}, self.hidden | {key}
        else:
            self.pinned, self.hidden = self.pinned | {key}, self.hidden - {key}
        self.shown = self.apply(self.pinned, self.hidden)
        self._redraw()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_flip()

    def action_automatic(self) -> None:
        self.pinned = self.hidden = frozenset()
        self.shown = self.apply(self.pinned, self.hidden)
        self._redraw()
