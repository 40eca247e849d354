"""Cached work-report figures (工作报告数据) for the page: the figure table, drill-down rows and
the Excel and Word downloads.

Every cache is keyed by the data version (imports, undo and saved settings bump it), the viewer's
scope (role, branch id), the period (year, quarter, as-of date) and the figure scope (unit, branch
id) — never by anything read from session state inside the cache — and has a ttl and a size bound.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from domain.access import Viewer
from services import figures as service
from ui.data import _viewer, scope_of, version
from reports.figures_xlsx import figures_workbook
from reports.work_report_docx import work_report_document
from ui.session import engine

TTL = 600
ENTRIES = 32


def _period(year: int, quarter: str | None, as_of: date) -> service.ReportPeriod:
    return service.report_period(year, quarter, as_of=as_of)


def _scope(scope: tuple, unit: str | None, branch_id: int | None) -> service.ReportScope:
    return service.resolve_scope(engine(), _viewer(scope), unit, branch_id)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在统计工作报告数据…")
def _report(data_version: str, scope: tuple, year: int, quarter: str | None, as_of: date,
            unit: str | None, branch_id: int | None) -> service.FigureReport:
    return service.figures(engine(), _viewer(scope), _period(year, quarter, as_of),
                           _scope(scope, unit, branch_id))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _resolved_scope(data_version: str, scope: tuple, unit: str | None, branch_id: int | None):
    return _scope(scope, unit, branch_id)


def scope(viewer: Viewer, unit: str | None, branch_id: int | None) -> service.ReportScope:
    """The figure scope (全委 / one unit / one branch) the viewer may see; a secretary's is
    always their own branch."""
    return _resolved_scope(version(), scope_of(viewer), unit, branch_id)


def _key(viewer: Viewer, period: service.ReportPeriod, figure_scope: service.ReportScope) -> tuple:
    quarter = str(period.quarter) if period.quarter else None
    return (version(), scope_of(viewer), period.year, quarter, period.as_of, figure_scope.unit,
            figure_scope.branch_id)


def report(viewer: Viewer, period: service.ReportPeriod, figure_scope: service.ReportScope) -> service.FigureReport:
    """Every enabled figure of the period and scope, with the same period last year."""
    return _report(*_key(viewer, period, figure_scope))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在查找所依据的记录…")
def _records(data_version: str, scope: tuple, year: int, quarter: str | None, as_of: date,
             unit: str | None, branch_id: int | None, key: str):
    return service.drill_down(engine(), _viewer(scope), _period(year, quarter, as_of),
                              _scope(scope, unit, branch_id), key)


def records(viewer: Viewer, period: service.ReportPeriod, figure_scope: service.ReportScope, key: str):
    """Exactly the rows figure ``key`` counted (metrics.figures.figure_records)."""
    return _records(*_key(viewer, period, figure_scope), key)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def _xlsx(data_version: str, scope: tuple, year: int, quarter: str | None, as_of: date,
          unit: str | None, branch_id: int | None) -> bytes:
    result = _report(data_version, scope, year, quarter, as_of, unit, branch_id)
    rows = service.all_records(engine(), _viewer(scope), result.period, result.scope)
    return figures_workbook(result, rows)


@st.cache_data(ttl=TTL, max_entries=16, show_spinner=False)
def _docx(data_version: str, scope: tuple, year: int, quarter: str | None, as_of: date,
          unit: str | None, branch_id: int | None) -> bytes:
    return work_report_document(_report(data_version, scope, year, quarter, as_of, unit, branch_id))


def xlsx_bytes(viewer: Viewer, period: service.ReportPeriod, figure_scope: service.ReportScope):
    """A no-argument callable returning the figures workbook, built only when clicked."""
    key = _key(viewer, period, figure_scope)
    return lambda: _xlsx(*key)


def docx_bytes(viewer: Viewer, period: service.ReportPeriod, figure_scope: service.ReportScope):
    """A no-argument callable returning the 工作总结 draft (.docx), built only when clicked."""
    key = _key(viewer, period, figure_scope)
    return lambda: _docx(*key)


