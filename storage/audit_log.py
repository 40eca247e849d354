"""The audit log's SQL, for services/audit.py and services/accounts.py.
Core SQL only, no ORM models: ``cli.py import`` of a file imported before records its no-op
without loading them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from storage.writes import now

if TYPE_CHECKING:  # loaded by the listing only
    import pandas as pd


def audit(engine: Engine, username: str, action: str, detail: str = "",
          at: datetime | None = None, source: str = "") -> None:
    """Append one entry to the audit log (never a password)."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (at, username, action, detail, source)"
                          " VALUES (:t, :u, :a, :d, :s)"),
                     {"t": at or now(), "u": username[:64], "a": action, "d": detail[:2000],
                      "s": (source or "")[:128]})


def audit_log(engine: Engine, limit: int = 1000, action: str | None = None,
              username: str | None = None) -> pd.DataFrame:
    sql = "SELECT id, at, username, action, detail, source FROM audit_log WHERE 1 = 1"
    params: dict = {"n": limit}
    if action:
        sql += " AND action = :a"
        params["a"] = action
    if username:
        sql += " AND username = :u"
        params["u"] = username
    sql += " ORDER BY id DESC LIMIT :n"
    with engine.connect() as conn:
        result = conn.execute(text(sql), params)
        import pandas as pd

        return pd.DataFrame(result.all(), columns=list(result.keys()))
