"""Bad input comes back as a LoadResult with error Problems — never as an exception."""

from __future__ import annotations

from datetime import date

import pytest

from data_loaders import load_file
from data_loaders.limits import Limits
from data_loaders.schema import CANONICAL_COLUMNS
from tests.loader_fixtures import csv_bytes, write_xlsx, xlsx_bytes


def problems_of(result, severity="error"):
    return [(p.sheet, p.row, p.column, p.value, p.code) for p in result.problems if p.severity == severity]


# ---------------------------------------------------------------- files that cannot be read


@pytest.mark.parametrize(
    ("data", "file_name"),
    [
        (b"", "empty.xlsx"),
        (b"", "empty.csv"),
        (b"this is not a spreadsheet at all", "notes.xlsx"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "picture.xlsx"),
        (b"%PDF-1.7\n...", "report.pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000), "protected.xlsx"),  # OLE box: password or broken
        ("<html><table><tr><td>姓名</td></tr></table></html>".encode(), "export.xls"),
    ],
)
def test_unreadable_files_give_one_error_and_an_empty_frame(data, file_name):
    result = load_file(data, file_name=file_name)
    assert result.kind is None
    assert result.frame.empty
    assert len(result.errors) == 1
    assert result.errors[0].code == "unreadable"
    assert result.errors[0].file == file_name and result.errors[0].row is None
    assert not result.ok


def test_truncated_xlsx_is_reported_as_corrupt():
    data = xlsx_bytes([["姓名", "所在支部"], ["张伟", "一支部"]])
    result = load_file(data[: len(data) // 2], file_name="名册.xlsx", kind="roster")
    assert result.kind == "roster"  # the forced kind is kept
    assert list(result.frame.columns) == CANONICAL_COLUMNS["roster"] and result.frame.empty
    assert [e.code for e in result.errors] == ["unreadable"]
    assert "损坏" in result.errors[0].message


def test_missing_path_is_an_error_not_an_exception(tmp_path):
    result = load_file(tmp_path / "nope.xlsx")
    assert [e.code for e in result.errors] == ["unreadable"] and "找不到文件" in result.errors[0].message


def test_workbook_with_only_empty_sheets(tmp_path):
    result = load_file(write_xlsx(tmp_path / "empty.xlsx", [], more_sheets={"Sheet2": []}))
    assert result.kind is None
    assert [e.code for e in result.errors] == ["empty_file"]


def test_bytes_without_a_file_name_is_a_programming_error():
    with pytest.raises(ValueError):
        load_file(b"abc")
    with pytest.raises(ValueError):
        load_file(b"abc", file_name="a.csv", kind="nonsense")


# ---------------------------------------------------------------- kind and columns


def test_unknown_kind_names_the_kinds_tried_and_the_headers_found(tmp_path):
    rows = [["通讯录"], ["序号", "名字", "电话号码", "住址"], [1, "张伟", "123", "x"]]
    result = load_file(write_xlsx(tmp_path / "contacts.xlsx", rows))
    assert result.kind is None
    assert [e.code for e in result.errors] == ["unknown_kind"]
    message = result.errors[0].message
    for label in ("党员名册", "学习强国积分导出", "组织生活台账", "组织生活开展情况统计表", "学习记录", "其他台账", "季度目标"):
        assert label in message
    assert "序号、名字、电话号码、住址" in message


def test_missing_required_column_is_one_file_level_error_per_column(tmp_path):
    rows = [["党支部", "日期", "主题", "应到人数", "实到人数"], ["一支部", "2026-07-03", "学习", 10, 9]]
    result = load_file(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert result.kind == "activity"
    assert problems_of(result) == [("Sheet1", None, "活动类型", None, "missing_column")]
    assert result.errors[0].message.startswith("缺少必填列「活动类型」。文件中找到的表头：党支部、日期、主题、应到人数、实到人数。")
    assert "表头可写作：活动类型、类型、会议类型" in result.errors[0].message
    assert result.frame.empty and list(result.frame.columns) == CANONICAL_COLUMNS["activity"]


def test_forced_kind_reports_each_missing_required_column():
    result = load_file(csv_bytes([["姓名", "日期"], ["张伟", "2026-07-01"]]), file_name="s.csv", kind="study")
    assert [(e.row, e.column) for e in result.errors] == [(None, "所在支部"), (None, "学习形式")]
    assert result.errors[0].message.startswith("缺少必填列「所在支部」。文件中找到的表头：姓名、日期。")


# ---------------------------------------------------------------- cells


def test_bad_date_reports_its_excel_row_header_as_written_and_value(tmp_path):
    rows = [["2026年第三季度组织生活台账"],
            ["党支部", "活动时间", "活动类型"],
            ["一支部", "2026-07-03", "党课"],
            ["一支部", "2026年7月", "党课"],
            ["一支部", "2026-02-30", "党课"]]
    result = load_file(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert problems_of(result) == [
        ("Sheet1", 4, "活动时间", "2026年7月", "bad_date"),
        ("Sheet1", 5, "活动时间", "2026-02-30", "bad_date"),
    ]
    assert result.errors[0].message == "日期无法识别，请写成 2026-07-03 或 2026年7月3日"
    assert result.errors[0].file == "ledger.xlsx"
    assert "第4行" in result.errors[0].describe() and "「活动时间」列" in result.errors[0].describe()


def test_non_numbers_negative_counts_and_more_present_than_expected(tmp_path):
    rows = [["党支部", "日期", "活动类型", "应到人数", "实到人数"],
            ["一支部", "2026-07-03", "党课", "十人", 9],
            ["一支部", "2026-07-04", "党课", -1, 0],
            ["一支部", "2026-07-05", "党课", 10, 12],
            ["一支部", "2026-07-06", "党课", 10, 9.5]]
    result = load_file(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert problems_of(result) == [
        ("Sheet1", 2, "应到人数", "十人", "bad_number"),
        ("Sheet1", 3, "应到人数", "-1", "negative"),
        ("Sheet1", 4, "实到人数", "12", "present_gt_expected"),
        ("Sheet1", 5, "实到人数", "9.5", "bad_number"),
    ]
    assert result.errors[0].message == "应到人数应为数字"
    assert result.errors[2].message == "实到人数（12）多于应到人数（10），请核对"


def test_required_cells_left_empty(tmp_path):
    rows = [["姓名", "所在支部"], ["张伟", None], [None, "一支部"], ["李娜", "一支部"]]
    result = load_file(write_xlsx(tmp_path / "roster.xlsx", rows))
    assert problems_of(result) == [
        ("Sheet1", 2, "所在支部", None, "missing_value"),
        ("Sheet1", 3, "姓名", None, "missing_value"),
    ]


def test_every_problem_in_the_file_is_collected(tmp_path):
    rows = [["组织生活台账"],
            ["党支部", "日期", "活动类型", "应到人数"],
            ["一支部", "昨天", "党课", "x"],
            [None, "2026-07-04", "读书会", 5],
            ["一支部", "2026-07-05", None, "-3"]]
    result = load_file(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert [(p.row, p.code) for p in result.problems] == [
        (3, "bad_date"), (3, "bad_number"),
        (4, "missing_value"), (4, "unknown_type"),
        (5, "missing_value"), (5, "negative"),
    ]


def test_xuexi_without_a_period_says_how_to_give_one(tmp_path):
    rows = [["序号", "姓名", "是否激活", "部门", "计入年度积分"], [1, "张伟", "激活", "一支部", 100]]
    result = load_file(write_xlsx(tmp_path / "xuexi.xlsx", rows))
    assert result.kind == "xuexi" and result.period is None and not result.ok
    assert [(e.row, e.code) for e in result.errors] == [(None, "missing_period")]
    message = result.errors[0].message
    assert "统计时间：2026-07-01至2026-09-30" in message
    assert "python cli.py import 文件 --period 2026-07-01 2026-09-30" in message
    assert "数据导入" in message
    assert load_file(write_xlsx(tmp_path / "xuexi2.xlsx", rows),
                     period=(date(2026, 7, 1), date(2026, 9, 30))).ok


def test_xuexi_bad_activation_and_points(tmp_path):
    rows = [["统计时间：2026-07-01至2026-09-30"],
            ["姓名", "是否激活", "计入年度积分"],
            ["张伟", "激活", None],
            ["李娜", "已停用", 10],
            ["王芳", "激活", "很多"]]
    result = load_file(write_xlsx(tmp_path / "xuexi.xlsx", rows))
    assert problems_of(result) == [
        ("Sheet1", 3, "计入年度积分", None, "missing_value"),
        ("Sheet1", 4, "是否激活", "已停用", "bad_value"),
        ("Sheet1", 5, "计入年度积分", "很多", "bad_number"),
    ]


def test_counts_period_cell_errors(tmp_path):
    rows = [["党支部", "月份", "党课"], ["一支部", "7月", 1], ["一支部", "2026-13", 1], ["一支部", "2026-08", "一次"]]
    result = load_file(write_xlsx(tmp_path / "counts.xlsx", rows))
    assert problems_of(result) == [
        ("Sheet1", 2, "月份", "7月", "period_without_year"),
        ("Sheet1", 3, "月份", "2026-13", "bad_period"),
        ("Sheet1", 4, "党课", "一次", "bad_number"),
    ]


def test_targets_unknown_indicator_and_bad_branch_type(tmp_path):
    rows = [["指标", "支部类型", "目标值"], ["满意度", "在职", 1], ["党课", "机关", 1], ["参会率", "在职", "120%"]]
    result = load_file(write_xlsx(tmp_path / "targets.xlsx", rows))
    assert problems_of(result) == [
        ("Sheet1", 2, "指标", "满意度", "unknown_indicator"),
        ("Sheet1", 3, "支部类型", "机关", "bad_value"),
        ("Sheet1", 4, "目标值", "120%", "bad_value"),
    ]


# ---------------------------------------------------------------- bounds (data_loaders.limits)


def test_the_cell_bound_comes_from_the_environment(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "roster.xlsx", [["姓名", "所在支部"]] + [[f"党员{i}", "一支部"] for i in range(29)])
    monkeypatch.setenv("DASHBOARD_MAX_CELLS", "50")  # 30 rows × 2 columns = 60 cells
    refused = load_file(path)
    assert [(p.code, p.sheet) for p in refused.problems] == [("too_many_cells", "Sheet1")]
    assert "× 2 列" in refused.problems[0].message and "上限 50 个单元格" in refused.problems[0].message
    monkeypatch.setenv("DASHBOARD_MAX_CELLS", "60")
    assert load_file(path).ok
    monkeypatch.setenv("DASHBOARD_MAX_CELLS", "not a number")  # the default, and a log warning
    assert load_file(path).ok


def test_the_unpacked_bound_comes_from_the_environment(tmp_path, monkeypatch):
    rows = [["姓名", "所在支部", "备注"]] + [[f"党员{i}", "一支部", "备" * 4000] for i in range(300)]
    path = write_xlsx(tmp_path / "roster.xlsx", rows)  # ~3.6 MB of sheet XML once unpacked
    monkeypatch.setenv("DASHBOARD_MAX_UNPACKED_MB", "1")
    result = load_file(path)
    assert [p.code for p in result.problems] == ["too_large_unpacked"]
    assert "超过上限 1 MB" in result.problems[0].message
    csv_path = tmp_path / "roster.csv"
    csv_path.write_bytes(csv_bytes(rows))
    assert [p.code for p in load_file(csv_path).problems] == ["too_large_file"]
    monkeypatch.delenv("DASHBOARD_MAX_UNPACKED_MB")
    assert load_file(path).ok and load_file(csv_path).ok


def test_limits_read_at_call_time_with_defaults(monkeypatch):
    from data_loaders.limits import current_limits

    for name in ("DASHBOARD_MAX_CELLS", "DASHBOARD_MAX_UNPACKED_MB", "DASHBOARD_PARSE_MEMORY_MB",
                 "DASHBOARD_PARSE_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)
    assert current_limits() == Limits(2_000_000, 200 << 20, 1024 << 20, 120.0)
    monkeypatch.setenv("DASHBOARD_PARSE_TIMEOUT_S", "7.5")
    monkeypatch.setenv("DASHBOARD_MAX_CELLS", "-3")  # not positive: the default
    assert (current_limits().parse_timeout_s, current_limits().max_cells) == (7.5, 2_000_000)


def test_greater_than_patterns_match_exactly_the_positions_beyond():
    import re

    from data_loaders.inspection import _greater_column, _greater_number, column_letters

    # as in the scan: the pattern starts right after a position's letters; a quote ends the digits
    for n in (1, 9, 10, 99, 100, 64676, 100041, 1048576):
        pattern = re.compile(_greater_number(n))
        for value in list(range(1, 2000)) + list(range(max(1, n - 1500), n + 1500)):
            assert bool(pattern.match(str(value).encode() + b'"')) == (value > n), (n, value)
    for last in (0, 12, 25, 26, 27, 701, 702, 16383):
        pattern = re.compile(_greater_column(last))
        for col in range(0, 16384):
            assert bool(pattern.match(column_letters(col).encode() + b"1")) == (col > last), (last, col)


def test_a_hidden_sheet_is_never_read_even_with_a_stray_cell(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "名册"
    for row in [["姓名", "所在支部"], ["张伟", "一支部"]]:
        book.active.append(row)
    stale = book.create_sheet("旧名册")
    stale["A1"], stale["XFD1048576"] = "姓名", "x"
    stale.sheet_state = "hidden"
    book.save(tmp_path / "roster.xlsx")
    result = load_file(tmp_path / "roster.xlsx")
    assert result.ok and result.frame["name"].tolist() == ["张伟"]
    assert [(p.code, p.value) for p in result.problems] == [("hidden_sheets", "旧名册")]


def _roster_xml(rows: str, dimension: str | None = "A1:B3") -> bytes:
    from tests.files.make_corpus import _worksheet

    return _worksheet(rows, dimension)


@pytest.mark.parametrize("layout", ["no dimension", "prefixed", "no positions", "comment", "attribute order"])
def test_odd_but_valid_sheet_xml_reads_like_excel_s(tmp_path, layout):
    # Each of these sends the inspection down its exact (expat) walk; the roster must come out
    # exactly as from the plain layout.
    from tests.files.make_corpus import _row, _xml_workbook

    plain = _row(1, ["姓名", "所在支部"]) + _row(2, ["张伟", "一支部"]) + _row(3, ["李娜", "二支部"])
    cell = '<c t="inlineStr"><is><t>{}</t></is></c>'
    xml = {
        "no dimension": _roster_xml(plain, None),
        "prefixed": _roster_xml(plain).replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=")
        .replace(b"</worksheet>", b"</x:worksheet>").replace(b"<sheetData>", b"<x:sheetData>")
        .replace(b"</sheetData>", b"</x:sheetData>").replace(b"<row", b"<x:row").replace(b"</row>", b"</x:row>")
        .replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>").replace(b"<is>", b"<x:is>")
        .replace(b"</is>", b"</x:is>").replace(b"<t>", b"<x:t>").replace(b"</t>", b"</x:t>")
        .replace(b"<dimension", b"<x:dimension"),
        "no positions": _roster_xml("".join(f"<row>{cell.format(a)}{cell.format(b)}</row>" for a, b in
                                            [("姓名", "所在支部"), ("张伟", "一支部"), ("李娜", "二支部")])),
        "comment": _roster_xml(plain.replace('<row r="2">', '<!-- 第二行 --><row r="2">')),
        "attribute order": _roster_xml(plain.replace('<c r="A2" t="inlineStr">', '<c t="inlineStr" r="A2">')),
    }[layout]
    path = _xml_workbook(tmp_path / "roster.xlsx", [("名册", xml)])
    result = load_file(path)
    assert result.ok, result.problems
    assert result.frame[["row", "name", "branch"]].values.tolist() == [[2, "张伟", "一支部"], [3, "李娜", "二支部"]]


@pytest.mark.parametrize(("part", "what"), [("content.xml", "OpenDocument"), ("xl/workbook.bin", "xlsb")])
def test_ods_and_xlsb_are_refused_before_any_reader(tmp_path, part, what):
    import zipfile

    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(part, b"<x/>")
    result = load_file(path)
    assert [p.code for p in result.problems] == ["unsupported_format"]
    assert what in result.problems[0].message and "另存为" in result.problems[0].message


def test_a_zip_of_too_many_parts_is_refused_before_it_is_opened(tmp_path):
    import zipfile

    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as book:
        for i in range(10_001):
            book.writestr(f"p{i}", b"")
    result = load_file(path)
    assert [p.code for p in result.problems] == ["too_large_unpacked"]
    assert "10,001" in result.problems[0].message


def test_a_sheet_with_more_formulas_than_listed_says_how_many_more(tmp_path):
    from tests.files.make_corpus import _row, _worksheet, _xml_workbook

    rows = _row(1, ["姓名", "所在支部", "得分"]) + "".join(
        _row(r, [f"党员{r}", "一支部", f"=C{r - 1}+1"]) for r in range(2, 253))
    result = load_file(_xml_workbook(tmp_path / "roster.xlsx", [("名册", _worksheet(rows, "A1:C252"))]))
    formulas = [p for p in result.problems if p.code == "formula_without_value"]
    assert len(formulas) == 201  # one line for the other 51 (sheet-level: listed first), then 200 cells
    assert formulas[0].row is None and "另有 51 个" in formulas[0].message
    assert (formulas[1].row, formulas[1].column, formulas[1].value) == (2, "C", "=C1+1")
    assert formulas[-1].row == 201


def test_a_formatted_but_empty_far_cell_is_no_reason_to_refuse(tmp_path):
    # openpyxl writes a styled empty cell as <c r="XFD1048576" s="1"></c>: the reader skips it,
    # so the file is read (its dimension says A1:XFD1048576; the cells are checked one by one).
    import openpyxl
    from openpyxl.styles import PatternFill

    book = openpyxl.Workbook()
    for row in [["姓名", "所在支部"], ["张伟", "一支部"]]:
        book.active.append(row)
    book.active["XFD1048576"].fill = PatternFill("solid", fgColor="FFFF00")
    book.save(tmp_path / "roster.xlsx")
    result = load_file(tmp_path / "roster.xlsx")
    assert result.ok and result.frame["name"].tolist() == ["张伟"]


def test_a_formula_without_value_is_found_on_the_exact_walk_too(tmp_path):
    # cells without positions send the sheet through expat: the formula in B3 is still found
    from tests.files.make_corpus import _worksheet, _xml_workbook

    cell = '<c t="inlineStr"><is><t>{}</t></is></c>'
    rows = (f"<row>{cell.format('姓名')}{cell.format('所在支部')}{cell.format('得分')}</row>"
            f"<row>{cell.format('张伟')}{cell.format('一支部')}<c><f>1+1</f><v>2</v></c></row>"
            f"<row>{cell.format('李娜')}{cell.format('一支部')}<c><f>SUM(C2)</f></c></row>")
    result = load_file(_xml_workbook(tmp_path / "roster.xlsx", [("名册", _worksheet(rows, None))]))
    assert [(p.code, p.row, p.column, p.value) for p in result.errors] == [
        ("formula_without_value", 3, "C", "=SUM(C2)")]
