"""Shaping metric results into the tables and matrices the pages show (pure pandas)."""

from __future__ import annotations

import pandas as pd

from ui.theme import status_text


def format_value(value, kind: str) -> str:
    """Actual or target as a person reads it: 2次, 85%, 2,350分."""
    if value is None or pd.isna(value):
        return "—"
    if kind == "rate":
        # One decimal unless whole, so 89.9% is never shown as a target-meeting "90%".
        return f"{value:.0%}" if round(value * 100, 1) == round(value * 100) else f"{value:.1%}"
    if kind == "mean":
        return f"{value:,.0f}分"
    return f"{value:g}次"


def ranking_table(branches: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per branch in rank order: rank, name, unit, type, score, status text, then one
    completion column (0–1) per scored indicator, labelled in Chinese."""
    scored = indicators[indicators["applicable"] & indicators["scored"]]
    wide = scored.pivot_table(index="branch_id", columns="label", values="completion",
                              aggfunc="first", sort=False)
    order = list(dict.fromkeys(scored["label"]))
    base = branches[["branch_id", "rank", "branch", "unit", "type", "score", "status"]].assign(
        status=branches["status"].map(status_text))
    table = base.merge(wide[order].reset_index() if order else wide.reset_index(),
                       on="branch_id", how="left")
    return table.rename(columns={"rank": "排名", "branch": "支部", "unit": "单位", "type": "类型",
                                 "score": "得分", "status": "状态"})


def completion_matrix(branches: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Branch (rows, rank order) × indicator label (columns) completion; NaN = not applicable."""
    scored = indicators[indicators["applicable"] & indicators["scored"]]
    matrix = scored.pivot_table(index="branch", columns="label", values="completion",
                                aggfunc="first", sort=False)
    order = [b for b in branches["branch"] if b in matrix.index]
    return matrix.reindex(order)


def branch_indicator_rows(indicators: pd.DataFrame, branch_id: int) -> pd.DataFrame:
    """The indicators of one branch, ready for the bullet chart and the detail table."""
    rows = indicators[(indicators["branch_id"] == branch_id) & indicators["applicable"]]
    actual = [format_value(a, k) for a, k in zip(rows["actual"], rows["kind"])]
    target = [format_value(t, k) for t, k in zip(rows["target"], rows["kind"])]
    pace = (rows["expected_by_now"] / rows["target"]).where(rows["target"] > 0)
    return pd.DataFrame({
        "indicator": rows["indicator"], "label": rows["label"],
        "actual_text": actual, "target_text": target,
        "value_text": [f"{a} / 目标{t}" for a, t in zip(actual, target)],
        "completion": rows["completion"], "status": rows["status"],
        "status_text": rows["status"].map(status_text), "scored": rows["scored"],
        "pace_completion": pace.clip(upper=1), "behind_pace": rows["behind_pace"].fillna(False),
        "projected": rows["projected"], "kind": rows["kind"],
        "remaining_text": rows["remaining_text"].fillna(""),
    }).reset_index(drop=True)


CHART_LIMIT = 40


def chart_subset(branches: pd.DataFrame, limit: int = CHART_LIMIT) -> pd.DataFrame:
    """Branches to draw: all of them when few, else the best and worst ``limit // 2`` by rank
    (a chart of thousands of bars says nothing; the table below still lists every branch)."""
    ranked = branches.sort_values("rank", na_position="last", kind="stable")
    if len(ranked) <= limit:
        return ranked
    half = limit // 2
    return pd.concat([ranked.head(half), ranked.dropna(subset=["rank"]).tail(half)]).drop_duplicates("branch_id")
