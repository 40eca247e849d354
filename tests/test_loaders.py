"""load_file on small hand-built workbooks: one test per real-world quirk (DOMAIN.md §3).

Every fixture is written row by row from row 1, so the expected ``row`` values are the Excel row
numbers you can count in the fixture.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from data_loaders import load_file, normalize_name
from data_loaders.schema import CANONICAL_COLUMNS
from tests.loader_fixtures import csv_bytes, write_csv, write_xls, write_xlsx, xlsx_bytes

D = pd.Timestamp

LEDGER_HEADER = ["序号", "党支部", "日期", "活动类型", "应到人数", "实到人数", "缺席人员", "请假人员"]


def ledger(tmp_path, rows, *, title=("2026年第三季度组织生活台账",), name="ledger.xlsx", **kwargs):
    """An activity ledger: title rows, the one-row header, then ``rows``."""
    all_rows = [[t] for t in title] + [LEDGER_HEADER] + rows
    return load_file(write_xlsx(tmp_path / name, all_rows, **kwargs))


def errors_of(result):
    return [(p.row, p.column, p.value, p.code) for p in result.errors]


# ---------------------------------------------------------------- layout quirks


def test_header_found_below_title_rows_and_rows_are_excel_row_numbers(tmp_path):
    result = ledger(tmp_path, [
        [1, "第一党支部", "2026-07-03", "党课", 10, 9, None, None],
        [2, "第一党支部", "2026-07-10", "党课", 10, 8, None, None],
    ], title=("2026年第三季度组织生活台账", "统计时间：2026-07-01至2026-09-30"))
    assert result.ok, result.problems
    assert result.kind == "activity"
    assert list(result.frame.columns) == CANONICAL_COLUMNS["activity"]
    assert result.frame["row"].tolist() == [4, 5]  # 2 title rows + header in row 3
    assert result.frame["sheet"].tolist() == ["Sheet1", "Sheet1"]
    assert result.frame["present"].tolist() == [9.0, 8.0]


def test_two_row_header_with_merged_cells_gives_expected_and_present(tmp_path):
    rows = [
        ["2026年第三季度组织生活台账"],
        ["党支部", "日期", "活动类型", "参会情况", None, "缺席人员"],
        [None, None, None, "应到人数", "实到人数", None],
        ["第一党支部", "2026-07-03", "支部党员大会", 12, 11, "李娜"],
    ]
    path = write_xlsx(tmp_path / "merged.xlsx", rows,
                      merges=("A1:F1", "D2:E2", "A2:A3", "B2:B3", "C2:C3", "F2:F3"))
    result = load_file(path)
    assert result.ok, result.problems
    frame = result.frame
    assert frame["row"].tolist() == [4]
    assert frame["expected"].tolist() == [12.0]
    assert frame["present"].tolist() == [11.0]
    assert frame["date"].tolist() == [D("2026-07-03")]  # 日期 merged down over both header rows
    assert frame["absent"].tolist() == [["李娜"]]


def test_lower_header_cell_wins_over_a_group_label_that_is_itself_known(tmp_path):
    # 参会人数 alone would mean "present"; under it, 应到/实到 are the specific labels.
    rows = [["党支部", "日期", "活动类型", "参会人数", None],
            [None, None, None, "应到", "实到"],
            ["第一党支部", "2026-07-03", "党课", 12, 11]]
    result = load_file(write_xlsx(tmp_path / "merged.xlsx", rows, merges=("D1:E1", "A1:A2", "B1:B2", "C1:C2")))
    assert result.ok, result.problems
    assert (result.frame["expected"].tolist(), result.frame["present"].tolist()) == ([12.0], [11.0])
    assert result.frame["row"].tolist() == [3]


def test_group_label_joined_with_the_sub_header_names_the_column(tmp_path):
    # 缺席 / 请假 merged over 人数 | 人员: only the 人员 columns hold names.
    rows = [["党支部", "日期", "活动类型", "应到人数", "实到人数", "缺席", None, "请假", None],
            [None, None, None, None, None, "人数", "人员", "人数", "人员"],
            ["一支部", "2026-07-03", "党课", 10, 7, 2, "张伟、李娜", 1, "王芳"]]
    merges = ("F1:G1", "H1:I1", "A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2")
    result = load_file(write_xlsx(tmp_path / "merged.xlsx", rows, merges=merges))
    assert result.ok and not result.warnings, result.problems
    assert result.frame["absent"].tolist() == [["张伟", "李娜"]]
    assert result.frame["on_leave"].tolist() == [["王芳"]]


def test_merged_ranges_read_from_the_sheet_xml_in_grid_positions(tmp_path):
    # Data starts in column B of the second sheet: grid column 0 is Excel's B; rows stay 0-based.
    import xlsxwriter

    from data_loaders.reading import read_sheets

    path = tmp_path / "offset.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("封面").write(0, 0, "说明")
    sheet = book.add_worksheet("台账")
    sheet.merge_range("B1:E1", "2026年第三季度组织生活台账")
    sheet.merge_range("B2:B3", "党支部")
    sheet.merge_range("D2:E2", "参会情况")
    sheet.write_row("D3", ["应到人数", "实到人数"])
    sheet.write_row("B4", ["一支部", "2026-07-03", 9, 8])
    book.close()
    for source in (path, path.read_bytes()):
        cover, ledger = read_sheets(source, "offset.xlsx")
        assert cover.merged_ranges() == []
        assert sorted(ledger.merged_ranges()) == [(0, 0, 0, 3), (1, 0, 2, 0), (1, 2, 1, 3)]
        # python-calamine reads the merges its own way: the same cells
        import io

        import python_calamine

        book = python_calamine.CalamineWorkbook.from_object(io.BytesIO(path.read_bytes()))
        found = book.get_sheet_by_name("台账")
        offset = found.start[1]
        assert sorted((r1, c1 - offset, r2, c2 - offset) for (r1, c1), (r2, c2) in found.merged_cell_ranges) == sorted(
            ledger.merged_ranges())


def test_merged_ranges_when_formatted_empty_cells_widen_the_recorded_dimension(tmp_path):
    # A styled but empty A5 makes the sheet's <dimension> start at A while the data (and the grid)
    # start at B: the merges must still come out in grid positions.
    import openpyxl
    from openpyxl.styles import PatternFill

    from data_loaders.reading import read_sheets

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet["B1"], sheet["B2"], sheet["C2"], sheet["C3"], sheet["D3"] = "台账", "党支部", "参会情况", "应到", "实到"
    sheet.merge_cells("C2:D2")
    sheet.merge_cells("B2:B3")
    sheet["A5"].fill = PatternFill("solid", fgColor="FFFF00")
    path = tmp_path / "styled.xlsx"
    book.save(path)
    (ledger,) = read_sheets(path, "styled.xlsx")
    assert ledger.grid.shape[1] == 3  # B..D
    assert ledger.facts.declared == (0, 3)  # the dimension says A..D, three grid columns say otherwise:
    assert ledger.column_offset == 1  # the cells say the grid starts at B
    assert sorted(ledger.merged_ranges()) == [(1, 0, 2, 0), (1, 1, 1, 2)]


def test_two_row_merged_header_in_legacy_xls(tmp_path):
    rows = [
        [],
        ["2026年第三季度组织生活台账"],
        ["党支部", "日期", "活动类型", "参会情况", None],
        [None, None, None, "应到人数", "实到人数"],
        ["第二党支部", "7月3日", "党员大会", 10, 9],
    ]
    path = write_xls(tmp_path / "merged.xls", rows, merges=((2, 2, 3, 4), (2, 3, 1, 1), (2, 3, 0, 0)))
    result = load_file(path)
    assert result.ok, result.problems
    frame = result.frame
    assert frame["row"].tolist() == [5]
    assert frame["branch"].tolist() == ["第二党支部"]
    assert frame["date"].tolist() == [D("2026-07-03")]
    assert frame["type"].tolist() == ["支部党员大会"]
    assert (frame["expected"].tolist(), frame["present"].tolist()) == ([10.0], [9.0])


def test_total_and_subtotal_rows_are_dropped(tmp_path):
    result = ledger(tmp_path, [
        [1, "第一党支部", "2026-07-03", "党课", 10, 9, None, None],
        ["小计", None, None, None, 10, 9, None, None],
        [2, "第二党支部", "2026-07-04", "党课", 8, 8, None, None],
        ["合　计", None, None, None, 18, 17, None, None],
        [None, "总计", None, None, 18, 17, None, None],
        [None, "第一党支部", "第三季度小计", None, 10, 9, None, None],
        [None, "全年合计：", None, None, 18, 17, None, None],
    ])
    assert result.ok, result.problems
    assert result.frame["row"].tolist() == [3, 5]
    assert result.frame["branch"].tolist() == ["第一党支部", "第二党支部"]


def test_notes_rows_under_the_table_are_dropped(tmp_path):
    result = ledger(tmp_path, [
        [1, "第一党支部", "2026-07-03", "党课", 10, 9, None, None],
        ["填表人：张三", None, None, "审核人：李四"],
        ["审核人：李四"],
        ["备注：本表每季度报送一次"],
    ])
    assert result.ok, result.problems
    assert result.frame["row"].tolist() == [3]


def test_blank_rows_and_numbered_empty_template_rows_are_dropped(tmp_path):
    result = ledger(tmp_path, [
        [1, "第一党支部", "2026-07-03", "党课", 10, 9, None, None],
        [],
        [None, "　", " ", None],
        [2, "第一党支部", "2026-07-04", "党课", 10, 10, None, None],
        [3],  # a pre-numbered template row nobody filled in
    ])
    assert result.ok, result.problems
    assert result.frame["row"].tolist() == [3, 6]


def test_ledger_with_a_header_and_no_rows_loads_empty(tmp_path):
    """A template nobody filled in yet (header only) is a ledger with no activities, not a crash."""
    result = ledger(tmp_path, [])
    assert result.kind == "activity" and result.ok
    assert len(result.frame) == 0

def test_repeated_header_of_a_stacked_table_is_dropped(tmp_path):
    result = ledger(tmp_path, [
        [1, "第一党支部", "2026-07-03", "党课", 10, 9, None, None],
        ["8月"],
        LEDGER_HEADER,
        [1, "第一党支部", "2026-08-03", "党课", 10, 10, None, None],
    ])
    assert result.ok, result.problems
    assert result.frame["row"].tolist() == [3, 6]


def test_units_row_under_the_header_is_dropped(tmp_path):
    result = ledger(tmp_path, [
        [None, None, "（年月日）", None, "（人）", "（人）"],
        [1, "第一党支部", "2026-07-03", "党课", 10, 9, None, None],
    ])
    assert result.ok, result.problems
    assert result.frame["row"].tolist() == [4]


# ---------------------------------------------------------------- cell quirks


def test_full_width_digits_and_letters_are_folded(tmp_path):
    rows = [["姓名", "所在支部", "党员编号"], ["张伟", "第１党支部", "ＤＹ０１２"]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert result.frame[["branch", "member_code"]].values.tolist() == [["第1党支部", "DY012"]]
    counts = ledger(tmp_path, [[1, "第一党支部", "2026-07-03", "党课", "１２", "１０", None, None]])
    assert (counts.frame["expected"].tolist(), counts.frame["present"].tolist()) == ([12.0], [10.0])


def test_names_padded_with_ideographic_and_stray_spaces_are_normalised(tmp_path):
    rows = [["姓名", "所在支部"], ["张　伟", " 第一党支部 "], [" 李 娜\u3000", "第一\u3000党支部"]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert result.frame["name"].tolist() == ["张伟", "李娜"]
    assert result.frame["branch"].tolist() == ["第一党支部", "第一党支部"]
    assert normalize_name("张　伟") == "张伟"


def test_numbers_stored_as_text_or_with_units(tmp_path):
    result = ledger(tmp_path, [
        [1, "第一党支部", "2026-07-03", "党课", "7人", "6 人", None, None],
        [2, "第一党支部", "2026-07-04", "党课", "12", 11.0, None, None],
    ])
    assert result.frame["expected"].tolist() == [7.0, 12.0]
    assert result.frame["present"].tolist() == [6.0, 11.0]
    study = load_file(write_xlsx(tmp_path / "study.xlsx", [
        ["姓名", "所在支部", "日期", "学习形式", "学时", "成绩"],
        ["张伟", "第一党支部", "2026-07-05", "知识测试", "2.5小时", "85分"],
        ["李娜", "第一党支部", "2026-07-05", "自学", "30分钟", None],
    ]))
    assert study.ok, study.problems
    assert study.frame["hours"].tolist() == [2.5, 0.5]
    assert study.frame["score"].tolist()[0] == 85.0
    counts = load_file(write_xlsx(tmp_path / "counts.xlsx", [
        ["2026年第三季度统计表"], ["党支部", "支委会"], ["第一党支部", "3次"]]))
    assert counts.frame["count"].tolist() == [3.0]


def test_every_date_form_is_read(tmp_path):
    # distinct 应到人数: eight equal records would be one record typed eight times (DOMAIN.md §3.7)
    result = ledger(tmp_path, [
        [1, "第一党支部", datetime(2026, 7, 3), "党课", 11, None, None, None],
        [2, "第一党支部", 46206, "党课", 12, None, None, None],  # Excel serial of 2026-07-03
        [3, "第一党支部", "2026-07-03", "党课", 13, None, None, None],
        [4, "第一党支部", "2026/7/3", "党课", 14, None, None, None],
        [5, "第一党支部", "2026.7.3", "党课", 15, None, None, None],
        [6, "第一党支部", "2026年7月3日", "党课", 16, None, None, None],
        [7, "第一党支部", "7月3日", "党课", 17, None, None, None],
        [8, "第一党支部", "２０２６年７月３日", "党课", 18, None, None, None],
    ])
    assert result.ok, result.problems
    assert result.frame["date"].tolist() == [D("2026-07-03")] * 8
    assert str(result.frame["date"].dtype) == "datetime64[ns]"


def test_month_day_date_takes_the_year_from_the_title(tmp_path):
    result = ledger(tmp_path, [[1, "第一党支部", "7月3日", "党课", None, None, None, None]],
                    title=("2025年第三季度组织生活台账",))
    assert result.frame["date"].tolist() == [D("2025-07-03")]


def test_month_day_date_takes_the_year_from_the_file_name_when_the_title_has_none(tmp_path):
    result = ledger(tmp_path, [[1, "第一党支部", "7月3日", "党课", None, None, None, None]],
                    title=("组织生活台账",), name="2026年第三季度台账.xlsx")
    assert result.ok and result.frame["date"].tolist() == [D("2026-07-03")]


def test_month_day_date_without_any_year_is_an_error_for_that_cell(tmp_path):
    result = ledger(tmp_path, [
        [1, "第一党支部", "2026-07-01", "党课", None, None, None, None],
        [2, "第一党支部", "7月3日", "党课", None, None, None, None],
    ], title=("组织生活台账",))
    assert errors_of(result) == [(4, "日期", "7月3日", "date_without_year")]
    assert "年份" in result.errors[0].message


def test_list_cells_with_mixed_separators(tmp_path):
    result = ledger(tmp_path, [
        [1, "第一党支部", "2026-07-03", "党课", 10, 4, "张伟、李娜，王芳;赵强", "刘洋；陈静/孙丽"],
        [2, "第一党支部", "2026-07-04", "党课", 10, 7, "张　伟 李娜", "无"],
        [3, "第一党支部", "2026-07-05", "党课", 10, 9, "周　杰", None],
    ])
    assert result.frame["absent"].tolist() == [["张伟", "李娜", "王芳", "赵强"], ["张伟", "李娜"], ["周杰"]]
    assert result.frame["on_leave"].tolist() == [["刘洋", "陈静", "孙丽"], [], []]


def test_activity_type_synonyms_become_canonical_types(tmp_path):
    result = ledger(tmp_path, [
        [1, "一支部", "2026-07-03", "支委会", None, None, None, None],
        [2, "一支部", "2026-07-04", "党员大会", None, None, None, None],
        [3, "一支部", "2026-07-05", "主题党日活动", None, None, None, None],
        [4, "一支部", "2026-07-06", "专题党课", None, None, None, None],
        [5, "一支部", "2026-07-07", "集中理论学习", None, None, None, None],
    ])
    assert result.ok, result.problems
    assert result.frame["type"].tolist() == ["支部委员会", "支部党员大会", "主题党日", "党课", "集中学习"]
    assert result.frame["type_raw"].tolist() == ["支委会", "党员大会", "主题党日活动", "专题党课", "集中理论学习"]


def test_unknown_activity_type_is_kept_as_other_with_a_warning(tmp_path):
    result = ledger(tmp_path, [[1, "一支部", "2026-07-03", "读书分享会", None, None, None, None]])
    assert result.ok  # a warning does not reject the file
    assert result.frame[["type", "type_raw"]].values.tolist() == [["其他", "读书分享会"]]
    assert [(w.row, w.column, w.value, w.code) for w in result.warnings] == [
        (3, "活动类型", "读书分享会", "unknown_type")]


def test_activity_optional_fields_and_days_default_to_na(tmp_path):
    rows = [["党支部", "召开时间", "会议类型", "会议主题", "主讲人", "党小组", "天数"],
            ["一支部", "2026-07-03", "党课", "学习党章", "王　书记", None, None],
            ["一支部", "2026-07-04", "志愿服务", "社区服务", None, None, "2天"],
            ["一支部", "2026-07-05", "党小组会", "学习", None, "第一党小组", None]]
    result = load_file(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert result.ok, result.problems
    frame = result.frame
    assert frame["topic"].tolist() == ["学习党章", "社区服务", "学习"]
    assert frame["speaker"].tolist()[0] == "王书记"
    assert frame["group"].tolist()[2] == "第一党小组"
    assert frame["days"].isna().tolist() == [True, False, True]
    assert frame["days"].tolist()[1] == 2.0
    assert frame["expected"].isna().all() and frame["absent"].tolist() == [[], [], []]


# ---------------------------------------------------------------- roster


def test_roster_branch_type_defaults_to_in_service_and_retired_branches(tmp_path):
    rows = [["姓名", "所在支部", "支部类型"],
            ["张伟", "第一党支部", None],
            ["李娜", "离退休干部党支部", None],
            ["王芳", "退休第二党支部", None],
            ["赵强", "老干部党支部", "离退休"],
            ["刘洋", "第二党支部", "在职"]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert result.ok, result.problems
    assert result.frame["branch_type"].tolist() == ["在职", "离退休", "离退休", "离退休", "在职"]


def test_roster_status_unit_and_optional_columns(tmp_path):
    rows = [["党员名册"],
            ["姓名", "所在党支部", "单位党组织", "党小组", "党员类型", "党员编号", "入党日期", "党内职务", "人员状态",
             "联系电话", "身份证号"],
            ["张伟", "第一党支部", "市财政局机关党委", "第一党小组", "正式党员", "DY001", "2001年7月1日", "支部书记", "正常",
             13800138000, "11010119900101123x"],
            ["李娜", "第一党支部", None, None, "预备", None, datetime(2020, 5, 4), "组织委员", "转出", None, None],
            ["王芳", "第一党支部", None, None, None, None, "1985.07", None, "去世", None, None],
            ["赵强", "第一党支部", None, None, None, None, None, None, None, None, None]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert result.ok, result.problems
    frame = result.frame
    assert frame["status"].tolist() == ["active", "transferred", "deceased", "active"]
    assert frame["unit"].tolist()[0] == "市财政局机关党委" and pd.isna(frame["unit"].tolist()[1])
    assert frame["category"].tolist()[:2] == ["正式党员", "预备党员"]
    assert frame["role"].tolist()[:2] == ["书记", "委员"]
    assert frame["join_date"].tolist()[:3] == [D("2001-07-01"), D("2020-05-04"), D("1985-07-01")]
    assert frame["member_code"].tolist()[0] == "DY001"
    assert frame["phone"].tolist()[0] == "13800138000"
    assert frame["id_number"].tolist()[0] == "11010119900101123X"


def test_roster_unknown_status_is_an_error(tmp_path):
    rows = [["姓名", "所在支部", "状态"], ["张伟", "一支部", "请假"]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert errors_of(result) == [(2, "状态", "请假", "bad_value")]


def test_roster_same_name_in_one_branch_without_code_is_an_ambiguity_warning(tmp_path):
    rows = [["姓名", "所在支部", "党员编号"],
            ["张伟", "第一党支部", None],
            ["李娜", "第一党支部", None],
            ["张　伟", "第一党支部", None],
            ["李娜", "第二党支部", None],  # same name, other branch: not ambiguous
            ["王芳", "第一党支部", "A1"],
            ["王芳", "第一党支部", "A2"]]  # told apart by their codes
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert result.ok
    assert len(result.frame) == 6  # both 张伟 rows are kept
    assert [(w.code, w.row, w.value) for w in result.warnings] == [("ambiguous_name", 2, "张伟")]
    assert "第2行" in result.warnings[0].message and "第4行" in result.warnings[0].message


def test_roster_branch_taken_from_sheet_names(tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", [["姓名", "党小组"], ["张伟", "一组"]], sheet="第一党支部",
                      more_sheets={"第二党支部": [["姓名"], ["李娜"]], "填表说明": [["说明：每支部一个工作表"]]})
    result = load_file(path)
    assert result.ok, result.problems
    assert result.frame[["sheet", "row", "name", "branch"]].values.tolist() == [
        ["第一党支部", 2, "张伟", "第一党支部"], ["第二党支部", 2, "李娜", "第二党支部"]]


# ---------------------------------------------------------------- 学习强国

XUEXI_HEADER = ["序号", "姓名", "是否激活", "部门", "计入年度积分", "区间积分", "总积分"]


def test_xuexi_columns_and_period_from_title(tmp_path):
    rows = [["统计时间：2026-07-01至2026-09-30"],
            ["序号", "姓名", "是否激活", "部门", "计入年度积分", "区间积分", "总积分", "每日一题", "活跃天数", "userId"],
            [1, "张　伟", "激活", "市财政局机关党委,市财政局第一党支部", 2700, "2,800", 15000, "60", "88天", "U001"],
            [2, "李娜", "未激活", "市财政局机关党委,市财政局第一党支部", None, 0, 0, None, None, None]]
    result = load_file(write_xlsx(tmp_path / "xuexi.xlsx", rows))
    assert result.ok, result.problems
    assert result.kind == "xuexi"
    assert result.period == (date(2026, 7, 1), date(2026, 9, 30))
    frame = result.frame
    assert frame["name"].tolist() == ["张伟", "李娜"]
    assert frame["activated"].tolist() == [True, False]
    assert frame["points"].tolist() == [2700.0, 0.0]
    assert frame["interval_points"].tolist() == [2800.0, 0.0]
    assert frame["total_points"].tolist() == [15000.0, 0.0]
    assert frame["daily_question"].tolist()[0] == 60.0
    assert frame["active_days"].tolist()[0] == 88.0
    assert frame["member_code"].tolist()[0] == "U001"
    assert frame["department"].tolist()[0] == "市财政局机关党委,市财政局第一党支部"
    assert frame["branch"].tolist() == ["市财政局第一党支部"] * 2


def test_xuexi_unactivated_member_has_zero_points_whatever_the_cell_says(tmp_path):
    rows = [["2026年7月1日-2026年9月30日"], XUEXI_HEADER,
            [1, "李娜", "未激活", "第一党支部", 350, 350, 900]]
    result = load_file(write_xlsx(tmp_path / "xuexi.xlsx", rows))
    assert result.period == (date(2026, 7, 1), date(2026, 9, 30))
    assert result.frame[["activated", "points"]].values.tolist() == [[False, 0.0]]


def test_xuexi_period_from_a_quarter_title(tmp_path):
    rows = [["2026年第三季度学习强国积分统计"], XUEXI_HEADER, [1, "张伟", "激活", "第一党支部", 10, 10, 10]]
    assert load_file(write_xlsx(tmp_path / "xuexi.xlsx", rows)).period == (date(2026, 7, 1), date(2026, 9, 30))


def test_xuexi_period_given_at_import_supplies_and_overrides_the_title(tmp_path):
    untitled = [XUEXI_HEADER, [1, "张伟", "激活", "第一党支部", 10, 10, 10]]
    july = (date(2026, 7, 1), date(2026, 7, 31))
    result = load_file(write_xlsx(tmp_path / "a.xlsx", untitled), period=july)
    assert result.ok and result.period == july
    titled = [["统计时间：2026-07-01至2026-09-30"]] + untitled
    result = load_file(write_xlsx(tmp_path / "b.xlsx", titled), period=july)
    assert result.ok and result.period == july
    assert [w.code for w in result.warnings] == ["period_mismatch"]


def test_xuexi_branch_from_department_path_with_known_branches(tmp_path):
    rows = [["统计时间：2026-07-01至2026-09-30"], XUEXI_HEADER,
            [1, "张伟", "激活", "市财政局机关党委,市财政局第一党支部", 10, 10, 10],
            [2, "李娜", "激活", "市财政局机关党委/一支部", 10, 10, 10],
            [3, "王芳", "激活", "其他", 10, 10, 10],
            [4, "赵强", "激活", "市财政局机关党委,财务科", 10, 10, 10]]
    known = {"市财政局第一党支部": "市财政局第一党支部", "一支部": "市财政局第一党支部"}
    result = load_file(write_xlsx(tmp_path / "xuexi.xlsx", rows), known_branches=known)
    assert result.ok
    branch = result.frame["branch"].tolist()
    assert branch[:2] == ["市财政局第一党支部", "市财政局第一党支部"]
    assert pd.isna(branch[2]) and pd.isna(branch[3])
    assert [(w.code, w.row, w.value) for w in result.warnings] == [
        ("unknown_branch", 5, "其他"), ("unknown_branch", 6, "市财政局机关党委,财务科")]


def test_xuexi_branch_without_known_branches_is_the_last_branch_segment(tmp_path):
    rows = [["统计时间：2026-07-01至2026-09-30"], XUEXI_HEADER,
            [1, "张伟", "激活", "市财政局机关党委,市财政局第一党支部,综合组", 10, 10, 10],
            [2, "李娜", "激活", "市财政局机关党委", 10, 10, 10]]
    result = load_file(write_xlsx(tmp_path / "xuexi.xlsx", rows))
    assert result.frame["branch"].tolist() == ["市财政局第一党支部", "市财政局机关党委"]


# ---------------------------------------------------------------- 组织生活开展情况统计表


def test_activity_counts_long_form_with_month_column_and_merged_group_header(tmp_path):
    rows = [["2026年组织生活开展情况统计表"],
            ["党支部", "月份", "三会一课", None, None, None, "主题党日", "应到人次", "实到人次"],
            [None, None, "支部党员大会", "支委会", "党小组会", "党课", None, None, None],
            ["第一党支部", "7月", 1, 1, None, 0, 1, 30, 28],
            ["第一党支部", "2026年8月", None, 2, "3次", None, 1, None, None],
            ["合计", None, 1, 3, 3, 0, 2, 30, 28]]
    merges = ("C2:F2", "A2:A3", "B2:B3", "G2:G3", "H2:H3", "I2:I3")
    result = load_file(write_xlsx(tmp_path / "counts.xlsx", rows, merges=merges))
    assert result.ok, result.problems
    assert result.kind == "activity_counts"
    frame = result.frame
    assert list(frame.columns) == CANONICAL_COLUMNS["activity_counts"]
    assert frame["row"].tolist() == [4, 4, 4, 4, 5, 5, 5]
    assert frame["type"].tolist() == ["支部党员大会", "支部委员会", "党课", "主题党日", "支部委员会", "党小组会", "主题党日"]
    assert frame["count"].tolist() == [1, 1, 0, 1, 2, 3, 1]
    assert frame["period_start"].tolist() == [D("2026-07-01")] * 4 + [D("2026-08-01")] * 3
    assert frame["period_end"].tolist() == [D("2026-07-31")] * 4 + [D("2026-08-31")] * 3
    # expected/present ride on the first type row of each source row only
    assert frame["expected"].notna().tolist() == [True, False, False, False, False, False, False]
    assert frame["expected"].sum() == 30 and frame["present"].sum() == 28


def test_activity_counts_quarter_column(tmp_path):
    rows = [["2026年度统计"],
            ["支部名称", "季度", "支部党员大会", "党课"],
            ["第一党支部", "2026Q3", 1, 1],
            ["第一党支部", "2026年第四季度", 2, None],
            ["第二党支部", "三季度", None, 1]]
    result = load_file(write_xlsx(tmp_path / "counts.xlsx", rows))
    assert result.ok, result.problems
    frame = result.frame
    assert frame[["row", "type", "count"]].values.tolist() == [
        [3, "支部党员大会", 1], [3, "党课", 1], [4, "支部党员大会", 2], [5, "党课", 1]]
    assert frame["period_start"].tolist() == [D("2026-07-01"), D("2026-07-01"), D("2026-10-01"), D("2026-07-01")]
    assert frame["period_end"].tolist()[2] == D("2026-12-31")


def test_activity_counts_one_period_for_the_sheet_from_its_title(tmp_path):
    rows = [["2026年第三季度组织生活开展情况统计表"],
            ["党支部", "支部党员大会", "支部委员会", "党课", "主题党日"],
            ["第一党支部", 1, 3, 1, 3]]
    frame = load_file(write_xlsx(tmp_path / "counts.xlsx", rows)).frame
    assert frame["count"].tolist() == [1, 3, 1, 3]
    assert set(frame["period_start"]) == {D("2026-07-01")} and set(frame["period_end"]) == {D("2026-09-30")}


def test_activity_counts_without_any_period_is_an_error(tmp_path):
    rows = [["党支部", "支部党员大会"], ["第一党支部", 1]]
    result = load_file(write_xlsx(tmp_path / "counts.xlsx", rows))
    assert result.kind == "activity_counts"
    assert [(e.row, e.code) for e in result.errors] == [(None, "missing_column")]
    assert "月份" in result.errors[0].message and "季度" in result.errors[0].message


# ---------------------------------------------------------------- study, records, targets


def test_study_records_forms(tmp_path):
    rows = [["姓名", "所在支部", "学习日期", "学习形式", "学习内容"],
            ["张伟", "第一党支部", "2026-07-05", "自学", "党章"],
            ["李娜", "第一党支部", "2026-07-06", "个人自学", "党章"],
            ["王芳", "第一党支部", "2026-07-07", "集中理论学习", "讲话精神"]]
    result = load_file(write_xlsx(tmp_path / "study.xlsx", rows))
    assert result.ok, result.problems
    assert result.kind == "study"
    assert result.frame["form"].tolist() == ["自学", "自学", "集中学习"]
    assert result.frame["content"].tolist()[0] == "党章"


def test_records_quantity_defaults_to_one(tmp_path):
    rows = [["类别", "名称", "日期", "所在支部", "姓名", "级别", "数量", "防范措施"],
            ["表彰", "优秀共产党员", "2026-07-01", "第一党支部", "张伟", "市级", None, None],
            ["发表文章", "论机关党建", "2026-07-02", None, "李娜", "省级", "2篇", None],
            ["廉政风险点", "政府采购", "2026-07-03", "第一党支部", None, None, None, "双人审核"]]
    result = load_file(write_xlsx(tmp_path / "records.xlsx", rows))
    assert result.ok, result.problems
    assert result.kind == "records"
    frame = result.frame
    assert frame["quantity"].tolist() == [1.0, 2.0, 1.0]
    assert frame["category"].tolist() == ["表彰", "发表文章", "廉政风险点"]
    assert pd.isna(frame["branch"].tolist()[1])
    assert frame["measure"].tolist()[2] == "双人审核"
    assert frame["level"].tolist()[:2] == ["市级", "省级"]


def test_targets_indicator_keys_labels_types_and_percentages(tmp_path):
    rows = [["2026年目标设置"],
            ["指标", "支部类型", "期间", "目标值", "权重", "季度"],
            ["支委会", "在职", "季度", 3, 1, None],
            ["参会率", "离退休", None, "80%", 1, None],
            ["attendance", "在职", None, "90%", None, "2026Q3"],
            ["学习强国人均积分", "在职", "季度", 2700, 2, None],
            ["警示教育", "全部", None, 1, 0.5, "三季度"],
            ["组织生活会", None, None, 1, None, None]]
    result = load_file(write_xlsx(tmp_path / "targets.xlsx", rows))
    assert result.ok, result.problems
    assert result.kind == "targets"
    frame = result.frame
    assert frame["indicator"].tolist() == [
        "committee", "attendance", "attendance", "xuexi_avg", "type:警示教育", "org_life"]
    assert frame["target"].tolist() == [3.0, 0.8, 0.9, 2700.0, 1.0, 1.0]
    assert frame["branch_type"].tolist() == ["在职", "离退休", "在职", "在职", "全部", "全部"]
    assert frame["period_kind"].tolist() == ["季度", "季度", "季度", "季度", "季度", "年度"]
    assert frame["quarter"].tolist()[2] == "2026Q3" and frame["quarter"].tolist()[4] == "2026Q3"
    assert frame["weight"].tolist()[:2] == [1.0, 1.0] and pd.isna(frame["weight"].tolist()[2])


# ---------------------------------------------------------------- formats and sources


def test_gbk_csv_as_saved_by_chinese_excel(tmp_path):
    rows = [["统计时间：2026-07-01至2026-09-30"], XUEXI_HEADER, [1, "张　伟", "激活", "第一党支部", 85, 85, 900]]
    path = write_csv(tmp_path / "xuexi.csv", rows, encoding="gbk")
    result = load_file(path)
    assert result.ok, result.problems
    assert result.frame[["sheet", "row", "name", "points"]].values.tolist() == [["", 3, "张伟", 85.0]]


def test_utf8_bom_csv_from_bytes(tmp_path):
    data = csv_bytes([["姓名", "所在支部"], ["张伟", "第一党支部"]], encoding="utf-8-sig")
    result = load_file(data, file_name="名册.csv")
    assert result.ok and result.kind == "roster" and result.file_name == "名册.csv"
    assert result.frame["name"].tolist() == ["张伟"]


def test_xlsx_from_bytes_and_forced_kind(tmp_path):
    data = xlsx_bytes([["姓名", "所在支部", "日期", "学习形式"], ["张伟", "一支部", "2026-07-01", "自学"]])
    assert load_file(data, file_name="x.xlsx").kind == "study"
    forced = load_file(data, file_name="x.xlsx", kind="roster")
    assert forced.kind == "roster" and forced.ok
    assert forced.frame[["name", "branch"]].values.tolist() == [["张伟", "一支部"]]


def test_several_sheets_of_one_kind_are_concatenated_and_others_skipped(tmp_path):
    first = [["2026年第三季度组织生活台账"], ["党支部", "日期", "活动类型"], ["一支部", "7月3日", "党课"]]
    second = [["党支部", "日期", "活动类型"], ["二支部", "2026-08-01", "主题党日"], ["二支部", "2026-08-02", "支委会"]]
    roster = [["姓名", "所在支部"], ["张伟", "一支部"]]
    path = write_xlsx(tmp_path / "book.xlsx", first, sheet="一支部台账",
                      more_sheets={"二支部台账": second, "空表": [], "说明": [["填表说明：日期写成2026-07-03"]],
                                   "名册": roster})
    result = load_file(path)
    assert result.ok, result.problems
    assert result.frame[["sheet", "row", "branch"]].values.tolist() == [
        ["一支部台账", 3, "一支部"], ["二支部台账", 2, "二支部"], ["二支部台账", 3, "二支部"]]
    assert [(w.sheet, w.code) for w in result.warnings] == [("名册", "sheet_skipped")]


@pytest.mark.parametrize("kind", list(CANONICAL_COLUMNS))
def test_every_kind_frame_has_exactly_the_canonical_columns_even_when_rejected(tmp_path, kind):
    result = load_file(csv_bytes([["无关"], ["x"]]), file_name="x.csv", kind=kind)
    assert result.kind == kind
    assert list(result.frame.columns) == CANONICAL_COLUMNS[kind]
    assert result.frame.empty and result.errors


def test_detect_kind_agrees_with_load_file_on_every_sample_file():
    from data_loaders import detect_kind, load_file
    from services.importing import sample_files

    files = sample_files()
    kinds = {p.name: detect_kind(p) for p in files}
    assert kinds == {p.name: load_file(p).kind for p in files}
    assert {"roster", "xuexi", "activity", "activity_counts", "study", "records", "targets"} \
        <= set(kinds.values())
    assert detect_kind(b"not a spreadsheet", file_name="x.xlsx") is None


def test_detect_kind_reads_only_the_rows_a_header_may_start_in(tmp_path):
    """The order hint reads each sheet's first SNIFF_ROWS rows: a header starting on the last of
    them is still found, and a sheet's rows below them are not converted."""
    from data_loaders import detect_kind
    from data_loaders.headers import SNIFF_ROWS
    from data_loaders.reading import read_sheets

    blank = [[None] * 4 for _ in range(SNIFF_ROWS - 1)]
    header = ["姓名", "所在支部", "学习日期", "学习形式"]
    rows = blank + [header] + [[f"党员{i}", "一支部", "2026-07-03", "自学"] for i in range(200)]
    path = write_xlsx(tmp_path / "late_header.xlsx", rows)
    assert detect_kind(path) == "study" == load_file(path).kind
    (sheet,) = read_sheets(path, path.name, rows=SNIFF_ROWS)
    assert len(sheet.grid) == SNIFF_ROWS and sheet.grid.iloc[-1].tolist() == header


# ---------------------------------------------------------------- DOMAIN.md §3.3 and §3.7


def test_absence_reasons_decide_absent_or_on_leave_and_an_unclear_one_is_said(tmp_path):
    rows = [["党支部", "日期", "活动类型", "缺席人员及原因", "请假人员"],
            ["一支部", "2026-07-03", "党课", "黄磊（无故）、李娜(病假)、周敏（迟到）", "孙强（未请假）、王芳"],
            ["一支部", "2026-07-10", "党课", "刘洋 事假，陈静", None]]
    result = load_file(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert result.frame["absent"].tolist() == [["黄磊", "周敏", "孙强"], ["陈静"]]
    assert result.frame["on_leave"].tolist() == [["王芳", "李娜"], ["刘洋"]]
    assert [(w.code, w.row, w.column, w.value) for w in result.warnings] == [
        ("absence_reason_unknown", 2, "缺席人员及原因", "周敏（迟到）")]
    assert "已按无故缺席统计" in result.warnings[0].message and "周敏（请假）" in result.warnings[0].message


def test_activity_name_is_the_topic_when_a_type_column_says_the_type(tmp_path):
    rows = [["党支部", "活动名称", "会议时间（计划）", "会议时间", "会议类型"],
            ["一支部", "学习贯彻会议精神", "2026-07-01", "2026-07-03", "支委会"]]
    result = load_file(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert result.ok and not result.warnings, result.problems
    assert result.frame[["type", "topic"]].values.tolist() == [["支部委员会", "学习贯彻会议精神"]]
    assert result.frame["date"].tolist() == [D("2026-07-03")]  # never the planned date


def test_a_title_naming_two_types_gives_no_type(tmp_path):
    rows = [["支部党员大会暨党课记录"], ["党支部", "日期", "主题", "应到人数", "实到人数"],
            ["一支部", "2026-07-03", "学习党章", 12, 11]]
    result = load_file(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert [(e.code, e.column) for e in result.errors] == [("missing_column", "活动类型")]


def test_a_prose_line_inside_the_table_is_said_to_look_like_a_note(tmp_path):
    rows = [["姓名", "所在支部"], ["张伟", "一支部"], ["以上人员均已核对无误，如有变动另行通知"], ["李娜", "一支部"], ["王五"]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "所在支部", "missing_value"), (5, "所在支部", "missing_value")]
    assert "像是说明" in result.errors[0].message  # a sentence where a name goes: a note, most likely
    assert "像是说明" not in result.errors[1].message  # 王五 alone is a member whose branch is missing


def test_a_notes_block_under_a_roster_is_not_data_but_a_last_member_is(tmp_path):
    rows = [["姓名", "所在支部"], ["张伟", "一支部"], ["李娜", "一支部"], [],
            ["填写说明："], ["1、姓名请填写全名；"], ["2、所在支部请写全称。"]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert result.ok and result.frame["row"].tolist() == [2, 3]


def test_repeated_study_rows_are_kept_and_said_twice_over_name(tmp_path):
    rows = [["姓名", "所在支部", "日期", "学习形式", "学习内容"],
            ["王磊", "一支部", "2026-07-08", "专题交流", "学习党章"],
            ["王磊", "一支部", "2026-07-08", "专题交流", "学习党章"]]
    result = load_file(write_xlsx(tmp_path / "study.xlsx", rows))
    assert len(result.frame) == 2  # perhaps two members named 王磊 (DOMAIN.md §2)
    assert [(w.code, w.row) for w in result.warnings] == [("repeated_row_kept", 3)]
    assert "第2行" in result.warnings[0].message and "同名" in result.warnings[0].message


def test_a_roster_row_typed_twice_with_its_code_is_one_member(tmp_path):
    rows = [["姓名", "所在支部", "党员编号"], ["张伟", "一支部", "A1"], ["李娜", "一支部", "A2"], ["张伟", "一支部", "A1"]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert result.frame["row"].tolist() == [2, 3]
    assert [(w.code, w.row) for w in result.warnings] == [("duplicate_row", 4)]


def test_roster_date_from_the_file_name_when_the_title_has_none(tmp_path):
    rows = [["党员名册"], ["姓名", "所在支部"], ["张伟", "一支部"]]
    assert load_file(write_xlsx(tmp_path / "名册_2026年10月.xlsx", rows)).as_of == date(2026, 10, 1)
    assert load_file(write_xlsx(tmp_path / "名册_2026.xlsx", rows)).as_of is None  # a year alone dates nothing
    ledger_rows = [["党支部", "日期", "活动类型"], ["一支部", "2026-07-03", "党课"]]
    assert load_file(write_xlsx(tmp_path / "台账_2026Q3.xlsx", ledger_rows)).covers == (date(2026, 7, 1),
                                                                                         date(2026, 9, 30))
    assert load_file(write_xlsx(tmp_path / "台账.xlsx", ledger_rows)).covers is None
