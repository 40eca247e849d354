"""Committee-wide figures kept in the database: the SQL side of services.analytics' kept
scorecards and lagging lists.

Figures are computed by one process and read by every other, and by the same process after a
restart. The key already names the data and the code they came from, so a kept row is never out
of date: it is either asked for again or, once the data moved on, never asked for. Rows of the
same kind, quarter and as-of date are therefore dropped when newer ones are kept, and rows older
than ``KEEP_DAYS`` in any case.

Frames travel as Parquet (types kept exactly; nothing executable, unlike a pickle). Keeping is a
courtesy: when the database refuses the write (locked by a long import, a read-only account) the
figures are simply not kept, and the caller still has them.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.models import KeptFigures
from storage.writes import now

KEEP_DAYS = 14
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kept:
    frames: dict[str, pd.DataFrame]
    note: str


def _to_bytes(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.to_parquet(out, index=False)
    return out.getvalue()


def _from_bytes(data: bytes) -> pd.DataFrame:
    frame = pd.read_parquet(io.BytesIO(data))
    for col in frame.columns:  # list columns come back as arrays: make them lists again
        if frame[col].dtype == object:
            frame[col] = pd.Series([v.tolist() if isinstance(v, np.ndarray) else v for v in frame[col]],
                                   index=frame.index, dtype=object)
    return frame


def read_kept(engine: Engine, key: str) -> Kept | None:
    """The frames kept under ``key``, or None (never kept, or the database would not say)."""
    stmt = select(KeptFigures.part, KeptFigures.data, KeptFigures.note).where(KeptFigures.key == key)
    try:
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
    except DBAPIError as exc:  # e.g. locked past the busy timeout: the caller computes instead
        log.warning("kept figures not read: %s", exc)
        return None
    if not rows:
        return None
    return Kept({part: _from_bytes(bytes(data)) for part, data, _ in rows}, rows[0][2])


def keep(engine: Engine, key: str, kind: str, quarter: str, as_of: date,
         frames: dict[str, pd.DataFrame], note: str = "") -> bool:
    """Store ``frames`` under ``key``, dropping the rows they supersede; False when not kept."""
    stamp = now()
    rows = [{"key": key, "part": part, "kind": kind, "quarter": quarter, "as_of": as_of,
             "created_at": stamp, "data": _to_bytes(frame), "note": note} for part, frame in frames.items()]
    try:
        with engine.begin() as conn:
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


def forget_kept(engine: Engine) -> None:
    """Drop everything kept (benchmarks measuring a cold start; figures are kept again on the
    next ask)."""
    with engine.begin() as conn:
        conn.execute(delete(KeptFigures))
