"""问题清单: each shortfall of a branch's scored indicators as one Chinese sentence (DOMAIN.md §7)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from domain.formatting import ceil_int, value_text


def problem_sentence(row: dict) -> str | None:
    """The shortfall of one indicator row as a sentence, or None when the target is met."""
    actual, target = row.get("actual"), row.get("target")
    if actual is None or target is None or pd.isna(actual) or pd.isna(target) or actual >= target - 1e-9:
        return None
    label, unit = row["label"], row.get("measure") or row.get("unit_of_measure") or "次"
    if unit in ("率", "分"):
        return f"{label}{value_text(actual, unit)}，低于目标{value_text(target, unit)}"
    return f"{label}差{ceil_int(target - actual)}次"


def problem_list(indicator_rows: pd.DataFrame | Iterable[dict]) -> list[str]:
    """Sentences such as ``主题党日差1次`` or ``参会率82%，低于目标90%``, in indicator order.

    Takes rows of the indicator table (one branch, or several — then each sentence starts with
    the branch name). Only scored rows count (``applicable`` when there is no ``scored`` column):
    annual indicators outside Q4 and not-applicable ones are never problems.
    """
    frame = indicator_rows if isinstance(indicator_rows, pd.DataFrame) else pd.DataFrame(list(indicator_rows))
    if frame.empty:
        return []
    flag = "scored" if "scored" in frame.columns else "applicable"
    if flag in frame.columns:
        frame = frame[frame[flag].fillna(False).astype(bool)]
    several = "branch_id" in frame.columns and frame["branch_id"].nunique() > 1
    out = []
    for row in frame.to_dict("records"):
        text = problem_sentence(row)
        if text:
            out.append(f"{row['branch']}：{text}" if several else text)
    return out
