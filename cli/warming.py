"""``warm``: compute and keep the committee figures the first pages and commands ask for
(services.analytics.warm). ``import``, ``undo`` and ``demo`` start it in a detached process after
they change data, as the 数据导入 page does in a thread: the command returns at once, and the
leader who opens 总览 next, or the next ``cli.py scorecard``, reads kept figures instead of
computing them (seconds at province scale). The quarter in progress is figured as of today, so
each day needs figures of its own: every server process (serve.py) starts the same warm-up when
it starts and again each day at 00:05 (``keep_warm``); with several processes on one machine
the lock files below let one compute and the others read what it kept."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, time as clock_time, timedelta
from pathlib import Path

from sqlalchemy import Engine

from cli import context
from domain import settings

CLI = Path(__file__).resolve().parent.parent / "cli.py"
# "0" turns the warm-up after a change off (the test suite does, but for the tests of it)
SWITCH = "DASHBOARD_WARM_AFTER_CHANGE"


# when the server processes compute the new day's figures (keep_warm)
DAILY_AT = clock_time(0, 5)
WARM_LIMIT = 3600  # seconds; a warm-up at province scale takes 10–15


def start_warm(engine: Engine) -> subprocess.Popen | None:
    """Start ``cli.py warm --after-change`` on ``engine``'s database in its own session, its
    output discarded (a failed warm-up only leaves the figures to be computed when first asked
    for). The database URL goes through the environment, never the command line ``ps`` shows."""
    return start_warm_url(engine.url.render_as_string(hide_password=False))


def start_warm_url(url: str | None) -> subprocess.Popen | None:
    """``start_warm`` for a database URL; ``None``: the one ``cli.py`` opens by default
    (``DATABASE_URL``, else the default SQLite file)."""
    if settings.get(SWITCH) == "0":
        return None
    env = {**os.environ, **({"DATABASE_URL": url} if url else {})}
    try:
        # this process's working directory: a relative SQLite path means the same file
        return subprocess.Popen([sys.executable, str(CLI), "warm", "--after-change"], env=env,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    except OSError:  # no process to spare: the figures are computed when first asked for
        return None


def seconds_until(now: datetime, at: clock_time) -> float:
    """Seconds from ``now`` to the next ``at`` o'clock: today's if it is still to come,
    otherwise tomorrow's."""
    target = datetime.combine(now.date(), at)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def keep_warm(start: Callable[[], subprocess.Popen | None], wait: Callable[[float], bool],
              now: Callable[[], datetime] = datetime.now, at: clock_time = DAILY_AT) -> None:
    """A server process's warm-up loop: ``start()`` one at once (a restart or a new version of
    the program finds nothing kept for it) and then every day at ``at``, until ``wait(seconds)``
    returns True (the server stops: ``threading.Event.wait``). Each warm-up is waited for, so
    none is left behind as a zombie process."""
    while True:
        proc = start()
        if proc is not None:
            try:
                proc.wait(WARM_LIMIT)
            except subprocess.TimeoutExpired:  # stuck: tomorrow's warm-up must still come
                proc.kill()
                proc.wait()
        if wait(seconds_until(now(), at)):
            return


def lock_stem(engine: Engine) -> Path:
    """The lock files' common path (``.run``, ``.wait``) of ``engine``'s database."""
    url = engine.url.render_as_string(hide_password=True)
    return Path(tempfile.gettempdir()) / f"dangjian-warm-{hashlib.sha256(url.encode()).hexdigest()[:16]}"


@contextlib.contextmanager
def _one_at_a_time(engine: Engine):
    """Warm-ups of one database run one after another, and at most one waits: a script importing
    twelve files in twelve commands must not start twelve province-sized computations at once.
    A warm-up that finds another already waiting leaves (yields False): that one starts after
    the running one ends, so it reads every change made before this one was started."""
    try:
        import fcntl
    except ImportError:  # not on Linux: no coordination, each warm-up runs
        yield True
        return
    stem, files = lock_stem(engine), contextlib.ExitStack()
    try:
        waiting = files.enter_context(open(f"{stem}.wait", "a"))
        running = files.enter_context(open(f"{stem}.run", "a"))
    except OSError:  # another user's lock files (a shared /tmp): run without coordination
        files.close()
        yield True
        return
    with files:
        try:
            fcntl.flock(waiting, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        fcntl.flock(running, fcntl.LOCK_EX)
        fcntl.flock(waiting, fcntl.LOCK_UN)
        yield True


def cmd_warm(args) -> int:
    engine = context.engine(args)
    with _one_at_a_time(engine) if args.after_change else contextlib.nullcontext(True) as mine:
        if not mine:
            print("另一个预先计算正在排队，本次不再重复计算。")
            return 0
        from services import analytics

        started = time.perf_counter()
        quarters = analytics.warm(engine, args.as_of)
        print(f"已预先计算 {'、'.join(quarters)} 的支部得分和最近两个季度的党员预警"
              f"（用时 {time.perf_counter() - started:.1f} 秒）。")
    return 0
