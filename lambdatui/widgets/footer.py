"""The footer: the screen's keys that fit whole, `?` (help) always among them."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def _is_help(widget: Widget) -> bool:
    return isinstance(widget, FooterKey) and widget.action.removeprefix("app.") == "help"


class KeysFooter(Footer):
    """A footer that leaves out the keys that do not fit rather than cutting one in two.

    The keys keep their order; `?` stays, since the help it opens lists every key.
    """

    _shown: tuple[object, ...] | None = None
    # Keys added but not laid out yet: fitted when the screen next lays out.
    _fit_pending = False

    # Textual calls Footer's own on_mount and on_unmount as well as these.
    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self._laid_out)

    def on_unmount(self) -> None:
        self.screen.screen_layout_refresh_signal.unsubscribe(self)

    def _laid_out(self, screen: object) -> None:
        if self._fit_pending:
            self._fit()

    def _keys(self) -> tuple[object, ...]:
        """What the footer would show now: each shown binding, enabled or not."""
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    async def recompose(self) -> None:
        # Focus moves and binding checks ask for a recompose many times a second while
        # keys arrive; the keys rarely change, and rebuilding them restyles each one.
        if self.is_attached and self._bindings_ready:
            keys = self._keys()
            if keys == self._shown and self.children:
                # The same keys: fit them again (the last fit may have come before
                # they were laid out), without rebuilding them.
                self.call_after_refresh(self._fit)
                return
            self._shown = keys
        await super().recompose()
        self.call_after_refresh(self._fit)

    def on_resize(self, event: events.Resize) -> None:
        for child in self.children:
            child.display = True
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        keys = [c for c in self.children if not c.has_class("-command-palette")]
        # New keys not laid out yet: measure them once the screen has laid them out
        # (on a busy machine that can be many frames later).
        self._fit_pending = any(c.display and c.outer_size.width == 0 for c in self.children)
        if self._fit_pending:
            return
        docked = sum(
            c.outer_size.width + c.styles.margin.width
            for c in self.children
            if c.has_class("-command-palette")
        )
        room = self.size.width - docked
        widths = {c: c.outer_size.width + c.styles.margin.width for c in keys}
        room -= sum(w for c, w in widths.items() if _is_help(c))
        for child in keys:
            if _is_help(child):
                continue
            fits = widths[child] <= room
            room -= widths[child] if fits else 0
            if not fits:
                room = -1  # once one key is left out, the later ones are too (order kept)
            child.display = fits
