"""Tables as downloadable bytes (CSV for Excel, .xlsx). Text cells are always written as text:
a cell a spreadsheet would read as a formula (= + - @, tab, CR) is prefixed with a quote in CSV,
and written with write_string in .xlsx, so a name in a file can never run as a formula."""

from __future__ import annotations

import io
import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import xlsxwriter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """``value`` with a leading single quote when a spreadsheet would treat it as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (so Excel opens Chinese text correctly), text cells defused."""
    cleaned = frame.copy()
    for column in cleaned.columns:
        cleaned[column] = [safe_text(v) if isinstance(v, str) else v for v in cleaned[column]]
    cleaned.columns = [safe_text(str(c)) for c in cleaned.columns]
    return cleaned.to_csv(index=False).encode("utf-8-sig")


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def excel_bytes(frame: pd.DataFrame, sheet: str = "Sheet1", title: str | None = None) -> bytes:
    """One sheet: an optional title row, a bold header, then the rows. Strings go through
    write_string (never parsed as formulas or links), numbers as numbers, dates as dates."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet[:31])
    head = book.add_format({"bold": True, "bg_color": "#f6f2ee", "border": 1, "text_wrap": True,
                            "valign": "vcenter"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    top = 0
    if title:
        ws.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
        top = 2
    widths = [_width(c) for c in frame.columns]
    for col, name in enumerate(frame.columns):
        ws.write_string(top, col, str(name), head)
    for r, row in enumerate(frame.itertuples(index=False), start=top + 1):
        for col, value in enumerate(row):
            _write(ws, r, col, value, day)
            widths[col] = max(widths[col], _width(value) if isinstance(value, str) else 8)
    for col, width in enumerate(widths):
        ws.set_column(col, col, min(max(width + 2, 6), 60))
    ws.freeze_panes(top + 1, 0)
    book.close()
    return buffer.getvalue()


def _write(ws, row: int, col: int, value, day_format) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA \
            or value is pd.NaT:
        ws.write_blank(row, col, None)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_string(row, col, "是" if value else "否")
    elif isinstance(value, (int, float, np.integer, np.floating)):
        ws.write_number(row, col, float(value))
    elif isinstance(value, (pd.Timestamp, datetime, date)):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), day_format)
    else:
        ws.write_string(row, col, str(value))
