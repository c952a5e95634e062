"""Execution roles: functions grouped by role, largest group first, with the role's policies."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from ..aws.iam import RoleGroup, group_by_role
from ..format import plural
from ..widgets.contextbar import ContextBar
from ..widgets.footer import KeysFooter
from ..widgets.scroll import KeyScroll
from ..widgets.section import Section
from ..widgets.table import Column, VirtualTable
from .base import Pane
from .identity import role_rows


class RolesScreen(Pane):
    HELP_TITLE = "Execution roles"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open its first function", id="roles.open"),
        Binding("r", "refresh", "Reload policies", id="roles.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Execution roles, largest group first", id="title")
            yield Static("", id="count")
        yield VirtualTable(self._columns(), key=lambda g: g.arn, id="roles", empty="No functions.")
        with KeyScroll(id="role-detail"):
            yield Section("Role", id="role")
        yield KeysFooter()

    def _columns(self) -> list[Column[RoleGroup]]:
        def flags(group: RoleGroup) -> Text:
            summary = self.fleet.posture.roles.known(group.arn)
            if summary is None:
                return Text("…", style="vtable--dim")
            if summary.wildcards:
                n = len(summary.wildcards)
                return Text(f"{n} wildcard{'s' if n > 1 else ''}", style="vtable--bad")
            return Text("narrow", style="vtable--good")

        return [
            Column("role", "Role", 30, lambda g: g.name, lambda g: g.name),
            Column(
                "count",
                "Fns",
                4,
                lambda g: str(len(g.functions)),
                lambda g: len(g.functions),
                align="right",
            ),
            Column("flags", "Policies", 11, flags, drop=1),
            Column("functions", "Functions", 30, lambda g: ", ".join(g.functions), flex=True),
        ]

    @property
    def table(self) -> VirtualTable[RoleGroup]:
        return self.query_one("#roles", VirtualTable)

    def on_mount(self) -> None:
        groups = group_by_role(self.fleet.functions)
        self.table.set_rows(groups)
        self.table.focus()
        shared = sum(1 for g in groups if len(g.functions) > 1)
        self.query_one("#count", Static).update(
            f"{plural(len(groups), 'role')} · {shared} shared · "
            f"{plural(len(self.fleet.functions), 'function')}"
        )
        self.load_all()
        self._show_current()

    @work(exclusive=True, group="roles", exit_on_error=False)
    async def load_all(self) -> None:
        await self.fleet.posture.roles.many(g.arn for g in self.table.rows if g.arn != "-")
        self.table.redraw()
        self._show_current()

    @on(VirtualTable.Highlighted, "#roles")
    def _highlighted(self) -> None:
        self._show_current()

    def _show_current(self) -> None:
        group = self.table.current
        if group is None:
            return
        self.show_role(group)

    @work(exclusive=True, group="role-detail", exit_on_error=False)
    async def show_role(self, group: RoleGroup, fresh: bool = False) -> None:
        section = self.query_one("#role", Section)
        section.title = f"Role {group.name}"
        head = [("ARN", group.arn), ("Functions", ", ".join(group.functions))]
        if group.arn == "-":
            section.show(head)
            return
        section.show([*head, ("Policies", "loading…")])
        summary = await self.fleet.posture.roles.get(group.arn, fresh=fresh)
        section.show([*head, *role_rows(summary)])
        self.table.redraw()

    def action_open(self) -> None:
        group = self.table.current
        if group is None:
            return
        fn = next((f for f in self.fleet.functions if f.name == group.functions[0]), None)
        if fn is not None:
            self.tui.open_function(fn)

    def action_refresh(self) -> None:
        group = self.table.current
        if group is not None:
            self.show_role(group, fresh=True)
