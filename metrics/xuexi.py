"""学习强国 points per member for a quarter or a year (DOMAIN.md §3.2).

An export counts for a window (quarter or year) when its period lies inside the window and has ended
by the as-of date. Among those, an export whose period is contained in another counted export's
period is dropped (a quarterly export supersedes the monthly ones it covers; equal periods keep the
newest ``export_id``). Exports that overlap only partly are both counted and reported as a warning.
Exports straddling the window's edge are not counted and are reported too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics._frames import members_during, named_in, overlap_days, prepare, shared, ts
from domain.dataset import Dataset
from metrics.matching import AMBIGUOUS, CREDITED, match_members
from domain.periods import Quarter, effective_as_of, parse_quarter, to_date, year_end, year_start


@dataclass
class ExportSelection:
    """Which exports count for a window, and why the others do not."""

    exports: pd.DataFrame  # export_id, period_start, period_end, n_rows, status
    overlaps: pd.DataFrame  # export_a, start_a, end_a, export_b, start_b, end_b
    counted: list[int]

    @property
    def warnings(self) -> list[str]:
        out = []
        for r in self.overlaps.itertuples(index=False):
            out.append(
                f"学习强国导出{r.export_a}（{_span(r.start_a, r.end_a)}）与导出{r.export_b}"
                f"（{_span(r.start_b, r.end_b)}）期间部分重叠，两者均已计入，请核对是否重复导入"
            )
        for r in self.exports[self.exports["status"] == "straddles"].itertuples(index=False):
            out.append(
                f"学习强国导出{r.export_id}（{_span(r.period_start, r.period_end)}）跨越统计期间边界，未计入"
            )
        return out


def _span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"


def select_exports(xuexi: pd.DataFrame, start: date, end: date, as_of: date) -> ExportSelection:
    """Decide which 学习强国 exports count for the window ``start``–``end`` as of ``as_of``.

    ``status`` per export: counted / superseded / not_ended / outside / straddles.
    """
    exports = (
        xuexi.dropna(subset=["export_id"])
        .groupby("export_id", as_index=False)
        .agg(period_start=("period_start", "min"), period_end=("period_end", "max"), n_rows=("name", "size"))
    )
    w_start, w_end, cut = ts(start), ts(end), ts(as_of)
    inside = exports["period_start"].ge(w_start) & exports["period_end"].le(w_end)
    touches = exports["period_start"].le(w_end) & exports["period_end"].ge(w_start)
    ended = exports["period_end"].le(cut)
    candidate = inside & ended
    status = pd.Series("outside", index=exports.index, dtype="str")
    status = status.where(~(touches & ~inside), "straddles")
    status = status.where(~(inside & ~ended), "not_ended")

    cands = exports.loc[candidate, ["export_id", "period_start", "period_end"]]
    pairs = cands.merge(cands, how="cross", suffixes=("_a", "_b"))
    pairs = pairs[pairs["export_id_a"] != pairs["export_id_b"]]
    a_in_b = pairs["period_start_b"].le(pairs["period_start_a"]) & pairs["period_end_a"].le(pairs["period_end_b"])
    b_in_a = pairs["period_start_a"].le(pairs["period_start_b"]) & pairs["period_end_b"].le(pairs["period_end_a"])
    equal = a_in_b & b_in_a
    # a is dropped when strictly inside b, or when the periods are equal and b is newer
    drops_a = (a_in_b & ~equal) | (equal & (pairs["export_id_b"] > pairs["export_id_a"]))
    superseded = set(pairs.loc[drops_a, "export_id_a"].tolist())
    counted_mask = candidate & ~exports["export_id"].isin(superseded)
    status = status.where(~candidate, "counted").where(~(candidate & ~counted_mask), "superseded")

    kept = set(exports.loc[counted_mask, "export_id"].tolist())
    partial = pairs[
        pairs["export_id_a"].isin(kept) & pairs["export_id_b"].isin(kept)
        & (pairs["export_id_a"] < pairs["export_id_b"])
        & pairs["period_start_a"].le(pairs["period_end_b"]) & pairs["period_start_b"].le(pairs["period_end_a"])
        & ~a_in_b & ~b_in_a
    ]
    overlaps = pd.DataFrame({
        "export_a": partial["export_id_a"], "start_a": partial["period_start_a"], "end_a": partial["period_end_a"],
        "export_b": partial["export_id_b"], "start_b": partial["period_start_b"], "end_b": partial["period_end_b"],
    }).reset_index(drop=True)
    return ExportSelection(exports.assign(status=status), overlaps, sorted(int(e) for e in kept))


def known_exports(ds: Dataset) -> pd.DataFrame:
    """Every live export as ``select_exports`` reads them: those with rows in ``ds.xuexi`` and
    those the coverage frame names (read for every viewer: a branch none of whose members is in
    an export has none of its rows, but the export exists)."""
    rows = ds.xuexi[["export_id", "period_start", "period_end", "name"]]
    c = ds.coverage
    named = c[c["source"].eq("xuexi") & c["export_id"].notna() & c["covered_from"].notna()]
    named = named[~named["export_id"].isin(rows["export_id"])]
    if named.empty:
        return rows
    extra = pd.DataFrame({"export_id": named["export_id"].astype("Int64"), "period_start": named["covered_from"],
                          "period_end": named["covered_to"], "name": ""})
    return pd.concat([rows, extra.astype(rows.dtypes.to_dict())], ignore_index=True)


@dataclass
class XuexiPoints:
    """学习强国 points of a window, one row per (member, branch) that belonged in it: member_id,
    branch_id, points (credited to the member), daily_question, share (of the window's days they
    belonged there: their per-member target is pro-rated by it), elapsed_share (the same up to
    the as-of date), ambiguous (an export row of their name could be theirs or a namesake's) and
    branch_points — what the row adds to the branch's totals: the member's points, or for a
    同名待核实 pair the points of the rows naming them, one row each (highest first), which no
    member is credited with but the branch did earn (DOMAIN §2)."""

    members: pd.DataFrame
    selection: ExportSelection


def window_points(ds: Dataset, start: date, end: date, as_of: date) -> XuexiPoints:
    """Points of the exports counted for the window ``start``–``end`` as of ``as_of``, per member
    who belonged in it (0 for a member in no counted export; 未激活 counts 0). A member who
    belonged to two branches in the window has their points split by the days in each."""
    ds = prepare(ds)
    found = shared(ds, ("window_points", start, end, as_of), lambda: _window_points(ds, start, end, as_of))
    return XuexiPoints(found.members.copy(deep=False), found.selection)


def _window_points(ds: Dataset, start: date, end: date, as_of: date) -> XuexiPoints:
    last = min(end, as_of)
    selection = select_exports(ds.xuexi, start, end, as_of)
    members = members_during(ds, start, last)[["member_id", "branch_id", "name", "start", "end"]]
    window_days = (end - start).days + 1
    members = members.assign(
        share=overlap_days(members["start"], members["end"], start, end) / window_days,
        elapsed_share=overlap_days(members["start"], members["end"], start, last) / window_days,
    )
    rows = ds.xuexi[ds.xuexi["export_id"].isin(selection.counted)]
    matched = match_members(rows, ds.members)
    matched = matched.assign(points=matched["points"].fillna(0).where(matched["activated"], 0.0),
                             daily_question=matched["daily_question"].fillna(0))
    credited = matched[matched["match"].isin(CREDITED)]
    sums = credited.groupby("member_id")[["points", "daily_question"]].sum()
    # split between the branches a member belonged to in the window, by days
    weight = members["share"] / members.groupby("member_id")["share"].transform("sum")
    out = members.assign(
        points=(members["member_id"].map(sums["points"]).fillna(0.0) * weight).astype("float64"),
        daily_question=(members["member_id"].map(sums["daily_question"]).fillna(0.0) * weight).astype("float64"),
    )
    unsure = matched[matched["match"].eq(AMBIGUOUS) & matched["branch_id"].notna()]
    out = out.assign(ambiguous=pd.Series(named_in(out, unsure), index=out.index, dtype=bool))
    out = out.assign(branch_points=_pair_points(out, unsure))
    cols = ["member_id", "branch_id", "name", "points", "daily_question", "share", "elapsed_share",
            "ambiguous", "branch_points"]
    return XuexiPoints(out[cols].reset_index(drop=True), selection)


def _pair_points(members: pd.DataFrame, unsure: pd.DataFrame) -> pd.Series:
    """``branch_points``: a member's own points, or for the candidates of a 同名 pair the pair's
    export rows, one each in order (the highest to the first candidate; rows beyond the number of
    candidates go to the last), so branch totals and shares count every row exactly once."""
    out = members["points"].copy()
    if unsure.empty:
        return out
    rows = unsure.assign(branch_id=unsure["branch_id"].astype(int)).sort_values("points", ascending=False,
                                                                               kind="stable")
    by_key = {key: list(group["points"]) for key, group in rows.groupby(["branch_id", "name"], sort=False)}
    pairs = members[members["ambiguous"]].sort_values("member_id", kind="stable")
    for (branch, name), candidates in pairs.groupby([pairs["branch_id"].astype(int), "name"], sort=False):
        found = by_key.get((branch, name), [])
        shares = found[:len(candidates) - 1] + [sum(found[len(candidates) - 1:])]
        shares += [0.0] * (len(candidates) - len(shares))
        out.loc[candidates.index] = shares[:len(candidates)]
    return out


def quarter_points(
    ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Points per member who belonged in the quarter → (frame, warnings) (see ``XuexiPoints``)."""
    found = quarter_points_with_selection(ds, quarter, as_of)
    return found.members, found.selection.warnings


def quarter_points_with_selection(ds: Dataset, quarter: Quarter | str,
                                  as_of: date | str | None = None) -> XuexiPoints:
    q = parse_quarter(quarter)
    cut = effective_as_of(q, as_of)
    return window_points(ds, q.start, q.end, cut)


def year_points(ds: Dataset, year: int, as_of: date | str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Points per member over the exports inside ``year`` ended by ``as_of`` (default today,
    capped at 31 Dec) → (frame, warnings), the same rule as ``quarter_points`` (DOMAIN.md §6)."""
    end = year_end(year)
    cut = min(to_date(as_of) if as_of is not None else date.today(), end)
    found = window_points(ds, year_start(year), end, cut)
    return found.members, found.selection.warnings
