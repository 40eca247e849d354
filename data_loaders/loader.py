"""``load_file``: one spreadsheet in, one ``LoadResult`` out — never an exception for bad input."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_loaders.headers import (
    FIELD_LABELS,
    KIND_PRIORITY,
    PLANNED_WORDS,
    REQUIRED,
    SNIFF_ROWS,
    HeaderMatch,
    field_label,
    find_headers,
    header_texts,
)
from data_loaders.kinds import BUILDERS, SheetPart, roster_duplicates
from data_loaders.inspection import column_letters
from data_loaders.reading import RawSheet, UnreadableFile, read_sheets
from data_loaders.schema import CANONICAL_COLUMNS, COLUMN_TYPES, KIND_LABELS, KINDS, LoadResult, Problem
from data_loaders.text import arrow_strings, clean_series
from domain.names import WS, normalize_name
from data_loaders.values import DateContext, title_date, title_period, title_year
from domain.vocabulary import ACTIVITY_TYPE_BY_LABEL

_S = f"[{WS}]*"
# 合计 / 小计 / 总计 starting or ending a cell: ``合　计``, ``小计：``, ``第一季度小计``, ``全年合计``.
_TOTAL_WORD = f"(?:合|小|总|共){_S}计"
_TOTAL_RE = f"^{_S}{_TOTAL_WORD}|{_TOTAL_WORD}{_S}[:：]?{_S}$"
_NOTE_RE = (f"^{_S}(?:填{_S}表{_S}人|填报人|制表人|审{_S}核{_S}(?:人|[:：])|负责人|联系人|填表日期|填报日期|"
            f"制表日期|填报单位|填表说明|填写说明|填报说明|填表要求|填写要求|填报要求|温馨提示|特别提示|"
            f"特别说明|提示{_S}[:：]|备{_S}注|说{_S}明|附注|注意|注{_S}[:：0-9一二三①])")
# An item of a notes block: ``1、带*号的为必填项``, ``（2）日期格式…``, ``③ …``.
_NOTE_ITEM_RE = re.compile(f"^{_S}(?:(?:[0-9０-９]{{1,2}}|[一二三四五六七八九十]{{1,3}}){_S}[、.．:：)）]{_S}[^0-9０-９{WS}]"
                           f"|[(（](?:[0-9０-９]{{1,2}}|[一二三四五六七八九十]{{1,3}})[)）]|[①-⑳])")
_NOTE_MIN_LENGTH = 6  # an item shorter than this could be data (``1.`` in a 序号 column)
_INSTRUCTIONS_RE = re.compile(r"说明|注意事项|须知|示例|样例|填写要求|填报要求|使用指南|帮助|readme", re.IGNORECASE)
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

    def failed(message: str, code: str, sheet: str = "") -> LoadResult:
        problem = Problem(name, sheet, None, None, None, message, "error", code)
        return LoadResult(name, kind, empty_frame(kind) if kind else pd.DataFrame(), None, [problem])

    try:
        sheets = read_sheets(source, name)
    except UnreadableFile as exc:
        return failed(str(exc), exc.code, exc.sheet)
    problems: list[Problem] = [
        Problem(name, s.name, None, None, None, s.error, "warning", "sheet_unreadable") for s in sheets if s.error
    ]
    problems += _hidden_sheets(name, sheets)
    sheets = _data_sheets(sheets)
    if not sheets:
        return failed("文件中没有任何数据：所有工作表都是空的", "empty_file")

    kinds = (kind,) if kind else KIND_PRIORITY
    matches = [_sheet_headers(s, kinds, name) for s in sheets]
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
    parts = []
    for sheet, match in used:
        part = _sheet_part(name, sheet, match, period, file_year, known_branches)
        parts.append(part)
        for dup_name, written in match.duplicates:
            part.sheet_problem(written, f"与「{match.labels.get(dup_name, written)}」列重复，本列已忽略",
                               "duplicate_column", "warning")
        if "type" in match.constants:
            part.sheet_problem(None, f"表中没有活动类型列，已按标题（或工作表名、文件名）把每一行记为"
                                     f"「{match.constants['type']}」：如有其他类型的活动，请增加「活动类型」列",
                               "type_from_title", "warning")
        problems += _formulas_without_value(name, sheet, match)
        frames.append(BUILDERS[chosen](part))
        problems += part.problems

    frame = _conform(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], chosen)
    frame, repeated = _drop_repeated_rows(name, frame, chosen)
    problems += repeated
    result = LoadResult(name, chosen, frame, None, [])
    if chosen == "roster":
        problems += roster_duplicates(name, frame)
        result.as_of = _roster_date(name, parts)
    if chosen == "xuexi":
        result.period, period_problems = _xuexi_period(name, period, [p.title_period for p in parts])
        problems += period_problems
    if chosen in ("activity", "activity_counts"):
        result.covers = _covered_period(name, parts, frame if chosen == "activity_counts" else None)
    result.problems = _sorted(problems, sheets, matches)
    return result


def detect_kind(source: str | Path | bytes, *, file_name: str | None = None) -> str | None:
    """The kind ``load_file`` would recognise, from the sheets' headers alone (a workbook's
    first SNIFF_ROWS rows, where a header must start): for putting many files in import order.
    None when it would reject the file. An order hint only: ``load_file`` decides again."""
    name = file_name or Path(source).name
    try:
        sheets = read_sheets(source, name, rows=SNIFF_ROWS)
    except UnreadableFile:
        return None
    sheets = _data_sheets(sheets)
    return _choose_kind([_sheet_headers(s, KIND_PRIORITY, name) for s in sheets]) if sheets else None


# ---------------------------------------------------------------- kind and sheets

SHEET_NAME_BRANCH = "（工作表名）"  # header shown when a sheet's name gives the branch


TITLE_TYPE = "（标题）"  # header shown when the title gives every row's activity type


def _sheet_headers(sheet: RawSheet, kinds: tuple[str, ...], file_name: str) -> dict[str, HeaderMatch]:
    """Headers of each kind; a sheet named after its branch (``第一党支部``) needs no branch column,
    and a ledger whose title (or sheet or file name) names one activity type (``主题党日活动录入样表``)
    needs no type column."""
    matches = find_headers(sheet.grid, kinds, sheet.merged_ranges)
    if normalize_name(sheet.name).endswith("支部"):
        for match in matches.values():
            if ("branch",) in match.missing:
                match.missing.remove(("branch",))
                match.labels["branch"] = SHEET_NAME_BRANCH
    ledger = matches.get("activity")
    if ledger is not None and ("type",) in ledger.missing:
        for text in (_title_text(sheet.grid, ledger), sheet.name, Path(file_name).stem):
            named = _types_named(text)
            if named:
                if len(named) == 1:
                    ledger.missing.remove(("type",))
                    ledger.labels["type"] = TITLE_TYPE
                    ledger.constants["type"] = named.pop()
                break
    return matches


def _title_text(grid: pd.DataFrame, match: HeaderMatch) -> str:
    return " ".join(str(v) for v in grid.iloc[:match.top].stack().tolist())


def _types_named(text: str) -> set[str]:
    """The canonical activity types whose name or synonym a title contains."""
    key = normalize_name(text)
    return {canonical for label, canonical in ACTIVITY_TYPE_BY_LABEL.items() if label in key}


def _data_sheets(sheets: list[RawSheet]) -> list[RawSheet]:
    """The sheets that may hold data: readable, visible, not empty, and not an instructions sheet
    (填表说明, 注意事项, 示例…) unless nothing else is left."""
    readable = [s for s in sheets if not s.error and not s.hidden and s.grid.notna().to_numpy().any()]
    return [s for s in readable if not _is_instructions(s)] or readable


def _is_instructions(sheet: RawSheet) -> bool:
    return bool(_INSTRUCTIONS_RE.search(normalize_name(sheet.name)))


def _hidden_sheets(file: str, sheets: list[RawSheet]) -> list[Problem]:
    """One warning naming every hidden sheet with content: never data (DOMAIN.md §3.7), but the
    user must know that what they hold was not imported."""
    names = [s.name for s in sheets if s.hidden and s.has_content]
    if not names:
        return []
    listed = "、".join(f"「{n}」" for n in names)
    return [Problem(file, "", None, None, "、".join(names),
                    f"已忽略隐藏的工作表{listed}：隐藏的工作表不作为数据导入，其中的内容没有计入。"
                    "如其中有要导入的数据，请在Excel中取消隐藏（或复制到可见的工作表）后再导入",
                    "warning", "hidden_sheets")]


FORMULA_MESSAGE = ("这个单元格是公式，但文件中没有保存公式的计算结果（文件可能由软件生成、从未用Excel打开保存过），"
                   "读出来是空白：请用Excel或WPS打开此文件，确认数字无误后保存，再重新导入")


def _formulas_without_value(file: str, sheet: RawSheet, match: HeaderMatch) -> list[Problem]:
    """An error per formula cell saved without its value (the reader would see an empty cell)."""
    facts = sheet.facts
    if facts is None or not facts.formula_count:
        return []
    offset = sheet.column_offset
    header_at = {col: match.labels[name] for name, col in match.columns.items()}
    problems = []
    for cell in facts.formulas:
        column = header_at.get(cell.col - offset) if offset is not None else None
        problems.append(Problem(file, sheet.name, cell.row, column or column_letters(cell.col),
                                cell.formula or None, FORMULA_MESSAGE, "error", "formula_without_value"))
    if facts.formula_count > len(facts.formulas):
        problems.append(Problem(file, sheet.name, None, None, None,
                                f"另有 {facts.formula_count - len(facts.formulas):,} 个公式单元格同样没有保存计算结果："
                                "请用Excel或WPS打开此文件，保存后再重新导入", "error", "formula_without_value"))
    return problems


def _choose_kind(matches: list[dict[str, HeaderMatch]]) -> str | None:
    """The kind of the first sheet with a complete header; else the one clearly closest kind."""
    for sheet_matches in matches:
        complete = [m for m in sheet_matches.values() if m.complete]
        if complete:
            best = max(complete, key=HeaderMatch.rank)
            # a kind that recognises clearly more columns but lacks a required one is what the
            # sheet is: say what it lacks rather than read it as a kind it only resembles
            closer = [m for m in sheet_matches.values() if not m.complete and m.score >= best.score + 2]
            return max(closer, key=HeaderMatch.rank).kind if closer else best.kind
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
    """One file-level error per missing required column, naming the headers that were found and
    the headers that would do."""
    found = _header_row(sheet.grid, match) if match is not None and match.columns else header_texts(sheet.grid)
    shown = "、".join(found[:30]) + ("…" if len(found) > 30 else "")
    hint = f"文件中找到的表头：{shown or '（无）'}"
    missing = match.missing if match else list(REQUIRED[kind])
    problems = []
    for group in missing:
        label = field_label(kind, group[0])
        alternatives = "".join(f"（或「{field_label(kind, g)}」）" for g in group[1:])
        accepted = "、".join(FIELD_LABELS[kind][group[0]][:8])
        message = f"缺少必填列「{label}」{alternatives}。{hint}。请增加这一列，表头可写作：{accepted}"
        planned = [h for h in found if any(w in h for w in PLANNED_WORDS)]
        if group[0] == "date" and planned:
            message += f"（「{planned[0]}」是计划时间，不能当作实际开展的日期）"
        problems.append(Problem(file, sheet.name, None, label, None, message, "error", "missing_column"))
    if kind == "activity_counts" and (match is None or not match.type_columns):
        problems.append(Problem(
            file, sheet.name, None, None, None,
            "缺少活动次数列：至少要有一列活动类型，如「支部党员大会」「支委会」「党小组会」「党课」「主题党日」。" + hint,
            "error", "missing_column"))
    return problems


def _header_row(grid: pd.DataFrame, match: HeaderMatch) -> list[str]:
    """The header cells of a match as written, one per column (a two-row header joined)."""
    block = grid.iloc[match.top:match.data_start]
    texts = []
    for col in block.columns:
        parts = [str(v).strip() for v in block[col].tolist() if not pd.isna(v) and str(v).strip()]
        if parts:
            texts.append("".join(dict.fromkeys(parts)))
    return texts


def _skipped_sheets(file: str, sheets: list[RawSheet], matches: list[dict[str, HeaderMatch]],
                    chosen: str, used: set[int]) -> list[Problem]:
    problems = []
    for sheet, sheet_matches in zip(sheets, matches):
        if id(sheet) in used:
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
    title = _title_text(grid, match)
    found_period = title_period(title) or (title_period(sheet.name) if sheet.name else None)
    year = title_year(title) or (title_year(sheet.name) if sheet.name else None)
    if year is None and found_period:
        year = found_period[0].year
    context = DateContext(
        year=year or (period[0].year if period else None) or file_year,
        period=found_period or period,
    )
    cells, prose = _data_rows(grid, match, sheet.name)
    return SheetPart(file=file, sheet=sheet.name, match=match, cells=cells, dates=context,
                     title_period=found_period, known_branches=known_branches, title=title, prose=prose)


def _data_rows(grid: pd.DataFrame, match: HeaderMatch, sheet_name: str) -> tuple[pd.DataFrame, pd.Series]:
    """The rows under the header that hold data, one column per matched field (stripped text),
    and which of them look like a line of prose rather than a record (one long text cell).

    Dropped: blank rows, 合计/小计/总计 rows, notes (填表人：…, 备注：…), a repeated header, a units
    row such as ``(人) | (次)``, and a template's notes block under the table (``注意事项：`` then
    ``1、带*号的为必填项；`` …).
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

    cell_count = data.notna().sum(axis=1).to_numpy()
    lone = _lone_text(data, cell_count)
    drop |= _notes_block(data, drop, cell_count, lone)

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
    prose = pd.Series(lone, index=data.index)[~drop]
    cells = cells[~drop]
    if branch_from_name:
        cells = cells.assign(branch=pd.Series(sheet_name, index=cells.index, dtype="str"))
    for name, value in match.constants.items():
        cells = cells.assign(**{name: pd.Series(value, index=cells.index, dtype="str")})
    return cells, prose


def _lone_text(data: pd.DataFrame, cell_count: np.ndarray) -> np.ndarray:
    """Rows whose only filled cell is a text of some length: a line of prose, not a record."""
    lone = np.zeros(len(data), dtype=bool)
    single = np.flatnonzero(cell_count == 1)
    if len(single):  # few rows: a record fills several cells
        first = data.iloc[single].bfill(axis=1).iloc[:, 0].astype("str").str.strip().str.len()
        lone[single] = first.fillna(0).to_numpy() >= _NOTE_MIN_LENGTH
    return lone


def _first_text(data: pd.DataFrame, i: int) -> str:
    filled = data.iloc[i].dropna()
    return str(filled.iloc[0]) if len(filled) else ""


def _notes_block(data: pd.DataFrame, drop: np.ndarray, cell_count: np.ndarray, lone: np.ndarray) -> np.ndarray:
    """The notes block of a template under its table: after the last row with data, the rows of
    one cell that are note items (``1、…``, ``（2）…``) or prose following a note heading or item.
    Only that trailing stretch is walked (a few rows), from the top down."""
    quiet = drop | (cell_count <= 1)
    busy = np.flatnonzero(~quiet)
    start = busy[-1] + 1 if len(busy) else 0
    notes = np.zeros(len(drop), dtype=bool)
    anchored = False
    for i in range(start, len(drop)):
        if cell_count[i] == 0:
            continue
        text = _first_text(data, i)
        if drop[i]:  # a heading such as 注意事项： already dropped as a note
            anchored = anchored or bool(re.match(_NOTE_RE, text))
            continue
        if lone[i] and (_NOTE_ITEM_RE.match(text) or anchored):
            notes[i] = anchored = True
    return notes


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


# Kinds whose row is one person's own record: two equal rows may be two members of one name
# (DOMAIN.md §2: never merged silently), so they are kept and the warning asks which it is.
_PERSON_KINDS = {"study": "name", "xuexi": "name", "records": "person"}


def _drop_repeated_rows(file: str, frame: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The same record twice in one file — typed twice, or on two sheets — counts once (DOMAIN.md
    §3.7): rows whose every field is equal after normalisation to an earlier row's are dropped,
    each with a warning naming both rows. A person's own record (study, 学习强国, a record naming a
    person) is kept with a warning instead, and so is a roster row with nothing but a name and a
    branch (``roster_duplicates`` reports those). Rows are grouped column-wise, first on their
    three leading fields (a ledger's branch, date and type) and then, among the rows that share
    those, on every field; Python only walks the repeats."""
    if len(frame) < 2:
        return frame, []
    if kind == "activity_counts":  # one source row is several long rows: compare source rows
        rows = _count_rows(frame)
    else:
        rows = frame
    fields = [c for c in rows.columns if c not in ("sheet", "row")]
    coarse = _row_groups(rows[fields[:3]])
    candidates = np.flatnonzero(pd.Series(coarse).duplicated(keep=False).to_numpy())
    if not len(candidates):
        return frame, []
    rows = rows.iloc[candidates]
    group = _row_groups(pd.DataFrame(_comparable(rows[fields])))
    repeated = pd.Series(group).duplicated(keep="first").to_numpy(copy=True)
    if kind == "roster":
        # a row repeating a code, an ID, a phone or a join date is one person twice
        repeated &= rows[["member_code", "id_number", "phone", "join_date"]].notna().any(axis=1).to_numpy()
    person = rows[_PERSON_KINDS[kind]].notna().to_numpy() if kind in _PERSON_KINDS else None
    first_at = np.full(group.max() + 1, len(group))
    np.minimum.at(first_at, group, np.arange(len(group)))
    problems, dropped = [], []
    for i in np.flatnonzero(repeated):  # only the repeats
        j = first_at[group[i]]
        sheet, row = rows["sheet"].iloc[i], int(rows["row"].iloc[i])
        first_sheet, first_row = rows["sheet"].iloc[j], int(rows["row"].iloc[j])
        where = (f"工作表「{first_sheet}」" if first_sheet != sheet else "") + f"第{first_row}行"
        if person is not None and person[i]:
            problems.append(Problem(file, sheet, row, None, None,
                                    f"与{where}的内容完全相同：如是同一条记录录入了两次，请删除其中一行后重新导入"
                                    "（否则会计算两次）；如是两位同名党员各自的记录，无需修改",
                                    "warning", "repeated_row_kept"))
            continue
        problems.append(Problem(file, sheet, row, None, None,
                                f"与{where}的内容完全相同，只计一次（本行未导入）：如确是两条不同的记录，"
                                "请写明它们的区别（如日期、主题）", "warning", "duplicate_row"))
        dropped.append((sheet, row))
    if not dropped:
        return frame, problems
    gone = pd.MultiIndex.from_frame(frame[["sheet", "row"]].astype({"row": "int64"})).isin(dropped)
    return frame[~gone].reset_index(drop=True), problems


def _row_groups(key: pd.DataFrame) -> np.ndarray:
    """One integer per row, equal for rows equal in every column (NA equal to NA): each column
    factorised (Arrow does it for text), then folded pairwise into the running code."""
    codes = np.zeros(len(key), dtype=np.int64)
    for column in key.columns:
        column_codes, uniques = pd.factorize(key[column], use_na_sentinel=True)
        codes = pd.factorize(codes * (len(uniques) + 1) + (column_codes + 1))[0].astype(np.int64)
    return codes


def _comparable(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Columns that can be compared: a list of names becomes one string (Arrow joins them)."""
    out = {}
    for column in frame.columns:
        values = frame[column]
        if COLUMN_TYPES.get(column) == "list":
            joined = pc.binary_join(pa.array(values.tolist(), type=pa.list_(pa.string())), "\x1f")
            values = pd.Series(joined.to_numpy(zero_copy_only=False), index=frame.index, dtype="str")
        out[column] = values
    return out


def _count_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """activity_counts: one row per source row, its type counts as one signature."""
    signature = frame["type"] + "=" + frame["count"].astype("str")
    grouped = frame.assign(signature=signature).groupby(["sheet", "row"], sort=False)
    rows = grouped.agg(branch=("branch", "first"), period_start=("period_start", "first"),
                       period_end=("period_end", "first"), expected=("expected", "first"),
                       present=("present", "first"), signature=("signature", "|".join))
    return rows.reset_index()


def _roster_date(file: str, parts: list[SheetPart]) -> date | None:
    """The day a roster speaks for: its title, else a sheet name, else the file name (values.title_date)."""
    texts = [p.title for p in parts] + [p.sheet for p in parts] + [Path(file).stem]
    return next((d for d in (title_date(t, year_alone=False) for t in texts if t) if d), None)


def _covered_period(file: str, parts: list[SheetPart], counts: pd.DataFrame | None) -> tuple[date, date] | None:
    """The period a ledger or counts file covers: its sheets' title periods (together), else the
    file name's, else (counts) the span of its months or quarters."""
    found = [p.title_period for p in parts if p.title_period]
    if found:
        return min(p[0] for p in found), max(p[1] for p in found)
    named = title_period(Path(file).stem)
    if named:
        return named
    if counts is not None and counts["period_start"].notna().any():
        return counts["period_start"].min().date(), counts["period_end"].max().date()
    return None


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
