"""The inspection packet's sections are built for all branches at once and split by branch
(metrics/packet.py): each branch must get exactly its own rows, in the order a one-branch packet
gives them, and data-gap sentences of one branch must not reach another branch's page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.lagging import lagging_members
from metrics.packet import build_packet
from metrics.quality import data_quality
from metrics.scorecard import branch_scorecard
from storage.rectification import TASK_COLUMNS
from tests.metrics_fixtures import D, DatasetBuilder, quarter_scenario

Q3_CUT = D(2026, 9, 30)


def _set_aside_dataset():
    """Three branches; 一 and 二 report July both in the ledger and in a 统计表 with 应到/实到, so
    their 统计表 attendance is set aside (the ledger wins for that month); 三 has no 统计表."""
    b = DatasetBuilder().branch(1, "一支部").branch(2, "二支部").branch(3, "三支部")
    b.member(10, 1, "张伟").member(20, 2, "李娜").member(30, 3, "王芳")
    b.activity(1, D(2026, 7, 10), "主题党日")
    b.counts(1, D(2026, 7, 1), D(2026, 7, 31), "支部委员会", 1, expected=10, present=8)
    b.activity(2, D(2026, 7, 11), "主题党日")
    b.counts(2, D(2026, 7, 1), D(2026, 7, 31), "支部委员会", 1, expected=6, present=5)
    b.activity(3, D(2026, 7, 12), "主题党日")
    return b.build()


def test_set_aside_attendance_is_a_gap_of_its_own_branch_only():
    ds = _set_aside_dataset()
    card = branch_scorecard(ds, "2026Q3", Q3_CUT)
    packet = build_packet(card, ds, quality=data_quality(ds, "2026Q3", Q3_CUT))
    gaps = {b.branch: b.gaps for b in packet.branches}
    one = "一支部：2026-07-01至2026-07-31已有台账记录，统计表中的应到/实到人次（8/10）未计入参会率"
    two = "二支部：2026-07-01至2026-07-31已有台账记录，统计表中的应到/实到人次（5/6）未计入参会率"
    assert one in gaps["一支部"] and two not in gaps["一支部"]
    assert two in gaps["二支部"] and one not in gaps["二支部"]
    assert not any("应到/实到" in g for g in gaps["三支部"])
    assert not any("应到/实到" in g for g in packet.committee_gaps)


def _tasks(rows: list[dict]) -> pd.DataFrame:
    base = {c: None for c in TASK_COLUMNS}
    return pd.DataFrame([{**base, **r} for r in rows], columns=TASK_COLUMNS)


@pytest.fixture(scope="module")
def scenario():
    b = quarter_scenario()
    b.counts(2, D(2026, 10, 1), D(2026, 10, 31), "党课", 1)  # next quarter: not in Q3's ledger
    b.counts(1, D(2026, 2, 1), D(2026, 2, 28), "党课", 1)  # earlier quarter
    ds = b.build()
    card = branch_scorecard(ds, "2026Q3", Q3_CUT)
    previous = branch_scorecard(ds, "2026Q2", D(2026, 6, 30))
    lagging = lagging_members(ds, "2026Q3", Q3_CUT)
    quality = data_quality(ds, "2026Q3", Q3_CUT)
    return ds, card, previous, lagging, quality


def _packet(scenario, tasks, branch_ids=None):
    ds, card, previous, lagging, quality = scenario
    return build_packet(card, ds, lagging, quality, previous, tasks, branch_ids)


def test_all_branch_packet_gives_each_branch_what_its_own_packet_gives(scenario):
    card = scenario[1]
    problem = card.indicators[(card.indicators["branch_id"] == 1) & card.indicators["scored"]
                              & (card.indicators["completion"] < 1)].iloc[0]
    tasks = _tasks([
        {"id": 7, "quarter": "2026Q3", "branch_id": 1, "indicator": problem["indicator"], "problem": "p",
         "owner": "张伟", "deadline": date(2026, 12, 31), "status": "open"},
        {"id": 8, "quarter": "2026Q2", "branch_id": 2, "indicator": "party_day", "problem": "旧问题",
         "owner": "老刘", "deadline": None, "status": "done"},
    ])
    whole = _packet(scenario, tasks)
    assert [b.branch_id for b in whole.branches] == card.branches["branch_id"].tolist()
    for b in whole.branches:
        alone = _packet(scenario, tasks, [b.branch_id]).branches[0]
        for section in ("scorecard", "problems", "lagging", "ledger", "rectification"):
            pd.testing.assert_frame_equal(getattr(b, section).reset_index(drop=True),
                                          getattr(alone, section).reset_index(drop=True),
                                          check_dtype=False, obj=f"{b.branch} {section}")
        assert b.gaps == alone.gaps

    by_id = {b.branch_id: b for b in whole.branches}
    # the task of branch 1 is on branch 1's problem, and on no problem of branch 2
    one = by_id[1].problems.set_index("indicator")
    assert one.loc[problem["indicator"], "task_id"] == 7 and one.loc[problem["indicator"], "owner"] == "张伟"
    assert by_id[2].problems["task_id"].isna().all()
    # branch 2's Q2 task whose problem no longer shows is listed for branch 2 only
    assert "旧问题" in by_id[2].rectification["problem"].tolist()
    assert "旧问题" not in by_id[1].rectification["problem"].tolist()

    # branch 1's Q3 ledger, by hand: 12 activities from 7/1 to 9/13 in date order, 2/10 and 10/8
    # left out, none of branch 2's; 赵强 absent on 7/1, 王芳 on leave on 8/1
    ledger = by_id[1].ledger
    assert ledger["date"].tolist() == ["2026-07-01", "2026-07-05", "2026-07-08", "2026-07-12", "2026-07-13",
                                       "2026-07-15", "2026-08-01", "2026-08-08", "2026-08-12", "2026-08-20",
                                       "2026-09-01", "2026-09-13"]
    assert ledger.loc[0, "absent"] == "赵强" and ledger.loc[6, "on_leave"] == "王芳"
    # branch 2: 7 dated rows a month (大会 and 党课 in July only) = 3 × 3 + 2 = 11, no 统计表 line
    assert len(by_id[2].ledger) == 11 and set(by_id[2].ledger["source"]) == {"台账"}


def test_statistics_periods_follow_the_activities_of_their_branch():
    b = DatasetBuilder().branch(1, "一支部").branch(2, "二支部")
    b.member(10, 1, "张伟").member(20, 2, "李娜")
    b.counts(1, D(2026, 8, 1), D(2026, 8, 31), "党课", 1, expected=5, present=4)
    b.counts(1, D(2026, 8, 1), D(2026, 8, 31), "主题党日", 2)
    b.activity(1, D(2026, 9, 3), "主题党日")
    b.counts(2, D(2026, 7, 1), D(2026, 9, 30), "支部委员会", 3)
    ds = b.build()
    packet = build_packet(branch_scorecard(ds, "2026Q3", Q3_CUT), ds)
    ledger = {b.branch_id: b.ledger for b in packet.branches}
    assert ledger[1][["date", "type", "topic", "attendance", "source"]].values.tolist() == [
        ["2026-09-03", "主题党日", "", "—", "台账"],
        ["2026年8月", "统计表", "党课1次、主题党日2次", "4/5", "统计表"],
    ]
    assert ledger[2][["date", "topic"]].values.tolist() == [["2026年第三季度", "支部委员会3次"]]
