"""Members who fall behind (党员预警, DOMAIN.md §5) and upcoming political birthdays.

Reasons, in this order:
- ``xuexi_zero``: 0 学习强国 points in the quarter so far (missing / 未激活 included); 在职 only.
- ``xuexi_low``: 0 < points < member target × elapsed ÷ quarter days × fraction; 在职 only.
- ``absent``: named absent at ≥ threshold activities of the quarter (a name also on the leave list
  of the same activity is taken as on leave).
- ``no_self_study``: some month of the quarter ended by as-of has no 自学 record.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from domain.vocabulary import REASON_CODES, REASON_LABELS
from metrics._frames import active_members, between, prepare
from metrics.config import MetricsConfig, load_config
from metrics.dataset import Dataset
from metrics.matching import match_members
from domain.periods import Quarter, effective_as_of, ended_months, parse_quarter, to_date
from metrics.xuexi import quarter_points

LAGGING_COLUMNS = [
    "member_id", "branch_id", "branch", "name", "group", "reasons", "reason_labels", "points",
    "points_threshold", "absences", "absent_activities", "missing_months", "n_reasons",
]


def _lists(series: pd.Series) -> pd.Series:
    """Object series of lists with NA replaced by empty lists."""
    return pd.Series([v if isinstance(v, list) else [] for v in series], index=series.index, dtype=object)


def absences(ds: Dataset, start: date, last: date) -> pd.DataFrame:
    """Unexcused absences of matched members at ledger activities dated ``start``–``last``:
    one row per (activity, member): activity_id, member_id, date, type."""
    acts = ds.activities[between(ds.activities["date"], start, last)][["activity_id", "date", "type"]]
    att = ds.attendance[ds.attendance["activity_id"].isin(acts["activity_id"])]
    matched = match_members(att, ds.members)
    matched = matched[matched["match"] == "matched"]
    pairs = matched[["activity_id", "member_id", "kind"]].drop_duplicates()
    leave = pairs[pairs["kind"] == "on_leave"][["activity_id", "member_id"]].assign(_leave=True)
    absent = pairs[pairs["kind"] == "absent"].merge(leave, on=["activity_id", "member_id"], how="left")
    absent = absent[absent["_leave"].isna()][["activity_id", "member_id"]]
    return absent.merge(acts, on="activity_id", how="left")


def lagging_members(
    ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None, config: MetricsConfig | None = None
) -> pd.DataFrame:
    """One row per flagged active member (columns ``LAGGING_COLUMNS``), most reasons first, then by
    branch and name. ``reasons`` / ``reason_labels`` / ``absent_activities`` / ``missing_months``
    are Python lists; ``points_threshold`` is NA for 离退休 branches (no 学习强国 rule)."""
    ds = prepare(ds)
    q = parse_quarter(quarter)
    cut = effective_as_of(q, as_of)
    config = config or load_config(imported_targets=ds.targets)
    rules = config.lagging

    members = active_members(ds)
    points, _ = quarter_points(ds, q, cut)
    members = members.merge(points[["member_id", "points"]], on="member_id", how="left")
    members = members.assign(points=members["points"].fillna(0.0))
    in_service = members["branch_type"].eq("在职")
    threshold = rules["xuexi_member_target"] * ((cut - q.start).days + 1) / q.days * rules["xuexi_low_fraction"]

    missed = absences(ds, q.start, cut)
    missed = missed.sort_values(["date", "activity_id"])
    missed = missed.assign(_text=missed["date"].dt.strftime("%Y-%m-%d") + " " + missed["type"])
    per_member = missed.groupby("member_id").agg(
        absences=("activity_id", "nunique"), absent_activities=("_text", list)
    )

    months = [str(m) for m in ended_months(q, cut)]
    study = match_members(ds.study, ds.members)
    study = study[(study["match"] == "matched") & (study["form"] == "自学") & between(study["date"], q.start, cut)]
    done = study.assign(month=study["date"].dt.strftime("%Y-%m"))[["member_id", "month"]].drop_duplicates()
    done = done[done["month"].isin(months)]
    grid = members[["member_id"]].merge(pd.DataFrame({"month": pd.Series(months, dtype="str")}), how="cross")
    grid = grid.merge(done.assign(_done=True), on=["member_id", "month"], how="left")
    missing = grid[grid["_done"].isna()].groupby("member_id")["month"].agg(list)

    absences_n = members["member_id"].map(per_member["absences"]).fillna(0).astype(int)
    flags = pd.DataFrame({
        "xuexi_zero": in_service & members["points"].le(0),
        "xuexi_low": in_service & members["points"].gt(0) & members["points"].lt(threshold),
        "absent": absences_n.ge(rules["absent_threshold"]),
        "no_self_study": members["member_id"].isin(missing.index),
    })
    n_reasons = flags.sum(axis=1).astype(int)
    on = flags.melt(ignore_index=False, var_name="code", value_name="on")  # keeps REASON_CODES order
    on = on[on["on"]]
    reasons = _lists(on.groupby(level=0, sort=False)["code"].agg(list).reindex(members.index))
    labels = _lists(on.assign(label=on["code"].map(REASON_LABELS)).groupby(level=0, sort=False)["label"]
                    .agg(list).reindex(members.index))
    out = pd.DataFrame({
        "member_id": members["member_id"],
        "branch_id": members["branch_id"],
        "branch": members["branch"],
        "name": members["name"],
        "group": members["group"],
        "reasons": reasons,
        "reason_labels": labels,
        "points": members["points"],
        "points_threshold": pd.Series(np.where(in_service, threshold, np.nan), index=members.index),
        "absences": absences_n,
        "absent_activities": _lists(members["member_id"].map(per_member["absent_activities"])),
        "missing_months": _lists(members["member_id"].map(missing)),
        "n_reasons": n_reasons,
    })
    out = out[out["n_reasons"] > 0]
    out = out.sort_values(["n_reasons", "branch", "name"], ascending=[False, True, True], kind="stable")
    return out[LAGGING_COLUMNS].reset_index(drop=True)


def political_birthdays(ds: Dataset, month_start: date | str) -> pd.DataFrame:
    """Active members whose 入党日期 anniversary falls in the month of ``month_start``.

    Columns: member_id, branch_id, branch, name, group, join_date, anniversary (date this year;
    29 Feb → 28 Feb in common years), party_years; sorted by branch, anniversary, name.
    """
    ds = prepare(ds)
    first = to_date(month_start).replace(day=1)
    members = active_members(ds)
    members = members[members["join_date"].notna() & members["join_date"].dt.month.eq(first.month)]
    members = members[members["join_date"].dt.year < first.year]
    last_day = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).day
    day = members["join_date"].dt.day.clip(upper=last_day)
    anniversary = pd.to_datetime(
        pd.DataFrame({"year": first.year, "month": first.month, "day": day})
    ) if len(members) else pd.Series([], dtype="datetime64[ns]")
    out = members.assign(
        anniversary=anniversary.astype("datetime64[ns]") if len(members) else anniversary,
        party_years=(first.year - members["join_date"].dt.year).astype(int),
    )
    cols = ["member_id", "branch_id", "branch", "name", "group", "join_date", "anniversary", "party_years"]
    return out.sort_values(["branch", "anniversary", "name"], kind="stable")[cols].reset_index(drop=True)
