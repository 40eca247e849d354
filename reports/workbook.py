"""Every .xlsx the app writes is opened here: text stays text (``safety.WORKBOOK_OPTIONS``) and the
same content written on the same day gives the same bytes.

Why the bytes matter: Streamlit names a download's file by a hash of its bytes and drops the files
a page run no longer shows. xlsxwriter stamps the creation time to the second, so a page that built
its workbook on every run offered a new file each run, and a download clicked while the page re-ran
(e.g. right after the CSV next to it) was cancelled."""

from __future__ import annotations

import io
from datetime import date, datetime

import xlsxwriter

from reports.safety import WORKBOOK_OPTIONS


def new_workbook(buffer: io.BytesIO, options: dict | None = None,
                 properties: dict | None = None) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook writing into ``buffer`` (in memory unless ``options`` say otherwise),
    with the safety options and the document properties given; its creation date is today's."""
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **(options or {}), **WORKBOOK_OPTIONS})
    today = date.today()
    book.set_properties({"author": "机关党建看板", **(properties or {}),
                         "created": datetime(today.year, today.month, today.day)})
    return book
