"""Members who fall behind (党员预警, DOMAIN.md §5) and upcoming political birthdays.

Reasons, in this order:
- ``xuexi_zero``: 0 学习强国 points in the quarter so far (missing / 未激活 included); 在职 only.
- ``xuexi_low``: 0 < points < member target × elapsed ÷ quarter days × fraction; 在职 only.
- ``absent``: named absent at ≥ threshold activities of the quarter (a name also on the leave list
  of the same activity is taken as on leave).
- ``ambiguous``: 同名待核实 — a row of the quarter names them and a namesake of their branch.
- ``no_self_study``: some month of the quarter ended by as-of has no 自学 record.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from domain.vocabulary import REASON_LABELS
from metrics._frames import lists_by, members_during, named_in, overlap_days, prepare
from metrics.coverage import coverage
from metrics.attendance import absences, named, unsure
from metrics.config import MetricsConfig, load_config
from domain.dataset import Dataset
from metrics.self_study import self_study_status, study_rows
from domain.periods import Quarter, effective_as_of, parse_quarter, to_date
from metrics.xuexi import quarter_points_with_selection

LAGGING_COLUMNS = [
    "member_id", "branch_id", "branch", "name", "group", "reasons", "reason_labels", "points",
    "points_threshold", "absences", "absent_activities", "missing_months", "n_reasons",
]


def _lists(series: pd.Series) -> pd.Series:
    """Object series of lists with NA replaced by empty lists."""
    return pd.Series([v if isinstance(v, list) else [] for v in series], index=series.index, dtype=object)


def member_parts(ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None) -> pd.DataFrame:
    """The parts of the lagging list that read the roster, the 学习强国 rows and the study rows
    but no activity: one row per (member, branch) of the quarter (``members_during``) with their
    points, the share of the quarter they belonged up to the as-of date, whether a 同名 export row
    could be theirs, the self-study months owed and done, whether a 同名 study row could be theirs,
    and a ``missing_YYYY-MM`` flag per month. A ledger import leaves them as they are, so they can
    be kept under the rows they read (services.analytics) and not computed again."""
    ds = prepare(ds)
    q = parse_quarter(quarter)
    cut = effective_as_of(q, as_of)
    members = members_during(ds, q.start, cut)
    xuexi = quarter_points_with_selection(ds, q, cut).members
    xuexi = members[["member_id", "branch_id"]].merge(
        xuexi[["member_id", "branch_id", "points", "elapsed_share", "ambiguous"]],
        on=["member_id", "branch_id"], how="left")
    study = self_study_status(study_rows(ds), members, q, cut)
    flags = [c for c in study.columns if c.startswith("missing_")]
    return pd.DataFrame({
        "member_id": members["member_id"].to_numpy(),
        "branch_id": members["branch_id"].to_numpy(),
        "points": xuexi["points"].fillna(0.0).to_numpy(dtype="float64"),
        "elapsed_share": xuexi["elapsed_share"].fillna(0.0).to_numpy(dtype="float64"),
        "xuexi_ambiguous": xuexi["ambiguous"].fillna(False).to_numpy(dtype=bool),
        "owed": study["owed"].to_numpy(dtype="int64"),
        "done": study["done"].to_numpy(dtype="int64"),
        "study_unsure": study["unsure"].to_numpy(dtype=bool),
        **{c: study[c].to_numpy(dtype=bool) for c in flags},
    })


def lagging_members(
    ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None, config: MetricsConfig | None = None,
    parts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per flagged member of the quarter (columns ``LAGGING_COLUMNS``), most reasons first,
    then by branch and name. ``reasons`` / ``reason_labels`` / ``absent_activities`` /
    ``missing_months`` are Python lists; ``points_threshold`` is NA for 离退休 branches (no 学习强国
    rule). Members who belonged for part of the quarter are judged on that part (their 学习强国
    threshold and owed months pro-rated); a 同名待核实 pair is flagged ``ambiguous`` instead of the
    reasons their namesake rows could explain. ``parts``: ``member_parts`` of the same roster,
    学习强国 and study rows and as-of date, computed before (computed here when not given)."""
    ds = prepare(ds)
    q = parse_quarter(quarter)
    cut = effective_as_of(q, as_of)
    config = config or load_config(imported_targets=ds.targets)
    rules = config.lagging

    members = members_during(ds, q.start, cut)
    parts = member_parts(ds, q, cut) if parts is None else parts
    members = members.merge(parts, on=["member_id", "branch_id"], how="left", validate="one_to_one")
    in_service = members["branch_type"].eq("在职")
    points = members["points"].fillna(0.0)
    xuexi_unsure = members["xuexi_ambiguous"].fillna(False).astype(bool)
    study_unsure = members["study_unsure"].fillna(False).astype(bool)
    # the line is pro-rated to the days the member belonged up to the day the exports cover
    covered = coverage(ds, q, cut).xuexi_cut
    own_days = overlap_days(members["start"], members["end"], q.start, covered) if covered >= q.start \
        else pd.Series(0, index=members.index)
    threshold = rules["xuexi_member_target"] * own_days / q.days * rules["xuexi_low_fraction"]

    lists = named(ds, q.start, cut)
    missed = absences(ds, q.start, cut, lists).sort_values(["date", "activity_id"])
    missed = missed.assign(_text=missed["date"].dt.strftime("%Y-%m-%d") + " " + missed["type"])
    key = _pair_key(members)
    missed = missed.dropna(subset=["member_id", "branch_id"])
    missed_key = _pair_key(missed)
    per_member = missed["activity_id"].groupby(missed_key).nunique()
    absences_n = pd.Series(per_member.reindex(key).fillna(0).astype(int).to_numpy(), index=members.index)
    absent_lists = pd.Series(lists_by(missed["_text"], missed_key).reindex(key).to_numpy(), index=members.index)
    doubt = unsure(lists)
    absence_unsure = pd.Series(named_in(members, doubt), index=members.index, dtype=bool)

    flags = pd.DataFrame({
        "xuexi_zero": in_service & points.le(0) & ~xuexi_unsure,
        "xuexi_low": in_service & points.gt(0) & points.lt(threshold) & ~xuexi_unsure,
        "absent": absences_n.ge(rules["absent_threshold"]) & ~absence_unsure,
        "no_self_study": members["owed"].fillna(0).gt(members["done"].fillna(0)) & ~study_unsure,
        "ambiguous": xuexi_unsure | absence_unsure | study_unsure,
    })
    n_reasons = flags.sum(axis=1).astype(int)
    listed = n_reasons.gt(0).to_numpy()  # lists are built for the members listed only
    members, n_reasons, flags = members[listed], n_reasons[listed], flags[listed]
    on = flags.melt(ignore_index=False, var_name="code", value_name="on")  # keeps REASON_CODES order
    on = on[on["on"]]
    reasons = _lists(lists_by(on["code"], on.index).reindex(members.index))
    labels = _lists(lists_by(on["code"].map(REASON_LABELS), on.index).reindex(members.index))
    out = pd.DataFrame({
        "member_id": members["member_id"],
        "branch_id": members["branch_id"],
        "branch": members["branch"],
        "name": members["name"],
        "group": members["group"],
        "reasons": reasons,
        "reason_labels": labels,
        "points": points[listed],
        "points_threshold": pd.Series(np.where(in_service[listed], threshold[listed], np.nan), index=members.index),
        "absences": absences_n[listed],
        "absent_activities": _lists(absent_lists[listed]),
        # months owed are not listed while 同名 study rows may be theirs
        "missing_months": _missing_months(members, study_unsure[listed]),
        "n_reasons": n_reasons,
    })
    out = out.sort_values(["n_reasons", "branch", "name"], ascending=[False, True, True], kind="stable")
    return out[LAGGING_COLUMNS].reset_index(drop=True)


def _pair_key(frame: pd.DataFrame) -> pd.Index:
    """(member_id, branch_id) as one int64 per row: a MultiIndex reindex builds a tuple per row
    (0.15 s for a quarter's members at L)."""
    return pd.Index(frame["member_id"].to_numpy(dtype="int64") * (1 << 31)
                    + frame["branch_id"].to_numpy(dtype="int64"))


def _missing_months(members: pd.DataFrame, unsure: pd.Series) -> pd.Series:
    """The months owed without a 自学 record ("YYYY-MM", from the parts' ``missing_`` flags), a
    list per member; empty while a 同名 study row may be theirs."""
    months = [c.removeprefix("missing_") for c in members.columns if c.startswith("missing_")]
    flags = members[[f"missing_{m}" for m in months]].fillna(False).to_numpy(dtype=bool) \
        & ~unsure.to_numpy(dtype=bool)[:, None]
    return pd.Series([[m for m, on in zip(months, row) if on] for row in flags.tolist()],
                     index=members.index, dtype=object)


def political_birthdays(ds: Dataset, month_start: date | str) -> pd.DataFrame:
    """Members of that month whose 入党日期 anniversary falls in the month of ``month_start``.

    Columns: member_id, branch_id, branch, name, group, join_date, anniversary (date this year;
    29 Feb → 28 Feb in common years), party_years; sorted by branch, anniversary, name.
    """
    ds = prepare(ds)
    first = to_date(month_start).replace(day=1)
    members = members_during(ds, first, (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date())
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
