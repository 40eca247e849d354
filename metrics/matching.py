"""Match names in imported records to roster members (DOMAIN.md §2 member identity).

Rules, in order, for each row of the frame:
1. ``member_code`` present and equal to exactly one roster member's code → that member
   (two roster members sharing a code → ambiguous). A code not on the roster falls through to 2.
2. ``branch_id`` present → the roster members of that branch with the same normalised name.
   Same name in two branches = two different people.
3. ``branch_id`` missing (a 学习强国 department that named no known branch, a study row without a
   branch) → the name must be unique across the whole roster.

Among candidates an *active* member wins: one active → matched; two or more active → ambiguous
(never merged silently). With no active candidate, a single transferred/deceased member is matched
(so that records of people who left are not reported as unknown names); several → ambiguous.
"""

from __future__ import annotations

import pandas as pd

MATCHED, UNMATCHED, AMBIGUOUS = "matched", "unmatched", "ambiguous"


def _candidates(members: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per key: the resolved member_id (NA unless unique) and the match outcome."""
    roster = members.dropna(subset=keys)
    active = roster["status"].eq("active")
    # active members first, so "first" is the active one whenever exactly one is active
    roster = roster.assign(_active=active).sort_values("_active", ascending=False, kind="stable")
    stats = roster.groupby(keys, sort=False).agg(
        _n_active=("_active", "sum"), _n_all=("member_id", "size"), _first=("member_id", "first"),
    ).reset_index()
    unique = stats["_n_active"].eq(1) | (stats["_n_active"].eq(0) & stats["_n_all"].eq(1))
    return pd.DataFrame({
        **{k: stats[k] for k in keys},
        "_member_id": stats["_first"].where(unique).astype("Int64"),
        "_outcome": pd.Series(AMBIGUOUS, index=stats.index, dtype="str").mask(unique, MATCHED),
    })


def match_members(frame: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` (same rows, same order, fresh index) with ``member_id`` and ``match``.

    ``frame`` needs ``name`` and may have ``branch_id`` and ``member_code``; ``members`` is the
    Dataset's roster frame. ``member_id`` is NA unless ``match == "matched"``.
    """
    out = frame.reset_index(drop=True)
    out = out.drop(columns=[c for c in ("member_id", "match") if c in out.columns])
    n = len(out)
    member_id = pd.Series(pd.NA, index=out.index, dtype="Int64")
    outcome = pd.Series(UNMATCHED, index=out.index, dtype="str")
    if n == 0 or members.empty:
        return out.assign(member_id=member_id, match=outcome)

    roster = members[["member_id", "branch_id", "name", "status", "member_code"]]
    branch_id = out["branch_id"] if "branch_id" in out.columns else pd.Series(pd.NA, index=out.index)
    code = out["member_code"] if "member_code" in out.columns else pd.Series(pd.NA, index=out.index)
    probe = pd.DataFrame({
        "_row": out.index, "name": out["name"], "branch_id": branch_id.astype("Int64"),
        "member_code": code.astype("str"),
    })
    todo = pd.Series(True, index=out.index)

    def apply(rows: pd.DataFrame, keys: list[str], fall_through_missing: bool) -> None:
        if rows.empty:
            return
        found = rows[["_row", *keys]].merge(_candidates(roster, keys), on=keys, how="left")
        found = found.set_index("_row")
        hit = found["_outcome"].notna()
        if not fall_through_missing:
            hit = pd.Series(True, index=found.index)
        rows_hit = found.index[hit]
        member_id.loc[rows_hit] = found.loc[rows_hit, "_member_id"]
        outcome.loc[rows_hit] = found.loc[rows_hit, "_outcome"].fillna(UNMATCHED)
        todo.loc[rows_hit] = False

    with_code = probe[probe["member_code"].notna() & todo]
    apply(with_code, ["member_code"], fall_through_missing=True)
    with_branch = probe[todo & probe["branch_id"].notna() & probe["name"].notna()]
    apply(with_branch, ["branch_id", "name"], fall_through_missing=False)
    without_branch = probe[todo & probe["branch_id"].isna() & probe["name"].notna()]
    apply(without_branch, ["name"], fall_through_missing=False)
    return out.assign(member_id=member_id, match=outcome)
