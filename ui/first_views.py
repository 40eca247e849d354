"""总览's first view ready in every server process (serve.py runs ``keep_first_views``): after new
data, once the warm-up has kept the committee's cards, the process fills its page caches
(ui.data) with what the first view reads, so the leader who opens the dashboard next meets a
run that only reads them."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import date

from domain.access import Viewer
from domain.periods import effective_as_of
from services import analytics
from ui import data
from ui.filters import default_quarter

log = logging.getLogger(__name__)

# The roles whose first view is the whole committee's 总览 (a secretary's is their own branch).
FIRST_VIEW_ROLES = ("admin", "leader")
FIRST_VIEW_POLL = 2.0  # seconds between two looks at the data version
FIRST_VIEW_REFRESH = data.TTL / 2  # filled again well before the caches' ttl ends them
FIRST_VIEW_WAIT = 120.0  # seconds a process waits for the warm-up before computing itself
FIRST_VIEW_RETRY = 60.0  # seconds after a failure (the database away) before the next try


def first_views(today: date | None = None) -> None:
    """Fill this process's caches with what 总览 reads on its first view — the quarter it opens
    on, as of today, every unit — for each role that sees every branch: the leader who opens the
    dashboard after new data then meets a cached run (0.2 s at province scale) instead of
    building the ranking, trend and coverage again (0.5–0.7 s). Cached calls only: where a value
    is cached already this reads it. The figures are one entry for all those roles
    (ui.data.figures_scope); only the overdue tasks are each role's."""
    today = today or date.today()
    choices = data.quarters()
    viewer = Viewer(username="first-views", role=FIRST_VIEW_ROLES[0])
    quarter = default_quarter(viewer, choices, today)
    cut = effective_as_of(quarter, None, today)
    data.branches(viewer)
    data.coverage(viewer, quarter, cut)
    data.scorecard(viewer, quarter, cut)
    data.ranking(viewer, quarter, cut, None, cut < quarter.end)
    data.trend(viewer, [q for q in choices if q <= quarter][:4], cut)
    for role in FIRST_VIEW_ROLES:
        data.overdue_tasks(Viewer(username="first-views", role=role), today)


class _OutsideAPageRun(logging.Filter):
    """The first-views thread calls cached functions outside any page run on purpose: Streamlit's
    warning about the missing script context would fill the log on every import."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == "first-views" and "ScriptRunContext" in record.getMessage())


def keep_first_views(wait: Callable[[float], bool], today: Callable[[], date] = date.today) -> None:
    """A server process's loop (serve.py): once the data version or the day changes — an import
    or undo in this process, another one or ``cli.py`` — and the warm-up has kept the committee's
    cards (analytics.warmed; after ``FIRST_VIEW_WAIT`` without one, this process computes them),
    fill the first views' caches (``first_views``); fill them again every ``FIRST_VIEW_REFRESH``
    seconds so the ttl never empties them. A failure is logged and tried again after
    ``FIRST_VIEW_RETRY`` seconds. Ends when ``wait(seconds)`` returns True."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_OutsideAPageRun())
    done, since, filled_at, failed_at = None, None, 0.0, None
    while not wait(FIRST_VIEW_POLL):
        if failed_at is not None and time.monotonic() - failed_at < FIRST_VIEW_RETRY:
            continue
        state, failed_at = None, None
        try:
            state = (data.version(), today())
            if state != done:
                since = since if since is not None and since[0] == state else (state, time.monotonic())
                if not analytics.warmed(data.engine(), state[1]) and time.monotonic() - since[1] < FIRST_VIEW_WAIT:
                    continue
            elif time.monotonic() - filled_at < FIRST_VIEW_REFRESH:
                continue
            started = time.perf_counter()
            first_views(state[1])
            if state != done:
                log.info("first views filled for data version %s in %.2f s", state[0], time.perf_counter() - started)
            done, since, filled_at = state, None, time.monotonic()
        except Exception:
            if sys.is_finalizing():
                return
            log.exception("filling the first views failed")
            done, since, filled_at, failed_at = state, None, time.monotonic(), time.monotonic()
