"""Who is looking: the one object every query takes to decide what they may see."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = {"admin": "管理员", "leader": "领导", "secretary": "支部书记"}


@dataclass(frozen=True)
class Viewer:
    """A logged-in user as the data layer sees them. A secretary without a branch sees nothing."""

    username: str
    role: str
    branch_id: int | None = None
    branch: str | None = None
    display_name: str = ""

    @property
    def sees_all_branches(self) -> bool:
        return self.role in ("admin", "leader")

    @property
    def branch_scope(self) -> tuple[int, ...] | None:
        """None = every branch; otherwise the branch ids this viewer may read (maybe empty)."""
        if self.sees_all_branches:
            return None
        if self.role == "secretary" and self.branch_id is not None:
            return (self.branch_id,)
        return ()

    @property
    def can_import(self) -> bool:
        return self.role == "admin" or (self.role == "secretary" and self.branch_id is not None)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def cache_key(self) -> str:
        """A small, stable key for caches: role and branch, never anything from session state."""
        return f"{self.role}:{self.branch_id if self.branch_id is not None else '-'}"


# Used by the CLI and by internal aggregates that are then reduced to what a viewer may see.
SYSTEM = Viewer(username="system", role="admin", display_name="系统")
