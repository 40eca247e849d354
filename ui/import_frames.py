"""Tables of the 数据导入 page: a file's preview, its problems, the import batches (pure pandas)."""

from __future__ import annotations

import pandas as pd

from data_loaders.headers import FIELD_LABELS
from data_loaders.schema import KIND_LABELS, Problem
from domain.vocabulary import MEMBER_STATUS_LABELS

# Personal data (DOMAIN.md §3.1) is never shown in a preview.
PERSONAL = ("phone", "id_number")
_EXTRA_LABELS = {
    "sheet": "工作表", "row": "行号", "period_start": "期间开始", "period_end": "期间结束",
    "type": "活动类型", "type_raw": "原始类型", "count": "次数", "status": "人员状态",
    "unit": "单位党组织", "branch": "党支部", "department": "部门", "points": "计入年度积分",
}


def column_label(kind: str | None, column: str) -> str:
    labels = FIELD_LABELS.get(kind or "", {})
    if column in _EXTRA_LABELS:
        return _EXTRA_LABELS[column]
    return labels[column][0] if column in labels else column


def _cell(value):
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


def preview_frame(frame: pd.DataFrame, kind: str | None, rows: int = 10) -> pd.DataFrame:
    """The first ``rows`` rows with Chinese headers, lists joined, dates as text, no personal
    columns, and columns that are empty in every shown row left out."""
    head = frame.drop(columns=[c for c in PERSONAL if c in frame.columns]).head(rows)
    out = {}
    for column in head.columns:
        series = head[column]
        if column == "sheet" and series.fillna("").eq("").all():
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            series = series.dt.strftime("%Y-%m-%d")
        elif series.dtype == object:
            series = series.map(_cell)
        if column == "status":
            series = series.map(lambda s: MEMBER_STATUS_LABELS.get(s, s))
        if column == "activated":
            series = series.map({True: "激活", False: "未激活"})
        if series.isna().all() or series.astype(str).eq("").all():
            continue
        out[column_label(kind, column)] = series
    return pd.DataFrame(out).reset_index(drop=True)


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Every problem, errors first, with file / sheet / row / column / value / message."""
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    return pd.DataFrame({
        "级别": ["错误" if p.severity == "error" else "提示" for p in ordered],
        "行": pd.array([p.row for p in ordered], dtype="Int64"),
        "列": [p.column or "" for p in ordered],
        "值": [p.value or "" for p in ordered],
        "说明": [p.message for p in ordered],
        "工作表": [p.sheet or "" for p in ordered],
        "文件": [p.file for p in ordered],
    })


def foreign_rows(frame: pd.DataFrame, viewer) -> int:
    """Rows a secretary may not import (another branch, or no branch); 0 for other roles. The
    storage layer enforces the rule; this only warns before the attempt."""
    if viewer.sees_all_branches or "branch" not in frame.columns:
        return 0
    return int((frame["branch"].astype("string").fillna("") != (viewer.branch or "")).sum())


def period_text(start, end) -> str:
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return ""
    return f"{pd.Timestamp(start):%Y-%m-%d}至{pd.Timestamp(end):%Y-%m-%d}"


def batches_table(batches: pd.DataFrame) -> pd.DataFrame:
    """Import batches, newest first, as the page lists them."""
    undone = batches["undone_at"].notna()
    state = pd.Series("有效", index=batches.index, dtype="str").mask(
        undone, "已撤销（" + batches["undone_by"].fillna("") + "）")
    return pd.DataFrame({
        "批次": batches["id"].astype(int),
        "文件": batches["file_name"],
        "数据类型": batches["kind"].map(lambda k: KIND_LABELS.get(k, k)),
        "行数": batches["rows"].astype(int),
        "统计期间": [period_text(s, e) for s, e in zip(batches["period_start"],
                                                   batches["period_end"])],
        "导入人": batches["created_by"],
        "导入时间": pd.to_datetime(batches["created_at"], format="mixed").dt.strftime("%Y-%m-%d %H:%M"),
        "提示": batches["warnings"].fillna(0).astype(int),
        "状态": state,
    })


def batch_label(row) -> str:
    return f"第{int(row['id'])}批 · {row['file_name']} · {int(row['rows'])}行"
