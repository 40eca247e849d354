"""The 党员预警 table: lagging members with the figures behind each reason (pure pandas)."""

from __future__ import annotations

import pandas as pd

from domain.vocabulary import REASON_CODES
from ui.frames import distinct_names

COLUMNS = ["支部", "姓名", "党小组", "预警原因", "原因数", "本季学习强国积分", "积分预警线",
           "无故缺席次数", "缺席的活动", "未自学月份"]


def filter_lagging(lagging: pd.DataFrame, reasons: list[str] | None = None,
                   branch_ids: list[int] | None = None) -> pd.DataFrame:
    """Members with any of ``reasons`` (codes; none = every reason) in ``branch_ids`` (None = all),
    keeping the order of ``lagging`` (most reasons first)."""
    keep = pd.Series(True, index=lagging.index)
    if reasons:
        wanted = set(reasons)
        keep &= lagging["reasons"].map(lambda codes: bool(wanted & set(codes)))
    if branch_ids is not None:
        keep &= lagging["branch_id"].isin(branch_ids)
    return lagging[keep]


def reason_counts(lagging: pd.DataFrame) -> dict[str, int]:
    """Flagged members per reason code, in the order of REASON_CODES."""
    flat = [code for codes in lagging["reasons"] for code in codes]
    return {code: flat.count(code) for code in REASON_CODES}


def _months(values: list[str]) -> str:
    return "、".join(f"{int(m[5:7])}月" for m in values)


def lagging_table(lagging: pd.DataFrame) -> pd.DataFrame:
    """One row per flagged member (order kept: most reasons first) with Chinese columns; the
    学习强国 figures are blank for 离退休 branches, where no 学习强国 rule applies."""
    no_xuexi = lagging["points_threshold"].isna()
    names = distinct_names(lagging)
    table = pd.DataFrame({
        "支部": lagging["branch"],
        "姓名": names,
        "党小组": lagging["group"].fillna(""),
        "预警原因": lagging["reason_labels"].map("、".join),
        "原因数": lagging["n_reasons"].astype(int),
        "本季学习强国积分": lagging["points"].astype("float64").mask(no_xuexi).round(0),
        "积分预警线": lagging["points_threshold"].astype("float64").round(0),
        "无故缺席次数": lagging["absences"].astype(int),
        "缺席的活动": lagging["absent_activities"].map("；".join),
        "未自学月份": lagging["missing_months"].map(_months),
    })
    return table[COLUMNS].reset_index(drop=True)
