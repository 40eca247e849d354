"""Member points (党员积分制, DOMAIN.md §6) for a year as of a date.

points = max(floor, base + min(attended, cap) + min(study records, cap)
             + min(⌊xuexi points ÷ 1000⌋, cap) − penalty × absences)

Who was expected at a ledger activity (metrics/attendance.py): every member of the branch at its
date, except 党小组会 naming a
group (that group's members) and 支部委员会 (members whose role is, or ends with, one of the
configured committee roles: 书记/副书记/委员 — so 支部书记 and 组织委员 count). Attended = expected
and not named absent or on leave. Counts-only 统计表 give no per-member credit.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from metrics._frames import between, members_during, prepare
from metrics.attendance import absences, attendance_credit, named
from metrics.config import MetricsConfig, load_config
from domain.dataset import Dataset
from metrics.matching import CREDITED
from metrics.self_study import study_rows
from domain.periods import to_date
from metrics.xuexi import year_points

POINTS_COLUMNS = [
    "member_id", "branch_id", "branch", "name", "group", "role", "attended", "attendance_credit",
    "study_records", "study_credit", "xuexi_points", "xuexi_credit", "absences", "absence_penalty",
    "points", "level", "model", "rank_in_branch",
]


def member_points(
    ds: Dataset, year: int, as_of: date | str | None = None, config: MetricsConfig | None = None
) -> pd.DataFrame:
    """Points of every member of the year (one row per member and branch they belonged to) for ``year`` counting records up to ``as_of`` (default today,
    capped at 31 Dec). Columns ``POINTS_COLUMNS``; sorted by branch, points desc, name. ``model``
    marks each branch's top scorer(s) (标兵); ``rank_in_branch`` is a 1, 2, 2, 4 rank."""
    ds = prepare(ds)
    config = config or load_config(imported_targets=ds.targets)
    rules = config.points
    start, end = date(year, 1, 1), date(year, 12, 31)
    last = min(to_date(as_of) if as_of is not None else date.today(), end)

    members = members_during(ds, start, last).reset_index(drop=True)
    key = pd.MultiIndex.from_frame(members[["member_id", "branch_id"]].astype("int64"))
    lists = named(ds, start, last)
    attended = attendance_credit(ds, members, start, last, list(rules["committee_roles"]), lists)

    # study records while a member of the branch (the record's own branch)
    study = study_rows(ds)
    study = study[study["match"].isin(CREDITED) & study["form"].isin(list(rules["study_forms"]))
                  & between(study["date"], start, last)]
    study = study.merge(members[["member_id", "branch_id", "start", "end"]], on=["member_id", "branch_id"])
    study = study[(study["start"].isna() | (study["start"] <= study["date"]))
                  & (study["end"].isna() | (study["end"] > study["date"]))]
    study_n = _per_row(study.groupby(["member_id", "branch_id"]).size(), key, 0).astype(int)

    xuexi, _ = year_points(ds, year, last)
    xuexi_pts = _per_row(xuexi.set_index(["member_id", "branch_id"])["points"], key, 0.0).astype("float64")

    missed = absences(ds, start, last, lists)
    absent_n = _per_row(missed.groupby(["member_id", "branch_id"]).size(), key, 0).astype(int)

    att_credit = attended.clip(upper=int(rules["attendance_cap"]))
    study_credit = study_n.clip(upper=int(rules["study_cap"]))
    xuexi_credit = np.floor(xuexi_pts / float(rules["xuexi_points_per_credit"])).astype(int).clip(upper=int(rules["xuexi_cap"]))
    penalty = absent_n * float(rules["absence_penalty"])
    total = (float(rules["base"]) + att_credit + study_credit + xuexi_credit - penalty).clip(lower=float(rules["floor"]))

    levels = sorted(rules["levels"].items(), key=lambda kv: -float(kv[1]))
    level = pd.Series("不合格", index=members.index, dtype="str")
    for name, bound in reversed(levels):  # lowest bound first, higher bounds overwrite
        level = level.mask(total >= float(bound), name)

    out = members[["member_id", "branch_id", "branch", "name", "group", "role"]].assign(
        attended=attended, attendance_credit=att_credit, study_records=study_n, study_credit=study_credit,
        xuexi_points=xuexi_pts, xuexi_credit=xuexi_credit, absences=absent_n, absence_penalty=penalty,
        points=total.astype("float64"), level=level,
    )
    best = out.groupby("branch_id")["points"].transform("max")
    out = out.assign(
        model=out["points"].eq(best),
        rank_in_branch=out.groupby("branch_id")["points"].rank(method="min", ascending=False).astype("Int64"),
    )
    out = out.sort_values(["branch", "points", "name"], ascending=[True, False, True], kind="stable")
    return out[POINTS_COLUMNS].reset_index(drop=True)


def _per_row(values: pd.Series, key: pd.MultiIndex, fill) -> pd.Series:
    """A figure indexed by (member_id, branch_id), one value per member row of ``key``."""
    if len(values) == 0:
        return pd.Series(fill, index=range(len(key)))
    values.index = pd.MultiIndex.from_arrays([values.index.get_level_values(i).astype("int64") for i in range(2)])
    return pd.Series(values.reindex(key).fillna(fill).to_numpy(), index=range(len(key)))
