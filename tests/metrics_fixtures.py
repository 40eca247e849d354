"""Hand-built ``Dataset``s for the metrics tests.

``DatasetBuilder`` collects rows with plain Python values and ``build()`` turns them into frames
with the dtypes storage hands over (datetime64[ns] dates, int ids, str names). Branch names are
filled in from the branch id so tests only write what matters.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from domain.dataset import DATASET_COLUMNS, Dataset

D = date  # short alias for the many dates in tests


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    columns = DATASET_COLUMNS[name]
    frame = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: [] for c in columns})
    for col in columns:
        if col in ("date", "join_date", "period_start", "period_end", "start", "end"):
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
        elif col in ("branch_id", "member_id", "activity_id", "export_id", "record_id"):
            frame[col] = frame[col].astype("Int64")
        elif col in ("expected", "present", "days", "count", "hours", "score", "points",
                     "daily_question", "active_days", "quantity", "target", "weight"):
            frame[col] = pd.to_numeric(frame[col]).astype("float64")
        elif col == "activated":
            frame[col] = frame[col].astype(bool)
        else:
            frame[col] = frame[col].astype("str")
    return frame


class DatasetBuilder:
    """Fluent builder: ``DatasetBuilder().branch(1, "一支部").member(10, 1, "张伟").build()``."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in DATASET_COLUMNS}
        self._names: dict[int, str] = {}
        self._next_activity = 1
        self._next_member = 1000

    def _branch_name(self, branch_id: int | None) -> str | None:
        return None if branch_id is None else self._names.get(branch_id, f"支部{branch_id}")

    def branch(self, branch_id: int, name: str | None = None, type: str = "在职", unit: str | None = None):
        name = name or f"第{branch_id}党支部"
        self._names[branch_id] = name
        self.rows["branches"].append({"branch_id": branch_id, "branch": name, "unit": unit, "type": type})
        return self

    def member(self, member_id: int | None, branch_id: int, name: str, group: str | None = None,
               role: str | None = None, status: str = "active", join_date: date | None = None,
               code: str | None = None, category: str | None = "正式党员",
               start: date | None = None, end: date | None = None):
        """A membership interval [start, end) (None: open). A member whose ``status`` says they
        left, with no ``end``, left long before any test window."""
        if member_id is None:
            member_id = self._next_member
            self._next_member += 1
        self.rows["members"].append({
            "member_id": member_id, "branch_id": branch_id, "branch": self._branch_name(branch_id),
            "name": name, "group": group, "category": category, "role": role, "status": status,
            "join_date": join_date, "member_code": code, "start": start,
            "end": end if end is not None or status == "active" else date(2000, 1, 1),
        })
        return self

    def members(self, branch_id: int, names: list[str], start_id: int, **kwargs):
        for i, name in enumerate(names):
            self.member(start_id + i, branch_id, name, **kwargs)
        return self

    def activity(self, branch_id: int, day: date, type: str, *, expected: float | None = None,
                 present: float | None = None, absent: tuple[str, ...] = (), on_leave: tuple[str, ...] = (),
                 group: str | None = None, topic: str | None = None, type_raw: str | None = None,
                 activity_id: int | None = None, speaker: str | None = None, days: float | None = None):
        if activity_id is None:
            activity_id = self._next_activity
        self._next_activity = max(self._next_activity, activity_id) + 1
        self.rows["activities"].append({
            "activity_id": activity_id, "branch_id": branch_id, "branch": self._branch_name(branch_id),
            "date": day, "type": type, "type_raw": type_raw or type, "topic": topic,
            "expected": expected, "present": present, "group": group, "speaker": speaker, "days": days,
        })
        for kind, names in (("absent", absent), ("on_leave", on_leave)):
            for name in names:
                self.rows["attendance"].append(
                    {"activity_id": activity_id, "branch_id": branch_id, "kind": kind, "name": name}
                )
        return self

    def counts(self, branch_id: int, start: date, end: date, type: str, count: float,
               expected: float | None = None, present: float | None = None):
        self.rows["activity_counts"].append({
            "branch_id": branch_id, "branch": self._branch_name(branch_id), "period_start": start,
            "period_end": end, "type": type, "count": count, "expected": expected, "present": present,
        })
        return self

    def study(self, branch_id: int | None, name: str, day: date, form: str = "自学", content: str | None = None):
        self.rows["study"].append({
            "branch_id": branch_id, "branch": self._branch_name(branch_id), "name": name, "date": day,
            "form": form, "content": content, "hours": None, "score": None,
        })
        return self

    def xuexi(self, export_id: int, start: date, end: date, rows: list[tuple]):
        """rows: (name, branch_id, points) or (name, branch_id, points, activated[, member_code])."""
        for row in rows:
            name, branch_id, points = row[:3]
            activated = row[3] if len(row) > 3 else True
            code = row[4] if len(row) > 4 else None
            self.rows["xuexi"].append({
                "export_id": export_id, "period_start": start, "period_end": end, "branch_id": branch_id,
                "branch": self._branch_name(branch_id), "name": name, "member_code": code,
                "activated": activated, "points": points, "daily_question": None, "active_days": None,
            })
        return self

    def target(self, indicator: str, branch_type: str, target: float | None, weight: float | None = None,
               period_kind: str = "季度", quarter: str | None = None):
        self.rows["targets"].append({
            "indicator": indicator, "branch_type": branch_type, "period_kind": period_kind,
            "target": target, "weight": weight, "quarter": quarter,
        })
        return self

    def build(self) -> Dataset:
        return Dataset(**{name: _frame(name, rows) for name, rows in self.rows.items()})


def row(table: pd.DataFrame, branch_id: int, indicator: str) -> dict:
    """The one indicator row of a branch as a dict (fails loudly when missing or duplicated)."""
    found = table[(table["branch_id"] == branch_id) & (table["indicator"] == indicator)]
    assert len(found) == 1, f"expected one row for ({branch_id}, {indicator}), got {len(found)}"
    return found.iloc[0].to_dict()


def quarter_scenario() -> DatasetBuilder:
    """2026Q3 for two branches, worked out by hand in test_metrics_indicators.py.

    Branch 1 (在职, 4 members in two 党小组) falls short on several indicators; branch 2 (离退休,
    2 members, no 党小组) completes everything except attendance.
    """
    b = DatasetBuilder().branch(1, "机关第一党支部", unit="市财政局").branch(2, "离退休党支部", type="离退休", unit="市财政局")
    b.member(10, 1, "张伟", group="一组", role="书记")
    b.member(11, 1, "李娜", group="一组", role="委员")
    b.member(12, 1, "王芳", group="二组")
    b.member(13, 1, "赵强", group="二组")
    b.member(20, 2, "老刘").member(21, 2, "老陈")

    # branch 1 ledger
    b.activity(1, D(2026, 2, 10), "组织生活会")
    b.activity(1, D(2026, 7, 5), "支部党员大会", expected=4, present=4)
    b.activity(1, D(2026, 7, 8), "支部委员会", expected=2, present=2)
    b.activity(1, D(2026, 8, 8), "支部委员会", expected=2, present=2)
    b.activity(1, D(2026, 10, 8), "支部委员会", expected=2, present=2)  # next quarter
    b.activity(1, D(2026, 7, 12), "党小组会", group="一组")
    b.activity(1, D(2026, 7, 13), "党小组会", group="二组")
    b.activity(1, D(2026, 8, 12), "党小组会", group="一组")
    b.activity(1, D(2026, 9, 13), "党小组会", group="二组")
    b.activity(1, D(2026, 8, 20), "党课", expected=4, present=3, absent=("赵强",))
    b.activity(1, D(2026, 7, 1), "主题党日", expected=4, present=3, absent=("赵强",))
    b.activity(1, D(2026, 8, 1), "主题党日", expected=4, present=3, on_leave=("王芳",))
    b.activity(1, D(2026, 9, 1), "主题党日", expected=4, present=3, absent=("王芳",))
    b.activity(1, D(2026, 7, 15), "集中学习")
    b.study(1, "张伟", D(2026, 7, 15), "集中学习")  # same day as the ledger row: not added
    b.study(1, "张伟", D(2026, 8, 15), "集中学习")  # a session the ledger misses: +1
    b.study(1, "李娜", D(2026, 8, 15), "集中学习")  # same date again: still +1 only
    for name, days in (("张伟", (3, 3, 3)), ("李娜", (4, 4, 4)), ("王芳", (5, 5))):
        for month, day in zip((7, 8, 9), days, strict=False):
            b.study(1, name, D(2026, month, day), "自学")
    b.xuexi(1, D(2026, 7, 1), D(2026, 9, 30), [("张伟", 1, 3000), ("李娜", 1, 2700), ("王芳", 1, 900)])

    # branch 2 ledger
    b.activity(2, D(2026, 7, 6), "支部党员大会")
    for month in (7, 8, 9):
        b.activity(2, D(2026, month, 9), "支部委员会", expected=2, present=1)
        b.activity(2, D(2026, month, 2), "主题党日", expected=2, present=2)
        b.activity(2, D(2026, month, 16), "集中学习")
        b.study(2, "老刘", D(2026, month, 10), "自学")
        b.study(2, "老陈", D(2026, month, 11), "自学")
    b.activity(2, D(2026, 7, 20), "党课")
    return b
