"""Cached access to figures for the pages. Every cache is keyed by the data version (bumped by
each import, undo or settings change) and the viewer's scope (role, branch id) passed in as
arguments — never read from session state inside the cache — and has a ttl and a size bound."""

from __future__ import annotations

import logging
import sys
import threading
from datetime import date

import streamlit as st

from domain.access import Viewer
from domain.periods import Quarter, parse_quarter
from services import analytics, importing, settings, tasks
from ui import frames
from ui.session import engine

TTL = 600
ENTRIES = 64
log = logging.getLogger(__name__)
_WARMING = threading.Lock()  # one warm-up at a time; a later one waits and reads the newer data


def version() -> str:
    """Which database, and its data version (bumped by every import, undo and settings change):
    the first part of every cache key."""
    db = engine()
    return f"{db.url.render_as_string(hide_password=True)}#{analytics.version(db)}"


def _viewer(scope: tuple) -> Viewer:
    role, branch_id, focus = scope
    return Viewer(username="cache", role=role, branch_id=branch_id, focus=focus)


def scope_of(viewer: Viewer) -> tuple:
    return (viewer.role, viewer.branch_id, viewer.focus)


def figures_scope(viewer: Viewer) -> tuple:
    """The cache key of what services.analytics reads for ``viewer``: it reads by branch scope
    alone, so the administrator's figures and the leader's are one entry (computed and held once
    per process, and the first views' fill does the work once), keyed as a leader's, the role
    that may do less."""
    if viewer.sees_all_branches:
        return ("leader", None, viewer.focus)
    return scope_of(viewer)


def warm_in_background() -> threading.Thread:
    """After an import or an undo: compute the committee figures the first pages ask for
    (analytics.warm) in a background thread, so the leader who opens 总览 next, in this process
    or another one, does not wait for them. A failure is logged; the pages compute as usual."""
    db = engine()

    def run():
        with _WARMING:
            try:
                analytics.warm(db)
            except Exception:
                if not sys.is_finalizing():  # the server stopping mid-warm is not a failure
                    log.exception("warming the figures after new data failed")

    thread = threading.Thread(target=run, name="warm-figures", daemon=True)
    thread.start()
    return thread


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _quarters(data_version: str) -> list[Quarter]:
    return analytics.quarters_with_data(engine())


def quarters() -> list[Quarter]:
    return _quarters(version())


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _branches(data_version: str, scope: tuple):
    return analytics.branches(engine(), _viewer(scope))


def branches(viewer: Viewer):
    return _branches(version(), figures_scope(viewer))


def units(viewer: Viewer) -> list[str]:
    frame = branches(viewer)
    return sorted(u for u in frame["unit"].dropna().unique())


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在计算得分…")
def _scorecard(data_version: str, scope: tuple, quarter: str, as_of: date, previous: bool):
    return analytics.scorecard(engine(), _viewer(scope), quarter, as_of, with_previous=previous)


def scorecard(viewer: Viewer, quarter: Quarter, as_of: date, previous: bool = True):
    return _scorecard(version(), figures_scope(viewer), str(quarter), as_of, previous)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _ranking(data_version: str, scope: tuple, quarter: str, as_of: date, unit: str | None, ongoing: bool):
    card = _scorecard(data_version, scope, quarter, as_of, True).card
    return frames.ranking_table(*frames.unit_rows(card.branches, card.indicators, unit), ongoing)


def ranking(viewer: Viewer, quarter: Quarter, as_of: date, unit: str | None, ongoing: bool):
    """The ranking table of ``unit`` (every branch in scope with None) and its cells' status
    (ui.frames.ranking_table): 0.2–0.4 s at 5,000 branches, so built once per data version."""
    return _ranking(version(), figures_scope(viewer), str(quarter), as_of, unit or None, ongoing)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在计算趋势…")
def _trend(data_version: str, scope: tuple, quarters: tuple[str, ...], today: date):
    return analytics.score_trend(engine(), _viewer(scope), [parse_quarter(q) for q in quarters],
                                 today)


def trend(viewer: Viewer, quarters: list[Quarter], today: date):
    return _trend(version(), figures_scope(viewer), tuple(str(q) for q in quarters), today)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _coverage(data_version: str, scope: tuple, quarter: str, as_of: date):
    return analytics.coverage(engine(), _viewer(scope), quarter, as_of)


def coverage(viewer: Viewer, quarter: Quarter, as_of: date):
    """How far each source's data goes for the quarter (``texts()``: 学习强国数据截至10月31日 …)."""
    return _coverage(version(), figures_scope(viewer), str(quarter), as_of)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在查找需关注的党员…")
def _lagging(data_version: str, scope: tuple, quarter: str, as_of: date):
    return analytics.lagging(engine(), _viewer(scope), quarter, as_of)


def lagging(viewer: Viewer, quarter: Quarter, as_of: date):
    return _lagging(version(), figures_scope(viewer), str(quarter), as_of)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在检查数据质量…")
def _quality(data_version: str, scope: tuple, quarter: str, as_of: date):
    return analytics.quality(engine(), _viewer(scope), quarter, as_of)


def quality(viewer: Viewer, quarter: Quarter, as_of: date):
    return _quality(version(), figures_scope(viewer), str(quarter), as_of)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _dataset(data_version: str, scope: tuple, quarter: str):
    # the branch page, its points and birthdays never show study content: leave it in the database
    return analytics.dataset(engine(), _viewer(scope), parse_quarter(quarter), study_details=False)


def dataset(viewer: Viewer, quarter: Quarter):
    """The scoped raw frames of the quarter's year up to its end (activity timelines, ledgers)."""
    return _dataset(version(), figures_scope(viewer), str(quarter))


# --- for the branch, import, quality and settings pages -------------------------------------


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在计算党员积分…")
def _member_figures(data_version: str, scope: tuple, quarter: str, as_of: date):
    return analytics.member_figures(engine(), _viewer(scope), quarter, as_of, _dataset(data_version, scope, quarter))


def member_figures(viewer: Viewer, quarter: Quarter, as_of: date):
    """Each member's year points, quarter 学习强国 points and lagging reasons (analytics.member_figures),
    from one copy of the quarter's cached data."""
    return _member_figures(version(), figures_scope(viewer), str(quarter), as_of)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _political_birthdays(data_version: str, scope: tuple, quarter: str, month_start: date):
    return analytics.birthdays(engine(), _viewer(scope), quarter, month_start,
                               _dataset(data_version, scope, quarter))


def political_birthdays(viewer: Viewer, quarter: Quarter, month_start: date):
    """Members in scope whose 入党 anniversary falls in the month of ``month_start``."""
    return _political_birthdays(version(), figures_scope(viewer), str(quarter), month_start)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _batches(data_version: str, scope: tuple):
    return importing.batches(engine(), _viewer(scope))


def batches(viewer: Viewer):
    """Import batches the viewer may see, newest first (storage.queries.list_batches)."""
    return _batches(version(), scope_of(viewer))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _stored_warnings(data_version: str, scope: tuple):
    return importing.warnings(engine(), _viewer(scope))


def stored_warnings(viewer: Viewer):
    """Warnings kept from live import batches (empty for secretaries)."""
    return _stored_warnings(version(), scope_of(viewer))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _saved_settings(data_version: str) -> dict:
    return settings.saved(engine())


def saved_settings() -> dict:
    """The settings saved on the 目标设置 page (the ``overrides`` of metrics.config.load_config)."""
    return _saved_settings(version())


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _imported_targets(data_version: str, quarter: str):
    # Targets are committee-wide, not branch data. A viewer with an empty branch scope loads the
    # targets table and no branch or member rows.
    return analytics.dataset(engine(), Viewer(username="cache", role="none"),
                             parse_quarter(quarter)).targets


def imported_targets(quarter: Quarter):
    """Rows of imported 目标 files (indicator, branch_type, period_kind, target, weight, quarter)."""
    return _imported_targets(version(), str(quarter))


@st.cache_data(ttl=600, max_entries=16, show_spinner="正在读取文件…")
def _preview(data_version: str, scope: tuple, content: bytes, file_name: str, kind: str | None,
             period: tuple[date, date] | None):
    return importing.preview(engine(), content, file_name, kind, period, viewer=_viewer(scope),
                             isolated=True)


def preview(viewer: Viewer, content: bytes, file_name: str, kind: str | None = None,
            period: tuple[date, date] | None = None):
    """An uploaded file read by the loaders in a child process (a file that crashes the reader
    becomes a rejection, not a dead server), not stored (LoadResult), with what this viewer may
    not import among its problems; the data version keys the branches 学习强国 部门 paths are
    resolved against."""
    return _preview(version(), scope_of(viewer), content, file_name, kind, period)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _overdue(data_version: str, scope: tuple, today: date):
    return tasks.overdue(engine(), _viewer(scope), today)


def overdue_tasks(viewer: Viewer, today: date):
    """Open rectification tasks past their deadline (逾期) that the viewer may see."""
    return _overdue(version(), scope_of(viewer), today)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _targets_in_force(data_version: str, quarter: str):
    return settings.in_force(engine(), quarter)


def targets_in_force(quarter: Quarter):
    """Targets and weights in force for the quarter, with where each comes from."""
    return _targets_in_force(version(), str(quarter))
