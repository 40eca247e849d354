"""Tables of the 季度督查 page (pure pandas): the 问题清单 with its tasks, last quarter's
rectification, and when a new task is due. A task past its deadline and still open is 逾期."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from domain.periods import Quarter
from domain.vocabulary import NO_TASK, TASK_STATUS_LABELS

OVERDUE = "逾期"


def default_deadline(quarter: Quarter, today: date) -> date:
    """A month after the quarter ends, and never a day already gone (a late inspection)."""
    return max(quarter.end + timedelta(days=31), today + timedelta(days=30))


def _due(value) -> str:
    return "未定" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _status(task_status: str, deadline, today: date) -> str:
    """整改中 past its deadline reads 逾期."""
    late = task_status == TASK_STATUS_LABELS["open"] and deadline is not None and not pd.isna(deadline) \
        and pd.Timestamp(deadline).date() < today
    return OVERDUE if late else task_status


def problem_table(problems: pd.DataFrame, today: date) -> pd.DataFrame:
    """序号, 问题, 责任人, 整改时限, 任务状态 (未建任务 / 整改中 / 已完成 / 逾期)."""
    has_task = problems["task_status"].ne(NO_TASK)
    return pd.DataFrame({
        "序号": range(1, len(problems) + 1), "问题": problems["problem"],
        "责任人": problems["owner"].where(has_task, ""),
        "整改时限": [_due(d) if t else "" for d, t in zip(problems["deadline"], has_task)],
        "任务状态": [_status(s, d, today) for s, d in zip(problems["task_status"], problems["deadline"])],
    })


def rectification_table(rows: pd.DataFrame, today: date) -> pd.DataFrame:
    """Last quarter's problems: 上季度问题, 责任人, 整改时限, 任务状态, 本季度完成情况, 整改结果."""
    return pd.DataFrame({
        "上季度问题": rows["problem"], "责任人": rows["owner"].fillna(""),
        "整改时限": rows["deadline"].map(_due),
        "任务状态": [_status(s, d, today) for s, d in zip(rows["task_status"], rows["deadline"])],
        "本季度完成情况": rows["now_text"], "整改结果": rows["result"],
    })
