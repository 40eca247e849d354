"""督导提醒: the reminder log and the e-mail addresses reminders go to (the SQL side of
services/reminders.py).

A log row is one message to one recipient in one period by one channel; the unique key
(period, recipient, channel) is what makes a second run in the same period send nothing new.
Status: ``pending`` while a run is sending it, then ``sent`` or ``failed`` (retried by the next
run). ``sent_at`` is the time of the latest attempt: when it was sent, or when the attempt that
failed or is still pending began (a pending row older than ``STALE_MINUTES`` belongs to a run
that died, and is retried).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import Branch, ReminderLog, User
from storage.writes import now

STALE_MINUTES = 30
LOG_COLUMNS = ["id", "period", "recipient", "audience", "branch_id", "branch", "channel", "subject",
               "content", "status", "attempts", "last_error", "created_at", "sent_at"]
_L = ReminderLog.__table__


# --- addresses -------------------------------------------------------------------------------


def set_user_email(engine: Engine, username: str, email: str | None) -> int:
    """Set (or clear, with None) the e-mail of one account; the number of rows changed."""
    with engine.begin() as conn:
        return conn.execute(update(User).where(User.username == username)
                            .values(email=email)).rowcount


def set_branch_email(engine: Engine, branch_id: int, email: str | None) -> int:
    """Set (or clear) the address a branch's reminders go to; the number of rows changed."""
    with engine.begin() as conn:
        return conn.execute(update(Branch).where(Branch.id == int(branch_id))
                            .values(email=email)).rowcount


def account_addresses(engine: Engine) -> pd.DataFrame:
    """Enabled, non-demo accounts with an e-mail: username, display_name, role, branch_id, email."""
    stmt = (select(User.username, User.display_name, User.role, User.branch_id, User.email)
            .where(User.email.is_not(None), User.email != "", User.disabled.is_(False),
                   User.is_demo.is_(False))
            .order_by(User.username))
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def branch_addresses(engine: Engine) -> pd.DataFrame:
    """Every branch with its reminder address (None when unset): branch_id, branch, email."""
    stmt = select(Branch.id.label("branch_id"), Branch.name.label("branch"), Branch.email) \
        .order_by(Branch.id)
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def user_emails(engine: Engine) -> pd.DataFrame:
    """Every account with its e-mail (for the 提醒记录 page): username, display_name, role,
    branch_id, email, disabled, is_demo."""
    stmt = select(User.username, User.display_name, User.role, User.branch_id, User.email,
                  User.disabled, User.is_demo).order_by(User.username)
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


# --- the log ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A log row this run may send: ``retry`` when an earlier attempt failed (or died)."""

    id: int
    attempts: int
    retry: bool


def log_row(engine: Engine, period: str, recipient: str, channel: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(_L).where(_L.c.period == period, _L.c.recipient == recipient,
                                            _L.c.channel == channel)).mappings().first()
    return dict(row) if row else None


def _is_stale(row: dict, at: datetime) -> bool:
    started = row["sent_at"] or row["created_at"]
    return started is not None and started < at - timedelta(minutes=STALE_MINUTES)


def would_send(row: dict | None, at: datetime | None = None) -> bool:
    """Whether a run now would send this message: no row yet, a failed one, or a pending one
    left by a run that died."""
    if row is None:
        return True
    return row["status"] == "failed" or (row["status"] == "pending" and _is_stale(row, at or now()))


def claim(engine: Engine, *, period: str, recipient: str, channel: str, audience: str,
          branch_id: int | None, subject: str, content: str, at: datetime | None = None) -> Claim | None:
    """Take the message (period, recipient, channel) for sending: a new ``pending`` row, or a
    failed (or stale pending) row turned ``pending`` again with the fresh text. None when it was
    sent already or another run is sending it — two runs never send the same message."""
    at = at or now()
    values = {"subject": subject, "content": content, "status": "pending", "sent_at": at,
              "audience": audience, "branch_id": branch_id}
    try:
        with engine.begin() as conn:
            new_id = conn.execute(insert(_L).values(period=period, recipient=recipient,
                                                    channel=channel, attempts=1, created_at=at,
                                                    last_error=None, **values)
                                  .returning(_L.c.id)).scalar_one()
        return Claim(new_id, 1, False)
    except IntegrityError:
        pass
    row = log_row(engine, period, recipient, channel)
    if row is None or not would_send(row, at):
        return None
    with engine.begin() as conn:  # taken only if nobody changed the row since we read it
        taken = conn.execute(update(_L).where(_L.c.id == row["id"], _L.c.status == row["status"],
                                              _L.c.attempts == row["attempts"])
                             .values(attempts=row["attempts"] + 1, **values)).rowcount
    return Claim(row["id"], row["attempts"] + 1, True) if taken == 1 else None


def mark_sent(engine: Engine, log_id: int, at: datetime | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(update(_L).where(_L.c.id == log_id)
                     .values(status="sent", sent_at=at or now(), last_error=None))


def mark_failed(engine: Engine, log_id: int, error: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(_L).where(_L.c.id == log_id)
                     .values(status="failed", last_error=error[:2000]))


def reminder_log(engine: Engine, period: str | None = None, status: str | None = None,
                 limit: int = 1000) -> pd.DataFrame:
    """The newest log rows (columns ``LOG_COLUMNS``), optionally of one period or status."""
    stmt = select(*[_L.c[c] for c in LOG_COLUMNS if c != "branch"], Branch.name.label("branch")) \
        .outerjoin(Branch, Branch.id == _L.c.branch_id)
    if period:
        stmt = stmt.where(_L.c.period == period)
    if status:
        stmt = stmt.where(_L.c.status == status)
    stmt = stmt.order_by(_L.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        result = conn.execute(stmt)
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in LOG_COLUMNS})
    return frame[LOG_COLUMNS]


def periods(engine: Engine) -> list[str]:
    """Periods that have log rows, newest first."""
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(_L.c.period).group_by(_L.c.period)
                                           .order_by(_L.c.period.desc()))]

