"""Names in records → roster members (metrics/matching.py)."""

import pandas as pd

from metrics._frames import prepare
from metrics.matching import match_members
from tests.metrics_fixtures import DatasetBuilder


def roster():
    b = DatasetBuilder().branch(1).branch(2)
    b.member(10, 1, "张伟", code="U-10")
    b.member(20, 2, "张伟")                      # homonym in another branch: a different person
    b.member(11, 1, "王芳").member(12, 1, "王芳")  # two active 王芳 in branch 1: ambiguous
    b.member(13, 1, "李娜").member(14, 1, "李娜", status="transferred")  # the active one wins
    b.member(15, 1, "赵强", status="transferred")  # only a former member: still matched
    b.member(21, 2, "刘洋")
    return prepare(b.build()).members


def probe(rows, day="2026-07-01"):
    frame = pd.DataFrame(rows, columns=["name", "branch_id", "member_code"]).astype(
        {"name": "str", "branch_id": "Int64", "member_code": "str"}
    )
    return frame.assign(date=pd.Timestamp(day))


def test_same_name_in_two_branches_is_two_people():
    out = match_members(probe([("张伟", 1, None), ("张伟", 2, None)]), roster())
    assert out["member_id"].tolist() == [10, 20]
    assert out["match"].tolist() == ["matched", "matched"]


def test_two_active_homonyms_in_one_branch_are_ambiguous_never_merged():
    out = match_members(probe([("王芳", 1, None)]), roster())
    assert out["match"].tolist() == ["ambiguous"]
    assert out["member_id"].isna().all()


def test_the_member_of_that_time_wins_over_a_former_homonym_and_a_former_member_still_matches():
    out = match_members(probe([("李娜", 1, None), ("赵强", 1, None)]), roster())
    assert out["member_id"].tolist() == [13, 15]


def test_membership_decides_between_homonyms_by_the_row_date():
    b = DatasetBuilder().branch(1)
    b.member(30, 1, "陈静", end=pd.Timestamp("2026-08-01").date())      # left on 1 August
    b.member(31, 1, "陈静", start=pd.Timestamp("2026-08-01").date())    # joined the same day
    members = prepare(b.build()).members
    july, august = probe([("陈静", 1, None)], "2026-07-31"), probe([("陈静", 1, None)], "2026-08-01")
    assert match_members(july, members)["member_id"].tolist() == [30]
    assert match_members(august, members)["member_id"].tolist() == [31]


def test_member_code_wins_and_unknown_code_falls_back_to_name():
    out = match_members(probe([("张伟", 2, "U-10"), ("刘洋", 2, "NOT-ON-ROSTER")]), roster())
    # the code names member 10 even though the row says branch 2
    assert out["member_id"].tolist() == [10, 21]


def test_row_without_branch_matches_only_a_name_unique_in_the_whole_roster():
    out = match_members(probe([("刘洋", None, None), ("张伟", None, None), ("无此人", None, None)]), roster())
    assert out["member_id"].tolist()[0] == 21
    # 按姓名归入 for the unique name; two 张伟 in the committee: unassigned, counted nowhere
    assert out["match"].tolist() == ["by_name", "unmatched", "unmatched"]
    assert out["candidates"].tolist() == [1, 2, 0]


def test_unknown_name_and_wrong_branch_are_unmatched():
    out = match_members(probe([("孙悟空", 1, None), ("刘洋", 1, None)]), roster())
    assert out["match"].tolist() == ["unmatched", "unmatched"]


def test_keeps_rows_order_and_other_columns():
    frame = probe([("刘洋", 2, None), ("张伟", 1, None)]).assign(points=[5.0, 7.0])
    frame.index = [7, 3]
    out = match_members(frame, roster())
    assert out["points"].tolist() == [5.0, 7.0]
    assert out["member_id"].tolist() == [21, 10]


# ---------------------------------------------------------------- every row against the rules
# DOMAIN §2 written out row by row (a reference, not the implementation): random rosters with
# namesakes, moves, gaps and unknown dates must get the same member, outcome and candidates.

from datetime import date, timedelta  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_NAMES = ["张伟", "王芳", "李娜"]
_CODES = [None, "U-1", "U-2"]
_DAY0 = date(2026, 6, 1)
_day = st.one_of(st.none(), st.integers(0, 120).map(lambda n: _DAY0 + timedelta(days=n)))


def _covers(start, end, first, last) -> bool:
    """Interval [start, end) overlaps [first, last]; an unknown date overlaps everything."""
    return ((start is None or first is None or last is None or start <= last)
            and (end is None or first is None or end > first))


def _by_the_rules(row: dict, roster: list[dict]) -> tuple:
    """(member_id or None, outcome, candidates) of one row, straight from DOMAIN §2."""
    first = last = row["date"]
    if row["code"]:
        ids = {m["member_id"] for m in roster if m["code"] == row["code"]}
        if len(ids) == 1:
            return ids.pop(), "matched", 1
        if len(ids) > 1:  # without a branch no one can be told: counted nowhere
            return None, "ambiguous" if row["branch"] is not None else "unmatched", len(ids)
    if row["name"] is None:
        return None, "unmatched", 0
    if row["branch"] is not None:
        there = [m for m in roster if m["branch_id"] == row["branch"] and m["name"] == row["name"]]
        then = {m["member_id"] for m in there if _covers(m["start"], m["end"], first, last)}
        if len(then) == 1:
            return then.pop(), "matched", 1
        if len(then) > 1:
            return None, "ambiguous", len(then)
        ever = {m["member_id"] for m in there}
        if len(ever) == 1:
            return ever.pop(), "matched", 1
        return None, "unmatched", 0
    then = {m["member_id"] for m in roster
            if m["name"] == row["name"] and _covers(m["start"], m["end"], first, last)}
    if len(then) == 1:
        return then.pop(), "by_name", 1
    return None, "unmatched", len(then)  # namesakes in the committee: counted nowhere


@st.composite
def _rosters_and_rows(draw):
    roster = []
    for member_id in range(1, draw(st.integers(0, 7)) + 1):
        for _ in range(draw(st.integers(1, 2))):  # a second interval: moved, or left and came back
            start, end = draw(_day), draw(_day)
            if start is not None and end is not None and end <= start:
                start, end = end, start + timedelta(days=1)
            roster.append({"member_id": member_id, "branch_id": draw(st.sampled_from([1, 2])),
                           "name": draw(st.sampled_from(_NAMES)), "code": draw(st.sampled_from(_CODES)),
                           "start": start, "end": end})
    rows = [{"name": draw(st.sampled_from([*_NAMES, None])), "branch": draw(st.sampled_from([1, 2, None])),
             "code": draw(st.sampled_from(_CODES)), "date": draw(_day)}
            for _ in range(draw(st.integers(1, 12)))]
    return roster, rows


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_rosters_and_rows())
def test_every_row_is_matched_as_the_rules_say(case):
    roster, rows = case
    members = pd.DataFrame({
        "member_id": pd.array([m["member_id"] for m in roster], dtype="Int64"),
        "branch_id": pd.array([m["branch_id"] for m in roster], dtype="Int64"),
        "name": pd.array([m["name"] for m in roster], dtype="str"),
        "member_code": pd.array([m["code"] for m in roster], dtype="str"),
        "start": pd.to_datetime(pd.Series([m["start"] for m in roster], dtype="object")).astype("datetime64[ns]"),
        "end": pd.to_datetime(pd.Series([m["end"] for m in roster], dtype="object")).astype("datetime64[ns]"),
    })
    frame = pd.DataFrame({
        "name": pd.array([r["name"] for r in rows], dtype="str"),
        "branch_id": pd.array([r["branch"] for r in rows], dtype="Int64"),
        "member_code": pd.array([r["code"] for r in rows], dtype="str"),
        "date": pd.to_datetime(pd.Series([r["date"] for r in rows], dtype="object")).astype("datetime64[ns]"),
    })
    out = match_members(frame, members)
    got = [(None if pd.isna(m) else int(m), o, int(c))
           for m, o, c in zip(out["member_id"], out["match"], out["candidates"], strict=True)]
    assert got == [_by_the_rules(r, roster) for r in rows]
