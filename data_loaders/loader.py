"""``load_file``: one spreadsheet in, one ``LoadResult`` out — never an exception for bad input."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_loaders.headers import (
    KIND_PRIORITY,
    REQUIRED,
    HeaderMatch,
    field_label,
    find_headers,
    header_texts,
)
from data_loaders.kinds import BUILDERS, SheetPart, roster_duplicates
from data_loaders.reading import RawSheet, UnreadableFile, read_sheets
from data_loaders.schema import CANONICAL_COLUMNS, COLUMN_TYPES, KIND_LABELS, KINDS, LoadResult, Problem
from data_loaders.text import arrow_strings, clean_series
from domain.names import WS, normalize_name
from data_loaders.values import DateContext, title_period, title_year

_S = f"[{WS}]*"
# 合计 / 小计 / 总计 starting or ending a cell: ``合　计``, ``小计：``, ``第一季度小计``, ``全年合计``.
_TOTAL_WORD = f"(?:合|小|总|共){_S}计"
_TOTAL_RE = f"^{_S}{_TOTAL_WORD}|{_TOTAL_WORD}{_S}[:：]?{_S}$"
_NOTE_RE = (f"^{_S}(?:填{_S}表{_S}人|填报人|制表人|审{_S}核{_S}(?:人|[:：])|负责人|联系人|填表日期|填报日期|"
            f"制表日期|填报单位|填表说明|备{_S}注|说{_S}明|附注|注意|注{_S}[:：0-9一二三①])")
_UNIT_ROW_RE = r"^[(（][^)）]*[)）]$"
_OPENING_BRACKETS = pa.array(["(", "（"])
_FREE_TEXT_FIELDS = {"topic", "content", "title", "measure", "department"}
_NOTES_SHEET_WORDS = ("说明", "备注", "注意", "填表", "目录", "封面", "示例", "字典", "下拉")

PERIOD_HELP = (
    "学习强国导出文件没有统计期间，无法计入季度积分。请任选一种方式给出期间："
    "① 在表头上方加一行标题，如“统计时间：2026-07-01至2026-09-30”；"
    "② 命令行导入时给出期间：python cli.py import 文件 --period 2026-07-01 2026-09-30；"
    "③ 在「数据导入」页面选择统计期间"
)


def empty_frame(kind: str) -> pd.DataFrame:
    """A frame with no rows and exactly the canonical columns (and dtypes) of ``kind``."""
    return _conform(pd.DataFrame(), kind)


def load_file(
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
    kind: str | None = None,
    period: tuple[date, date] | None = None,
    known_branches: dict[str, str] | None = None,
) -> LoadResult:
    """Read one .xlsx / .xls / .csv file into the canonical frame of its kind.

    ``source`` is a path, or the file's bytes (then ``file_name`` is required: its extension and
    name are used). ``kind`` forces a kind instead of recognising it from the headers. ``period``
    is the 学习强国 export period chosen at import (wins over the title's). ``known_branches`` maps
    every known branch name and alias (normalised) to its canonical name, to find the branch in a
    学习强国 部门 path. Problems with the input come back in ``result.problems``; nothing is raised
    for bad files.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        if not file_name:
            raise ValueError("file_name is required when source is bytes")
    elif not isinstance(source, (str, Path)):
        raise TypeError(f"source must be a path or bytes, not {type(source).__name__}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    period = _as_period(period)
    name = file_name or Path(source).name

    def failed(message: str, code: str) -> LoadResult:
        problem = Problem(name, "", None, None, None, message, "error", code)
        return LoadResult(name, kind, empty_frame(kind) if kind else pd.DataFrame(), None, [problem])

    try:
        sheets = read_sheets(source, name)
    except UnreadableFile as exc:
        return failed(str(exc), "unreadable")
    problems: list[Problem] = [
        Problem(name, s.name, None, None, None, s.error, "warning", "sheet_unreadable") for s in sheets if s.error
    ]
    sheets = [s for s in sheets if not s.error and s.grid.notna().to_numpy().any()]
    if not sheets:
        return failed("文件中没有任何数据：所有工作表都是空的", "empty_file")

    kinds = (kind,) if kind else KIND_PRIORITY
    matches = [_sheet_headers(s, kinds) for s in sheets]
    chosen = kind or _choose_kind(matches)
    if chosen is None:
        return failed(_unknown_kind_message(sheets, matches), "unknown_kind")

    used = [(s, m[chosen]) for s, m in zip(sheets, matches) if chosen in m and m[chosen].complete]
    if not used:
        # No sheet has every required column: report the gaps of the closest sheet.
        best_sheet, best = max(
            ((s, m[chosen]) for s, m in zip(sheets, matches) if chosen in m),
            key=lambda item: item[1].rank(), default=(sheets[0], None))
        problems += _missing_columns(name, best_sheet, chosen, best)
        return LoadResult(name, chosen, empty_frame(chosen), period if chosen == "xuexi" else None,
                          _sorted(problems, sheets, matches))
    problems += _skipped_sheets(name, sheets, matches, chosen, {id(s) for s, _ in used})

    file_year = title_year(Path(name).stem)
    frames = []
    title_periods = []
    for sheet, match in used:
        part = _sheet_part(name, sheet, match, period, file_year, known_branches)
        title_periods.append(part.title_period)
        for dup_name, written in match.duplicates:
            part.sheet_problem(written, f"与「{match.labels.get(dup_name, written)}」列重复，本列已忽略",
                               "duplicate_column", "warning")
        frames.append(BUILDERS[chosen](part))
        problems += part.problems

    frame = _conform(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], chosen)
    result_period = None
    if chosen == "roster":
        problems += roster_duplicates(name, frame)
    if chosen == "xuexi":
        result_period, period_problems = _xuexi_period(name, period, title_periods)
        problems += period_problems
    return LoadResult(name, chosen, frame, result_period, _sorted(problems, sheets, matches))


def detect_kind(source: str | Path | bytes, *, file_name: str | None = None) -> str | None:
    """The kind ``load_file`` would recognise, from the sheets' headers alone (no row is
    converted): for putting many files in import order. None when it would reject the file."""
    name = file_name or Path(source).name
    try:
        sheets = read_sheets(source, name)
    except UnreadableFile:
        return None
    sheets = [s for s in sheets if not s.error and s.grid.notna().to_numpy().any()]
    return _choose_kind([_sheet_headers(s, KIND_PRIORITY) for s in sheets]) if sheets else None


# ---------------------------------------------------------------- kind and sheets

SHEET_NAME_BRANCH = "（工作表名）"  # header shown when a sheet's name gives the branch


def _sheet_headers(sheet: RawSheet, kinds: tuple[str, ...]) -> dict[str, HeaderMatch]:
    """Headers of each kind; a sheet named after its branch (``第一党支部``) needs no branch column."""
    matches = find_headers(sheet.grid, kinds, sheet.merged_ranges)
    if normalize_name(sheet.name).endswith("支部"):
        for match in matches.values():
            if ("branch",) in match.missing:
                match.missing.remove(("branch",))
                match.labels["branch"] = SHEET_NAME_BRANCH
    return matches


def _choose_kind(matches: list[dict[str, HeaderMatch]]) -> str | None:
    """The kind of the first sheet with a complete header; else the one clearly closest kind."""
    for sheet_matches in matches:
        complete = [m for m in sheet_matches.values() if m.complete]
        if complete:
            return max(complete, key=HeaderMatch.rank).kind
    partial = sorted((m for ms in matches for m in ms.values() if m.score >= 2),
                     key=HeaderMatch.rank, reverse=True)
    if partial and (len(partial) == 1 or partial[0].score > partial[1].score
                    or partial[0].kind == partial[1].kind):
        return partial[0].kind
    return None


def _unknown_kind_message(sheets: list[RawSheet], matches: list[dict[str, HeaderMatch]]) -> str:
    tried = "、".join(KIND_LABELS[k] for k in KIND_PRIORITY)
    found = next((h for h in (header_texts(s.grid) for s in sheets) if h), [])
    shown = "、".join(found[:20]) + ("…" if len(found) > 20 else "")
    return (f"无法识别文件类型：已按{tried}逐一比对表头，都缺少必需的列。"
            f"文件中找到的表头：{shown or '（无）'}。请检查表头名称（如“姓名”“所在支部”“日期”“活动类型”），"
            "或在导入时指定文件类型")


def _missing_columns(file: str, sheet: RawSheet, kind: str, match: HeaderMatch | None) -> list[Problem]:
    """One file-level error per missing required column (plus, when nothing matched at all, the
    headers that were found, so the user sees what the file looks like to us)."""
    missing = match.missing if match else list(REQUIRED[kind])
    found = header_texts(sheet.grid) if match is None or not match.columns else []
    hint = f"（文件中找到的表头：{'、'.join(found[:20])}）" if found else ""
    problems = []
    for group in missing:
        label = field_label(kind, group[0])
        alternatives = "".join(f"（或「{field_label(kind, g)}」）" for g in group[1:])
        problems.append(Problem(file, sheet.name, None, label, None,
                                f"缺少必填列「{label}」{alternatives}{hint}", "error", "missing_column"))
    if kind == "activity_counts" and (match is None or not match.type_columns):
        problems.append(Problem(
            file, sheet.name, None, None, None,
            "缺少活动次数列：至少要有一列活动类型，如「支部党员大会」「支委会」「党小组会」「党课」「主题党日」" + hint,
            "error", "missing_column"))
    return problems


def _skipped_sheets(file: str, sheets: list[RawSheet], matches: list[dict[str, HeaderMatch]],
                    chosen: str, used: set[int]) -> list[Problem]:
    problems = []
    for sheet, sheet_matches in zip(sheets, matches):
        if id(sheet) in used or sheet.hidden:
            continue
        same = sheet_matches.get(chosen)
        if same is not None and same.score >= 2:
            problems += _missing_columns(file, sheet, chosen, same)
            continue
        other = [m for m in sheet_matches.values() if m.complete]
        if other:
            label = KIND_LABELS[max(other, key=HeaderMatch.rank).kind]
            message = f"这个工作表像是{label}，与本文件的{KIND_LABELS[chosen]}不同，已跳过：请单独导入"
        elif _looks_like_notes(sheet):
            continue
        else:
            message = f"这个工作表没有识别出{KIND_LABELS[chosen]}的表头，已跳过"
        problems.append(Problem(file, sheet.name, None, None, None, message, "warning", "sheet_skipped"))
    return problems


def _looks_like_notes(sheet: RawSheet) -> bool:
    if any(word in sheet.name for word in _NOTES_SHEET_WORDS):
        return True
    filled = sheet.grid.notna()
    return int(filled.any(axis=0).sum()) <= 1 or int(filled.any(axis=1).sum()) <= 2


# ---------------------------------------------------------------- one sheet


def _sheet_part(file: str, sheet: RawSheet, match: HeaderMatch, period: tuple[date, date] | None,
                file_year: int | None, known_branches: dict[str, str] | None) -> SheetPart:
    grid = sheet.grid
    title = " ".join(str(v) for v in grid.iloc[:match.top].stack().tolist())
    found_period = title_period(title) or (title_period(sheet.name) if sheet.name else None)
    year = title_year(title) or (title_year(sheet.name) if sheet.name else None)
    if year is None and found_period:
        year = found_period[0].year
    context = DateContext(
        year=year or (period[0].year if period else None) or file_year,
        period=found_period or period,
    )
    return SheetPart(file=file, sheet=sheet.name, match=match, cells=_data_rows(grid, match, sheet.name),
                     dates=context, title_period=found_period, known_branches=known_branches)


def _data_rows(grid: pd.DataFrame, match: HeaderMatch, sheet_name: str) -> pd.DataFrame:
    """The rows under the header that hold data, one column per matched field (stripped text).

    Dropped: blank rows, 合计/小计/总计 rows, notes (填表人：…, 备注：…), a repeated header, and a
    units row such as ``(人) | (次)``.
    """
    data = grid.iloc[match.data_start:]
    cells = pd.DataFrame({name: clean_series(data[col]) for name, col in match.columns.items()},
                         index=data.index)
    branch_from_name = match.labels.get("branch") == SHEET_NAME_BRANCH
    filled = cells.notna()
    drop = (~filled.any(axis=1)).to_numpy(copy=True)

    free_text_cols = {match.columns[f] for f in _FREE_TEXT_FIELDS if f in match.columns}
    seen = np.zeros(len(data), dtype=bool)
    for col in data.columns:
        values = arrow_strings(data[col])
        present = values.is_valid().to_numpy(zero_copy_only=False)
        if not present.any():
            continue
        if col not in free_text_cols:
            # every total label has 计: the regex runs only on cells that contain it
            has_ji = pc.match_substring(values, "计").fill_null(False).to_numpy(zero_copy_only=False)
            _flag(drop, values, np.flatnonzero(has_ji), _TOTAL_RE)
        # a note is the first filled cell of its row
        _flag(drop, values, np.flatnonzero(present & ~seen), _NOTE_RE)
        seen |= present

    if len(match.columns) >= 2 and len(cells):
        same = sum((cells[name] == match.labels[name]).fillna(False).to_numpy() for name in cells.columns)
        drop |= same >= max(2, math.ceil(len(match.columns) / 2))
        units = np.zeros(len(cells), dtype=np.int64)
        for name in cells.columns:
            values = arrow_strings(cells[name])
            opens = pc.is_in(pc.utf8_slice_codeunits(values, 0, 1), value_set=_OPENING_BRACKETS)
            hit = np.zeros(len(cells), dtype=bool)
            _flag(hit, values, np.flatnonzero(opens.to_numpy(zero_copy_only=False)), _UNIT_ROW_RE)
            units += hit
        drop |= (units == filled.sum(axis=1).to_numpy()) & (units > 0)
    cells = cells[~drop]
    if branch_from_name:
        cells = cells.assign(branch=pd.Series(sheet_name, index=cells.index, dtype="str"))
    return cells


def _flag(drop: np.ndarray, values: pa.Array, at: np.ndarray, pattern: str) -> None:
    """Set ``drop`` where the cells at positions ``at`` match ``pattern``."""
    if len(at):
        drop[at[pc.match_substring_regex(values.take(at), pattern).to_numpy(zero_copy_only=False)]] = True


# ---------------------------------------------------------------- 学习强国 period


def _as_period(period: object) -> tuple[date, date] | None:
    if period is None:
        return None
    start, end = period  # type: ignore[misc]
    start = start.date() if isinstance(start, datetime) else start
    end = end.date() if isinstance(end, datetime) else end
    if not isinstance(start, date) or not isinstance(end, date):
        raise TypeError("period must be a pair of dates")
    return start, end


def _xuexi_period(file: str, given: tuple[date, date] | None,
                  titles: list[tuple[date, date] | None]) -> tuple[tuple[date, date] | None, list[Problem]]:
    found = next((p for p in titles if p), None)
    problems = []
    if len({p for p in titles if p}) > 1:
        problems.append(Problem(file, "", None, None, None,
                                "各工作表标题中的统计期间不一致，请分成多个文件分别导入", "error", "period_conflict"))
    period = given or found
    if period is None:
        problems.append(Problem(file, "", None, None, None, PERIOD_HELP, "error", "missing_period"))
        return None, problems
    if given and found and given != found:
        problems.append(Problem(
            file, "", None, None, f"{found[0]}至{found[1]}",
            f"导入时选择的期间（{given[0]}至{given[1]}）与文件标题中的期间不一致，已按导入时选择的期间计算",
            "warning", "period_mismatch"))
    if period[0] > period[1]:
        problems.append(Problem(file, "", None, None, f"{period[0]}至{period[1]}",
                                "统计期间的开始日期晚于结束日期", "error", "bad_period"))
    return period, problems


# ---------------------------------------------------------------- output


def _conform(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Exactly the canonical columns of ``kind``, in order, with the dtypes of ``COLUMN_TYPES``."""
    n = len(frame)
    frame = frame.reset_index(drop=True)
    out: dict[str, pd.Series] = {}
    for column in CANONICAL_COLUMNS[kind]:
        kind_of = COLUMN_TYPES[column]
        values = frame[column] if column in frame.columns else None
        if kind_of == "list":
            out[column] = (values if values is not None
                           else pd.Series([[] for _ in range(n)], dtype=object))
        elif kind_of == "date":
            out[column] = (pd.Series(pd.NaT, index=range(n)) if values is None else values).astype("datetime64[ns]")
        elif kind_of == "bool":
            out[column] = (pd.Series(True, index=range(n)) if values is None else values).astype(bool)
        else:
            dtype = {"str": "str", "float": "float64", "Int64": "Int64"}[kind_of]
            out[column] = (pd.Series(np.nan, index=range(n)) if values is None else values).astype(dtype)
    return pd.DataFrame(out, index=range(n))


def _sorted(problems: list[Problem], sheets: list[RawSheet],
            matches: list[dict[str, HeaderMatch]]) -> list[Problem]:
    """File-level problems first, then by sheet, row and column as they appear in the file."""
    order = {s.name: i for i, s in enumerate(sheets)}
    column_at = {(s.name, written): match.columns[name]
                 for s, sheet_matches in zip(sheets, matches)
                 for match in sheet_matches.values() for name, written in match.labels.items()
                 if name in match.columns}
    return sorted(problems, key=lambda p: (order.get(p.sheet, -1), -1 if p.row is None else p.row,
                                           column_at.get((p.sheet, p.column), -1)))
