"""Cached inspection packets and export bytes for the 季度督查 and 总览 pages.

Every cache is keyed by the data version (imports, undo, settings and rectification tasks all
bump it), the viewer's scope (role, branch id), the quarter, the as-of date and the branches —
never by anything read from session state inside the cache — and has a ttl and a size bound.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from domain.access import Viewer
from domain.periods import Quarter
from reports import excel, word
from services.packets import Packet
from services import packets, tasks as task_service
from ui.data import _viewer, scope_of, version
from ui.session import engine

TTL = 600
ENTRIES = 32


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner="正在整理督查材料…")
def _packet(data_version: str, scope: tuple, quarter: str, as_of: date,
            branch_ids: tuple[int, ...]) -> Packet:
    return packets.packet(engine(), _viewer(scope), quarter, as_of, list(branch_ids))


def packet(viewer: Viewer, quarter: Quarter, as_of: date, branch_ids: tuple[int, ...]) -> Packet:
    """The packet of ``branch_ids`` (within the viewer's scope) for the quarter as of ``as_of``."""
    return _packet(version(), scope_of(viewer), str(quarter), as_of, tuple(sorted(branch_ids)))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _packet_xlsx(data_version: str, scope: tuple, quarter: str, as_of: date,
                 branch_ids: tuple[int, ...]) -> bytes:
    return excel.packet_workbook(_packet(data_version, scope, quarter, as_of, branch_ids))


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _packet_docx(data_version: str, scope: tuple, quarter: str, as_of: date,
                 branch_ids: tuple[int, ...]) -> bytes:
    return word.packet_document(_packet(data_version, scope, quarter, as_of, branch_ids))


def packet_bytes(fmt: str, viewer: Viewer, quarter: Quarter, as_of: date,
                 branch_ids: tuple[int, ...]):
    """A no-argument callable returning the .xlsx (``fmt="xlsx"``) or .docx bytes, for a
    download button to run only when clicked. The key is fixed now, in the script run."""
    key = (version(), scope_of(viewer), str(quarter), as_of, tuple(sorted(branch_ids)))
    build = _packet_xlsx if fmt == "xlsx" else _packet_docx
    return lambda: build(*key)


@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _ranking_xlsx(data_version: str, scope: tuple, quarter: str, as_of: date) -> bytes:
    return excel.ranking_workbook(packets.ranking(engine(), _viewer(scope), quarter, as_of))


def ranking_bytes(viewer: Viewer, quarter: Quarter, as_of: date):
    """A no-argument callable returning the committee ranking workbook (leader/admin only)."""
    key = (version(), scope_of(viewer), str(quarter), as_of)
    return lambda: _ranking_xlsx(*key)




@st.cache_data(ttl=TTL, max_entries=ENTRIES, show_spinner=False)
def _tasks(data_version: str, scope: tuple, quarters: tuple[str, ...],
           branch_ids: tuple[int, ...]) -> pd.DataFrame:
    return task_service.tasks(engine(), _viewer(scope), list(quarters), list(branch_ids))


def tasks(viewer: Viewer, quarters: list[Quarter], branch_ids: tuple[int, ...]) -> pd.DataFrame:
    """Rectification tasks of ``quarters`` for ``branch_ids`` that the viewer may see."""
    return _tasks(version(), scope_of(viewer), tuple(str(q) for q in quarters),
                  tuple(sorted(branch_ids)))
