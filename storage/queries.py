"""Read queries. Every query that returns branch- or member-level data takes the viewer and
filters by the viewer's branch scope in SQL, so a secretary never receives another branch's rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import itemgetter
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, text
from sqlalchemy.dialects import postgresql

from domain.access import Viewer
from domain.dataset import DATASET_COLUMNS, Dataset, empty_frame
from domain.periods import quarter_of
from storage.bulk import gc_paused
from storage.kept_figures import keep_rows, read_rows, read_rows_of
from storage.writes import bump_version, now

_DATE_COLUMNS = {"date", "join_date", "period_start", "period_end", "start", "end"}
_CHUNK_ROWS = 100_000


def data_version(engine: Engine) -> int:
    """A number that changes with every write: the key for caches."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one()


# What marks a set of import batches in a cache key: how many, the newest, and how many undone
# and when (the times keep a key unique after a database is restored from a backup)
_BATCH_MARKS = "count(*), max(id), max(created_at), count(undone_at), max(undone_at)"


def figures_signature(engine: Engine, through: date | None = None) -> tuple:
    """What a committee's figures depend on, as a cache key: every live and undone import batch
    and every saved setting. With ``through``: only the batches whose rows may reach a day up to
    it (a batch of later data changes nothing before; undated ones and rosters reach every day).
    The newest creation and undo times make the key unique even after a database is restored
    from a backup and numbers repeat."""
    reach = "" if through is None else " WHERE data_from IS NULL OR data_from <= :through"
    with engine.connect() as conn:
        batches = conn.execute(
            text(f"SELECT {_BATCH_MARKS} FROM import_batch{reach}"), {"through": through}).one()
        saved = conn.execute(text("SELECT count(*), max(updated_at) FROM setting")).one()
    return tuple(str(v) for v in (*batches, *saved))


def _scope_clause(viewer: Viewer, column: str) -> tuple[str, dict]:
    scope = viewer.branch_scope
    if scope is None:
        return "", {}
    if not scope:
        return " AND 1 = 0", {}
    return f" AND {column} = :scope_branch", {"scope_branch": scope[0]}


# A 学习强国 row can belong to a branch's member without naming the branch (a 部门 that matched
# no branch: the member is found by a name unique in the committee) or while naming another one
# (a member code). A scoped read takes those rows only when their code or their name is one of
# the branch's members' (metrics.matching then decides whose they are), so a secretary sees what
# the committee view shows of their branch and nothing of another's. The cases are read as
# queries joined by UNION ALL (they cannot overlap): the first two seek ix_xuexi_score_branch,
# where one WHERE with OR read every row of the year. The third (a code of ours) finds no index
# SQLite will take and scans, so it is read only when some 学习强国 row carries a code at all
# (exports seldom do; ix_xuexi_score_code, partial, answers that at once).
_OUR_CODES = "SELECT member_code FROM membership WHERE branch_id = :scope_branch"
_NO_ONES_CODE = (" AND (x.member_code IS NULL OR x.member_code NOT IN"
                 " (SELECT member_code FROM membership WHERE member_code IS NOT NULL))")
_CANDIDATES = {
    "xuexi": (
        " AND x.branch_id = :scope_branch" + _NO_ONES_CODE,  # our branch in the path, no one's code
        " AND x.branch_id IS NULL" + _NO_ONES_CODE +  # no branch, no one's code, a name only we have
        " AND x.name IN (SELECT name FROM membership WHERE branch_id = :scope_branch)"
        " AND NOT EXISTS (SELECT 1 FROM membership o WHERE o.name = x.name AND o.branch_id <> :scope_branch"
        "  AND (o.start_date IS NULL OR o.start_date <= x.period_end)"
        "  AND (o.end_date IS NULL OR o.end_date > x.period_start))",
        " AND x.member_code IN (" + _OUR_CODES + ")",  # a code of one of ours, whatever the path says
    ),
}


# ADBC takes PostgreSQL's own $1, $2 …; SQLAlchemy renders that style for asyncpg.
_NUMERIC_DOLLAR = postgresql.dialect(paramstyle="numeric_dollar")


def _bound(sql: str, values: dict, dialect) -> tuple[str, dict | list]:
    """``sql`` with ``:name`` parameters rendered in the driver's own style by SQLAlchemy,
    and the values in the order (or by the names) that style takes."""
    compiled = text(sql).compile(dialect=dialect)
    if compiled.positional:
        return compiled.string, [values[name] for name in compiled.positiontup]
    return compiled.string, values


def _finish(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    for col in frame.columns:
        if col in _DATE_COLUMNS:
            frame[col] = pd.to_datetime(frame[col])
        elif col in ("activated", "is_current"):
            frame[col] = frame[col].astype(bool)
    return frame


def _complete(frame: pd.DataFrame, name: str, branch_names: pd.Series) -> pd.DataFrame:
    """The Dataset frame: branch names mapped from the branches frame (cheaper than joining
    the name onto every row in SQL), columns not read filled with NA, in the documented order."""
    if "branch" in DATASET_COLUMNS[name] and "branch" not in frame:
        frame["branch"] = frame["branch_id"].map(branch_names).astype("str")
    for col in DATASET_COLUMNS[name]:
        if col not in frame:
            frame[col] = pd.Series(pd.NA, index=frame.index, dtype="object")
    return frame[DATASET_COLUMNS[name]]


def _frame(conn, sql: str, params: dict, name: str) -> pd.DataFrame:
    """Run a read query on the driver's own cursor and build the frame column by column (for
    hundreds of thousands of rows several times faster than SQLAlchemy rows → DataFrame). Rows
    are fetched in chunks and turned into Arrow at once, so a million-row result never sits in
    memory as Python tuples (they take about ten times the room of the Arrow columns)."""
    values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in params.items()}
    sql, values = _bound(sql, values, conn.dialect)
    cursor = conn.connection.dbapi_connection.cursor()
    parts: list = []
    try:
        with gc_paused():  # a tuple per row, freed chunk by chunk
            cursor.execute(sql, values)
            columns = [d[0] for d in cursor.description]
            while rows := cursor.fetchmany(_CHUNK_ROWS):
                data = {c: list(map(itemgetter(i), rows)) for i, c in enumerate(columns)}
                try:
                    parts.append(pa.table({c: pa.array(v) for c, v in data.items()}))
                except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types in one column
                    parts.append(pd.DataFrame(data))
    finally:
        cursor.close()
    if not parts:
        return _finish(pd.DataFrame({c: pd.Series(dtype="object") for c in columns}), name)
    try:
        frame = pa.concat_tables(parts, promote_options="permissive").to_pandas()
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # a pandas part, or types that differ
        frame = pd.concat([p.to_pandas() if isinstance(p, pa.Table) else p for p in parts],
                          ignore_index=True)
    return _finish(frame, name)


class _ArrowReader:
    """Reads PostgreSQL results straight into Arrow through ADBC (libpq's binary COPY), about 6×
    faster than Python rows for the large tables. Any failure falls back to the SQLAlchemy
    connection's cursor, so results never depend on the fast path. Not used for SQLite: a second
    copy of the SQLite library in one process breaks the file locks of the first (disk I/O
    errors were seen here), so SQLite stays on Python's own driver.

    ``read_many`` runs a dataset's queries on two ADBC connections at once: the driver works
    outside the GIL, so on PostgreSQL the two lanes overlap (0.95 → 0.6 s for a quarter at L).
    Python's sqlite3 builds a Python object per value under the GIL; two threads there were
    slower than one, so SQLite reads one query after another."""

    LANES = 2

    def __init__(self, engine: Engine, snapshot: str | None = None, large: bool = True):
        """``snapshot``: a PostgreSQL snapshot exported by the caller's transaction; every ADBC
        connection reads in it, so all frames see the same committed data. ``large=False``: the
        reads are one branch's (a few hundred rows), read on the plain path — opening an ADBC
        connection in the snapshot costs more than it saves (0.19 → 0.05 s for a branch's
        quarter at province scale)."""
        self.engine, self.conn, self.dialect = engine, None, engine.dialect.name
        self.snapshot, self.spare = snapshot, []
        try:
            if self.dialect == "postgresql" and large:
                self.conn = self._connect()
        except Exception:  # driver missing or refused: the plain path works everywhere
            self.conn = None

    def _connect(self):
        import adbc_driver_postgresql.dbapi as driver

        uri = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = driver.connect(uri)  # in a transaction already: the driver's autocommit is off
        if self.snapshot is not None:
            cursor = conn.cursor()
            try:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{self.snapshot}'")
            except Exception:
                conn.close()
                raise
            finally:
                cursor.close()
        return conn

    def read(self, fallback_conn, sql: str, params: dict, name: str) -> pd.DataFrame:
        if self.conn is not None:
            try:
                return _finish(self._arrow(self.conn, sql, params), name)
            except Exception:
                self.close()
        return _frame(fallback_conn, sql, params, name)

    def read_many(self, fallback_conn, jobs: list[tuple[str, str, dict]]) -> dict[str, pd.DataFrame]:
        """``{name: frame}`` for ``(name, sql, params)`` jobs; the same frames ``read`` gives."""
        # a second connection (0.1 s) pays only for a large read: after an import most come kept
        if self.conn is None or len(jobs) < 2 or not any(name in _READ_ORDER for name, _, _ in jobs):
            return {name: self.read(fallback_conn, sql, params, name) for name, sql, params in jobs}
        try:
            while len(self.spare) < self.LANES - 1:
                self.spare.append(self._connect())
        except Exception:
            return {name: self.read(fallback_conn, sql, params, name) for name, sql, params in jobs}
        from concurrent.futures import ThreadPoolExecutor

        lanes = [jobs[i::self.LANES] for i in range(self.LANES)]

        def run(conn, lane):
            out = {}
            for name, sql, params in lane:
                try:
                    out[name] = _finish(self._arrow(conn, sql, params), name)
                except Exception:  # read again below on the plain path, one thread only
                    out[name] = None
            return out

        with ThreadPoolExecutor(self.LANES) as pool:
            parts = list(pool.map(run, [self.conn, *self.spare], lanes))
        frames = {k: v for part in parts for k, v in part.items()}
        for name, sql, params in jobs:
            if frames[name] is None:
                frames[name] = _frame(fallback_conn, sql, params, name)
        return {name: frames[name] for name, _, _ in jobs}

    @staticmethod
    def _arrow(conn, sql: str, params: dict) -> pd.DataFrame:
        query, args = _bound(sql, params, _NUMERIC_DOLLAR)
        cursor = conn.cursor()
        try:
            cursor.execute(query, args or None)
            table = cursor.fetch_arrow_table()
        finally:
            cursor.close()
        return table.to_pandas()

    def close(self):
        for conn in [self.conn, *self.spare]:
            if conn is not None:
                try:
                    conn.close()
                except Exception:
                    pass
        self.conn, self.spare = None, []


_BRANCHES = """
SELECT b.id AS branch_id, b.name AS branch, bv.unit AS unit,
       coalesce(bv.type, CASE WHEN b.name LIKE '%退休%' THEN '离退休' ELSE '在职' END) AS type
FROM branch b LEFT JOIN branch_version bv ON bv.branch_id = b.id AND bv.is_current = TRUE
WHERE 1 = 1{scope}
ORDER BY b.id
"""

# who belonged during the window: every membership interval that overlaps it
_MEMBERS = """
SELECT m.member_id, m.branch_id, m.name, m.party_group AS "group", m.category,
       m.role, m.status, m.join_date, m.member_code, m.start_date AS start, m.end_date AS "end"
FROM membership m
WHERE (m.start_date IS NULL OR m.start_date <= :end) AND (m.end_date IS NULL OR m.end_date > :start){scope}
ORDER BY m.branch_id, m.member_id
"""

_ACTIVITIES = """
SELECT a.id AS activity_id, a.branch_id, a.date, a.type, a.type_raw, a.topic,
       a.expected, a.present, a.party_group AS "group", a.speaker, a.days
FROM activity a
WHERE a.is_current = TRUE AND a.date BETWEEN :start AND :end{scope}
ORDER BY a.date, a.id
"""

_ATTENDANCE = """
SELECT p.activity_id, a.branch_id, p.kind, p.name
FROM activity_person p JOIN activity a ON a.id = p.activity_id
WHERE a.is_current = TRUE AND a.date BETWEEN :start AND :end{scope}
ORDER BY p.id
"""

_COUNTS = """
SELECT c.branch_id, c.period_start, c.period_end, c.type, c.count, c.expected, c.present
FROM activity_count c
WHERE c.is_current = TRUE AND c.period_end >= :start AND c.period_start <= :end{scope}
"""

_STUDY = """
SELECT s.branch_id, s.name, s.date, s.form{study_details}
FROM study_record s
WHERE s.is_current = TRUE AND s.date BETWEEN :start AND :end{scope}
"""

_XUEXI = """
SELECT x.batch_id AS export_id, x.period_start, x.period_end, x.branch_id,
       x.name, x.member_code, x.activated, x.points, x.daily_question, x.active_days
FROM xuexi_score x
WHERE x.is_current = TRUE AND x.period_end >= :start AND x.period_start <= :end{scope}
"""

_RECORDS = """
SELECT r.id AS record_id, r.branch_id, r.category, r.title, r.date, r.person,
       r.level, r.quantity, r.measure
FROM other_record r
WHERE r.is_current = TRUE AND r.date BETWEEN :start AND :end{scope}
"""

# how far each live file's data goes (see domain.dataset "coverage"); the import date is cut
# to a day in pandas (SQLite and PostgreSQL spell that differently)
_COVERAGE = """
SELECT 'xuexi' AS source, NULL AS branch_id, b.period_end AS period_end, b.created_at AS created_at,
       b.id AS export_id, b.period_start AS period_start
FROM import_batch b WHERE b.kind = 'xuexi' AND b.undone_at IS NULL
UNION ALL
SELECT 'ledger', t.branch_id, b.period_end, b.created_at, NULL, NULL
FROM (SELECT DISTINCT batch_id, branch_id FROM activity WHERE is_current = TRUE{scope_a}
      UNION SELECT DISTINCT batch_id, branch_id FROM activity_count WHERE is_current = TRUE{scope_c}) t
JOIN import_batch b ON b.id = t.batch_id WHERE b.undone_at IS NULL
"""

_TARGETS = """
SELECT indicator, branch_type, period_kind, target, weight, quarter FROM target_row
WHERE is_current = TRUE ORDER BY id
"""


@dataclass(frozen=True)
class QuarterReads:
    """What one quarter's scorecard or lagging list reads beyond the quarter itself: activities of
    the types counted over the year (annual targets) from the year's start, nothing else. Study
    records (who, when, which form: content, hours and score come back empty), 学习强国 rows and
    absence names are read from ``start`` (the quarter's first day); 学习强国 exports that lie
    inside a longer export of the quarter ended by ``as_of`` (monthly exports once the quarterly
    one exists) are not read: metrics.xuexi would drop them anyway. Columns no indicator and no
    lagging reason reads (``UNREAD``) come back empty: on SQLite every value read is a Python
    object, and these were a sixth of them."""

    start: date
    as_of: date
    annual_types: tuple[str, ...] = ()
    every_column: bool = False  # the data-quality checks read ``UNREAD`` columns (type_raw)


# columns of the narrowed reads that the scorecard and the lagging list never look at (the
# data-quality checks, the packet and the work report read the whole year with every column)
UNREAD = {
    "activities": ("a.type_raw", "a.topic", "a.speaker", "a.days"),
    "members": ("m.category", "m.join_date"),
    "xuexi": ("x.active_days",),
}


def _without(sql: str, columns: tuple[str, ...]) -> str:
    """``sql`` with ``columns`` left out of its SELECT list."""
    head, rest = sql.split("FROM", 1)
    kept = [c for c in (part.strip() for part in head.replace("SELECT", "", 1).split(","))
            if c.split(" AS ")[0] not in columns]
    return "SELECT " + ", ".join(kept) + "\nFROM" + rest


_SUPERSEDED_EXPORTS = """
 AND x.batch_id NOT IN (
  SELECT s.id FROM import_batch s JOIN import_batch c
    ON c.kind = 'xuexi' AND c.undone_at IS NULL AND c.id <> s.id
   AND c.period_start >= :q_start AND c.period_end <= :as_of
   AND c.period_start <= s.period_start AND c.period_end >= s.period_end
   AND (c.period_start < s.period_start OR c.period_end > s.period_end)
  WHERE s.kind = 'xuexi' AND s.undone_at IS NULL)"""


def _narrowed(name: str, sql: str, quarter: QuarterReads) -> tuple[str, dict]:
    """The query and extra parameters of ``name`` narrowed to what ``quarter`` says is read."""
    if name in UNREAD and not quarter.every_column:
        sql = _without(sql, UNREAD[name])
    if name == "attendance":
        return sql.replace(":start", ":q_start"), {}
    if name == "study":  # who studied when is all they read; the details stay in the database
        return sql.replace(":start", ":q_start").replace("{study_details}", ""), {}
    if name == "xuexi":
        return sql.replace(":start", ":q_start").replace("{scope}", "{scope}" + _SUPERSEDED_EXPORTS), {}
    if name == "activities":
        types = {f"annual_{i}": t for i, t in enumerate(quarter.annual_types)}
        annual = f" OR a.type IN ({', '.join(':' + k for k in types)})" if types else ""
        return sql.replace("{scope}", f" AND (a.date >= :q_start{annual}){{scope}}"), types
    return sql, {}


# SQLite keeps no statistics here: for one branch's study records or ledger it took the covering
# (is_current, date, …) index and walked every current row of the year (0.09 s each at province
# scale, on every page a secretary opens after new data) rather than seek the branch by
# (is_current, branch_id, date): 2 ms. PostgreSQL's planner finds that index by itself.
_BRANCH_INDEX = {"study": ("FROM study_record s", "ix_study_record_cur"),
                 "activities": ("FROM activity a", "ix_activity_cur")}


def _one_branch(sql: str, name: str, dialect: str) -> str:
    """``sql`` of one branch's ``name`` rows, told to seek them by branch on SQLite."""
    if dialect != "sqlite" or name not in _BRANCH_INDEX:
        return sql
    table, index = _BRANCH_INDEX[name]
    return sql.replace(table, f"{table} INDEXED BY {index}", 1)


# the reads of a year or a quarter at province scale, largest first (how read_many pairs them)
_READ_ORDER = {name: i for i, name in enumerate(("study", "xuexi", "members", "activities", "attendance"))}


def load_dataset(
    engine: Engine, viewer: Viewer, start: date | None = None, end: date | None = None,
    quarter: QuarterReads | None = None, study_details: bool = True,
    tables: tuple[str, ...] | None = None,
) -> Dataset:
    """Current data within [start, end] (dates of records; periods that overlap), in scope;
    with ``quarter``, only the rows a quarter's scorecard or lagging list reads (QuarterReads);
    ``study_details=False`` leaves study content, hours and score empty (a third of the memory);
    ``tables``: only these fact frames are read, the others left empty (targets and coverage,
    a few rows each, always come)."""
    params = {"start": start or date(1900, 1, 1), "end": end or date(2999, 12, 31)}
    if quarter is not None:
        params.update(q_start=max(params["start"], quarter.start), as_of=quarter.as_of)
    frames, jobs = {}, []
    large = viewer.branch_scope is None  # one branch's rows are read on the plain path
    with engine.connect() as conn, _one_snapshot(conn, export=large) as snapshot:
        reader = _ArrowReader(engine, snapshot, large=large)
        for name, sql, column in (
            ("branches", _BRANCHES, "b.id"),
            ("members", _MEMBERS, "m.branch_id"),
            ("activities", _ACTIVITIES, "a.branch_id"),
            ("attendance", _ATTENDANCE, "a.branch_id"),
            ("activity_counts", _COUNTS, "c.branch_id"),
            ("study", _STUDY, "s.branch_id"),
            ("xuexi", _XUEXI, "x.branch_id"),
            ("records", _RECORDS, "r.branch_id"),
        ):
            if tables is not None and name not in tables:
                frames[name] = empty_frame(name)
                continue
            clause, extra = _scope_clause(viewer, column)
            if quarter is not None:
                sql, more = _narrowed(name, sql, quarter)
                extra = {**extra, **more}
            sql = sql.replace("{study_details}", ", s.content, s.hours, s.score" if study_details else "")
            if extra.get("scope_branch") is not None and name in _CANDIDATES:
                parts = _CANDIDATES[name] if _xuexi_has_codes(conn) else _CANDIDATES[name][:2]
                sql = " UNION ALL ".join(sql.format(scope=part) for part in parts)
            else:
                sql = sql.format(scope=clause)
                if extra.get("scope_branch") is not None:
                    sql = _one_branch(sql, name, conn.dialect.name)
            jobs.append((name, sql, {**params, **extra}))
        clause, extra = _scope_clause(viewer, "branch_id")
        jobs.append(("coverage", _COVERAGE.format(scope_a=clause, scope_c=clause), extra))
        # the largest reads first, so the two lanes of read_many come out about even
        jobs.sort(key=lambda job: _READ_ORDER.get(job[0], len(_READ_ORDER)))
        # the committee's large quarter reads come from their kept copy while no batch of the
        # kinds that write them came since (the signature is read in this same snapshot)
        keys, notes = (_row_keys(conn, jobs) if quarter is not None and viewer.branch_scope is None
                       else ({}, {}))
        kept = read_rows(engine, keys.values())
        frames.update({name: kept[key] for name, key in keys.items() if key in kept})
        label = str(quarter_of(quarter.start)) if quarter is not None else ""
        try:
            frames.update(_grown(
                engine, conn, reader, [job for job in jobs if keys.get(job[0]) in notes and job[0] not in frames],
                {name: notes[key] for name, key in keys.items() if key in notes},
                {name: _row_kind(name, quarter) for name in keys}, label))
            frames.update(reader.read_many(conn, [job for job in jobs if job[0] not in frames]))
            frames["targets"] = reader.read(conn, _TARGETS, {}, "targets")
        finally:
            reader.close()
    if keys.keys() - kept.keys():
        keep_rows(engine, {key: (_row_kind(name, quarter), label, quarter.as_of, frames[name])
                           for name, key in keys.items() if key not in kept}, notes)
    frames["coverage"] = _coverage(frames["coverage"])
    names = frames["branches"].set_index("branch_id")["branch"]
    return Dataset(**{name: _complete(frame, name, names) for name, frame in frames.items()}, row_keys=keys)


# The slow reads of a quarter's figures (many rows; coverage: a DISTINCT over every activity) and
# the kinds of import batch that write their tables (an undo of one included): a read's kept copy
# serves until a batch of those kinds comes.
_WRITTEN_BY = {"members": ("roster",), "activities": ("activity",), "attendance": ("activity",),
               "study": ("study",), "xuexi": ("xuexi",),
               "coverage": ("activity", "activity_counts", "xuexi")}


def _row_keys(conn, jobs: list[tuple[str, str, dict]]) -> tuple[dict[str, str], dict[str, str]]:
    """``{name: key}`` of the jobs whose rows may be kept: the key names the query, the values
    of the parameters it uses, the batches of the kinds that write its tables, and this module's
    code (which turns rows into frames). With it ``{name: note}`` for the reads a kept copy of
    which can grow (``_grown``): the same key without the batches, and the batches apart."""
    batches = {kind: tuple(str(v) for v in rest) for kind, *rest in conn.execute(text(
        f"SELECT kind, {_BATCH_MARKS} FROM import_batch GROUP BY kind")).all()}
    keys, notes = {}, {}
    for name, sql, params in jobs:
        if name not in _WRITTEN_BY:
            continue
        used = sorted((k, str(v)) for k, v in params.items() if re.search(rf":{k}\b", sql))
        written = [(kind, batches.get(kind)) for kind in _WRITTEN_BY[name]]
        keys[name] = hashlib.sha256(repr((_code(), conn.dialect.name, name, sql, used, written))
                                    .encode()).hexdigest()
        if name in _GROWS:
            base = hashlib.sha256(repr((_code(), conn.dialect.name, name, sql, used)).encode()).hexdigest()
            notes[keys[name]] = json.dumps({"base": base, "marks": batches.get("activity")})
    return keys, notes


# Reads whose kept copy grows by the ledger batches imported since (rather than the quarter read
# again: 0.7 s at province scale after a one-row ledger): a new batch's rows are added, the rows it
# replaced (same key, so the same day) dropped. An undo of a batch the copy has, or anything else
# changed, reads all.
_GROWS = {"activities", "attendance"}
_CURRENT = "WHERE a.is_current = TRUE"  # in both queries; the batches since are added to it
_NEWER = " AND a.batch_id > :kept_batch"
# SQLite keeps no statistics here: it walked the year's ledger by (is_current, date) to find a
# new batch's few rows (0.13–0.18 s at province scale). There a unary + keeps those two terms off
# the indexes and the rows are looked up by id from the batch index (well under a millisecond,
# the absences then by activity). PostgreSQL's planner takes the batch index by itself.
_NEWER_SQLITE = "WHERE +a.is_current = TRUE AND a.id IN (SELECT n.id FROM activity n WHERE n.batch_id > :kept_batch)"


def _newer_rows(sql: str, dialect: str) -> str:
    """``sql`` reading only the rows of the batches after ``:kept_batch``."""
    if dialect != "sqlite":
        return sql.replace(_CURRENT, _CURRENT + _NEWER, 1)
    return sql.replace(_CURRENT, _NEWER_SQLITE, 1).replace(" a.date BETWEEN", " +a.date BETWEEN")


_REPLACED = """
SELECT o.id FROM activity o
WHERE o.is_current = FALSE AND o.batch_id <= :kept_batch
  AND EXISTS (SELECT 1 FROM activity n WHERE n.batch_id > :kept_batch AND n.date = o.date)
"""


def _grown(engine: Engine, conn, reader, jobs: list[tuple[str, str, dict]], notes: dict[str, str],
           kinds: dict[str, str], label: str) -> dict[str, pd.DataFrame]:
    """``{name: frame}`` of the ``jobs`` whose kept copy (of any key) was read with the same
    query and parameters from the same batches but for ledger batches imported (and perhaps
    undone) since, none of the copy's own undone: the copy without the rows the live ones
    replaced, plus their rows."""
    out, replaced = {}, {}
    for name, sql, params in jobs:
        found = read_rows_of(engine, kinds[name], label)
        if found is None:
            continue
        old, note = found
        marks = _kept_batch(note, notes[name])
        if marks is None or old.empty:
            continue
        since, undone = marks
        if undone is not None and conn.execute(text(_OWN_UNDONE), {"kept_batch": since}).scalar_one() != undone:
            continue  # a batch the copy has was undone: read it all
        if since not in replaced:
            replaced[since] = conn.execute(text(_REPLACED), {"kept_batch": since}).scalars().all()
        newer = reader.read(conn, _newer_rows(sql, conn.dialect.name), {**params, "kept_batch": since}, name)
        newer = _typed_like(newer, old)
        if newer is None:
            continue
        merged = pd.concat([old[~old["activity_id"].isin(replaced[since])], newer], ignore_index=True)
        # the queries' order: activities by day and id, attendance by id (a new batch's are higher)
        out[name] = (merged.sort_values(["date", "activity_id"], ignore_index=True)
                     if name == "activities" else merged)
    return out


def _typed_like(newer: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame | None:
    """``newer`` with the column types of ``old``, where its own differ only because the column
    is all NULL (then untyped); None when a column really differs (one read of all rows would
    type it otherwise: the copy is not grown)."""
    if list(newer.columns) != list(old.columns):
        return None
    cast = {}
    for col in old.columns:
        if newer[col].dtype != old[col].dtype:
            if not newer[col].isna().all():
                return None
            cast[col] = old[col].dtype
    try:
        return newer.astype(cast) if cast else newer
    except (TypeError, ValueError):
        return None


def _kept_batch(kept_note: str, note: str) -> tuple[int, int | None] | None:
    """``(newest ledger batch a kept copy has, undone ledger batches it knew of)`` when the copy
    can grow into the read ``note`` describes, else None. The second is None when nothing was
    undone since; otherwise the copy may grow only if none of its own batches was undone
    (``_OWN_UNDONE``)."""
    try:
        kept, now_ = json.loads(kept_note), json.loads(note)
    except ValueError:
        return None
    before, after = kept.get("marks"), now_.get("marks")
    if kept.get("base") != now_["base"] or not before or not after:
        return None
    # count, newest id, newest creation, undone count, newest undo: newer batches since
    if int(after[1]) <= int(before[1]):
        return None
    return int(before[1]), (None if before[3:] == after[3:] else int(before[3]))


# Ledger batches up to a kept copy's newest that are undone now. Every such batch existed when the
# copy was kept and an undo is never taken back, so the same count as then means that only
# batches after the copy were undone: their rows are not current, and the rows they had replaced
# are current again and in the copy, so the copy still grows right (an import undone and imported
# again corrected, in the quarter shown: 0.4 s of reading the quarter again at province scale).
_OWN_UNDONE = "SELECT count(*) FROM import_batch WHERE kind = 'activity' AND undone_at IS NOT NULL AND id <= :kept_batch"


def _row_kind(name: str, quarter: QuarterReads) -> str:
    """kept_figures.kind of a read (the scorecard's activities, with the year's annual types,
    and the lagging list's are kept side by side; so are the data-quality checks' reads with
    every column and the narrower ones of the same frames)."""
    return (f"r:{name}" + ("+y" if name == "activities" and quarter.annual_types else "")
            + ("+c" if quarter.every_column and name in UNREAD else ""))


@cache
def _code() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


@contextmanager
def _one_snapshot(conn, export: bool = True):
    """One read transaction around a dataset's queries, so an import committed while they run
    shows in all frames or in none (a scorecard from the old activities and the new attendance
    would be wrong once and cached). SQLite: a deferred BEGIN; its first read fixes the
    snapshot (WAL). PostgreSQL: REPEATABLE READ, and the snapshot is exported for the ADBC
    lanes (``export=False``: no ADBC lane will read, so nothing is exported). Yields that
    snapshot's id (None on SQLite, or when not exported)."""
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execution_options(isolation_level="REPEATABLE READ")
    with conn.begin() as transaction:
        yield conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar() if postgres and export else None
        transaction.rollback()  # it only read


def _xuexi_has_codes(conn) -> bool:
    """Whether any stored 学习强国 row carries a 党员编号."""
    return conn.execute(text("SELECT 1 FROM xuexi_score WHERE member_code IS NOT NULL LIMIT 1")).first() is not None


def _coverage(raw: pd.DataFrame) -> pd.DataFrame:
    """The coverage frame from the rows of ``_COVERAGE``: a row per ledger batch and branch
    (20,000 at province scale), read like the facts (its DISTINCT scans the activity table)."""
    if raw.empty:
        return pd.DataFrame({"source": pd.Series(dtype="str"), "branch_id": pd.Series(dtype="Int64"),
                             "covered_to": pd.Series(dtype="datetime64[ns]"),
                             "export_id": pd.Series(dtype="Int64"),
                             "covered_from": pd.Series(dtype="datetime64[ns]")})
    imported = pd.to_datetime(raw["created_at"], format="mixed").dt.normalize()
    stated = pd.to_datetime(raw["period_end"], errors="coerce")
    # 学习强国: the export's period end; a ledger: what it says it covers, but not past its import
    covered = stated.where(raw["source"].eq("xuexi"), stated.fillna(imported).where(
        stated.fillna(imported) <= imported, imported))
    # an export's own period, whoever reads it: a branch none of whose members is in an export
    # still knows the export exists (metrics.xuexi.known_exports)
    return pd.DataFrame({"source": raw["source"].astype("str"), "branch_id": raw["branch_id"].astype("Int64"),
                         "covered_to": covered.astype("datetime64[ns]"),
                         "export_id": pd.to_numeric(raw["export_id"], errors="coerce").astype("Int64"),
                         "covered_from": pd.to_datetime(raw["period_start"], errors="coerce").astype("datetime64[ns]")},
                        ).dropna(subset=["covered_to"])


def current_targets(engine: Engine) -> pd.DataFrame:
    """Imported targets (not personal data, not scoped): what the config needs before a read."""
    with engine.connect() as conn:
        return _frame(conn, _TARGETS, {}, "targets")


def known_branches(engine: Engine) -> dict[str, str]:
    """Every branch name (normalised) → its canonical name, for resolving 学习强国 部门 paths.
    Branch names are not personal data, so this is not scoped."""
    from domain.names import normalize_name

    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM branch"))]
    return {normalize_name(n): n for n in names}


def branch_list(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Branches the viewer may see: branch_id, branch, unit, type."""
    clause, extra = _scope_clause(viewer, "b.id")
    with engine.connect() as conn:
        return _frame(conn, _BRANCHES.format(scope=clause), extra, "branches")


def find_branch(engine: Engine, name: str) -> tuple[int, str] | None:
    """(id, name) of the branch called ``name`` (normalised match), or None."""
    from domain.names import normalize_name

    wanted = normalize_name(name)
    for norm, canonical in known_branches(engine).items():
        if norm == wanted:
            with engine.connect() as conn:
                bid = conn.execute(text("SELECT id FROM branch WHERE name = :n"),
                                   {"n": canonical}).scalar_one()
            return bid, canonical
    return None


def list_batches(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Import batches, newest first. A secretary sees the batches that touched their branch."""
    sql = (
        "SELECT id, file_name, kind, rows, period_start, period_end, created_by, created_at,"
        " undone_at, undone_by, warnings FROM import_batch"
    )
    params: dict = {}
    scope = viewer.branch_scope
    if scope is not None:
        if not scope:
            sql += " WHERE 1 = 0"
        else:
            sql += (
                " WHERE id IN (SELECT batch_id FROM member_version WHERE branch_id = :b"
                " UNION SELECT batch_id FROM activity WHERE branch_id = :b"
                " UNION SELECT batch_id FROM activity_count WHERE branch_id = :b"
                " UNION SELECT batch_id FROM study_record WHERE branch_id = :b"
                " UNION SELECT batch_id FROM xuexi_score WHERE branch_id = :b"
                " UNION SELECT batch_id FROM other_record WHERE branch_id = :b)"
            )
            params = {"b": scope[0]}
    sql += " ORDER BY id DESC"
    with engine.connect() as conn:
        result = conn.execute(text(sql), params)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def stored_warnings(engine: Engine, viewer: Viewer, batch_id: int | None = None) -> pd.DataFrame:
    """Warnings kept from live import batches (admins and leaders only: they name people of
    every branch)."""
    columns = ["batch_id", "file_name", "severity", "code", "sheet", "row", "column", "value",
               "message"]
    if not viewer.sees_all_branches:
        return pd.DataFrame(columns=columns)
    sql = (
        "SELECT p.batch_id, b.file_name, p.severity, p.code, p.sheet, p.row, p.\"column\","
        " p.value, p.message FROM import_problem p JOIN import_batch b ON b.id = p.batch_id"
        " WHERE b.undone_at IS NULL"
    )
    params = {}
    if batch_id is not None:
        sql += " AND p.batch_id = :bid"
        params["bid"] = batch_id
    sql += " ORDER BY p.batch_id DESC, p.id"
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(text(sql), params).all(), columns=columns)


# Each table's own min and max, each a lookup in an index on (is_current, date …): one min/max
# over the tables' rows joined read every current row (0.8 s at 100,000 members).
_SPAN = "SELECT min(d), max(d) FROM (" + " UNION ALL ".join(
    f"SELECT (SELECT {fn}({column}) FROM {table} WHERE is_current = TRUE) AS d"
    for table, column in (("activity", "date"), ("study_record", "date"),
                          ("xuexi_score", "period_end"), ("activity_count", "period_end"))
    for fn in ("min", "max")) + ") t"


def data_span(engine: Engine) -> tuple[date | None, date | None]:
    """Earliest and latest dated record (activities, study, 学习强国 periods), for defaults."""
    with engine.connect() as conn:
        lo, hi = conn.execute(text(_SPAN)).one()
    to_date = lambda v: pd.Timestamp(v).date() if v is not None else None  # noqa: E731
    return to_date(lo), to_date(hi)


def get_setting(engine: Engine, key: str) -> dict | None:
    with engine.connect() as conn:
        value = conn.execute(text("SELECT value FROM setting WHERE key = :k"), {"k": key}).scalar()
    return json.loads(value) if value else None


def put_setting(engine: Engine, key: str, value: dict, viewer: Viewer) -> None:
    """Save edited configuration (admins only)."""
    if not viewer.is_admin:
        raise PermissionError("只有管理员可以修改设置。")
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True)
    with engine.begin() as conn:
        bump_version(conn)
        updated = conn.execute(
            text("UPDATE setting SET value = :v, updated_by = :u, updated_at = :t WHERE key = :k"),
            {"k": key, "v": payload, "u": viewer.username, "t": now()},
        ).rowcount
        if not updated:
            conn.execute(
                text("INSERT INTO setting (key, value, updated_by, updated_at)"
                     " VALUES (:k, :v, :u, :t)"),
                {"k": key, "v": payload, "u": viewer.username, "t": now()},
            )
