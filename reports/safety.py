"""Exported cells are data, never formulas: text from imported files is written as text.

Excel (and LibreOffice) treat a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` — also
after a leading tab or carriage return — as a formula when it is typed or written with a generic
``write``. Every user-supplied string here goes through ``clean_text`` and is written with
``write_string`` (in CSV: ``csv_text``); the workbook is also opened with formula/URL/number conversion switched off, so
a forgotten ``write`` still cannot turn text into a formula.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@")
EXCEL_MAX_CHARS = 32767
# Everything in Unicode category Cc except newline (kept: multi-line topics stay readable).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# xlsxwriter options that stop any string from being reinterpreted on write.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


def clean_text(value: object) -> str:
    """Any value → printable text: control characters removed (tab → space, CR dropped),
    surrogates and non-characters dropped, length capped at Excel's cell limit. None/NA → ""."""
    if is_missing(value):
        return ""
    text = str(value).replace("\r\n", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cs" and ch not in "\ufffe\uffff")
    return text[:EXCEL_MAX_CHARS]


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet would take as a formula (``=1+1``, ``\\t@SUM(A1)``, ``-2+3``)."""
    if not isinstance(value, str):
        return False
    return value.lstrip("\t\r\n ").startswith(FORMULA_PREFIXES)


def csv_text(value: str) -> str:
    """Text for a CSV cell: a leading single quote when a spreadsheet would run it as a formula
    (the quote shows in Excel as the text's first character, nothing runs)."""
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES + ("\t", "\r")) or looks_like_formula(text) else text


def text_width(value: object) -> float:
    """Display width in Excel column units: CJK (wide/full-width) characters count 2."""
    line = "" if is_missing(value) else str(value)
    return float(sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line))


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict, str)) else False
    except (TypeError, ValueError):
        return False


def write_cell(sheet, row: int, col: int, value: object, fmt=None) -> None:
    """Write one cell with xlsxwriter by its type: numbers as numbers, dates as text
    (``2026-07-03``), everything else as a string (``write_string``), missing values as blank."""
    if is_missing(value):
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, float(value), fmt)
    elif hasattr(value, "item") and isinstance(value.item(), (int, float)):
        sheet.write_number(row, col, float(value.item()), fmt)
    elif isinstance(value, (pd.Timestamp, datetime, date)):
        sheet.write_string(row, col, pd.Timestamp(value).strftime("%Y-%m-%d"), fmt)
    else:
        sheet.write_string(row, col, clean_text(value), fmt)


def write_text(sheet, row: int, col: int, value: object, fmt=None) -> None:
    """Always a string cell (for figures already formatted as text, names, topics)."""
    sheet.write_string(row, col, clean_text(value), fmt)


def merge_text(sheet, first_row: int, first_col: int, last_row: int, last_col: int,
               value: object, fmt=None) -> None:
    """A merged range holding text. ``merge_range`` writes its data with ``write``, so the range
    is merged empty and the text is then written with ``write_string``."""
    if first_row == last_row and first_col == last_col:
        write_text(sheet, first_row, first_col, value, fmt)
        return
    sheet.merge_range(first_row, first_col, last_row, last_col, "", fmt)
    sheet.write_string(first_row, first_col, clean_text(value), fmt)


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, at most 31 characters, not quoted."""
    base = re.sub(r"[\[\]:*?/\\]", "_", clean_text(name).replace("\n", " ")).strip("' ") or "支部"
    base = base[:31]
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


def header_text(text: str) -> str:
    """Text for an Excel page header/footer, where ``&`` starts a control code."""
    return clean_text(text).replace("\n", " ").replace("&", "&&")
