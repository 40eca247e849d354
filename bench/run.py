"""Scale benchmark: import throughput against the naive approach and the floor, scorecard and
lagging-member time on SQLite and PostgreSQL, the pages under AppTest, peak memory of each step.

    python bench/run.py [--scale S|M|L] [--db URL] [--out FILE.json] [--only] [--skip SECTIONS]
                        [--reload] [--repeat N] [--profile] [--work DIR] [--tag TAG] [--cleanup]

``--scale L`` measures S, M and L (the growth exponent needs every scale); ``--only`` measures the
given scale alone. ``--db`` is a PostgreSQL server URL (one schema per scale is created in it);
without it, and without ``BENCH_DATABASE_URL``, the PostgreSQL figures are skipped. Data come from
``sample_data/`` (S) or ``bench/generate.py`` (M, L, generated on first use). Loaded databases are
kept under ``--work`` (default ``bench/generated/``) and in the schemas ``bench_<scale><tag>``, and
reused while the files and the migrations are unchanged (``--reload`` forces a fresh load).

Every measured step runs in a fresh Python process, so its peak RSS (VmHWM) is its own and "cold"
really means cold. Results are printed as a table and written as JSON (default
``bench/out/<scale>.json``); see bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project root holds the packages
    sys.path.insert(0, str(ROOT))

from bench import generate as gen  # noqa: E402

QUARTER = "2026Q3"
AS_OF = date(2026, 9, 30)
SCALE_ORDER = ("S", "M", "L")
SECTIONS = ("import", "compute", "pages", "packet", "cli", "reminders")
RESULT_MARK = "BENCH-RESULT "
STEP_TIMEOUT = 3 * 3600
GOALS = {
    "import_over_floor_max": 2.0,
    "naive_over_import_min": 5.0,
    "scorecard_cold_s_max": 3.0,
    "page_warm_s_max": 1.0,
    "growth_exponent_max": 1.1,
    "peak_rss_mb_max": 2048.0,
    # what a user meets (issue 21): whole `cli.py` processes, from start to exit
    "cli_output_s_max": 3.0,
    "cli_import_over_floor_max": 2.0,
    "cli_reimport_s_max": 0.5,
    "page_cold_cache_s_max": {"overview": 2.0, "branch_detail": 1.0},
    "lagging_cold_s_max": 2.0,
    "lagging_warm_s_max": 0.3,
}


# =============================================================================================
# Helpers shared by the parent and the step processes


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def scale_files(scale: str) -> list[Path]:
    """The input files of a scale, in a stable order."""
    if scale == "S":
        from services.importing import sample_files

        return sample_files()
    data = gen.manifest(scale)
    if data is None:
        raise RuntimeError(f"scale {scale} is not generated: python bench/generate.py --scale {scale}")
    return [gen.scale_dir(scale) / f["file"] for f in data["files"]]


# The code that decides what an import stores: a change here makes a loaded database stale.
IMPORT_CODE = ("data_loaders/*.py", "storage/imports.py", "storage/writes.py", "storage/models.py",
               "storage/db.py", "storage/migrations/versions/*.py", "services/importing.py")


def fingerprint(scale: str) -> str:
    """Changes when the scale's files (size, mtime) or the import code (content) change."""
    h = hashlib.sha256()
    for p in scale_files(scale):
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{int(st.st_mtime)}".encode())
    for pattern in IMPORT_CODE:
        for p in sorted(ROOT.glob(pattern)):
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def pg_url(server: str, schema: str) -> str:
    from storage.db import database_url

    base = database_url(server)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def pg_reset_schema(server: str, schema: str, drop_only: bool = False) -> None:
    from sqlalchemy import create_engine, text

    from storage.db import database_url

    admin = create_engine(database_url(server))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if not drop_only:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()


def redact(url: str | None) -> str | None:
    if not url or "@" not in url:
        return url
    head, tail = url.split("@", 1)
    scheme, _, cred = head.rpartition("//")
    user = cred.split(":", 1)[0]
    return f"{scheme}//{user}:***@{tail}"


def _median_run(runs: list[dict], key: str = "seconds") -> dict:
    """The run with the median ``key`` time (an error if any run failed), with every run's
    time under ``runs_s``."""
    failed = [r for r in runs if key not in r or "error" in r]
    if failed or not runs:
        return failed[0] if failed else {"error": "not run"}
    ordered = sorted(runs, key=lambda r: r[key])
    return ordered[(len(ordered) - 1) // 2] | {"runs_s": [r[key] for r in runs]}


UNSTEADY_SPREAD = 1.25
UNSTEADY_MIN_S = 0.5  # shorter runs (S and M files) vary by more than that from fixed costs alone


def unsteady(report: dict) -> list[dict]:
    """Import measures of at least ``UNSTEADY_MIN_S`` whose repeated runs differ by more than
    ``UNSTEADY_SPREAD`` (slowest ÷ fastest). Each repeats the same work on the same file, so such
    a spread means the machine's speed changed during the run (a shared host): its figures, the
    seconds goals above all, are not comparable with a steady run's."""
    found = []
    for scale, data in report["scales"].items():
        for kind, entry in data.get("import", {}).items():
            measures = {"import": entry.get("import", {}).get("sqlite", {}),
                        "floor": entry.get("floor", {}), "naive": entry.get("naive", {})}
            for what, measure in measures.items():
                runs = [r for r in measure.get("runs_s") or [] if r]
                if len(runs) < 2 or min(runs) < UNSTEADY_MIN_S:
                    continue
                spread = max(runs) / min(runs)
                if spread > UNSTEADY_SPREAD:
                    found.append({"scale": scale, "file": entry.get("file"), "measure": what,
                                  "runs_s": runs, "spread": round(spread, 2)})
        repeated = [(f"compute {what} cold · {b}", m) for b, e in data.get("compute", {}).items()
                    for what, m in e.items()]
        repeated += [(f"cli {name} · {b}", m) for b, e in data.get("cli", {}).items() if isinstance(e, dict)
                     for name, m in e.items() if isinstance(m, dict)]
        repeated += [(f"reminders · {b}", m) for b, m in data.get("reminders", {}).items()]
        for what, measure in repeated:
            runs = [r for r in measure.get("runs_s") or [] if r]
            if len(runs) >= 2 and min(runs) >= UNSTEADY_MIN_S and max(runs) / min(runs) > UNSTEADY_SPREAD:
                found.append({"scale": scale, "measure": what, "runs_s": runs,
                              "spread": round(max(runs) / min(runs), 2)})
    return found


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def _profiled(profile_to: str | None, fn, *args, **kwargs):
    """Run ``fn`` under cProfile when ``profile_to`` is a path (stats + a top-25 text file)."""
    if not profile_to:
        return fn(*args, **kwargs)
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    value = prof.runcall(fn, *args, **kwargs)
    Path(profile_to).parent.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(profile_to)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
    buf.write("\n\n=== by own time ===\n")
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(25)
    Path(profile_to).with_suffix(".txt").write_text(buf.getvalue(), encoding="utf-8")
    return value


# =============================================================================================
# Steps: each runs in a fresh process (``run.py --step NAME --params JSON``) and returns a dict


def step_generate(scale: str) -> dict:
    if scale == "S":
        files = scale_files("S")
        return {"source": "sample_data/", "files": len(files), "reused": True}
    had = gen.manifest(scale) is not None
    data, seconds = timed(gen.generate, scale)
    return {"source": f"bench/generated/{scale}/", "files": len(data["files"]),
            "rows": sum(f["rows"] for f in data["files"]), "branches": data["branches"],
            "members": data["members"], "reused": had,
            "seconds": data["seconds"] if had else round(seconds, 2)}


def step_load(scale: str, backend: str, url: str, profile_to: str | None = None) -> dict:
    """A fresh database with every file of the scale imported (as ``cli.py import`` does) and the
    demo accounts the page benchmark logs in with."""
    from sqlalchemy import text

    from domain.access import SYSTEM
    from services.accounts import ensure_demo_accounts
    from services.importing import import_paths
    from storage.db import get_engine

    files = scale_files(scale)
    engine = get_engine(url)
    outcomes, seconds = timed(_profiled, profile_to, import_paths, engine, files, SYSTEM)
    ensure_demo_accounts(engine)
    rows = sum(o.rows for o in outcomes)
    with engine.connect() as conn:
        members = conn.execute(text(
            "SELECT count(*) FROM member_version WHERE is_current AND status = 'active'")).scalar_one()
        branches = conn.execute(text("SELECT count(*) FROM branch")).scalar_one()
    return {
        "backend": backend, "files": len(files), "rows": rows, "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "rejected": [f"{o.file_name}: {o.message}" for o in outcomes if o.status == "rejected"],
        "branches": branches, "members": members, "reused": False,
    }


def step_import(scale: str, backend: str, url: str, file: str, roster: str,
                profile_to: str | None = None) -> dict:
    """Import one file into a database holding only the roster: ``services.importing`` preview +
    store (load_file, then import_result), the path the 数据导入 page and ``cli.py import`` take."""
    from domain.access import SYSTEM
    from services.importing import import_bytes, preview, store
    from storage.db import get_engine

    engine = get_engine(url)
    roster_path = Path(roster)
    base = import_bytes(engine, roster_path.read_bytes(), roster_path.name, SYSTEM)
    if base.status != "imported":
        raise RuntimeError(f"roster rejected: {base.message}")
    path = Path(file)

    def run():
        content = path.read_bytes()
        result, load_s = timed(preview, engine, content, path.name)
        outcome, store_s = timed(store, engine, result, content, SYSTEM)
        return outcome, load_s, store_s

    (outcome, load_s, store_s), seconds = timed(_profiled, profile_to, run)
    if outcome.status != "imported":
        raise RuntimeError(f"{path.name} not imported: {outcome.message}")
    return {"backend": backend, "rows": outcome.rows, "seconds": round(seconds, 3),
            "load_file_s": round(load_s, 3), "import_result_s": round(store_s, 3),
            "rows_per_s": round(outcome.rows / seconds), "warnings": len(outcome.problems)}


def step_floor(file: str, rows: int, scratch: str) -> dict:
    """The fastest raw read of the same sheets (fastexcel/calamine to Arrow; the better of typed
    and all-text reading) plus a raw sqlite3 executemany of the same number of rows."""
    import sqlite3

    import fastexcel

    def read(dtypes):
        reader = fastexcel.read_excel(file)
        return [reader.load_sheet(name, header_row=None, **({"dtypes": dtypes} if dtypes else {}))
                .to_arrow() for name in reader.sheet_names]

    reads = {}
    for label, dtypes in (("text", "string"), ("typed", None)):
        tables, seconds = timed(read, dtypes)
        reads[label] = (seconds, tables)
    label = min(reads, key=lambda k: reads[k][0])
    read_s, tables = reads[label]

    def insert():
        out = []
        for table in tables:
            out.extend(zip(*(col.to_pylist() for col in table.columns)))
        out = out[:rows]
        width = max(len(r) for r in out)
        out = [tuple(r) + (None,) * (width - len(r)) for r in out] if any(len(r) != width for r in out) else out
        conn = sqlite3.connect(scratch, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(width))})")
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})", out)
        conn.execute("COMMIT")
        conn.close()
        return len(out)

    inserted, insert_s = timed(insert)
    total = read_s + insert_s
    return {"read": label, "read_s": round(read_s, 3), "read_text_s": round(reads["text"][0], 3),
            "read_typed_s": round(reads["typed"][0], 3), "insert_s": round(insert_s, 3),
            "seconds": round(total, 3), "rows": inserted, "rows_per_s": round(inserted / total)}


def step_naive(file: str, rows: int, scratch: str) -> dict:
    """What a first script does: pandas.read_excel with openpyxl, then DataFrame.to_sql."""
    import sqlite3
    import warnings

    import pandas as pd

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sheets = pd.read_excel(file, engine="openpyxl", sheet_name=None, header=None)
        return sheets

    sheets, read_s = timed(run)

    def store():
        conn = sqlite3.connect(scratch)
        for i, frame in enumerate(sheets.values()):
            frame = frame.set_axis([f"c{k}" for k in range(frame.shape[1])], axis=1)
            frame.to_sql(f"t{i}", conn, index=False)
        conn.commit()
        conn.close()

    _, store_s = timed(store)
    total = read_s + store_s
    return {"read_s": round(read_s, 3), "to_sql_s": round(store_s, 3), "seconds": round(total, 3),
            "rows": rows, "rows_per_s": round(rows / total)}


def step_compute(scale: str, backend: str, url: str, what: str, profile_to: str | None = None) -> dict:
    """scorecard or lagging for one quarter (services.analytics, as the pages and the CLI call
    them), first call in a fresh process (cold) and a second call (warm), plus where the time of
    the warm call goes: the database query (load_dataset) and the metrics."""
    from domain.access import SYSTEM
    from metrics.lagging import lagging_members
    from domain.periods import parse_quarter
    from metrics.scorecard import branch_scorecard
    from services import analytics
    from storage.db import get_engine

    engine = get_engine(url)  # migrations checked here, outside the timing
    _forget_cards(engine)  # nothing kept in the database either: computed from the data
    call = analytics.scorecard if what == "scorecard" else analytics.lagging
    result, cold = timed(_profiled, profile_to, call, engine, SYSTEM, QUARTER, AS_OF)
    _, warm = timed(call, engine, SYSTEM, QUARTER, AS_OF)
    _forget_cards()  # another process, or this one restarted: what the database keeps
    _, kept = timed(call, engine, SYSTEM, QUARTER, AS_OF)
    # the first call after the office imports a ledger row of the quarter, nothing warmed: its
    # figures are new, the rows of the tables no batch wrote since are kept (then undone)
    from services.importing import undo
    from sqlalchemy import text

    with engine.connect() as conn:
        branch = conn.execute(text("SELECT name FROM branch ORDER BY id LIMIT 1")).scalar_one()
    batch_id = import_ledger_row(engine, branch, "2026-09-15")
    _forget_cards()
    _, after_import = timed(call, engine, SYSTEM, QUARTER, AS_OF)
    undo(engine, batch_id, SYSTEM)
    q = parse_quarter(QUARTER)
    # the rows the computation itself reads (a quarter's scorecard needs only the quarter's
    # study and 学习强国 rows where services.analytics supports narrowing to them)
    params = inspect.signature(analytics.dataset).parameters
    narrow = {"whole_year": False} if "whole_year" in params else {}
    narrow.update({"as_of": AS_OF} if "as_of" in params else {})
    _forget_cards(engine)  # the query from the tables, not from the rows the calls above kept
    ds, query_s = timed(analytics.dataset, engine, SYSTEM, q, **narrow)
    _, kept_rows_s = timed(analytics.dataset, engine, SYSTEM, q, **narrow)  # the same, kept
    cfg, config_s = timed(analytics.config, engine, ds)
    metric = branch_scorecard if what == "scorecard" else lagging_members
    _, metrics_s = timed(metric, ds, q, AS_OF, cfg)
    size = len(result.card.branches) if what == "scorecard" else len(result)
    return {
        "backend": backend, "cold_s": round(cold, 3), "warm_s": round(warm, 3), "other_process_s": round(kept, 3),
        "after_import_s": round(after_import, 3), "kept_rows_s": round(kept_rows_s, 3),
        "query_s": round(query_s, 3), "config_s": round(config_s, 3), "metrics_s": round(metrics_s, 3),
        "result_rows": size,
        "dataset_rows": {name: len(getattr(ds, name)) for name in
                         ("members", "activities", "attendance", "study", "xuexi")},
    }


def _forget_cards(engine=None) -> None:
    """Forget the cards kept in this process, and with ``engine`` those kept in its database
    (a cold start); without it, what a restarted server or another process starts from."""
    from services import analytics

    if not hasattr(analytics, "forget_cards"):  # older code kept nothing outside Streamlit's caches
        return
    if engine is not None and "engine" in inspect.signature(analytics.forget_cards).parameters:
        analytics.forget_cards(engine)
    else:
        analytics.forget_cards()


def ledger_row(branch: str, day: str) -> str:
    """A one-row activity ledger (CSV) of ``branch`` on ``day``: the data a measure imports and
    undoes; the topic makes each one new bytes (not a re-import of the last one)."""
    return ("支部名称,活动日期,活动类型,活动主题,应到人数,实到人数\n"
            f"{branch},{day},党课,基准测试 {time.time()},10,10\n")


def import_ledger_row(engine, branch: str, day: str) -> int:
    """Import ``ledger_row`` through services.importing (what 数据导入 does); its batch id."""
    from domain.access import SYSTEM
    from services.importing import import_bytes

    outcome = import_bytes(engine, ledger_row(branch, day).encode(), "基准测试补录.csv", SYSTEM)
    if outcome.status != "imported":
        raise RuntimeError(f"bench import rejected: {outcome.message}")
    return outcome.batch_id


def step_pages(scale: str, url: str, page: str, profile_to: str | None = None) -> dict:
    """One page through the real router under AppTest, logged in as the demo admin, 2026Q3.
    overview: cold_process = the first run of a fresh process (imports, engine, empty caches);
    every page: cold_cache = a run right after st.cache_data.clear() (and the committee cards
    that services.analytics keeps are forgotten); warm = the run after."""
    os.environ["DATABASE_URL"] = url
    os.environ["DASHBOARD_DEMO"] = "1"
    import streamlit as st
    from sqlalchemy import text
    from streamlit.testing.v1 import AppTest

    from domain.periods import parse_quarter
    from storage.db import get_engine

    label_q = parse_quarter(QUARTER).label
    with get_engine(url).connect() as conn:
        branch_id = conn.execute(text(
            "SELECT min(b.id) FROM branch b JOIN branch_version v ON v.branch_id = b.id"
            " AND v.is_current AND v.type = '在职'")).scalar_one()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=STEP_TIMEOUT)
    at.session_state["auth_user"] = "demo_admin"
    at.session_state["auth_seen"] = time.time()
    at.session_state["auth_demo"] = True
    at.session_state["q"] = QUARTER  # the sidebar's quarter selectbox
    engine = get_engine(url)
    st.cache_data.clear()
    _forget_cards(engine)
    out: dict = {"page": page}

    def run(label):
        at.session_state["auth_seen"] = time.time()
        _, seconds = timed(at.run)
        if at.exception:
            raise RuntimeError(f"{page} raised: {at.exception[0].value}"[:500])
        shown = " ".join(str(c.value) for c in at.caption)
        if label_q not in shown:  # the page must show the benchmark's quarter, not today's
            raise RuntimeError(f"{page} did not show {QUARTER}: {shown[:200]}")
        out[label] = round(seconds, 3)
        out["title"] = at.title[0].value if len(at.title) else None

    if page == "overview":
        _profiled(profile_to, run, "cold_process_s")
        run("warm_s")
    else:
        run("router_first_run_s")  # AppTest can only switch to a page the router registered
        at.query_params["branch"] = str(branch_id)
        at.switch_page(f"pages/{page}.py")
    st.cache_data.clear()
    _forget_cards(engine)
    _profiled(profile_to if page != "overview" else None, run, "cold_cache_s")
    run("warm_s")
    out["warm_s"] = min(out["warm_s"], timed(at.run)[1])
    out["warm_s"] = round(out["warm_s"], 3)
    # a restarted server, or the other process behind nginx: its own caches empty, the
    # committee cards kept in the database by this one
    st.cache_data.clear()
    _forget_cards()
    run("other_process_s")
    # The first view after the office imports a file, in a process that has shown the page
    # before: one ledger row of next month (October), then one of the quarter shown (September).
    # Each batch is undone after its measure, so the loaded database stays as it was.
    from domain.access import SYSTEM
    from services.importing import undo

    with engine.connect() as conn:
        branch = conn.execute(text("SELECT name FROM branch WHERE id = :b"), {"b": branch_id}).scalar_one()
    # The third: imported through the page, which warms the figures in the background
    # (analytics.warm, timed on its own): the leader opens the page once that has finished.
    from services import analytics

    for label, day in (("after_import_next_month_s", "2026-10-15"),
                       ("after_import_same_quarter_s", "2026-09-15"),
                       ("after_import_warmed_s", "2026-09-16")):
        batch_id = import_ledger_row(engine, branch, day)
        if label == "after_import_warmed_s":
            if not hasattr(analytics, "warm"):  # older code: nothing is warmed after an import
                undo(engine, batch_id, SYSTEM)
                continue
            out["warm_up_s"] = round(timed(analytics.warm, engine)[1], 3)
        run(label)
        undo(engine, batch_id, SYSTEM)
    return out


def step_packet(scale: str, url: str) -> dict:
    """The inspection packet of every branch (reports/, when it exists): the frames once for the
    whole committee (as ``cli.py report`` does), then one Excel workbook and one Word document per
    branch, and the all-branches workbook."""
    import importlib
    from dataclasses import replace

    from domain.access import SYSTEM
    from storage.db import get_engine

    try:
        packet_mod = importlib.import_module("services.packets")
        excel = importlib.import_module("reports.excel")
        word = importlib.import_module("reports.word")
    except ModuleNotFoundError as exc:
        return {"skipped": f"reports/ is not complete yet ({exc.name} missing)"}
    engine = get_engine(url)
    packet, load_s = timed(packet_mod.packet, engine, SYSTEM, QUARTER, AS_OF)
    per_branch = []
    for b in packet.branches:
        one = replace(packet, branches=[b])
        (_, xlsx_s), (_, docx_s) = timed(excel.packet_workbook, one), timed(word.packet_document, one)
        per_branch.append(xlsx_s + docx_s)
    xlsx, all_xlsx_s = timed(excel.packet_workbook, packet)
    return {
        "branches": len(packet.branches), "load_s": round(load_s, 3),
        "per_branch_total_s": round(sum(per_branch), 3),
        "per_branch_mean_s": round(sum(per_branch) / max(len(per_branch), 1), 3),
        "per_branch_max_s": round(max(per_branch, default=0), 3),
        "all_xlsx_s": round(all_xlsx_s, 3), "seconds": round(load_s + sum(per_branch), 3),
        "all_xlsx_bytes": len(xlsx),
    }


ALONE_SAMPLE = 20  # branches whose reminder is read on its own: the baseline of the run's per-message time


def step_reminders(scale: str, url: str) -> dict:
    """The month's 督导提醒 of every branch as a run builds them (the committee's figures read
    once, each branch's message from its rows: reminder_runs.Messages), nothing sent; the
    baseline, in the same process: a message read on its own with its secretary's viewer (the
    way a run built every message before), for the first ``ALONE_SAMPLE`` branches."""
    from sqlalchemy import text

    from services import reminder_runs
    from services.reminders import to_text
    from storage.db import get_engine

    engine = get_engine(url)
    with engine.connect() as conn:
        branches = conn.execute(text("SELECT id, name FROM branch ORDER BY id")).all()
    recipients = [reminder_runs.Recipient(channel="outbox", audience="secretary", branch_id=bid, branch=name,
                                          key=f"branch:{bid}", shown="", target=None)
                  for bid, name in branches]

    def all_messages():
        messages = reminder_runs.Messages(engine, AS_OF, None)
        return sum(len(to_text(messages.for_recipient(r))) for r in recipients)

    _, all_s = timed(all_messages)
    alone = reminder_runs.Messages(engine, AS_OF, None, shared=False)
    sample = recipients[:ALONE_SAMPLE]
    _, alone_s = timed(lambda: [to_text(alone.for_recipient(r)) for r in sample])
    per_alone = alone_s / max(len(sample), 1)
    return {"branches": len(recipients), "seconds": round(all_s, 3),
            "per_message_ms": round(1000 * all_s / max(len(recipients), 1), 2),
            "alone_per_message_s": round(per_alone, 3),
            "alone_all_estimate_s": round(per_alone * len(recipients), 1),
            "ratio_to_alone": round(all_s / (per_alone * len(recipients)), 4) if per_alone else None}


CHROMIUM = "/usr/bin/chromium"  # Debian's; never a downloaded browser


STUCK_AFTER = 120  # seconds: a view not shown by then is stuck (step_browser)


def _shown(page, started: float, marker: str, timeout: float = 600) -> float:
    """Seconds from ``started`` until ``marker`` (the page's last element) is on screen and the
    script has finished (no running indicator), held for three polls 50 ms apart."""
    deadline, since = time.perf_counter() + timeout, None
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        done = (page.get_by_text(marker).count() > 0
                and page.locator('[data-testid="stStatusWidget"]').count() == 0)
        if not done:
            since = None
        elif since is None:
            since, polls = now, 1
        else:
            polls += 1
            if polls >= 3:
                return round(since - started, 3)
        page.wait_for_timeout(50)
    try:  # what the page showed instead, for the report
        seen = page.locator('[data-testid="stMain"]').inner_text(timeout=5000)[:400]
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
    except Exception as exc:  # the page itself is gone
        seen, running = f"({type(exc).__name__})", None
    raise RuntimeError(f"{marker!r} not shown within {timeout:.0f} s; script running: {running};"
                       f" the page showed: {' '.join(seen.split())!r}")


def step_browser(scale: str, url: str) -> dict:
    """总览 as a leader meets it: a real browser (Debian's Chromium through Playwright) on a server
    started as run.sh starts it (``streamlit run serve.py``), logged in as the demo admin, the
    page's own quarter (the newest). Seconds from the click on 登录, or from a reload, to the
    page's last element with its script finished. The rows imported fall in the quarter the page
    opened on (the newest, or the last finished one while the newest has little data).
    cold: a fresh server and nothing kept in the database (as after an upgrade); warm: the
    same view reloaded; after_import_warmed: one ledger row of the quarter shown imported and
    warmed as the 数据导入 page does (analytics.warm, timed on its own as warm_up_s), and the
    server's first views filled (ui.first_views.keep_first_views; first_views_after_warm_up_s: how
    long after the warm-up returned), then a reload; after_import_not_warmed: another row imported and nothing warmed (a leader quicker
    than the warm-up), then a reload. Both batches are undone afterwards. after_update: the first
    view on a new server after nothing kept was left and ``cli.py warm`` ran before it started, as
    deploy/dashboard@.service starts a process after an update (the warm-up's whole process timed
    as update_warm_up_s), logged in once the new server filled its first views
    (update_first_views_s from its start); second_login_s: a login on the running server after
    the reloads, what that first login is compared with."""
    import socket
    import tempfile
    import urllib.request

    if not Path(CHROMIUM).exists():
        return {"skipped": f"{CHROMIUM} is not installed (apt-get install chromium)"}
    from playwright.sync_api import sync_playwright
    from sqlalchemy import text

    from domain.access import SYSTEM
    from services import analytics
    from services.accounts import ensure_demo_accounts
    from services.importing import undo
    from storage.db import get_engine

    engine = get_engine(url)
    ensure_demo_accounts(engine)
    analytics.forget_cards(engine)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "DASHBOARD_DEMO": "1", "DASHBOARD_WARM_AFTER_CHANGE": "0"}

    # the servers' stderr, reported when the step fails; read by name (its own offset), since
    # the servers write through this descriptor's
    server_log = tempfile.NamedTemporaryFile()

    def serve() -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=server_log)
        deadline = time.time() + 120
        while True:
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=2).status == 200:
                    return proc
            except OSError:
                if time.time() > deadline:
                    proc.kill()
                    raise RuntimeError("streamlit run serve.py did not start") from None
                time.sleep(0.3)

    def stop(proc: subprocess.Popen) -> None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def log_in(browser):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(base + "/")
        page.get_by_label("用户名").wait_for(timeout=120_000)
        page.get_by_label("用户名").fill("demo_admin")
        page.get_by_label("密码").fill("demo")
        started = time.perf_counter()
        page.get_by_role("button", name="登录").click()
        return page, _shown(page, started, marker)

    def first_views_filled() -> int:
        """How many times the servers said they filled the first views' caches (serve.py)."""
        return Path(server_log.name).read_bytes().count(b"first views filled")

    def wait_first_views(before: int, limit: float = 180) -> float | None:
        """Seconds until a server fills its first views after ``before`` such lines; None for
        code without that (DASHBOARD_FIRST_VIEWS) or when none came within ``limit``."""
        if not (ROOT / "serve.py").read_text(encoding="utf-8").count("keep_first_views"):
            return None
        started = time.perf_counter()
        while first_views_filled() <= before:
            if time.perf_counter() - started > limit:
                return None
            time.sleep(0.1)
        return round(time.perf_counter() - started, 3)

    marker = "下载全委支部排名"  # the overview's last element for an administrator
    out: dict = {"page": "overview"}
    batches: list[int] = []
    server = serve()
    try:
        with engine.connect() as conn:
            branch = conn.execute(text("SELECT name FROM branch ORDER BY id LIMIT 1")).scalar_one()
        shown: list = []

        def one_row() -> None:  # a ledger row of the quarter the page opened on
            day = min(shown[0].start + timedelta(days=14), date.today())
            batches.append(import_ledger_row(engine, branch, day.isoformat()))

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            page, out["cold_s"] = log_in(browser)
            # the caption under the title starts with the quarter the page opened on
            caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
            shown.extend(q for q in analytics.quarters_with_data(engine)
                         if caption.split("·")[0].strip() == q.label)
            if not shown:
                raise RuntimeError(f"no quarter on the page: {caption[:200]}")
            # the reload is the one measure here a user repeats all day, and one reload varies by
            # ±0.3 s on a 2-core machine running the browser too: the median of five
            def reloaded(label: str) -> float:
                """Seconds of one reload until the page shows. Once in a long while a page never
                finishes (the browser shows the script running, the server has none running;
                seen at M and at L): that is recorded under ``stuck`` and the page reloaded once
                more, so one such view does not cost the run its browser figures."""
                for _ in range(2):
                    started = time.perf_counter()
                    page.reload()
                    try:
                        return _shown(page, started, marker, timeout=STUCK_AFTER)
                    except RuntimeError as exc:
                        out.setdefault("stuck", []).append(f"{label}: {exc}"[:600])
                raise RuntimeError(f"{label}: stuck twice")

            reloads = [reloaded("warm") for _ in range(5)]
            out["warm_s"], out["warm_runs_s"] = statistics.median(reloads), reloads
            # a second login on this server (the password's KDF and the login's own run included):
            # what the view after an update below is compared with
            other, out["second_login_s"] = log_in(browser)
            other.close()
            one_row()
            filled = first_views_filled()
            out["warm_up_s"] = round(timed(analytics.warm, engine)[1], 3)
            # a server process fills its caches for the first view once the warm-up has kept the
            # figures (ui.first_views.keep_first_views); the leader comes after that
            out["first_views_after_warm_up_s"] = wait_first_views(filled)
            out["after_import_warmed_s"] = reloaded("after_import_warmed")
            one_row()
            out["after_import_not_warmed_s"] = reloaded("after_import_not_warmed")
            out["quarter"] = str(shown[0])
            page.close()
            # an update as deploy/dashboard@.service runs it: nothing kept fits the new code, the
            # unit's warm-up (a whole cli.py process) runs before the new server starts
            stop(server)
            while batches:
                undo(engine, batches.pop(), SYSTEM)
            analytics.forget_cards(engine)
            with tempfile.TemporaryDirectory() as scratch:
                warm = whole_process([sys.executable, str(ROOT / "cli.py"), "--db", url, "warm",
                                      "--after-change"], Path(scratch) / "warm.out")
            if "error" in warm:
                raise RuntimeError(f"cli.py warm: {warm['error']}")
            out["update_warm_up_s"] = warm["seconds"]
            filled = first_views_filled()
            started = time.perf_counter()
            server = serve()
            out["update_first_views_s"] = (None if wait_first_views(filled) is None
                                           else round(time.perf_counter() - started, 3))
            _, out["after_update_s"] = log_in(browser)
            browser.close()
    except Exception as exc:
        tail = Path(server_log.name).read_bytes().decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"{exc}\nserver log (last 2,000 characters):\n{tail}") from exc
    finally:
        server_log.close()
        stop(server)
        for batch_id in batches:
            undo(engine, batch_id, SYSTEM)
    return out


STEPS = {
    "generate": step_generate, "load": step_load, "import": step_import, "floor": step_floor,
    "naive": step_naive, "compute": step_compute, "pages": step_pages, "packet": step_packet,
    "browser": step_browser, "reminders": step_reminders,
}


def step_main(name: str, params: dict) -> int:
    try:
        result = STEPS[name](**params)
    except Exception as exc:  # reported to the parent, which records it and carries on
        result = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-3000:]}
    result["peak_rss_mb"] = peak_rss_mb()
    if name == "generate":
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result["peak_rss_mb"] = max(result["peak_rss_mb"], round(children, 1))
    sys.stdout.flush()
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False, default=str))
    return 0


# =============================================================================================
# The parent: which steps, in which order, and the report


def whole_process(argv: list[str], out: Path) -> dict:
    """Run one command as a user does and time it from start to exit; its own peak RSS comes from
    wait4's resource usage. Standard output goes to ``out`` (checked by the caller)."""
    with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {"seconds": round(seconds, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
              "exit": proc.returncode}
    if proc.returncode:
        result["error"] = f"exit {proc.returncode}: " + out.with_suffix(".err").read_text(
            encoding="utf-8", errors="replace")[-1500:]
    return result


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.work).resolve()
        self.server = args.db or os.environ.get("BENCH_DATABASE_URL")
        self.skip = set(args.skip or [])
        self.log = print if not args.quiet else (lambda *a, **k: None)

    # ---------------------------------------------------------------- running steps
    def step(self, name: str, **params) -> dict:
        label = " ".join(f"{k}={Path(v).name if k == 'file' else v}" for k, v in params.items()
                         if k not in ("url", "profile_to", "roster", "scratch"))
        self.log(f"  · {name} {label}", end="", flush=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--step", name, "--params",
               json.dumps(params, ensure_ascii=False)]
        started = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=STEP_TIMEOUT)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
            if lines:
                result = json.loads(lines[-1][len(RESULT_MARK):])
            else:
                result = {"error": f"step exited {proc.returncode}"}
            if "error" in result:  # the traceback a page logged, or why the process died
                result["stderr"] = "\n".join(ln for ln in proc.stderr.splitlines()
                                              if "missing ScriptRunContext" not in ln)[-3000:]
        except subprocess.TimeoutExpired:
            result = {"error": f"step timed out after {STEP_TIMEOUT} s"}
        self.log(f"  {time.perf_counter() - started:.1f} s"
                 + (f"  ERROR {result['error']}" if "error" in result else ""))
        return result

    def profile_to(self, *parts: str) -> str | None:
        if not self.args.profile:
            return None
        return str(Path(self.args.out).resolve().parent / "profiles" / ("_".join(parts) + ".prof"))

    def backends(self, scale: str) -> dict[str, str]:
        out = {"sqlite": sqlite_url(self.work / scale / "bench.sqlite")}
        if self.server:
            out["postgresql"] = pg_url(self.server, self.schema(scale))
        return out

    def schema(self, scale: str, what: str = "") -> str:
        return f"bench_{scale.lower()}{what}{self.args.tag}"

    # ---------------------------------------------------------------- loading
    def ensure_loaded(self, scale: str, backend: str, url: str) -> dict:
        marker = self.work / scale / f"loaded-{backend}{self.args.tag}.json"
        fp = fingerprint(scale)
        if marker.exists() and not self.args.reload:
            saved = json.loads(marker.read_text(encoding="utf-8"))
            if saved.get("fingerprint") == fp and saved.get("url") == redact(url) and self._alive(url):
                return {**saved["result"], "reused": True}
        if backend == "sqlite":
            db = self.work / scale / "bench.sqlite"
            for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                p.unlink(missing_ok=True)
        else:
            pg_reset_schema(self.server, self.schema(scale))
        result = self.step("load", scale=scale, backend=backend, url=url,
                           profile_to=self.profile_to(scale, "load", backend))
        if "error" not in result:
            marker.write_text(json.dumps({"fingerprint": fp, "url": redact(url), "result": result},
                                         ensure_ascii=False, indent=1), encoding="utf-8")
        return result

    @staticmethod
    def forget_kept_cards(url: str) -> None:
        """Drop the committee figures a database keeps for every process (storage.kept_figures)."""
        from sqlalchemy import create_engine, inspect as schema

        from storage.db import database_url
        from storage.kept_figures import forget_kept

        engine = create_engine(database_url(url))
        if schema(engine).has_table("kept_figures"):
            forget_kept(engine)
        engine.dispose()

    @staticmethod
    def _alive(url: str) -> bool:
        from sqlalchemy import create_engine, text

        from storage.db import database_url

        try:
            engine = create_engine(database_url(url))
            with engine.connect() as conn:
                n = conn.execute(text("SELECT count(*) FROM member_version")).scalar_one()
            engine.dispose()
            return n > 0
        except Exception:
            return False

    # ---------------------------------------------------------------- sections
    def measure_scale(self, scale: str) -> dict:
        self.log(f"\n=== {scale} ===")
        (self.work / scale).mkdir(parents=True, exist_ok=True)
        # S needs no generating: list the sample in this process instead of starting one.
        out: dict = {"data": step_generate("S") if scale == "S" else self.step("generate", scale=scale)}
        if "error" in out["data"]:
            return out
        out["load"] = {b: self.ensure_loaded(scale, b, url) for b, url in self.backends(scale).items()}
        sqlite_load = out["load"]["sqlite"]
        out["data"].update({k: sqlite_load.get(k) for k in ("branches", "members")})
        if "import" not in self.skip:
            out["import"] = {kind: self.measure_import(scale, kind) for kind in ("xuexi", "activity")}
        if "compute" not in self.skip:
            # each cold figure is the median of --repeat fresh processes: on a shared host one
            # run can take half again as long as the next with the same code
            out["compute"] = {
                b: {what: _median_run([self.step("compute", scale=scale, backend=b, url=url, what=what,
                                                 profile_to=self.profile_to(scale, what, b))
                                       for _ in range(self.args.repeat)], key="cold_s")
                    for what in ("scorecard", "lagging")}
                for b, url in self.backends(scale).items()
            }
        if "pages" not in self.skip:
            url = self.backends(scale)["sqlite"]
            pages = ["overview"] + (["branch_detail"] if (ROOT / "pages" / "branch_detail.py").exists() else [])
            out["pages"] = {p: self.step("pages", scale=scale, url=url, page=p,
                                         profile_to=self.profile_to(scale, "page", p)) for p in pages}
            if "branch_detail" not in pages:
                out["pages"]["branch_detail"] = {"skipped": "pages/branch_detail.py does not exist yet"}
            out["browser"] = self.step("browser", scale=scale, url=url)
        if "packet" not in self.skip and scale == "S":
            out["packet"] = self.step("packet", scale=scale, url=self.backends(scale)["sqlite"])
        if "cli" not in self.skip:
            out["cli"] = self.measure_cli(scale)
        if "reminders" not in self.skip:
            # repeated like the rest: one run each made growth M → L swing from 0.82 to 1.22
            out["reminders"] = {b: _median_run([self.step("reminders", scale=scale, url=url)
                                                for _ in range(self.args.repeat)])
                                for b, url in self.backends(scale).items()}
        return out

    def after_cli_import(self, cli, db, quarter, work: Path, backend: str, url: str) -> dict:
        """What a user meets after ``cli.py import`` of one ledger row of the quarter shown,
        nothing kept before it (as after an upgrade): the import, the ``cli.py warm`` it starts in
        the background (timed here in the foreground: when the figures are ready), then the
        quarter's scorecard and lagging list as the next commands print them. The batch is undone
        afterwards (its warm-up is not started: nothing is measured after it)."""
        from sqlalchemy import create_engine, text

        from storage.db import database_url

        engine = create_engine(database_url(url))
        with engine.connect() as conn:
            branch = conn.execute(text("SELECT name FROM branch ORDER BY id LIMIT 1")).scalar_one()
        engine.dispose()
        csv = work / "补录.csv"
        csv.write_text(ledger_row(branch, "2026-09-15"), encoding="utf-8")
        second = work / "补录2.csv"
        second.write_text(ledger_row(branch, "2026-09-16"), encoding="utf-8")
        self.forget_kept_cards(url)
        out: dict = {}
        batches = []
        # then a second row, and the next commands before any warm-up: the figures are new, the
        # rows no batch of their kind changed are kept from the warm-up
        for name, argv in (("import_one_row", [*db, "import", str(csv)]),
                           ("warm_after_import", [*db, "warm"]),
                           ("scorecard_json_after_import", [*db, "scorecard", *quarter, "--format", "json"]),
                           ("lagging_json_after_import", [*db, "lagging", *quarter, "--format", "json"]),
                           ("import_second_row", [*db, "import", str(second)]),
                           ("scorecard_json_not_warmed", [*db, "scorecard", *quarter, "--format", "json"]),
                           ("lagging_json_not_warmed", [*db, "lagging", *quarter, "--format", "json"])):
            self.log(f"  · cli {name} {backend}", end="", flush=True)
            res = whole_process(cli + argv, work / f"{name}-{backend}.out")
            printed = (work / f"{name}-{backend}.out").read_text(encoding="utf-8", errors="replace")
            if name.startswith("import_"):
                found = re.search(r"第(\d+)批", printed)
                if found:
                    batches.append(found.group(1))
                elif "error" not in res:
                    res["error"] = f"no batch in the output: {printed[:300]}"
            out[name] = res
            self.log(f"  {res['seconds']:.2f} s")
        for batch in reversed(batches):
            whole_process(cli + [*db, "undo", batch], work / f"undo-{backend}.out")
        return out

    def measure_cli(self, scale: str) -> dict:
        """Whole ``cli.py`` processes, as a user or a script meets them: the quarter's scorecard
        and lagging list as JSON and the all-branch inspection packet (.xlsx) on each backend;
        importing the Q3 学习强国 export into a database holding the roster, the same file again
        (a no-op), and the whole-process floor (a fresh Python reading the file with fastexcel and
        inserting its rows with sqlite3 executemany: ``--step floor``)."""
        work = self.work / scale / "cli"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        cli = [sys.executable, str(ROOT / "cli.py")]
        quarter = ["--quarter", QUARTER, "--as-of", AS_OF.isoformat()]
        out: dict = {}
        for backend, url in self.backends(scale).items():
            db = ["--db", url]
            repeated: dict[str, list[dict]] = {}
            for _ in range(self.args.repeat):  # the median of each is kept
                self.forget_kept_cards(url)  # the first of each computes; the second reads what it kept
                for name, argv in (("scorecard_json", [*db, "scorecard", *quarter, "--format", "json"]),
                                   ("scorecard_json_kept", [*db, "scorecard", *quarter, "--format", "json"]),
                                   ("lagging_json", [*db, "lagging", *quarter, "--format", "json"]),
                                   ("lagging_json_kept", [*db, "lagging", *quarter, "--format", "json"])):
                    self.log(f"  · cli {name} {backend}", end="", flush=True)
                    res = whole_process(cli + argv, work / f"{name}-{backend}.out")
                    if "error" not in res:
                        shown = json.loads((work / f"{name}-{backend}.out").read_text(encoding="utf-8"))
                        res["items"] = len(shown.get("branches", shown.get("members", [])))
                    repeated.setdefault(name, []).append(res)
                    self.log(f"  {res['seconds']:.2f} s")
            entry = {name: _median_run(runs) for name, runs in repeated.items()}
            # repeated like the rest (the median of each): one run of a measure the machine can
            # slow by half decides a goal by luck
            after = [self.after_cli_import(cli, db, quarter, work, backend, url)
                     for _ in range(self.args.repeat)]
            entry.update({name: _median_run([run[name] for run in after]) for name in after[0]})
            if "cli_packet" in self.skip:
                out[backend] = entry
                continue
            packet = work / f"packet-{backend}.xlsx"
            self.log(f"  · cli packet_xlsx {backend}", end="", flush=True)
            res = whole_process(cli + [*db, "report", *quarter, "--out", str(packet)],
                                work / f"packet-{backend}.out")
            res["bytes"] = packet.stat().st_size if packet.exists() else None
            entry["packet_xlsx"] = res
            self.log(f"  {res['seconds']:.2f} s")
            out[backend] = entry
        files = scale_files(scale)
        path = next(p for p in files if p.name == gen.BENCH_FILES[scale]["xuexi"])
        roster = next(p for p in files if p.name == "名册_2026.xlsx")
        runs: dict[str, list[dict]] = {"import": [], "again": [], "floor": []}
        for turn in range(self.args.repeat):
            db = work / f"import-{turn}.sqlite"
            base = whole_process(cli + ["--db", sqlite_url(db), "import", str(roster)],
                                 work / "roster.out")
            if "error" in base:
                return {**out, "import": {"error": "roster: " + base["error"]}}
            for what, argv in (
                ("import", cli + ["--db", sqlite_url(db), "import", str(path)]),
                ("again", cli + ["--db", sqlite_url(db), "import", str(path)]),
                ("floor", [sys.executable, str(Path(__file__).resolve()), "--step", "floor", "--params",
                           json.dumps({"file": str(path), "rows": 10**9,
                                       "scratch": str(work / f"floor-{turn}.sqlite")})]),
            ):
                self.log(f"  · cli {what} {path.name}", end="", flush=True)
                res = whole_process(argv, work / f"{what}.out")
                text = (work / f"{what}.out").read_text(encoding="utf-8", errors="replace")
                expected = {"import": "已导入", "again": "未做任何改动", "floor": RESULT_MARK}[what]
                if "error" not in res and expected not in text:
                    res["error"] = f"output lacks {expected!r}: {text[:300]}"
                runs[what].append(res)
                self.log(f"  {res['seconds']:.2f} s")
        imp = {what: _median_run(r) for what, r in runs.items()}
        out["import"] = {"file": path.name, **imp}
        if "error" not in imp["import"] and "error" not in imp["floor"]:
            out["import"]["import_over_floor"] = round(
                imp["import"]["seconds"] / imp["floor"]["seconds"], 2)
        shutil.rmtree(work, ignore_errors=True)
        return out

    def measure_import(self, scale: str, kind: str) -> dict:
        files = scale_files(scale)
        name = gen.BENCH_FILES[scale][kind]
        path = next(p for p in files if p.name == name)
        roster = next(p for p in files if p.name == "名册_2026.xlsx")
        scratch = self.work / scale / "scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        entry: dict = {"file": name, "import": {}}
        if "postgresql" in self.backends(scale):
            schema = self.schema(scale, "_scratch")
            pg_reset_schema(self.server, schema)
            entry["import"]["postgresql"] = self.step(
                "import", scale=scale, backend="postgresql", url=pg_url(self.server, schema),
                file=str(path), roster=str(roster),
                profile_to=self.profile_to(scale, "import", kind, "postgresql"))
            pg_reset_schema(self.server, schema, drop_only=True)
        # The three SQLite measures run in turns, each on a fresh scratch file, and each keeps
        # its median run: one slow moment of a shared machine then moves no ratio on its own.
        runs: dict[str, list[dict]] = {"import": [], "floor": [], "naive": []}
        for turn in range(self.args.repeat):
            for what in runs:
                if what == "naive" and "naive" in self.skip:
                    continue
                if what != "import" and not runs["import"][-1].get("rows"):
                    continue
                target = scratch / f"{what}-{kind}-{turn}.sqlite"
                if what == "import":
                    runs[what].append(self.step(
                        "import", scale=scale, backend="sqlite", url=sqlite_url(target), file=str(path),
                        roster=str(roster), profile_to=self.profile_to(scale, "import", kind, "sqlite")
                        if turn == 0 else None))
                else:
                    runs[what].append(self.step(what, file=str(path), rows=runs["import"][-1]["rows"],
                                                scratch=str(target)))
        entry["import"]["sqlite"] = _median_run(runs["import"])
        rows = entry["import"]["sqlite"].get("rows")
        if not rows:
            return entry
        entry["rows"] = rows
        entry["floor"] = _median_run(runs["floor"])
        if runs["naive"]:
            entry["naive"] = _median_run(runs["naive"])
        imp = entry["import"]["sqlite"]
        if "seconds" in entry["floor"]:
            entry["import_over_floor"] = round(imp["seconds"] / entry["floor"]["seconds"], 2)
        if "seconds" in entry.get("naive", {}):
            entry["naive_over_import"] = round(entry["naive"]["seconds"] / imp["seconds"], 2)
        shutil.rmtree(scratch, ignore_errors=True)
        return entry

    def cleanup(self, scales: list[str]) -> None:
        for scale in scales:
            if self.server:
                for what in ("", "_scratch"):
                    try:
                        pg_reset_schema(self.server, self.schema(scale, what), drop_only=True)
                    except Exception:
                        pass
            shutil.rmtree(self.work / scale, ignore_errors=True)

    # ---------------------------------------------------------------- whole run
    def run(self) -> dict:
        a = self.args
        scales = [a.scale] if a.only else list(SCALE_ORDER[: SCALE_ORDER.index(a.scale) + 1])
        report = {"meta": machine() | {
            "date": datetime.now().isoformat(timespec="seconds"), "quarter": QUARTER,
            "as_of": AS_OF.isoformat(), "scales": scales, "db": redact(self.server),
            "postgresql": bool(self.server), "loadavg_start": _loadavg(),
        }, "scales": {}}
        if not self.server:
            report["meta"]["postgresql_skipped"] = "no --db URL (or BENCH_DATABASE_URL) given"
        started = time.perf_counter()
        try:
            for scale in scales:
                report["scales"][scale] = self.measure_scale(scale)
        finally:
            if a.cleanup:
                self.cleanup(scales)
        report["meta"]["loadavg_end"] = _loadavg()
        report["meta"]["seconds"] = round(time.perf_counter() - started, 1)
        report["growth"] = growth(report)
        report["peak_rss_mb"] = peak_table(report)
        report["goals"] = goals(report)
        report["unsteady"] = unsteady(report)
        return report


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict:
    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                    if ln.startswith("model name")), "")
    except OSError:
        pass
    mem = None
    try:
        mem = round(int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                             if ln.startswith("MemTotal"))) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    import pandas
    import sqlalchemy

    return {"cores": os.cpu_count(), "cpu": cpu, "mem_gb": mem, "python": platform.python_version(),
            "platform": platform.platform(), "pandas": pandas.__version__,
            "sqlalchemy": sqlalchemy.__version__}


# =============================================================================================
# Derived figures


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) against log(members)."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x and y and x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return round(sum((p[0] - mx) * (p[1] - my) for p in pts) / den, 2) if den else None


def _growth_entry(scales: dict, step_of, key: str) -> dict | None:
    """``{members, key: {scale: seconds}, S→M, M→L, S→L, fit}`` of the step ``step_of(data)``
    gives per scale (its ``key`` figure; a step with an error is left out), or None below two scales."""
    pts = {}
    for scale, data in scales.items():
        step, members = step_of(data), data.get("data", {}).get("members")
        if key in step and "error" not in step and members:
            pts[scale] = (members, step[key])
    if len(pts) < 2:
        return None
    entry = {"members": {s: p[0] for s, p in pts.items()}, key: {s: p[1] for s, p in pts.items()}}
    for a, b in (("S", "M"), ("M", "L"), ("S", "L")):
        if a in pts and b in pts:
            entry[f"{a}→{b}"] = _slope([pts[a], pts[b]])
    entry["fit"] = _slope(list(pts.values()))
    return entry


def growth(report: dict) -> dict:
    """Exponent of time against members for each backend and computation: S→M, M→L, and the fit."""
    out: dict = {}
    scales = report["scales"]
    for backend in ("sqlite", "postgresql"):
        found = {what: _growth_entry(scales, lambda d, w=what: d.get("compute", {}).get(backend, {}).get(w, {}),
                                     "cold_s") for what in ("scorecard", "lagging")}
        found["reminders, every branch"] = _growth_entry(
            scales, lambda d: d.get("reminders", {}).get(backend, {}), "seconds")
        for what in ("scorecard_json", "lagging_json", "packet_xlsx"):  # whole cli.py processes
            found["cli " + what] = _growth_entry(
                scales, lambda d, w=what: d.get("cli", {}).get(backend, {}).get(w, {}), "seconds")
        found = {what: entry for what, entry in found.items() if entry is not None}
        if found:
            out[backend] = found
    return out


def peak_table(report: dict) -> dict:
    """Peak RSS (MB) of every step, flattened: 'L/import/xuexi/sqlite' → MB."""
    flat: dict = {}

    def walk(prefix, node):
        if isinstance(node, dict):
            if "peak_rss_mb" in node:
                flat[prefix] = node["peak_rss_mb"]
            for k, v in node.items():
                if isinstance(v, dict):
                    walk(f"{prefix}/{k}" if prefix else k, v)

    walk("", report["scales"])
    return flat


def goals(report: dict) -> list[dict]:
    """Each goal of issue 7 at the largest measured scale: the figure, the limit, met or not."""
    scales = report["scales"]
    top = next((s for s in reversed(SCALE_ORDER) if s in scales), None)
    if top is None:
        return []
    data = scales[top]
    out = []

    def add(goal, value, limit, met_if):
        met = None if value is None else (value <= limit if met_if == "<=" else value >= limit)
        out.append({"scale": top, "goal": goal, "value": value, "limit": limit, "met": met})

    for kind in ("xuexi", "activity"):
        entry = data.get("import", {}).get(kind, {})
        add(f"import {kind}: import ÷ floor ≤ 2", entry.get("import_over_floor"),
            GOALS["import_over_floor_max"], "<=")
        add(f"import {kind}: naive ÷ import ≥ 5", entry.get("naive_over_import"),
            GOALS["naive_over_import_min"], ">=")
    for backend, steps in data.get("compute", {}).items():
        add(f"scorecard cold on {backend} < 3 s", steps.get("scorecard", {}).get("cold_s"),
            GOALS["scorecard_cold_s_max"], "<=")
    for backend, steps in data.get("compute", {}).items():
        lag = steps.get("lagging", {})
        add(f"lagging cold on {backend} ≤ 2 s", lag.get("cold_s"), GOALS["lagging_cold_s_max"], "<=")
        add(f"lagging first after an import, not warmed, on {backend} ≤ 2 s", lag.get("after_import_s"),
            GOALS["lagging_cold_s_max"], "<=")
        add(f"scorecard first after an import, not warmed, on {backend} < 3 s",
            steps.get("scorecard", {}).get("after_import_s"), GOALS["scorecard_cold_s_max"], "<=")
        add(f"lagging warm on {backend} ≤ 0.3 s", lag.get("warm_s"), GOALS["lagging_warm_s_max"], "<=")
    for page, entry in data.get("pages", {}).items():
        add(f"page {page} warm < 1 s", entry.get("warm_s"), GOALS["page_warm_s_max"], "<=")
        if page in GOALS["page_cold_cache_s_max"]:
            limit = GOALS["page_cold_cache_s_max"][page]
            add(f"page {page} cold cache (a process's first view) ≤ {limit:g} s",
                entry.get("cold_cache_s"), limit, "<=")
            for what, text in (("after_import_next_month_s", "next month's data"),
                               ("after_import_same_quarter_s", "data of the quarter shown"),
                               ("after_import_warmed_s", "data of the quarter shown through the page (warmed)"),
                               ("other_process_s", "data already seen by another process")):
                add(f"page {page} first view after importing {text} ≤ {limit:g} s",
                    entry.get(what), limit, "<=")
    shown = data.get("browser", {})
    if shown and "skipped" not in shown:
        limit = GOALS["page_cold_cache_s_max"]["overview"]
        for what, text in (("cold_s", "a fresh server, nothing kept"),
                           ("after_update_s", "a fresh server after the unit's warm-up (an update)"),
                           ("after_import_warmed_s", "after an import, warmed"),
                           ("after_import_not_warmed_s", "after an import, before any warm-up"),
                           ("warm_s", "reloaded")):
            add(f"总览 in Chromium on a running server, {text} ≤ {limit:g} s",
                shown.get(what) if "error" not in shown else None, limit, "<=")
    cli = data.get("cli", {})
    for backend in ("sqlite", "postgresql"):
        for what in ("scorecard_json", "scorecard_json_kept", "lagging_json", "lagging_json_kept",
                     "scorecard_json_after_import", "lagging_json_after_import",
                     "scorecard_json_not_warmed", "lagging_json_not_warmed"):
            step = cli.get(backend, {}).get(what, {})
            if step and "error" not in step:
                add(f"cli.py {what} on {backend}, whole process < 3 s", step.get("seconds"),
                    GOALS["cli_output_s_max"], "<=")
    imp = cli.get("import", {})
    if imp:
        add(f"cli.py import {imp.get('file')}: whole process ÷ whole-process floor ≤ 2",
            imp.get("import_over_floor"), GOALS["cli_import_over_floor_max"], "<=")
        add("cli.py import of the same file again < 0.5 s", imp.get("again", {}).get("seconds")
            if "error" not in imp.get("again", {}) else None, GOALS["cli_reimport_s_max"], "<=")
    for backend, whats in report.get("growth", {}).items():
        for what, entry in whats.items():
            key = "M→L" if "M→L" in entry else "fit"
            add(f"growth {what} on {backend} ({key}) ≤ 1.1", entry.get(key),
                GOALS["growth_exponent_max"], "<=")
    peaks = {k: v for k, v in report.get("peak_rss_mb", {}).items() if k.startswith(top + "/")}
    if peaks:
        worst = max(peaks, key=peaks.get)
        add(f"peak RSS of any step < 2 GB (worst: {worst})", peaks[worst], GOALS["peak_rss_mb_max"], "<=")
    return out


# =============================================================================================
# The printed table


def _f(v, fmt="{:,.0f}", missing="—"):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return missing
    return fmt.format(v)


def render(report: dict) -> str:
    m = report["meta"]
    lines = [f"机关党建看板 benchmark · {m['date']} · {m['cores']} cores · {m['cpu']} · "
             f"Python {m['python']} · load avg {m.get('loadavg_start')}"]
    for scale, data in report["scales"].items():
        d = data.get("data", {})
        lines.append(f"\n[{scale}] {_f(d.get('branches'))} branches, {_f(d.get('members'))} active members")
        for backend, load in data.get("load", {}).items():
            rejected = load.get("rejected") or []
            lines.append(f"  load all files ({backend}): {_f(load.get('rows'))} rows in "
                         f"{_f(load.get('seconds'), '{:.1f}')} s"
                         f" = {_f(load.get('rows_per_s'))} rows/s{' (loaded by an earlier run)' if load.get('reused') else ''}"
                         + (f"; {len(rejected)} file(s) rejected: {'; '.join(rejected)[:200]}" if rejected else "")
                         + (f"  ERROR {load['error']}" if "error" in load else ""))
        if "import" in data:
            lines.append(f"  {'import (rows/s)':34} {'import':>9} {'pg':>9} {'floor':>9} {'naive':>9}"
                         f" {'imp÷floor':>9} {'naive÷imp':>9}")
            for kind, e in data["import"].items():
                imp = e.get("import", {})
                lines.append(
                    f"  {kind + ' ' + e.get('file', ''):34.34} {_f(imp.get('sqlite', {}).get('rows_per_s')):>9}"
                    f" {_f(imp.get('postgresql', {}).get('rows_per_s')):>9}"
                    f" {_f(e.get('floor', {}).get('rows_per_s')):>9} {_f(e.get('naive', {}).get('rows_per_s')):>9}"
                    f" {_f(e.get('import_over_floor'), '{:.2f}×'):>9} {_f(e.get('naive_over_import'), '{:.1f}×'):>9}"
                    f"   ({_f(e.get('rows'))} rows)")
        if "compute" in data:
            lines.append(f"  {'compute ' + QUARTER + ' (s)':34} {'cold':>9} {'warm':>9} {'query':>9} {'metrics':>9}"
                         f" {'other process':>13} {'after import':>12}")
            for backend, whats in data["compute"].items():
                for what, e in whats.items():
                    lines.append(f"  {what + ' · ' + backend:34} {_f(e.get('cold_s'), '{:.2f}'):>9}"
                                 f" {_f(e.get('warm_s'), '{:.2f}'):>9} {_f(e.get('query_s'), '{:.2f}'):>9}"
                                 f" {_f(e.get('metrics_s'), '{:.2f}'):>9} {_f(e.get('other_process_s'), '{:.2f}'):>13}"
                                 f" {_f(e.get('after_import_s'), '{:.2f}'):>12}"
                                 + (f"  ERROR {e['error']}" if "error" in e else ""))
        if "pages" in data:
            lines.append(f"  {'pages (s)':34} {'cold proc':>9} {'cold cache':>10} {'warm':>8}"
                         f" {'after import: next month':>25} {'same quarter':>13} {'warmed':>7}"
                         f" {'other process':>13}")
            for page, e in data["pages"].items():
                if "skipped" in e:
                    lines.append(f"  {page:34} skipped: {e['skipped']}")
                    continue
                lines.append(f"  {page:34} {_f(e.get('cold_process_s'), '{:.2f}'):>9}"
                             f" {_f(e.get('cold_cache_s'), '{:.2f}'):>10} {_f(e.get('warm_s'), '{:.2f}'):>8}"
                             f" {_f(e.get('after_import_next_month_s'), '{:.2f}'):>25}"
                             f" {_f(e.get('after_import_same_quarter_s'), '{:.2f}'):>13}"
                             f" {_f(e.get('after_import_warmed_s'), '{:.2f}'):>7}"
                             f" {_f(e.get('other_process_s'), '{:.2f}'):>13}"
                             + (f"  ERROR {e['error']}" if "error" in e else ""))
        if "browser" in data:
            e = data["browser"]
            lines.append("  总览 in Chromium (s): " + (
                f"skipped: {e['skipped']}" if "skipped" in e else f"ERROR {e['error'][:300]}" if "error" in e else
                f"cold {_f(e.get('cold_s'), '{:.2f}')}, reloaded {_f(e.get('warm_s'), '{:.2f}')},"
                f" after an import warmed {_f(e.get('after_import_warmed_s'), '{:.2f}')}"
                f" (warm-up {_f(e.get('warm_up_s'), '{:.2f}')}, first views"
                f" {_f(e.get('first_views_after_warm_up_s'), '{:.2f}')} after it), not warmed"
                f" {_f(e.get('after_import_not_warmed_s'), '{:.2f}')}, after an update"
                f" {_f(e.get('after_update_s'), '{:.2f}')} (its warm-up {_f(e.get('update_warm_up_s'), '{:.2f}')},"
                f" first views {_f(e.get('update_first_views_s'), '{:.2f}')} after the start;"
                f" a second login on a running server {_f(e.get('second_login_s'), '{:.2f}')})"
                f" — {e.get('quarter')}"
                + (f"; STUCK views: {len(e['stuck'])}" if e.get("stuck") else "")))
        if "packet" in data:
            e = data["packet"]
            lines.append("  inspection packets: " + (
                f"skipped: {e['skipped']}" if "skipped" in e else f"ERROR {e['error']}" if "error" in e else
                f"{e.get('branches')} branches: frames {_f(e.get('load_s'), '{:.2f}')} s + .xlsx and .docx"
                f" per branch {_f(e.get('per_branch_mean_s'), '{:.2f}')} s (max {_f(e.get('per_branch_max_s'), '{:.2f}')})"
                f" = {_f(e.get('seconds'), '{:.1f}')} s; all branches in one .xlsx {_f(e.get('all_xlsx_s'), '{:.2f}')} s"))
        for backend, e in data.get("reminders", {}).items():
            lines.append(f"  督导提醒 · {backend}: " + (
                f"ERROR {e['error'][:300]}" if "error" in e else
                f"{e.get('branches')} branch messages {_f(e.get('seconds'), '{:.1f}')} s"
                f" ({_f(e.get('per_message_ms'), '{:.1f}')} ms each); one read alone"
                f" {_f(e.get('alone_per_message_s'), '{:.3f}')} s → ratio {_f(e.get('ratio_to_alone'), '{:.3f}')}"))
        if "cli" in data:
            lines.append(f"  {'cli.py, whole process (s)':34} {'sqlite':>9} {'pg':>9}")
            for what in ("scorecard_json", "scorecard_json_kept", "lagging_json", "lagging_json_kept",
                         "import_one_row", "warm_after_import", "scorecard_json_after_import",
                         "lagging_json_after_import", "import_second_row", "scorecard_json_not_warmed",
                         "lagging_json_not_warmed", "packet_xlsx"):
                cells = []
                for backend in ("sqlite", "postgresql"):
                    e = data["cli"].get(backend, {}).get(what, {})
                    cells.append("ERROR" if "error" in e else _f(e.get("seconds"), "{:.2f}"))
                lines.append(f"  {what:34} {cells[0]:>9} {cells[1]:>9}")
            imp = data["cli"].get("import", {})
            if "error" in imp:
                lines.append(f"  cli import: ERROR {imp['error'][:200]}")
            elif imp:
                lines.append(
                    f"  cli import {imp.get('file')}: {_f(imp.get('import', {}).get('seconds'), '{:.2f}')} s,"
                    f" again {_f(imp.get('again', {}).get('seconds'), '{:.2f}')} s,"
                    f" whole-process floor {_f(imp.get('floor', {}).get('seconds'), '{:.2f}')} s"
                    f" → {_f(imp.get('import_over_floor'), '{:.2f}×')}")
        peaks = {k.split("/", 1)[1]: v for k, v in report["peak_rss_mb"].items() if k.startswith(scale + "/")}
        if peaks:
            worst = max(peaks, key=peaks.get)
            lines.append(f"  peak RSS: max {peaks[worst]:,.0f} MB ({worst}); "
                         + ", ".join(f"{k} {v:,.0f}" for k, v in peaks.items()))
    if report["growth"]:
        lines.append("\ngrowth exponent of time against members (log-log slope, cold):")
        for backend, whats in report["growth"].items():
            for what, e in whats.items():
                parts = [f"{k} {e[k]}" for k in ("S→M", "M→L", "S→L", "fit") if k in e]
                lines.append(f"  {what} · {backend}: " + ", ".join(parts))
    if report["goals"]:
        lines.append("\ngoals:")
        for g in report["goals"]:
            mark = {True: "met", False: "NOT MET", None: "n/a"}[g["met"]]
            lines.append(f"  [{mark:7}] {g['scale']} {g['goal']}: {_f(g['value'], '{:,.2f}')}"
                         f" (limit {g['limit']:g})")
    if report.get("unsteady"):
        lines.append(f"\nUNSTEADY RUN: the same work took more than {UNSTEADY_SPREAD:g}× as long in one"
                     " run as in another, so the machine's speed changed; repeat before comparing:")
        for u in report["unsteady"]:
            lines.append(f"  {u['scale']} {u.get('file') or ''} {u['measure']}: runs {u['runs_s']} s ({u['spread']:.2f}×)")
    return "\n".join(lines)


# =============================================================================================


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="机关党建看板 scale benchmark")
    parser.add_argument("--scale", choices=SCALE_ORDER, default="S")
    parser.add_argument("--db", help="PostgreSQL server URL (default: BENCH_DATABASE_URL)")
    parser.add_argument("--out", help="JSON output (default bench/out/<scale>.json)")
    parser.add_argument("--only", action="store_true", help="measure this scale only, not the smaller ones")
    parser.add_argument("--skip", type=lambda s: [x for x in s.split(",") if x],
                        help=f"comma-separated sections to skip: {', '.join(SECTIONS)}, naive,"
                             " cli_packet (the all-branch packet of the cli section)")
    parser.add_argument("--reload", action="store_true", help="reload the databases even if up to date")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each import, floor and naive measure; the median is kept (default 3)")
    parser.add_argument("--profile", action="store_true", help="cProfile every step into <out dir>/profiles/")
    parser.add_argument("--work", default=str(gen.GENERATED), help="where databases and scratch files go")
    parser.add_argument("--tag", default="", help="suffix of the PostgreSQL schema names")
    parser.add_argument("--cleanup", action="store_true", help="drop the databases and schemas afterwards")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        return step_main(args.step, json.loads(args.params or "{}"))
    args.out = args.out or str(ROOT / "bench" / "out" / f"{args.scale}.json")
    if args.tag and not args.tag.replace("_", "").isalnum():
        parser.error("--tag: letters, digits and _ only")
    # every command is timed on its own: none may leave a background warm-up competing with the
    # next measure (the one after an import is run and timed in the foreground instead)
    os.environ["DASHBOARD_WARM_AFTER_CHANGE"] = "0"
    report = Bench(args).run()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print("\n" + render(report))
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
