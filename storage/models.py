"""SQLAlchemy models. Fact tables are append-only and versioned: every row carries the import batch
that wrote it, a natural ``key`` and an ``is_current`` flag. The current value of a record is the
newest row of its key among batches that were not undone; undo flips flags, it never deletes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ImportBatch(Base):
    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    as_of: Mapped[date | None] = mapped_column(Date)  # a roster snapshot's date
    # the first day the batch's rows speak of (None: undated, or every period: rosters, targets)
    data_from: Mapped[date | None] = mapped_column(Date)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(64))
    warnings: Mapped[int] = mapped_column(Integer, default=0)


class ImportProblem(Base):
    """Warnings kept from imported files (errors reject a file, so they are never stored)."""

    __tablename__ = "import_problem"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32), default="")
    sheet: Mapped[str] = mapped_column(String(128), default="")
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(128))
    value: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)


class DataVersion(Base):
    """One row. Bumped by every write; doubles as the write lock taken at the start of an import."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Branch(Base):
    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    created_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    email: Mapped[str | None] = mapped_column(String(255))  # where its 督导提醒 go (optional)


class Member(Base):
    """Member identity: ``code:<党员编号>`` where the source has one, else ``name:<支部>|<姓名>``."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(255), unique=True)
    created_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class _Versioned:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    key: Mapped[str] = mapped_column(String(400))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    source_row: Mapped[int | None] = mapped_column(Integer)


class BranchVersion(_Versioned, Base):
    __tablename__ = "branch_version"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    unit: Mapped[str | None] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16))
    __table_args__ = (
        Index("ix_branch_version_key", "key", "is_current"),
        Index("ix_branch_version_cur", "is_current", "branch_id"),
    )


class MemberVersion(_Versioned, Base):
    __tablename__ = "member_version"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    name: Mapped[str] = mapped_column(String(64))
    group: Mapped[str | None] = mapped_column("party_group", String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    join_date: Mapped[date | None] = mapped_column(Date)
    member_code: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(Text)  # encrypted, or NULL (storage/pii.py)
    id_number: Mapped[str | None] = mapped_column(Text)
    transfer_in: Mapped[date | None] = mapped_column(Date)
    transfer_out: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (
        Index("ix_member_version_key", "key", "is_current"),
        # a branch's members (SQLite can seek on branch_id here, not behind a bare is_current),
        # and the unknown-name check of every import: is this name on the branch's roster
        Index("ix_member_version_branch", "branch_id", "name", "is_current"),
        # the same check for rows without a branch: is this name on any current roster
        Index("ix_member_version_name", "name", "branch_id", "is_current"),
    )


class Membership(Base):
    """Derived: who belonged to which branch when, [start_date, end_date) with NULL for open
    (storage/membership.py rebuilds it from the live roster snapshots)."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(64))
    group: Mapped[str | None] = mapped_column("party_group", String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(32))
    join_date: Mapped[date | None] = mapped_column(Date)
    member_code: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(16))
    __table_args__ = (
        Index("ix_membership_branch", "branch_id", "name"),
        Index("ix_membership_name", "name"),
        Index("ix_membership_code", "member_code"),
    )


class Activity(_Versioned, Base):
    __tablename__ = "activity"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    date: Mapped[date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(32))
    type_raw: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(Text)
    expected: Mapped[float | None] = mapped_column(Float)
    present: Mapped[float | None] = mapped_column(Float)
    group: Mapped[str | None] = mapped_column("party_group", String(64))
    speaker: Mapped[str | None] = mapped_column(String(64))
    days: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        # with the batch: which batches cover which branches, from the index alone (migration 0014)
        Index("ix_activity_cur", "is_current", "branch_id", "date", "batch_id"),
        # the first and last ledger date (which quarters have data) found, not scanned for
        Index("ix_activity_date", "is_current", "date"),
    )


class ActivityPerson(Base):
    """A name in an activity's 缺席人员 (absent) or 请假人员 (on_leave) list."""

    __tablename__ = "activity_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))


class ActivityCount(_Versioned, Base):
    __tablename__ = "activity_count"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(32))
    count: Mapped[float] = mapped_column(Float)
    expected: Mapped[float | None] = mapped_column(Float)
    present: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        Index("ix_activity_count_cur", "is_current", "branch_id", "period_end"),
    )


class StudyRecord(_Versioned, Base):
    __tablename__ = "study_record"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    name: Mapped[str] = mapped_column(String(64))
    date: Mapped[date] = mapped_column(Date)
    form: Mapped[str] = mapped_column(String(32))
    content: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        Index("ix_study_record_cur", "is_current", "branch_id", "date"),
        # the committee's quarter: a range of dates read from the index alone (migration 0013)
        Index("ix_study_record_read", "is_current", "date", "branch_id", "name", "form"),
    )


class XuexiScore(_Versioned, Base):
    __tablename__ = "xuexi_score"

    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    department: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(64))
    member_code: Mapped[str | None] = mapped_column(String(64))
    activated: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[float] = mapped_column(Float)
    interval_points: Mapped[float | None] = mapped_column(Float)
    total_points: Mapped[float | None] = mapped_column(Float)
    daily_question: Mapped[float | None] = mapped_column(Float)
    active_days: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        Index("ix_xuexi_score_cur", "is_current", "period_end", "branch_id"),
        Index("ix_xuexi_score_branch", "is_current", "branch_id", "period_end"),
        Index("ix_xuexi_score_code", "member_code", sqlite_where=text("member_code IS NOT NULL"),
              postgresql_where=text("member_code IS NOT NULL")),
    )


class OtherRecord(_Versioned, Base):
    """其他台账: honours, articles, integrity risk points, responsibility records, trainings."""

    __tablename__ = "other_record"

    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    category: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(Text)
    date: Mapped[date] = mapped_column(Date)
    person: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(16))
    quantity: Mapped[float] = mapped_column(Float)
    measure: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        Index("ix_other_record_cur", "is_current", "date"),
    )


class TargetRow(_Versioned, Base):
    __tablename__ = "target_row"

    indicator: Mapped[str] = mapped_column(String(64))
    branch_type: Mapped[str] = mapped_column(String(16))
    period_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[float] = mapped_column(Float)
    weight: Mapped[float | None] = mapped_column(Float)
    quarter: Mapped[str | None] = mapped_column(String(8))
    __table_args__ = (Index("ix_target_row_key", "key", "is_current"),)


class Setting(Base):
    """Edited configuration (targets, thresholds, points rules) as JSON over domain/defaults.json."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)


# The key column whose value every key includes, for the fact tables that grow with the data. A key
# can only repeat inside the range its batch has of that column, so retiring and undoing compare
# keys of rows in that range only, and these tables need no index on ``key`` (at 100,000 rows that
# index cost as much to keep up on insert as the other indexes together).
VERSION_SPANS = {
    "activity": "date",
    "activity_count": "period_start",
    "study_record": "date",
    "xuexi_score": "period_end",
    "other_record": "date",
}

VERSIONED_TABLES = {
    "branch_version": BranchVersion,
    "member_version": MemberVersion,
    "activity": Activity,
    "activity_count": ActivityCount,
    "study_record": StudyRecord,
    "xuexi_score": XuexiScore,
    "other_record": OtherRecord,
    "target_row": TargetRow,
}


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    email: Mapped[str | None] = mapped_column(String(255))  # for 督导提醒 (optional)


class LoginFailure(Base):
    """Failed logins per user name (existing or not), shared by every server process."""

    __tablename__ = "login_failure"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(128), default="", server_default="")


class RectificationTask(Base):
    """整改任务: one problem found at a quarter's inspection, who fixes it and by when.

    One task per (quarter, branch, indicator); ``status`` is "open" or "done". Whether the problem
    is really fixed is read from the next quarter's figures, not from this flag.
    """

    __tablename__ = "rectification_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quarter: Mapped[str] = mapped_column(String(8))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    indicator: Mapped[str] = mapped_column(String(64))
    problem: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(64), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        Index("uq_rectification_task", "quarter", "branch_id", "indicator", unique=True),
        Index("ix_rectification_task_branch", "branch_id", "quarter"),
    )


class AppSession(Base):
    """A logged-in browser: a random token in a cookie, kept here only as its SHA-256. Ends at
    logout or after the idle timeout; shared by every server process."""

    __tablename__ = "app_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(128), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginAttempt(Base):
    """Login attempts per source address (client, or the proxy's header when configured), for
    the per-source limit; never the typed user name."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (Index("ix_login_attempt_source_at", "source", "at"),)


class ReminderLog(Base):
    """督导提醒: one message per recipient, period and channel — sent, failed (retried later) or
    pending. The unique key makes a second run in the same period send nothing new."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(255))
    audience: Mapped[str] = mapped_column(String(16))  # secretary / leader / office
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    channel: Mapped[str] = mapped_column(String(16))  # email / webhook / outbox
    subject: Mapped[str] = mapped_column(Text, default="", server_default="")
    content: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(16))  # sent / failed / pending
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("uq_reminder_log", "period", "recipient", "channel", unique=True),)


class KeptFigures(Base):
    """One frame of committee-wide figures computed once and kept for every process
    (services.analytics: a quarter's scorecard is two parts, ``branches`` and ``indicators``; a
    lagging list one). ``key`` hashes the kind, quarter, as-of date, the figures signature of the
    data read and the version of the code, so a row is either still right or never asked for
    again. ``data``: the frame as an Arrow IPC stream (Parquet before 2026-12); ``note``: JSON (a scorecard's warnings)."""

    __tablename__ = "kept_figures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    quarter: Mapped[str] = mapped_column(String(8))
    as_of: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    __table_args__ = (Index("ix_kept_figures_kind_quarter_as_of", "kind", "quarter", "as_of"),
                      Index("ix_kept_figures_created_at", "created_at"))
