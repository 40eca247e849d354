"""Who was at which activity: the one home of absences (无故缺席, DOMAIN §5) and attendance credit
(党员积分, §6), shared by the lagging list, the points and the branch page.

Names on an activity's 缺席 / 请假 lists are matched to members at the activity's date (DOMAIN §2).
A name also on the leave list of the same activity is on leave. A name that could be either of two
members of one name (同名待核实) gives neither of them credit nor a penalty for that activity.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from domain.dataset import Dataset
from domain.vocabulary import COMMITTEE_MEETING, GROUP_MEETING
from metrics._frames import between, shared
from metrics.matching import AMBIGUOUS, CREDITED, match_members


def named(ds: Dataset, start: date, last: date) -> pd.DataFrame:
    """The names on the lists of ledger activities dated ``start``–``last``, matched: activity_id,
    branch_id, date, type, group, kind (absent / on_leave), name, member_id, match. Every list
    of ``ds`` is matched once (a name is matched at its own activity's date, whatever the window):
    the year's points and the quarter's lagging list over one Dataset share the matching."""
    lists = shared(ds, ("named",), lambda: _named(ds))
    return lists[between(lists["date"], start, last)].reset_index(drop=True)


def _named(ds: Dataset) -> pd.DataFrame:
    acts = ds.activities[["activity_id", "branch_id", "date", "type", "group"]]
    att = ds.attendance[ds.attendance["activity_id"].isin(acts["activity_id"])][["activity_id", "kind", "name"]]
    att = att.merge(acts, on="activity_id", how="left")
    return match_members(att, ds.members)


def absences(ds: Dataset, start: date, last: date, lists: pd.DataFrame | None = None) -> pd.DataFrame:
    """Unexcused absences of members at ledger activities dated ``start``–``last``: one row per
    (activity, member): activity_id, member_id, branch_id, date, type."""
    lists = named(ds, start, last) if lists is None else lists
    sure = lists[lists["match"].isin(CREDITED)]
    pairs = sure[["activity_id", "member_id", "kind"]].drop_duplicates()
    leave = pairs[pairs["kind"] == "on_leave"][["activity_id", "member_id"]].assign(_leave=True)
    absent = pairs[pairs["kind"] == "absent"].merge(leave, on=["activity_id", "member_id"], how="left")
    absent = absent[absent["_leave"].isna()][["activity_id", "member_id"]]
    acts = lists[["activity_id", "branch_id", "date", "type"]].drop_duplicates("activity_id")
    return absent.merge(acts, on="activity_id", how="left")


def unsure(lists: pd.DataFrame) -> pd.DataFrame:
    """The (activity, branch, name) of names on a list that could be either of two members."""
    return lists.loc[lists["match"].eq(AMBIGUOUS) & lists["branch_id"].notna(),
                     ["activity_id", "branch_id", "name"]].drop_duplicates()


def _is_committee_role(role: pd.Series, roles: list[str]) -> pd.Series:
    role = role.fillna("")
    hit = pd.Series(False, index=role.index)
    for r in roles:
        hit = hit | role.eq(r) | role.str.endswith(r)
    return hit


def _day_number(values: pd.Series, fill: int) -> np.ndarray:
    days = values.to_numpy(dtype="datetime64[D]").astype("int64")
    return np.where(values.isna().to_numpy(), fill, days)


def _counts_between(acts: pd.DataFrame, keys: list[str], members: pd.DataFrame) -> np.ndarray:
    """For each member row: how many of ``acts`` with the member's ``keys`` are dated inside the
    member's [start, end) — one sorted pass over every activity, no loop per branch."""
    if acts.empty or members.empty:
        return np.zeros(len(members), dtype=np.int64)
    # one integer per key combination, then activities sorted by (key, day)
    key_index = acts[keys].drop_duplicates().reset_index(drop=True).reset_index().rename(columns={"index": "_k"})
    a = acts.merge(key_index, on=keys)
    span = 1 << 20  # days since 1970 fit in 20 bits until the year 4840
    stamp = np.sort(a["_k"].to_numpy(dtype=np.int64) * span + _day_number(a["date"], 0))
    m = members[keys].merge(key_index, on=keys, how="left")
    has = m["_k"].notna().to_numpy()
    k = m["_k"].fillna(0).to_numpy(dtype=np.int64) * span
    lo = k + np.clip(_day_number(members["start"], 0), 0, span - 1)
    hi = k + np.clip(_day_number(members["end"], span - 1), 0, span - 1)
    counts = np.searchsorted(stamp, hi, side="left") - np.searchsorted(stamp, lo, side="left")
    return np.where(has, counts, 0)


def attendance_credit(ds: Dataset, members: pd.DataFrame, start: date, last: date,
                      committee_roles: list[str], lists: pd.DataFrame | None = None) -> pd.Series:
    """Activities attended per member row of ``members`` (metrics._frames.members_during) at ledger
    activities dated ``start``–``last`` while they belonged to the branch.

    Expected: every member of the branch, except at 党小组会 naming a group (that group's members)
    and 支部委员会 (members whose role is, or ends with, a committee role). Attended: expected and
    not named absent or on leave; a 同名待核实 name gives its candidates no credit for that activity.
    Counted with sorted dates, so the cost grows with activities plus members, not their product."""
    acts = ds.activities[between(ds.activities["date"], start, last)]
    members = members.reset_index(drop=True)
    committee = _is_committee_role(members["role"], committee_roles)
    is_group = acts["type"].eq(GROUP_MEETING) & acts["group"].notna()
    is_committee = ~is_group & acts["type"].eq(COMMITTEE_MEETING)
    everyone = acts[~is_group & ~is_committee]
    expected = (_counts_between(everyone, ["branch_id"], members)
                + np.where(committee, _counts_between(acts[is_committee], ["branch_id"], members), 0)
                + _counts_between(acts[is_group], ["branch_id", "group"], members))

    lists = named(ds, start, last) if lists is None else lists
    audience = np.select([is_group, is_committee], ["group", "committee"], "all")
    acts = acts.assign(_audience=audience)[["activity_id", "branch_id", "date", "group", "_audience"]]
    row_of = members.reset_index()[["index", "member_id", "branch_id", "group", "start", "end"]].assign(
        _committee=committee.to_numpy())

    def expected_at(pairs: pd.DataFrame) -> pd.Series:
        """Rows of ``pairs`` (activity × member row) where that member row was expected."""
        inside = ((pairs["start"].isna() | (pairs["start"] <= pairs["date"]))
                  & (pairs["end"].isna() | (pairs["end"] > pairs["date"])))
        audience_ok = np.select(
            [pairs["_audience"].eq("group"), pairs["_audience"].eq("committee")],
            [pairs["group"].eq(pairs["group_m"]).fillna(False).astype(bool), pairs["_committee"]], True)
        return (inside & audience_ok).astype(bool)

    # named absent or on leave (either list) at an activity they were expected at: no credit
    sure = lists[lists["match"].isin(CREDITED)][["activity_id", "member_id"]].drop_duplicates()
    pairs = (sure.merge(acts, on="activity_id")
             .merge(row_of, on=["member_id", "branch_id"], suffixes=("", "_m")))
    missed = pairs[expected_at(pairs)].groupby("index").size()
    # a 同名 name: both candidates of that branch lose the credit (and get no penalty elsewhere)
    doubt = unsure(lists).merge(acts, on=["activity_id", "branch_id"])
    doubt = doubt.merge(row_of.merge(members[["member_id", "branch_id", "name"]], on=["member_id", "branch_id"]),
                        on=["branch_id", "name"], suffixes=("", "_m"))
    doubted = doubt[expected_at(doubt)].drop_duplicates(["activity_id", "index"]).groupby("index").size()
    lost = missed.add(doubted, fill_value=0).reindex(range(len(members)), fill_value=0).to_numpy()
    return pd.Series(np.maximum(expected - lost, 0).astype(int), index=members.index)
