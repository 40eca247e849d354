"""The twelve indicators of DOMAIN.md §4 on hand-built data (metrics/indicators.py).

Every expected figure is worked out in the comments from the fixture rows.
"""

import pandas as pd
import pytest

from metrics.config import load_config
from metrics.indicators import INDICATOR_COLUMNS, compute_indicators, indicator_table
from tests.metrics_fixtures import D, DatasetBuilder, quarter_scenario, row

Q3_END = D(2026, 9, 30)


@pytest.fixture(scope="module")
def scenario_table():
    return indicator_table(quarter_scenario().build(), "2026Q3", Q3_END, load_config())


def test_columns_and_one_row_per_branch_and_indicator(scenario_table):
    assert list(scenario_table.columns) == INDICATOR_COLUMNS
    assert len(scenario_table) == 2 * 12
    assert not scenario_table.duplicated(["branch_id", "indicator"]).any()


# Branch 1 (在职), 2026Q3 as of 30 Sep, by hand:
#   congress        1 (7-05)                                   / 1            → 1
#   committee       2 (7-08, 8-08; 10-08 is Q4)                / 3            → 2/3
#   group_meeting   4 (7-12, 7-13, 8-12, 9-13)                 / 3 × 2 groups → 4/6
#   lecture         1 (8-20)                                   / 1            → 1
#   theme_day       3 (7-01, 8-01, 9-01)                       / 3            → 1
#   study_sessions  1 ledger (7-15) + 1 study date (8-15; 7-15 is on the ledger) / 3 → 2/3
#   attendance      present 4+2+2+3+3+3+3 = 20 / expected 4+2+2+4+4+4+4 = 24 = 0.8333 / 0.90 → 0.9259
#   xuexi_particip. 3 of 4 with points (赵强 missing)          / 0.95         → 0.75/0.95 = 0.7895
#   xuexi_avg       (3000 + 2700 + 900 + 0) / 4 = 1650         / 2700         → 0.6111
#   self_study      张伟, 李娜 every month; 王芳 no Sept; 赵强 none → 2/4 = 0.5 / 1.0 → 0.5
#   org_life        1 in the year so far (2-10), annual: shown, not scored in Q3
#   review          0, annual: not scored in Q3
BRANCH_1 = {
    "congress": (1, 1, 1.0, "green"),
    "committee": (2, 3, 2 / 3, "yellow"),
    "group_meeting": (4, 6, 4 / 6, "yellow"),
    "lecture": (1, 1, 1.0, "green"),
    "theme_day": (3, 3, 1.0, "green"),
    "study_sessions": (2, 3, 2 / 3, "yellow"),
    "attendance": (20 / 24, 0.9, (20 / 24) / 0.9, "yellow"),
    "xuexi_participation": (0.75, 0.95, 0.75 / 0.95, "yellow"),
    "xuexi_avg": (1650, 2700, 1650 / 2700, "yellow"),
    "self_study": (0.5, 1.0, 0.5, "red"),
    "org_life": (1, 1, 1.0, "green"),
    "review": (0, 1, 0.0, "red"),
}


@pytest.mark.parametrize("indicator", list(BRANCH_1))
def test_in_service_branch_every_indicator(scenario_table, indicator):
    actual, target, completion, status = BRANCH_1[indicator]
    r = row(scenario_table, 1, indicator)
    assert r["actual"] == pytest.approx(actual)
    assert r["target"] == pytest.approx(target)
    assert r["completion"] == pytest.approx(completion)
    assert r["status"] == status
    assert r["applicable"]
    assert r["scored"] == (indicator not in ("org_life", "review"))
    assert (r["branch"], r["unit"], r["branch_type"]) == ("机关第一党支部", "市财政局", "在职")


# Branch 2 (离退休): congress 1/1, committee 3/3, lecture 1/1, theme_day 3/3, study_sessions 3/3,
#   attendance (1+1+1 + 2+2+2) / (2 × 6) = 0.75 against the 离退休 target 0.80 → 0.9375,
#   self_study 2/2 = 1; no 党小组 → no group_meeting; 离退休 → no 学习强国 indicators.
BRANCH_2 = {
    "congress": (1, 1, 1.0),
    "committee": (3, 3, 1.0),
    "lecture": (1, 1, 1.0),
    "theme_day": (3, 3, 1.0),
    "study_sessions": (3, 3, 1.0),
    "attendance": (0.75, 0.8, 0.9375),
    "self_study": (1.0, 1.0, 1.0),
}


def test_retired_branch_targets_and_applicability(scenario_table):
    for indicator, (actual, target, completion) in BRANCH_2.items():
        r = row(scenario_table, 2, indicator)
        assert (r["actual"], r["target"], r["completion"]) == pytest.approx((actual, target, completion)), indicator
        assert r["scored"], indicator
    for indicator in ("xuexi_participation", "xuexi_avg"):
        r = row(scenario_table, 2, indicator)
        assert not r["applicable"] and not r["scored"]
        assert pd.isna(r["target"]) and pd.isna(r["completion"]) and pd.isna(r["status"])
        assert r["note"] == "离退休支部不考核此项"
    r = row(scenario_table, 2, "group_meeting")
    assert not r["applicable"] and r["note"] == "名册中无党小组"


def test_no_pace_once_the_quarter_has_ended(scenario_table):
    assert scenario_table["expected_by_now"].isna().all()
    assert scenario_table["projected"].isna().all()
    assert not scenario_table["behind_pace"].any()


def test_remaining_text_for_a_closed_quarter(scenario_table):
    assert row(scenario_table, 1, "committee")["remaining_text"] == "还需召开1次支委会"
    assert row(scenario_table, 1, "group_meeting")["remaining_text"] == "还需召开2次党小组会"
    assert row(scenario_table, 1, "study_sessions")["remaining_text"] == "还需组织1次集中学习"
    assert row(scenario_table, 1, "attendance")["remaining_text"] == "参会率需提高到90%"
    assert row(scenario_table, 1, "lecture")["remaining_text"] == ""
    # 学习强国: no days left → the gap itself, 2700 − 1650 = 1050
    assert row(scenario_table, 1, "xuexi_avg")["remaining_text"] == "学习强国人均积分还差1,050分"
    # ceil(0.95 × 4) = 4 members needed, 3 have points
    assert row(scenario_table, 1, "xuexi_participation")["remaining_text"] == "还需1名党员参加学习强国学习"
    # 王芳 has no September record, 赵强 none at all
    assert row(scenario_table, 1, "self_study")["remaining_text"] == "7月有1名党员无自学记录；8月有1名党员无自学记录；9月有2名党员无自学记录"


def test_annual_indicators_are_scored_in_q4_only():
    b = DatasetBuilder().branch(1).member(10, 1, "张伟")
    b.activity(1, D(2026, 2, 10), "组织生活会")
    b.activity(1, D(2025, 12, 20), "民主评议党员")  # last year: does not count
    ds = b.build()
    q3 = indicator_table(ds, "2026Q3", Q3_END)
    assert row(q3, 1, "org_life")["actual"] == 1 and not row(q3, 1, "org_life")["scored"]
    assert row(q3, 1, "org_life")["note"] == "年度指标，第四季度计入得分"
    q4 = indicator_table(ds, "2026Q4", D(2026, 12, 31))
    assert row(q4, 1, "org_life")["scored"] and row(q4, 1, "org_life")["completion"] == 1
    assert row(q4, 1, "review")["scored"] and row(q4, 1, "review")["completion"] == 0
    assert row(q4, 1, "review")["remaining_text"] == "还需开展1次民主评议党员"


def test_group_meeting_target_counts_groups_of_active_members_only():
    b = DatasetBuilder().branch(1)
    b.member(10, 1, "张伟", group="一组").member(11, 1, "李娜", group="一组").member(12, 1, "王芳", group="二组")
    b.member(13, 1, "赵强", group="三组", status="transferred")  # a former member's group does not count
    b.member(14, 1, "刘洋")  # no group
    b.activity(1, D(2026, 7, 3), "党小组会", group="一组")
    t = indicator_table(b.build(), "2026Q3", Q3_END)
    # 2 groups (一组, 二组) × 3 = 6; 1 held → 1/6
    assert row(t, 1, "group_meeting")["target"] == 6
    assert row(t, 1, "group_meeting")["completion"] == pytest.approx(1 / 6)


def test_self_study_is_not_applicable_before_a_month_has_ended():
    b = DatasetBuilder().branch(1).member(10, 1, "张伟").member(11, 1, "李娜")
    b.study(1, "张伟", D(2026, 7, 3), "自学")
    ds = b.build()
    r = row(indicator_table(ds, "2026Q3", D(2026, 7, 20)), 1, "self_study")
    assert not r["applicable"] and pd.isna(r["completion"])
    assert r["note"] == "本季度尚无已结束的月份"
    assert r["remaining_text"] == "1名党员本月尚无自学记录"  # 李娜, still actionable
    r = row(indicator_table(ds, "2026Q3", D(2026, 7, 31)), 1, "self_study")
    assert r["applicable"] and r["actual"] == 0.5  # July ended: 张伟 yes, 李娜 no


def test_records_after_as_of_are_ignored():
    b = DatasetBuilder().branch(1).member(10, 1, "张伟")
    b.activity(1, D(2026, 8, 31), "主题党日", expected=10, present=9)
    b.activity(1, D(2026, 9, 1), "主题党日", expected=10, present=1)
    b.activity(1, D(2026, 6, 30), "主题党日")  # previous quarter
    b.study(1, "张伟", D(2026, 9, 1), "集中学习")
    t = indicator_table(b.build(), "2026Q3", D(2026, 8, 31))
    assert row(t, 1, "theme_day")["actual"] == 1
    assert row(t, 1, "attendance")["actual"] == pytest.approx(0.9)
    assert row(t, 1, "study_sessions")["actual"] == 0


def test_attendance_not_applicable_when_no_activity_records_both_numbers():
    b = DatasetBuilder().branch(1).member(10, 1, "张伟")
    b.activity(1, D(2026, 7, 1), "主题党日", expected=10)  # present missing
    b.activity(1, D(2026, 7, 2), "主题党日", present=9)   # expected missing
    b.activity(1, D(2026, 7, 3), "主题党日")
    r = row(indicator_table(b.build(), "2026Q3", Q3_END), 1, "attendance")
    assert not r["applicable"] and not r["scored"] and pd.isna(r["completion"])


def test_counts_table_feeds_the_same_indicators_once_periods_end():
    b = DatasetBuilder().branch(3).member(30, 3, "孙丽")
    # expected/present ride on the first type row of each source row (schema.py)
    b.counts(3, D(2026, 7, 1), D(2026, 7, 31), "支部委员会", 1, expected=10, present=9)
    b.counts(3, D(2026, 7, 1), D(2026, 7, 31), "主题党日", 1)
    b.counts(3, D(2026, 8, 1), D(2026, 8, 31), "支部委员会", 1, expected=10, present=8)
    b.counts(3, D(2026, 8, 1), D(2026, 8, 31), "主题党日", 1)
    b.counts(3, D(2026, 9, 1), D(2026, 9, 30), "支部委员会", 1, expected=10, present=10)
    ds = b.build()
    mid = indicator_table(ds, "2026Q3", D(2026, 9, 15))
    # September has not ended: committee 1 + 1 = 2, theme_day 2, attendance (9 + 8) / 20 = 0.85
    assert row(mid, 3, "committee")["actual"] == 2
    assert row(mid, 3, "theme_day")["actual"] == 2
    assert row(mid, 3, "attendance")["actual"] == pytest.approx(0.85)
    end = indicator_table(ds, "2026Q3", Q3_END)
    # all three months: committee 3, attendance 27 / 30 = 0.9
    assert row(end, 3, "committee")["actual"] == 3
    assert row(end, 3, "attendance")["actual"] == pytest.approx(0.9)


def test_ledger_wins_over_counts_for_the_same_branch_and_month_whatever_the_type():
    b = DatasetBuilder().branch(4).member(40, 4, "周敏")
    b.activity(4, D(2026, 7, 20), "支部委员会", expected=5, present=5)
    b.counts(4, D(2026, 7, 1), D(2026, 7, 31), "支部委员会", 2, expected=10, present=6)
    b.counts(4, D(2026, 7, 1), D(2026, 7, 31), "主题党日", 1)
    b.counts(4, D(2026, 8, 1), D(2026, 8, 31), "主题党日", 1)  # August: no ledger row, counts
    result = compute_indicators(b.build(), "2026Q3", Q3_END)
    t = result.table
    # July has a ledger row: the ledger wins for July, for 支委会 and 主题党日 alike
    assert row(t, 4, "committee")["actual"] == 1  # the ledger's 1, not 1 + 2
    assert row(t, 4, "theme_day")["actual"] == 1  # August's count only, not July's
    # July's 应到/实到 of the counts are set aside too: 5 / 5
    assert row(t, 4, "attendance")["actual"] == 1.0
    assert len(result.warnings) == 3
    assert all("以台账为准" in w for w in result.warnings[:2])
    assert {"支部委员会2次" in w for w in result.warnings[:2]} == {True, False}
    assert "应到/实到人次（6/10）未计入参会率" in result.warnings[2]


def test_quarterly_counts_row_supersedes_monthly_rows_it_covers():
    b = DatasetBuilder().branch(5).member(50, 5, "吴刚")
    b.counts(5, D(2026, 7, 1), D(2026, 7, 31), "党课", 1)
    b.counts(5, D(2026, 7, 1), D(2026, 9, 30), "党课", 1)
    ds = b.build()
    assert row(indicator_table(ds, "2026Q3", D(2026, 8, 1)), 5, "lecture")["actual"] == 1  # July only
    result = compute_indicators(ds, "2026Q3", Q3_END)
    assert row(result.table, 5, "lecture")["actual"] == 1  # the quarter row, not 1 + 1
    assert any("覆盖" in w for w in result.warnings)


def test_study_dates_inside_a_counts_period_are_the_sessions_counted_there():
    b = DatasetBuilder().branch(6).member(60, 6, "郑洁").branch(7).member(70, 7, "冯雪")
    b.counts(6, D(2026, 7, 1), D(2026, 7, 31), "集中学习", 2)
    b.study(6, "郑洁", D(2026, 7, 10), "集中学习")  # most likely one of the 2 counted
    b.study(6, "郑洁", D(2026, 8, 10), "集中学习")  # August has no counts: +1
    # branch 7's table says 1 session in July but study records show 2 distinct dates: max(1, 2) = 2
    b.counts(7, D(2026, 7, 1), D(2026, 7, 31), "集中学习", 1)
    b.study(7, "冯雪", D(2026, 7, 10), "集中学习").study(7, "冯雪", D(2026, 7, 24), "集中学习")
    table = indicator_table(b.build(), "2026Q3", Q3_END)
    assert row(table, 6, "study_sessions")["actual"] == 3  # 2 (July table) + 1 (August date)
    assert row(table, 7, "study_sessions")["actual"] == 2
    # before July ends the table does not count yet and both dates do: still 2, nothing lost
    assert row(indicator_table(b.build(), "2026Q3", D(2026, 7, 30)), 7, "study_sessions")["actual"] == 2


def test_pace_and_remaining_text_mid_quarter():
    # as of 15 Aug: elapsed 46 of 92 days = exactly half the quarter
    b = DatasetBuilder().branch(1)
    for i, name in enumerate(["张伟", "李娜", "王芳", "赵强"]):
        b.member(10 + i, 1, name)
        b.study(1, name, D(2026, 7, 5), "自学")
    b.study(1, "张伟", D(2026, 8, 3), "自学")
    b.activity(1, D(2026, 7, 10), "支部委员会")
    b.activity(1, D(2026, 7, 1), "主题党日", expected=4, present=3)
    b.activity(1, D(2026, 8, 1), "主题党日", expected=4, present=3)
    b.activity(1, D(2026, 7, 20), "党课")
    t = indicator_table(b.build(), "2026Q3", D(2026, 8, 15))

    committee = row(t, 1, "committee")  # 1 held; 3 × 46/92 = 1.5 expected by now → behind, heading for 2
    assert committee["expected_by_now"] == pytest.approx(1.5)
    assert committee["behind_pace"]
    assert committee["projected"] == pytest.approx(2.0)
    assert committee["remaining_text"] == "还需召开2次支委会"

    theme = row(t, 1, "theme_day")  # 2 held ≥ 1.5 → on pace, heading for 4
    assert not theme["behind_pace"] and theme["projected"] == pytest.approx(4.0)
    assert theme["remaining_text"] == "还需开展1次主题党日"

    assert row(t, 1, "congress")["remaining_text"] == "还需召开1次支部党员大会"
    assert row(t, 1, "lecture")["remaining_text"] == ""
    assert row(t, 1, "lecture")["behind_pace"] == False  # noqa: E712 - numpy bool

    attendance = row(t, 1, "attendance")  # 6/8 = 0.75: a rate has no pace
    assert pd.isna(attendance["expected_by_now"]) and not attendance["behind_pace"]
    assert attendance["remaining_text"] == "参会率需提高到90%"

    self_study = row(t, 1, "self_study")  # July complete for all 4; in August only 张伟 so far
    assert self_study["completion"] == 1.0
    assert self_study["remaining_text"] == "3名党员本月尚无自学记录"


def test_xuexi_daily_points_still_needed():
    # as of 31 Aug: 62 days elapsed, 30 left. July + August exports: 4 members, 7,400 points → mean 1,850
    b = DatasetBuilder().branch(1)
    for i, name in enumerate(["张伟", "李娜", "王芳", "赵强"]):
        b.member(10 + i, 1, name)
    b.xuexi(1, D(2026, 7, 1), D(2026, 7, 31), [("张伟", 1, 1000), ("李娜", 1, 1000), ("王芳", 1, 1000)])
    b.xuexi(2, D(2026, 8, 1), D(2026, 8, 31), [("张伟", 1, 1500), ("李娜", 1, 1500), ("王芳", 1, 1400)])
    r = row(indicator_table(b.build(), "2026Q3", D(2026, 8, 31)), 1, "xuexi_avg")
    assert r["actual"] == 1850
    # (2,700 − 1,850) ÷ 30 = 28.33 → 29 a day, rounded up
    assert r["remaining_text"] == "学习强国人均每日还需29分"
    # expected by now 2,700 × 62/92 = 1,819.6 → on pace; projected 1,850 × 92/62 = 2,745.2
    assert r["expected_by_now"] == pytest.approx(2700 * 62 / 92)
    assert not r["behind_pace"]
    assert r["projected"] == pytest.approx(1850 * 92 / 62)
    p = row(indicator_table(b.build(), "2026Q3", D(2026, 8, 31)), 1, "xuexi_participation")
    assert p["actual"] == 0.75 and p["numerator"] == 3 and p["denominator"] == 4


def test_no_xuexi_export_yet_counts_zero_and_says_so():
    b = DatasetBuilder().branch(1).member(10, 1, "张伟")
    b.xuexi(1, D(2026, 7, 1), D(2026, 7, 31), [("张伟", 1, 900)])
    early = row(indicator_table(b.build(), "2026Q3", D(2026, 7, 20)), 1, "xuexi_participation")
    # §3.2: a member missing from every export has 0 points, so the rate is 0 — flagged as a data gap
    assert early["actual"] == 0 and early["applicable"]
    assert early["note"] == "本季度尚无已结束期间的学习强国导出，积分按0计"
    later = row(indicator_table(b.build(), "2026Q3", D(2026, 8, 1)), 1, "xuexi_participation")
    assert later["actual"] == 1 and later["note"] == ""


def test_homonyms_in_two_branches_get_their_own_points():
    b = DatasetBuilder().branch(1).branch(2)
    b.member(10, 1, "张伟").member(20, 2, "张伟")
    b.xuexi(1, D(2026, 7, 1), D(2026, 9, 30), [("张伟", 1, 2700), ("张伟", 2, 0)])
    t = indicator_table(b.build(), "2026Q3", Q3_END)
    assert row(t, 1, "xuexi_avg")["actual"] == 2700
    assert row(t, 2, "xuexi_avg")["actual"] == 0


def test_ambiguous_homonyms_in_one_branch_get_no_points():
    b = DatasetBuilder().branch(1)
    b.member(10, 1, "王芳").member(11, 1, "王芳").member(12, 1, "李娜")
    b.xuexi(1, D(2026, 7, 1), D(2026, 9, 30), [("王芳", 1, 3000), ("李娜", 1, 300)])
    table = indicator_table(b.build(), "2026Q3", Q3_END)
    # the 3,000 points cannot be given to either 王芳, but the branch knows it earned them:
    # mean = (3,000 + 300) / 3 = 1,100; participants: 李娜 and one of the 王芳 = 2 of 3
    assert row(table, 1, "xuexi_avg")["actual"] == pytest.approx(1100)
    assert row(table, 1, "xuexi_participation")["numerator"] == 2


def test_imported_targets_per_type_per_quarter_and_a_type_indicator():
    b = DatasetBuilder().branch(1).branch(2, type="离退休")
    b.member(10, 1, "张伟").member(20, 2, "老刘")
    for bid in (1, 2):
        b.activity(bid, D(2026, 7, 10), "支部委员会")
        b.activity(bid, D(2026, 8, 10), "支部委员会")
    b.activity(1, D(2026, 7, 25), "警示教育")
    b.activity(1, D(2026, 4, 25), "支部委员会")
    b.target("committee", "在职", 2, quarter="2026Q3")   # 2026Q3 only, 在职 only
    b.target("theme_day", "离退休", 1)                   # every quarter
    b.target("type:警示教育", "在职", 1, weight=2)
    ds = b.build()
    t = indicator_table(ds, "2026Q3", Q3_END)  # no config: defaults + ds.targets
    assert row(t, 1, "committee")["target"] == 2 and row(t, 1, "committee")["completion"] == 1
    assert row(t, 2, "committee")["target"] == 3  # 离退休 keeps the default
    assert row(t, 2, "theme_day")["target"] == 1
    warn = row(t, 1, "type:警示教育")
    assert (warn["label"], warn["actual"], warn["target"], warn["weight"], warn["completion"]) == ("警示教育", 1, 1, 2, 1)
    assert not row(t, 2, "type:警示教育")["applicable"]
    q2 = indicator_table(ds, "2026Q2", D(2026, 6, 30))
    assert row(q2, 1, "committee")["target"] == 3  # the Q3 override does not leak into Q2
    assert row(q2, 1, "type:警示教育")["remaining_text"] == "还需开展1次警示教育"


def test_pace_counts_the_days_each_branchs_own_ledger_covers():
    """DOMAIN §4 data coverage: a branch's counts are paced by the days its own ledger covers; a
    branch that has imported no ledger, by the committee's newest ledger day."""
    import dataclasses

    b = DatasetBuilder()
    for branch_id in (1, 2, 3):
        b.branch(branch_id).member(10 * branch_id, branch_id, f"党员{branch_id}")
    ledgers = pd.DataFrame({"source": ["ledger", "ledger"], "branch_id": pd.array([1, 2], dtype="Int64"),
                            "covered_to": pd.to_datetime(["2026-08-15", "2026-07-31"]),
                            "export_id": pd.array([pd.NA, pd.NA], dtype="Int64"),
                            "covered_from": pd.to_datetime([None, None])})
    t = indicator_table(dataclasses.replace(b.build(), coverage=ledgers), "2026Q3", D(2026, 9, 15))
    # 支委会: 3 a quarter of 92 days. Branch 1's ledger covers 1 Jul–15 Aug (46 days), branch 2's
    # 1–31 Jul (31 days); branch 3 has none of its own: the committee's newest day, 15 Aug
    assert row(t, 1, "committee")["expected_by_now"] == pytest.approx(3 * 46 / 92)
    assert row(t, 2, "committee")["expected_by_now"] == pytest.approx(3 * 31 / 92)
    assert row(t, 3, "committee")["expected_by_now"] == pytest.approx(3 * 46 / 92)
