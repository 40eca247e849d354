"""Rectification (整改) tasks: problems of an inspected quarter turned into owned, dated tasks.

Who may do what: admins every branch; secretaries their own branch only (enforced in the SQL
``WHERE``, not only in the page); leadership reads. Every write bumps the data version, so cached
packets that list these tasks are rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd
from sqlalchemy import Engine, and_, insert, select, update

from domain.access import Viewer
from domain.periods import Quarter, parse_quarter
from domain.vocabulary import TASK_STATUSES
from storage.models import Branch, RectificationTask
from storage.writes import bump_version, now

TASK_COLUMNS = ["id", "quarter", "branch_id", "branch", "indicator", "problem", "owner",
                "deadline", "status", "created_by", "created_at", "updated_at"]

_T = RectificationTask.__table__


def _scope(viewer: Viewer):
    """SQL condition limiting rows to what ``viewer`` may read."""
    scope = viewer.branch_scope
    if scope is None:
        return None
    if not scope:
        return _T.c.id.is_(None)  # matches nothing
    return _T.c.branch_id == scope[0]


def list_tasks(engine: Engine, viewer: Viewer, quarters: Iterable[Quarter | str] | None = None,
               branch_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Tasks the viewer may see (columns ``TASK_COLUMNS``), by quarter, branch and indicator."""
    stmt = (select(*[_T.c[c] for c in TASK_COLUMNS if c != "branch"], Branch.name.label("branch"))
            .join(Branch, Branch.id == _T.c.branch_id))
    cond = _scope(viewer)
    if cond is not None:
        stmt = stmt.where(cond)
    if quarters is not None:
        stmt = stmt.where(_T.c.quarter.in_([str(parse_quarter(q)) for q in quarters]))
    if branch_ids is not None:
        stmt = stmt.where(_T.c.branch_id.in_([int(b) for b in branch_ids]))
    stmt = stmt.order_by(_T.c.quarter, _T.c.branch_id, _T.c.id)
    with engine.connect() as conn:
        result = conn.execute(stmt)
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in TASK_COLUMNS})
    frame["deadline"] = frame["deadline"].map(lambda d: pd.Timestamp(d).date() if d is not None else None)
    return frame[TASK_COLUMNS]


def create_tasks(engine: Engine, viewer: Viewer, quarter: Quarter | str, problems: Iterable[dict],
                 owner: str, deadline: date | None) -> list[int]:
    """Turn problems (dicts with ``branch_id``, ``indicator``, ``problem``) of ``quarter`` into
    open tasks with ``owner`` and ``deadline``. A problem that already has a task gets the new
    owner and deadline instead of a second task. Returns the task ids, in input order."""
    q = str(parse_quarter(quarter))
    items = list(problems)
    owner = (owner or "").strip()[:64]
    if not owner:
        raise ValueError("请填写整改责任人。")
    for p in items:
        if not viewer.can_edit_tasks(p["branch_id"]):
            raise PermissionError("只能为本支部的问题建立整改任务。" if viewer.is_secretary
                                  else "当前账号不能建立整改任务。")
    ids = []
    stamp = now()
    with engine.begin() as conn:
        bump_version(conn)
        for p in items:
            key = and_(_T.c.quarter == q, _T.c.branch_id == int(p["branch_id"]),
                       _T.c.indicator == p["indicator"])
            found = conn.execute(select(_T.c.id).where(key)).scalar()
            if found is not None:
                conn.execute(update(_T).where(_T.c.id == found)
                             .values(owner=owner, deadline=deadline, updated_at=stamp))
                ids.append(int(found))
                continue
            new_id = conn.execute(insert(_T).values(
                quarter=q, branch_id=int(p["branch_id"]), indicator=p["indicator"],
                problem=str(p["problem"]), owner=owner, deadline=deadline, status="open",
                created_by=viewer.username, created_at=stamp, updated_at=stamp,
            ).returning(_T.c.id)).scalar_one()
            ids.append(int(new_id))
    return ids


def update_task(engine: Engine, viewer: Viewer, task_id: int, *, status: str | None = None,
                owner: str | None = None, deadline: date | None = None) -> None:
    """Change a task's status ("open"/"done"), owner or deadline. Raises ``PermissionError``
    for a leader or for another branch's task, ``LookupError`` for an unknown task."""
    if not viewer.can_edit_tasks():
        raise PermissionError("当前账号不能修改整改任务。")
    values: dict = {}
    if status is not None:
        if status not in TASK_STATUSES:
            raise ValueError(f"未知的整改状态「{status}」。")
        values["status"] = status
    if owner is not None:
        if not owner.strip():
            raise ValueError("请填写整改责任人。")
        values["owner"] = owner.strip()[:64]
    if deadline is not None:
        values["deadline"] = deadline
    if not values:
        return
    values["updated_at"] = now()
    stmt = update(_T).where(_T.c.id == int(task_id))
    cond = _scope(viewer)
    if cond is not None:
        stmt = stmt.where(cond)
    with engine.begin() as conn:
        bump_version(conn)
        changed = conn.execute(stmt.values(**values)).rowcount
        if not changed:
            exists = conn.execute(select(_T.c.id).where(_T.c.id == int(task_id))).scalar()
            if exists is None:
                raise LookupError(f"没有编号为{task_id}的整改任务。")
            raise PermissionError("只能修改本支部的整改任务。")
