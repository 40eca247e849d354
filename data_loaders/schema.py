"""The contract between loaders, storage and metrics: canonical columns and the problem record.

Every loader returns a ``LoadResult`` whose ``frame`` has exactly the columns listed in
``CANONICAL_COLUMNS[kind]`` (missing optional fields are present and all-NA). Names of people are
already normalised (width-folded, all whitespace removed); branch names likewise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

KINDS = ("roster", "xuexi", "activity", "activity_counts", "study", "records", "targets")

KIND_LABELS = {
    "roster": "党员名册",
    "xuexi": "学习强国积分导出",
    "activity": "组织生活台账",
    "activity_counts": "组织生活开展情况统计表",
    "study": "学习记录",
    "records": "其他台账",
    "targets": "季度目标",
}

# Column order of each canonical frame. ``row`` is the row number as Excel shows it (1-based),
# ``sheet`` the sheet name ("" for CSV).
CANONICAL_COLUMNS: dict[str, list[str]] = {
    "roster": [
        "sheet", "row", "name", "branch", "unit", "group", "branch_type", "category",
        "member_code", "join_date", "role", "status", "phone", "id_number", "transfer_in", "transfer_out",
    ],
    "xuexi": [
        "sheet", "row", "name", "branch", "department", "activated", "points",
        "interval_points", "total_points", "daily_question", "active_days", "member_code",
    ],
    "activity": [
        "sheet", "row", "branch", "date", "type", "type_raw", "topic", "expected", "present",
        "absent", "on_leave", "group", "speaker", "days",
    ],
    # Long form: one row per (branch, period, activity type). ``expected``/``present`` are carried
    # on the first type row of each source row only (NA on the others) so sums never double count.
    "activity_counts": [
        "sheet", "row", "branch", "period_start", "period_end", "type", "count", "expected", "present",
    ],
    "study": ["sheet", "row", "name", "branch", "date", "form", "content", "hours", "score"],
    "records": [
        "sheet", "row", "category", "title", "date", "branch", "person", "level", "quantity", "measure",
    ],
    # indicator: an indicator key of DOMAIN.md §4 (congress, committee, …) or ``type:<活动类型>``
    # for an activity type without an indicator of its own (e.g. ``type:警示教育``).
    # branch_type: 在职 / 离退休 / 全部; period_kind: 季度 / 年度; quarter: "2026Q3" or NA.
    "targets": ["sheet", "row", "indicator", "branch_type", "period_kind", "target", "weight", "quarter"],
}

# Column dtypes: "str" (pandas str, NA allowed), "date" (datetime64[ns] at midnight), "float",
# "Int64", "bool", "list" (object column holding list[str], empty list when none).
COLUMN_TYPES: dict[str, str] = {
    "sheet": "str", "row": "Int64", "name": "str", "branch": "str", "unit": "str", "group": "str",
    "branch_type": "str", "category": "str", "member_code": "str", "join_date": "date",
    "role": "str", "status": "str", "phone": "str", "id_number": "str", "department": "str",
    "activated": "bool", "points": "float", "interval_points": "float", "total_points": "float",
    "daily_question": "float", "active_days": "float", "date": "date", "type": "str",
    "type_raw": "str", "topic": "str", "expected": "float", "present": "float", "absent": "list",
    "on_leave": "list", "speaker": "str", "days": "float", "period_start": "date",
    "period_end": "date", "count": "float", "form": "str", "content": "str", "hours": "float",
    "score": "float", "title": "str", "person": "str", "level": "str",
    "quantity": "float", "measure": "str", "indicator": "str", "period_kind": "str",
    "target": "float", "weight": "float", "quarter": "str", "transfer_in": "date", "transfer_out": "date",
}

@dataclass(frozen=True)
class Problem:
    """One finding about an input file. ``severity`` is "error" (file rejected) or "warning"."""

    file: str
    sheet: str
    row: int | None  # as Excel shows it; None for file-level problems
    column: str | None  # the header text as written in the file (or canonical label)
    value: str | None
    message: str  # Chinese, says what to fix
    severity: str = "error"
    code: str = ""  # machine-readable reason, e.g. "bad_date", "unknown_member"

    def describe(self) -> str:
        """One line in Chinese: 文件 › 工作表 › 第N行 › 列：说明。"""
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"「{self.column}」列")
        head = " › ".join(parts)
        value = f"（值：{self.value}）" if self.value not in (None, "") else ""
        tag = "错误" if self.severity == "error" else "提示"
        return f"[{tag}] {head}：{self.message}{value}"


@dataclass
class LoadResult:
    """What a loader hands back for one file."""

    file_name: str
    kind: str | None
    frame: pd.DataFrame
    period: tuple[date, date] | None = None  # 学习强国 export period
    problems: list[Problem] = field(default_factory=list)
    # roster: the day the roster speaks for (title or file name: 截至2026-06-30, 2026年10月 → 10-01)
    as_of: date | None = None
    # activity / activity_counts: the period the file covers (its title or file name, or the
    # counts' months), for data coverage; None when it does not say
    covers: tuple[date, date] | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.kind is not None and not self.errors
