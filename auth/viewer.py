"""Who is looking: the one object every query takes to decide what they may see."""

from __future__ import annotations

from dataclasses import dataclass, replace

ROLES = {"admin": "管理员", "leader": "领导", "secretary": "支部书记"}


@dataclass(frozen=True)
class Viewer:
    """A logged-in user as the data layer sees them. A secretary without a branch sees nothing."""

    username: str
    role: str
    branch_id: int | None = None
    branch: str | None = None
    display_name: str = ""
    focus: int | None = None  # reads narrowed to this one branch (never wider than the role's)

    @property
    def sees_all_branches(self) -> bool:
        return self.role in ("admin", "leader")

    @property
    def branch_scope(self) -> tuple[int, ...] | None:
        """None = every branch; otherwise the branch ids this viewer may read (maybe empty)."""
        if self.sees_all_branches:
            scope = None
        elif self.role == "secretary" and self.branch_id is not None:
            scope = (self.branch_id,)
        else:
            scope = ()
        if self.focus is None:
            return scope
        return (self.focus,) if scope is None or self.focus in scope else ()

    def focused_on(self, branch_id: int) -> "Viewer":
        """The same viewer reading one branch only (a page about one branch needs no other's
        rows); a branch outside the viewer's scope gives an empty scope."""
        return replace(self, focus=int(branch_id))

    @property
    def can_import(self) -> bool:
        return self.role == "admin" or (self.role == "secretary" and self.branch_id is not None)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def cache_key(self) -> str:
        """A small, stable key for caches: role and branch, never anything from session state."""
        key = f"{self.role}:{self.branch_id if self.branch_id is not None else '-'}"
        return key if self.focus is None else f"{key}@{self.focus}"


# Used by the CLI and by internal aggregates that are then reduced to what a viewer may see.
SYSTEM = Viewer(username="system", role="admin", display_name="系统")
