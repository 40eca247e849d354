"""The corpus of issue 17: small workbooks in the layouts real offices send, each built to show one
rule of DOMAIN.md §3.3/§3.7, and the hostile files no upload may use to take the server down.

    python tests/files/make_corpus.py      # rewrite the committed corpus beside this script

The real-layout files (``CORPUS``) are committed, byte for byte what this script writes (fixed
timestamps), so that anyone can open them in Excel; tests/test_real_files.py checks they are
current and states what each must load as, worked out by hand from the rows written here. The
hostile files (``HOSTILE``) are never committed — some unpack to a gigabyte — and are built by the
tests into a temporary directory. Every builder takes the directory and returns the file's path.
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlwt

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2026, 10, 1, 9, 0, 0)  # every zip entry and document property: rebuilds are identical
FIXED_ISO = "2026-10-01T09:00:00Z"

Rows = list[list[object]]


# ---------------------------------------------------------------- writing


def _sheet(book: openpyxl.Workbook, title: str, rows: Rows, *, first: bool = False, state: str = "visible"):
    sheet = book.active if first else book.create_sheet(title)
    sheet.title = title
    sheet.sheet_state = state
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    return sheet


def _save(book: openpyxl.Workbook, path: Path) -> Path:
    """Save, then rewrite the zip with fixed timestamps so that a rebuild is byte-identical."""
    buffer = io.BytesIO()
    book.save(buffer)
    _repack(buffer.getvalue(), path)
    return path


def _repack(data: bytes, path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + FIXED_ISO.encode(),
                                 content)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)


def _xml_workbook(path: Path, sheets: list[tuple[str, bytes]], extra: dict[str, bytes] | None = None,
                  shared_strings: bool = False) -> Path:
    """An .xlsx written part by part, for what openpyxl cannot write: cached formula values,
    positions without ``r``, odd prefixes. ``sheets``: (name, the whole worksheet XML)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    types = ['<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
             '<Default Extension="xml" ContentType="application/xml"/>',
             '<Override PartName="/xl/workbook.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    sheet_list, rels = [], []
    parts: dict[str, bytes] = {}
    for i, (name, xml) in enumerate(sheets, start=1):
        types.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        sheet_list.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared_strings:
        n = len(sheets) + 1
        types.append('<Override PartName="/xl/sharedStrings.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>')
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    parts = {
        "[Content_Types].xml": (f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                + "".join(types) + "</Types>").encode(),
        "_rels/.rels": (f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                        "</Relationships>").encode(),
        "xl/workbook.xml": (f'{head}<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>' + "".join(sheet_list)
                            + "</sheets></workbook>").encode(),
        "xl/_rels/workbook.xml.rels": (f'{head}<Relationships '
                                       'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                       + "".join(rels) + "</Relationships>").encode(),
        **parts,
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in parts.items():
            entry = zipfile.ZipInfo(name, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            book.writestr(entry, content)
    return path


def _worksheet(rows: str, dimension: str | None, tail: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{dim}<sheetData>{rows}</sheetData>{tail}</worksheet>").encode()


def _row(r: int, cells: list[object], first_col: int = 0) -> str:
    """One <row> of inline strings and numbers; a cell "=F|V" is a formula F with cached value V
    (V empty: no cached value)."""
    out = []
    for c, value in enumerate(cells):
        if value is None:
            continue
        ref = f"{_letters(first_col + c)}{r}"
        if isinstance(value, str) and value.startswith("="):
            formula, _, cached = value[1:].partition("|")
            out.append(f'<c r="{ref}"><f>{formula}</f>' + (f"<v>{cached}</v>" if cached else "") + "</c>")
        elif isinstance(value, (int, float)):
            out.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{r}">' + "".join(out) + "</row>"


def _letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------- the real-layout corpus


def meeting_template_actual_time(directory: Path) -> Path:
    """三会一课录入样表: the date held is 实际会议时间 (计划会议时间 beside it is the plan), the
    absence column 缺席人员及原因 carries reasons and markers, the period is 20260701-20260930."""
    book = openpyxl.Workbook()
    sheet = _sheet(book, "三会一课", [
        ["第一党支部三会一课录入样表"],
        ["统计期间：20260701-20260930"],
        ["序号", "支部名称", "会议类型", "会议主题", "计划会议时间", "实际会议时间", "会议地点", "应到人数", "实到人数",
         "缺席人员及原因", "主持人", "记录人"],
        [1, "第一党支部", "支委会", "研究7月工作", "2026-07-01", "2026-07-03", "党员活动室", 5, 5, "无", "张伟", "李娜"],
        [2, "第一党支部", "党员大会", "传达学习上级会议精神", "2026-07-10", "2026-07-14", "会议室", 12, 10,
         "黄磊（无故）、李娜(病假)", "张伟", "王芳"],
        [3, "第一党支部", "支委会", "研究8月工作", "2026-08-01", "2026-08-05", "党员活动室", 5, 4, "赵敏（预备）", "张伟", "李娜"],
        [4, "第一党支部", "党课", "学习党章", "2026-08-15", "2026-08-20", "会议室", 12, 11, "王芳（出差）", "张伟", "李娜"],
        [5, "第一党支部", "支委会", "研究9月工作", "2026-09-01", "2026-09-02", "党员活动室", 5, 5, None, "张伟", "李娜"],
        [6, "第一党支部", "主题党日", "重温入党誓词", "2026-09-10", "2026-09-12", "纪念馆", 12, 9,
         "黄磊（未请假）、孙强（事假）、周敏", "张伟", "李娜"],
    ], first=True)
    sheet.merge_cells("A1:L1")
    return _save(book, directory / "三会一课录入样表_实际会议时间.xlsx")


def meeting_ledger_activity_name(directory: Path) -> Path:
    """The type is in 活动名称 (one of them a free name, 7月主题党日活动); a notes block is left under
    the table (注意事项： then numbered items)."""
    book = openpyxl.Workbook()
    _sheet(book, "台账", [
        ["2026年第三季度三会一课台账（第二党支部）"],
        ["序号", "党支部", "活动名称", "活动日期", "应到人数", "实到人数", "缺席人员（原因）"],
        [1, "第二党支部", "支部委员会", "2026-07-06", 3, 3, None],
        [2, "第二党支部", "7月主题党日活动", "2026-07-15", 8, 7, "陈静(病假)"],
        [3, "第二党支部", "支部委员会", "2026-08-03", 3, 2, "刘洋（无故）"],
        [4, "第二党支部", "党员大会", "2026-08-20", 8, 8, None],
        [],
        ["注意事项："],
        ["1、活动名称请填写会议类型，如支部委员会、党员大会、主题党日；"],
        ["2、活动日期请写成2026-07-01；"],
        ["3、缺席人员请在括号中注明原因，如张三（病假）。"],
    ], first=True)
    return _save(book, directory / "三会一课台账_活动名称.xlsx")


def theme_day_template(directory: Path) -> Path:
    """主题党日活动录入样表: no type column; the title says every row is a 主题党日."""
    book = openpyxl.Workbook()
    _sheet(book, "Sheet1", [
        ["主题党日活动录入样表"],
        ["序号", "支部名称", "活动主题", "活动时间", "活动地点", "参加人数", "应到人数"],
        [1, "第一党支部", "重温入党誓词", "2026年7月1日", "党员活动室", 11, 12],
        [2, "第一党支部", "参观廉政教育基地", "2026年8月5日", "廉政教育基地", 12, 12],
        [3, "第二党支部", "志愿服务进社区", "2026年9月9日", "幸福社区", 7, 8],
    ], first=True)
    return _save(book, directory / "主题党日活动录入样表.xlsx")


def member_template(directory: Path) -> Path:
    """党员信息录入样表: 学工号, 加入党组织日期, (预备) markers, transfer dates, an as-of date in the
    title and a notes block under the table."""
    book = openpyxl.Workbook()
    _sheet(book, "党员信息", [
        ["党员信息录入样表（截至2026年9月30日）"],
        ["序号", "姓名", "学工号", "性别", "所在党支部", "党员类型", "加入党组织日期", "组织关系转入时间", "转出时间", "联系电话"],
        [1, "张伟", "20260001", "男", "第一党支部", "正式党员", "2001-07-01", None, None, "13800000001"],
        [2, "李娜(预备)", "20260002", "女", "第一党支部", None, "2025-11-20", "2026-03-01", None, None],
        [3, "赵敏（预备党员）", "20260003", "女", "第一党支部", "预备党员", "2026-01-10", None, None, None],
        [4, "王芳", "20260004", "女", "第一党支部", "正式党员", "1998-06-15", None, "2026-08-31", None],
        [5, "黄\u3000磊", "20260005", "男", "第一党支部", "正式党员", "2010-05-04", None, None, None],
        [],
        ["注意事项："],
        ["1、带*号的为必填项；"],
        ["2、党员类型填写正式党员或预备党员。"],
    ], first=True)
    return _save(book, directory / "党员信息录入样表.xlsx")


_STALE_LEDGER: Rows = [
    ["2026年第三季度组织生活台账（旧）"],
    ["序号", "党支部", "日期", "活动类型", "应到人数", "实到人数"],
    [1, "第一党支部", "2026-07-03", "支委会", 5, 5],
    [2, "第一党支部", "2026-07-20", "支委会", 5, 5],
    [3, "第一党支部", "2026-08-05", "支委会", 5, 4],
    [4, "第一党支部", "2026-09-02", "党课", 12, 11],
]


def hidden_sheets(directory: Path) -> Path:
    """An instructions sheet, a hidden stale copy, a very hidden backup, and the real ledger."""
    book = openpyxl.Workbook()
    _sheet(book, "填表说明", [["填表说明"], ["1、每次活动填写一行；"], ["2、日期写成2026-07-03。"]], first=True)
    _sheet(book, "台账(旧)", _STALE_LEDGER, state="hidden")
    _sheet(book, "备份", _STALE_LEDGER, state="veryHidden")
    _sheet(book, "台账", [
        ["2026年第三季度组织生活台账"],
        ["序号", "党支部", "日期", "活动类型", "应到人数", "实到人数"],
        [1, "第一党支部", "2026-07-03", "支委会", 5, 5],
        [2, "第一党支部", "2026-08-05", "支委会", 5, 4],
        [3, "第一党支部", "2026-09-02", "党课", 12, 11],
    ])
    book.active = 3
    return _save(book, directory / "组织生活台账_隐藏表.xlsx")


_LEDGER_HEADER = ["序号", "党支部", "日期", "活动类型", "主题", "应到人数", "实到人数", "缺席人员"]


def repeated_rows(directory: Path) -> Path:
    """One row typed twice (序号 differs, nothing else) and a row repeated on a second visible sheet."""
    book = openpyxl.Workbook()
    _sheet(book, "7-9月", [
        ["2026年第三季度组织生活台账"],
        _LEDGER_HEADER,
        [1, "第一党支部", "2026-07-03", "支委会", "研究7月工作", 5, 5, None],
        [2, "第一党支部", "2026-08-04", "支委会", "研究8月工作", 5, 4, "赵敏"],
        [3, "第一党支部", "2026-08-04", "支委会", "研究8月工作", 5, 4, "赵敏"],
        [4, "第一党支部", "2026-09-02", "支委会", "研究9月工作", 5, 5, None],
        [5, "第一党支部", "2026-09-10", "党课", "学习党章", 12, 11, "黄磊"],
    ], first=True)
    _sheet(book, "7-9月 (2)", [
        _LEDGER_HEADER,
        [1, "第一党支部", "2026-09-10", "党课", "学习党章", 12, 11, "黄磊"],
        [2, "第一党支部", "2026-09-25", "主题党日", "参观红色教育基地", 12, 12, None],
    ])
    return _save(book, directory / "组织生活台账_重复行.xlsx")


_FORMULA_HEADER = ["序号", "党支部", "日期", "活动类型", "应到人数", "缺席人数", "实到人数"]


def formulas_without_values(directory: Path) -> Path:
    """实到人数 as formulas, written by a program (openpyxl) and never opened in Excel: no values."""
    book = openpyxl.Workbook()
    _sheet(book, "台账", [
        _FORMULA_HEADER,
        [1, "第一党支部", "2026-07-03", "支委会", 5, 0, "=E2-F2"],
        [2, "第一党支部", "2026-08-05", "支委会", 5, 1, "=E3-F3"],
        [3, "第一党支部", "2026-09-02", "党课", 12, 1, "=E4-F4"],
    ], first=True)
    return _save(book, directory / "组织生活台账_公式无缓存.xlsx")


def formulas_with_values(directory: Path) -> Path:
    """The same ledger as Excel saves it: each formula with its value (5, 4, 11)."""
    rows = [_row(1, _FORMULA_HEADER),
            _row(2, [1, "第一党支部", "2026-07-03", "支委会", 5, 0, "=E2-F2|5"]),
            _row(3, [2, "第一党支部", "2026-08-05", "支委会", 5, 1, "=E3-F3|4"]),
            _row(4, [3, "第一党支部", "2026-09-02", "党课", 12, 1, "=E4-F4|11"])]
    return _xml_workbook(directory / "组织生活台账_公式有缓存.xlsx", [("台账", _worksheet("".join(rows), "A1:G4"))])


def ledger_without_date(directory: Path) -> Path:
    """A ledger whose date column is missing: one error naming it, not a 统计表 guessed from it."""
    book = openpyxl.Workbook()
    _sheet(book, "Sheet1", [
        ["2026年第三季度组织生活台账"],
        ["序号", "党支部", "活动类型", "主题", "应到人数", "实到人数", "缺席人员"],
        [1, "第一党支部", "支委会", "研究7月工作", 5, 5, None],
        [2, "第一党支部", "支委会", "研究8月工作", 5, 4, "赵敏"],
        [3, "第一党支部", "支委会", "研究9月工作", 5, 5, None],
    ], first=True)
    return _save(book, directory / "组织生活台账_缺日期列.xlsx")


def plan_time_only(directory: Path) -> Path:
    """Only 计划会议时间: a plan is not the date held."""
    book = openpyxl.Workbook()
    _sheet(book, "Sheet1", [
        ["序号", "支部名称", "会议类型", "会议主题", "计划会议时间", "应到人数", "实到人数"],
        [1, "第一党支部", "支委会", "研究7月工作", "2026-07-01", 5, 5],
        [2, "第一党支部", "党课", "学习党章", "2026-08-15", 12, 11],
    ], first=True)
    return _save(book, directory / "三会一课录入样表_只有计划时间.xlsx")


def xuexi_compact_period(directory: Path) -> Path:
    """A 学习强国 export whose period is written 20260701-20260930, a (预备) marker, a 部门 of 其他."""
    book = openpyxl.Workbook()
    _sheet(book, "学员详细数据", [
        ["学员详细数据  统计区间：20260701-20260930"],
        ["序号", "姓名", "是否激活", "部门", "计入年度积分", "区间积分", "总积分"],
        [1, "张伟", "激活", "市直机关工委,第一党支部", 2850, 2850, 30210],
        [2, "赵敏（预备）", "激活", "市直机关工委,第一党支部", 1900, 1900, 5300],
        [3, "李娜", "未激活", "市直机关工委,第一党支部", None, None, 0],
        [4, "周晓明", "激活", "其他", 120, 120, 800],
    ], first=True)
    return _save(book, directory / "学习强国_20260701-20260930.xlsx")


def study_gbk_markers(directory: Path) -> Path:
    """Study records saved by Chinese Excel as CSV (GBK), a name with （预备）."""
    text = ("姓名,所在支部,学习日期,学习形式,学习内容,学时\r\n"
            "李娜（预备）,第一党支部,2026-07-08,自学,学习党章,2\r\n"
            "张伟,第一党支部,2026-07-09,自学,学习党章,1.5\r\n")
    path = directory / "学习记录_预备标记.csv"
    path.write_bytes(text.encode("gbk"))
    return path


def counts_with_repeat(directory: Path) -> Path:
    """A 组织生活开展情况统计表 whose August row was entered twice."""
    book = openpyxl.Workbook()
    _sheet(book, "统计表", [
        ["2026年第三季度组织生活开展情况统计表"],
        ["党支部", "月份", "支委会", "党课", "主题党日"],
        ["第一党支部", "7月", 1, 0, 1],
        ["第一党支部", "8月", 1, 1, 1],
        ["第一党支部", "8月", 1, 1, 1],
        ["第一党支部", "9月", 1, 0, 1],
    ], first=True)
    return _save(book, directory / "组织生活开展情况统计表_重复行.xlsx")


def legacy_xls_hidden(directory: Path) -> Path:
    """A legacy .xls (BIFF8) with a hidden stale sheet."""
    book = xlwt.Workbook(encoding="utf-8")
    ledger = book.add_sheet("台账")
    stale = book.add_sheet("旧台账")
    stale.visibility = 1  # hidden (BOUNDSHEET)
    for r, row in enumerate([["党支部", "日期", "活动类型", "应到人数", "实到人数"],
                             ["第二党支部", "2026-07-06", "支委会", 3, 3],
                             ["第二党支部", "2026-08-03", "党课", 8, 7]]):
        for c, value in enumerate(row):
            ledger.write(r, c, value)
    for r, row in enumerate([["党支部", "日期", "活动类型", "应到人数", "实到人数"],
                             ["第二党支部", "2026-07-06", "支委会", 3, 3],
                             ["第二党支部", "2026-07-20", "支委会", 3, 3]]):
        for c, value in enumerate(row):
            stale.write(r, c, value)
    path = directory / "组织生活台账_隐藏表.xls"
    book.save(str(path))
    return path


CORPUS: dict[str, Callable[[Path], Path]] = {
    "三会一课录入样表_实际会议时间.xlsx": meeting_template_actual_time,
    "三会一课台账_活动名称.xlsx": meeting_ledger_activity_name,
    "主题党日活动录入样表.xlsx": theme_day_template,
    "党员信息录入样表.xlsx": member_template,
    "组织生活台账_隐藏表.xlsx": hidden_sheets,
    "组织生活台账_重复行.xlsx": repeated_rows,
    "组织生活台账_公式无缓存.xlsx": formulas_without_values,
    "组织生活台账_公式有缓存.xlsx": formulas_with_values,
    "组织生活台账_缺日期列.xlsx": ledger_without_date,
    "三会一课录入样表_只有计划时间.xlsx": plan_time_only,
    "学习强国_20260701-20260930.xlsx": xuexi_compact_period,
    "学习记录_预备标记.csv": study_gbk_markers,
    "组织生活开展情况统计表_重复行.xlsx": counts_with_repeat,
    "组织生活台账_隐藏表.xls": legacy_xls_hidden,
}


# ---------------------------------------------------------------- hostile files (never committed)

_ROSTER_ROWS = [["姓名", "所在支部"], ["张伟", "第一党支部"], ["李娜", "第一党支部"]]


def stray_cell_xfd(directory: Path) -> Path:
    """A real roster and one stray cell at XFD1048576 (the issue's 5 KB file that aborted the server)."""
    book = openpyxl.Workbook()
    sheet = _sheet(book, "名册", _ROSTER_ROWS, first=True)
    sheet["XFD1048576"] = "x"
    return _save(book, directory / "stray_xfd.xlsx")


def stray_cell_cv(directory: Path) -> Path:
    """A stray cell at CV1048576: 100 columns × 1,048,576 rows (4.8 GB to read)."""
    book = openpyxl.Workbook()
    sheet = _sheet(book, "名册", _ROSTER_ROWS, first=True)
    sheet["CV1048576"] = "x"
    return _save(book, directory / "stray_cv.xlsx")


def stray_cell_without_position(directory: Path) -> Path:
    """The stray cell has no ``r``: only the row says where it is (expat must place it)."""
    rows = "".join(_row(r, row) for r, row in enumerate(_ROSTER_ROWS, start=1))
    rows += '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
    return _xml_workbook(directory / "stray_no_position.xlsx", [("名册", _worksheet(rows, "A1:B3"))])


def _deflate_repeated(prefix: bytes, block: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of prefix + block × times + suffix, built without compressing ``times`` blocks:
    after a full flush the compressor starts afresh, so each block compresses to the same bytes.
    Returns (compressed, crc32, uncompressed size)."""
    def pieces() -> tuple[bytes, bytes, bytes]:
        engine = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = engine.compress(prefix) + engine.flush(zlib.Z_FULL_FLUSH)
        one = engine.compress(block) + engine.flush(zlib.Z_FULL_FLUSH)
        two = engine.compress(block) + engine.flush(zlib.Z_FULL_FLUSH)
        assert one == two, "a full flush did not reset the compressor"
        return head, one, engine.compress(suffix) + engine.flush(zlib.Z_FINISH)

    head, one, tail = pieces()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    return head + one * times + tail, crc, len(prefix) + len(block) * times + len(suffix)


def _zip_by_hand(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip of raw-deflated members (name, data, crc, size, declared size) — the declared size
    may lie. Sizes stay below 4 GiB (no ZIP64)."""
    out = io.BytesIO()
    directory = []
    for name, data, crc, size, declared in members:
        offset = out.tell()
        encoded = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x5C21, crc, len(data), declared,
                             len(encoded), 0)
        out.write(header + encoded + data)
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x5C21, crc, len(data),
                                     declared, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for entry in directory:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), out.tell() - start, start, 0))
    path.write_bytes(out.getvalue())
    return path


def _plain_parts(sheet_names: list[str], shared_strings: bool = False) -> list[tuple[str, bytes]]:
    """The small parts of a workbook (all but the sheets), from ``_xml_workbook``."""
    buffer = io.BytesIO()
    _xml_workbook(buffer, [(n, b"") for n in sheet_names], shared_strings=shared_strings)  # type: ignore[arg-type]
    with zipfile.ZipFile(buffer) as book:
        return [(n, book.read(n)) for n in book.namelist() if not n.startswith("xl/worksheets/")]


def _deflated(name: str, content: bytes) -> tuple[str, bytes, int, int, int]:
    engine = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = engine.compress(content) + engine.flush()
    return name, data, zlib.crc32(content), len(content), len(content)


def merge_bomb(directory: Path, *, megabytes: int = 1024, lying: bool = False, name: str = "merge_bomb.xlsx") -> Path:
    """A small roster whose sheet ends with ``megabytes`` MB of <mergeCell> (issue 19: a 2.4 MB
    upload with 1 GB of merges took the server to 7.7 GB). ``lying``: the zip declares 2 MB."""
    rows = "".join(_row(r, row) for r, row in enumerate(_ROSTER_ROWS, start=1))
    sheet = _worksheet(rows, "A1:B3", "<mergeCells>MERGES</mergeCells>")
    prefix, suffix = sheet.split(b"MERGES")
    block = b'<mergeCell ref="C5:D6"/>' * ((1 << 20) // 24)
    block = block[: len(block) - len(block) % 24]
    times = (megabytes << 20) // len(block)
    data, crc, size = _deflate_repeated(prefix, block, times, suffix)
    members = [_deflated(n, c) for n, c in _plain_parts(["名册"])]
    members.append(("xl/worksheets/sheet1.xml", data, crc, size, 2 << 20 if lying else size))
    return _zip_by_hand(directory / name, members)


def shared_strings_bomb(directory: Path) -> Path:
    """A plain zip bomb: 1 GB of shared strings behind a two-row sheet."""
    rows = _row(1, ["姓名", "所在支部"]) + _row(2, ["张伟", "第一党支部"])
    members = [_deflated(n, c) for n, c in _plain_parts(["名册"], shared_strings=True)]
    members.append(_deflated("xl/worksheets/sheet1.xml", _worksheet(rows, "A1:B2")))
    prefix = (b'<?xml version="1.0" encoding="UTF-8"?>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    block = b"<si><t>x</t></si>" * ((1 << 20) // 17)
    data, crc, size = _deflate_repeated(prefix, block, (1 << 30) // len(block), b"</sst>")
    members.append(("xl/sharedStrings.xml", data, crc, size, size))
    return _zip_by_hand(directory / "shared_strings_bomb.xlsx", members)


def stray_cell_xls(directory: Path) -> Path:
    """A legacy .xls with a stray cell at IV65536: 65,536 rows × 256 columns."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    for r, row in enumerate(_ROSTER_ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet.write(65535, 255, "x")
    path = directory / "stray_iv.xls"
    book.save(str(path))
    return path


def wide_csv_line(directory: Path) -> Path:
    """A CSV with one line of three million commas: padding every row to it would be 9 million cells."""
    path = directory / "wide_line.csv"
    path.write_bytes("姓名,所在支部\r\n张伟,第一党支部\r\n".encode() + b"," * 3_000_000 + b"\r\n")
    return path


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "stray_xfd.xlsx": stray_cell_xfd,
    "stray_cv.xlsx": stray_cell_cv,
    "stray_no_position.xlsx": stray_cell_without_position,
    "merge_bomb.xlsx": merge_bomb,
    "merge_bomb_lying.xlsx": lambda d: merge_bomb(d, lying=True, name="merge_bomb_lying.xlsx"),
    "merges_under_limit.xlsx": lambda d: merge_bomb(d, megabytes=60, name="merges_under_limit.xlsx"),
    "shared_strings_bomb.xlsx": shared_strings_bomb,
    "stray_iv.xls": stray_cell_xls,
    "wide_line.csv": wide_csv_line,
}


def build(directory: Path, builders: dict[str, Callable[[Path], Path]]) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return {name: builder(directory) for name, builder in builders.items()}


if __name__ == "__main__":
    for built in build(HERE, CORPUS).values():
        print(built.relative_to(HERE.parent.parent), built.stat().st_size, "bytes", file=sys.stderr)
