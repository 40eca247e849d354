"""Who belonged to which branch when (DOMAIN.md §2, membership over time), from roster snapshots.

Each roster import is a snapshot *as of* a date (its title or file name, else the import date)
that speaks only for the branches it lists. A member's time in a branch is one or more intervals
[start, end): everyone on a branch's earliest snapshot belongs from before any data (start NULL);
someone new on a later snapshot from that snapshot's date; someone gone from a snapshot, moved
to another branch's snapshot, or marked 转出/去世 until that snapshot's date — unless the row
gives the date itself (转入日期 / 转出日期), which then wins. An open interval has end NULL.

The intervals are derived data: ``rebuild`` recomputes them from every live roster snapshot
inside the transaction of a roster import or undo, so they always match the batches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from storage.writes import bulk_insert, next_ids

MEMBERSHIP_COLUMNS = ["member_id", "branch_id", "start", "end", "name", "group", "role", "category",
                      "join_date", "member_code", "status"]
_ATTRIBUTES = ["name", "group", "role", "category", "join_date", "member_code", "status"]
_LEAVING = ("transferred", "deceased")


def intervals(snapshots: pd.DataFrame, listings: pd.DataFrame) -> pd.DataFrame:
    """Membership intervals from roster snapshots (pure).

    ``snapshots``: batch_id, branch_id, as_of (datetime) — each live roster batch × each branch
    it lists. ``listings``: batch_id, member_id, branch_id, status (active / transferred /
    deceased), transfer_in, transfer_out (datetime or NaT) and the member attributes of
    ``_ATTRIBUTES``. Returns ``MEMBERSHIP_COLUMNS`` (start/end NaT = open), one row per interval;
    attributes are those of the interval's latest listing.
    """
    if listings.empty or snapshots.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in MEMBERSHIP_COLUMNS})
    snaps = snapshots.drop_duplicates(["batch_id", "branch_id"]).sort_values(
        ["branch_id", "as_of", "batch_id"], kind="stable")
    snaps = snaps.assign(seq=snaps.groupby("branch_id").cumcount())
    # every (member, branch) pair seen, against every snapshot of that branch from its first
    pairs = listings[["member_id", "branch_id"]].drop_duplicates()
    grid = pairs.merge(snaps, on="branch_id")
    seen = listings.merge(snaps[["batch_id", "branch_id", "seq"]], on=["batch_id", "branch_id"])
    # one listing per member and snapshot: a member listed twice in one file keeps the last row
    seen = seen.drop_duplicates(["member_id", "branch_id", "seq"], keep="last")
    grid = grid.merge(seen.drop(columns=["batch_id"]), on=["member_id", "branch_id", "seq"],
                      how="left", suffixes=("", "_row"))
    grid = grid.sort_values(["member_id", "branch_id", "seq"], kind="stable").reset_index(drop=True)

    listed = grid["status"].notna()
    active = listed & ~grid["status"].isin(_LEAVING)
    leaving = listed & grid["status"].isin(_LEAVING)
    key = ["member_id", "branch_id"]
    before_active = active.groupby([grid[k] for k in key]).shift(1, fill_value=False).astype(bool)
    # a run of consecutive snapshots with the member on it starts where the one before lacked them
    # a 转出 row on a branch's first snapshot that gives its date: a member until then
    left_early = leaving & grid["seq"].eq(0) & grid["transfer_out"].notna() \
        if "transfer_out" in grid else pd.Series(False, index=grid.index)
    starts = (active & ~before_active) | left_early
    run = starts.groupby([grid[k] for k in key]).cumsum()
    in_run = active | (leaving & before_active) | left_early  # a 转出 row closes its run
    rows = grid[in_run & (run > 0)].assign(run=run[in_run & (run > 0)])

    first = rows.groupby(key + ["run"], sort=False).head(1)
    last = rows.groupby(key + ["run"], sort=False).tail(1)
    start = np.where(first["seq"].eq(0), pd.NaT, first["as_of"])
    start = pd.Series(start, index=first.index, dtype="datetime64[ns]")
    start = first["transfer_in"].where(first["transfer_in"].notna(), start) \
        if "transfer_in" in first else start
    out = first[key + ["run"]].assign(start=start.to_numpy())

    # the end: the snapshot after the run's last one (or the 转出 row's own date)
    ends = last[key + ["run", "seq", "status", "as_of"]].copy()
    closes = ends["status"].isin(_LEAVING)
    next_snap = snaps[["branch_id", "seq", "as_of"]].rename(columns={"as_of": "next_as_of"})
    ends = ends.assign(seq=ends["seq"] + 1).merge(next_snap, on=["branch_id", "seq"], how="left")
    end = pd.Series(np.where(closes.to_numpy(), ends["as_of"].to_numpy(), ends["next_as_of"].to_numpy()),
                    dtype="datetime64[ns]")
    if "transfer_out" in last:
        given = last["transfer_out"].reset_index(drop=True)
        end = given.where(given.notna() & closes.reset_index(drop=True), end)
    attrs = last[key + ["run"] + [a for a in _ATTRIBUTES if a in last]].reset_index(drop=True)
    out = out.reset_index(drop=True).assign(end=end.to_numpy()).merge(attrs, on=key + ["run"])

    out = _moves(out)
    out = out[out["start"].isna() | out["end"].isna() | (out["start"] < out["end"])]
    for col in MEMBERSHIP_COLUMNS:
        if col not in out:
            out[col] = None
    return out[MEMBERSHIP_COLUMNS].reset_index(drop=True)


def _moves(out: pd.DataFrame) -> pd.DataFrame:
    """A member belongs to one branch at a time: an interval is cut where the member's next
    interval in another branch begins."""
    if out["member_id"].duplicated().sum() == 0:
        return out
    ordered = out.assign(_s=out["start"].fillna(pd.Timestamp.min)).sort_values(
        ["member_id", "_s", "branch_id"], kind="stable")
    nxt_start = ordered.groupby("member_id")["start"].shift(-1)
    nxt_branch = ordered.groupby("member_id")["branch_id"].shift(-1)
    moved = nxt_branch.notna() & nxt_branch.ne(ordered["branch_id"]) & nxt_start.notna()
    cut = moved & (ordered["end"].isna() | (ordered["end"] > nxt_start))
    ordered.loc[cut, "end"] = nxt_start[cut]
    return ordered.drop(columns="_s").sort_index()


_SNAPSHOTS = """
SELECT DISTINCT mv.batch_id, mv.branch_id, coalesce(b.as_of, b.created_at) AS as_of
FROM member_version mv JOIN import_batch b ON b.id = mv.batch_id
WHERE b.undone_at IS NULL AND b.kind = 'roster'
"""
_LISTINGS = """
SELECT mv.batch_id, mv.member_id, mv.branch_id, mv.status, mv.transfer_in, mv.transfer_out,
       mv.name, mv.party_group, mv.role, mv.category, mv.join_date, mv.member_code
FROM member_version mv JOIN import_batch b ON b.id = mv.batch_id
WHERE b.undone_at IS NULL AND b.kind = 'roster'
"""


def _read(conn: Connection, sql: str) -> pd.DataFrame:
    result = conn.execute(text(sql))
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce").dt.normalize().astype("datetime64[ns]")


def rebuild(conn: Connection) -> int:
    """Recompute every membership interval from the live roster snapshots (inside the caller's
    transaction). Returns the number of intervals."""
    snapshots = _read(conn, _SNAPSHOTS)
    listings = _read(conn, _LISTINGS).rename(columns={"party_group": "group"})
    if not snapshots.empty:
        snapshots = snapshots.assign(as_of=_day(snapshots["as_of"]))
        listings = listings.assign(**{c: _day(listings[c]) for c in ("transfer_in", "transfer_out", "join_date")})
    found = intervals(snapshots, listings)
    conn.execute(text("DELETE FROM membership"))
    if found.empty:
        return 0
    ids = next_ids(conn, "membership", len(found))
    day = lambda s: [None if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in s]  # noqa: E731
    obj = lambda s: [None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in s]  # noqa: E731
    rows = list(zip(ids, found["member_id"].astype(int).tolist(), found["branch_id"].astype(int).tolist(),
                    day(found["start"]), day(found["end"]), obj(found["name"]), obj(found["group"]),
                    obj(found["role"]), obj(found["category"]), day(found["join_date"]),
                    obj(found["member_code"]), obj(found["status"])))
    bulk_insert(conn, "membership", ["id", "member_id", "branch_id", "start_date", "end_date", "name",
                                     "group", "role", "category", "join_date", "member_code", "status"], rows)
    return len(found)
