"""Any table as a download: CSV that Excel opens (UTF-8 with BOM) and a printable .xlsx sheet.
Text is written as text (reports/safety.py): in CSV a cell a spreadsheet would run as a formula
gets a leading quote; in .xlsx every string goes through ``write_string``."""

from __future__ import annotations

import io

import pandas as pd

from reports.safety import csv_text, text_width, write_cell, write_text
from reports.workbook import new_workbook


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (so Excel opens Chinese text correctly); text cells defused; whole numbers
    written without ``.0`` (a count of 2565 is ``2565``, not ``2565.0``)."""
    cleaned = pd.DataFrame({csv_text(str(c)): [_csv_cell(v) for v in frame[c]] for c in frame.columns})
    return cleaned.to_csv(index=False).encode("utf-8-sig")


def _csv_cell(value):
    if isinstance(value, str):
        return csv_text(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def table_workbook(frame: pd.DataFrame, sheet: str = "Sheet1", title: str | None = None) -> bytes:
    """One sheet: an optional title row, a bold header, then the rows, set up to print on A4
    landscape at the page's width with the header repeated on every page."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, properties={"title": title or sheet})
    ws = book.add_worksheet(sheet[:31])
    head = book.add_format({"bold": True, "bg_color": "#f6f2ee", "border": 1, "text_wrap": True,
                            "valign": "vcenter"})
    body = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    top = 0
    if title:
        write_text(ws, 0, 0, title, book.add_format({"bold": True, "font_size": 14}))
        top = 2
    widths = [text_width(c) for c in frame.columns]
    for col, name in enumerate(frame.columns):
        write_text(ws, top, col, name, head)
    for r, row in enumerate(frame.itertuples(index=False), start=top + 1):
        for col, value in enumerate(row):
            write_cell(ws, r, col, value, body)
            widths[col] = max(widths[col], text_width(value) if isinstance(value, str) else 8)
    for col, width in enumerate(widths):
        ws.set_column(col, col, min(max(width + 2, 6), 40))
    ws.freeze_panes(top + 1, 0)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # every column on the page's width; as many pages down as needed
    ws.repeat_rows(top, top)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    book.close()
    return buffer.getvalue()
