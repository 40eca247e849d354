"""Untrusted workbooks, inspected before a native reader touches them (DOMAIN.md §3.7).

fastexcel/calamine allocate one cell for every position between the first and the farthest cell
with content, so a 5 KB .xlsx holding one stray cell at ``XFD1048576`` asks for 512 GiB and aborts
the process; a zip of a few MB can unpack to gigabytes. This module reads a workbook's structure
with bounded memory — every part streamed in 1 MB chunks — and raises ``UnreadableFile`` (a
Chinese message naming the file's sheet, what was found and what to do) when a bound of
``data_loaders.limits`` is exceeded. On the way it collects what the loaders need anyway: each
sheet's visibility, merged cells in the header area, and formula cells saved without a value.

How a sheet of an .xlsx is checked, cheaply for the files real offices send: the sheet's declared
``<dimension>`` is taken as the grid, and one RE2 pass per chunk (pyarrow, no Python per cell)
looks for anything that could make the reader's grid larger than that (a cell outside it, a cell
without a position) or that needs a closer look (a formula); only chunks where it finds one are
examined in Python. Sheets with an odd structure (no cell positions, namespace prefixes, comments)
are walked with expat instead, the way calamine positions cells. Legacy .xls files are checked by
walking their BIFF records (every cell record names its row and column).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data_loaders.limits import (
    ENV_MAX_CELLS,
    ENV_MAX_UNPACKED_MB,
    HEADER_AREA_ROWS,
    MAX_MERGES_READ,
    MAX_STRUCTURE_BYTES,
    MAX_ZIP_ENTRIES,
    Limits,
)

CHUNK = 1 << 20

CORRUPT = "无法读取文件：文件已损坏或不是Excel文件。请用Excel打开确认内容后“另存为”.xlsx再导入"
PROTECTED = "无法读取文件：文件可能设置了打开密码或已损坏。请取消密码（或用Excel打开后“另存为”.xlsx）再导入"
UNSUPPORTED = "不支持{what}格式：请用Excel或WPS打开后“另存为”.xlsx再导入"


class UnreadableFile(Exception):
    """The file cannot be (or must not be) read as a spreadsheet. ``str(exc)`` is a Chinese message
    for the user; ``code`` the Problem code; ``sheet`` the sheet it is about ("" for the file)."""

    def __init__(self, message: str, code: str = "unreadable", sheet: str = ""):
        super().__init__(message)
        self.code = code
        self.sheet = sheet


@dataclass(frozen=True)
class FormulaCell:
    """A formula saved without its value: the reader would see an empty cell."""

    row: int  # as Excel shows it (1-based)
    col: int  # sheet column, 0-based (A = 0)
    formula: str


@dataclass
class SheetFacts:
    """What the inspection learnt about one sheet. Columns are 0-based sheet columns (A = 0)."""

    name: str
    state: str = "visible"  # visible / hidden / veryHidden
    part: str | None = None  # the sheet's part in the zip (.xlsx)
    max_row: int = 0  # farthest row with content (1-based); 0 when the sheet is empty
    first_col: int | None = None  # first column of the reader's grid, when known exactly
    declared: tuple[int, int] | None = None  # the <dimension>'s first and last column
    last_col: int = -1
    cells: int = 0  # cells with content (an upper bound on the fast path)
    formulas: list[FormulaCell] = field(default_factory=list)  # the first 200
    formula_count: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # header area only
    unreadable: bool = False  # the reader would fail on this sheet (e.g. a malformed cell position)

    @property
    def hidden(self) -> bool:
        return self.state != "visible"


@dataclass
class WorkbookFacts:
    kind: str  # "xlsx" or "xls"
    sheets: list[SheetFacts]

    def get(self, name: str) -> SheetFacts | None:
        return next((s for s in self.sheets if s.name == name), None)


# ---------------------------------------------------------------- messages


def column_letters(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str | bytes) -> int:
    """A → 0 (upper or lower case, as calamine reads cell positions)."""
    index = 0
    for letter in letters.upper() if isinstance(letters, str) else letters.upper().decode("ascii"):
        index = index * 26 + ord(letter) - 64
    return index - 1


def _grid_refusal(sheet: str, max_row: int, first_col: int, last_col: int, cells: int | None,
                  limits: Limits) -> UnreadableFile:
    width = last_col - first_col + 1
    found = (f"有内容的单元格一直延伸到第 {max_row:,} 行、{column_letters(last_col)} 列"
             f"（右下角 {column_letters(last_col)}{max_row}），读取时要铺开 {max_row:,} 行 × {width:,} 列、"
             f"约 {max_row * width:,} 个单元格")
    if cells is not None:
        found = f"有 {cells:,} 个有内容的单元格"
    return UnreadableFile(
        f"工作表「{sheet}」的数据区域过大：{found}，超过上限 {limits.max_cells:,} 个单元格，已拒绝导入"
        "（为保护服务器，未读取其中内容）。多半是表格下方或右侧很远处误填了内容：请用Excel或WPS打开，"
        "按 Ctrl+End 找到最后一个单元格，删除表格之外多余的行和列后保存，再导入；"
        f"确需导入这么大的表格，请分成几个文件，或请管理员调高 {ENV_MAX_CELLS}。",
        "too_many_cells", sheet)


def _unpacked_refusal(found: str, limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        f"文件解压后{found}，超过上限 {limits.max_unpacked_mb} MB，不像正常的报表文件，已拒绝导入"
        "（为保护服务器，未读取其中内容）。请用Excel或WPS打开文件，删除不需要的工作表、图片和表格之外的内容，"
        "“另存为”新的 .xlsx 再导入；确需导入更大的文件，请分成几个文件，"
        f"或请管理员调高 {ENV_MAX_UNPACKED_MB}。",
        "too_large_unpacked")


def file_size_refusal(size: int, what: str, limits: Limits) -> UnreadableFile:
    """A .xls or .csv larger than the unpacked bound."""
    return UnreadableFile(
        f"文件有 {size / (1 << 20):,.0f} MB，超过{what}文件的上限 {limits.max_unpacked_mb} MB，已拒绝导入。"
        f"请分成几个文件导入，或请管理员调高 {ENV_MAX_UNPACKED_MB}。",
        "too_large_file")


def csv_refusal(rows: int, width: int, cells: int, limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        f"CSV文件的数据区域过大：{rows:,} 行 × 最多 {width:,} 列（{cells:,} 个单元格），"
        f"超过上限 {limits.max_cells:,} 个单元格，已拒绝导入。请检查是否有一行的逗号异常多"
        f"（如整段文字未加引号），或分成几个文件导入；确需导入，请管理员调高 {ENV_MAX_CELLS}。",
        "too_many_cells")


class _Budget:
    """Bytes actually inflated so far, against the unpacked bound."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.used = 0

    def add(self, n: int) -> None:
        self.used += n
        if self.used > self.limits.max_unpacked_bytes:
            raise _unpacked_refusal(f"超过 {self.limits.max_unpacked_mb} MB", self.limits)


# ---------------------------------------------------------------- .xlsx


def inspect_xlsx(source: Path | bytes, limits: Limits) -> WorkbookFacts:
    """Check every part of an .xlsx against ``limits`` and describe its sheets (in workbook order).

    Raises ``UnreadableFile`` for a corrupt zip, a format this reader does not take (.ods, .xlsb)
    and a file over a bound."""
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    except OSError as exc:
        raise UnreadableFile(f"无法打开文件：{source}") from exc
    with handle:
        return _inspect_zip(handle, limits)


def _inspect_zip(handle, limits: Limits) -> WorkbookFacts:
    _check_entry_count(handle)
    try:
        book = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile(CORRUPT) from exc
    with book:
        infos = book.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > limits.max_unpacked_bytes:
            raise _unpacked_refusal(f"有 {declared / (1 << 20):,.0f} MB", limits)
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names:
            if "content.xml" in names:
                raise UnreadableFile(UNSUPPORTED.format(what="OpenDocument（.ods）"), "unsupported_format")
            if "xl/workbook.bin" in names:
                raise UnreadableFile(UNSUPPORTED.format(what="Excel二进制工作簿（.xlsb）"), "unsupported_format")
            raise UnreadableFile(CORRUPT)
        budget = _Budget(limits)
        try:
            sheets = _workbook_sheets(book, names, budget)
            scanned = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
            for sheet in sheets:
                if sheet.part is not None and sheet.part not in scanned:
                    _scan_sheet(book, sheet, limits, budget)
                    scanned.add(sheet.part)
            for info in infos:  # the other parts a reader may parse (shared strings, styles, …)
                if info.filename not in scanned and info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    _drain(book, info.filename, budget)
        except UnreadableFile:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError, ElementTree.ParseError) as exc:
            raise UnreadableFile(CORRUPT) from exc
    return WorkbookFacts("xlsx", sheets)


def _check_entry_count(handle) -> None:
    """Refuse a zip whose directory lists absurdly many parts before ``zipfile`` builds an object
    for each (a 49 MB upload could list a million)."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - 65_557))
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return  # zipfile reports the damage
    entries = struct.unpack_from("<H", tail, at + 10)[0]
    if entries == 0xFFFF and at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        entries = MAX_ZIP_ENTRIES + 1  # ZIP64 directories only matter beyond 65,535 parts
    handle.seek(0)
    if entries > MAX_ZIP_ENTRIES:
        raise UnreadableFile(f"文件内部由 {entries:,} 个部分组成，不是正常的Excel文件，已拒绝导入："
                             "请用Excel打开后“另存为”.xlsx再导入", "too_large_unpacked")


def _read_small(book: zipfile.ZipFile, name: str, budget: _Budget) -> bytes:
    with book.open(name) as stream:
        data = stream.read(MAX_STRUCTURE_BYTES + 1)
    if len(data) > MAX_STRUCTURE_BYTES:
        raise UnreadableFile(CORRUPT)
    budget.add(len(data))
    return data


def _drain(book: zipfile.ZipFile, name: str, budget: _Budget) -> None:
    with book.open(name) as stream:
        while chunk := stream.read(CHUNK):
            budget.add(len(chunk))


_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _workbook_sheets(book: zipfile.ZipFile, names: set[str], budget: _Budget) -> list[SheetFacts]:
    """Sheets in workbook order with their visibility and part, as calamine resolves them."""
    workbook = ElementTree.fromstring(_read_small(book, "xl/workbook.xml", budget))
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for element in ElementTree.fromstring(_read_small(book, "xl/_rels/workbook.xml.rels", budget)).iter():
            if element.tag.endswith("}Relationship") or element.tag == "Relationship":
                targets[element.get("Id", "")] = element.get("Target", "")
    sheets = []
    for element in workbook.iter():
        if not (element.tag.endswith("}sheet") or element.tag == "sheet"):
            continue
        rel = element.get(_REL_ID) or next((v for k, v in element.attrib.items() if k.endswith("}id")), "")
        target = targets.get(rel, "")
        if target.startswith("/"):
            part = target[1:]
        elif target.startswith("xl/"):
            part = target
        else:
            part = "xl/" + target
        sheets.append(SheetFacts(name=element.get("name", ""), state=element.get("state", "visible"),
                                 part=part if part in names else None))
    return sheets


# The reader's grid can only outgrow the declared <dimension> through one of these; each pattern is
# valid for both RE2 (the fast pass) and Python's re (the closer look at a flagged chunk).
_STRUCTURE = (
    rb"<[!?]"  # comments, CDATA, DOCTYPE, processing instructions among the cells
    rb"|<[A-Za-z_][\w.\-]*:(?:c|row|f|v|is|sheetData)[\s/>]"  # namespace prefixes on cell tags
    rb"|<c[/>]"  # a cell without a position
    rb"|<c\s+(?:[^r\s]|r[^\s=])"  # a cell whose first attribute is not its position
    rb"|<c\s+r\s*=\s*[\"'](?:[^A-Za-z]|[A-Za-z]{4}|[A-Za-z][^A-Za-z1-9]|[A-Za-z]{2}[^A-Za-z1-9]"
    rb"|[A-Za-z]{3}[^1-9]|[A-Za-z]{1,3}[0-9]{8}|[A-Za-z]{1,3}[1-9][0-9]{0,6}[^0-9\"'])"  # odd positions
)
_FORMULA = rb"<f[\s/>]"
_CELL_RE = re.compile(rb"<c\s+r\s*=\s*[\"']([A-Za-z]{1,3})([1-9][0-9]{0,6})[\"']([^>]*)>")
_CELL_TYPE_RE = re.compile(rb"\st\s*=\s*[\"']([A-Za-z]+)[\"']")
_VALUE_RE = re.compile(rb"<v(?:\s[^>]*)?>([^<]*)</v>")
_FORMULA_TEXT_RE = re.compile(rb"<f(?:\s[^>]*)?>([^<]*)</f>")
_DIMENSION_RE = re.compile(
    rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?[\"']")
_SHEET_DATA_START_RE = re.compile(rb"<(?:\w+:)?sheetData(\s*/)?\s*>")
_SHEET_DATA_END_RE = re.compile(rb"</(?:\w+:)?sheetData\s*>")
_PREFIXED_ROOT_RE = re.compile(rb"<[A-Za-z_][\w.\-]*:worksheet[\s>]")
_MERGE_RE = re.compile(
    rb"<(?:\w+:)?mergeCell\s+ref\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?[\"']")
_MAX_FORMULAS_KEPT = 200


def _empty(cell: re.Match, data: bytes) -> bool:
    """A formatted cell without a value: ``<c r="A5" s="1"/>`` or ``<c r="A5" s="1"></c>``
    (openpyxl writes the latter). The reader skips both."""
    return cell.group(3).rstrip().endswith(b"/") or data.startswith(b"</c>", cell.end())


def _greater_number(n: int) -> bytes:
    """A regex for the decimal numbers (no leading zero) greater than ``n``: more digits, or as
    many digits and a greater one at the first difference."""
    s = str(n)
    alternatives = [f"[1-9][0-9]{{{len(s)}}}"]
    for i, digit in enumerate(s):
        if digit != "9":
            rest = len(s) - i - 1
            alternatives.append(s[:i] + f"[{int(digit) + 1}-9]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return ("(?:" + "|".join(alternatives) + ")").encode()


def _greater_column(col: int) -> bytes:
    """A regex for the upper-case column letters after column ``col`` (0-based), each followed by
    a digit so that the letters are the whole column part of a cell position."""
    s = column_letters(col)
    alternatives = [f"[A-Z]{{{len(s) + 1}}}"] if len(s) < 3 else []
    for i, letter in enumerate(s):
        if letter != "Z":
            rest = len(s) - i - 1
            alternatives.append(s[:i] + f"[{chr(ord(letter) + 1)}-Z]" + (f"[A-Z]{{{rest}}}" if rest else "")
                                + "[1-9]")
    return ("(?:" + "|".join(alternatives) + ")").encode()


def _outside(max_row: int, last_col: int) -> bytes:
    """Cell positions beyond the declared last row or column, or in lower case (legal, rare)."""
    return (rb"<c\s+r\s*=\s*[\"'](?:" + _greater_column(last_col) + rb"|[A-Za-z]{1,3}" + _greater_number(max_row)
            + rb"|[a-z]|[A-Z][a-z]|[A-Z]{2}[a-z])")


class _OddStructure(Exception):
    """The fast pass cannot vouch for this sheet: walk it with expat."""


class _SheetScan:
    """One pass over a sheet part: the fast RE2 check per chunk of whole rows, a closer look at the
    chunks it flags, then the merged cells after the cell data."""

    def __init__(self, facts: SheetFacts, limits: Limits, budget: _Budget):
        self.facts = facts
        self.limits = limits
        self.budget = budget
        self.inflated = 0  # bytes of this part, to give back to the budget if it is read again
        self.flag: bytes = b""
        self.flag_re: re.Pattern | None = None
        self.bounded = False  # the declared dimension bounds the grid, until a cell says otherwise
        self.check = not facts.hidden  # a hidden sheet is never read: its grid cannot hurt
        self.first: int | None = None  # first column with content (exact walk only)
        self.lt = 0  # '<' seen in the cell data: each cell with content has at least four

    def read(self, stream) -> bytes:
        chunk = stream.read(CHUNK)
        self.inflated += len(chunk)
        self.budget.add(len(chunk))
        return chunk

    def run(self, stream) -> None:
        head, start = b"", None
        while start is None:
            chunk = self.read(stream)
            if not chunk:
                return  # no cell data (a chart sheet): nothing for the grid
            head += chunk
            start = _SHEET_DATA_START_RE.search(head)
            if start is None and len(head) > MAX_STRUCTURE_BYTES:
                raise UnreadableFile(CORRUPT, sheet=self.facts.name)
        prologue = head[:start.start()]
        if _PREFIXED_ROOT_RE.search(prologue) or b"<!" in prologue or b"\x00" in prologue:
            raise _OddStructure  # prefixes, a DOCTYPE, UTF-16: only expat reads these right
        self._bound(_DIMENSION_RE.search(prologue))
        rest = head[start.end():]
        if start.group(1):  # <sheetData/>: an empty sheet
            self._merges(stream, rest)
            return
        carry = rest
        while True:
            chunk = self.read(stream)
            window = carry + chunk
            cut = window.rfind(b"</row>")
            end = _SHEET_DATA_END_RE.search(window, max(0, cut))
            if end is not None:
                self._cells(window[:end.start()])
                self._merges(stream, window[end.end():])
                return
            if not chunk:
                self._cells(window)  # no </sheetData>: the reader fails on it; nothing more to count
                return
            if cut < 0:
                if len(window) > MAX_STRUCTURE_BYTES:
                    raise UnreadableFile(f"工作表「{self.facts.name}」中有一行内容超过 {MAX_STRUCTURE_BYTES >> 20} MB，"
                                         "不是正常的表格，已拒绝导入：请用Excel打开后“另存为”.xlsx再导入",
                                         "too_large_unpacked", self.facts.name)
                carry = window
                continue
            self._cells(window[:cut + 6])
            carry = window[cut + 6:]

    def _bound(self, dimension: re.Match | None) -> None:
        facts = self.facts
        if dimension is not None:
            c1, r1 = column_index(dimension.group(1)), int(dimension.group(2))
            c2 = column_index(dimension.group(3)) if dimension.group(3) else c1
            r2 = int(dimension.group(4)) if dimension.group(4) else r1
            # a plausible dimension (within the bound) stands for the grid; a huge one is checked cell by cell
            if 0 <= c1 <= c2 <= 16383 and 1 <= r1 <= r2 and r2 * (c2 + 1) <= self.limits.max_cells:
                facts.declared = (c1, c2)
                facts.max_row, facts.last_col = r2, c2
                self.bounded = True
        outside = _outside(facts.max_row, facts.last_col) if self.bounded else rb"<c\s"
        self.flag = rb"|".join((_STRUCTURE, _FORMULA, outside)).decode("ascii")
        self.flag_re = re.compile(rb"|".join((_STRUCTURE, outside)))

    def _cells(self, part: bytes) -> None:
        """Whole rows of cell data: the fast check, and a closer look when it flags something."""
        if not part:
            return
        self.lt += int(np.count_nonzero(np.frombuffer(part, dtype=np.uint8) == 60))
        # one binary value over the chunk's own memory (no copy into Arrow)
        chunk = pa.Array.from_buffers(pa.binary(), 1, [None, pa.py_buffer(np.array([0, len(part)], np.int32)),
                                                       pa.py_buffer(part)])
        flagged = pc.count_substring_regex(chunk, self.flag)[0].as_py()
        if flagged:
            self._look_closer(part)

    def _look_closer(self, part: bytes) -> None:
        if re.search(_STRUCTURE, part):
            raise _OddStructure
        for found in self.flag_re.finditer(part):
            cell = _CELL_RE.match(part, found.start())
            if cell is None:
                raise _OddStructure
            if _empty(cell, part):
                continue  # a formatted empty cell: the reader skips it
            self._extend(int(cell.group(2)), column_index(cell.group(1)))
        for formula in re.finditer(_FORMULA, part):
            start = part.rfind(b"<c", 0, formula.start())
            end = part.find(b"</c>", formula.start())
            cell = _CELL_RE.match(part, start) if start >= 0 else None
            if cell is None or end < 0:
                raise _OddStructure
            self._formula(int(cell.group(2)), column_index(cell.group(1)), cell.group(3), part[cell.end():end])

    def _extend(self, row: int, col: int) -> None:
        facts = self.facts
        facts.max_row = max(facts.max_row, row)
        facts.last_col = max(facts.last_col, col)
        if self.bounded:  # cells left of the declared first column are not looked at: count from A
            first = 0
        else:
            first = self.first = col if self.first is None else min(self.first, col)
            facts.cells += 1
        if self.check and facts.max_row * (facts.last_col - first + 1) > self.limits.max_cells:
            raise _grid_refusal(facts.name, facts.max_row, first, facts.last_col, None, self.limits)
        if self.check and facts.cells > self.limits.max_cells:
            raise _grid_refusal(facts.name, facts.max_row, first, facts.last_col, facts.cells, self.limits)

    def _formula(self, row: int, col: int, attributes: bytes, inner: bytes) -> None:
        value = _VALUE_RE.search(inner)
        cell_type = _CELL_TYPE_RE.search(attributes)
        text_result = cell_type is not None and cell_type.group(1) in (b"str", b"inlineStr")
        if value is not None and (value.group(1) or text_result) or b"<is" in inner:
            return  # the value Excel saved is what the reader uses
        formula = _FORMULA_TEXT_RE.search(inner)
        record_formula(self.facts, row, col, formula.group(1).decode("utf-8", "replace") if formula else "")

    def _merges(self, stream, rest: bytes) -> None:
        """Merged cells after the cell data: parsed up to a bound, kept in the header area only;
        the rest of the part is only inflated (its size still counts)."""
        facts = self.facts
        read = 0
        window = rest
        while True:
            if read < MAX_MERGES_READ:
                cut = window.rfind(b">") + 1
                for found in _MERGE_RE.finditer(window, 0, cut):
                    read += 1
                    keep_merge(facts, found)
                    if read >= MAX_MERGES_READ:
                        break
                window = window[cut:][-4096:]
            chunk = self.read(stream)
            if not chunk:
                return
            window = window + chunk if read < MAX_MERGES_READ else b""

    def finish(self) -> None:
        facts = self.facts
        if self.bounded:
            facts.cells = self.lt // 4
            if self.check and facts.cells > self.limits.max_cells:
                raise _CountCells
        else:
            facts.first_col = self.first
        if facts.max_row == 0:
            facts.last_col = -1


class _CountCells(Exception):
    """The cheap bound on cells with content is over the limit: count them closer."""


def _count_closed_cells(book: zipfile.ZipFile, part: str) -> int:
    """Cells that are not self-closing (``</c>``): those with content and a few empty ones. The part
    was counted against the budget already and the fast pass vouched for its structure."""
    count, tail = 0, b""
    with book.open(part) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            count += window.count(b"</c>")
            tail = window[-3:]  # a tag split between chunks is counted once, in the next window
    return count


def record_formula(facts: SheetFacts, row: int, col: int, formula: str) -> None:
    facts.formula_count += 1
    if len(facts.formulas) < _MAX_FORMULAS_KEPT:
        facts.formulas.append(FormulaCell(row, col, "=" + formula if formula else ""))


def keep_merge(facts: SheetFacts, found: re.Match) -> None:
    r1, c1 = int(found.group(2)), column_index(found.group(1))
    r2 = int(found.group(4)) if found.group(4) else r1
    c2 = column_index(found.group(3)) if found.group(3) else c1
    if 1 <= r1 <= HEADER_AREA_ROWS and r1 <= r2 and c1 <= c2 and len(facts.merges) < 10_000:
        facts.merges.append((r1 - 1, c1, r2 - 1, c2))


def _scan_sheet(book: zipfile.ZipFile, facts: SheetFacts, limits: Limits, budget: _Budget) -> None:
    scan = _SheetScan(facts, limits, budget)
    try:
        with book.open(facts.part) as stream:
            scan.run(stream)
        scan.finish()
        return
    except _CountCells:
        facts.cells = _count_closed_cells(book, facts.part)
        if facts.cells <= limits.max_cells:
            return
        raise _grid_refusal(facts.name, facts.max_row, 0, facts.last_col, facts.cells, limits) from None
    except _OddStructure:
        pass
    budget.used -= scan.inflated  # read again, exactly
    exact = SheetFacts(name=facts.name, state=facts.state, part=facts.part)
    _walk_sheet(book, exact, limits, budget)
    vars(facts).update(vars(exact))


def first_content_column(source: Path | bytes, facts: SheetFacts) -> int | None:
    """The first column holding a value, where the reader's grid starts, for a sheet whose declared
    dimension also counts formatted empty columns. Streamed like the inspection (which found every
    cell of this sheet positioned by its ``r``); only needed for merged header cells."""
    if facts.part is None:
        return None
    first = None
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as book:
        with book.open(facts.part) as stream:
            carry = b""
            while chunk := stream.read(CHUNK):
                window = carry + chunk
                cut = window.rfind(b">") + 1
                for cell in _CELL_RE.finditer(window, 0, cut):
                    if not _empty(cell, window):
                        col = column_index(cell.group(1))
                        first = col if first is None else min(first, col)
                carry = window[cut:][-4096:]
                if first == 0:
                    break
    return first


def _walk_sheet(book: zipfile.ZipFile, facts: SheetFacts, limits: Limits, budget: _Budget) -> None:
    """The exact walk: every element through expat, cells positioned the way calamine does
    (its ``r`` attribute, else the row's and the running column)."""
    walk = _Walk(facts, limits)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = walk.start
    parser.EndElementHandler = walk.end
    parser.CharacterDataHandler = walk.text
    parser.StartDoctypeDeclHandler = walk.doctype
    with book.open(facts.part) as stream:
        while chunk := stream.read(CHUNK):
            budget.add(len(chunk))
            if walk.done:
                continue  # only counted from here on
            try:
                parser.Parse(chunk, False)
            except expat.ExpatError:
                facts.unreadable = walk.done = True  # calamine refuses malformed XML too
            except _Walk.Stop:
                walk.done = True
    facts.first_col = walk.first_col if facts.max_row else None


class _Walk:
    class Stop(Exception):
        pass

    def __init__(self, facts: SheetFacts, limits: Limits):
        self.facts = facts
        self.limits = limits
        self.row = 0  # 0-based row of the next cell without a position
        self.col = 0
        self.first_col: int | None = None
        self.cell: tuple[int, int] | None = None
        self.cell_type = ""
        self.has_value = self.has_inline = self.has_formula = False
        self.value: list[str] = []
        self.formula: list[str] = []
        self.collect: list[str] | None = None
        self.in_data = False
        self.merges = 0
        self.done = False

    def doctype(self, *args) -> None:
        raise expat.ExpatError("DOCTYPE in a worksheet")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "c" and self.in_data:
            ref = attrs.get("r")
            if ref is not None:
                position = _parse_position(ref)
                if position is None:
                    self.facts.unreadable = True
                    raise self.Stop
                self.row, self.col = position
            self.cell = (self.row, self.col)
            self.cell_type = attrs.get("t", "")
            self.has_value = self.has_inline = self.has_formula = False
            self.value, self.formula = [], []
        elif local == "row" and self.in_data:
            ref = attrs.get("r")
            if ref is not None:
                if not ref.isdigit() or len(ref) > 7:
                    self.facts.unreadable = True
                    raise self.Stop
                self.row = int(ref) - 1
        elif local == "v" and self.cell is not None:
            self.has_value = True
            self.collect = self.value
        elif local == "f" and self.cell is not None:
            self.has_formula = True
            self.collect = self.formula
        elif local == "is" and self.cell is not None:
            self.has_inline = True
        elif local == "sheetData":
            self.in_data = True
        elif local == "mergeCell" and not self.in_data:
            self.merges += 1
            found = _MERGE_RE.match(f'<mergeCell ref="{attrs.get("ref", "")}"'.encode())
            if found is not None:
                keep_merge(self.facts, found)
            if self.merges >= MAX_MERGES_READ:
                raise self.Stop

    def text(self, data: str) -> None:
        if self.collect is not None and sum(map(len, self.collect)) < 1000:
            self.collect.append(data)

    def end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local in ("v", "f"):
            self.collect = None
        elif local == "c" and self.cell is not None:
            row, col = self.cell
            value = "".join(self.value)
            saved = self.has_inline or self.has_value and (value or self.cell_type in ("str", "inlineStr"))
            if self.has_formula and not saved:
                record_formula(self.facts, row + 1, col, "".join(self.formula))
            if self.has_inline or value:
                self.content(row + 1, col)
            self.cell = None
            self.col = col + 1
        elif local == "row" and self.in_data:
            self.row += 1
            self.col = 0
        elif local == "sheetData":
            self.in_data = False

    def content(self, row: int, col: int) -> None:
        facts = self.facts
        facts.cells += 1
        facts.max_row = max(facts.max_row, row)
        facts.last_col = max(facts.last_col, col)
        self.first_col = col if self.first_col is None else min(self.first_col, col)
        if facts.hidden:
            return
        if facts.max_row * (facts.last_col - self.first_col + 1) > self.limits.max_cells:
            raise _grid_refusal(facts.name, facts.max_row, self.first_col, facts.last_col, None, self.limits)
        if facts.cells > self.limits.max_cells:
            raise _grid_refusal(facts.name, facts.max_row, self.first_col, facts.last_col, facts.cells, self.limits)


_POSITION_RE = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


def _parse_position(ref: str) -> tuple[int, int] | None:
    """``"B3"`` → (2, 1): 0-based row and column; None where calamine would fail."""
    found = _POSITION_RE.fullmatch(ref)
    if found is None or int(found.group(2)) == 0:
        return None
    return int(found.group(2)) - 1, column_index(found.group(1))


# ---------------------------------------------------------------- .xls (OLE2 + BIFF8)


_CELL_RECORDS = {0x0006, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E}  # cells holding a value
_MULRK, _EOF, _BOUNDSHEET, _MERGEDCELLS = 0x00BD, 0x000A, 0x0085, 0x00E5
_ENDOFCHAIN = 0xFFFFFFFE


def inspect_xls(data: bytes, limits: Limits) -> WorkbookFacts:
    """Sheets of a legacy .xls with their visibility, grid and merged cells, from its BIFF records;
    raises ``UnreadableFile`` for a damaged or password-protected file and a grid over the bound."""
    stream = _ole_stream(data)
    sheets: list[tuple[int, SheetFacts]] = []
    for kind, body, length in _records(stream, 0):  # the workbook globals, up to their EOF
        if kind == _BOUNDSHEET and length >= 8:
            offset, state, sheet_type = struct.unpack_from("<IBB", stream, body)
            if sheet_type == 0:  # worksheets only; charts and macros are not tables
                sheets.append((offset, SheetFacts(
                    name=_boundsheet_name(stream[body + 6:body + length]),
                    state={0: "visible", 1: "hidden"}.get(state & 3, "veryHidden"))))
    for offset, facts in sheets:  # each sheet from its own BOF, where the reader starts too
        first: int | None = None
        for kind, body, length in _records(stream, offset):
            if (kind in _CELL_RECORDS or kind == _MULRK) and length >= 6:
                row, col = struct.unpack_from("<HH", stream, body)
                last = struct.unpack_from("<H", stream, body + length - 2)[0] if kind == _MULRK else col
                if last < col:
                    continue
                first = col if first is None else min(first, col)
                facts.cells += last - col + 1
                facts.max_row = max(facts.max_row, row + 1)
                facts.last_col = max(facts.last_col, last)
                if facts.hidden:
                    continue
                if facts.max_row * (facts.last_col - first + 1) > limits.max_cells:
                    raise _grid_refusal(facts.name, facts.max_row, first, facts.last_col, None, limits)
                if facts.cells > limits.max_cells:
                    raise _grid_refusal(facts.name, facts.max_row, first, facts.last_col, facts.cells, limits)
            elif kind == _MERGEDCELLS and length >= 2:
                count = min(struct.unpack_from("<H", stream, body)[0], (length - 2) // 8)
                for r1, r2, c1, c2 in struct.iter_unpack("<HHHH", stream[body + 2:body + 2 + 8 * count]):
                    if r1 < HEADER_AREA_ROWS and r1 <= r2 and c1 <= c2 and len(facts.merges) < 10_000:
                        facts.merges.append((r1, c1, r2, c2))
        facts.first_col = first
    return WorkbookFacts("xls", [facts for _, facts in sheets])


def _records(stream: bytes, pos: int):
    """(type, body offset, length) of the BIFF records from ``pos`` to the substream's EOF."""
    size = len(stream)
    while pos + 4 <= size:
        kind, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > size:
            return
        yield kind, pos + 4, length
        if kind == _EOF:
            return
        pos += 4 + length


def _boundsheet_name(raw: bytes) -> str:
    """BIFF8's short Unicode string: a length, a flags byte, then Latin-1 or UTF-16 characters."""
    if len(raw) < 2:
        return ""
    length, flags = raw[0], raw[1]
    if flags & 1:
        return raw[2:2 + 2 * length].decode("utf-16-le", "replace")
    return raw[2:2 + length].decode("latin-1")


def _ole_stream(data: bytes) -> bytes:
    """The ``Workbook`` (or ``Book``) stream of an OLE2 compound file, following its sector chains
    with every index checked (a damaged or hostile file cannot loop or read outside the file)."""
    try:
        return _ole_stream_unchecked(data)
    except (struct.error, IndexError, ValueError) as exc:
        raise UnreadableFile(PROTECTED) from exc


def _ole_stream_unchecked(data: bytes) -> bytes:
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise ValueError("sector size")
    sector = 1 << shift
    n_sectors = (len(data) - 512) // sector + 1
    (n_fat, dir_start, _, cutoff, minifat_start, n_minifat, difat_start, n_difat) = struct.unpack_from(
        "<IIIIIIII", data, 0x2C)

    def at(index: int) -> int:
        if index >= n_sectors:
            raise ValueError("sector out of range")
        return (index + 1) * sector

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    next_difat, seen = difat_start, 0
    while next_difat < _ENDOFCHAIN and seen <= n_sectors:
        entries = struct.unpack_from(f"<{sector // 4}I", data, at(next_difat))
        fat_sectors += entries[:-1]
        next_difat = entries[-1]
        seen += 1
    fat_sectors = [s for s in fat_sectors[:n_fat] if s < _ENDOFCHAIN]
    fat = np.concatenate([np.frombuffer(data, "<u4", sector // 4, at(s)) for s in fat_sectors]) \
        if fat_sectors else np.zeros(0, "<u4")

    def chain(start: int, table: np.ndarray, limit: int) -> list[int]:
        out = []
        while start < _ENDOFCHAIN:
            if start >= len(table) or len(out) > limit:
                raise ValueError("broken chain")
            out.append(start)
            start = int(table[start])
        return out

    def read(start: int) -> bytes:
        return b"".join(data[at(s):at(s) + sector] for s in chain(start, fat, n_sectors))

    directory = read(dir_start)
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    root = entries[0]
    for entry in entries:
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(0, name_length - 2)].decode("utf-16-le", "replace")
        if entry[66] != 2 or name not in ("Workbook", "Book"):
            continue
        start, size = struct.unpack_from("<II", entry, 116)
        if size > len(data):
            raise ValueError("stream larger than the file")
        if size >= cutoff:
            return read(start)[:size]
        mini_stream = read(struct.unpack_from("<I", root, 116)[0])
        minifat = np.frombuffer(read(minifat_start), "<u4") if n_minifat else np.zeros(0, "<u4")
        pieces = chain(start, minifat, len(mini_stream) // 64 + 1)
        return b"".join(mini_stream[s * 64:(s + 1) * 64] for s in pieces)[:size]
    raise ValueError("no Workbook stream")  # e.g. an encrypted .xlsx inside an OLE box
