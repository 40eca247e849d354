"""Bytes or a path → raw sheets: every cell as text, indexed by the row number Excel shows.

Workbooks (.xlsx, .xlsm, .xls) are read with fastexcel (calamine → Arrow), every column as text,
so a sheet of 100,000 rows costs well under a second and cells look the same whatever the format:
Excel dates arrive as ``2026-07-03 00:00:00``, numbers as ``85`` / ``2.5``. Before fastexcel sees
a workbook, ``inspection`` checks it against the bounds of ``limits`` (a file over one is refused
with a message) and learns each sheet's visibility, merged header cells and formulas saved without
a value; hidden sheets are never read. CSV files are decoded as UTF-8 (with or without BOM), then
GB18030 (a superset of GBK), within the same bounds. The format is decided by the file's first
bytes, then by its extension.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import pandas as pd

from data_loaders.inspection import (
    CORRUPT,
    PROTECTED,
    SheetFacts,
    UnreadableFile,
    WorkbookFacts,
    csv_refusal,
    file_size_refusal,
    first_content_column,
    inspect_xls,
    inspect_xlsx,
)
from data_loaders.limits import Limits, current_limits

__all__ = ["RawSheet", "UnreadableFile", "read_sheets"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}


@dataclass
class RawSheet:
    """One sheet as text. ``grid`` has columns 0..n-1 (pandas ``str``, NA for empty cells) and the
    Excel row number (1-based) as index. A hidden sheet is listed with an empty grid (never read)."""

    name: str
    grid: pd.DataFrame
    hidden: bool = False
    error: str | None = None  # set when this one sheet could not be read
    source: Path | bytes | None = None  # the workbook, to look up merged cells when needed
    facts: SheetFacts | None = None  # what the inspection found (.xlsx, .xls)
    _merges: list[tuple[int, int, int, int]] | None = field(default=None, repr=False)

    @property
    def has_content(self) -> bool:
        """Whether the sheet holds any cell with a value (also for a hidden sheet, not read)."""
        if self.facts is not None and self.hidden:
            return self.facts.max_row > 0
        return bool(self.grid.notna().to_numpy().any())

    @property
    def column_offset(self) -> int | None:
        """The sheet column (0-based, A = 0) of grid column 0, when it is known."""
        facts = self.facts
        if facts is None:
            return 0 if self.source is None else None
        if facts.first_col is None and facts.declared is not None:
            # The declared dimension may also count formatted empty columns: equal widths mean
            # the grid starts where it does; otherwise the cells say where.
            if facts.declared[1] - facts.declared[0] + 1 == self.grid.shape[1]:
                facts.first_col = facts.declared[0]
            elif self.source is not None:
                facts.first_col = first_content_column(self.source, facts)
        return facts.first_col

    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        """Merged cells in the header area as (first_row, first_col, last_row, last_col) in grid
        positions (0-based), as the inspection found them; [] for CSV or when the grid's first
        column cannot be told (merges only refine header detection)."""
        if self._merges is None:
            offset = self.column_offset
            self._merges = [] if self.facts is None or offset is None else [
                (r1, c1 - offset, r2, c2 - offset) for r1, c1, r2, c2 in self.facts.merges if c2 >= offset]
        return self._merges


def read_sheets(source: str | Path | bytes, file_name: str, limits: Limits | None = None,
                rows: int | None = None) -> list[RawSheet]:
    """Every sheet of a workbook (or the single table of a CSV), in workbook order; with
    ``rows``, only each workbook sheet's first rows (enough to find its header: half the time of
    a whole 100,000-row sheet).

    Raises ``UnreadableFile`` for empty, corrupt, password-protected or unsupported files, and
    for files over a bound of ``limits`` (default: ``current_limits()``).
    """
    limits = limits or current_limits()
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            with path.open("rb") as handle:
                head = handle.read(8)
                size = path.stat().st_size
        except FileNotFoundError as exc:
            raise UnreadableFile(f"找不到文件：{path}") from exc
        except PermissionError as exc:
            raise UnreadableFile(f"没有权限读取文件：{path}") from exc
        except OSError as exc:
            raise UnreadableFile(f"无法打开文件：{path}") from exc
        data: bytes | None = None
    else:
        data = bytes(source)
        head = data[:8]
        size = len(data)
        path = None
    if not head:
        raise UnreadableFile("文件是空的（0字节），请检查是否上传了正确的文件")

    extension = Path(file_name).suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        workbook = path if data is None else data
        return _read_workbook(workbook, inspect_xlsx(workbook, limits), zipped=True, rows=rows)
    if head.startswith(_OLE_MAGIC):
        if size > limits.max_unpacked_bytes:
            raise file_size_refusal(size, ".xls", limits)
        data = path.read_bytes() if data is None else data
        return _read_workbook(data, inspect_xls(data, limits), zipped=False, rows=rows)
    if extension in _WORKBOOK_EXTENSIONS - {".xls"}:
        raise UnreadableFile("文件已损坏或不是Excel文件：请用Excel打开确认内容后“另存为”.xlsx再导入")
    if extension in _TEXT_EXTENSIONS or extension in (".xls", ""):
        if size > limits.max_unpacked_bytes:
            raise file_size_refusal(size, "文本（CSV）", limits)
        if data is None:
            data = path.read_bytes()
        text = _decode(data)
        if text.lstrip().lower().startswith(("<html", "<!doctype", "<?xml", "<table")):
            raise UnreadableFile(
                "这是网页（HTML/XML）格式的表格，不是真正的Excel文件：请用Excel打开后“另存为”.xlsx再导入"
            )
        # Some systems save tab- or comma-separated text as ".xls"; anything else is not a table.
        if extension == ".xls" and ("\x00" in text[:1000] or not any(sep in text for sep in ",\t")):
            raise UnreadableFile("文件已损坏或不是Excel文件：请用Excel打开确认内容后“另存为”.xlsx再导入")
        return [RawSheet(name="", grid=_parse_delimited(text, limits))]
    raise UnreadableFile(f"不支持的文件格式「{extension}」：请上传 .xlsx、.xls 或 .csv 文件")


def _read_workbook(source: Path | bytes, facts: WorkbookFacts, *, zipped: bool,
                   rows: int | None = None) -> list[RawSheet]:
    try:
        reader = fastexcel.read_excel(source if isinstance(source, bytes) else str(source))
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises its own error types for every bad workbook
        raise UnreadableFile(CORRUPT if zipped else PROTECTED) from exc
    by_position = len(facts.sheets) == len(names)
    sheets = []
    for i, name in enumerate(names):
        found = facts.get(name) or (facts.sheets[i] if by_position else None)
        if found is None or found.unreadable:  # never read what was not inspected
            sheets.append(RawSheet(name=name, grid=pd.DataFrame(), error="工作表无法读取，已跳过"))
            continue
        if found.hidden:  # not data (DOMAIN.md §3.7): listed, never read
            sheets.append(RawSheet(name=name, grid=pd.DataFrame(), hidden=True, facts=found))
            continue
        try:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string", n_rows=rows)
            if sheet.width == 0 or sheet.height == 0:
                grid = pd.DataFrame(dtype="str")
            else:
                grid = sheet.to_pandas()
        except Exception:  # one unreadable sheet (chart sheet, broken XML) must not sink the file
            sheets.append(RawSheet(name=name, grid=pd.DataFrame(), error="工作表无法读取，已跳过"))
            continue
        sheets.append(RawSheet(name=name, grid=_tidy(grid, blanks=False), source=source, facts=found))
    return sheets


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("无法识别文件编码：请用Excel打开后另存为 .xlsx，或另存为“CSV UTF-8”")


def _parse_delimited(text: str, limits: Limits) -> pd.DataFrame:
    sample = [line for line in text.splitlines()[:30] if line.strip()]
    delimiter = ","
    if sample and not any("," in line for line in sample) and any("\t" in line for line in sample):
        delimiter = "\t"
    rows, width, cells = [], 0, 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            cells += len(row)
            width = max(width, len(row))
            # rows are padded to the widest one below: bound that grid as well as the cells
            if cells > limits.max_cells or len(rows) * width > limits.max_cells:
                raise csv_refusal(len(rows), width, max(cells, len(rows) * width), limits)
    except csv.Error as exc:
        raise UnreadableFile(f"CSV文件格式有误：{exc}") from exc
    if not rows:
        return pd.DataFrame(dtype="str")
    rows = [row if len(row) == width else row + [""] * (width - len(row)) for row in rows]
    return _tidy(pd.DataFrame(rows, dtype="str"), blanks=True)


def _tidy(grid: pd.DataFrame, *, blanks: bool) -> pd.DataFrame:
    """Columns 0..n-1 as ``str``, index = Excel row number; ``blanks``: turn "" into NA (CSV)."""
    if grid.shape[1] == 0:
        return pd.DataFrame(index=pd.RangeIndex(1, len(grid) + 1))
    grid = grid.astype("str")
    grid.columns = range(grid.shape[1])
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid.where(grid != "") if blanks else grid
