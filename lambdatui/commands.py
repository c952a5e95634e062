"""Command palette: the app's actions and "go to function NAME"."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from .safetext import visible

if TYPE_CHECKING:
    from .app import LambdaTui


def literal(text: str) -> str:
    """Markup for exactly `text`: the palette reads help strings as markup."""
    return visible(text).replace("[", "\\[")


def highlighted(matcher: Matcher, text: str) -> Content:
    """`text` as plain content with the fuzzy match marked (Matcher.highlight reads markup)."""
    plain = visible(text)
    content = Content(plain)
    score, offsets = matcher.fuzzy_search.match(matcher.query, plain)
    if score:
        for offset in offsets:
            if not plain[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class FunctionCommands(Provider):
    """Fuzzy "go to function" over the loaded list, plus the screen's actions."""

    @property
    def tui(self) -> LambdaTui:

        return cast("LambdaTui", self.app)

    def _actions(self) -> list[tuple[str, str, object]]:
        tui = self.tui
        return [
            (title, help_text, callback)
            for title, help_text, callback in tui.palette_actions(self.screen)
        ]

    async def discover(self) -> Hits:
        for title, help_text, callback in self._actions():
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._actions():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]
        for fn in self.tui.fleet.functions:
            title = f"go to function {fn.name}"
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    highlighted(matcher, title),
                    partial(self.tui.goto_function, fn.arn),
                    help=literal(f"{fn.runtime_label} · {fn.region}"),
                )
