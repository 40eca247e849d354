"""Composite scores, ranks, trend and KPIs (metrics/scorecard.py)."""

import pandas as pd
import pytest

from metrics.config import load_config
from metrics.scorecard import BRANCH_COLUMNS, branch_scorecard, competition_rank, kpis, round_score, trend
from tests.metrics_fixtures import D, DatasetBuilder, quarter_scenario

Q3_END = D(2026, 9, 30)


def by_branch(card):
    return card.branches.set_index("branch_id")


def test_scenario_scores_by_hand():
    card = branch_scorecard(quarter_scenario().build(), "2026Q3", Q3_END, load_config())
    b = by_branch(card)
    assert list(card.branches.columns) == BRANCH_COLUMNS
    # branch 1: ten scored indicators (see test_metrics_indicators.BRANCH_1):
    #   1 + 2/3 + 4/6 + 1 + 1 + 2/3 + 25/27 + 15/19 + 11/18 + 1/2 = 7.82651 → 78.265 → 78.3 (yellow)
    assert b.loc[1, "score"] == 78.3
    assert b.loc[1, "status"] == "yellow"
    assert b.loc[1, "n_scored"] == 10 and b.loc[1, "n_red"] == 1 and b.loc[1, "n_green"] == 3
    # branch 2: seven scored indicators, six complete, attendance 0.9375:
    #   100 × 6.9375 / 7 = 99.107 → 99.1 (green)
    assert b.loc[2, "score"] == 99.1
    assert b.loc[2, "status"] == "green"
    assert b.loc[2, "rank"] == 1 and b.loc[1, "rank"] == 2
    assert card.branches["branch_id"].tolist() == [2, 1]  # sorted by rank
    assert b.loc[1, "n_members"] == 4 and b.loc[2, "n_members"] == 2
    assert (b.loc[1, "xuexi_participants"], b.loc[1, "xuexi_members"]) == (3, 4)
    assert pd.isna(b.loc[2, "xuexi_participants"])  # 离退休: no 学习强国 indicator


def test_weights_change_the_score():
    # branch 2 with attendance weighted 3: 100 × (6 + 3 × 0.9375) / (6 + 3) = 97.917 → 97.9
    config = load_config({"indicators": {"attendance": {"weight": 3}}})
    card = branch_scorecard(quarter_scenario().build(), "2026Q3", Q3_END, config)
    assert by_branch(card).loc[2, "score"] == 97.9


def tie_dataset():
    """Four 在职 branches without members: five count indicators + attendance are scored.

    Every branch holds everything (five completions of 1); only attendance differs:
      A 100/100 → 1.0 / 0.9 → capped 1        → 100 × 6 / 6            = 100.0
      B 80/100  → 0.8 / 0.9 = 0.888…          → 100 × 5.8889 / 6       = 98.148 → 98.1
      C 795/1000 → 0.795 / 0.9 = 0.8833…      → 100 × 5.8833 / 6       = 98.056 → 98.1
      D 70/100  → 0.7 / 0.9 = 0.777…          → 100 × 5.7778 / 6       = 96.296 → 96.3
    B and C differ before rounding but show the same score, so they share rank 2; D is 4th.
    """
    b = DatasetBuilder()
    for bid, name, (present, expected) in (
        (1, "甲支部", (100, 100)), (2, "乙支部", (80, 100)), (3, "丙支部", (795, 1000)), (4, "丁支部", (70, 100)),
    ):
        b.branch(bid, name)
        b.activity(bid, D(2026, 7, 1), "支部党员大会", expected=expected, present=present)
        b.activity(bid, D(2026, 7, 2), "党课")
        for month in (7, 8, 9):
            b.activity(bid, D(2026, month, 3), "支部委员会")
            b.activity(bid, D(2026, month, 4), "主题党日")
            b.activity(bid, D(2026, month, 5), "集中学习")
    return b.build()


def test_ties_share_the_rank_on_rounded_scores():
    card = branch_scorecard(tie_dataset(), "2026Q3", Q3_END)
    b = by_branch(card)
    assert b["score"].to_dict() == {1: 100.0, 2: 98.1, 3: 98.1, 4: 96.3}
    assert b["rank"].to_dict() == {1: 1, 2: 2, 3: 2, 4: 4}
    assert card.branches["branch"].tolist() == ["甲支部", "丙支部", "乙支部", "丁支部"]  # rank, then name


def test_rounding_is_half_up_and_ignores_float_noise():
    assert round_score(pd.Series([83.25, 83.2499999999, 83.35, 0.05, 99.95])).tolist() == [83.3, 83.3, 83.4, 0.1, 100.0]
    assert competition_rank(pd.Series([90.0, 95.5, 90.0, 80.0, None])).tolist() == [2, 1, 2, 4, pd.NA]


def test_branch_with_nothing_scored_has_no_score_or_rank():
    b = DatasetBuilder().branch(1).branch(2)
    b.activity(1, D(2026, 7, 1), "支部党员大会")
    # every weight 0: Σ weight = 0, so no score can be formed
    config = load_config({"indicators": {k: {"weight": 0} for k in load_config().indicators}})
    card = branch_scorecard(b.build(), "2026Q3", Q3_END, config)
    assert card.branches["score"].isna().all() and card.branches["rank"].isna().all()
    assert card.branches["status"].isna().all()


def test_status_bands():
    # a branch without members has five scored count indicators: scores move in steps of 20 × completion
    b = DatasetBuilder()
    b.branch(1, "全完成")        # 5/5 → 100 green
    b.branch(2, "差一次支委会")   # committee 2/3 → 100 × (4 + 2/3) / 5 = 93.3 green
    b.branch(3, "缺党课")        # lecture 0 → 80.0 yellow
    b.branch(4, "缺两项")        # lecture 0, congress 0 → 60.0 red
    for bid in (1, 2, 3, 4):
        for month in (7, 8, 9):
            b.activity(bid, D(2026, month, 4), "主题党日")
            b.activity(bid, D(2026, month, 5), "集中学习")
            if not (bid == 2 and month == 9):
                b.activity(bid, D(2026, month, 3), "支部委员会")
        if bid in (1, 2, 3):
            b.activity(bid, D(2026, 7, 1), "支部党员大会")
        if bid in (1, 2):
            b.activity(bid, D(2026, 7, 2), "党课")
    b_ = by_branch(branch_scorecard(b.build(), "2026Q3", Q3_END))
    assert b_["score"].to_dict() == {1: 100.0, 2: 93.3, 3: 80.0, 4: 60.0}
    assert b_["status"].to_dict() == {1: "green", 2: "green", 3: "yellow", 4: "red"}


def test_trend_takes_each_past_quarter_as_of_its_end():
    b = DatasetBuilder().branch(1)
    b.activity(1, D(2026, 4, 2), "支部党员大会")
    b.activity(1, D(2026, 7, 2), "支部党员大会")
    b.activity(1, D(2026, 8, 20), "党课")  # after the as-of date of the current quarter
    result = trend(b.build(), ["2026Q2", "2026Q3", "2026Q4"], D(2026, 8, 15))
    scores = result.scores
    assert scores["quarter"].tolist() == ["2026Q2", "2026Q3"]  # Q4 has not started
    assert scores["as_of"].tolist() == [pd.Timestamp("2026-06-30"), pd.Timestamp("2026-08-15")]
    # five count indicators, only congress held: 100 × 1/5 = 20.0 in both quarters (the 党课 is too late)
    assert scores["score"].tolist() == [20.0, 20.0]
    lecture = result.indicators[result.indicators["indicator"] == "lecture"]
    assert lecture["completion"].tolist() == [0.0, 0.0]


def test_kpis_with_change_from_last_quarter():
    ds = quarter_scenario().build()
    now = branch_scorecard(ds, "2026Q3", Q3_END)
    before = branch_scorecard(ds, "2026Q2", D(2026, 6, 30))
    cards = {k.key: k for k in kpis(now, before)}
    assert cards["branches"].value == 2 and cards["members"].value == 6
    # (78.3 + 99.1) / 2 = 88.7
    assert cards["average_score"].value == pytest.approx(88.7)
    assert cards["red_branches"].value == 0
    # 学习强国: 3 of the 4 in-service members
    assert cards["xuexi_participation"].value == pytest.approx(0.75)
    assert cards["xuexi_participation"].value_text == "75%"
    # Q2 had nothing: both branches red with score 0; participation 0 of 4
    assert cards["red_branches"].previous == 2 and cards["red_branches"].delta == -2
    assert cards["average_score"].delta == pytest.approx(88.7)
    assert cards["xuexi_participation"].delta_text == "+75个百分点"
    assert all(k.delta is None for k in kpis(now))
