"""党员预警 and 政治生日 (metrics/lagging.py, DOMAIN.md §5)."""

import pandas as pd
import pytest

from metrics.lagging import LAGGING_COLUMNS, lagging_members, political_birthdays
from tests.metrics_fixtures import D, DatasetBuilder

AS_OF = D(2026, 8, 15)
# the July export is the newest: the data covers 31 of 92 days, so the line is
# 2,700 × 31/92 × 0.5 = 454.89 (not 675 as 15 August alone would say: August is not exported yet)
LINE = 2700 * 31 / 92 * 0.5


def dataset():
    b = DatasetBuilder().branch(1).branch(2, type="离退休")
    names = {10: "甲", 11: "乙", 12: "丙", 13: "丁", 14: "戊", 15: "己", 16: "庚", 17: "辛"}
    for mid, name in names.items():
        b.member(mid, 1, name, group="一组")
        if name not in ("甲", "辛"):
            b.study(1, name, D(2026, 7, 8), "自学")
    b.member(20, 2, "老刘").member(21, 2, "老陈")
    b.study(2, "老刘", D(2026, 7, 9), "自学")
    b.xuexi(1, D(2026, 7, 1), D(2026, 7, 31), [
        ("乙", 1, 500, False),  # 未激活 → 0
        ("丙", 1, 454), ("丁", 1, 455), ("戊", 1, 700), ("己", 1, 700), ("庚", 1, 700), ("辛", 1, 700),
    ])
    b.activity(1, D(2026, 7, 1), "主题党日", absent=("戊", "己", "庚"))
    b.activity(1, D(2026, 8, 1), "主题党日", absent=("戊", "庚"), on_leave=("己", "庚"))
    b.activity(1, D(2026, 8, 20), "支部委员会", absent=("己",))  # after as-of
    b.activity(1, D(2026, 6, 20), "支部委员会", absent=("己",))  # previous quarter
    return b.build()


@pytest.fixture(scope="module")
def flagged():
    return lagging_members(dataset(), "2026Q3", AS_OF).set_index("name")


def test_columns_and_who_is_flagged(flagged):
    assert list(lagging_members(dataset(), "2026Q3", AS_OF).columns) == LAGGING_COLUMNS
    # 丁 (455 is above 454.89), 己 (one absence: the other was leave, one is after as-of),
    # 庚 (absent + on leave at the same activity counts as leave), 老刘 are not flagged
    assert set(flagged.index) == {"甲", "乙", "丙", "戊", "辛", "老陈"}


def test_order_is_most_reasons_then_branch_then_name():
    out = lagging_members(dataset(), "2026Q3", AS_OF)
    assert out["name"].tolist() == ["甲", "丙", "乙", "戊", "辛", "老陈"]
    assert out["n_reasons"].tolist() == [2, 1, 1, 1, 1, 1]


def test_xuexi_zero_includes_missing_and_inactive(flagged):
    assert flagged.loc["甲", "reasons"] == ["xuexi_zero", "no_self_study"]
    assert flagged.loc["甲", "reason_labels"] == ["学习强国零积分", "自学未完成"]
    assert flagged.loc["乙", "reasons"] == ["xuexi_zero"]
    assert flagged.loc["乙", "points"] == 0


def test_xuexi_low_below_half_the_prorated_target(flagged):
    assert flagged.loc["丙", "reasons"] == ["xuexi_low"]
    assert flagged.loc["丙", "points"] == 454
    assert flagged.loc["丙", "points_threshold"] == pytest.approx(LINE)


def test_absent_twice_with_the_activities(flagged):
    assert flagged.loc["戊", "reasons"] == ["absent"]
    assert flagged.loc["戊", "absences"] == 2
    assert flagged.loc["戊", "absent_activities"] == ["2026-07-01 主题党日", "2026-08-01 主题党日"]


def test_no_self_study_names_the_missing_months(flagged):
    assert flagged.loc["辛", "reasons"] == ["no_self_study"]
    assert flagged.loc["辛", "missing_months"] == ["2026-07"]
    assert flagged.loc["戊", "missing_months"] == []


def test_retired_branches_have_no_xuexi_reasons(flagged):
    # 老刘 has 0 points but is in a 离退休 branch; 老陈 only lacks 自学
    assert flagged.loc["老陈", "reasons"] == ["no_self_study"]
    assert pd.isna(flagged.loc["老陈", "points_threshold"])


def test_no_self_study_waits_for_a_month_to_end():
    out = lagging_members(dataset(), "2026Q3", D(2026, 7, 30))
    assert not any("no_self_study" in r for r in out["reasons"])


def test_political_birthdays_in_the_coming_month():
    b = DatasetBuilder().branch(1)
    b.member(10, 1, "张伟", join_date=D(1990, 9, 15))
    b.member(11, 1, "李娜", join_date=D(2001, 9, 1))
    b.member(12, 1, "王芳", join_date=D(2026, 9, 3))   # joined this very month: no anniversary yet
    b.member(13, 1, "赵强", join_date=D(1985, 9, 9), status="transferred")
    b.member(14, 1, "刘洋", join_date=D(1999, 10, 1))
    b.member(15, 1, "孙丽", join_date=D(2000, 2, 29))
    out = political_birthdays(b.build(), D(2026, 9, 1))
    assert out["name"].tolist() == ["李娜", "张伟"]  # by anniversary date
    assert out["party_years"].tolist() == [25, 36]
    assert out["anniversary"].tolist() == [pd.Timestamp("2026-09-01"), pd.Timestamp("2026-09-15")]
    feb = political_birthdays(b.build(), "2027-02-10")
    assert feb["anniversary"].tolist() == [pd.Timestamp("2027-02-28")]  # 29 Feb in a common year


def test_self_study_status_by_hand_with_a_homonym_row_and_one_without_a_branch():
    """Three members of branch 1 in 2026Q3 as of 15 Sep (July and August owed, September running):
    张三 studied in July only; 王芳's name has an ambiguous 自学 row (left out, not flagged);
    李四 studied both months. A row without a branch that names 李四 must not make 李四 unsure."""
    from datetime import date

    from domain.periods import parse_quarter
    from metrics.self_study import self_study_status

    nat = pd.NaT
    members = pd.DataFrame({"member_id": [1, 2, 3], "branch_id": [1, 1, 1], "name": ["张三", "王芳", "李四"],
                            "start": [nat] * 3, "end": [nat] * 3})
    members[["start", "end"]] = members[["start", "end"]].astype("datetime64[ns]")
    study = pd.DataFrame({
        "member_id": pd.array([pd.NA, 1, pd.NA, 3, 3], dtype="Int64"),
        "branch_id": pd.array([pd.NA, 1, 1, 1, 1], dtype="Int64"),
        "name": ["李四", "张三", "王芳", "李四", "李四"],
        "date": pd.to_datetime(["2026-08-05", "2026-07-03", "2026-07-09", "2026-07-20", "2026-08-02"]),
        "form": ["自学"] * 5,
        "match": ["ambiguous", "matched", "ambiguous", "matched", "matched"],
    })
    out = self_study_status(study, members, parse_quarter("2026Q3"), date(2026, 9, 15)).set_index("member_id")
    assert out.loc[1, ["owed", "done", "complete"]].tolist() == [2, 1, False]
    assert out.loc[1, ["missing_2026-07", "missing_2026-08"]].tolist() == [False, True]
    assert out.loc[3, ["owed", "done", "complete", "unsure"]].tolist() == [2, 2, True, False]
    assert out.loc[2, "unsure"] and not out.loc[1, "unsure"]
    assert out["current_missing"].tolist() == [True, True, True]  # no September record yet
    # 张三 1, 王芳 2, 李四 3 (the member ids)
