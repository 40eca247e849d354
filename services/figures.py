"""Storage → metrics for the work-report figures (工作报告数据): the year or quarter window, the
scope (committee / unit / branch), the same period last year, drill-down and the Word draft.

Scope rule: the Dataset comes from ``load_dataset`` with the viewer, so a secretary's figures are
computed from their own branch's rows only, whatever scope is asked for.
"""

from __future__ import annotations

__all__ = ["COMMITTEE_LABEL", "FigureReport", "FigureScope", "ReportPeriod", "ReportScope",
           "all_records", "drill_down", "figures", "report_period", "resolve_scope", "settings_for"]

import pandas as pd
from sqlalchemy import Engine

from domain.access import Viewer
from domain.formatting import change_text, value_text
from domain.names import normalize_name
from domain.dataset import Dataset
from metrics.figures import (
    COMMITTEE_LABEL,
    FigureReport,
    ReportPeriod,
    ReportScope,
    report_period,
    same_period_last_year,
    FigureScope,
    all_figure_records,
    FigureSettings,
    compute_figures,
    figure_records,
    figure_settings,
)
from services import analytics
from storage.queries import branch_list, load_dataset

def resolve_scope(engine: Engine, viewer: Viewer, unit: str | None = None,
                  branch_id: int | None = None) -> ReportScope:
    """Scope from a unit name (exact, or the one unit whose name contains it: ``市财政局`` →
    ``市财政局机关党委``) or a branch id. A secretary always gets their own branch. Raises
    ``LookupError`` (Chinese, listing the choices) for an unknown unit or branch."""
    branches = branch_list(engine, viewer)
    if viewer.is_secretary:
        mine = branches[branches["branch_id"] == viewer.branch_id]
        name = str(mine["branch"].iloc[0]) if not mine.empty else (viewer.branch or "本支部")
        return ReportScope(branch_id=viewer.branch_id, label=name)
    if branch_id is not None:
        found = branches[branches["branch_id"] == branch_id]
        if found.empty:
            raise LookupError(f"没有编号为{branch_id}的支部。")
        return ReportScope(branch_id=int(branch_id), label=str(found["branch"].iloc[0]))
    if unit:
        units = sorted(u for u in branches["unit"].dropna().unique())
        wanted = normalize_name(unit)
        exact = [u for u in units if normalize_name(u) == wanted]
        partial = [u for u in units if wanted in normalize_name(u)]
        match = exact or (partial if len(partial) == 1 else [])
        if not match:
            listed = "、".join(units) if units else "（还没有任何单位）"
            hint = "名称不唯一，" if len(partial) > 1 else ""
            raise LookupError(f"没有名为「{unit}」的单位（{hint}可选：{listed}）。")
        return ReportScope(unit=match[0], label=match[0])
    return ReportScope()


def settings_for(engine: Engine, ds: Dataset) -> FigureSettings:
    """Figure definitions: defaults.json merged with the saved "metrics" setting."""
    return figure_settings(analytics.config(engine, ds).to_dict())


def _dataset(engine: Engine, viewer: Viewer, period: ReportPeriod) -> Dataset:
    return load_dataset(engine, viewer, period.start, period.end)


def _in_scope(branches: pd.DataFrame, scope: ReportScope) -> pd.DataFrame:
    if scope.branch_id is not None:
        return branches[branches["branch_id"] == scope.branch_id]
    if scope.unit:
        return branches[branches["unit"] == scope.unit]
    return branches


def figures(engine: Engine, viewer: Viewer, period: ReportPeriod, scope: ReportScope,
            with_previous: bool = True) -> FigureReport:
    """Every enabled figure for ``period`` and ``scope``; with ``with_previous`` also the value of
    the same period last year and the change (``+3次``, ``-1.2个百分点``)."""
    ds = _dataset(engine, viewer, period)
    settings = settings_for(engine, ds)
    definitions = settings.enabled
    table = compute_figures(ds, definitions, period.start, period.end, period.as_of, scope.figure_scope)
    previous_period = same_period_last_year(period) if with_previous else None
    previous = pd.Series([None] * len(table), dtype="float64")
    if previous_period is not None:
        pds = _dataset(engine, viewer, previous_period)
        before = compute_figures(pds, definitions, previous_period.start, previous_period.end,
                                 previous_period.as_of, scope.figure_scope)
        # the roster is today's, not last year's: a member count has no "same period last year"
        roster = before["key"].map({d.key: d.dataset for d in definitions}).eq("members")
        previous = before["value"].where(~roster)
    units = table["unit"].tolist()
    table = table.assign(
        previous=previous.to_numpy(),
        previous_display=[value_text(v, u) for v, u in zip(previous, units, strict=True)],
        change=[change_text(v, p, u)
                for v, p, u in zip(table["value"], previous, units, strict=True)],
    )
    return FigureReport(period, scope, table, settings, previous_period,
                        _in_scope(ds.branches, scope).reset_index(drop=True), list(settings.warnings))


def drill_down(engine: Engine, viewer: Viewer, period: ReportPeriod, scope: ReportScope,
               key: str) -> pd.DataFrame:
    """Exactly the rows figure ``key`` counted for ``period`` and ``scope`` (metrics.figures.figure_records)."""
    ds = _dataset(engine, viewer, period)
    definition = settings_for(engine, ds).get(key)
    return figure_records(ds, definition, period.start, period.end, period.as_of, scope.figure_scope)


def all_records(engine: Engine, viewer: Viewer, period: ReportPeriod, scope: ReportScope) -> dict[str, pd.DataFrame]:
    """The drill-down rows of every enabled figure (key → rows), for the Excel download."""
    ds = _dataset(engine, viewer, period)
    return all_figure_records(ds, settings_for(engine, ds).enabled, period.start, period.end, period.as_of,
                              scope.figure_scope)
