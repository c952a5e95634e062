"""`p`: choose the profile (from the AWS config files) and one or several regions."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..aws.profiles import Profile, lambda_regions, list_profiles
from ..safetext import visible

Choice = tuple[str | None, tuple[str, ...]]


class RegionFilter(Input):
    """The regions' filter: space is not text here (no region name has one) but the mark key."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != " " and super().check_consume_key(key, character)


class WherePicker(ModalScreen[Choice | None]):
    """Enter on a profile switches to it; enter on a region switches to it (or to the marked)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="where.cancel"),
        # Priority: in the regions' filter too, space marks the highlighted region.
        Binding("space", "mark", "Mark region", id="where.mark", priority=True),
        Binding("down", "move(1)", show=False, id="where.down"),
        Binding("up", "move(-1)", show=False, id="where.up"),
    ]

    def __init__(self, profile: str | None, regions: tuple[str, ...]) -> None:
        super().__init__()
        self.profile = profile
        self.regions = regions
        self.marked: list[str] = []
        self.profiles: list[Profile] = list_profiles()
        if not any(p.name == (profile or "default") for p in self.profiles):
            self.profiles.insert(0, Profile(profile or "default", "", None, None))
        self.region_names = lambda_regions()
        for region in regions:
            if region not in self.region_names:
                self.region_names.insert(0, region)
        # The regions the filter lets through, in the list's order.
        self.shown = list(self.region_names)
        # The region to keep highlighted when the filter next changes.
        self._keep: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker where"):
            yield Static("Profile and region", classes="picker-title")
            with Horizontal():
                with Vertical(classes="where-column", id="profiles-column") as column:
                    column.border_title = "Profiles"
                    yield OptionList(
                        *[Option(self._profile_label(p), id=p.name) for p in self.profiles],
                        id="profiles",
                    )
                with Vertical(classes="where-column", id="regions-column") as column:
                    column.border_title = "Regions"
                    yield RegionFilter(placeholder="Regions: type to filter", id="region-filter")
                    yield OptionList(
                        *[Option(self._region_label(r), id=r) for r in self.region_names],
                        id="regions",
                    )
            yield Static(
                Content.styled(
                    "enter: switch · space: mark regions, also while filtering · tab · esc",
                    "$text-muted",
                ),
                classes="where-hint",
            )

    def _profile_label(self, profile: Profile) -> Content:
        current = profile.name == (self.profile or "default")
        return Content.assemble(
            ("● " if current else "  ", "$text-accent"),
            visible(profile.name),
            (f"  {profile.kind}" if profile.kind else "", "$text-muted"),
        )

    def _region_label(self, region: str) -> Content:
        mark = "[x] " if region in self.marked else "[ ] "
        current = region in self.regions
        return Content.assemble(
            (mark, "$text-accent" if region in self.marked else "$text-muted"),
            region,
            ("  ●" if current else "", "$text-accent"),
        )

    def on_mount(self) -> None:
        profiles = self.query_one("#profiles", OptionList)
        names = [p.name for p in self.profiles]
        profiles.highlighted = names.index(self.profile or "default")
        regions = self.query_one("#regions", OptionList)
        regions.highlighted = self.region_names.index(self.regions[0])
        self.set_focus(profiles)

    @on(Input.Changed, "#region-filter")
    def _filter(self, event: Input.Changed) -> None:
        text = event.value.strip().lower()
        self.shown = (
            [r for r in self.region_names if text in r] if text else list(self.region_names)
        )
        regions = self.query_one("#regions", OptionList)
        regions.set_options([Option(self._region_label(r), id=r) for r in self.shown])
        keep, self._keep = self._keep, None
        if keep in self.shown:
            regions.highlighted = self.shown.index(keep)
        elif self.shown:
            regions.highlighted = 0

    @on(Input.Submitted, "#region-filter")
    def _filter_done(self) -> None:
        if self.marked:
            self.dismiss((self.profile, tuple(self.marked)))
        elif len(self.shown) == 1:
            self.dismiss((self.profile, (self.shown[0],)))
        elif self.shown:
            self.set_focus(self.query_one("#regions", OptionList))

    def action_move(self, step: int) -> None:
        """Up and down in the regions' filter move the highlighted region."""
        regions = self.query_one("#regions", OptionList)
        if self.focused is not self.query_one("#region-filter", Input) or not self.shown:
            return
        at = regions.highlighted if regions.highlighted is not None else 0
        regions.highlighted = max(0, min(len(self.shown) - 1, at + step))

    def action_mark(self) -> None:
        regions = self.query_one("#regions", OptionList)
        typed = self.query_one("#region-filter", Input)
        if self.focused not in (regions, typed) or regions.highlighted is None or not self.shown:
            return
        region = self.shown[regions.highlighted]
        if region in self.marked:
            self.marked.remove(region)
        else:
            self.marked.append(region)
        if self.focused is typed and typed.value:
            # Marked from the filter: clear it for the next region's name, the highlight
            # staying on the one just marked.
            self._keep = region
            typed.value = ""
        regions.replace_option_prompt_at_index(regions.highlighted, self._region_label(region))

    @on(OptionList.OptionSelected, "#profiles")
    def _profile_chosen(self, event: OptionList.OptionSelected) -> None:
        name = event.option.id
        self.dismiss((None if name == "default" and not self.profile else name, self.regions))

    @on(OptionList.OptionSelected, "#regions")
    def _region_chosen(self, event: OptionList.OptionSelected) -> None:
        regions = tuple(self.marked) or (str(event.option.id),)
        self.dismiss((self.profile, regions))
