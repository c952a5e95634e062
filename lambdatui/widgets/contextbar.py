"""The top line of every screen: where you are (profile, account, region, endpoint)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static


class ContextBar(Horizontal):
    DEFAULT_CSS = """
    ContextBar { height: 1; background: $panel; }
    ContextBar > #where { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    ContextBar > #mode { width: auto; padding: 0 1; }
    ContextBar > #mode.read-only { background: $warning; color: $text; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="where")
        yield Static(id="mode")

    def on_mount(self) -> None:
        self.watch(self.app, "account", self._update)
        self._update()

    def _update(self, _value: object = None) -> None:
        if not self.query("#where"):
            return  # not composed yet: on_mount will draw it
        app = self.app
        settings = app.settings  # type: ignore[attr-defined]
        account = app.account or "…"  # type: ignore[attr-defined]
        parts: list[Content | str | tuple[str, str]] = [("λ lambdatui", "bold $accent")]

        def field(label: str, value: str) -> None:
            parts.append((" │ ", "$text-muted"))
            if label:
                parts.append((f"{label} ", "$text-muted"))
            parts.append(value)

        field("profile", settings.profile or "default")
        field("acct", account)
        field("", ", ".join(settings.all_regions))
        if settings.endpoint_url:
            field("", settings.endpoint_label or settings.endpoint_url)
        self.query_one("#where", Static).update(Content.assemble(*parts))
        mode = self.query_one("#mode", Static)
        mode.set_class(settings.read_only, "read-only")
        mode.update("READ-ONLY" if settings.read_only else "")
