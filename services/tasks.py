"""Rectification (整改) tasks: a problem of an inspected quarter with an owner and a deadline.
Admins edit every branch's tasks, a secretary their own branch's (checked in storage's SQL too);
every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from domain.access import Viewer
from domain.periods import Quarter
from domain.vocabulary import TASK_STATUS_LABELS
from services import audit
from storage import rectification as store


def tasks(engine: Engine, viewer: Viewer, quarters: Iterable[Quarter | str] | None = None,
          branch_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Tasks the viewer may see (storage.rectification.TASK_COLUMNS)."""
    return store.list_tasks(engine, viewer, quarters, branch_ids)


def create(engine: Engine, viewer: Viewer, quarter: Quarter | str, branch: str,
           problems: list[dict], owner: str, deadline: date | None) -> list[int]:
    """Turn problems (``branch_id``, ``indicator``, ``problem``) into tasks and audit it."""
    ids = store.create_tasks(engine, viewer, quarter, problems, owner, deadline)
    audit.record(engine, viewer, "rectification",
                 f"{branch} {quarter} 建立整改任务{len(ids)}项，责任人{owner.strip()}")
    return ids


def set_status(engine: Engine, viewer: Viewer, task_id: int, status: str, branch: str) -> None:
    store.update_task(engine, viewer, task_id, status=status)
    audit.record(engine, viewer, "rectification",
                 f"{branch} 整改任务{task_id}：{TASK_STATUS_LABELS.get(status, status)}")


def overdue(engine: Engine, viewer: Viewer, today: date) -> pd.DataFrame:
    """Open tasks the viewer may see whose deadline has passed (逾期), oldest deadline first."""
    found = store.list_tasks(engine, viewer)
    if found.empty:
        return found
    late = found[found["status"].eq("open") & found["deadline"].notna()]
    late = late[late["deadline"].map(lambda d: d < today)]
    return late.sort_values(["deadline", "branch"], kind="stable").reset_index(drop=True)
