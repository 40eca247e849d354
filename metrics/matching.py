"""Whose is this row? Names and codes in imported records → the member they mean (DOMAIN.md §2).

A row names a person (``name``, maybe ``member_code``), maybe a branch (``branch_id``), and a
date (``date``) or a period (``period_start``–``period_end``). Candidates are the members who
belonged at that time (``members`` holds membership intervals: ``start`` inclusive, ``end``
exclusive, NaT open). Rules, in order:

1. ``member_code`` equal to the code of exactly one member → that member.
2. ``branch_id`` given → the branch's members of that name at that time: one → matched; two or
   more → ambiguous (同名待核实: never merged, no credit nor penalty to either); none at that time
   but exactly one of that name in the branch at any time → matched (the record falls outside
   their membership, so it credits nothing); otherwise unmatched.
3. no ``branch_id`` (a 学习强国 部门 that names no branch) → the name must belong to exactly one
   member of the whole committee at that time → ``by_name`` (matched, listed as 按姓名归入);
   otherwise unmatched (counted nowhere, listed).
"""

from __future__ import annotations

import pandas as pd

MATCHED, BY_NAME, UNMATCHED, AMBIGUOUS = "matched", "by_name", "unmatched", "ambiguous"
CREDITED = (MATCHED, BY_NAME)  # outcomes that give the member credit


def _window(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each row's first and last day: its date, or its period."""
    if "date" in frame.columns:
        return frame["date"], frame["date"]
    if "period_start" in frame.columns:
        return frame["period_start"], frame["period_end"]
    missing = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return missing, missing


def _covers(found: pd.DataFrame) -> pd.Series:
    """Candidate interval [start, end) overlaps the row's [first, last] (unknown dates: yes)."""
    after_start = found["start"].isna() | found["_last"].isna() | (found["start"] <= found["_last"])
    before_end = found["end"].isna() | found["_first"].isna() | (found["end"] > found["_first"])
    return (after_start & before_end).astype(bool)


def _resolve(probe: pd.DataFrame, roster: pd.DataFrame, keys: list[str], timed: bool) -> pd.DataFrame:
    """Per probe row (``_row``): ``_n`` candidates and ``_member`` (the one when ``_n`` == 1)."""
    found = probe.merge(roster, on=keys, how="inner")
    if timed:
        found = found[_covers(found)]
    found = found.drop_duplicates(["_row", "member_id"])
    stats = found.groupby("_row").agg(_n=("member_id", "size"), _member=("member_id", "first"))
    return stats


def match_members(frame: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (same rows and order, fresh index) with ``member_id`` (NA unless credited),
    ``match`` (matched / by_name / ambiguous / unmatched) and ``candidates`` (how many members
    the row could mean)."""
    out = frame.reset_index(drop=True)
    out = out.drop(columns=[c for c in ("member_id", "match", "candidates") if c in out.columns])
    n = len(out)
    member_id = pd.Series(pd.NA, index=out.index, dtype="Int64")
    outcome = pd.Series(UNMATCHED, index=out.index, dtype="str")
    candidates = pd.Series(0, index=out.index, dtype="int64")
    if n == 0 or members.empty:
        return out.assign(member_id=member_id, match=outcome, candidates=candidates)

    roster = members[["member_id", "branch_id", "name", "member_code", "start", "end"]]
    first, last = _window(out)
    branch_id = out["branch_id"] if "branch_id" in out.columns else pd.Series(pd.NA, index=out.index)
    code = out["member_code"] if "member_code" in out.columns else pd.Series(pd.NA, index=out.index)
    probe = pd.DataFrame({"_row": out.index, "name": out["name"], "branch_id": branch_id.astype("Int64"),
                          "member_code": code.astype("str"), "_first": first, "_last": last})
    todo = pd.Series(True, index=out.index)

    def settle(rows: pd.Index, stats: pd.DataFrame, unique: str) -> None:
        hit = stats.reindex(rows)
        one = hit["_n"].eq(1)
        many = hit["_n"].gt(1)
        member_id.loc[one[one].index] = hit.loc[one, "_member"].astype("Int64")
        outcome.loc[one[one].index] = unique
        outcome.loc[many[many].index] = AMBIGUOUS
        candidates.loc[hit.index] = hit["_n"].fillna(0).astype("int64")
        todo.loc[hit.index[hit["_n"].notna()]] = False

    # 1. a code that is one member's
    with_code = probe[probe["member_code"].notna() & probe["member_code"].ne("")]
    if not with_code.empty:
        codes = roster.dropna(subset=["member_code"]).drop_duplicates(["member_code", "member_id"])
        stats = _resolve(with_code[["_row", "member_code", "_first", "_last"]], codes, ["member_code"], False)
        settle(with_code.index, stats, MATCHED)

    # 2. a branch and a name: who of that name belonged then; else anyone of that name there
    with_branch = probe[todo & probe["branch_id"].notna() & probe["name"].notna()]
    if not with_branch.empty:
        cols = ["_row", "branch_id", "name", "_first", "_last"]
        stats = _resolve(with_branch[cols], roster, ["branch_id", "name"], True)
        settle(with_branch.index, stats, MATCHED)
        rest = with_branch[todo.loc[with_branch.index].to_numpy()]
        if not rest.empty:
            ever = _resolve(rest[cols], roster, ["branch_id", "name"], False)
            ever = ever[ever["_n"].eq(1)]  # an unknown date never makes two people one
            settle(rest.index, ever, MATCHED)

    # 3. no branch: a name that is one member's in the whole committee at that time
    without = probe[todo & probe["branch_id"].isna() & probe["name"].notna()]
    if not without.empty:
        stats = _resolve(without[["_row", "name", "_first", "_last"]], roster, ["name"], True)
        settle(without.index, stats, BY_NAME)
    # no branch, and a name or a code that could be two members: no one to flag, 未归入 (for
    # every such row, whether or not other rows of the frame needed rule 3)
    outcome.loc[outcome.eq(AMBIGUOUS) & probe["branch_id"].isna()] = UNMATCHED

    credited = outcome.isin(CREDITED)
    return out.assign(member_id=member_id.where(credited), match=outcome, candidates=candidates)
