"""The one formatter (domain.formatting): what every surface writes for a figure."""

from datetime import date

import pandas as pd
import pytest

from domain.formatting import (change_text, day_text, figure_text, number_text,
                               score_change_text, score_text, value_text)


@pytest.mark.parametrize("value,unit,expected", [
    (0.895, "率", "89.5%"),      # one decimal
    (0.9, "率", "90%"),          # whole percents without ".0"
    (0.8996, "率", "89.9%"),     # truncated: a rate below 90% never reads as 90%
    (0.29, "率", "29%"),         # 0.29 × 100 is 28.999…: noise must not cut it to 28.9
    (1.0, "率", "100%"),
    (0.9621, "%", "96.2%"),      # a work-report share
    (2699.6, "分", "2,699分"),   # points truncated: never shown as the 2,700 target
    (2718.4, "分", "2,718分"),
    (3, "次", "3次"),
    (3.0, "次", "3次"),
    (1.94, "次", "1.9次"),       # a projection
    (3.5, "天", "3.5天"),
    (12000, "名", "12,000名"),
    (None, "次", "—"),
    (float("nan"), "率", "—"),
    (pd.NA, "分", "—"),
])
def test_value_text(value, unit, expected):
    assert value_text(value, unit) == expected


def test_number_text_is_value_text_without_its_unit():
    assert number_text(0.935, "%") == "93.5" and number_text(2718.9, "分") == "2,718"


def test_a_figure_that_counted_nothing_says_so():
    assert figure_text(None, "次") == "暂无数据" and figure_text(0, "次") == "0次"


def test_scores_round_half_up_to_one_decimal():
    assert score_text(83.25) == "83.3" and score_text(100) == "100.0" and score_text(None) == "—"
    assert score_change_text(83.3, 81.1) == "+2.2" and score_change_text(80, 80.0) == "持平"
    assert score_change_text(None, 80) is None


def test_change_text():
    assert change_text(5, 3, "次") == "+2次" and change_text(3, 3, "次") == "持平"
    assert change_text(0.95, 0.9, "%") == "+5个百分点"
    assert change_text(0.912, 0.9, "%") == "+1.2个百分点"
    assert change_text(2500, 2700, "分") == "-200分"
    assert change_text(None, 3, "次") is None and change_text(3, float("nan"), "次") is None


def test_day_text():
    assert day_text(date(2026, 10, 31)) == "2026年10月31日"


def test_value_texts_write_each_pair_as_value_text_does():
    import math

    import pandas as pd

    from domain.formatting import value_text, value_texts

    values = [3, 0.8953, 2699.6, None, math.nan, 3, 0.8953, math.nan]
    units = ["次", "率", "分", "次", "率", "次", "率", "分"]
    assert value_texts(values, units) == ["3次", "89.5%", "2,699分", "—", "—", "3次", "89.5%", "—"]
    assert value_texts(pd.Series(values, dtype="float64"), pd.Series(units)) == [
        value_text(v, u) for v, u in zip(pd.Series(values, dtype="float64"), units)]
