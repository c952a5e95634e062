"""What every screen shares: the context bar, error routing, going back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from ..app import LambdaTui
    from ..aws.session import AwsSession


class Pane(Screen[None]):
    """A screen of the console. Worker failures become sentences, never crashes."""

    # Shown in the help screen as the screen's name.
    HELP_TITLE: ClassVar[str] = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="pane.back"),
        Binding("q", "back", "Back", show=False, id="pane.quit_or_back"),
    ]

    @property
    def tui(self) -> LambdaTui:
        from ..app import LambdaTui

        return cast(LambdaTui, self.app)

    @property
    def aws(self) -> AwsSession:
        """The app's session, in the region of the function this pane shows (if any)."""
        fn = getattr(self, "function", None) or next(iter(getattr(self, "functions", [])), None)
        region = getattr(fn, "region", None)
        return self.tui.aws.in_region(region) if region else self.tui.aws

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.tui.report_error(event.worker.error, event.worker.name)
