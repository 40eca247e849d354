"""Small quirky spreadsheets for the loader tests, built by hand in a temporary directory.

Rows are lists of cell values, top to bottom from row 1 (``None`` = empty cell, ``[]`` = empty row),
so the Excel row number of ``rows[i]`` is ``i + 1`` and tests can state expected rows directly.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlwt

Rows = list[list[object]]


def write_xlsx(path: Path, rows: Rows, *, sheet: str = "Sheet1", merges: tuple[str, ...] = (),
               more_sheets: dict[str, Rows] | None = None) -> Path:
    """An .xlsx with one sheet (plus ``more_sheets``); ``merges`` like ``"E3:F3"``."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    _fill(worksheet, rows)
    for cell_range in merges:
        worksheet.merge_cells(cell_range)
    for name, other_rows in (more_sheets or {}).items():
        _fill(workbook.create_sheet(name), other_rows)
    workbook.save(path)
    return path


def _fill(worksheet, rows: Rows) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                cell = worksheet.cell(row=r, column=c, value=value)
                if isinstance(value, (date, datetime)):
                    cell.number_format = "yyyy-mm-dd"


def xlsx_bytes(rows: Rows, **kwargs) -> bytes:
    """The bytes of an .xlsx built like ``write_xlsx`` (for upload-style calls)."""
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    _fill(workbook.active, rows)
    workbook.active.title = kwargs.get("sheet", "Sheet1")
    for cell_range in kwargs.get("merges", ()):
        workbook.active.merge_cells(cell_range)
    workbook.save(buffer)
    return buffer.getvalue()


def write_xls(path: Path, rows: Rows, *, sheet: str = "Sheet1",
              merges: tuple[tuple[int, int, int, int], ...] = ()) -> Path:
    """A legacy .xls (BIFF8, via xlwt). ``merges``: (first_row, last_row, first_col, last_col),
    0-based, the value being the one written at the top-left cell in ``rows``."""
    workbook = xlwt.Workbook(encoding="utf-8")
    worksheet = workbook.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    merged_tops = {(m[0], m[2]): m for m in merges}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if (r, c) in merged_tops:
                r1, r2, c1, c2 = merged_tops[(r, c)]
                worksheet.write_merge(r1, r2, c1, c2, value)
            elif isinstance(value, (date, datetime)):
                worksheet.write(r, c, value, date_style)
            else:
                worksheet.write(r, c, value)
    workbook.save(str(path))
    return path


def csv_bytes(rows: Rows, encoding: str = "utf-8") -> bytes:
    """CSV text of ``rows`` in ``encoding`` (``utf-8-sig`` adds a BOM; ``gbk`` as Chinese Excel saves)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, rows: Rows, encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_bytes(rows, encoding))
    return path


def write_big_xuexi(path: Path, n: int) -> Path:
    """A 学习强国 export of ``n`` members (xlsxwriter, streaming) with a title period row.

    Member i: name ``党员{i}`` (every 10th padded with U+3000), 未激活 when i % 50 == 0,
    points ``i % 1000`` written as a number, except every 7th written as text ``"{points}分"``,
    部门 ``市直机关工委,单位{i % 100}机关党委,单位{i % 100}第{i % 3 + 1}党支部``.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("学员详细数据")
    sheet.write_row(0, 0, ["统计时间：2026-07-01至2026-09-30"])
    sheet.write_row(1, 0, ["序号", "姓名", "是否激活", "部门", "计入年度积分", "区间积分", "总积分", "每日一题",
                           "活跃天数", "学习强国ID"])
    for i in range(n):
        name = f"党员{i}" if i % 10 else f"党\u3000员{i}"
        points = i % 1000
        sheet.write_row(i + 2, 0, [
            i + 1, name, "未激活" if i % 50 == 0 else "激活",
            f"市直机关工委,单位{i % 100}机关党委,单位{i % 100}第{i % 3 + 1}党支部",
            f"{points}分" if i % 7 == 0 else points, points, points * 3, i % 60, i % 92, f"U{i:08d}",
        ])
    workbook.close()
    return path


# ---------------------------------------------------------------- readers that die (load_file_isolated)
# Module-level, so that the forkserver's child can import them by name.


def reader_that_aborts(source, **kwargs):
    """What a native reader's panic looks like from outside: SIGABRT."""
    import os

    os.abort()


def reader_that_is_killed(source, **kwargs):
    """What the kernel's OOM killer looks like from outside: SIGKILL."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def reader_that_wants_too_much(source, **kwargs):
    """Asks for 64 GiB at once, as calamine did for a grid reaching XFD1048576."""
    return bytearray(64 << 30)


def reader_that_hangs(source, **kwargs):
    import time

    time.sleep(600)


def reader_that_fails(source, **kwargs):
    raise ZeroDivisionError("a bug in the reader")


def reader_without_inspection(source, **kwargs):
    """fastexcel straight on the file, as the loaders read before the inspection existed."""
    import fastexcel

    fastexcel.read_excel(str(source)).load_sheet(0, header_row=None, dtypes="string").to_pandas()
    raise AssertionError("fastexcel read the whole grid")
