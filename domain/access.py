"""Who may see and change what (DOMAIN.md §8): the one permission module. Every query takes a
``Viewer`` and every write asks it first; pages only hide what these rules refuse anyway.

| role      | sees              | may change                                              |
|-----------|-------------------|---------------------------------------------------------|
| admin     | every branch      | users, targets, imports of any branch, undo, tasks      |
| leader    | every branch      | nothing                                                 |
| secretary | own branch only   | imports of rows for own branch only, own branch's tasks |
"""

from __future__ import annotations

from dataclasses import dataclass, replace

ROLES = {"admin": "管理员", "leader": "领导", "secretary": "支部书记"}
LEAST_PRIVILEGED_ROLE = "secretary"  # what a new-account form offers first
ALL_ROLES = tuple(ROLES)

# Which roles may open which page (the router and every page guard read this table).
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "overview": ALL_ROLES,
    "branch": ALL_ROLES,
    "lagging": ALL_ROLES,
    "inspection": ALL_ROLES,
    "report": ("admin", "leader"),
    "import": ("admin", "secretary"),
    "quality": ("admin", "leader"),
    "targets": ("admin", "leader"),
    "users": ("admin",),
    "audit": ("admin",),
    "reminders": ("admin",),
}


@dataclass(frozen=True)
class Viewer:
    """A logged-in user as the data layer sees them. A secretary without a branch sees nothing."""

    username: str
    role: str
    branch_id: int | None = None
    branch: str | None = None
    display_name: str = ""
    focus: int | None = None  # reads narrowed to this one branch (never wider than the role's)
    source: str = ""  # where the request came from (client address, or "cli:<os user>")

    # -- who they are ------------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_secretary(self) -> bool:
        return self.role == "secretary"

    @property
    def sees_all_branches(self) -> bool:
        return self.role in ("admin", "leader")

    @property
    def own_branch_id(self) -> int | None:
        """The branch a secretary answers for (None for everyone else)."""
        return self.branch_id if self.is_secretary else None

    # -- reading ------------------------------------------------------------------------------
    @property
    def branch_scope(self) -> tuple[int, ...] | None:
        """None = every branch; otherwise the branch ids this viewer may read (maybe empty)."""
        if self.sees_all_branches:
            scope = None
        elif self.is_secretary and self.branch_id is not None:
            scope = (self.branch_id,)
        else:
            scope = ()
        if self.focus is None:
            return scope
        return (self.focus,) if scope is None or self.focus in scope else ()

    def can_see_branch(self, branch_id: int | None) -> bool:
        scope = self.branch_scope
        return scope is None or (branch_id is not None and int(branch_id) in scope)

    def can_open(self, page_key: str) -> bool:
        return self.role in PAGE_ROLES.get(page_key, ())

    def focused_on(self, branch_id: int) -> "Viewer":
        """The same viewer reading one branch only (a page about one branch needs no other's
        rows); a branch outside the viewer's scope gives an empty scope."""
        return replace(self, focus=int(branch_id))

    # -- changing -----------------------------------------------------------------------------
    @property
    def can_import(self) -> bool:
        return self.is_admin or (self.is_secretary and self.branch_id is not None)

    @property
    def can_change_branches(self) -> bool:
        """Branch attributes (name, type, unit) and committee-wide data (targets, records
        without a branch) change only by an administrator."""
        return self.is_admin

    @property
    def can_edit_settings(self) -> bool:
        return self.is_admin

    @property
    def can_manage_users(self) -> bool:
        return self.is_admin

    def can_edit_tasks(self, branch_id: int | None = None) -> bool:
        """Admins edit every branch's rectification tasks; a secretary only their own branch's."""
        if self.is_admin:
            return True
        return self.is_secretary and self.branch_id is not None and (
            branch_id is None or int(branch_id) == self.branch_id)

    @property
    def can_export_ranking(self) -> bool:
        return self.sees_all_branches


# Used by internal aggregates that are then reduced to what a viewer may see.
SYSTEM = Viewer(username="system", role="admin", display_name="系统", source="system")
