"""Member points (党员积分制, DOMAIN.md §6) for a year as of a date.

points = max(floor, base + min(attended, cap) + min(study records, cap)
             + min(⌊xuexi points ÷ 1000⌋, cap) − penalty × absences)

Who was expected at a ledger activity: every active member of the branch, except 党小组会 naming a
group (that group's members) and 支部委员会 (members whose role is, or ends with, one of the
configured committee roles: 书记/副书记/委员 — so 支部书记 and 组织委员 count). Attended = expected
and not named absent or on leave. Counts-only 统计表 give no per-member credit.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from metrics._frames import active_members, between, prepare
from metrics.config import MetricsConfig, load_config
from metrics.dataset import Dataset
from metrics.lagging import absences
from metrics.matching import match_members
from domain.periods import to_date
from metrics.xuexi import year_points

POINTS_COLUMNS = [
    "member_id", "branch_id", "branch", "name", "group", "role", "attended", "attendance_credit",
    "study_records", "study_credit", "xuexi_points", "xuexi_credit", "absences", "absence_penalty",
    "points", "level", "model", "rank_in_branch",
]
COMMITTEE_TYPE = "支部委员会"
GROUP_MEETING_TYPE = "党小组会"


def _is_committee_role(role: pd.Series, roles: list[str]) -> pd.Series:
    role = role.fillna("")
    hit = pd.Series(False, index=role.index)
    for r in roles:
        hit = hit | role.eq(r) | role.str.endswith(r)
    return hit


def attendance_credit(ds: Dataset, start: date, last: date, committee_roles: list[str]) -> pd.Series:
    """Activities attended per active member (index member_id) at ledger activities in the window.

    Counted per branch (and per 党小组 / committee) rather than per activity × member, so the
    cost grows with activities plus members, not with their product."""
    acts = ds.activities[between(ds.activities["date"], start, last)]
    members = active_members(ds)
    members = members.assign(_committee=_is_committee_role(members["role"], committee_roles))
    is_group = acts["type"].eq(GROUP_MEETING_TYPE) & acts["group"].notna()
    is_committee = ~is_group & acts["type"].eq(COMMITTEE_TYPE)
    acts = acts.assign(_audience=np.select([is_group, is_committee], ["group", "committee"], "all"))

    by_branch = acts.groupby(["branch_id", "_audience"]).size()
    per_group = acts[is_group].groupby(["branch_id", "group"]).size().rename("_n").reset_index()
    everyone = members["branch_id"].map(by_branch.xs("all", level="_audience")
                                        if "all" in acts["_audience"].values else {}).fillna(0)
    committee = members["branch_id"].map(by_branch.xs("committee", level="_audience")
                                         if "committee" in acts["_audience"].values else {}).fillna(0)
    in_group = members[["branch_id", "group"]].merge(per_group, on=["branch_id", "group"], how="left")
    expected = (everyone + committee.where(members["_committee"], 0)
                + in_group["_n"].fillna(0).to_numpy())

    # named absent or on leave at an activity the member was expected at
    att = ds.attendance[ds.attendance["activity_id"].isin(acts["activity_id"])]
    excused = match_members(att, ds.members)
    excused = excused[excused["match"] == "matched"][["activity_id", "member_id"]].drop_duplicates()
    pairs = (excused.merge(acts[["activity_id", "branch_id", "group", "_audience"]], on="activity_id")
             .merge(members[["member_id", "branch_id", "group", "_committee"]], on="member_id",
                    suffixes=("", "_member")))
    was_expected = pairs["branch_id"].eq(pairs["branch_id_member"]) & np.select(
        [pairs["_audience"].eq("group"), pairs["_audience"].eq("committee")],
        [pairs["group"].eq(pairs["group_member"]).fillna(False).astype(bool), pairs["_committee"]],
        True,
    ).astype(bool)
    missed = members["member_id"].map(pairs[was_expected].groupby("member_id").size()).fillna(0)
    attended = (expected - missed).astype(int)
    return pd.Series(attended.to_numpy(), index=members["member_id"].to_numpy())


def member_points(
    ds: Dataset, year: int, as_of: date | str | None = None, config: MetricsConfig | None = None
) -> pd.DataFrame:
    """Points of every active member for ``year`` counting records up to ``as_of`` (default today,
    capped at 31 Dec). Columns ``POINTS_COLUMNS``; sorted by branch, points desc, name. ``model``
    marks each branch's top scorer(s) (标兵); ``rank_in_branch`` is a 1, 2, 2, 4 rank."""
    ds = prepare(ds)
    config = config or load_config(imported_targets=ds.targets)
    rules = config.points
    start, end = date(year, 1, 1), date(year, 12, 31)
    last = min(to_date(as_of) if as_of is not None else date.today(), end)

    members = active_members(ds).reset_index(drop=True)
    mid = members["member_id"]
    attended = mid.map(attendance_credit(ds, start, last, list(rules["committee_roles"]))).fillna(0).astype(int)

    study = match_members(ds.study, ds.members)
    study = study[(study["match"] == "matched") & study["form"].isin(list(rules["study_forms"]))
                  & between(study["date"], start, last)]
    study_n = mid.map(study.groupby("member_id").size()).fillna(0).astype(int)

    xuexi, _ = year_points(ds, year, last) if last >= start else (pd.DataFrame(columns=["member_id", "points"]), [])
    xuexi_pts = mid.map(xuexi.set_index("member_id")["points"]).fillna(0.0).astype("float64")

    missed = absences(ds, start, last) if last >= start else pd.DataFrame(columns=["member_id"])
    absent_n = mid.map(missed.groupby("member_id").size()).fillna(0).astype(int)

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
