"""Quarters, as-of dates and day counts (metrics/periods.py)."""

from datetime import date

import pandas as pd
import pytest

from domain.periods import (
    Quarter,
    current_month,
    effective_as_of,
    elapsed_days,
    ended_months,
    parse_quarter,
    quarter_days,
    quarter_of,
)
from metrics.coverage import Coverage, opening_quarter


@pytest.mark.parametrize("text", ["2026Q3", "2026q3", "2026-Q3", " 2026 Q3 ", "2026年第三季度", "2026年第3季度",
                                  "2026年三季度", "２０２６Ｑ３"])
def test_parse_quarter_accepts_the_usual_spellings(text):
    assert parse_quarter(text) == Quarter(2026, 3)


@pytest.mark.parametrize("text", ["", "2026Q5", "2026", "Q3", "2026年第五季度", "三季度", None])
def test_parse_quarter_rejects_bad_input_in_chinese(text):
    with pytest.raises(ValueError, match="无法识别的季度"):
        parse_quarter(text)


def test_quarter_dates_label_and_neighbours():
    q = parse_quarter("2026Q3")
    assert (q.start, q.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert q.label == "2026年第三季度"
    assert str(q) == "2026Q3"
    assert q.previous() == Quarter(2026, 2)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert [str(m) for m in q.months()] == ["2026-07", "2026-08", "2026-09"]
    assert Quarter(2026, 1) < Quarter(2026, 2) < Quarter(2027, 1)


def test_quarter_days():
    # Q1 2026: 31 + 28 + 31 = 90; Q1 2028 (leap): 91; Q3: 31 + 31 + 30 = 92; Q4: 31 + 30 + 31 = 92
    assert quarter_days("2026Q1") == 90
    assert quarter_days("2028Q1") == 91
    assert quarter_days("2026Q3") == 92
    assert quarter_days("2026Q4") == 92


def test_effective_as_of_defaults_to_today_and_caps_at_quarter_end():
    assert effective_as_of("2026Q3", today=date(2026, 8, 15)) == date(2026, 8, 15)
    assert effective_as_of("2026Q3", today=date(2027, 1, 5)) == date(2026, 9, 30)
    assert effective_as_of("2026Q3", "2026-12-01") == date(2026, 9, 30)
    assert effective_as_of("2026Q3", date(2026, 7, 1)) == date(2026, 7, 1)


def test_effective_as_of_before_the_quarter_is_an_error():
    with pytest.raises(ValueError, match="早于2026年第三季度"):
        effective_as_of("2026Q3", date(2026, 6, 30))
    with pytest.raises(ValueError):
        effective_as_of("2026Q3", today=date(2026, 5, 1))


def test_elapsed_days_is_inclusive():
    # 1 Jul → day 1; 15 Aug → 31 (July) + 15 = 46; quarter end → all 92
    assert elapsed_days("2026Q3", date(2026, 7, 1)) == 1
    assert elapsed_days("2026Q3", date(2026, 8, 15)) == 46
    assert elapsed_days("2026Q3", date(2026, 9, 30)) == 92
    assert elapsed_days("2026Q3", date(2026, 12, 1)) == 92


def test_ended_months_and_current_month():
    q = "2026Q3"
    assert ended_months(q, date(2026, 7, 30)) == []
    assert [str(m) for m in ended_months(q, date(2026, 7, 31))] == ["2026-07"]
    assert [str(m) for m in ended_months(q, date(2026, 8, 15))] == ["2026-07"]
    assert [str(m) for m in ended_months(q, date(2026, 9, 30))] == ["2026-07", "2026-08", "2026-09"]
    assert str(current_month(q, date(2026, 8, 15))) == "2026-08"
    assert current_month(q, date(2026, 8, 31)) is None  # August has just ended


def test_quarter_of():
    assert quarter_of(date(2026, 1, 1)) == Quarter(2026, 1)
    assert quarter_of("2026-09-30") == Quarter(2026, 3)
    assert quarter_of(date(2026, 10, 1)) == Quarter(2026, 4)


def _coverage_to(xuexi):
    """``coverage_of`` for opening_quarter: 学习强国 known to ``xuexi``, every call recorded."""
    asked = []

    def coverage_of(quarter, as_of):
        asked.append((str(quarter), as_of))
        return Coverage(quarter, as_of, xuexi, None, pd.Series(dtype="object"))

    return coverage_of, asked


@pytest.mark.parametrize("today, xuexi, opens", [
    # Q4 as of 20 Nov: 51 days gone by; exports to 31 Oct cover 31 of them (62 >= 51)
    (date(2026, 11, 20), date(2026, 10, 31), "2026Q4"),
    # exports to 25 Oct: 25 days, 50 < 51
    (date(2026, 11, 20), date(2026, 10, 25), "2026Q3"),
    # as of 19 Nov: 50 days; 25 covered is exactly half, which is enough
    (date(2026, 11, 19), date(2026, 10, 25), "2026Q4"),
    # nothing exported for Q4 yet (the Q3 export ends before it): 0 days covered
    (date(2026, 10, 3), date(2026, 9, 30), "2026Q3"),
    (date(2026, 11, 20), None, "2026Q3"),
])
def test_the_pages_open_on_the_running_quarter_once_its_data_covers_half_the_days(today, xuexi, opens):
    coverage_of, asked = _coverage_to(xuexi)
    quarters = [parse_quarter("2026Q4"), parse_quarter("2026Q3"), parse_quarter("2026Q2")]
    assert str(opening_quarter(quarters, today, coverage_of)) == opens
    assert asked == [("2026Q4", today)]


def test_a_finished_or_only_quarter_is_opened_without_asking_its_coverage():
    coverage_of, asked = _coverage_to(None)
    q4, q3 = parse_quarter("2026Q4"), parse_quarter("2026Q3")
    assert opening_quarter([q4, q3], date(2027, 1, 5), coverage_of) == q4  # Q4 has ended
    assert opening_quarter([q4], date(2026, 10, 2), coverage_of) == q4  # nothing to fall back on
    assert opening_quarter([], date(2026, 10, 2), coverage_of) == q4  # an empty database: today's
    assert asked == []
