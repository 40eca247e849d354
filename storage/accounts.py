"""Accounts, login sessions, failed logins per name and per source address: the SQL side of
services/accounts.py (the audit log they write to is storage/audit_log.py)."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from typing import TYPE_CHECKING

from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from storage.models import AppSession, LoginAttempt, LoginFailure, Setting
from storage.writes import now

if TYPE_CHECKING:  # loaded by the two listings only: the CLI's light paths do without pandas
    import pandas as pd


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
        import pandas as pd

        return pd.DataFrame(result.all(), columns=list(result.keys()))


def count_users(engine: Engine, include_demo: bool = True) -> int:
    sql = "SELECT count(*) FROM app_user" + ("" if include_demo else " WHERE NOT is_demo")
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def failure_state(engine: Engine, key: str) -> tuple[int, datetime | None, datetime | None]:
    """(failures, last failure, locked until) of a name key (an account name or a keyed hash)."""
    with engine.connect() as conn:
        row = conn.execute(select(LoginFailure.__table__).where(LoginFailure.username == key)).first()
    if row is None:
        return 0, None, None
    return row.failures, row.last_failure_at, row.locked_until


def record_failure(engine: Engine, key: str, at: datetime, restart_before: datetime) -> int:
    """Count one failed login of a name key; a count whose last failure is older than
    ``restart_before`` starts again at 1. Returns the failures counted so far."""
    with engine.begin() as conn:
        row = conn.execute(select(LoginFailure.failures, LoginFailure.last_failure_at).where(
            LoginFailure.username == key)).first()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(LoginFailure).values(username=key, failures=1,
                                                             last_failure_at=at))
                return 1
            except IntegrityError:  # another process counted the first failure meanwhile
                pass
        elif row.last_failure_at is None or row.last_failure_at < restart_before:
            conn.execute(update(LoginFailure).where(LoginFailure.username == key).values(
                failures=1, last_failure_at=at, locked_until=None))
            return 1
        conn.execute(update(LoginFailure).where(LoginFailure.username == key).values(
            failures=LoginFailure.failures + 1, last_failure_at=at))
        return conn.execute(select(LoginFailure.failures).where(
            LoginFailure.username == key)).scalar_one()


def clear_failures(engine: Engine, username: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM login_failure WHERE username = :u"), {"u": username})


# --- login sessions (app_session) -----------------------------------------------------------------

_SESSION = AppSession.__table__

def _session_row(row) -> dict | None:
    return None if row is None else {
        "id": row.id, "username": row.username, "source": row.source, "created_at": row.created_at,
        "last_seen_at": row.last_seen_at, "expires_at": row.expires_at, "ended_at": row.ended_at}


def insert_session(engine: Engine, token_hash: str, username: str, source: str, at: datetime,
                   expires_at: datetime) -> int:
    """A new login session (only the hash of its secret is stored). Returns its id."""
    with engine.begin() as conn:
        return conn.execute(insert(AppSession).values(
            token_hash=token_hash, username=username, source=(source or "")[:128], created_at=at,
            last_seen_at=at, expires_at=expires_at).returning(AppSession.id)).scalar_one()


def session_by_hash(engine: Engine, token_hash: str) -> dict | None:
    with engine.connect() as conn:
        return _session_row(conn.execute(
            select(_SESSION).where(AppSession.token_hash == token_hash)).first())


def session_by_id(engine: Engine, session_id: int) -> dict | None:
    with engine.connect() as conn:
        return _session_row(conn.execute(
            select(_SESSION).where(AppSession.id == session_id)).first())


def swap_session_hash(engine: Engine, old_hash: str, new_hash: str, created_after: datetime,
                      at: datetime) -> int | None:
    """Replace the hash of a live session created after ``created_after`` (one use: the old hash
    matches nothing afterwards). Returns the session id, or None when nothing matched."""
    with engine.begin() as conn:
        row = conn.execute(select(AppSession.id).where(
            AppSession.token_hash == old_hash, AppSession.ended_at.is_(None),
            AppSession.created_at >= created_after, AppSession.expires_at > at)).first()
        if row is None:
            return None
        done = conn.execute(update(AppSession).where(
            AppSession.id == row.id, AppSession.token_hash == old_hash).values(
            token_hash=new_hash)).rowcount
    return row.id if done == 1 else None


def touch_session(engine: Engine, session_id: int, at: datetime, expires_at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(AppSession).where(
            AppSession.id == session_id, AppSession.ended_at.is_(None)).values(
            last_seen_at=at, expires_at=expires_at))


def end_session(engine: Engine, session_id: int, at: datetime) -> bool:
    """End a live session; True when this call ended it (so only one caller audits it)."""
    with engine.begin() as conn:
        return conn.execute(update(AppSession).where(
            AppSession.id == session_id, AppSession.ended_at.is_(None)).values(
            ended_at=at)).rowcount == 1


def live_sessions(engine: Engine, username: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(_SESSION).where(
            AppSession.username == username, AppSession.ended_at.is_(None))).all()
    return [_session_row(r) for r in rows]


def stale_sessions(engine: Engine, at: datetime) -> list[dict]:
    """Sessions past their expiry that nobody has ended yet."""
    with engine.connect() as conn:
        rows = conn.execute(select(_SESSION).where(
            AppSession.ended_at.is_(None), AppSession.expires_at <= at)).all()
    return [_session_row(r) for r in rows]


def logged_in_from(engine: Engine, username: str, source: str, since: datetime) -> bool:
    """Whether ``username`` had a session started from ``source`` since ``since``."""
    with engine.connect() as conn:
        return conn.execute(select(AppSession.id).where(
            AppSession.username == username, AppSession.source == source,
            AppSession.created_at >= since).limit(1)).first() is not None


def purge_sessions(engine: Engine, before: datetime) -> None:
    """Forget sessions that ended (or expired) before ``before``."""
    with engine.begin() as conn:
        conn.execute(delete(AppSession).where(AppSession.expires_at < before))


# --- login attempts per source address (login_attempt) ------------------------------------------

def record_attempt(engine: Engine, source: str, at: datetime, ok: bool) -> None:
    with engine.begin() as conn:
        conn.execute(insert(LoginAttempt).values(source=(source or "")[:128], at=at, ok=ok))


def failed_attempts(engine: Engine, source: str, since: datetime) -> list[datetime]:
    """Times of the failed logins from ``source`` since ``since``, oldest first."""
    with engine.connect() as conn:
        return list(conn.execute(select(LoginAttempt.at).where(
            LoginAttempt.source == (source or "")[:128], LoginAttempt.at >= since,
            LoginAttempt.ok.is_(False)).order_by(LoginAttempt.at)).scalars())


def purge_attempts(engine: Engine, before: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(delete(LoginAttempt).where(LoginAttempt.at < before))


def set_lock(engine: Engine, key: str, locked_until: datetime | None) -> None:
    with engine.begin() as conn:
        conn.execute(update(LoginFailure).where(LoginFailure.username == key).values(
            locked_until=locked_until))


def name_key_secret(engine: Engine) -> bytes:
    """A random secret of this database, made on first use, that keys the hash under which a
    typed user name matching no account is counted (never the name itself)."""
    with engine.connect() as conn:
        value = conn.execute(select(Setting.value).where(Setting.key == _NAME_KEY)).scalar()
    if value is None:
        try:
            with engine.begin() as conn:
                conn.execute(insert(Setting).values(
                    key=_NAME_KEY, value=json.dumps({"secret": secrets.token_hex(32)}),
                    updated_by="system", updated_at=now()))
        except IntegrityError:  # another process made it first
            pass
        with engine.connect() as conn:
            value = conn.execute(select(Setting.value).where(Setting.key == _NAME_KEY)).scalar_one()
    return bytes.fromhex(json.loads(value)["secret"])


_NAME_KEY = "login_name_key"
