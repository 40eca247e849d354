"""Cell values as they come in real files → typed values.

Column parsers (``parse_numbers``, ``parse_dates``, ``split_names``) are vectorised: they take a
raw text column and return the parsed column plus a mask of the cells that could not be parsed,
so the caller can report each bad cell. Period parsers work on one string (titles, and the few
distinct values of a 月份/季度 column).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_loaders.text import WS, arrow_strings, fold_text, nfkc_series

# ---------------------------------------------------------------- numbers

_UNITS = "人次|小时|学时|课时|分钟|min|MIN|分|次|人|名|个|篇|条|项|场|期|天|日|时|h|H|%"
_PLAIN_NUMBER_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_NUMBER_RE = rf"^({_PLAIN_NUMBER_RE}(?:[eE][+-]?[0-9]+)?)({_UNITS})?$"


def _spread(per_distinct: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Values computed per distinct cell back onto every row (code -1, an empty cell, gets the
    column's missing value: NaT for dates, NaN for numbers, False for masks)."""
    values = per_distinct.to_numpy()
    kind = values.dtype.kind
    missing = np.array([np.datetime64("NaT") if kind == "M" else np.nan if kind == "f" else False],
                       dtype=values.dtype)
    return pd.Series(np.concatenate([values, missing])[codes], index=index)


def _once_per_distinct_cell(parse):
    """Run a column parser once per distinct cell when cells repeat a lot (a ledger repeats a few
    hundred dates, scores and counts over thousands of rows), then spread its results back."""

    @functools.wraps(parse)
    def parse_distinct(raw: pd.Series, *args, **kwargs):
        codes, distinct = pd.factorize(raw)
        if len(distinct) * 4 >= len(raw):
            return parse(raw, *args, **kwargs)
        parsed = parse(pd.Series(distinct, dtype="str"), *args, **kwargs)
        return tuple(_spread(part, codes, raw.index) for part in parsed)

    return parse_distinct


def parse_numbers(
    raw: pd.Series, *, percent: bool = False, minutes_to_hours: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Numbers written as numbers, text, full-width, or with a unit (``85分``, ``3次``, ``2.5小时``).

    ``percent``: ``90%`` → 0.9 (otherwise a ``%`` is an error). ``minutes_to_hours``: ``30分钟`` → 0.5.
    Returns (float values, bad mask); empty cells are NA and not bad.
    """
    fast = _plain_floats(raw)
    if fast is not None:
        return fast, pd.Series(False, index=raw.index)
    return _parse_number_text(raw, percent=percent, minutes_to_hours=minutes_to_hours)


@_once_per_distinct_cell
def _parse_number_text(raw: pd.Series, *, percent: bool, minutes_to_hours: bool):
    s = nfkc_series(raw).str.replace(f"[{WS},]", "", regex=True)
    plain = s.str.fullmatch(_PLAIN_NUMBER_RE, na=False)
    values = pd.to_numeric(s.where(plain), errors="coerce").astype("float64")
    rest = s.notna() & ~plain
    if rest.any():  # units, exponents and junk: the slow path, for the few cells that need it
        parts = s[rest].str.extract(_NUMBER_RE)
        extra = pd.to_numeric(parts[0], errors="coerce").astype("float64")
        unit = parts[1].str.lower()
        if percent:
            extra = extra.where(unit != "%", extra / 100)
        else:
            extra = extra.where(unit != "%")
        if minutes_to_hours:
            extra = extra.where(~unit.isin(["分钟", "min"]), extra / 60)
        values.loc[extra.index] = extra
    bad = s.notna() & values.isna()
    return values, bad


def _plain_floats(raw: pd.Series) -> pd.Series | None:
    """The whole column cast to float by Arrow when every cell is a plain finite number (what
    number cells read as text look like): ~50× faster than the text path. None otherwise."""
    data = getattr(raw.array, "_pa_array", None)
    if data is None or not pa.types.is_string(data.type) and not pa.types.is_large_string(data.type):
        return None
    try:
        floats = pc.cast(data, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if floats.null_count != data.null_count or pc.all(pc.is_finite(floats)).as_py() is False:
        return None  # "nan" / "inf" written as text are not numbers here
    return pd.Series(floats.to_numpy(), index=raw.index, dtype="float64")


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateContext:
    """Where a date written without a year (``7月3日``) gets its year: the title's period or year."""

    year: int | None = None
    period: tuple[date, date] | None = None

    def years_for(self, month: pd.Series, day: pd.Series) -> pd.Series:
        """Year of each month/day: inside the period when there is one (periods may span a new year)."""
        if self.period is not None:
            start, end = self.period
            years = pd.Series(float(start.year), index=month.index)
            if end.year > start.year:
                before_start = (month < start.month) | ((month == start.month) & (day < start.day))
                years = years.where(~before_start, float(end.year))
            return years
        if self.year is not None:
            return pd.Series(float(self.year), index=month.index)
        return pd.Series(np.nan, index=month.index)


_S = f"[{WS}]*"  # optional whitespace, spelled so that pandas can use pyarrow's regex engine
_TIME = (rf"(?:[{WS}T]*(?:上午|下午|晚上)?{_S}[0-9]{{1,2}}{_S}[:时]{_S}[0-9]{{1,2}}"
         rf"(?:{_S}[:分]{_S}[0-9]{{1,2}}(?:\.[0-9]+)?{_S}秒?)?)?")
_WEEKDAY = rf"(?:{_S}[(]?(?:周|星期)[一二三四五六日天][)]?)?"
_YMD_RE = (rf"^([0-9]{{4}}){_S}[-/.年]{_S}([0-9]{{1,2}}){_S}[-/.月]{_S}([0-9]{{1,2}}){_S}[日号]?"
           rf"{_WEEKDAY}{_TIME}$")
_MD_RE = rf"^([0-9]{{1,2}}){_S}[月/.-]{_S}([0-9]{{1,2}}){_S}[日号]?{_WEEKDAY}{_TIME}$"
_COMPACT_RE = r"^((?:19|20)[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$"
_SERIAL_RE = r"^[0-9]{4,5}(?:\.[0-9]+)?$"
_FAST_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 3653, 73051  # 1910-01-01 … 2100-01-01


def _assemble(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"year": y, "month": m, "day": d})
    return pd.to_datetime(frame, errors="coerce").astype("datetime64[ns]")


_YEAR_MONTH_RE = rf"^([0-9]{{4}}){_S}[-/.年]{_S}([0-9]{{1,2}}){_S}月?份?$"


@_once_per_distinct_cell
def parse_dates(raw: pd.Series, context: DateContext, *,
                month_precision: bool = False) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates in every form seen in practice.

    Excel date cells (read as ``2026-07-03 00:00:00``), serial numbers, ``2026-07-03``,
    ``2026/7/3``, ``2026.7.3``, ``2026年7月3日``, ``20260703``, and ``7月3日`` / ``7/3`` (year from
    ``context``). The common formats are tried column-wise; the patterns only run on the
    leftovers. ``month_precision``: ``2001.07`` / ``2001年7月`` mean the 1st of that month (入党时间
    is often kept to the month). Returns (datetime64[ns] at midnight, bad mask, missing-year mask).
    """
    s = nfkc_series(raw)
    dates = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    no_year = pd.Series(False, index=s.index)
    left = s.notna()
    for fmt in _FAST_FORMATS:
        if not left.any():
            break
        parsed = pd.to_datetime(s[left], format=fmt, errors="coerce")
        parsed = parsed[parsed.notna()]
        dates.loc[parsed.index] = parsed.dt.normalize().astype("datetime64[ns]")
        left = left & dates.isna()
    if not left.any():
        return dates, pd.Series(False, index=s.index), no_year

    rest = s[left]
    ymd = rest.str.extract(_YMD_RE)
    compact = rest.str.extract(_COMPACT_RE)
    y = pd.to_numeric(ymd[0], errors="coerce").fillna(pd.to_numeric(compact[0], errors="coerce"))
    m = pd.to_numeric(ymd[1], errors="coerce").fillna(pd.to_numeric(compact[1], errors="coerce"))
    d = pd.to_numeric(ymd[2], errors="coerce").fillna(pd.to_numeric(compact[2], errors="coerce"))

    serial = pd.to_numeric(rest.where(rest.str.fullmatch(_SERIAL_RE, na=False)), errors="coerce")
    serial = serial.where((serial >= _SERIAL_MIN) & (serial < _SERIAL_MAX) & y.isna())
    serial = serial[serial.notna()]
    if len(serial):
        days = pd.to_timedelta(np.floor(serial.to_numpy()), unit="D")
        dates.loc[serial.index] = (_EXCEL_EPOCH + days).astype("datetime64[ns]")

    md = rest.str.extract(_MD_RE)
    md_month = pd.to_numeric(md[0], errors="coerce")
    md_day = pd.to_numeric(md[1], errors="coerce")
    is_md = md_month.notna() & y.isna() & ~rest.index.isin(serial.index)
    if is_md.any():
        years = context.years_for(md_month[is_md], md_day[is_md])
        y = y.fillna(years)
        m = m.fillna(md_month[is_md])
        d = d.fillna(md_day[is_md])
        no_year.loc[years.index[years.isna()]] = True

    if month_precision:
        ym = rest.str.extract(_YEAR_MONTH_RE)
        is_ym = ym[0].notna() & y.isna() & ~rest.index.isin(serial.index)
        y = y.fillna(pd.to_numeric(ym[0].where(is_ym), errors="coerce"))
        m = m.fillna(pd.to_numeric(ym[1].where(is_ym), errors="coerce"))
        d = d.where(~is_ym, 1.0)

    assembled = _assemble(y, m, d)
    dates.loc[assembled.index] = dates.loc[assembled.index].fillna(assembled)
    bad = s.notna() & dates.isna() & ~no_year
    return dates, bad, no_year


# ---------------------------------------------------------------- lists of names

_LIST_SEP = r"[、,，;；/|\\]+"
_WS_RE = re.compile(f"[{WS}]+")
_NONE_WORDS = {"无", "没有", "无人", "均无", "全到", "全部到会", "全员参加", "-", "—", "0", "/"}
# A bracket after a name (NFKC has folded （） to ()): ``黄磊(无故)``, ``赵敏【预备】``.
_NOTE_RE = re.compile(r"[(\[【〔]([^)\]】〕]*)[)\]】〕]")
_COLON_NOTE_RE = re.compile(r"^([^:]+):(.+)$")  # 黄磊:病假
# Membership markers are never part of a name (DOMAIN.md §3.3).
MARKER_WORDS = ("预备党员", "预备", "正式党员", "正式", "入党积极分子", "积极分子", "发展对象")
MARKER_PATTERN = (r"[(\[【〔（][" + WS + r"]*(?:" + "|".join(MARKER_WORDS) + r")[" + WS + r"]*[)\]】〕）]")
# Why someone missed a meeting: unexcused words first (未请假 contains 请假).
UNEXCUSED_WORDS = ("无故", "未请假", "没请假", "未假", "旷会", "旷课", "缺席", "未到", "无理由")
LEAVE_WORDS = ("假", "出差", "因公", "公出", "公务", "公差", "外出", "培训", "学习", "值班", "住院", "生病",
               "病", "开会", "会议", "下乡", "驻村", "借调", "外派", "离会", "陪护")


def reason_kind(note: str) -> str:
    """``"leave"``, ``"absent"`` or ``"marker"`` for the text in brackets after a name;
    ``"unknown"`` when it says neither (kept absent, with a warning)."""
    if note in MARKER_WORDS:
        return "marker"
    if any(word in note for word in UNEXCUSED_WORDS):
        return "absent"
    if any(word in note for word in LEAVE_WORDS):
        return "leave"
    return "unknown"


_REASON_TOKENS = {"病假", "事假", "公假", "婚假", "产假", "丧假", "年休假", "休假", "请假", "出差", "因公",
                  "无故", "未请假"}


def _split_spaced(token: str) -> list[str]:
    """Spaces inside a list cell: ``张　伟`` is one padded name, ``张伟 李娜`` two names.

    Runs of single characters are one padded name; a lone single character belongs to the next
    name (or the previous one at the end): ``张 伟 李娜`` → 张伟, 李娜; ``欧阳 娜`` → 欧阳娜.
    """
    names: list[str] = []
    run: list[str] = []
    for part in token.split():
        if len(part) == 1:
            run.append(part)
            continue
        if len(run) > 1:
            names.append("".join(run))
        elif run:
            part = run[0] + part
        run = []
        names.append(part)
    if len(run) > 1 or (run and not names):
        names.append("".join(run))
    elif run:
        names[-1] += run[0]
    return names


def _name_and_note(name: str) -> tuple[str, str | None]:
    """``黄磊(无故)`` → (黄磊, 无故); markers dropped: ``赵敏(预备)`` → (赵敏, None)."""
    notes = _NOTE_RE.findall(name)
    if notes:
        name = _NOTE_RE.sub("", name)
    elif ":" in name and (found := _COLON_NOTE_RE.match(name)):
        name, notes = found.group(1), [found.group(2)]
    reasons = [n for n in (_WS_RE.sub("", n) for n in notes) if n and n not in MARKER_WORDS]
    return name, ("、".join(reasons) if reasons else None)


def split_names_with_notes(raw: pd.Series) -> tuple[pd.Series, list[tuple[object, str, str]]]:
    """Like ``split_names``, also returning the note written after each name (a reason such as
    ``病假``, or whatever the brackets say) as (row label, name, note); markers are dropped."""
    s = nfkc_series(raw)
    cells = pc.split_pattern_regex(arrow_strings(s), _LIST_SEP)
    tokens = pc.utf8_trim_whitespace(pc.list_flatten(cells))
    spaced = pc.match_substring_regex(tokens, f"[{WS}]").to_pylist()
    noted = pc.match_substring_regex(tokens, r"[(\[【〔:]").to_pylist()
    lists: list[list[str]] = [[] for _ in range(len(s))]
    notes: list[tuple[object, str, str]] = []
    labels = s.index
    # Arrow splits; Python only walks the tokens of non-empty cells (a few per row at most)
    for row, token, inner, has_note in zip(pc.list_parent_indices(cells).to_pylist(), tokens.to_pylist(),
                                           spaced, noted):
        if not (inner or has_note):  # the common case: one plain name
            if token in _REASON_TOKENS and lists[row]:  # ``黄磊、病假``: the reason of the name before
                notes.append((labels[row], lists[row][-1], token))
            elif token and token not in _NONE_WORDS:
                lists[row].append(token)
            continue
        note = None
        if has_note:
            token, note = _name_and_note(token)
        for name in ([_WS_RE.sub("", n) for n in _split_spaced(token)] if inner else [token.strip()]):
            if not name or name in _NONE_WORDS:
                continue
            if name in _REASON_TOKENS and lists[row]:  # ``黄磊 病假``
                notes.append((labels[row], lists[row][-1], name))
                continue
            lists[row].append(name)
        if note and lists[row]:
            notes.append((labels[row], lists[row][-1], note))
    return pd.Series(lists, index=s.index, dtype=object), notes


def split_names(raw: pd.Series) -> pd.Series:
    """``张伟、李娜，王芳;赵强`` (also ``,`` ``；`` ``/`` spaces) → list of normalised names.

    Empty cells and ``无`` give ``[]``; notes in brackets after a name are dropped (see
    ``split_names_with_notes``). Returns an object column of lists.
    """
    return split_names_with_notes(raw)[0]


# ---------------------------------------------------------------- periods

_CN_NUM = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
    "十一": 11, "十二": 12,
}
_NUM = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"


def _to_int(token: str) -> int | None:
    return int(token) if token.isdigit() else _CN_NUM.get(token)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    return start, month_bounds(year, 3 * quarter)[1]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


_DATE_PART = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
_RANGE_RE = re.compile(
    _DATE_PART
    + r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:至|到|~|-|—|–|―|－|−)+\s*"
    + r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
)
_QUARTER_RES = [
    re.compile(r"(\d{4})\s*[-_ ]?\s*Q\s*([1-4])(?!\d)", re.IGNORECASE),
    re.compile(r"(\d{4})\s*年度?\s*(?:第\s*)?([1-4一二三四])\s*季度?"),
]
_COMPACT_RANGE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s*(?:至|到|~|-|—|–|―|－|−)+\s*"
    r"((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
_HALF_RE = re.compile(r"(\d{4})\s*年?度?\s*([上下])半年")
_MONTH_RES = [
    re.compile(rf"(\d{{4}})\s*年\s*{_NUM}\s*月(?!\s*\d)"),
    re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})(?![\d./-])"),
]
_YEAR_RE = re.compile(r"(\d{4})\s*(?:年度|年全年|全年)")
_ANY_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*(?:年|[-/.]\s*\d|Q[1-4]|q[1-4]))")


def title_period(text: str) -> tuple[date, date] | None:
    """The statistical period named in a title or sheet name, or None.

    ``统计时间：2026-07-01至2026-09-30`` · ``2026年7月1日-2026年9月30日`` · ``20260701-20260930`` ·
    ``2026年第三季度…`` · ``2026Q3`` · ``2026年上半年`` (``2026下半年``) · ``2026年7月…`` · ``2026年度…``.
    """
    text = fold_text(text)
    if match := _COMPACT_RANGE_RE.search(text):  # 20260701-20260930
        y1, m1, d1, y2, m2, d2 = map(int, match.groups())
        start, end = _safe_date(y1, m1, d1), _safe_date(y2, m2, d2)
        if start and end:
            return start, end
    if match := _RANGE_RE.search(text):
        y1, m1, d1, y2, m2, d2 = match.groups()
        start = _safe_date(int(y1), int(m1), int(d1))
        end_year = int(y2) if y2 else int(y1)
        end = _safe_date(end_year, int(m2), int(d2))
        if start and end and not y2 and end < start:
            end = _safe_date(end_year + 1, int(m2), int(d2))
        if start and end:
            return start, end
    for regex in _QUARTER_RES:
        if match := regex.search(text):
            return quarter_bounds(int(match.group(1)), _to_int(match.group(2)))
    if match := _HALF_RE.search(text):
        year = int(match.group(1))
        return (date(year, 1, 1), date(year, 6, 30)) if match.group(2) == "上" else (
            date(year, 7, 1), date(year, 12, 31))
    for regex in _MONTH_RES:
        if match := regex.search(text):
            month = _to_int(match.group(2))
            if month and 1 <= month <= 12:
                return month_bounds(int(match.group(1)), month)
    if match := _YEAR_RE.search(text):
        year = int(match.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    return None


_DAY_RE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_COMPACT_DAY_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")


def title_date(text: str, *, year_alone: bool = True) -> date | None:
    """The day a title or file name dates its table to (a roster's "as of" date), or None.

    An explicit day wins (``截至2026-06-30``, ``2026年6月30日``, ``20260630``; of a range, its
    end); a month means its first day (``2026年10月`` → 2026-10-01); a quarter or half-year
    written without a day means its first day (``2026年第三季度`` → 2026-07-01); so does a year
    alone (``2026年度``) unless ``year_alone`` is False (then None: too coarse to date a roster).
    """
    text = fold_text(text)
    period = title_period(text)
    if period and not year_alone and (period[0].month, period[0].day, period[1].month, period[1].day) == (1, 1, 12, 31):
        period = None
    days = [d for d in (_safe_date(int(y), int(m), int(dd)) for y, m, dd in
                        _DAY_RE.findall(text) + _COMPACT_DAY_RE.findall(text)) if d]
    if days:
        return period[1] if period and period[1] in days else max(days)
    return period[0] if period else None


def title_year(text: str) -> int | None:
    """A year written in a title (``2026年…``, ``2026-07…``, ``2026Q3``), or None."""
    match = _ANY_YEAR_RE.search(fold_text(text))
    return int(match.group(1)) if match else None


class MissingYear(ValueError):
    """A month or quarter written without a year and no year in the title."""


_CELL_QUARTER_RES = [
    re.compile(r"^(?:(\d{4})\s*[-_ ]?\s*)?Q\s*([1-4])$", re.IGNORECASE),
    re.compile(r"^(?:(\d{4})\s*年度?)?\s*(?:第\s*)?([1-4一二三四])\s*季度?$"),
]
_CELL_MONTH_RES = [
    re.compile(rf"^(?:(\d{{4}})\s*年)?\s*{_NUM}\s*月份?$"),
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*\d{1,2}(?:\s+[\d:]+)?)?$"),
    re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"),
]


def parse_period_cell(text: str, mode: str, year: int | None) -> tuple[date, date] | None:
    """One 月份 / 季度 / 期间 cell → (start, end). ``mode``: "month", "quarter" or "auto".

    ``2026-07``, ``2026年7月``, ``7月`` (year from the title) · ``2026Q3``, ``2026年第三季度``,
    ``三季度`` · a full date in a 月份 column means its month · a bare number is a month in a 月份
    column and a quarter in a 季度 column. Raises ``MissingYear`` when the year is needed and unknown;
    returns None when the text is not a period.
    """
    text = fold_text(text)
    if mode == "auto" and (found := _RANGE_RE.fullmatch(text)):
        return title_period(found.group(0))
    bare = re.fullmatch(r"\d{1,2}", text)
    tries: list[tuple[str, re.Pattern]] = []
    if mode in ("quarter", "auto"):
        tries += [("quarter", r) for r in _CELL_QUARTER_RES]
    if mode in ("month", "auto"):
        tries += [("month", r) for r in _CELL_MONTH_RES]
    for unit, regex in tries:
        if bare and not ((unit == "quarter" and mode == "quarter") or (unit == "month" and mode == "month")):
            continue
        match = regex.fullmatch(text)
        if not match:
            continue
        number = _to_int(match.group(2))
        if number is None:
            continue
        match_year = int(match.group(1)) if match.group(1) else year
        if match_year is None:
            raise MissingYear(text)
        if unit == "quarter" and 1 <= number <= 4:
            return quarter_bounds(match_year, number)
        if unit == "month" and 1 <= number <= 12:
            return month_bounds(match_year, number)
    if bare:
        number = int(text)
        if mode == "month" and 1 <= number <= 12:
            if year is None:
                raise MissingYear(text)
            return month_bounds(year, number)
        if mode == "quarter" and 1 <= number <= 4:
            if year is None:
                raise MissingYear(text)
            return quarter_bounds(year, number)
    return None


def quarter_label(text: str, year: int | None) -> str | None:
    """``2026Q3`` / ``2026年第三季度`` / ``三季度`` (year from the title) → ``"2026Q3"``; else None.

    Raises ``MissingYear`` like ``parse_period_cell``.
    """
    bounds = parse_period_cell(text, "quarter", year)
    if bounds is None:
        return None
    start = bounds[0]
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"
