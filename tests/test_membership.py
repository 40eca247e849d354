"""Members over time, one person per row (DOMAIN §2, issue 18): a small committee imported through
storage, its figures worked out by hand.

二支部 is the other branch. 一支部's roster of 30 June lists 张三, 李四, 王磊, 王磊 (two people of one
name, no 党员编号) and 赵六 (党员编号 Z6); its roster of 16 August lists 张三, the two 王磊, a
newcomer 钱红, and 赵六 as 转出 on 1 August — 李四 is not on it. So in 2026Q3 (92 days):

| member | belongs           | days | share of Q3 |
|--------|-------------------|------|-------------|
| 张三   | all of Q3         | 92   | 1           |
| 李四   | until 15 August   | 46   | 1/2         |
| 王磊 ×2| all of Q3         | 92   | 1           |
| 钱红   | from 16 August    | 46   | 1/2         |
| 赵六   | until 31 July     | 31   | 31/92       |
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from domain.access import SYSTEM
from services import analytics
from services import figures as figure_service
from storage.imports import import_result
from tests.test_storage import result

A, B = "一支部", "二支部"
Q3_END = date(2026, 9, 30)


def _roster_row(name, branch, **extra):
    return {"sheet": "名册", "row": 3, "name": name, "branch": branch, "branch_type": "在职", **extra}


@pytest.fixture
def committee(engine):
    first = [_roster_row("张三", A), _roster_row("李四", A), _roster_row("王磊", A), _roster_row("王磊", A),
             _roster_row("赵六", A, member_code="Z6"),
             _roster_row("孙七", B), _roster_row("周八", B), _roster_row("张三", B)]
    later = [_roster_row("张三", A), _roster_row("王磊", A), _roster_row("王磊", A), _roster_row("钱红", A),
             _roster_row("赵六", A, member_code="Z6", status="transferred",
                         transfer_out=pd.Timestamp("2026-08-01"))]
    assert import_result(engine, result("roster", first, as_of=date(2026, 6, 30)), b"r1", SYSTEM).ok
    assert import_result(engine, result("roster", later, as_of=date(2026, 8, 16)), b"r2", SYSTEM).ok

    def x(name, branch, points, code=None):
        return {"sheet": "", "row": 3, "name": name, "branch": branch, "activated": True,
                "points": float(points), "member_code": code}

    export = [x("张三", A, 2700), x("李四", A, 1350), x("王磊", A, 2000), x("王磊", A, 0),
              x("钱红", A, 900), x("赵六", A, 500, "Z6"),
              x("孙七", None, 2700),   # 部门 其他: a name only 二支部 has → 按姓名归入
              x("周八", B, 1000), x("张三", B, 2700),
              x("张三", None, 500)]   # 部门 其他, but two 张三 in the committee: counted nowhere
    assert import_result(engine, result("xuexi", export, period=(date(2026, 7, 1), Q3_END)), b"x", SYSTEM).ok

    def act(branch, day, kind, expected=None, present=None, absent=()):
        return {"sheet": "台账", "row": 3, "branch": branch, "date": day, "type": kind, "type_raw": kind,
                "expected": expected, "present": present, "absent": list(absent)}

    ledger = [act(A, "2026-07-10", "主题党日", 6, 4, ("王磊", "李四")),
              act(A, "2026-08-20", "主题党日", 5, 4, ("王磊",)),
              act(A, "2026-09-10", "主题党日", 5, 5),
              act(B, "2026-07-15", "党课")]
    assert import_result(engine, result("activity", ledger), b"a", SYSTEM).ok

    def counts(month, kind, n):
        start = pd.Timestamp(f"2026-{month:02d}-01")
        return {"sheet": "统计表", "row": 3, "branch": B, "period_start": start,
                "period_end": start + pd.offsets.MonthEnd(0), "type": kind, "count": float(n)}

    table = [counts(7, "主题党日", 1), counts(7, "支部委员会", 1), counts(8, "主题党日", 1)]
    assert import_result(engine, result("activity_counts", table), b"c", SYSTEM).ok

    def s(name, day):
        return {"sheet": "学习", "row": 3, "name": name, "branch": A, "date": day, "form": "自学"}

    study = ([s("张三", f"2026-{m:02d}-05") for m in (7, 8, 9)] + [s("李四", "2026-07-05")]
             + [s("王磊", f"2026-{m:02d}-06") for m in (7, 8, 9)]
             + [s("钱红", "2026-09-05"), s("赵六", "2026-07-05")])
    assert import_result(engine, result("study", study), b"s", SYSTEM).ok
    return engine


def _indicators(engine, branch):
    card = analytics.scorecard(engine, SYSTEM, "2026Q3", Q3_END).card
    rows = card.indicators[card.indicators["branch"] == branch]
    return rows.set_index("indicator"), card.branches.set_index("branch").loc[branch]


def test_scorecard_counts_who_belonged_with_targets_pro_rated(committee):
    ind, branch = _indicators(committee, A)
    assert branch["n_members"] == 6  # 张三, 李四, two 王磊, 钱红, 赵六 all belonged in Q3
    # participants: 张三, 李四, 钱红, 赵六 (by code) and one of the 王磊 (a row with points)
    assert ind.loc["xuexi_participation", "numerator"] == 5
    assert ind.loc["xuexi_participation", "actual"] == pytest.approx(5 / 6)
    # total 2,700 + 1,350 + 2,000 + 0 + 900 + 500 = 7,450 over 6 members
    assert ind.loc["xuexi_avg", "actual"] == pytest.approx(7450 / 6)
    # target 2,700 × mean share (1 + 1/2 + 1 + 1 + 1/2 + 31/92) / 6
    share = (1 + 0.5 + 1 + 1 + 0.5 + 31 / 92) / 6
    assert ind.loc["xuexi_avg", "target"] == pytest.approx(2700 * share)
    # self-study: the two 王磊 are left out (their rows could be either's); 张三 and 赵六 (owes
    # July only) complete, 李四 (owes July and August) and 钱红 (owes August and September) not
    assert (ind.loc["self_study", "numerator"], ind.loc["self_study", "denominator"]) == (2, 4)
    assert ind.loc["attendance", "actual"] == pytest.approx(13 / 16)


def test_ledger_wins_over_counts_for_the_month_it_covers(committee):
    ind, _ = _indicators(committee, B)
    assert ind.loc["lecture", "actual"] == 1     # the ledger's July 党课
    assert ind.loc["theme_day", "actual"] == 1   # August's count; July's count set aside
    assert ind.loc["committee", "actual"] == 0   # July's 支委会 count set aside too
    # 孙七 by name, 周八 and 张三 by 部门; the 其他 张三 row belongs to no one
    assert ind.loc["xuexi_avg", "actual"] == pytest.approx((2700 + 1000 + 2700) / 3)
    quality = analytics.quality(committee, SYSTEM, "2026Q3", Q3_END)
    clashes = quality.counts_clashes.sort_values("type")
    assert clashes[["branch", "type", "ledger_count"]].values.tolist() == [[B, "主题党日", 1], [B, "支部委员会", 1]]


def test_lagging_list_judges_each_member_on_the_part_they_belonged(committee):
    lagging = analytics.lagging(committee, SYSTEM, "2026Q3", Q3_END)
    flagged = {(r["name"], tuple(r["reasons"])) for r in lagging.to_dict("records") if r["branch"] == A}
    # 赵六's 500 points clear his pro-rated line 2,700 × 31/92 × 1/2 = 454.9; 钱红's 900 clear
    # 675; the two 王磊 are 同名待核实, not 零积分 / 无故缺席 / 自学未完成
    assert flagged == {("李四", ("no_self_study",)), ("钱红", ("no_self_study",)),
                       ("王磊", ("ambiguous",))}
    missing = {r["name"]: r["missing_months"] for r in lagging.to_dict("records")}
    assert missing["李四"] == ["2026-08"] and missing["钱红"] == ["2026-08"]
    q2 = analytics.lagging(committee, SYSTEM, "2026Q2", date(2026, 6, 30))
    assert "钱红" not in set(q2["name"])  # she joined in August


def test_points_credit_only_the_activities_a_member_belonged_for(committee):
    points = analytics.points(committee, SYSTEM, 2026, Q3_END)
    mine = points[points["branch"] == A]
    got = {(r["name"], r["attended"], r["absences"], r["study_records"], r["points"])
           for r in mine.to_dict("records")}
    assert got == {
        ("张三", 3, 0, 3, 68.0),    # 60 + 3 + 3 + ⌊2,700 / 1,000⌋
        ("李四", 0, 1, 1, 60.0),    # expected at 10 July only, absent: 60 + 0 + 1 + 1 − 2
        ("王磊", 1, 0, 0, 61.0),    # the lists naming 王磊 credit and penalise neither
        ("钱红", 2, 0, 1, 63.0),    # from 16 August: 20 August and 10 September
        ("赵六", 1, 0, 1, 62.0),    # until 31 July: 10 July
    }
    assert len(mine) == 6
    early = analytics.points(committee, SYSTEM, 2026, date(2026, 6, 30))
    assert "钱红" not in set(early["name"])


def test_work_report_figures_follow_the_same_rules(committee):
    period = figure_service.report_period(2026, "2026Q3", Q3_END)
    report = figure_service.figures(committee, SYSTEM, period, figure_service.ReportScope(), with_previous=False)
    value = report.table.set_index("key")["value"]
    assert value["theme_days"] == 4  # 一支部's 3 on the ledger + 二支部's August count
    # A: 5 of 6 take part (as the indicator says), B: 3 of 3
    assert value["xuexi_participation"] == pytest.approx(8 / 9)
    assert value["xuexi_avg_points"] == pytest.approx((7450 + 6400) / 9)
    assert value["members_total"] == 7  # on 30 September: 张三, two 王磊, 钱红; 孙七, 周八, 张三
    quality = analytics.quality(committee, SYSTEM, "2026Q3", Q3_END)
    assert quality.by_name[["branch", "name"]].values.tolist() == [[B, "孙七"]]
    assert ("学习强国", "张三") in set(zip(quality.unmatched["source"], quality.unmatched["name"]))
    assert set(quality.ambiguous["name"]) == {"王磊"}
