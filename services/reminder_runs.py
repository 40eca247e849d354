"""A 督导提醒 run: who gets which message by which channel, once per recipient per month.

The period is the **month** of the as-of date (``2026-11``): a run sends each recipient the
reminder of their branch (or the committee's digest) at most once that month, so a daily or
weekly timer sends on its first run of each month — three reminders per quarter, the last one
in the quarter's final month — and a failed message is tried again by every later run of the
month until it goes. The log row (period, recipient, channel) is the proof.

Recipients (``recipient`` in the log, one message each):
- e-mail: every enabled secretary account of a branch with an e-mail, and the branch's own
  address, get the branch's reminder (``branch:<id>:<address>``); leader accounts, admin accounts
  and DASHBOARD_REMIND_OFFICE_EMAIL get the digest (``committee:<address>``);
- webhook: a branch's robot (``[[branch_webhooks]]``) gets its reminder (``branch:<id>:webhook``),
  the committee's robot (DASHBOARD_WEBHOOK_URL) the digest (``committee:webhook``);
- outbox: one file pair per branch (``branch:<id>:outbox``) and one for the digest.
A branch with no address on the chosen channel is reported, never skipped in silence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from domain.access import SYSTEM, Viewer
from services import analytics, audit
from services.channels import (CHANNEL_LABELS, CHANNELS, ChannelError, ChannelSettings, EmailChannel,
                               OutboxChannel, WebhookChannel, valid_email)
from services.reminders import (COMMITTEE_VIEWER, Message, MonthReads, branch_facts, branch_message,
                                committee_facts, committee_message, read_month, to_text)
from storage import reminders as store
from storage.queries import find_branch

AUDIENCE_LABELS = {"secretary": "支部书记", "leader": "工委领导", "office": "工委办公室"}
STATUS_LABELS = {"sent": "已发送", "failed": "发送失败", "pending": "发送中"}
COMMITTEE_FILE = "工委汇总"


def period_of(as_of: date) -> str:
    """The reminder period of a day: its month, ``2026-11``."""
    return f"{as_of.year}-{as_of.month:02d}"


@dataclass(frozen=True)
class Recipient:
    """One message to send: ``key`` is the log's recipient, ``target`` what the channel needs
    (an address, a WebhookTarget, or (period, file stem))."""

    channel: str
    audience: str  # secretary / leader / office
    branch_id: int | None
    branch: str | None
    key: str
    shown: str  # the address, 群机器人 or the file, as the page shows it
    target: object


@dataclass
class Plan:
    period: str
    as_of: date
    channel: str
    recipients: list[Recipient] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # sentences: who has no address


def plan(engine: Engine, as_of: date, channel: str, settings: ChannelSettings,
         outbox: object | None = None) -> Plan:
    """Who gets a reminder for the month of ``as_of`` by ``channel`` (nothing is read from the
    log here)."""
    if channel not in CHANNELS:
        raise ValueError(f"渠道应为 {'、'.join(CHANNELS)} 之一")
    period = period_of(as_of)
    result = Plan(period, as_of, channel)
    branches = analytics.branches(engine, SYSTEM)
    add = result.recipients.append
    if channel == "email":
        accounts = store.account_addresses(engine)
        own = store.branch_addresses(engine).set_index("branch_id")["email"]
        for bid, name in zip(branches["branch_id"].astype(int), branches["branch"]):
            mine = accounts[(accounts["role"] == "secretary") & (accounts["branch_id"] == bid)]["email"]
            addresses = _unique([*mine, own.get(bid)])
            if not addresses:
                result.unreachable.append(f"{name}：书记账号和支部都没有设置提醒邮箱")
            for a in addresses:
                add(Recipient("email", "secretary", bid, name, f"branch:{bid}:{a.lower()}", a, a))
        seen = set()
        for audience, addresses in (
                ("leader", list(accounts.loc[accounts["role"] == "leader", "email"])),
                ("office", list(accounts.loc[accounts["role"] == "admin", "email"]) + list(settings.office_emails))):
            for a in _unique(addresses):
                if a.lower() not in seen:
                    seen.add(a.lower())
                    add(Recipient("email", audience, None, None, f"committee:{a.lower()}", a, a))
        if not seen:
            result.unreachable.append("工委：领导、管理员账号都没有设置邮箱，也未设置 DASHBOARD_REMIND_OFFICE_EMAIL")
    elif channel == "webhook":
        for bid, name in zip(branches["branch_id"].astype(int), branches["branch"]):
            target = settings.branch_webhook(name)
            if target is None:
                result.unreachable.append(f"{name}：没有配置支部群机器人（secrets.toml 的 [[branch_webhooks]]）")
                continue
            add(Recipient("webhook", "secretary", bid, name, f"branch:{bid}:webhook", target.describe(), target))
        if settings.webhook is not None:
            add(Recipient("webhook", "office", None, None, "committee:webhook", settings.webhook.describe(),
                          settings.webhook))
        else:
            result.unreachable.append("工委：没有配置工委群机器人（DASHBOARD_WEBHOOK_URL）")
    else:
        for bid, name in zip(branches["branch_id"].astype(int), branches["branch"]):
            add(Recipient("outbox", "secretary", bid, name, f"branch:{bid}:outbox", f"{name}.txt/.docx",
                          (period, name)))
        add(Recipient("outbox", "office", None, None, "committee:outbox", f"{COMMITTEE_FILE}.txt/.docx",
                      (period, COMMITTEE_FILE)))
    return result


def _unique(addresses) -> list[str]:
    out, seen = [], set()
    for a in addresses:
        if isinstance(a, str) and a.strip() and a.strip().lower() not in seen:
            seen.add(a.strip().lower())
            out.append(a.strip())
    return out


class Messages:
    """Builds each message once per run, on first need. With ``shared`` (a run, a dry run's
    listing) the committee's figures are read once and every branch's message is built from
    its rows of them; without (one message shown on a page) a branch's facts are read with its
    secretary's viewer, which is quicker for one branch."""

    def __init__(self, engine: Engine, as_of: date, base_url: str | None, shared: bool = True):
        self.engine, self.as_of, self.base_url, self.shared = engine, as_of, base_url or None, shared
        self._built: dict[int | None, Message] = {}
        self._reads: MonthReads | None = None

    def _committee_reads(self) -> MonthReads:
        if self._reads is None:
            self._reads = read_month(self.engine, COMMITTEE_VIEWER, self.as_of)
        return self._reads

    def for_recipient(self, r: Recipient) -> Message:
        if r.branch_id not in self._built:
            reads = self._committee_reads() if self.shared or r.branch_id is None else None
            if r.branch_id is None:
                msg = committee_message(committee_facts(self.engine, self.as_of, reads), self.base_url)
            else:
                msg = branch_message(branch_facts(self.engine, r.branch_id, r.branch, self.as_of, reads),
                                     self.base_url)
            self._built[r.branch_id] = msg
        return self._built[r.branch_id]


@dataclass
class Outcome:
    recipient: Recipient
    status: str  # sent / failed / skipped (sent before, or another run is sending) / would_send
    error: str = ""
    retry: bool = False


@dataclass
class RunReport:
    period: str
    channel: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # settings that could not be used

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return not self.of("failed")

    def summary(self) -> str:
        """One sentence for the terminal, the page and the audit log."""
        label = CHANNEL_LABELS[self.channel]
        done = len(self.of("skipped"))
        tail = (f"，本月此前已发送{done}条" if done else "") + \
               (f"，{len(self.unreachable)}处无接收地址" if self.unreachable else "") + "。"
        if self.dry_run:
            return f"{self.period} 督导提醒（{label}，试运行）：将发送{len(self.of('would_send'))}条" + tail
        failed = len(self.of("failed"))
        return (f"{self.period} 督导提醒（{label}）：新发送{len(self.of('sent'))}条"
                + (f"，失败{failed}条（已记录，下次运行时重试）" if failed else "") + tail)


def open_channel(channel: str, settings: ChannelSettings, outbox_dir=None, ssl_context=None):
    """The channel object (raises ChannelNotConfigured, in words, when it cannot send)."""
    if channel == "email":
        return EmailChannel(settings, ssl_context=ssl_context)
    if channel == "webhook":
        return WebhookChannel()
    return OutboxChannel(settings, outbox_dir)


def run(engine: Engine, actor: Viewer, as_of: date, channel: str, settings: ChannelSettings, *,
        dry_run: bool = False, outbox_dir=None, ssl_context=None,
        sender: Callable[[str], object] | None = None) -> RunReport:
    """Send the month's reminders that have not gone yet (new ones, and failed ones again).
    ``dry_run``: build and report what would be sent; nothing is sent or logged. Each message
    is sent at most once per month (storage.reminders.claim); a failure is logged and reported.
    ``sender``: a channel object to use instead of ``open_channel`` (tests)."""
    the_plan = plan(engine, as_of, channel, settings)
    report = RunReport(the_plan.period, channel, dry_run, unreachable=list(the_plan.unreachable),
                       problems=list(settings.problems))
    messages = Messages(engine, as_of, settings.dashboard_url)
    if dry_run:
        for r in the_plan.recipients:
            row = store.log_row(engine, the_plan.period, r.key, channel)
            status = "would_send" if store.would_send(row) else "skipped"
            report.outcomes.append(Outcome(r, status, retry=row is not None and status == "would_send"))
        return report
    transport = sender or open_channel(channel, settings, outbox_dir, ssl_context)
    try:
        for r in the_plan.recipients:
            if not store.would_send(store.log_row(engine, the_plan.period, r.key, channel)):
                report.outcomes.append(Outcome(r, "skipped"))
                continue
            try:
                message, problem = messages.for_recipient(r), ""
            except Exception as exc:  # noqa: BLE001 — one branch's figures must not stop the run
                message, problem = None, f"生成提醒内容失败：{type(exc).__name__}: {exc}"
            taken = store.claim(engine, period=the_plan.period, recipient=r.key, channel=channel,
                                audience=r.audience, branch_id=r.branch_id,
                                subject=message.subject if message else f"【督导提醒】{r.branch or '全委汇总'}",
                                content=to_text(message) if message else "")
            if taken is None:
                report.outcomes.append(Outcome(r, "skipped"))
                continue
            if message is None:  # logged as failed: the next run builds it again
                store.mark_failed(engine, taken.id, problem)
                report.outcomes.append(Outcome(r, "failed", problem, taken.retry))
                continue
            try:
                transport.send(r.target, message)
            except ChannelError as exc:
                store.mark_failed(engine, taken.id, str(exc))
                report.outcomes.append(Outcome(r, "failed", str(exc), taken.retry))
            except Exception as exc:  # noqa: BLE001 — logged as failed, never lost
                store.mark_failed(engine, taken.id, f"{type(exc).__name__}: {exc}")
                report.outcomes.append(Outcome(r, "failed", f"{type(exc).__name__}: {exc}", taken.retry))
            else:
                store.mark_sent(engine, taken.id)
                report.outcomes.append(Outcome(r, "sent", retry=taken.retry))
    finally:
        transport.close()
    if report.of("sent") or report.of("failed"):
        audit.record(engine, actor, "reminder", report.summary())
    return report


def preview(engine: Engine, as_of: date, channel: str, settings: ChannelSettings) -> tuple[Plan, list[dict]]:
    """The month's recipients with what a run now would do for each: (plan, rows of recipient,
    audience, branch, state)."""
    the_plan = plan(engine, as_of, channel, settings)
    rows = []
    for r in the_plan.recipients:
        row = store.log_row(engine, the_plan.period, r.key, channel)
        state = ("待发送" if row is None else "重试" if store.would_send(row)
                 else STATUS_LABELS.get(row["status"], row["status"]))
        rows.append({"recipient": r, "state": state})
    return the_plan, rows


def build_message(engine: Engine, as_of: date, recipient: Recipient, base_url: str | None) -> Message:
    """The message ``recipient`` would get for the month of ``as_of``."""
    return Messages(engine, as_of, base_url, shared=False).for_recipient(recipient)


# --- addresses ----------------------------------------------------------------------------------


def _address(email: str | None) -> str | None:
    email = (email or "").strip()
    if email in ("", "-"):
        return None
    if not valid_email(email):
        raise ValueError(f"邮箱地址格式不正确：{email}")
    return email


def set_user_email(engine: Engine, viewer: Viewer, username: str, email: str | None) -> None:
    """Set (empty or ``-``: clear) the 督导提醒 e-mail of an account (administrators only)."""
    if not viewer.can_manage_users:
        raise PermissionError("只有管理员可以设置提醒邮箱。")
    address = _address(email)
    if not store.set_user_email(engine, username, address):
        raise ValueError(f"没有用户「{username}」。")
    audit.record(engine, viewer, "reminder", f"账号 {username} 的提醒邮箱" + (f"设为 {address}" if address else "已清除"))


def set_branch_email(engine: Engine, viewer: Viewer, branch: str, email: str | None) -> str:
    """Set (or clear) a branch's 督导提醒 address (administrators only); the branch's name."""
    if not viewer.can_change_branches:
        raise PermissionError("只有管理员可以设置支部的提醒邮箱。")
    address = _address(email)
    found = find_branch(engine, branch)
    if found is None:
        raise ValueError(f"没有名为「{branch}」的支部。")
    store.set_branch_email(engine, found[0], address)
    audit.record(engine, viewer, "reminder", f"{found[1]}的提醒邮箱" + (f"设为 {address}" if address else "已清除"))
    return found[1]


# --- what the 提醒记录 page reads (administrators) ----------------------------------------------


def _admin(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise PermissionError("只有管理员可以查看和发送督导提醒。")


def log(engine: Engine, viewer: Viewer, period: str | None = None, status: str | None = None,
        limit: int = 1000):
    """The reminder log, newest first (storage.reminders.LOG_COLUMNS)."""
    _admin(viewer)
    return store.reminder_log(engine, period=period, status=status, limit=limit)


def log_periods(engine: Engine, viewer: Viewer) -> list[str]:
    _admin(viewer)
    return store.periods(engine)


def address_book(engine: Engine, viewer: Viewer):
    """(branches: branch_id, branch, email, secretaries — the secretary accounts' addresses;
    accounts: username, display_name, role, branch_id, email, disabled, is_demo)."""
    _admin(viewer)
    users = store.user_emails(engine)
    live = users[~users["disabled"].astype(bool) & ~users["is_demo"].astype(bool)
                 & users["email"].fillna("").ne("") & users["role"].eq("secretary")]
    per_branch = live.groupby("branch_id")["email"].agg(lambda s: "、".join(s))
    branches = store.branch_addresses(engine)
    branches = branches.assign(secretaries=[per_branch.get(b, "") for b in branches["branch_id"]])
    return branches, users
