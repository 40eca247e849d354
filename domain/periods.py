"""Quarters and the as-of date: which days a figure covers (DOMAIN.md §4).

A quarter is written ``2026Q3``. Figures are computed *as of* a date: by default today, capped at
the quarter's end, so the current quarter shows progress so far. Day counts are inclusive: the
quarter 2026Q3 has 92 days and on 2026-07-01 one day of it has elapsed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
_QUARTER_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-_/ ]?\s*Q([1-4])$", re.IGNORECASE),
    re.compile(r"^(\d{4})年?第?([一二三四1-4])季度?$"),
)


@dataclass(frozen=True, order=True)
class Quarter:
    """One calendar quarter. ``str(q)`` is ``2026Q3``; ordering is chronological."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"季度只能是1至4，收到的是{self.number}")

    @classmethod
    def parse(cls, text: str | Quarter) -> Quarter:
        return parse_quarter(text)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def label(self) -> str:
        """Chinese label, e.g. ``2026年第三季度``."""
        return f"{self.year}年第{_CN_NAMES[self.number]}季度"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def months(self) -> list[pd.Period]:
        """The quarter's three months as monthly ``pd.Period`` (``str(p)`` is ``2026-07``)."""
        return [pd.Period(year=self.year, month=3 * self.number - 2 + i, freq="M") for i in range(3)]

    def contains(self, day: date) -> bool:
        return self.start <= to_date(day) <= self.end

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def parse_quarter(text: str | Quarter) -> Quarter:
    """``2026Q3`` / ``2026-Q3`` / ``2026年第三季度`` / ``2026年3季度`` → ``Quarter``.

    Raises ``ValueError`` with a Chinese message saying how to write a quarter.
    """
    if isinstance(text, Quarter):
        return text
    raw = "" if text is None else str(text)
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
    for pattern in _QUARTER_PATTERNS:
        found = pattern.match(cleaned)
        if found:
            return Quarter(int(found.group(1)), _CN_DIGITS[found.group(2).upper()])
    raise ValueError(f"无法识别的季度「{raw}」，请写成 2026Q3 或 2026年第三季度 的形式")


def to_date(value: date | datetime | pd.Timestamp | str) -> date:
    """Any date-like value (``date``, ``datetime``, ``Timestamp``, ``"2026-08-15"``) → ``date``."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return pd.Timestamp(str(value)).date()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"无法识别的日期「{value}」，请写成 2026-08-15 的形式") from exc


def quarter_of(day: date | datetime | pd.Timestamp | str) -> Quarter:
    """The quarter a date falls in."""
    d = to_date(day)
    return Quarter(d.year, (d.month - 1) // 3 + 1)


def effective_as_of(
    quarter: Quarter | str, as_of: date | str | None = None, today: date | None = None
) -> date:
    """The date figures for ``quarter`` are computed as of.

    ``as_of`` defaults to ``today`` (itself defaulting to the real today) and is capped at the
    quarter's end. A date before the quarter starts is an error: the quarter has not begun.
    """
    q = parse_quarter(quarter)
    if as_of is None:
        day = to_date(today) if today is not None else date.today()
    else:
        day = to_date(as_of)
    if day < q.start:
        raise ValueError(
            f"统计截止日期{day.isoformat()}早于{q.label}的开始日期{q.start.isoformat()}，该季度尚无数据可统计"
        )
    return min(day, q.end)


def elapsed_days(quarter: Quarter | str, as_of: date | str) -> int:
    """Days of the quarter from its start through ``as_of`` inclusive (capped at the quarter)."""
    q = parse_quarter(quarter)
    day = min(max(to_date(as_of), q.start - timedelta(days=1)), q.end)
    return (day - q.start).days + 1


def quarter_days(quarter: Quarter | str) -> int:
    """Number of days in the quarter (90–92)."""
    return parse_quarter(quarter).days


def ended_months(quarter: Quarter | str, as_of: date | str) -> list[pd.Period]:
    """The quarter's months whose last day is on or before ``as_of``."""
    day = pd.Timestamp(to_date(as_of))
    return [m for m in parse_quarter(quarter).months() if m.end_time.normalize() <= day]


def current_month(quarter: Quarter | str, as_of: date | str) -> pd.Period | None:
    """The quarter's month containing ``as_of`` if that month has not ended yet, else None."""
    day = pd.Timestamp(to_date(as_of))
    for m in parse_quarter(quarter).months():
        if m.start_time <= day < m.end_time.normalize():
            return m
    return None


def year_start(year: int) -> date:
    return date(year, 1, 1)


def year_end(year: int) -> date:
    return date(year, 12, 31)
