"""Committee-wide figures kept in the database (storage.kept_figures via services.analytics): the
quarter's scorecard and the committee's lagging list. Another process, or this one after a
restart, reads them instead of computing them; what is read back is what was computed; figures
from other data or other code are never used; a database that refuses the write still gets the
figures."""

import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from domain.access import SYSTEM, Viewer
from domain.periods import parse_quarter
from services import analytics
from services.importing import import_bytes, import_paths, sample_files
from storage.db import get_engine
from tests.conftest import ROOT

Q2, Q3 = parse_quarter("2026Q2"), parse_quarter("2026Q3")
CUT = date(2026, 9, 30)


@pytest.fixture(params=["sqlite", "postgresql"])
def loaded_url(request, writable_env):
    """The sample data on each backend: the SQLite copy, or a new PostgreSQL schema loaded with it."""
    if request.param == "sqlite":
        yield writable_env
        return
    from tests.conftest import pg_copy_url

    def load(url: str) -> None:
        assert all(o.status != "rejected" for o in import_paths(get_engine(url), sample_files(), SYSTEM))

    yield from pg_copy_url("sample", load)


def _restart(monkeypatch, engine):
    """What another process (or this one restarted) starts from: nothing kept in memory, and any
    computing is counted."""
    analytics.forget_cards()
    computed = []
    card, lagging = analytics.branch_scorecard, analytics.lagging_members
    monkeypatch.setattr(analytics, "branch_scorecard",
                        lambda ds, q, cut, cfg, *inputs: computed.append(str(q)) or card(ds, q, cut, cfg, *inputs))
    monkeypatch.setattr(analytics, "lagging_members",
                        lambda ds, q, cut, cfg, *parts: computed.append(f"lagging {q}") or lagging(ds, q, cut, cfg, *parts))
    return computed


def _kept(engine, kind="scorecard") -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT DISTINCT quarter, as_of FROM kept_figures WHERE kind = :k ORDER BY quarter"), {"k": kind})]


def test_a_card_computed_once_is_read_back_exactly_by_a_fresh_process(loaded_url, monkeypatch):
    engine = get_engine(loaded_url)
    analytics.forget_cards(engine)
    computed = _restart(monkeypatch, engine)
    first = analytics.scorecard(engine, SYSTEM, Q3, CUT)
    assert computed == ["2026Q3"]
    assert [(q, str(d)) for q, d in _kept(engine)] == [("2026Q3", "2026-09-30")]

    computed = _restart(monkeypatch, engine)
    again = analytics.scorecard(engine, SYSTEM, Q3, CUT)
    assert computed == []  # read from the database, not computed
    pd.testing.assert_frame_equal(again.card.branches, first.card.branches)
    pd.testing.assert_frame_equal(again.card.indicators, first.card.indicators)
    assert again.card.warnings == first.card.warnings
    assert (again.n_ranked, again.committee_average) == (first.n_ranked, first.committee_average)


def test_a_kept_frame_comes_back_with_its_values_and_types_also_from_an_older_parquet_copy():
    """Frames are kept as Arrow IPC; copies kept as Parquet before still read the same."""
    import io

    from storage import kept_figures

    frame = pd.DataFrame({
        "branch_id": pd.array([3, None], dtype="Int64"), "name": ["王磊", "李娜"],
        "reasons": [["zero_points", "absent"], []], "points": [0.0, 1350.5],
        "at": pd.to_datetime(["2026-09-30", "2026-07-01"]),
        "status": pd.Categorical(["预警", "达标"]),
    })
    older = io.BytesIO()
    frame.to_parquet(older, index=False)
    kept = kept_figures._to_bytes(frame)
    assert kept[:4] != b"PAR1"
    for data in (kept, older.getvalue()):
        back = kept_figures._from_bytes(data)
        pd.testing.assert_frame_equal(back, frame)
        assert back["reasons"].tolist() == [["zero_points", "absent"], []]


def test_a_secretary_reading_a_kept_card_gets_only_their_branch(writable_env, monkeypatch):
    engine = get_engine(writable_env)
    with engine.connect() as conn:
        bid, name = conn.execute(text("SELECT id, name FROM branch ORDER BY id LIMIT 1")).one()
    analytics.forget_cards(engine)
    analytics.scorecard(engine, SYSTEM, Q3, CUT)
    computed = _restart(monkeypatch, engine)
    mine = analytics.scorecard(engine, Viewer("s", "secretary", branch_id=bid, branch=name), Q3, CUT)
    assert computed == []
    assert mine.card.branches["branch_id"].tolist() == [bid]
    assert set(mine.card.indicators["branch_id"]) == {bid}
    assert mine.n_ranked == 30  # the committee-wide aggregate still comes with it


def test_new_data_in_the_quarter_recomputes_and_replaces_the_kept_card(writable_env, monkeypatch):
    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    before = analytics.scorecard(engine, SYSTEM, Q3, CUT)
    branch, bid = before.card.branches.iloc[0][["branch", "branch_id"]]
    csv = (f"支部名称,活动日期,活动类型,活动主题,应到人数,实到人数\n"
           f"{branch},2026-09-15,党课,补录,10,10\n").encode()
    assert import_bytes(engine, csv, "九月补录.csv", SYSTEM).status == "imported"
    computed = _restart(monkeypatch, engine)
    after = analytics.scorecard(engine, SYSTEM, Q3, CUT)
    assert computed == ["2026Q3"]
    assert len(_kept(engine)) == 1  # the superseded card of the same quarter and day is gone
    count = after.card.indicators.set_index(["branch_id", "indicator"]).loc[(bid, "lecture"), "actual"]
    was = before.card.indicators.set_index(["branch_id", "indicator"]).loc[(bid, "lecture"), "actual"]
    assert count == was + 1


def test_a_card_from_another_version_of_the_code_is_not_used(writable_env, monkeypatch):
    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    analytics.scorecard(engine, SYSTEM, Q2, Q2.end)
    computed = _restart(monkeypatch, engine)
    monkeypatch.setattr(analytics, "code_version", lambda: "another-version")
    analytics.scorecard(engine, SYSTEM, Q2, Q2.end)
    assert computed == ["2026Q2"]


def test_a_database_that_refuses_to_keep_still_gets_the_figures(writable_env, monkeypatch, caplog):
    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    expected = analytics.scorecard(engine, SYSTEM, Q3, CUT)
    with engine.begin() as conn:  # neither read nor write can succeed now
        conn.execute(text("DROP TABLE kept_figures"))
    computed = _restart(monkeypatch, engine)
    got = analytics.scorecard(engine, SYSTEM, Q3, CUT)
    assert computed == ["2026Q3"]
    pd.testing.assert_frame_equal(got.card.branches, expected.card.branches)
    assert any("not kept" in r.getMessage() for r in caplog.records)


def test_the_cli_keeps_the_card_for_the_next_command(writable_env):
    """Two whole ``cli.py scorecard`` processes: the first keeps the card, the second prints the
    same figures from it."""
    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    argv = [sys.executable, str(ROOT / "cli.py"), "--db", writable_env, "scorecard",
            "--quarter", "2026Q3", "--as-of", "2026-09-30", "--format", "json"]
    first = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert first.returncode == 0, first.stderr
    assert [q for q, _ in _kept(engine)] == ["2026Q3"]
    second = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout


def test_the_committees_lagging_list_is_read_back_exactly_by_a_fresh_process(loaded_url, monkeypatch):
    """Its list columns (reasons, absent activities, missing months) come back as Python lists."""
    engine = get_engine(loaded_url)
    analytics.forget_cards(engine)
    computed = _restart(monkeypatch, engine)
    first = analytics.lagging(engine, SYSTEM, Q3, CUT)
    assert computed == ["lagging 2026Q3"] and len(first) > 0
    assert [q for q, _ in _kept(engine, "lagging")] == ["2026Q3"]
    computed = _restart(monkeypatch, engine)
    again = analytics.lagging(engine, SYSTEM, Q3, CUT)
    assert computed == []
    pd.testing.assert_frame_equal(again, first)
    assert all(type(v) is list for col in ("reasons", "reason_labels", "absent_activities", "missing_months")
               for v in again[col])


def test_a_secretarys_lagging_list_is_computed_on_their_branch_and_not_kept(writable_env, monkeypatch):
    """Only the whole committee's list is kept; a secretary's is read from their own branch (a
    committee list kept in the database never reaches them)."""
    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    whole = analytics.lagging(engine, SYSTEM, Q3, CUT)
    bid, name = whole.iloc[0][["branch_id", "branch"]]
    computed = _restart(monkeypatch, engine)
    mine = analytics.lagging(engine, Viewer("s", "secretary", branch_id=int(bid), branch=name), Q3, CUT)
    assert computed == ["lagging 2026Q3"]
    assert set(mine["branch_id"]) == {bid}
    assert mine["member_id"].tolist() == whole[whole["branch_id"] == bid]["member_id"].tolist()
    assert len(_kept(engine, "lagging")) == 1


def test_warming_after_new_data_keeps_what_the_overview_asks_first(writable_env, monkeypatch):
    """analytics.warm (run after an import or undo) computes the newest quarter as of today, its
    previous quarter, the trend's quarters and the lagging lists of the newest quarter and the
    finished one before it: the overview, and the inspection of the finished quarter, then
    compute nothing in a fresh process. The sample's data reach 2026-11-20: newest is 2026Q4."""
    engine = get_engine(writable_env)
    today = date(2026, 12, 1)
    analytics.forget_cards(engine)
    assert analytics.warm(engine, today) == ["2026Q4", "2026Q3", "2026Q2", "2026Q1"]
    computed = _restart(monkeypatch, engine)
    q4 = parse_quarter("2026Q4")
    analytics.scorecard(engine, SYSTEM, q4, today, with_previous=True)
    analytics.score_trend(engine, SYSTEM, [q4, Q3, Q2, parse_quarter("2026Q1")], today)
    analytics.lagging(engine, SYSTEM, q4, today)
    analytics.lagging(engine, SYSTEM, Q3, Q3.end)
    assert computed == []


def test_the_import_pages_warm_up_runs_in_the_background_and_only_logs_failures(writable_env, monkeypatch,
                                                                              caplog):
    from ui import data

    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    data.warm_in_background().join(timeout=120)
    assert [q for q, _ in _kept(engine)] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [q for q, _ in _kept(engine, "lagging")] == ["2026Q3", "2026Q4"]

    monkeypatch.setattr(analytics, "warm", lambda engine: 1 / 0)
    thread = data.warm_in_background()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert any("warming the figures" in r.getMessage() for r in caplog.records)


def _age_kept(engine, days: int) -> None:
    """Make every kept row look kept ``days`` days ago."""
    from datetime import datetime, timedelta

    with engine.begin() as conn:
        conn.execute(text("UPDATE kept_figures SET created_at = :t"),
                     {"t": datetime.now() - timedelta(days=days)})


def test_a_finished_quarters_card_still_asked_for_does_not_age_out(writable_env, monkeypatch):
    """Cards kept three weeks ago: the one read since (the trend shows it on every 总览) survives
    the age limit that the next keep applies; the one no one asked for is dropped."""
    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    analytics.scorecard(engine, SYSTEM, Q2, Q2.end)
    analytics.scorecard(engine, SYSTEM, Q3, CUT)
    _age_kept(engine, 20)
    computed = _restart(monkeypatch, engine)
    analytics.scorecard(engine, SYSTEM, Q2, Q2.end)  # read back, and so kept again today
    analytics.forget_cards()
    analytics.scorecard(engine, SYSTEM, parse_quarter("2026Q1"), date(2026, 3, 31))  # this keep clears aged rows
    assert [q for q, _ in _kept(engine)] == ["2026Q1", "2026Q2"]
    analytics.forget_cards()
    analytics.scorecard(engine, SYSTEM, Q2, Q2.end)
    assert computed == ["2026Q1"]


def test_warming_puts_back_a_card_this_process_holds_but_the_database_lost(writable_env, monkeypatch):
    """A server process that has held the trend's cards in memory for weeks asks the database
    nothing; if the rows aged out, the other process behind nginx would compute them cold. The
    warm-up after an import keeps them again."""
    engine = get_engine(writable_env)
    today = date(2026, 12, 1)
    analytics.forget_cards(engine)
    analytics.warm(engine, today)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM kept_figures"))
    analytics.warm(engine, today)  # every card comes from this process's memory
    assert [q for q, _ in _kept(engine)] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [q for q, _ in _kept(engine, "lagging")] == ["2026Q3", "2026Q4"]
    computed = _restart(monkeypatch, engine)
    analytics.score_trend(engine, SYSTEM, [parse_quarter("2026Q4"), Q3, Q2, parse_quarter("2026Q1")], today)
    assert computed == []


def test_cli_warm_keeps_the_figures_so_the_next_command_computes_nothing(writable_env, monkeypatch,
                                                                         capsys):
    """``cli.py warm`` (what cron runs after midnight, and import/undo start): the quarter in
    progress as of the day given, the trend's finished quarters, two lagging lists."""
    from cli.main import main

    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    assert main(["--db", writable_env, "warm", "--as-of", "2026-12-01"]) == 0
    assert "2026Q4、2026Q3、2026Q2、2026Q1" in capsys.readouterr().out
    def days(kind):
        return [(q, str(as_of)[:10]) for q, as_of in _kept(engine, kind)]

    assert days("scorecard") == [("2026Q1", "2026-03-31"), ("2026Q2", "2026-06-30"),
                                 ("2026Q3", "2026-09-30"), ("2026Q4", "2026-12-01")]
    assert days("lagging") == [("2026Q3", "2026-09-30"), ("2026Q4", "2026-12-01")]
    computed = _restart(monkeypatch, engine)
    analytics.scorecard(engine, SYSTEM, Q3, CUT, with_previous=True)
    analytics.lagging(engine, SYSTEM, Q3, CUT)
    assert computed == []


def test_an_import_on_the_command_line_warms_in_a_process_of_its_own(writable_env):
    """``cli.py import`` returns, and a detached ``cli.py warm`` keeps the figures the first pages
    ask for, in the same database even when the URL is a path relative to where the command ran;
    importing the same file again changes nothing and starts nothing."""
    import os
    import time
    from pathlib import Path

    engine = get_engine(writable_env)
    db_file = Path(writable_env.removeprefix("sqlite:///"))
    relative = f"sqlite:///{db_file.name}"  # run from the database's folder
    with engine.connect() as conn:
        branch = conn.execute(text("SELECT name FROM branch ORDER BY id LIMIT 1")).scalar_one()
    analytics.forget_cards(engine)
    path = ROOT / "tests" / "_warm_ledger.csv"
    csv = f"支部名称,活动日期,活动类型,活动主题,应到人数,实到人数\n{branch},2026-11-16,党课,预热测试,10,10\n"
    env = {**os.environ, "DASHBOARD_WARM_AFTER_CHANGE": "1"}
    try:
        path.write_text(csv, encoding="utf-8")
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--db", relative, "import", str(path)],
                              env=env, capture_output=True, text=True, timeout=120, cwd=db_file.parent)
        assert done.returncode == 0 and "已导入" in done.stdout, done.stdout + done.stderr
        deadline = time.time() + 120
        while time.time() < deadline and len(_kept(engine, "lagging")) < 2:
            time.sleep(0.5)
        assert [q for q, _ in _kept(engine, "lagging")] == ["2026Q3", "2026Q4"]
        assert [q for q, _ in _kept(engine)] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
        assert not (ROOT / db_file.name).exists()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM kept_figures"))
        again = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--db", writable_env, "import", str(path)],
                               env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and "已存在" in again.stdout, again.stdout + again.stderr
        time.sleep(3)
        assert _kept(engine) == []
    finally:
        path.unlink(missing_ok=True)


def test_warm_ups_after_changes_run_one_at_a_time_and_at_most_one_waits(sqlite_engine, monkeypatch):
    """Twelve imports in twelve commands: the first warms, the second waits for it, the others
    leave at once (the one waiting reads their data when it starts)."""
    import fcntl
    import threading

    from cli.warming import _one_at_a_time

    entered, release, second_waits = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []
    real_flock = fcntl.flock

    def flock(file, operation):
        # the second holds the waiting place once it asks for the running one (a blocking call)
        if threading.current_thread().name == "second" and file.name.endswith(".run"):
            second_waits.set()
        return real_flock(file, operation)

    monkeypatch.setattr(fcntl, "flock", flock)

    def first():
        with _one_at_a_time(sqlite_engine) as mine:
            order.append(f"first {mine}")
            entered.set()
            release.wait(30)

    def second():
        with _one_at_a_time(sqlite_engine) as mine:
            order.append(f"second {mine}")

    a = threading.Thread(target=first)
    a.start()
    assert entered.wait(30)
    b = threading.Thread(target=second, name="second")
    b.start()
    assert second_waits.wait(30)
    with _one_at_a_time(sqlite_engine) as third:
        assert third is False
    assert order == ["first True"]  # the second still waits for the first
    release.set()
    a.join(30)
    b.join(30)
    assert order == ["first True", "second True"]


def test_a_warm_up_that_cannot_open_the_lock_files_still_runs(sqlite_engine, monkeypatch, tmp_path):
    """Lock files it may not open (another user's, in a shared /tmp): it runs uncoordinated
    rather than not at all."""
    import cli.warming as warming

    monkeypatch.setattr(warming, "lock_stem", lambda engine: tmp_path / "missing" / "lock")
    with warming._one_at_a_time(sqlite_engine) as mine:
        assert mine is True


def test_the_daily_warm_up_comes_at_five_past_midnight():
    from datetime import datetime

    from cli.warming import DAILY_AT, seconds_until

    assert seconds_until(datetime(2026, 12, 6, 20, 0), DAILY_AT) == 4 * 3600 + 5 * 60
    assert seconds_until(datetime(2026, 12, 7, 0, 1, 30), DAILY_AT) == 3 * 60 + 30
    assert seconds_until(datetime(2026, 12, 7, 0, 5), DAILY_AT) == 24 * 3600  # just done: tomorrow's
    assert seconds_until(datetime(2026, 12, 31, 23, 59), DAILY_AT) == 6 * 60  # into the new year


def test_a_server_process_warms_at_start_then_every_day_until_it_stops():
    """keep_warm starts a warm-up at once, waits for it to end, sleeps until 00:05, and again,
    until the server stops; a warm-up that never ends is killed so the next day's still comes."""
    from datetime import datetime, timedelta

    from cli import warming

    class Proc:
        def __init__(self, hangs=False):
            self.hangs, self.waited, self.killed = hangs, [], False

        def wait(self, timeout=None):
            self.waited.append(timeout)
            if self.hangs and not self.killed:
                raise subprocess.TimeoutExpired("cli.py warm", timeout)

        def kill(self):
            self.killed = True

    procs = [Proc(), Proc(hangs=True), None]  # the third: warm-ups switched off, nothing started
    started, slept = [], []
    clock = iter([datetime(2026, 12, 6, 20, 0), datetime(2026, 12, 7, 0, 5, 12), datetime(2026, 12, 8, 0, 5, 3)])

    def start():
        started.append(len(started))
        return procs[len(started) - 1]

    def wait(seconds):
        slept.append(seconds)
        return len(slept) == 3  # the server stops during the third night's wait

    warming.keep_warm(start, wait, now=lambda: next(clock))
    assert started == [0, 1, 2]
    assert slept == [timedelta(hours=4, minutes=5).total_seconds(), 24 * 3600 - 12, 24 * 3600 - 3]
    assert procs[0].waited == [warming.WARM_LIMIT] and not procs[0].killed
    assert procs[1].killed and procs[1].waited == [warming.WARM_LIMIT, None]


def test_a_fresh_server_keeps_todays_figures_before_anyone_opens_a_page(writable_env, monkeypatch):
    """``streamlit run serve.py`` (what run.sh and the systemd unit start) on data with nothing
    kept: without any visit, today's figures of the newest quarter and its lagging list appear in
    the database, so the first leader reads them instead of waiting for them."""
    import time

    from tests.test_browser import Server

    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    assert _kept(engine) == []
    newest = analytics.quarters_with_data(engine)[0]
    cut = analytics.as_of_for(newest, None, date.today())
    monkeypatch.setenv("DASHBOARD_WARM_AFTER_CHANGE", "1")  # the suite turns warm-ups off
    server = Server(writable_env)
    try:
        deadline = time.time() + 120
        # the warm-up keeps the quarter the pages open on first, which need not be the newest
        newest_kept = _kept(engine, "lagging")
        while str(newest) not in [q for q, _ in newest_kept] and time.time() < deadline:
            time.sleep(0.5)
            newest_kept = _kept(engine, "lagging")
        assert (str(newest), cut.isoformat()) in [(q, str(a)[:10]) for q, a in _kept(engine)]
        assert (str(newest), cut.isoformat()) in [(q, str(a)[:10]) for q, a in newest_kept]
        assert server.proc.poll() is None  # still serving
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["scorecard", "lagging"])
def test_two_threads_asking_for_the_same_figures_compute_them_once(writable_env, monkeypatch, kind):
    """A leader opens 总览 while the warm-up thread of the page that imported a file computes
    the same card: the page waits for that computation and gets its result, it does not start a
    second one beside it (two share one interpreter: each then takes about twice as long)."""
    import threading
    import time

    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    computing, release, calls, results = threading.Event(), threading.Event(), [], {}
    name = "branch_scorecard" if kind == "scorecard" else "lagging_members"
    real = getattr(analytics, name)

    def slow(ds, q, cut, cfg, *parts):
        calls.append(str(q))
        computing.set()
        release.wait(30)
        return real(ds, q, cut, cfg, *parts)

    monkeypatch.setattr(analytics, name, slow)

    def ask(who):
        if kind == "scorecard":
            results[who] = analytics.committee_card(engine, Q3, CUT)
        else:
            results[who] = analytics.lagging(engine, SYSTEM, Q3, CUT)

    first = threading.Thread(target=ask, args=("warm-up",))
    first.start()
    assert computing.wait(30)
    second = threading.Thread(target=ask, args=("page",))
    second.start()
    deadline = time.time() + 2  # time enough for a second computation to begin, if one would
    while time.time() < deadline and len(calls) < 2:
        time.sleep(0.05)
    release.set()
    first.join(60)
    second.join(60)
    assert calls == ["2026Q3"]
    if kind == "scorecard":
        assert results["page"] is results["warm-up"]
    else:
        pd.testing.assert_frame_equal(results["page"], results["warm-up"])


def test_the_systemd_unit_warms_the_figures_before_the_process_serves(writable_env, monkeypatch):
    """After an update nothing kept fits the new code: deploy/dashboard@.service runs the warm-up
    after the migrations and before Streamlit starts, bounded well inside the unit's start
    timeout, and a failed warm-up does not keep the process down ("-"). Run as the unit runs it,
    it keeps what 总览 asks for first, so the process computes nothing for it."""
    import os
    import re
    import shlex

    unit = (ROOT / "deploy" / "dashboard@.service").read_text(encoding="utf-8")
    pre = re.findall(r"^ExecStartPre=(.*)$", unit, re.M)
    assert len(pre) == 2 and "alembic" in pre[0] and "upgrade head" in pre[0]
    warm = pre[1]
    assert warm.startswith("-"), "a failed warm-up must not stop the process from starting"
    argv = shlex.split(warm[1:])
    assert argv[:2] == ["/usr/bin/timeout", argv[1]] and argv[-2:] == ["warm", "--after-change"]
    start_limit = int(re.search(r"^TimeoutStartSec=(\d+)$", unit, re.M).group(1))
    assert int(argv[1]) + 30 <= start_limit, "the warm-up's bound leaves the start time to serve"
    assert unit.index("ExecStartPre=-") < unit.index("ExecStart=")

    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    command = [sys.executable if a.endswith("/.venv/bin/python") else a.replace("/opt/dashboard", str(ROOT))
               for a in argv]
    done = subprocess.run(command, env={**os.environ, "DATABASE_URL": writable_env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and "已预先计算" in done.stdout, done.stdout + done.stderr
    computed = _restart(monkeypatch, engine)
    newest = analytics.quarters_with_data(engine)[0]
    analytics.scorecard(engine, SYSTEM, newest, with_previous=True)
    analytics.lagging(engine, SYSTEM, newest)
    assert computed == []


@pytest.mark.parametrize("today, opens", [
    # the sample's 学习强国 exports reach 31 Oct: 31 of Q4's days; as of 1 Dec 62 days have gone
    # by (exactly half covered: Q4 opens), as of 2 Dec 63 (under half: the finished Q3 opens)
    (date(2026, 12, 1), "2026Q4"),
    (date(2026, 12, 2), "2026Q3"),
])
def test_warming_keeps_the_quarter_the_pages_open_on_first(writable_env, monkeypatch, today, opens):
    """The card a leader's first view needs is kept first (then its comparison quarter): a page
    opened during the warm-up computes it only in the first part of it."""
    engine = get_engine(writable_env)
    analytics.forget_cards(engine)
    order = []
    put_back = analytics._put_back
    monkeypatch.setattr(analytics, "_put_back",
                        lambda engine, kind, q, *rest: order.append((kind, str(q))) or put_back(engine, kind, q, *rest))
    assert str(analytics.opening_quarter(engine, SYSTEM, today)) == opens
    assert analytics.warm(engine, today) == ["2026Q4", "2026Q3", "2026Q2", "2026Q1"]
    before = str(parse_quarter(opens).previous())
    assert order[:2] == [("scorecard", opens), ("scorecard", before)]
    assert sorted(order[2:4]) == sorted(("scorecard", q) for q in {"2026Q4", "2026Q3", "2026Q2", "2026Q1"} - {opens, before})
    assert order[4:] == [("lagging", opens), ("lagging", ({"2026Q4", "2026Q3"} - {opens}).pop())]
