"""Work-report figures (issue 8): definitions, every default figure and measure counted by hand,
drill-down, saved edits, the Word draft, the CLI and the 工作报告数据 page.

The hand-built year (``report_year``) — 2026, as of 2026-11-30:

branches  1 机关一支部 (在职, 市甲局机关党委)   2 机关二支部 (在职, 市乙局党总支)
          3 离退休支部 (离退休, 市甲局机关党委)  4 统计表支部 (在职, 市乙局党总支; counts only)
members   b1 张伟 李娜 王芳 赵强 (+ 钱多, transferred) · b2 陈刚 刘洋 · b3 老刘 老陈 · b4 孙丽  → 9 active

figure                    counted by hand                                                   value
leader_lectures          党课 by 工委书记 王建国 (b1 3-10), 王建国 (b2 4-10), 纪监工委书记刘洪涛
                         (b2 6-10); not 张伟, not 市委党校王教授, not 2025-12-20, not 12-10 (after
                         as-of)                                                               3
political_birthdays      政治生日 (b1 2-05) + 主题党日 whose topic mentions 政治生日 (b2 3-05)   2
theme_days               主题党日 b2 3-05, b1 3-06, b3 4-02 + 统计表 b4 July 2 (Dec not ended)   5
concentrated_study       在职: ledger b1 7-15, b2 8-15; b1 9-20 only in 学习记录 (3 members) = 1;
                         b1 7-15 study rows are on the ledger (not added); 统计表 b4 July 2      5
retired_study            b3 ledger 7-16 + b3 10-10 only in 学习记录 (2 members)                 2
site_visits              参观学习 b2 5-20 recorded by 30 people = 1 session; b1 6-20 (3 rows)   2
topic_exchanges          专题交流 b1 7-01 content A (2 rows) and content B (1 row)              2
briefings                专题宣讲 b1 and b2 on 3-18                                            2
ideology_lectures        党课 b2 9-01 topic 意识形态工作专题讲座                                   1
volunteer_days           志愿服务 days 2 + NA (→1) + 0.5                                        3.5
warning_education        警示教育 b1, b2 + 统计表 b4 July 1                                       3
integrity_meetings       廉情分析会 b1, b2                                                       2
xuexi (在职, 7 members)  exports Q1, Jan (superseded by Q1), Q2, Q3, Oct; Dec not ended.
                         张伟 1000+1000+1000, 李娜 2000, 王芳 1000, 赵强 none, 陈刚 500,
                         刘洋 800 but 未激活 → 0, 孙丽 4000; 老刘 retired (not counted)
  xuexi_participation    5 of 7 with points                                                  5/7
  xuexi_avg_points       10500 / 7                                                           1500
  xuexi_min_points       lowest among participants: 陈刚                                       500
  daily_question_min     每日一题 张伟 30+40, 李娜 50, 陈刚 20, 孙丽 90 (王芳 0: not a participant) 20
  xuexi_p10_points       10th percentile of 500/1000/2000/3000/4000 (linear)                   700
articles_published       发表文章 中央 1 + 省级 2 + committee-level 国家级(=中央) 1; not 市级, not
                         without level                                                         4
website_pieces           网站录用 中央 1 + 省级 1; not 市级, 县级                                2
honoured_party_workers   优秀党务工作者: 张伟 (twice: 1 person), 陈刚                              2
honoured_members         优秀共产党员: 李娜, 陈刚; not the row without a name                       2
risk_points              廉政风险点 5 (one in the retired branch)                                5
risk_points_with_measure with a 防范措施: 3 (blank and missing ones are not)                    3
duty_records             履责纪实 15 + NA (→1) + committee-level 5; not 12-20 (after as-of)      21
members_total            active members                                                         9
"""

from __future__ import annotations

import io
import json
import math
import re
import sqlite3

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from metrics.config import load_config
from domain.dataset import DATASET_COLUMNS
from metrics.figures import (
    FigureScope,
    compute_figures,
    figure_records,
    figure_settings,
    parse_figure,
    parse_level,
)
from tests.metrics_fixtures import D, DatasetBuilder, _frame

START, END, AS_OF = D(2026, 1, 1), D(2026, 12, 31), D(2026, 11, 30)
B1, B2, B3, B4 = 1, 2, 3, 4

EXPECTED = {
    "members_total": 9, "leader_lectures": 3, "political_birthdays": 2, "concentrated_study": 5,
    "site_visits": 2, "topic_exchanges": 2, "briefings": 2, "retired_study": 2, "ideology_lectures": 1,
    "xuexi_participation": 5 / 7, "xuexi_avg_points": 1500, "xuexi_min_points": 500,
    "daily_question_min": 20, "xuexi_p10_points": 700, "theme_days": 5, "articles_published": 4,
    "website_pieces": 2, "honoured_party_workers": 2, "honoured_members": 2, "volunteer_days": 3.5,
    "warning_education": 3, "risk_points": 5, "risk_points_with_measure": 3, "integrity_meetings": 2,
    "duty_records": 21,
}


def _record(rid, branch_id, category, day, title=None, person=None, level=None, quantity=1.0, measure=None):
    return {"record_id": rid, "branch_id": branch_id, "branch": {1: "机关一支部", 2: "机关二支部", 3: "离退休支部",
                                                               4: "统计表支部"}.get(branch_id),
            "category": category, "title": title, "date": day, "person": person, "level": level,
            "quantity": quantity, "measure": measure}


def report_year():
    b = (DatasetBuilder()
         .branch(B1, "机关一支部", unit="市甲局机关党委").branch(B2, "机关二支部", unit="市乙局党总支")
         .branch(B3, "离退休支部", type="离退休", unit="市甲局机关党委").branch(B4, "统计表支部", unit="市乙局党总支"))
    b.member(10, B1, "张伟", role="书记").member(11, B1, "李娜").member(12, B1, "王芳").member(13, B1, "赵强")
    b.member(14, B1, "钱多", status="transferred")
    b.member(20, B2, "陈刚").member(21, B2, "刘洋")
    b.member(30, B3, "老刘").member(31, B3, "老陈")
    b.member(40, B4, "孙丽")

    # 党课 and the leader-speaker filter
    b.activity(B1, D(2026, 3, 10), "党课", speaker="工委书记 王建国", activity_id=101)
    b.activity(B2, D(2026, 4, 10), "党课", speaker="王建国", activity_id=102)
    b.activity(B1, D(2026, 5, 10), "党课", speaker="张伟", activity_id=103)
    b.activity(B2, D(2026, 6, 10), "党课", speaker="纪监工委书记刘洪涛", activity_id=104)
    b.activity(B1, D(2026, 12, 10), "党课", speaker="王建国", activity_id=105)  # after as-of
    b.activity(B1, D(2025, 12, 20), "党课", speaker="王建国", activity_id=106)  # last year
    b.activity(B3, D(2026, 7, 1), "党课", speaker="市委党校 王教授", activity_id=107)
    b.activity(B2, D(2026, 9, 1), "党课", topic="意识形态工作专题讲座", speaker="陈刚", activity_id=108)
    # 政治生日 and 主题党日
    b.activity(B1, D(2026, 2, 5), "政治生日", topic="为2月入党党员过政治生日", activity_id=111)
    b.activity(B2, D(2026, 3, 5), "主题党日", topic="为3月入党党员过政治生日", activity_id=112)
    b.activity(B1, D(2026, 3, 6), "主题党日", topic="参观红色教育基地", activity_id=113)
    b.activity(B3, D(2026, 4, 2), "主题党日", topic="重温入党誓词", activity_id=114)
    b.counts(B4, D(2026, 7, 1), D(2026, 7, 31), "主题党日", 2)
    b.counts(B4, D(2026, 12, 1), D(2026, 12, 31), "主题党日", 1)  # not ended by as-of
    # 集中学习: ledger, study-only sessions, counts
    b.activity(B1, D(2026, 7, 15), "集中学习", activity_id=121)
    b.activity(B2, D(2026, 8, 15), "集中学习", activity_id=122)
    b.activity(B3, D(2026, 7, 16), "集中学习", activity_id=123)
    b.counts(B4, D(2026, 7, 1), D(2026, 7, 31), "集中学习", 2)
    for name in ("张伟", "李娜"):
        b.study(B1, name, D(2026, 7, 15), "集中学习", "学习党章")  # on the ledger that day
    for name in ("张伟", "李娜", "王芳"):
        b.study(B1, name, D(2026, 9, 20), "集中学习", "学习条例")  # only in the study records
    for name in ("老刘", "老陈"):
        b.study(B3, name, D(2026, 10, 10), "集中学习", "学习全会精神")
    # 志愿服务, 警示教育, 廉情分析会
    b.activity(B1, D(2026, 4, 1), "志愿服务", days=2, activity_id=131)
    b.activity(B2, D(2026, 5, 1), "志愿服务", activity_id=132)  # no 天数 → 1 day
    b.activity(B1, D(2026, 6, 1), "志愿服务", days=0.5, activity_id=133)
    b.activity(B1, D(2026, 3, 15), "警示教育", activity_id=141)
    b.activity(B2, D(2026, 6, 15), "警示教育", activity_id=142)
    b.counts(B4, D(2026, 7, 1), D(2026, 7, 31), "警示教育", 1)
    b.activity(B1, D(2026, 3, 28), "廉情分析会", activity_id=151)
    b.activity(B2, D(2026, 9, 28), "廉情分析会", activity_id=152)

    # study forms: one 参观学习 recorded by 30 people is one session
    for i in range(30):
        b.study(B2, f"参观者{i:02d}", D(2026, 5, 20), "参观学习", "赴市革命历史纪念馆")
    for name in ("张伟", "李娜", "王芳"):
        b.study(B1, name, D(2026, 6, 20), "参观学习", "走进党建馆")
    for name, content in (("张伟", "专题交流A"), ("李娜", "专题交流A"), ("王芳", "专题交流B")):
        b.study(B1, name, D(2026, 7, 1), "专题交流", content)
    b.study(B1, "张伟", D(2026, 3, 18), "专题宣讲", "收听收看两会精神宣讲")
    b.study(B2, "陈刚", D(2026, 3, 18), "专题宣讲", "收听收看两会精神宣讲")
    b.study(B1, "赵强", D(2026, 8, 3), "自学", "党章")

    # 学习强国: (name, branch, points, activated); daily questions set below
    q1, jan, q2, q3, oct_, dec = 1, 2, 3, 4, 5, 6
    b.xuexi(q1, D(2026, 1, 1), D(2026, 3, 31), [("张伟", B1, 1000), ("刘洋", B2, 800, False), ("孙丽", B4, 4000),
                                                ("老刘", B3, 100)])
    b.xuexi(jan, D(2026, 1, 1), D(2026, 1, 31), [("张伟", B1, 400)])
    b.xuexi(q2, D(2026, 4, 1), D(2026, 6, 30), [("张伟", B1, 1000), ("李娜", B1, 2000)])
    b.xuexi(q3, D(2026, 7, 1), D(2026, 9, 30), [("张伟", B1, 1000), ("陈刚", B2, 500)])
    b.xuexi(oct_, D(2026, 10, 1), D(2026, 10, 31), [("王芳", B1, 1000)])
    b.xuexi(dec, D(2026, 12, 1), D(2026, 12, 31), [("赵强", B1, 9999)])  # not ended
    ds = b.build()
    dq = {(q1, "张伟"): 30, (q2, "张伟"): 40, (q2, "李娜"): 50, (q3, "陈刚"): 20, (q1, "孙丽"): 90,
          (jan, "张伟"): 10, (oct_, "王芳"): 0}
    ds.xuexi = ds.xuexi.assign(daily_question=[float(dq.get((e, n), math.nan))
                                               for e, n in zip(ds.xuexi["export_id"], ds.xuexi["name"], strict=True)])

    ds.records = _frame("records", [
        _record(1, B1, "发表文章", D(2026, 3, 1), "文章甲", "张伟", "中央"),
        _record(2, B2, "发表文章", D(2026, 4, 1), "文章乙", "陈刚", "省级", quantity=2.0),
        _record(3, B1, "发表文章", D(2026, 5, 1), "文章丙", "李娜", "市级"),
        _record(4, B1, "发表文章", D(2026, 5, 2), "文章丁", "王芳", None),
        _record(5, None, "发表文章", D(2026, 6, 1), "工委文章", None, "国家级"),
        _record(6, B1, "网站录用", D(2026, 3, 2), "稿件甲", "张伟", "中央"),
        _record(7, B2, "网站录用", D(2026, 3, 3), "稿件乙", "陈刚", "省级"),
        _record(8, B2, "网站录用", D(2026, 3, 4), "稿件丙", "刘洋", "市级"),
        _record(9, B1, "网站录用", D(2026, 3, 5), "稿件丁", "李娜", "县级"),
        _record(10, B1, "表彰", D(2026, 6, 28), "市级机关优秀党务工作者", "张伟", "市级"),
        _record(11, B1, "表彰", D(2026, 6, 30), "全省优秀党务工作者", "张伟", "省级"),
        _record(12, B2, "表彰", D(2026, 6, 28), "优秀党务工作者", "陈刚", "市级"),
        _record(13, B1, "表彰", D(2026, 6, 28), "市级机关优秀共产党员", "李娜", "市级"),
        _record(14, B2, "表彰", D(2026, 6, 28), "优秀共产党员", "陈刚", "市级"),
        _record(15, B1, "表彰", D(2026, 6, 28), "先进基层党组织", None, "市级"),
        _record(16, B1, "表彰", D(2026, 6, 28), "优秀共产党员", None, "市级"),
        _record(17, B1, "廉政风险点", D(2026, 3, 10), "政府采购", "张伟", measure="集体决策，全程留痕"),
        _record(18, B2, "廉政风险点", D(2026, 3, 11), "资金拨付", "陈刚", measure="定期公开"),
        _record(19, B2, "廉政风险点", D(2026, 3, 12), "公务接待", "陈刚", measure=None),
        _record(20, B1, "廉政风险点", D(2026, 4, 12), "公车管理", "张伟", measure="  "),
        _record(21, B3, "廉政风险点", D(2026, 4, 13), "慰问金发放", "老刘", measure="两人经手"),
        _record(22, B1, "履责纪实", D(2026, 3, 28), "第一季度履责纪实", quantity=15.0),
        _record(23, B2, "履责纪实", D(2026, 6, 28), "第二季度履责纪实", quantity=math.nan),
        _record(24, B1, "履责纪实", D(2026, 12, 20), "第四季度履责纪实", quantity=8.0),
        _record(25, None, "履责纪实", D(2026, 9, 28), "工委履责纪实", quantity=5.0),
        _record(26, B1, "培训", D(2026, 5, 8), "党务干部培训班", "张伟", "省级", quantity=3.0),
    ])
    return ds


@pytest.fixture(scope="module")
def ds():
    return report_year()


@pytest.fixture(scope="module")
def settings():
    return figure_settings()


@pytest.fixture(scope="module")
def year_table(ds, settings):
    return compute_figures(ds, settings.definitions, START, END, AS_OF).set_index("key")


# --- definitions ---------------------------------------------------------------------------------


def test_defaults_cover_every_figure_of_domain_7b(settings):
    keys = [d.key for d in settings.definitions]
    assert keys == list(EXPECTED)
    assert settings.warnings == []
    assert [d.key for d in settings.definitions if not d.enabled] == ["xuexi_p10_points"]
    assert settings.leaders.names == ("王建国", "陈志华", "刘洪涛")
    for d in settings.definitions:
        assert d.definition and "{value}" in d.phrase
        assert d.section in ("概况", "政治建设", "理论武装", "基层基础", "示范带动", "正风肃纪")
    measures = {d.measure for d in settings.definitions}
    assert measures == {"count", "distinct", "sum", "share", "mean", "min", "percentile"}


def test_every_default_figure_matches_the_hand_count(year_table):
    for key, expected in EXPECTED.items():
        assert year_table.loc[key, "value"] == pytest.approx(expected), key
    assert year_table.loc["xuexi_participation", "display"] == "71.4%"
    assert year_table.loc["volunteer_days", "display"] == "3.5天"
    assert year_table.loc["duty_records", "display"] == "21条"
    assert list(year_table.columns[:6]) == ["label", "value", "unit", "display", "definition", "records"]


def test_definitions_read_as_words(settings):
    text = settings.get("leader_lectures").definition
    assert "党课" in text and "王建国" in text and "工委书记" in text
    assert "同一场学习多名党员分别登记的，计1次" in settings.get("site_visits").definition
    assert "中央和省级（中央、省级）" in settings.get("articles_published").definition
    assert "省级及以上（中央、省级）" in settings.get("website_pieces").definition
    assert "未填写的按1天计" in settings.get("volunteer_days").definition
    assert "已填写防范措施" in settings.get("risk_points_with_measure").definition


def test_no_data_is_none_never_zero(ds, settings):
    q1 = compute_figures(ds, settings.definitions, D(2026, 1, 1), D(2026, 3, 31), D(2026, 3, 31)).set_index("key")
    assert q1.loc["ideology_lectures", "value"] is None or math.isnan(q1.loc["ideology_lectures", "value"])
    assert q1.loc["ideology_lectures", "display"] == "暂无数据"
    assert q1.loc["ideology_lectures", "records"] == 0
    assert q1.loc["leader_lectures", "value"] == 1
    # 学习强国 with no export ended: no value, not 0%
    early = compute_figures(ds, [settings.get("xuexi_participation")], D(2026, 1, 1), D(2026, 3, 31),
                            D(2026, 1, 20)).iloc[0]
    assert pd.isna(early["value"]) and early["records"] == 0


# --- the individual rules ------------------------------------------------------------------------


def _one(ds, raw: dict, scope=None, start=START, end=END, as_of=AS_OF):
    d = parse_figure({"key": "x", "label": "测试", **raw})
    row = compute_figures(ds, [d], start, end, as_of, scope).iloc[0]
    return (None if pd.isna(row["value"]) else row["value"]), figure_records(ds, d, start, end, as_of, scope)


def test_distinct_sessions_count_thirty_members_once(ds):
    value, rows = _one(ds, {"dataset": "study", "filters": {"forms": ["参观学习"]}, "measure": "distinct"})
    assert value == 2 and len(rows) == 33
    visit = rows[rows["branch"] == "机关二支部"]
    assert len(visit) == 30 and visit["contribution"].sum() == 1 and visit["counted_as"].nunique() == 1
    # counting rows instead of sessions gives the 33 records
    assert _one(ds, {"dataset": "study", "filters": {"forms": ["参观学习"]}, "measure": "count"})[0] == 33
    # distinct dates across branches: the 两会 broadcast watched by both branches is one event
    assert _one(ds, {"dataset": "study", "filters": {"forms": ["专题宣讲"]}, "measure": "distinct",
                     "keys": ["date", "content"]})[0] == 1


def test_sum_of_days_and_quantity(ds):
    value, rows = _one(ds, {"dataset": "activity", "filters": {"types": ["志愿服务"]}, "measure": "sum",
                            "field": "days", "unit": "天"})
    assert value == 3.5 and sorted(rows["contribution"]) == [0.5, 1.0, 2.0]
    assert _one(ds, {"dataset": "records", "filters": {"categories": ["培训"]}, "measure": "sum"})[0] == 3


@pytest.mark.parametrize("level, expected", [
    ("中央和省级", 4), ("省级及以上", 4), ("市级及以上", 5), (["省级"], 2), ("中央", 2), (None, 6),
])
def test_level_filters(ds, level, expected):
    filters = {"categories": ["发表文章"], **({"level": level} if level is not None else {})}
    assert _one(ds, {"dataset": "records", "filters": filters, "measure": "sum"})[0] == expected


def test_level_phrases_parse_to_sets():
    assert parse_level("中央和省级") == (("中央", "省级"), "中央和省级")
    assert parse_level("省级及以上")[0] == ("中央", "省级")
    assert parse_level("市级及以上")[0] == ("中央", "省级", "市级")
    assert parse_level(["国家级", "省部级"])[0] == ("中央", "省级")
    with pytest.raises(ValueError, match="级别"):
        parse_level("乡镇级")


def test_risk_points_with_and_without_a_measure(ds):
    base = {"dataset": "records", "measure": "count"}
    assert _one(ds, {**base, "filters": {"categories": ["廉政风险点"]}})[0] == 5
    value, rows = _one(ds, {**base, "filters": {"categories": ["廉政风险点"], "has_measure": True}})
    assert value == 3 and set(rows["record_id"]) == {17, 18, 21}
    value, rows = _one(ds, {**base, "filters": {"categories": ["风险点"], "has_measure": False}})
    assert value == 2 and set(rows["record_id"]) == {19, 20}


def test_leader_speaker_filter(ds, settings):
    rows = figure_records(ds, settings.get("leader_lectures"), START, END, AS_OF)
    assert set(rows["record_id"]) == {101, 102, 104}
    # a plain list of names is a speaker filter too
    value, rows = _one(ds, {"dataset": "activity", "filters": {"types": ["讲党课"], "speaker": ["张伟"]}})
    assert value == 1 and set(rows["record_id"]) == {103}
    # the list is configurable: without titles only the names count
    custom = figure_settings({**load_config().to_dict(), "committee_leader_titles": [], "committee_leaders": ["王建国"]})
    rows = figure_records(ds, custom.get("leader_lectures"), START, END, AS_OF)
    assert set(rows["record_id"]) == {101, 102}


def test_xuexi_measures_follow_the_export_rules(ds):
    base = {"dataset": "xuexi", "filters": {"branch_type": "在职"}}
    value, rows = _one(ds, {**base, "measure": "share"})
    assert value == pytest.approx(5 / 7) and len(rows) == 7 and rows["contribution"].sum() == 5
    assert dict(zip(rows["name"], rows["points"], strict=True))["张伟"] == 3000  # Jan superseded by Q1
    assert _one(ds, {**base, "measure": "count"})[0] == 5
    assert _one(ds, {**base, "measure": "sum"})[0] == 10500
    assert _one(ds, {"dataset": "xuexi", "measure": "mean"})[0] == pytest.approx(10600 / 9)  # with retirees
    assert _one(ds, {**base, "measure": "min"})[0] == 0  # 赵强 and 刘洋 have none
    assert _one(ds, {**base, "measure": "percentile", "q": 0.5, "filters": {"branch_type": "在职",
                                                                           "participants_only": True}})[0] == 2000


def test_study_share_and_score_measures(ds):
    value, rows = _one(ds, {"dataset": "study", "filters": {"forms": ["专题交流"], "branch_type": "在职"},
                            "measure": "share"})
    assert len(rows) == 7 and value == pytest.approx(3 / 7)
    assert _one(ds, {"dataset": "members", "filters": {"branch_type": "离退休"}})[0] == 2


def test_scopes(ds, settings):
    unit = FigureScope(unit="市甲局机关党委")
    table = compute_figures(ds, settings.definitions, START, END, AS_OF, unit).set_index("key")
    assert table.loc["leader_lectures", "value"] == 1
    assert table.loc["duty_records", "value"] == 15  # no committee-level records in a unit
    assert table.loc["articles_published", "value"] == 1
    assert table.loc["members_total", "value"] == 6
    assert table.loc["retired_study", "value"] == 2
    branch = compute_figures(ds, settings.definitions, START, END, AS_OF, FigureScope(branch_id=B2)).set_index("key")
    assert branch.loc["leader_lectures", "value"] == 2
    assert branch.loc["xuexi_participation", "value"] == pytest.approx(1 / 2)
    assert pd.isna(branch.loc["retired_study", "value"])


# --- drill-down ------------------------------------------------------------------------------------


def test_drill_down_lists_exactly_the_counted_rows(ds, settings, year_table):
    for d in settings.definitions:
        rows = figure_records(ds, d, START, END, AS_OF)
        assert len(rows) == year_table.loc[d.key, "records"], d.key
        value = year_table.loc[d.key, "value"]
        if d.measure in ("count", "distinct", "sum"):
            assert rows["contribution"].sum() == pytest.approx(value), d.key
        elif d.measure in ("share", "mean"):
            assert rows["contribution"].mean() == pytest.approx(value), d.key
        elif d.measure == "min":
            assert rows["contribution"].min() == pytest.approx(value), d.key


def test_drill_down_of_concentrated_study_names_every_source(ds, settings):
    rows = figure_records(ds, settings.get("concentrated_study"), START, END, AS_OF)
    assert sorted(rows["source"].value_counts().items()) == [("学习记录", 3), ("组织生活台账", 2), ("组织生活统计表", 1)]
    assert set(rows.loc[rows["source"] == "组织生活台账", "record_id"]) == {121, 122}
    study = rows[rows["source"] == "学习记录"]
    assert set(study["date"]) == {pd.Timestamp(2026, 9, 20)} and study["contribution"].sum() == 1
    assert rows.loc[rows["source"] == "组织生活统计表", "contribution"].item() == 2
    honours = figure_records(ds, settings.get("honoured_party_workers"), START, END, AS_OF)
    assert set(honours["record_id"]) == {10, 11, 12} and honours["contribution"].sum() == 2


# --- saved edits -----------------------------------------------------------------------------------


def test_staff_can_add_edit_and_switch_off_figures(ds):
    saved = {"figures": [
        {"key": "ideology_lectures", "enabled": False},
        {"key": "leader_lectures", "label": "领导讲党课", "filters": {"types": ["党课"], "speaker": ["陈刚"]}},
        {"key": "reading", "label": "读书分享会", "section": "理论武装", "dataset": "activity",
         "filters": {"types": ["读书分享会"]}, "measure": "count", "phrase": "开展读书分享会{value}"},
        {"key": "broken", "dataset": "nowhere"},
    ]}
    settings = figure_settings(load_config(saved).to_dict())  # as services.analytics.config merges it
    keys = [d.key for d in settings.enabled]
    assert "ideology_lectures" not in keys and keys[-1] == "reading" and "broken" not in keys
    assert any("broken" in w for w in settings.warnings)
    edited = settings.get("leader_lectures")
    assert edited.label == "领导讲党课" and edited.section == "政治建设"  # untouched fields kept
    table = compute_figures(ds, settings.enabled, START, END, AS_OF).set_index("key")
    assert table.loc["leader_lectures", "value"] == 1  # 陈刚's 意识形态 lecture
    assert pd.isna(table.loc["reading", "value"])
    replaced = figure_settings({"figures": [{"key": "risk_points", "replace": True, "label": "风险点",
                                             "dataset": "records", "filters": {"categories": ["廉政风险点"]}}]})
    assert replaced.get("risk_points").point == "" and replaced.get("risk_points").phrase == "风险点{value}"


def test_bad_definitions_say_what_is_wrong():
    with pytest.raises(ValueError, match="dataset"):
        parse_figure({"key": "a", "dataset": "x"})
    with pytest.raises(ValueError, match="不支持统计方式"):
        parse_figure({"key": "a", "dataset": "members", "measure": "mean"})
    with pytest.raises(ValueError, match="无法识别的筛选条件"):
        parse_figure({"key": "a", "dataset": "activity", "filters": {"colour": "red"}})


# --- storage, services, Word, CLI, page ------------------------------------------------------------


def test_services_on_the_database_respect_the_viewer(engine):
    """Records without a branch reach the committee only; a secretary gets own-branch figures."""
    from domain.access import SYSTEM, Viewer
    from services import figures as service
    from services.importing import import_paths
    from storage.queries import find_branch
    from tests.conftest import ROOT

    files = [ROOT / "sample_data" / name for name in ("名册_2026.xlsx", "其他台账_2026.xlsx", "廉政风险点台账_2026.xlsx")]
    assert all(o.status == "imported" for o in import_paths(engine, files, SYSTEM))
    period = service.report_period(2026, today=D(2026, 11, 26))
    committee = service.figures(engine, SYSTEM, period, service.resolve_scope(engine, SYSTEM))
    values = committee.table.set_index("key")["value"]
    assert values["risk_points"] == 44 and values["risk_points_with_measure"] == 42
    assert pd.isna(values["leader_lectures"])  # no ledger imported
    branch_id, name = find_branch(engine, "市财政局第一党支部")
    secretary = Viewer(username="sec", role="secretary", branch_id=branch_id, branch=name)
    scope = service.resolve_scope(engine, secretary, unit="市发改委")  # ignored: own branch only
    assert scope.branch_id == branch_id
    own = service.figures(engine, secretary, period, scope).table.set_index("key")["value"]
    assert own["duty_records"] < values["duty_records"] and own["members_total"] < values["members_total"]
    rows = service.drill_down(engine, secretary, period, scope, "duty_records")
    assert set(rows["branch"]) == {name}
    with pytest.raises(LookupError, match="可选"):
        service.resolve_scope(engine, SYSTEM, unit="市不存在局")


def _report(sample_db_url):
    from domain.access import SYSTEM
    from services import figures as service
    from storage.db import get_engine

    engine = get_engine(sample_db_url)
    period = service.report_period(2026, today=D(2026, 11, 26))
    return service.figures(engine, SYSTEM, period, service.resolve_scope(engine, SYSTEM), with_previous=False)


def test_word_draft_of_the_sample_year_states_every_figure(sample_db_url):
    from reports.work_report_docx import no_data_marker, work_report_document

    report = _report(sample_db_url)
    doc = Document(io.BytesIO(work_report_document(report)))
    text = "\n".join(p.text for p in doc.paragraphs)
    table_text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    for d, row in zip(report.settings.enabled, report.table.to_dict("records"), strict=True):
        expected = no_data_marker(d.label) if pd.isna(row["value"]) else row["display"]
        assert expected in text, d.key
        assert row["label"] in table_text
    assert "【暂无数据：意识形态专题讲座】" in text  # the sample has none
    assert not re.search(r"(?<![\d.])0(次|个|篇|名|天|条|分)", text)
    for heading in ("一、主要做法及成效", "（一）坚持政治引领", "（二）强化理论武装", "（三）夯实基层基础",
                    "（四）发挥示范带动", "（五）坚持正风肃纪", "二、存在的问题及下一步打算"):
        assert heading in text
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = {r._r.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs if r.text.strip()}
    assert {"仿宋_GB2312", "黑体", "方正小标宋简体"} <= fonts and None not in fonts
    assert "PAGE" in section.footer._element.xml


def test_cli_figures_json_and_errors(sample_db_url, capsys):
    import cli

    assert cli.main(["--db", sample_db_url, "figures", "--year", "2026", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"period", "figures"} and doc["period"] == "2026"
    enabled = [d.key for d in figure_settings().enabled]
    assert [f["key"] for f in doc["figures"]] == enabled
    for f in doc["figures"]:
        assert set(f) >= {"key", "label", "value", "unit", "definition", "records"}
        assert isinstance(f["records"], int) and (f["value"] is None) == (f["records"] == 0)
    risk = next(f for f in doc["figures"] if f["key"] == "risk_points")
    assert (risk["value"], risk["unit"], risk["records"]) == (44, "个", 44)
    share = next(f for f in doc["figures"] if f["key"] == "xuexi_participation")
    assert share["unit"] == "%" and 50 < share["value"] <= 100

    assert cli.main(["--db", sample_db_url, "figures", "--year", "2026", "--unit", "市不存在局"]) == 2
    assert "没有名为「市不存在局」的单位" in capsys.readouterr().err
    assert cli.main(["--db", sample_db_url, "figures", "--year", "2026", "--quarter", "2025Q3"]) == 2
    assert "不在2026年内" in capsys.readouterr().err
    assert cli.main(["--db", sample_db_url, "figures", "--year", "2026", "--quarter", "2026Q7"]) == 2
    assert "无法识别的季度" in capsys.readouterr().err


def test_cli_figures_csv_has_bom(sample_db_url, capsysbinary):
    import cli

    assert cli.main(["--db", sample_db_url, "figures", "--year", "2026", "--quarter", "2026Q3",
                     "--unit", "市财政局", "--format", "csv"]) == 0
    raw = capsysbinary.readouterr().out
    text = raw.decode("utf-8-sig")
    assert raw.startswith(b"\xef\xbb\xbf") and text.splitlines()[0].startswith("key,数据项,数值")
    assert "统计口径" in text


def test_cli_report_draft_writes_the_docx(sample_db_url, tmp_path, capsys):
    import cli

    copy = tmp_path / "copy.db"  # the draft command writes an audit entry
    source = sqlite3.connect(sample_db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    out = tmp_path / "总结.docx"
    assert cli.main(["--db", f"sqlite:///{copy}", "report-draft", "--year", "2026", "--out", str(out)]) == 0
    assert "工作总结草稿" in capsys.readouterr().out
    assert "主要做法及成效" in "\n".join(p.text for p in Document(out).paragraphs)
    assert cli.main(["--db", f"sqlite:///{copy}", "report-draft", "--year", "2026",
                     "--out", str(tmp_path / "x.pdf")]) == 2


def test_page_lists_every_enabled_figure_and_drills_down(app_env):
    from tests.apptest_helpers import open_page

    at = open_page("pages/work_report.py", role="admin")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["key"]) == [d.key for d in figure_settings().enabled]
    assert {"数据项", "数值", "去年同期", "变化", "统计口径", "记录数"} <= set(table.columns)
    assert {b.label for b in at.download_button} == {"下载数据及明细（Excel）", "下载工作总结草稿（Word）"}
    choice = next(o for o in at.selectbox(key="wr_figure").options if o.startswith("排查廉政风险点"))
    at.selectbox(key="wr_figure").set_value(choice).run()
    assert not at.exception
    records = at.dataframe[1].value
    assert len(records) == 44 and "防范措施" in records.columns


def test_excel_download_escapes_formulas(ds, settings):
    import openpyxl

    from services.figures import ReportPeriod, ReportScope, FigureReport
    from reports.figures_xlsx import figures_workbook

    evil = parse_figure({"key": "evil", "label": "=HYPERLINK(\"x\")", "dataset": "records",
                         "filters": {"categories": ["廉政风险点"]}})
    table = compute_figures(ds, [evil], START, END, AS_OF).assign(previous=None, previous_display="—", change=None)
    report = FigureReport(ReportPeriod(2026, None, AS_OF), ReportScope(), table, settings, None,
                          ds.branches)
    rows = {"evil": figure_records(ds, evil, START, END, AS_OF)}
    book = openpyxl.load_workbook(io.BytesIO(figures_workbook(report, rows)))
    sheet = book["工作报告数据"]
    assert sheet.cell(5, 3).value == "=HYPERLINK(\"x\")" and sheet.cell(5, 3).data_type == "s"
    assert sheet.cell(5, 4).value == 5
    assert book["明细"].max_row == 6
    # printable: the rule's wrapped text gets a row tall enough, the records fit the page's width
    assert sheet.row_dimensions[5].height >= 20
    detail = book["明细"]
    assert detail.page_setup.orientation == "landscape" and detail.page_setup.fitToWidth in (None, 1)
    assert detail.page_setup.fitToHeight == 0  # 1 wide (1 is the default, left out), as tall as needed
    assert detail.sheet_properties.pageSetUpPr.fitToPage and detail.print_title_rows == "$1:$1"


def test_every_column_a_figure_reads_is_in_the_dataset_contract():
    """A figure's drill-down names columns of its dataset: each must be one storage hands over."""
    from metrics.figures import _FIELDS_OF, _KEY_COLUMNS

    frames = {"activity": "activities", "study": "study", "records": "records", "xuexi": "xuexi",
              "members": "members"}
    for dataset, fields in _FIELDS_OF.items():
        assert set(fields) <= set(DATASET_COLUMNS[frames[dataset]]) | {"points", "daily_question"}, dataset
    for dataset, keys in _KEY_COLUMNS.items():
        assert set(keys) - {"person", "name"} <= set(DATASET_COLUMNS[frames[dataset]]) | {"person"}, dataset
