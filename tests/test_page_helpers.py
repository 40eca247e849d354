"""The pure helpers behind the pages: downloads, the targets form, the lagging table."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from metrics.config import load_config
from ui import targets_form as form
from reports.safety import csv_text
from reports.tables import csv_bytes, table_workbook
from ui.lagging_frames import filter_lagging, lagging_table, reason_counts

# --- downloads ---------------------------------------------------------------------------------

NASTY = pd.DataFrame({"姓名": ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "张伟"],
                      "积分": [1.0, -5.0, 3.0, None, 2700.0]})


@pytest.mark.parametrize("text,expected", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-3", "'-3"),
                                           ("@x", "'@x"), ("\t=1+1", "' =1+1"), ("\r@x", "'@x"),
                                           ("\tx", " x"), ("张伟", "张伟")])
def test_csv_text(text, expected):
    assert csv_text(text) == expected


def test_csv_has_a_bom_and_no_formula_cells():
    data = csv_bytes(NASTY)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert all(v.startswith("'") for v in back["姓名"][:4]) and back["姓名"][4] == "张伟"
    assert back["积分"][1] == -5  # numbers stay numbers


def test_excel_writes_text_as_text():
    book = openpyxl.load_workbook(io.BytesIO(table_workbook(NASTY, "预警", "标题")))
    sheet = book["预警"]
    assert sheet["A1"].value == "标题" and sheet["A3"].value == "姓名"
    cells = [sheet.cell(row=r, column=1) for r in range(4, 9)]
    assert [c.value for c in cells][0] == "=HYPERLINK(\"http://x\")"
    assert all(c.data_type == "s" for c in cells)  # a string, never a formula
    assert sheet.cell(row=5, column=2).value == -5 and sheet.cell(row=7, column=2).value is None
    # prints on A4 landscape, every column on one page's width, the header on each page
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth in (None, 1)
    assert sheet.page_setup.fitToHeight == 0 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"


# --- targets form ------------------------------------------------------------------------------


def test_indicator_frame_has_the_twelve_default_indicators():
    table = form.indicator_frame(form.defaults())
    assert len(table) == 12
    assert table.loc[table["key"] == "xuexi_avg", "离退休目标"].isna().all()


def _values(settings):
    return form.field_values(settings)


def test_validation_messages_name_the_row():
    settings = form.defaults()
    table = form.indicator_frame(settings)
    table.loc[table["key"] == "attendance", "在职目标"] = 90  # a percentage typed as 90
    table.loc[table["key"] == "committee", "权重"] = -1
    table.loc[table["key"] == "lecture", "离退休目标"] = -2
    errors = form.validate(table, settings, _values(settings))
    assert "第7行「参会率」：在职目标是比率，应在0到1之间（如90%填0.9）。" in errors
    assert "第2行「支部委员会」：权重不能为负数。" in errors
    assert "第4行「党课」：离退休目标不能为负数。" in errors


def test_validation_of_thresholds():
    settings = form.defaults()
    values = _values(settings)
    values[("status", "composite", "yellow")] = 95
    values[("lagging", "xuexi_low_fraction")] = 1.5
    errors = form.validate(form.indicator_frame(settings), settings, values)
    assert "「综合得分预警线」不能高于「综合得分达标线」。" in errors
    assert "「积分偏低比例」应在0到1之间。" in errors


def test_overrides_are_minimal_and_load_config_reproduces_the_edit():
    settings = form.defaults()
    table = form.indicator_frame(settings)
    table.loc[table["key"] == "committee", "在职目标"] = 4
    table.loc[table["key"] == "xuexi_participation", "在职目标"] = None  # not applicable
    values = _values(settings)
    values[("lagging", "absent_threshold")] = 3
    updated = form.apply_edits(settings, table, values)
    saved = form.overrides(form.defaults(), updated)
    assert saved == {"indicators": {"committee": {"target": {"在职": 4}},
                                    "xuexi_participation": {"target": {"在职": None}}},
                     "lagging": {"absent_threshold": 3}}
    config = load_config(overrides=saved)
    assert config.target_for("committee", "在职") == 4 and config.target_for("committee", "离退休") == 3
    assert config.target_for("xuexi_participation", "在职") is None
    assert config.lagging["absent_threshold"] == 3
    assert form.changes(settings, updated) == ["支部委员会·在职目标 3 → 4",
                                               "学习强国参与率·在职目标 0.95 → 不适用",
                                               "无故缺席预警次数 2 → 3"]


def test_saved_overrides_keep_keys_the_page_does_not_edit():
    saved = {"points": {"study_forms": ["集中学习"]}}
    settings = form.effective(saved)
    again = form.overrides(form.defaults(), form.apply_edits(
        settings, form.indicator_frame(settings), _values(settings)))
    assert again == saved


# --- lagging table -----------------------------------------------------------------------------


def _lagging():
    return pd.DataFrame({
        "member_id": [1, 2, 3], "branch_id": [10, 10, 20], "branch": ["甲支部", "甲支部", "乙支部"],
        "name": ["王磊", "王磊", "李娜"], "group": [None, "一组", None],
        "reasons": [["xuexi_zero", "absent"], ["no_self_study"], ["absent"]],
        "reason_labels": [["学习强国零积分", "无故缺席"], ["自学未完成"], ["无故缺席"]],
        "points": [0.0, 900.0, 0.0], "points_threshold": [836.4, 836.4, float("nan")],
        "absences": [2, 0, 3], "absent_activities": [["2026-10-09 主题党日", "2026-10-14 党课"], [],
                                                     ["a", "b", "c"]],
        "missing_months": [[], ["2026-10"], []], "n_reasons": [2, 1, 1],
    })


def test_lagging_table_tells_same_names_apart_and_blanks_retired_xuexi():
    table = lagging_table(_lagging())
    assert list(table["姓名"]) == ["王磊（同名1）", "王磊（同名2）", "李娜"]
    assert table["预警原因"][0] == "学习强国零积分、无故缺席"
    assert table["缺席的活动"][0] == "2026-10-09 主题党日；2026-10-14 党课"
    assert table["未自学月份"][1] == "10月"
    assert pd.isna(table["本季学习强国积分"][2]) and pd.isna(table["积分预警线"][2])


def test_filters_and_counts():
    frame = _lagging()
    assert list(filter_lagging(frame, ["absent"])["member_id"]) == [1, 3]
    assert list(filter_lagging(frame, None, [20])["member_id"]) == [3]
    assert list(filter_lagging(frame, [])["member_id"]) == [1, 2, 3]
    assert reason_counts(frame) == {"xuexi_zero": 1, "xuexi_low": 0, "absent": 2,
                                    "no_self_study": 1, "ambiguous": 0}


def test_markdown_escape_keeps_user_text_literal():
    from ui.components import md_escape

    assert md_escape("[点我](http://x)") == r"\[点我\]\(http\://x\)"
    assert md_escape("**名册**_2026.xlsx") == r"\*\*名册\*\*\_2026\.xlsx"


def test_chart_subset_keeps_best_and_worst_when_there_are_many_branches():
    import pandas as pd

    from ui.frames import chart_subset

    few = pd.DataFrame({"branch_id": [1, 2, 3], "rank": [2, 1, 3]})
    assert list(chart_subset(few)["branch_id"]) == [2, 1, 3]
    many = pd.DataFrame({"branch_id": range(100), "rank": range(1, 101)})
    shown = chart_subset(many, limit=10)
    assert list(shown["rank"]) == [1, 2, 3, 4, 5, 96, 97, 98, 99, 100]


def _indicator_rows(rows: list[tuple]) -> "pd.DataFrame":
    """Scorecard indicator rows: (branch_id, label, measure, actual, target, completion, status)."""
    frame = pd.DataFrame(rows, columns=["branch_id", "label", "measure", "actual", "target",
                                        "completion", "status"])
    return frame.assign(pace_completion=frame["completion"], applicable=True, scored=True)


def test_main_problems_name_the_three_weakest_indicators_worst_first():
    from ui.frames import main_problems

    indicators = _indicator_rows([
        (1, "支部委员会", "次", 2, 3, 2 / 3, "yellow"),
        (1, "党课", "次", 0, 1, 0.0, "red"),
        (1, "参会率", "率", 0.8, 0.9, 0.8 / 0.9, "yellow"),
        (1, "学习强国人均积分", "分", 1500.7, 3000, 0.5, "red"),
        (1, "主题党日", "次", 3, 3, 1.0, "green"),
        (2, "党课", "次", 1, 1, 1.0, "green"),
        (3, "支部党员大会", "次", 0, 1, 0.0, "red"),
    ])
    problems = main_problems(indicators)
    # worst completion first, at most three, the unit said once, long labels shortened
    assert problems[1] == "党课0/1、学习强国人均积分1,500分/3,000分、支委会2/3"
    assert problems[3] == "党员大会0/1"
    assert 2 not in problems.index  # all green: nothing to say


def test_ranking_table_is_one_row_per_branch_with_values_and_their_status():
    from ui.frames import ranking_table

    branches = pd.DataFrame({
        "branch_id": [7, 5], "rank": [1, pd.NA], "branch": ["第一支部", "第二支部"],
        "unit": ["甲局", "甲局"], "type": ["在职", "在职"], "score": [95.04, None],
        "pace_score": [95.04, None], "status": ["green", "red"]})
    indicators = _indicator_rows([
        (7, "党课", "次", 1, 1, 1.0, "green"),
        (5, "党课", "次", 0, 1, 0.0, "red"),
        (5, "参会率", "率", 0.5, 0.9, 0.5 / 0.9, "red"),
    ])
    table, status = ranking_table(branches, indicators, ongoing=False)
    assert list(table.columns) == ["branch_id", "排名", "支部", "单位", "类型", "得分", "状态",
                                   "主要问题", "党课", "参会率"]
    assert table.iloc[0][["排名", "得分", "党课", "参会率", "主要问题"]].tolist() == ["1", "95.0", "1次", "—", ""]
    assert table.iloc[1][["排名", "得分", "党课", "参会率", "主要问题"]].tolist() == [
        "—", "—", "0次", "50%", "党课0/1、参会率50%/90%"]
    assert status.set_index("branch_id").loc[5, "参会率"] == "red"


def test_the_heatmap_and_the_ranking_show_scored_indicators_only():
    """An annual indicator before Q4 (not scored) and one that does not apply to a branch stay
    out of the heatmap, the ranking's columns and the main problems; rows in rank order."""
    from ui.frames import completion_matrix, main_problems, ranking_table

    indicators = _indicator_rows([
        (7, "党课", "次", 1, 1, 1.0, "green"),
        (5, "党课", "次", 0, 1, 0.0, "red"),
        (5, "组织生活会", "次", 0, 1, 0.0, "red"),
        (7, "参会率", "率", None, 0.9, None, "red"),
    ])
    indicators = indicators.assign(
        branch=indicators["branch_id"].map({5: "第二支部", 7: "第一支部"}),
        scored=indicators["label"].ne("组织生活会"), applicable=indicators["label"].ne("参会率"))
    branches = pd.DataFrame({
        "branch_id": [7, 5], "rank": [1, 2], "branch": ["第一支部", "第二支部"], "unit": ["甲局", "甲局"],
        "type": ["在职", "在职"], "score": [100.0, 0.0], "pace_score": [100.0, 0.0], "status": ["green", "red"]})
    matrix = completion_matrix(branches, indicators)
    assert matrix.index.tolist() == ["第一支部", "第二支部"] and matrix.columns.tolist() == ["党课"]
    assert matrix["党课"].tolist() == [1.0, 0.0]
    table, _ = ranking_table(branches, indicators, ongoing=False)
    assert [c for c in table.columns if c in ("党课", "组织生活会", "参会率")] == ["党课"]
    assert main_problems(indicators).to_dict() == {5: "党课0/1"}


def test_the_timeline_of_a_branch_with_no_activity_in_the_quarter_is_empty_not_an_error():
    """The pages read typed frames (float 应到/实到): with no row in the window, the attendance
    text of zero rows must still be text (it raised on 支部详情 for such a branch)."""
    from metrics._frames import prepare
    from tests.metrics_fixtures import DatasetBuilder
    from ui.branch_frames import quarter_activities

    b = DatasetBuilder()
    b.branch(1)
    b.activity(1, date(2026, 6, 10), "党课", expected=5, present=4)
    b.activity(1, date(2026, 8, 10), "党课", expected=5, present=4)
    acts = prepare(b.build()).activities
    assert quarter_activities(acts, 1, date(2026, 9, 1), date(2026, 9, 30)).empty
    shown = quarter_activities(acts, 1, date(2026, 7, 1), date(2026, 9, 30))
    assert shown["attendance"].tolist() == ["实到4／应到5"]
