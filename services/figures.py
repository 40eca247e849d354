"""Storage → metrics for the work-report figures (工作报告数据): the year or quarter window, the
scope (committee / unit / branch), the same period last year, drill-down and the Word draft.

Scope rule: the Dataset comes from ``load_dataset`` with the viewer, so a secretary's figures are
computed from their own branch's rows only, whatever scope is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from domain.access import Viewer
from domain.formatting import change_text, value_text
from domain.names import normalize_name
from metrics.dataset import Dataset
from metrics.figures import (
    FigureScope,
    all_figure_records,
    FigureSettings,
    compute_figures,
    figure_records,
    figure_settings,
)
from domain.periods import Quarter, parse_quarter
from services import analytics
from storage.queries import branch_list, load_dataset

COMMITTEE_LABEL = "全委"


@dataclass(frozen=True)
class ReportPeriod:
    """A calendar year, or one quarter of it, counted up to ``as_of``."""

    year: int
    quarter: Quarter | None
    as_of: date

    @property
    def start(self) -> date:
        return self.quarter.start if self.quarter else date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return self.quarter.end if self.quarter else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        """``2026年`` or ``2026年第三季度``."""
        return self.quarter.label if self.quarter else f"{self.year}年"

    @property
    def key(self) -> str:
        """``2026`` or ``2026Q3`` (the CLI's JSON ``period``)."""
        return str(self.quarter) if self.quarter else str(self.year)

    @property
    def is_complete(self) -> bool:
        return self.as_of >= self.end


def report_period(year: int, quarter: str | Quarter | None = None, as_of: date | None = None,
                  today: date | None = None) -> ReportPeriod:
    """The window of a year (or of one quarter of that year) as of ``as_of`` (default today,
    capped at the window's end). Raises ``ValueError`` (Chinese) for a quarter of another year or
    a window that has not begun."""
    q = parse_quarter(quarter) if quarter not in (None, "") else None
    if q is not None and q.year != year:
        raise ValueError(f"季度{q}不在{year}年内，请让 --year 与 --quarter 一致")
    start = q.start if q else date(year, 1, 1)
    end = q.end if q else date(year, 12, 31)
    cut = as_of or today or date.today()
    if cut < start:
        raise ValueError(f"{(q.label if q else f'{year}年')}尚未开始（截至{cut.isoformat()}），没有可统计的数据")
    return ReportPeriod(year, q, min(cut, end))


def same_period_last_year(period: ReportPeriod) -> ReportPeriod:
    """The same window one year earlier, as of the same day one year earlier (29 Feb → 28 Feb)."""
    cut = period.as_of
    try:
        shifted = cut.replace(year=cut.year - 1)
    except ValueError:
        shifted = cut.replace(year=cut.year - 1, day=28)
    q = Quarter(period.quarter.year - 1, period.quarter.number) if period.quarter else None
    return ReportPeriod(period.year - 1, q, shifted)


@dataclass(frozen=True)
class ReportScope:
    """What the figures cover: the committee, one unit, or one branch (``label`` in words)."""

    unit: str | None = None
    branch_id: int | None = None
    label: str = COMMITTEE_LABEL

    @property
    def figure_scope(self) -> FigureScope:
        return FigureScope(unit=self.unit, branch_id=self.branch_id)

    @property
    def kind(self) -> str:
        return self.figure_scope.kind

    @property
    def key(self) -> tuple:
        return (self.unit, self.branch_id)


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


@dataclass
class FigureReport:
    """The figures of one period and scope, with last year's values and what the draft needs."""

    period: ReportPeriod
    scope: ReportScope
    table: pd.DataFrame  # compute_figures + previous, previous_display, change
    settings: FigureSettings
    previous_period: ReportPeriod | None
    branches: pd.DataFrame  # the branches in scope: branch_id, branch, unit, type
    warnings: list[str] = field(default_factory=list)


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
