"""Tables of the 总览 page beside the ranking (pure pandas): overdue rectification tasks, and two
quarters side by side."""

from __future__ import annotations

from datetime import date

import pandas as pd

from domain.formatting import score_change_text, score_text, value_text
from domain.periods import Quarter
from ui.theme import status_text


def overdue_table(tasks: pd.DataFrame, today: date) -> pd.DataFrame:
    """逾期 tasks: branch, the problem, owner, deadline and how many days late."""
    late = tasks.assign(_days=[(today - d).days for d in tasks["deadline"]])
    return pd.DataFrame({
        "支部": late["branch"], "季度": late["quarter"].map(lambda q: Quarter.parse(q).label),
        "问题": late["problem"], "责任人": late["owner"].fillna(""),
        "整改时限": late["deadline"].map(lambda d: d.isoformat()), "逾期天数": late["_days"].astype(int),
    })


def quarter_comparison(now: pd.DataFrame, before: pd.DataFrame, quarter: Quarter, ongoing: bool) -> pd.DataFrame:
    """Each branch's score and status this quarter and last, and the change, worst change first.
    A quarter in progress is compared by its score against pace (a finished quarter's pace score
    is its score)."""
    prev = before.set_index("branch_id")
    joined = now.assign(_before=now["branch_id"].map(prev["score"]), _bstatus=now["branch_id"].map(prev["status"]))
    change = [score_change_text(a, b) or "—" for a, b in zip(joined["pace_score"], joined["_before"])]
    diff = (joined["pace_score"] - joined["_before"]).fillna(0)
    out = pd.DataFrame({
        "支部": joined["branch"],
        f"{quarter.previous().label}": joined["_before"].map(score_text),
        "上季度状态": joined["_bstatus"].map(status_text),
        f"{quarter.label}" + ("（按进度）" if ongoing else ""): joined["pace_score"].map(score_text),
        "本季度状态": joined["status"].map(status_text),
        "变化": change, "_d": diff.to_numpy(),
    })
    return out.sort_values("_d", kind="stable").drop(columns="_d").reset_index(drop=True)


def indicator_comparison(now: pd.DataFrame, before: pd.DataFrame, branch_id: int,
                         quarter: Quarter) -> pd.DataFrame:
    """One branch's indicators this quarter and last, side by side: value, target, status."""
    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame[(frame["branch_id"] == branch_id) & frame["applicable"]]
        return rows.set_index("indicator")

    a, b = mine(now), mine(before)
    keys = list(dict.fromkeys(list(b.index) + list(a.index)))

    def cell(rows: pd.DataFrame, key: str, column: str):
        return rows.loc[key, column] if key in rows.index else None

    return pd.DataFrame({
        "指标": [cell(a, k, "label") or cell(b, k, "label") for k in keys],
        f"{quarter.previous().label}": [value_text(cell(b, k, "actual"), cell(b, k, "measure") or "次") for k in keys],
        "上季度状态": [status_text(cell(b, k, "status")) for k in keys],
        f"{quarter.label}": [value_text(cell(a, k, "actual"), cell(a, k, "measure") or "次") for k in keys],
        "本季度状态": [status_text(cell(a, k, "status")) for k in keys],
        "目标": [value_text(cell(a, k, "target"), cell(a, k, "measure") or "次") for k in keys],
    })
