"""The cell parsers on their own: names, numbers, dates, name lists, periods."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_loaders import normalize_name
from data_loaders.text import label_keys
from data_loaders.values import (
    DateContext,
    MissingYear,
    parse_dates,
    parse_numbers,
    parse_period_cell,
    quarter_label,
    reason_kind,
    split_names,
    split_names_with_notes,
    title_date,
    title_period,
    title_year,
)
from domain.indicators import indicator_key as indicator
from domain.vocabulary import activity_type

D = pd.Timestamp


def text(values):
    return pd.Series(values, dtype="str")


@pytest.mark.parametrize(("raw", "expected"), [
    ("张　伟", "张伟"), (" 李 娜 ", "李娜"), ("王\u00a0芳\u200b", "王芳"), ("第１党支部", "第1党支部"),
    ("ＡＢＣ", "ABC"), ("", ""), (None, ""),
])
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


def test_header_label_keys_drop_notes_in_brackets_and_marks():
    assert label_keys("应到人数（人）") == ["应到人数(人)", "应到人数"]
    assert label_keys("*姓名") == ["姓名"]
    assert label_keys("userId") == ["userid"]


def test_parse_numbers_with_units_full_width_and_junk():
    values, bad = parse_numbers(text(["85分", "3次", "7人", "2.5小时", "１２", "1,234", " 6 ", "十", "", None, "90%"]))
    assert values.tolist()[:7] == [85.0, 3.0, 7.0, 2.5, 12.0, 1234.0, 6.0]
    assert bad.tolist() == [False] * 7 + [True, False, False, True]


def test_parse_numbers_percent_and_minutes():
    values, bad = parse_numbers(text(["90%", "0.95", "120分钟"]), percent=True, minutes_to_hours=True)
    assert values.tolist() == [0.9, 0.95, 2.0] and not bad.any()


def test_parse_dates_every_form():
    raw = text(["2026-07-03 00:00:00", "46206", "2026-07-03", "2026/7/3", "2026.7.3", "2026年7月3日",
                "20260703", "2026年07月03日 14:30", "2026-7-3（周五）", "7月3日", "7/3"])
    dates, bad, no_year = parse_dates(raw, DateContext(year=2026))
    assert dates.tolist() == [D("2026-07-03")] * len(raw)
    assert not bad.any() and not no_year.any()


def test_parse_dates_bad_and_missing_year():
    dates, bad, no_year = parse_dates(text(["2026-02-30", "下周", "7月3日", None, "2026-07"]), DateContext())
    assert dates.isna().all()
    assert bad.tolist() == [True, True, False, False, True]
    assert no_year.tolist() == [False, False, True, False, False]


def test_year_month_dates_only_where_month_precision_is_enough():
    raw = text(["2001.07", "2001年7月", "2001-7", "2001年7月1日"])
    dates, bad, _ = parse_dates(raw, DateContext(), month_precision=True)
    assert dates.tolist() == [D("2001-07-01")] * 4 and not bad.any()
    _, bad, _ = parse_dates(raw, DateContext())
    assert bad.tolist() == [True, True, True, False]


def test_month_day_dates_in_a_period_that_spans_new_year():
    period = (date(2025, 12, 1), date(2026, 2, 28))
    dates, _, _ = parse_dates(text(["12月20日", "1月5日"]), DateContext(period=period))
    assert dates.tolist() == [D("2025-12-20"), D("2026-01-05")]


def test_split_names_mixed_separators_and_padding():
    lists = split_names(text(["张伟、李娜，王芳;赵强", "刘洋,陈静；孙丽/周杰", "张　伟", "张伟 李娜", "无", None]))
    assert lists.tolist() == [
        ["张伟", "李娜", "王芳", "赵强"], ["刘洋", "陈静", "孙丽", "周杰"], ["张伟"], ["张伟", "李娜"], [], []]



def test_split_names_keeps_cell_order_around_names_split_at_spaces():
    """A token with spaces inside gives its names in place, between its neighbours; the index
    and empty cells between rows with names are kept."""
    raw = pd.Series(["李娜、张 伟 王芳、赵强", None, "0、刘洋", "欧阳 娜"], index=[7, 3, 9, 4], dtype="str")
    lists = split_names(raw)
    assert list(lists.index) == [7, 3, 9, 4]
    assert lists.tolist() == [["李娜", "张伟", "王芳", "赵强"], [], ["刘洋"], ["欧阳娜"]]


def test_split_names_of_no_cells_and_of_empty_cells():
    assert split_names(pd.Series([], dtype="str")).tolist() == []
    assert split_names(text([None, "", "无"])).tolist() == [[], [], []]

@pytest.mark.parametrize(("title", "period"), [
    ("统计时间：2026-07-01至2026-09-30", (date(2026, 7, 1), date(2026, 9, 30))),
    ("2026年7月1日-2026年9月30日", (date(2026, 7, 1), date(2026, 9, 30))),
    ("统计区间 2026.07.01 ~ 2026.07.31", (date(2026, 7, 1), date(2026, 7, 31))),
    ("2026年第三季度组织生活台账", (date(2026, 7, 1), date(2026, 9, 30))),
    ("2026Q4学习强国", (date(2026, 10, 1), date(2026, 12, 31))),
    ("2026年7月组织生活开展情况统计表", (date(2026, 7, 1), date(2026, 7, 31))),
    ("2026年上半年", (date(2026, 1, 1), date(2026, 6, 30))),
    ("2026年度学习强国积分", (date(2026, 1, 1), date(2026, 12, 31))),
    ("学员详细数据 20260701-20260930", (date(2026, 7, 1), date(2026, 9, 30))),
    ("统计区间：20260701至20260731", (date(2026, 7, 1), date(2026, 7, 31))),
    ("组织生活台账_2026下半年", (date(2026, 7, 1), date(2026, 12, 31))),
    ("编号 202607011234-20260930", None),  # not eight-digit dates
    ("导出时间：2026-10-08", None),
    ("党员名册", None),
])
def test_title_period(title, period):
    assert title_period(title) == period


@pytest.mark.parametrize(("title", "day"), [
    ("党员名册（截至2026年9月30日）", date(2026, 9, 30)),  # an explicit day wins
    ("截至2026-06-30", date(2026, 6, 30)),
    ("名册_20261001", date(2026, 10, 1)),
    ("2026年10月党员名册", date(2026, 10, 1)),  # a month: its first day
    ("名册_市卫健委_2026年10月", date(2026, 10, 1)),
    ("2026年第三季度党员名册", date(2026, 7, 1)),  # a quarter: its first day
    ("2026年下半年党员名册", date(2026, 7, 1)),
    ("统计时间：2026-07-01至2026-09-30", date(2026, 9, 30)),  # a range: its end
    ("2026年10月党员名册（制表日期：2026年10月8日）", date(2026, 10, 8)),
    ("党员名册", None),
])
def test_title_date(title, day):
    assert title_date(title, year_alone=False) == day


def test_title_date_of_a_year_alone_is_its_first_day_unless_asked_not_to():
    assert title_date("2026年度党员名册") == date(2026, 1, 1)
    assert title_date("2026年度党员名册", year_alone=False) is None


def test_names_with_reasons_and_markers():
    lists, notes = split_names_with_notes(text([
        "黄磊（无故）、李娜(病假)", "赵敏（预备）", "黄 磊（预备党员）、王芳【出差】", "刘洋 病假，陈静", "周敏:事假", None, "无"]))
    assert lists.tolist() == [["黄磊", "李娜"], ["赵敏"], ["黄磊", "王芳"], ["刘洋", "陈静"], ["周敏"], [], []]
    assert notes == [(0, "黄磊", "无故"), (0, "李娜", "病假"), (2, "王芳", "出差"), (3, "刘洋", "病假"), (4, "周敏", "事假")]


@pytest.mark.parametrize(("note", "kind"), [
    ("病假", "leave"), ("事假", "leave"), ("公假", "leave"), ("出差", "leave"), ("因公外出", "leave"), ("年休假", "leave"),
    ("请假", "leave"), ("无故", "absent"), ("未请假", "absent"), ("无故缺席", "absent"), ("预备", "marker"),
    ("预备党员", "marker"), ("迟到", "unknown"),
])
def test_reason_kind(note, kind):
    assert reason_kind(note) == kind


def test_title_year():
    assert title_year("导出时间：2026-10-08") == 2026
    assert title_year("2025年组织生活台账") == 2025
    assert title_year("组织生活台账") is None


@pytest.mark.parametrize(("value", "mode", "start", "end"), [
    ("2026-07", "month", date(2026, 7, 1), date(2026, 7, 31)),
    ("2026年7月", "month", date(2026, 7, 1), date(2026, 7, 31)),
    ("7月", "month", date(2026, 7, 1), date(2026, 7, 31)),
    ("2", "month", date(2026, 2, 1), date(2026, 2, 28)),
    ("2026Q3", "quarter", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026年第三季度", "quarter", date(2026, 7, 1), date(2026, 9, 30)),
    ("三季度", "quarter", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026年12月", "auto", date(2026, 12, 1), date(2026, 12, 31)),
])
def test_period_cells(value, mode, start, end):
    assert parse_period_cell(value, mode, 2026) == (start, end)


def test_period_cell_without_year_and_nonsense():
    with pytest.raises(MissingYear):
        parse_period_cell("7月", "month", None)
    assert parse_period_cell("第13月", "month", 2026) is None
    assert quarter_label("2026年第四季度", None) == "2026Q4"


def test_vocabulary():
    assert activity_type("支委会") == "支部委员会"
    assert activity_type("召开支部委员会会议") == "支部委员会"
    assert activity_type("读书会") is None
    assert indicator("支部党员大会") == "congress" and indicator("支委会") == "committee"
    assert indicator("学习强国参与率") == "xuexi_participation" and indicator("self_study") == "self_study"
    assert indicator("廉情分析会") == "type:廉情分析会" and indicator("type:警示教育") == "type:警示教育"
