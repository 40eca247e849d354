"""Shaping work-report figures for the 工作报告数据 page (pure pandas); the Excel download is
reports/figures_xlsx.py."""

from __future__ import annotations

import pandas as pd


COMMITTEE = "全委"
def figure_table(report) -> pd.DataFrame:
    """One row per figure: key (hidden), 板块, 数据项, 数值, 去年同期, 变化, 记录数, 统计口径."""
    t = report.table
    return pd.DataFrame({
        "key": t["key"], "板块": t["section"], "数据项": t["label"], "数值": t["display"],
        "去年同期": t["previous_display"], "变化": t["change"].fillna("—"), "记录数": t["records"],
        "统计口径": t["definition"],
    })


def figure_choices(report) -> dict[str, str]:
    """Select-box label (``廉情分析会：21次``) → figure key."""
    t = report.table
    return {f"{label}：{shown}": key for key, label, shown in zip(t["key"], t["label"], t["display"], strict=True)}


def sessions_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows merged by what they were counted as (one line per session or person): 归并为, 支部,
    日期, 记录数, 计入值."""
    if "counted_as" not in rows.columns:
        return pd.DataFrame(columns=["归并为", "支部", "日期", "记录数", "计入值"])
    merged = rows[rows["counted_as"].notna()].groupby("counted_as", as_index=False, sort=False).agg(
        branch=("branch", "first"), date=("date", "min"), records=("source", "size"),
        contribution=("contribution", "sum"))
    return pd.DataFrame({
        "归并为": merged["counted_as"], "支部": merged["branch"], "日期": merged["date"].dt.date,
        "记录数": merged["records"], "计入值": merged["contribution"],
    })


def can_merge(rows: pd.DataFrame) -> bool:
    return "counted_as" in rows.columns and rows["counted_as"].notna().any()


def scope_options(branches: pd.DataFrame) -> dict[str, tuple[str | None, int | None]]:
    """Scope label → (unit, branch id): 全委, then every unit, then every branch."""
    options: dict[str, tuple[str | None, int | None]] = {COMMITTEE: (None, None)}
    for unit in sorted(branches["unit"].dropna().unique()):
        options[f"单位 · {unit}"] = (unit, None)
    for row in branches.sort_values(["unit", "branch"], na_position="last").itertuples(index=False):
        options[f"支部 · {row.branch}"] = (None, int(row.branch_id))
    return options


def years_of(quarters) -> list[int]:
    """Years that have data, newest first."""
    return sorted({q.year for q in quarters}, reverse=True)


def period_caption(report) -> str:
    p = report.period
    text = f"{report.scope.label} · {p.label} · 统计{p.start:%Y-%m-%d}至{p.as_of:%Y-%m-%d}"
    if not p.is_complete:
        text += "（期间未结束，统计到今天）"
    if report.previous_period is not None:
        q = report.previous_period
        text += f" · 去年同期指 {q.start:%Y-%m-%d}至{q.as_of:%Y-%m-%d}"
    return text
