"""How every figure is written — on pages, in the Excel and Word packets, in CSV, in the CLI and
in the work-report draft. One formatter, so 0.895 is 89.5% and 2,699.6 points are 2,699分
everywhere.

Rules (the reason in one line each):
- rates: one decimal, truncated (0.8996 → 89.9%), so a rate below its target never shows as the
  target; whole percents drop the ``.0`` (0.9 → 90%);
- points (分): truncated to whole points with thousands separators (2,699.6 → 2,699分), for the
  same reason;
- counts and other amounts: whole numbers as such, else one decimal (1.9次 for a projection);
- scores: one decimal, rounded half up (the rounded score is what ranks, DOMAIN §4);
- amounts still to do (还需…) are rounded up: half a meeting still needs a meeting.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np

MISSING = "—"
NO_DATA = "暂无数据"
RATE_UNITS = ("率", "%")
POINT_UNIT = "分"


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except TypeError:  # pandas' NA refuses to be a bool
        return True


def round_half_up(value: float, digits: int = 0) -> float:
    """Round like a person does (2.5 → 3), immune to binary noise such as 82.49999999."""
    scale = 10 ** digits
    return math.floor(value * scale + 0.5 + 1e-9) / scale


def truncate(value: float, digits: int = 0) -> float:
    """Cut off after ``digits`` decimals (89.96 → 89.9), immune to binary noise (28.999999 → 29)."""
    scale = 10 ** digits
    return math.floor(value * scale + 1e-6) / scale


_CEIL_NOISE = 1e-9


def ceil_int(value: float) -> int:
    """Ceiling that ignores float noise (2.0000000001 → 2)."""
    return int(math.ceil(value - _CEIL_NOISE))


def ceil_ints(values) -> np.ndarray:
    """``ceil_int`` of every value of an array, at once."""
    return np.ceil(np.asarray(values, dtype="float64") - _CEIL_NOISE).astype(np.int64)


def _trim(number: float, digits: int) -> str:
    text = f"{number:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_text(value, unit: str) -> str:
    """The number alone, as ``value_text`` writes it before its unit (``89.5``, ``2,699``)."""
    if _is_missing(value):
        return MISSING
    value = float(value)
    if unit in RATE_UNITS:
        return _trim(truncate(value * 100, 1), 1)
    if unit == POINT_UNIT:
        return f"{truncate(value):,.0f}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return _trim(round_half_up(value, 1), 1)


def value_text(value, unit: str) -> str:
    """``0.895, "率"`` → ``89.5%``; ``2699.6, "分"`` → ``2,699分``; ``3, "次"`` → ``3次``;
    missing → ``—``. ``unit`` is an indicator's unit (次/率/分) or a figure's (%, 名, 篇, 天 …)."""
    if _is_missing(value):
        return MISSING
    suffix = "%" if unit in RATE_UNITS else unit
    return number_text(value, unit) + suffix


def value_texts(values, units) -> list[str]:
    """``value_text`` of each (value, unit) pair, each distinct pair written once: a committee's
    60,000 indicator values are a few thousand distinct ones. Takes lists or Series."""
    written: dict = {}
    out = []
    # Series.tolist(): iterating an Arrow-backed column boxes each value (a third of the time)
    for pair in zip(*(v.tolist() if hasattr(v, "tolist") else list(v) for v in (values, units))):
        text = written.get(pair)
        if text is None:
            text = written[pair] = value_text(*pair)
        out.append(text)
    return out


def figure_text(value, unit: str) -> str:
    """A work-report figure: like ``value_text``, but a figure that counted nothing says so."""
    return NO_DATA if _is_missing(value) else value_text(value, unit)


def score_text(score) -> str:
    """A composite score: ``83.3``; missing → ``—``."""
    return MISSING if _is_missing(score) else f"{round_half_up(float(score), 1):.1f}"


def change_text(value, previous, unit: str) -> str | None:
    """Change from a previous value in words: ``+3次``, ``-1.5天``, ``+2.1个百分点``, ``持平``;
    None when either value is missing."""
    if _is_missing(value) or _is_missing(previous):
        return None
    diff = float(value) - float(previous)
    if unit in RATE_UNITS:
        points = round_half_up(abs(diff) * 100, 1)
        return "持平" if points == 0 else f"{'+' if diff > 0 else '-'}{_trim(points, 1)}个百分点"
    if unit == POINT_UNIT:
        shown = round_half_up(abs(diff))
        return "持平" if shown == 0 else f"{'+' if diff > 0 else '-'}{shown:,.0f}{unit}"
    shown = round_half_up(abs(diff), 1)
    return "持平" if shown == 0 else f"{'+' if diff > 0 else '-'}{_trim(shown, 1)}{unit}"


def score_change_text(score, previous) -> str | None:
    """``+1.2`` / ``-0.4`` / ``持平`` between two composite scores; None when one is missing."""
    if _is_missing(score) or _is_missing(previous):
        return None
    diff = round_half_up(float(score), 1) - round_half_up(float(previous), 1)
    return "持平" if abs(diff) < 0.05 else f"{diff:+.1f}"


def day_text(day: date) -> str:
    """``2026年10月31日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def month_day_text(day: date) -> str:
    """``10月31日``."""
    return f"{day.month}月{day.day}日"
