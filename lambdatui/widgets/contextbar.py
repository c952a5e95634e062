"""The top line of every screen: where you are (profile, account, region, endpoint).

Under it, when credentials fail, one banner says how to fix them and which key
tries again; the line itself says when AWS is throttling or unreachable.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from ..safetext import visible


class ContextBar(Vertical):
    DEFAULT_CSS = """
    ContextBar { height: auto; }
    ContextBar > #bar { height: 1; background: $panel; }
    ContextBar #where { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    ContextBar #health { width: auto; color: $text-warning; text-style: bold; }
    ContextBar #mode { width: auto; padding: 0 1; }
    ContextBar #mode.read-only { background: $warning; color: $text; text-style: bold; }
    ContextBar > #banner {
        height: auto; padding: 0 1; background: $error 25%; color: $text; display: none;
    }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="bar"):
            yield Static(id="where")
            yield Static(id="health")
            yield Static(id="mode")
        yield Static(id="banner")

    def on_mount(self) -> None:
        self.watch(self.app, "account", self._update)
        self.watch(self.app, "aws_health", self._show_health)
        self.watch(self.app, "credentials_problem", self._show_banner)
        self._update()

    def _show_health(self, text: str) -> None:
        for health in self.query("#health").results(Static):
            health.update(f" {text} " if text else "")

    def _show_banner(self, problem: str | None) -> None:
        found = self.query("#banner").results(Static)
        banner = next(iter(found), None)
        if banner is None:
            return  # not composed yet: on_mount will draw it
        banner.display = problem is not None
        if problem is None:
            banner.update("")
        else:
            banner.update(
                Content.assemble(
                    ("AWS credentials: ", "bold"),
                    visible(problem),
                    "  Then press ",
                    (" ctrl+r ", "bold reverse"),
                    " to retry (no restart needed).",
                )
            )

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
