"""Cached access to figures for the pages. Every cache is keyed by the data version (bumped by
each import, undo or settings change) and the viewer's scope (role, branch id) passed in as
arguments — never read from session state inside the cache — and has a ttl and a size bound."""

from __future__ import annotations

from datetime import date

import streamlit as st

from auth.viewer import Viewer
from metrics.periods import Quarter, parse_quarter
from services import analytics
from storage import queries
from ui.session import engine

TTL = 600
ENTRIES = 64


def version() -> int:
    """Bumped by every import, undo and settings change; part of every cache key."""
    return queries.data_version(engine())


def _viewer(scope: tuple) -> Viewer:
    role, branch_id = scope
    return Viewer(username="cache", role=role, branch_id=branch_id)


def scope_of(viewer: Viewer) -> tuple:
    return (viewer.role, viewer.branch_id)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _quarters(data_version: int) -> list[Quarter]:
    return analytics.quarters_with_data(engine())


def quarters() -> list[Quarter]:
    return _quarters(version())


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _branches(data_version: int, scope: tuple):
    return queries.branch_list(engine(), _viewer(scope))


def branches(viewer: Viewer):
    return _branches(version(), scope_of(viewer))


def units(viewer: Viewer) -> list[str]:
    frame = branches(viewer)
    return sorted(u for u in frame["unit"].dropna().unique())


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在计算得分…")
def _scorecard(data_version: int, scope: tuple, quarter: str, as_of: date, previous: bool):
    return analytics.scorecard(engine(), _viewer(scope), quarter, as_of, with_previous=previous)


def scorecard(viewer: Viewer, quarter: Quarter, as_of: date, previous: bool = True):
    return _scorecard(version(), scope_of(viewer), str(quarter), as_of, previous)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在计算趋势…")
def _trend(data_version: int, scope: tuple, quarters: tuple[str, ...], today: date):
    return analytics.score_trend(engine(), _viewer(scope), [parse_quarter(q) for q in quarters],
                                 today)


def trend(viewer: Viewer, quarters: list[Quarter], today: date):
    return _trend(version(), scope_of(viewer), tuple(str(q) for q in quarters), today)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在查找需关注的党员…")
def _lagging(data_version: int, scope: tuple, quarter: str, as_of: date):
    return analytics.lagging(engine(), _viewer(scope), quarter, as_of)


def lagging(viewer: Viewer, quarter: Quarter, as_of: date):
    return _lagging(version(), scope_of(viewer), str(quarter), as_of)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在计算党员积分…")
def _points(data_version: int, scope: tuple, year: int, as_of: date):
    return analytics.points(engine(), _viewer(scope), year, as_of)


def points(viewer: Viewer, year: int, as_of: date):
    return _points(version(), scope_of(viewer), year, as_of)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在检查数据质量…")
def _quality(data_version: int, scope: tuple, quarter: str, as_of: date):
    return analytics.quality(engine(), _viewer(scope), quarter, as_of)


def quality(viewer: Viewer, quarter: Quarter, as_of: date):
    return _quality(version(), scope_of(viewer), str(quarter), as_of)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _dataset(data_version: int, scope: tuple, quarter: str):
    return analytics.dataset(engine(), _viewer(scope), parse_quarter(quarter))


def dataset(viewer: Viewer, quarter: Quarter):
    """The scoped raw frames of the quarter's year up to its end (activity timelines, ledgers)."""
    return _dataset(version(), scope_of(viewer), str(quarter))
