"""Accounts, login failures and the audit log: the SQL side of services/accounts.py and
services/audit.py."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, text

from storage.writes import now


def get_user(engine: Engine, username: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT u.id, u.username, u.display_name, u.role, u.branch_id, b.name AS branch,"
                 " u.password_hash, u.disabled, u.is_demo FROM app_user u"
                 " LEFT JOIN branch b ON b.id = u.branch_id WHERE u.username = :u"),
            {"u": username},
        ).mappings().first()
    return dict(row) if row else None


def insert_user(engine: Engine, username: str, display_name: str, role: str,
                branch_id: int | None, password_hash: str, is_demo: bool = False) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO app_user (username, display_name, role, branch_id, password_hash,"
                 " disabled, is_demo, created_at) VALUES (:u, :d, :r, :b, :h, :f, :demo, :t)"),
            {"u": username, "d": display_name, "r": role, "b": branch_id, "h": password_hash,
             "f": False, "demo": is_demo, "t": now()},
        )


def update_user(engine: Engine, username: str, **values) -> int:
    """Set columns (password_hash, disabled, display_name, role, branch_id) of one user."""
    allowed = {"password_hash", "disabled", "display_name", "role", "branch_id"}
    assert set(values) <= allowed, values
    sets = ", ".join(f"{k} = :{k}" for k in values)
    with engine.begin() as conn:
        return conn.execute(text(f"UPDATE app_user SET {sets} WHERE username = :u"),
                            {**values, "u": username}).rowcount


def list_users(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(text(
            "SELECT u.username, u.display_name, u.role, b.name AS branch, u.disabled, u.is_demo,"
            " u.created_at FROM app_user u LEFT JOIN branch b ON b.id = u.branch_id"
            " ORDER BY u.username"))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def count_users(engine: Engine, include_demo: bool = True) -> int:
    sql = "SELECT count(*) FROM app_user" + ("" if include_demo else " WHERE NOT is_demo")
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def failure_state(engine: Engine, username: str) -> tuple[int, datetime | None]:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT failures, locked_until FROM login_failure"
                                " WHERE username = :u"), {"u": username}).first()
    if row is None:
        return 0, None
    locked = row[1]
    if isinstance(locked, str):  # SQLite text timestamps through raw SQL
        locked = datetime.fromisoformat(locked)
    return row[0], locked


def record_failure(engine: Engine, username: str, at: datetime, limit: int,
                   lock_until: datetime) -> int:
    """Count one failed login; at ``limit`` failures the name is locked. Returns failures."""
    with engine.begin() as conn:
        updated = conn.execute(text("UPDATE login_failure SET failures = failures + 1,"
                                    " last_failure_at = :t WHERE username = :u"),
                               {"u": username, "t": at}).rowcount
        if not updated:
            conn.execute(text("INSERT INTO login_failure (username, failures, last_failure_at)"
                              " VALUES (:u, 1, :t)"), {"u": username, "t": at})
        failures = conn.execute(text("SELECT failures FROM login_failure WHERE username = :u"),
                                {"u": username}).scalar_one()
        if failures >= limit:
            conn.execute(text("UPDATE login_failure SET failures = 0, locked_until = :l"
                              " WHERE username = :u"), {"u": username, "l": lock_until})
    return failures


def clear_failures(engine: Engine, username: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM login_failure WHERE username = :u"), {"u": username})


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
        return pd.DataFrame(result.all(), columns=list(result.keys()))
