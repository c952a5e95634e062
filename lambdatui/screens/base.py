"""What every screen shares: the context bar, error routing, going back."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from ..aws.errors import AwsError, is_transient

if TYPE_CHECKING:
    from ..app import LambdaTui
    from ..aws.models import EventSourceMapping
    from ..aws.session import AwsSession
    from ..fleet import Change, Fleet


class FleetChanged(Message):
    """The fleet changed (`change` says what): screens that show it redraw.

    A flood of the same change collapses into one (a screen redraws from the
    fleet, not from the message)."""

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change = change

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FleetChanged) and message.change == self.change


class Acted(Message):
    """The console changed `function_arn` in AWS (concurrency, a mapping, an alias):
    screens that show it read it again. `mapping` is a state AWS just reported for
    one of its event source mappings."""

    def __init__(self, function_arn: str, mapping: EventSourceMapping | None = None) -> None:
        super().__init__()
        self.function_arn = function_arn
        self.mapping = mapping


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
        # Typed without importing the app: screens sit below it (import-linter contract).
        return cast("LambdaTui", self.app)

    @property
    def fleet(self) -> Fleet:
        """What the console knows of the account (the app's, for this connection)."""
        return self.tui.fleet

    @property
    def aws(self) -> AwsSession:
        """The app's session, in the region of the function this pane shows (if any)."""
        fn = getattr(self, "function", None) or next(iter(getattr(self, "functions", [])), None)
        region = getattr(fn, "region", None)
        return self.tui.aws.in_region(region) if region else self.tui.aws

    def __init__(self) -> None:
        super().__init__()
        self._retry_timers: dict[str, Timer] = {}
        self._retry_counts: dict[str, int] = {}

    # Longest wait between automatic retries, in seconds.
    RETRY_CAP: ClassVar[float] = 60.0

    def retry_soon(self, error: AwsError | None, again: Callable[[], object], key: str) -> bool:
        """After a throttle, a 5xx or a lost connection, run `again` a little later.

        Waits double per failure of `key` (from settings.retry_after, at most a
        minute). Returns whether a retry was scheduled. `recovered(key)` resets.
        """
        timers = self._retry_timers
        if error is None or not is_transient(error):
            return False
        delay = self.backoff(key)
        old = timers.pop(key, None)
        if old is not None:
            old.stop()
        timers[key] = self.set_timer(delay, again)
        return True

    def backoff(self, key: str) -> float:
        """Seconds to wait before the next try of `key`: doubling per failure."""
        tries = self._retry_counts.get(key, 0)
        self._retry_counts[key] = tries + 1
        return float(min(self.tui.settings.retry_after * 2**tries, self.RETRY_CAP))

    def recovered(self, key: str) -> None:
        self._retry_counts.pop(key, None)

    def retry(self) -> None:
        """Try again now what failed (the app's retry key, after fixing credentials)."""
        for timer in self._retry_timers.values():
            timer.stop()
        self._retry_timers.clear()
        self._retry_counts.clear()
        refresh = getattr(self, "action_refresh", None)
        if callable(refresh):
            refresh()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            # The first pane of a deep link: the list takes its place.
            self.tui.show_list()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.tui.report_error(event.worker.error, event.worker.name)
