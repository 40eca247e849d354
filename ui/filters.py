"""Sidebar filters (quarter, as-of date, unit), kept in the URL so a link reproduces a view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from domain.periods import Quarter, effective_as_of, parse_quarter, quarter_of
from services.analytics import opening_rule
from ui import data

ALL_UNITS = "全部单位"


@dataclass(frozen=True)
class Filters:
    quarter: Quarter
    as_of: date
    unit: str | None  # None = every unit

    @property
    def is_current_quarter(self) -> bool:
        return self.as_of < self.quarter.end


def default_quarter(viewer, quarters: list[Quarter], today: date | None = None) -> Quarter:
    """The quarter a page opens on (metrics.coverage.opening_quarter), from the cached coverage."""
    return opening_rule(quarters, today or date.today(), lambda q, cut: data.coverage(viewer, q, cut))


def sidebar_filters(viewer) -> Filters:
    """Render the sidebar filters once per run (router) and return the chosen values."""
    choices = data.quarters()
    quarters = [str(q) for q in choices]
    start = quarters.index(str(default_quarter(viewer, choices))) if quarters else 0
    with st.sidebar:
        st.markdown("**筛选**")
        q_text = st.selectbox("季度", quarters, index=start, key="q", bind="query-params",
                              format_func=lambda s: parse_quarter(s).label,
                              help="默认打开进行中的季度；它的学习强国数据还不到已过天数的一半时，打开上一个已结束的季度。")
        quarter = parse_quarter(q_text or quarters[0])
        default_cut = effective_as_of(quarter, None)
        from_url = _url_date(st.query_params.get("asof"), quarter)
        picked = st.date_input("截至日期", value=from_url or default_cut, min_value=quarter.start,
                               max_value=quarter.end, key=f"asof_{quarter}",
                               help="只统计该日期及以前的记录；默认今天（不晚于季末）。")
        as_of = picked if isinstance(picked, date) else default_cut
        # The date widget's range depends on the quarter, so it is synced to the URL by hand.
        if as_of != default_cut:
            st.query_params["asof"] = as_of.isoformat()
        elif "asof" in st.query_params:
            del st.query_params["asof"]
        unit = None
        if viewer.sees_all_branches:
            units = [ALL_UNITS] + data.units(viewer)
            chosen = st.selectbox("单位", units, key="unit", bind="query-params")
            unit = None if chosen in (None, ALL_UNITS) else chosen
    filters = Filters(quarter, min(as_of, quarter.end), unit)
    st.session_state["_filters"] = filters
    return filters


def current() -> Filters:
    """The filters the router rendered in this run (a sensible default if it did not)."""
    found = st.session_state.get("_filters")
    if isinstance(found, Filters):
        return found
    quarter = data.quarters()[0] if data.quarters() else quarter_of(date.today())
    return Filters(quarter, effective_as_of(quarter, None), None)


def _url_date(text: str | None, quarter: Quarter) -> date | None:
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and quarter.start <= day <= quarter.end else None
