"""A page about one branch reads that branch's rows through the indexes, not by scanning every
branch's: at 5,000 branches a scan made the 支部详情 page's reads take 0.5–0.7 s instead of
milliseconds. SQLite's planner shows it: ``WHERE is_current`` (a bare boolean) cannot seek the
(is_current, branch_id, date) index, ``is_current = TRUE`` can."""

from __future__ import annotations

import re
import shutil
from datetime import date

from sqlalchemy import text

from domain.access import SYSTEM
from storage import queries
from storage.db import get_engine

# fact tables whose scoped reads must seek an index on the branch
INDEXED = {"activities": "activity", "attendance": "activity", "activity_counts": "activity_count",
           "study": "study_record"}


def _executed(url: str, monkeypatch, viewer, **kwargs) -> dict[str, tuple[str, dict]]:
    """``{name: (sql, params)}`` of every query a dataset read runs (nothing served kept)."""
    executed: dict[str, tuple[str, dict]] = {}
    original = queries._frame

    def recording(conn, sql, params, name):
        executed[name] = (sql, params)
        return original(conn, sql, params, name)

    monkeypatch.setattr(queries, "_frame", recording)
    monkeypatch.setattr(queries, "read_rows", lambda engine, keys: {})  # every query runs
    queries.load_dataset(get_engine(url), viewer, date(2026, 1, 1), date(2026, 9, 30), **kwargs)
    return executed


def _bound(conn, sql: str, params: dict) -> tuple[str, tuple | dict]:
    """``sql`` and its values as the driver takes them (dates as ISO text)."""
    values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in params.items()}
    bound, args = queries._bound(sql, values, conn.dialect)
    return bound, tuple(args) if isinstance(args, list) else args


def _plan(conn, sql: str, params: dict) -> str:
    """SQLite's query plan of ``sql`` with ``params``, one line per step."""
    bound, args = _bound(conn, sql, params)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        return "\n".join(row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + bound, args))
    finally:
        cursor.close()


def _plans(url: str, monkeypatch, viewer, **kwargs) -> dict[str, str]:
    executed = _executed(url, monkeypatch, viewer, **kwargs)
    with get_engine(url).connect() as conn:
        return {name: _plan(conn, sql, params) for name, (sql, params) in executed.items()}


def _scans(plan: str, table: str) -> bool:
    """True when the plan reads ``table`` (or its alias) by a full scan."""
    return re.search(rf"\bSCAN ({table}|[a-z])\b", plan) is not None


def test_one_branch_reads_seek_the_branch_index(sample_db_url, monkeypatch):
    branch_id = 1
    viewer = SYSTEM.focused_on(branch_id)
    for kwargs in ({}, {"quarter": queries.QuarterReads(date(2026, 7, 1), date(2026, 9, 30), ())}):
        plans = _plans(sample_db_url, monkeypatch, viewer, **kwargs)
        for name in ("activities", "attendance", "activity_counts", "study"):
            assert name in plans, name
            assert "SEARCH" in plans[name], (name, plans[name])
            assert not _scans(plans[name], INDEXED[name]), (name, plans[name])
        # the absences of one branch: its activities first, then their names by activity id
        assert "ix_activity_person_activity_id" in plans["attendance"], plans["attendance"]
        # by the branch, not by the covering (is_current, date, …) index over every branch's year
        for name, index in (("study", "ix_study_record_cur"), ("activities", "ix_activity_cur")):
            assert f"{index} (is_current=? AND branch_id=?" in plans[name], (name, plans[name])


def test_committee_reads_still_return_the_same_rows_as_a_scan(sample_db_url):
    """``is_current = TRUE`` selects exactly the current rows, as the bare column did."""
    engine = get_engine(sample_db_url)
    ds = queries.load_dataset(engine, SYSTEM, date(2026, 1, 1), date(2026, 12, 31))
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        expected = {
            "activities": "SELECT count(*) FROM activity WHERE is_current <> 0"
                          " AND date BETWEEN '2026-01-01' AND '2026-12-31'",
            "study": "SELECT count(*) FROM study_record WHERE is_current <> 0"
                     " AND date BETWEEN '2026-01-01' AND '2026-12-31'",
            "attendance": "SELECT count(*) FROM activity_person p JOIN activity a ON a.id = p.activity_id"
                          " WHERE a.is_current <> 0 AND a.date BETWEEN '2026-01-01' AND '2026-12-31'",
        }
        for name, sql in expected.items():
            n = cursor.execute(sql).fetchone()[0]
            assert n > 0, name
            assert len(getattr(ds, name)) == n, name
        cursor.close()


def test_one_branch_reads_its_xuexi_rows_through_the_branch_index(sample_db_url, monkeypatch):
    """The 学习强国 rows a branch may own (its path, a name only it has, a code of its members)
    were one WHERE with OR, which read every row of the year for one branch (0.33 s at L)."""
    viewer = SYSTEM.focused_on(1)
    plans = _plans(sample_db_url, monkeypatch, viewer)
    assert "ix_xuexi_score_branch" in plans["xuexi"], plans["xuexi"]
    assert not _scans(plans["xuexi"], "xuexi_score"), plans["xuexi"]
    assert "ix_xuexi_score_cur" not in plans["xuexi"], plans["xuexi"]  # no range over every branch


def _xuexi_rows(url: str, branch_id: int) -> set[tuple]:
    ds = queries.load_dataset(get_engine(url), SYSTEM.focused_on(branch_id), date(2026, 1, 1),
                              date(2026, 12, 31), tables=("xuexi",))
    return set(zip(ds.xuexi["export_id"], ds.xuexi["name"], ds.xuexi["branch_id"].astype("Int64")))


def test_a_code_of_another_branchs_member_moves_the_row_to_that_branch(sample_db_url, tmp_path):
    """Once an export carries 党员编号, a row under branch A's path whose code is a member of B's
    is B's in a one-branch read, and no longer A's (the third case of storage.queries._CANDIDATES)."""
    path = tmp_path / "codes.db"
    shutil.copy(sample_db_url[len("sqlite:///"):], path)
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    with engine.begin() as conn:
        row = conn.execute(text("SELECT x.id, x.batch_id, x.name, x.branch_id FROM xuexi_score x"
                                " WHERE x.is_current = TRUE AND x.branch_id IS NOT NULL ORDER BY x.id LIMIT 1")).one()
        other = conn.execute(text("SELECT m.branch_id, m.member_code FROM membership m"
                                  " WHERE m.branch_id <> :b AND m.member_code IS NOT NULL"
                                  " AND m.end_date IS NULL ORDER BY m.id LIMIT 1"), {"b": row.branch_id}).one()
        key = (row.batch_id, row.name, row.branch_id)
        assert key in _xuexi_rows(url, row.branch_id)  # before: the path's branch reads it
        conn.execute(text("UPDATE xuexi_score SET member_code = :c WHERE id = :i"),
                     {"c": other.member_code, "i": row.id})
    assert key not in _xuexi_rows(url, row.branch_id)
    assert key in _xuexi_rows(url, other.branch_id)


def test_the_committees_quarter_of_study_is_read_from_an_index_alone(sample_db_url, monkeypatch):
    """Every branch's study rows of a quarter (who, when, which form): a range of dates in a
    covering index, not a visit to every current row of the year."""
    plans = _plans(sample_db_url, monkeypatch, SYSTEM,
                   quarter=queries.QuarterReads(date(2026, 7, 1), date(2026, 9, 30), ()))
    assert "COVERING INDEX ix_study_record_read" in plans["study"], plans["study"]
    assert "date>" in plans["study"].replace(" ", ""), plans["study"]


def test_the_span_of_the_data_is_looked_up_not_scanned(sample_db_url):
    """Which quarters have data (every page's quarter list, after every import): the big tables'
    first and last dates come from their indexes, not from reading their rows."""
    engine = get_engine(sample_db_url)
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        plan = "\n".join(row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + queries._SPAN))
        cursor.close()
    for table in ("study_record", "xuexi_score"):
        assert f"SEARCH {table} USING COVERING INDEX" in plan, plan
        assert f"SCAN {table}" not in plan, plan
    # the ledger's first and last date from the index that starts with the date, not from the
    # branch index (whose dates come after the branch: every current entry walked)
    assert plan.count("SEARCH activity USING COVERING INDEX ix_activity_date") == 2, plan
    lo, hi = queries.data_span(engine)
    with engine.connect() as conn:
        expected = conn.execute(text(
            "SELECT min(d), max(d) FROM (SELECT date AS d FROM activity WHERE is_current <> 0"
            " UNION ALL SELECT date FROM study_record WHERE is_current <> 0"
            " UNION ALL SELECT period_end FROM xuexi_score WHERE is_current <> 0"
            " UNION ALL SELECT period_end FROM activity_count WHERE is_current <> 0) t")).one()
    assert (str(lo), str(hi)) == tuple(str(v)[:10] for v in expected)


def test_which_batches_cover_which_branches_is_read_from_the_index(sample_db_url, monkeypatch):
    """The data coverage every page shows (read again after every import): the ledger batches
    of each branch come from the activity index alone, for the committee and for one branch,
    never from the rows themselves."""
    for viewer in (SYSTEM, SYSTEM.focused_on(1)):
        clause, extra = queries._scope_clause(viewer, "branch_id")
        sql = queries._COVERAGE.format(scope_a=clause, scope_c=clause)
        engine = get_engine(sample_db_url)
        with engine.connect() as conn:
            plan = _plan(conn, sql, extra)
        assert "SEARCH activity USING COVERING INDEX ix_activity_cur" in plan, plan
        assert "SCAN activity" not in plan, plan


def test_a_ledger_batch_since_the_kept_rows_is_read_by_batch_not_by_date(sample_db_url, monkeypatch):
    """After a ledger import the committee's kept activities and absences grow by the new
    batches' rows (storage.queries._grown). Those rows are found from the batch index: through
    the (is_current, date) index SQLite walked every current entry of the year for them (0.13 s
    plus 0.04 s for the absences at province scale, for one new row)."""
    reads = queries.QuarterReads(date(2026, 7, 1), date(2026, 9, 30), ("党课",))
    executed = _executed(sample_db_url, monkeypatch, SYSTEM, quarter=reads)
    with get_engine(sample_db_url).connect() as conn:
        newest = conn.execute(text("SELECT max(batch_id) FROM activity")).scalar_one()
        for name in ("activities", "attendance"):
            sql, params = executed[name]
            params = {**params, "kept_batch": newest - 1}
            grown = queries._newer_rows(sql, "sqlite")
            plan = _plan(conn, grown, params)
            rows = conn.exec_driver_sql(*_bound(conn, grown, params)).all()
            assert "ix_activity_batch_id" in plan and "ix_activity_date" not in plan, (name, plan)
            assert not _scans(plan, "activity") and not _scans(plan, "activity_person"), (name, plan)
            # the same rows as the plain query limited to those batches
            plain = sql.replace(queries._CURRENT, queries._CURRENT + queries._NEWER, 1)
            assert sorted(rows) == sorted(conn.exec_driver_sql(*_bound(conn, plain, params)).all())
            if name == "activities":
                assert rows, "the newest ledger batch has activities of the window"
