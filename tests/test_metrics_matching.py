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
