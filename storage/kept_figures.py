"""Committee-wide figures kept in the database: the SQL side of services.analytics' kept
scorecards and lagging lists.

Figures are computed by one process and read by every other, and by the same process after a
restart. The key already names the data and the code they came from, so a kept row is never out
of date: it is either asked for again or, once the data moved on, never asked for. Rows of the
same kind, quarter and as-of date are therefore dropped when newer ones are kept, and rows older
than ``KEEP_DAYS`` in any case.

Frames travel as Arrow IPC streams (types kept exactly, pandas dtypes in the schema's metadata;
nothing executable, unlike a pickle; written and read several times faster than Parquet, which
copies kept before 2026-12 still are and are read as such). The rows a quarter's figures read
(storage.queries) are kept here too (``keep_rows`` / ``read_rows``: read back in milliseconds,
where Python's sqlite3 takes a second per 300,000 rows). Keeping is a courtesy: when the database refuses the write (locked by a long import, a
read-only account) the figures are simply not kept, and the caller still has them.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.models import KeptFigures
from storage.writes import now

KEEP_DAYS = 14
# How long keeping waits for a writer that holds the database (an import on SQLite): a page must
# not wait out the 30 s busy timeout for a courtesy; it is simply not kept this time.
COURTESY_WAIT_MS = 1000
log = logging.getLogger(__name__)


@contextmanager
def _briefly(engine: Engine):
    """``engine.begin()`` whose writes wait at most ``COURTESY_WAIT_MS`` for a lock."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            usual = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            conn.exec_driver_sql(f"PRAGMA busy_timeout={COURTESY_WAIT_MS}")
            try:
                yield conn
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(usual)}")
        else:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {COURTESY_WAIT_MS}")
            yield conn


@dataclass(frozen=True)
class Kept:
    frames: dict[str, pd.DataFrame]
    note: str


def _to_bytes(frame: pd.DataFrame) -> bytes:
    return _rows_to_bytes(frame)


def _from_bytes(data: bytes) -> pd.DataFrame:
    frame = pd.read_parquet(io.BytesIO(data)) if data[:4] == b"PAR1" else _rows_from_bytes(data)
    for col in frame.columns:  # list columns come back as arrays: make them lists again
        if frame[col].dtype == object:
            frame[col] = pd.Series([v.tolist() if isinstance(v, np.ndarray) else v for v in frame[col]],
                                   index=frame.index, dtype=object)
    return frame


def read_kept(engine: Engine, key: str) -> Kept | None:
    """The frames kept under ``key``, or None (never kept, or the database would not say)."""
    stmt = select(KeptFigures.part, KeptFigures.data, KeptFigures.note, KeptFigures.created_at
                  ).where(KeptFigures.key == key)
    try:
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
    except DBAPIError as exc:  # e.g. locked past the busy timeout: the caller computes instead
        log.warning("kept figures not read: %s", exc)
        return None
    if not rows:
        return None
    _keep_again(engine, key, min(r[3] for r in rows))
    return Kept({part: _from_bytes(bytes(data)) for part, data, _, _ in rows}, rows[0][2])


def touch_kept(engine: Engine, key: str) -> bool:
    """Whether figures are kept under ``key`` (kept again when last kept a day or more ago), for
    a process that holds the figures in memory and asks nothing of the database otherwise."""
    try:
        with engine.connect() as conn:
            kept_at = conn.execute(select(KeptFigures.created_at).where(KeptFigures.key == key)
                                   .order_by(KeptFigures.created_at).limit(1)).scalar()
    except DBAPIError as exc:
        log.warning("kept figures not read: %s", exc)
        return False
    if kept_at is None:
        return False
    _keep_again(engine, key, kept_at)
    return True


def kept_all(engine: Engine, keys: Iterable[str]) -> bool:
    """Whether figures are kept under every one of ``keys`` (nothing read, nothing kept again)."""
    wanted = set(keys)
    try:
        with engine.connect() as conn:
            found = set(conn.execute(select(KeptFigures.key).where(KeptFigures.key.in_(wanted)).distinct()).scalars())
    except DBAPIError as exc:
        log.warning("kept figures not read: %s", exc)
        return False
    return wanted <= found


def _keep_again(engine: Engine, key: str, kept_at) -> None:
    """Move ``created_at`` of a row still asked for to now, at most once a day (a write per
    read would queue every page behind the database's write lock)."""
    stamp = now()
    if kept_at is None or kept_at >= stamp - timedelta(days=1):
        return
    try:
        with _briefly(engine) as conn:
            conn.execute(update(KeptFigures).where(KeptFigures.key == key).values(created_at=stamp))
    except DBAPIError as exc:  # a courtesy like keeping: the figures were read all the same
        log.warning("kept figures not kept again: %s", exc)


def keep(engine: Engine, key: str, kind: str, quarter: str, as_of: date,
         frames: dict[str, pd.DataFrame], note: str = "") -> bool:
    """Store ``frames`` under ``key``, dropping the rows they supersede; False when not kept."""
    stamp = now()
    rows = [{"key": key, "part": part, "kind": kind, "quarter": quarter, "as_of": as_of,
             "created_at": stamp, "data": _to_bytes(frame), "note": note} for part, frame in frames.items()]
    try:
        with _briefly(engine) as conn:
            conn.execute(delete(KeptFigures).where(
                ((KeptFigures.kind == kind) & (KeptFigures.quarter == quarter)
                 & (KeptFigures.as_of == as_of) & (KeptFigures.key != key))
                | (KeptFigures.created_at < stamp - timedelta(days=KEEP_DAYS))))
            conn.execute(insert(KeptFigures), rows)
        return True
    except IntegrityError:  # another process kept the same figures first
        return True
    except DBAPIError as exc:
        log.warning("%s for %s as of %s not kept: %s", kind, quarter, as_of, exc)
        return False


def _rows_from_bytes(data) -> pd.DataFrame:
    return pa.ipc.open_stream(pa.py_buffer(bytes(data))).read_all().to_pandas()


def _rows_to_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)  # dtypes ride in its pandas metadata
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as out:
        out.write_table(table)
    return sink.getvalue().to_pybytes()


def read_rows(engine: Engine, keys: Iterable[str]) -> dict[str, pd.DataFrame]:
    """``{key: frame}`` of the rows kept under ``keys`` (``keep_rows``); keys never kept, or
    unreadable, are left out and the caller reads the database instead."""
    keys = list(keys)
    if not keys:
        return {}
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(KeptFigures.key, KeptFigures.data, KeptFigures.created_at)
                                .where(KeptFigures.key.in_(keys))).all()
    except DBAPIError as exc:
        log.warning("kept rows not read: %s", exc)
        return {}
    out = {}
    for key, data, kept_at in rows:
        try:
            out[key] = _rows_from_bytes(data)
        except (pa.ArrowException, OSError) as exc:  # damaged: read from the tables, kept again
            log.warning("kept rows %s not readable: %s", key[:12], exc)
            continue
        _keep_again(engine, key, kept_at)
    return out


def read_rows_of(engine: Engine, kind: str, quarter: str) -> tuple[pd.DataFrame, str] | None:
    """The one copy of ``kind``'s rows kept for ``quarter`` whatever its key, with its note (what
    it was read from): storage.queries grows it by the batches imported since."""
    try:
        with engine.connect() as conn:
            row = conn.execute(select(KeptFigures.data, KeptFigures.note).where(
                (KeptFigures.kind == kind) & (KeptFigures.quarter == quarter)
                & (KeptFigures.part == "rows")).limit(1)).first()
        if row is None:
            return None
        return _rows_from_bytes(row[0]), row[1] or ""
    except (DBAPIError, pa.ArrowException, OSError) as exc:  # the caller reads the tables
        log.warning("kept rows of %s not read: %s", kind, exc)
        return None


def keep_rows(engine: Engine, kept: dict[str, tuple[str, str, date, pd.DataFrame]],
              notes: dict[str, str] | None = None) -> None:
    """Keep ``{key: (kind, quarter, as_of, frame)}`` in one transaction, each replacing the rows of
    its kind and quarter kept before (whatever their as-of date: the reads they stand for do not
    depend on it but for 学习强国, and one copy per quarter is enough); ``notes``: a note per key."""
    if not kept:
        return
    stamp = now()
    notes = notes or {}
    rows = [{"key": key, "part": "rows", "kind": kind, "quarter": quarter, "as_of": as_of,
             "created_at": stamp, "data": _rows_to_bytes(frame), "note": notes.get(key, "")}
            for key, (kind, quarter, as_of, frame) in kept.items()]
    try:
        with _briefly(engine) as conn:
            for row in rows:
                conn.execute(delete(KeptFigures).where(
                    (KeptFigures.kind == row["kind"]) & (KeptFigures.quarter == row["quarter"])
                    & (KeptFigures.key != row["key"])))
            conn.execute(delete(KeptFigures).where(KeptFigures.key.in_(list(kept))))
            conn.execute(insert(KeptFigures), rows)
    except IntegrityError:  # another process kept the same rows first
        return
    except DBAPIError as exc:
        log.warning("rows of %s not kept: %s", ", ".join(r["kind"] for r in rows), exc)


def forget_kept(engine: Engine) -> None:
    """Drop everything kept (benchmarks measuring a cold start; figures are kept again on the
    next ask)."""
    with engine.begin() as conn:
        conn.execute(delete(KeptFigures))
