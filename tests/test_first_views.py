"""A server process fills its caches for 总览's first view after new data (ui.first_views, run by
serve.py), once the warm-up has kept the committee's cards
(services.analytics.warmed): the leader who opens the dashboard next meets a cached run."""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st

from domain.access import SYSTEM, Viewer
from services import analytics, tasks
from services.importing import import_bytes
from storage.db import get_engine
from tests.apptest_helpers import open_page
from ui import data, first_views, frames

LEDGER_ROW = ("支部名称,活动日期,活动类型,活动主题,应到人数,实到人数\n"
              "{branch},2026-11-18,党课,补录的党课,10,10\n")


def _computing_fails(monkeypatch) -> None:
    """Every computation the cached calls of 总览 make raises: a view that still shows was
    served from the caches alone."""
    def refuse(*args, **kwargs):
        raise AssertionError("computed, not read from the caches")

    for name in ("scorecard", "score_trend", "coverage", "branches", "quarters_with_data"):
        monkeypatch.setattr(analytics, name, refuse)
    monkeypatch.setattr(tasks, "overdue", refuse)
    monkeypatch.setattr(frames, "ranking_table", refuse)


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_after_first_views_the_first_overview_computes_nothing(writable_env, monkeypatch, role):
    st.cache_data.clear()
    first_views.first_views()
    with monkeypatch.context() as patched:
        _computing_fails(patched)
        at = open_page("pages/overview.py", role=role)
        assert not at.exception, [e.value for e in at.exception]
        assert len(at.dataframe[0].value) == 30  # the ranking, every branch
        # without the filled caches the same view computes, and so fails here
        st.cache_data.clear()
        at = open_page("pages/overview.py", role=role)
        assert at.exception


def test_the_administrators_and_the_leaders_figures_are_cached_once(writable_env, monkeypatch):
    """Both see every branch, and services.analytics reads by branch scope alone: the first
    views' fill computes each figure once for the two roles (it did twice), and the entry is a
    leader's. A secretary's figures stay their own entry, of their own branch."""
    st.cache_data.clear()
    calls = []
    for name in ("scorecard", "score_trend", "coverage", "branches"):
        real = getattr(analytics, name)
        monkeypatch.setattr(analytics, name,
                            lambda engine, viewer, *a, _real=real, _name=name, **k:
                            calls.append((_name, viewer.role)) or _real(engine, viewer, *a, **k))
    first_views.first_views(date(2026, 12, 1))
    assert sorted(calls) == [("branches", "leader"), ("coverage", "leader"), ("score_trend", "leader"),
                             ("scorecard", "leader")]
    admin, leader = Viewer("a", "admin"), Viewer("l", "leader")
    assert data.figures_scope(admin) == data.figures_scope(leader) == ("leader", None, None)
    assert data.figures_scope(admin.focused_on(3)) == ("leader", None, 3)
    secretary = Viewer("s", "secretary", branch_id=3, branch="x")
    assert data.figures_scope(secretary) == ("secretary", 3, None)
    mine = data.branches(secretary)
    assert mine["branch_id"].tolist() == [3]
    assert len(data.branches(admin)) == 30


def test_warmed_says_whether_the_warm_up_kept_the_cards_for_the_data_as_it_is(writable_env):
    engine = get_engine(writable_env)
    today = date(2026, 12, 1)
    analytics.forget_cards(engine)
    assert not analytics.warmed(engine, today)
    analytics.warm(engine, today)
    assert analytics.warmed(engine, today)
    assert not analytics.warmed(engine, date(2026, 12, 2))  # a new day's figures are not kept yet
    with engine.connect() as conn:
        branch = conn.exec_driver_sql("SELECT name FROM branch ORDER BY id LIMIT 1").scalar_one()
    outcome = import_bytes(engine, LEDGER_ROW.format(branch=branch).encode(), "补录.csv", SYSTEM)
    assert outcome.status == "imported", outcome.message
    assert not analytics.warmed(engine, today)  # new data of the newest quarter


class _Clock:
    """``wait`` and ``monotonic`` for keep_first_views: each wait is a poll that moves the clock;
    the loop ends after ``polls`` of them."""

    def __init__(self, polls: int, on_poll=None):
        self.now, self.polls, self.on_poll = 0.0, polls, on_poll

    def wait(self, seconds: float) -> bool:
        self.now += seconds
        self.polls -= 1
        if self.on_poll is not None:
            self.on_poll(self)
        return self.polls < 0

    def monotonic(self) -> float:
        return self.now


def test_the_loop_fills_once_the_warm_up_kept_the_cards_and_again_for_new_data(monkeypatch):
    state = {"version": "v1", "warmed": False}
    filled = []
    monkeypatch.setattr(data, "version", lambda: state["version"])
    monkeypatch.setattr(data, "engine", lambda: None)
    monkeypatch.setattr(analytics, "warmed", lambda engine, today: state["warmed"])
    monkeypatch.setattr(first_views, "first_views", lambda today: filled.append((state["version"], today, 10 - clock.polls)))

    def script(clock):  # what happens between two polls (the poll of ``step``)
        step = 10 - clock.polls
        if step == 3:
            state["warmed"] = True  # the warm-up (another process) has kept the cards
        if step == 5:
            state["version"], state["warmed"] = "v2", False  # an import
        if step == 8:
            state["warmed"] = True

    clock = _Clock(10, script)
    monkeypatch.setattr(first_views.time, "monotonic", clock.monotonic)
    first_views.keep_first_views(clock.wait, today=lambda: date(2026, 12, 1))
    # each filled at the first poll after the warm-up kept the cards, not before
    assert filled == [("v1", date(2026, 12, 1), 3), ("v2", date(2026, 12, 1), 8)]


def test_the_loop_computes_itself_when_no_warm_up_comes_and_refreshes_before_the_ttl(monkeypatch):
    filled = []
    monkeypatch.setattr(data, "version", lambda: "v1")
    monkeypatch.setattr(data, "engine", lambda: None)
    monkeypatch.setattr(analytics, "warmed", lambda engine, today: False)
    monkeypatch.setattr(first_views, "first_views", lambda today: filled.append(clock.now))
    polls = int((first_views.FIRST_VIEW_WAIT + first_views.FIRST_VIEW_REFRESH) / first_views.FIRST_VIEW_POLL) + 2
    clock = _Clock(polls)
    monkeypatch.setattr(first_views.time, "monotonic", clock.monotonic)
    first_views.keep_first_views(clock.wait)
    assert len(filled) == 2
    assert first_views.FIRST_VIEW_WAIT <= filled[0] <= first_views.FIRST_VIEW_WAIT + 2 * first_views.FIRST_VIEW_POLL
    assert filled[1] - filled[0] >= first_views.FIRST_VIEW_REFRESH
    assert first_views.FIRST_VIEW_REFRESH < data.TTL


def test_a_failure_is_logged_once_per_retry_and_the_loop_goes_on(monkeypatch, caplog):
    """The database away: one logged failure per FIRST_VIEW_RETRY, not one per poll; once it is
    back, the views are filled."""
    calls, state = [], {"down": True}

    def version():
        if state["down"]:
            raise RuntimeError("database gone")
        return "v1"

    monkeypatch.setattr(data, "version", version)
    monkeypatch.setattr(data, "engine", lambda: None)
    monkeypatch.setattr(analytics, "warmed", lambda engine, today: True)
    monkeypatch.setattr(first_views, "first_views", lambda today: calls.append(today))
    polls = int(3.5 * first_views.FIRST_VIEW_RETRY / first_views.FIRST_VIEW_POLL)

    def script(clock):
        if clock.now >= 2.8 * first_views.FIRST_VIEW_RETRY:  # back after three failed tries
            state["down"] = False

    clock = _Clock(polls, script)
    monkeypatch.setattr(first_views.time, "monotonic", clock.monotonic)
    first_views.keep_first_views(clock.wait)
    failures = [r for r in caplog.records if "filling the first views failed" in r.getMessage()]
    assert len(failures) == 3  # at the start, and after one and two retry intervals
    assert len(calls) == 1


def test_a_server_fills_its_first_views_at_start_and_after_an_import_on_the_command_line(writable_env, tmp_path):
    """serve.py as run.sh starts it: its start-up warm-up keeps the cards and the process fills
    its first views; ``cli.py import`` of a ledger row elsewhere (with its own warm-up) makes the
    process fill them again for the new data version."""
    import os
    import re
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT
    from tests.test_browser import Server

    env = {"DASHBOARD_WARM_AFTER_CHANGE": "1", "DASHBOARD_FIRST_VIEWS": "1"}
    log = tmp_path / "server.log"

    def versions() -> list[int]:
        return [int(v) for v in re.findall(rb"first views filled for data version \S+#(\d+)", log.read_bytes())]

    def wait_for(count: int) -> list[int]:
        deadline = time.time() + 180
        while time.time() < deadline and len(versions()) < count:
            time.sleep(0.5)
        return versions()

    with open(log, "wb") as err:
        server = Server(writable_env, env=env, log=err)
    try:
        first = wait_for(1)
        assert len(first) == 1, log.read_text(errors="replace")[-2000:]
        engine = get_engine(writable_env)
        with engine.connect() as conn:
            branch = conn.exec_driver_sql("SELECT name FROM branch ORDER BY id LIMIT 1").scalar_one()
        ledger = tmp_path / "补录.csv"
        ledger.write_text(LEDGER_ROW.format(branch=branch), encoding="utf-8")
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--db", writable_env, "import", str(ledger)],
                              env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "已导入" in done.stdout, done.stdout + done.stderr
        after = wait_for(2)
        assert len(after) == 2 and after[1] > after[0], log.read_text(errors="replace")[-2000:]
        assert b"Traceback" not in log.read_bytes()
    finally:
        server.stop()
