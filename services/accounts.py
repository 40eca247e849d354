"""Log-in, login sessions, lockout and account management.

Passwords are hashed with Argon2id (argon2-cffi) and never logged or stored in plain text. A login
opens a server-side session (table ``app_session``): the browser holds a random token in an
HttpOnly cookie and the database only its SHA-256; the session ends at logout, or when it has been
idle for ``DASHBOARD_IDLE_MINUTES``. Failed logins are limited per source address (table
``login_attempt``) and per user name (short locks that double with each further failure); a typed
name that matches no account is only ever stored as a keyed, truncated hash.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import string
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from domain import settings
from domain.access import ROLES, SYSTEM, Viewer
from services import audit
from storage import accounts as store
from storage import audit_log
from storage.queries import branch_list
from storage.writes import now

MAX_FAILURES = 5  # failures of one name before it is locked
LOCK_FIRST = timedelta(minutes=1)  # the first lock; each further failure doubles it …
LOCK_LONGEST = timedelta(minutes=15)  # … up to this
FAILURES_FORGOTTEN = timedelta(hours=1)  # a name quiet this long starts counting again
SOURCE_WINDOW = timedelta(minutes=15)  # failed logins per source address are counted over this
KNOWN_SOURCE = timedelta(days=30)  # a name's lock spares an address it logged in from this recently
HANDOFF = timedelta(minutes=2)  # the browser must fetch its session cookie within this
TOUCH_EVERY = timedelta(seconds=15)  # how often a page run writes the session's last activity
KEEP_SESSIONS = timedelta(days=60)  # ended sessions are kept this long (for KNOWN_SOURCE)
MIN_PASSWORD = 12
MAX_PASSWORD = 256
SESSION_COOKIE = "dashboard_session"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) returns

_hasher = PasswordHasher()
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def _dummy_hash() -> str:
    """Verified when the user name does not exist, so both paths cost one Argon2 verification.
    Made on first use: hashing takes ~0.2 s, which every command would otherwise pay at start."""
    return _hasher.hash("not-a-real-password")


def read_setting(name: str, default: str) -> str:
    """A setting of domain.settings, or the environment while it is not registered there."""
    return settings.get(name) if name in settings.SETTINGS else os.environ.get(name, default)


def idle_timeout() -> timedelta:
    """``DASHBOARD_IDLE_MINUTES`` (default 30): a session this long without a page run ends."""
    return timedelta(minutes=float(read_setting("DASHBOARD_IDLE_MINUTES", "30")))


def source_limit() -> int:
    """``DASHBOARD_LOGIN_SOURCE_LIMIT`` (default 30): failed logins from one address within 15
    minutes after which that address is refused until the oldest of them is 15 minutes old."""
    return max(1, int(read_setting("DASHBOARD_LOGIN_SOURCE_LIMIT", "30")))


@dataclass
class LoginResult:
    viewer: Viewer | None
    message: str


@dataclass(frozen=True)
class Session:
    """A login session as a page run sees it: ``status`` is live, expired (idle too long: ended
    now) or ended (logout, account disabled, …)."""

    id: int
    username: str
    source: str
    status: str

    @property
    def live(self) -> bool:
        return self.status == "live"


# --- passwords -----------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (services/common_passwords.txt), lower case."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


_LEET = str.maketrans("@4031$5!7", "aaoeissit")
_EDGES = string.digits + string.punctuation + string.whitespace


def _is_common(password: str) -> bool:
    """The password, or its letters between leading/trailing digits and symbols (also with
    look-alike digits read as letters: p@ssw0rd), is on the common list."""
    common = common_passwords()
    lower = password.lower()
    core = lower.strip(_EDGES)
    return any(word in common for word in (lower, core, core.translate(_LEET),
                                           lower.translate(_LEET).strip(_EDGES)))


def check_password_strength(password: str, username: str = "") -> str | None:
    """None when acceptable, else a Chinese reason: at least 12 characters, not only digits and
    symbols, at least 5 different characters, not containing the user name, not common."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少{MIN_PASSWORD}位。"
    if len(password) > MAX_PASSWORD:
        return f"密码最多{MAX_PASSWORD}位。"
    if not any(c.isalpha() for c in password):
        return "密码不能只由数字和符号组成。"
    if len(set(password)) < 5:
        return "密码中不同的字符太少（如重复同一个字符）。"
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        return "密码不能包含用户名。"
    if _is_common(password):
        return "该密码过于常见，容易被猜中，请换一个。"
    return None


# --- logging in ------------------------------------------------------------------------------------


_secrets: dict[str, bytes] = {}


def _name_key(engine: Engine, typed: str) -> str:
    """How a typed name that matches no account is counted: 4 hex digits of a keyed hash, so the
    name (often a password typed into the wrong box) can never be read back from the database."""
    url = engine.url.render_as_string(hide_password=False)
    if url not in _secrets:
        _secrets[url] = store.name_key_secret(engine)
    return "?" + hmac.new(_secrets[url], typed.encode("utf-8"), hashlib.sha256).hexdigest()[:4]


def _lock_for(failures: int) -> timedelta | None:
    """1 minute at the 5th failure in a row, doubling with each further one, at most 15."""
    if failures < MAX_FAILURES:
        return None
    return min(LOCK_LONGEST, LOCK_FIRST * 2 ** min(failures - MAX_FAILURES, 10))


def _minutes(until: datetime, at: datetime) -> int:
    return max(1, int((until - at).total_seconds() + 59) // 60)


def login(engine: Engine, username: str, password: str, at: datetime | None = None,
          demo_allowed: bool = False, source: str = "") -> LoginResult:
    """Check a user name and password from ``source`` (the client's address). Refused without a
    check while that address has too many recent failures, or while the name is locked (unless
    the account logged in from this address within 30 days). Demo accounts log in only while
    ``demo_allowed`` (DASHBOARD_DEMO=1). The viewer returned carries ``source``."""
    at = at or now()
    username = (username or "").strip()
    source = (source or "unknown")[:128]
    recent = store.failed_attempts(engine, source, at - SOURCE_WINDOW)
    limit = source_limit()
    if len(recent) >= limit:
        audit_log.audit(engine, "", "login_throttled",
                    f"{int(SOURCE_WINDOW.total_seconds() // 60)}分钟内该地址登录失败{len(recent)}次", at, source)
        until = recent[len(recent) - limit] + SOURCE_WINDOW
        return LoginResult(None, f"该网络地址登录失败次数过多，请{_minutes(until, at)}分钟后再试。")

    user = store.get_user(engine, username) if username else None
    key = user["username"] if user else _name_key(engine, username)
    _, _, locked_until = store.failure_state(engine, key)
    if (locked_until is not None and locked_until > at
            and not (user and store.logged_in_from(engine, key, source, at - KNOWN_SOURCE))):
        audit_log.audit(engine, key, "login_locked", "锁定期间尝试登录", at, source)
        return LoginResult(None, "登录失败次数过多，账号已临时锁定，"
                                 f"请{_minutes(locked_until, at)}分钟后再试。")
    try:
        _hasher.verify(user["password_hash"] if user else _dummy_hash(), password or "")
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        store.record_attempt(engine, source, at, ok=False)
        failures = store.record_failure(engine, key, at, at - FAILURES_FORGOTTEN)
        lock = _lock_for(failures)
        if lock is not None:
            store.set_lock(engine, key, at + lock)
        audit_log.audit(engine, key, "login_failed",
                    f"第{failures}次失败" + ("（用户名不存在）" if user is None else ""), at, source)
        if lock is not None:
            return LoginResult(None, f"连续{failures}次登录失败，账号已锁定"
                                     f"{_minutes(at + lock, at)}分钟。")
        return LoginResult(None, "用户名或密码错误。")
    if user["disabled"]:
        store.record_attempt(engine, source, at, ok=False)
        audit_log.audit(engine, key, "login_failed", "账号已停用", at, source)
        return LoginResult(None, "该账号已停用，请联系管理员。")
    if user["is_demo"] and not demo_allowed:
        store.record_attempt(engine, source, at, ok=False)
        audit_log.audit(engine, key, "demo_refused", "演示模式未开启，演示账号不能登录", at, source)
        return LoginResult(None, "演示账号未启用。")
    store.clear_failures(engine, key)
    store.record_attempt(engine, source, at, ok=True)
    audit_log.audit(engine, key, "login", ROLES.get(user["role"], user["role"]), at, source)
    return LoginResult(replace(viewer_for(user), source=source), "登录成功。")


def viewer_for(user: dict) -> Viewer:
    return Viewer(username=user["username"], role=user["role"], branch_id=user["branch_id"],
                  branch=user["branch"], display_name=user["display_name"] or user["username"])


def current_viewer(engine: Engine, username: str, demo_allowed: bool = False) -> Viewer | None:
    """Re-read a logged-in user on every page run, so disabling or re-roling takes effect at once
    (and a demo account stops working as soon as demo mode is off)."""
    user = store.get_user(engine, username)
    if user is not None and user["is_demo"] and not demo_allowed:
        return None
    if user is None or user["disabled"]:
        return None
    return viewer_for(user)


# --- login sessions --------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What the database keeps of a session token: its SHA-256."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _handoff_hash(code: str) -> str:
    # A separate domain: no cookie value (43 URL-safe characters) hashes to a handoff code's hash.
    return hashlib.sha256(b"handoff:" + code.encode("ascii")).hexdigest()


def open_session(engine: Engine, username: str, source: str,
                 at: datetime | None = None) -> tuple[int, str]:
    """A new session after a successful login: returns its id (the page run's handle) and a
    one-time code the browser exchanges within 2 minutes for its cookie (``redeem_handoff``)."""
    at = at or now()
    _housekeeping(engine, at)
    code = secrets.token_urlsafe(32)
    session_id = store.insert_session(engine, _handoff_hash(code), username, source, at,
                                      at + idle_timeout())
    return session_id, code


def redeem_handoff(engine: Engine, code: str, at: datetime | None = None) -> str | None:
    """The cookie token for a one-time code of ``open_session``: a fresh random token whose
    SHA-256 replaces the code's in the database (so the code works once, and the token itself
    is never stored). None for an unknown, used, ended or too old code."""
    at = at or now()
    if not _TOKEN.fullmatch(code or ""):
        return None
    token = secrets.token_urlsafe(32)
    found = store.swap_session_hash(engine, _handoff_hash(code), token_hash(token), at - HANDOFF, at)
    return token if found is not None else None


def _resolve(engine: Engine, row: dict | None, at: datetime, slide: bool) -> Session | None:
    if row is None:
        return None
    if row["ended_at"] is not None:
        status = "ended"
    elif row["expires_at"] <= at:
        _expire(engine, row, at)
        status = "expired"
    else:
        status = "live"
        if slide and at - row["last_seen_at"] >= TOUCH_EVERY:
            store.touch_session(engine, row["id"], at, at + idle_timeout())
    return Session(row["id"], row["username"], row["source"], status)


def _expire(engine: Engine, row: dict, at: datetime) -> None:
    if store.end_session(engine, row["id"], row["expires_at"]):
        last = row["last_seen_at"].strftime("%Y-%m-%d %H:%M")
        audit_log.audit(engine, row["username"], "idle_logout",
                    f"最后操作于{last}，超过{int(idle_timeout().total_seconds() // 60)}分钟未操作", at,
                    row["source"])


def session_for_token(engine: Engine, token: str | None, at: datetime | None = None,
                      slide: bool = True) -> Session | None:
    """The session of a cookie token (None when the value is no token of ours). A live session's
    expiry slides by the idle timeout unless ``slide`` is False; an idle one ends (audited)."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    return _resolve(engine, store.session_by_hash(engine, token_hash(token)), at or now(), slide)


def session_by_id(engine: Engine, session_id: int, at: datetime | None = None,
                  slide: bool = True) -> Session | None:
    """As ``session_for_token``, for the id a page run keeps after login."""
    return _resolve(engine, store.session_by_id(engine, int(session_id)), at or now(), slide)


def close_session(engine: Engine, session_id: int, *, action: str = "logout", detail: str = "",
                  source: str = "", at: datetime | None = None) -> bool:
    """End a session (logout, or ``session_ended`` / ``demo_refused`` when the account may no
    longer use it) and audit it once; False when it had already ended."""
    at = at or now()
    row = store.session_by_id(engine, int(session_id))
    if row is None or not store.end_session(engine, row["id"], at):
        return False
    audit_log.audit(engine, row["username"], action, detail, at, source or row["source"])
    return True


def session_viewer(engine: Engine, session: Session, demo_allowed: bool,
                   source: str = "") -> tuple[Viewer | None, str]:
    """The viewer of a live session as the account is now (role, branch), carrying ``source``;
    or (None, reason) after ending the session when the account is gone, disabled, or a demo
    account while demo mode is off."""
    user = store.get_user(engine, session.username)
    if user is not None and user["is_demo"] and not demo_allowed:
        close_session(engine, session.id, action="demo_refused", detail="演示模式已关闭",
                      source=source)
        return None, "演示模式已关闭，演示账号不能继续使用。"
    if user is None or user["disabled"]:
        close_session(engine, session.id, action="session_ended",
                      detail="账号已停用" if user else "账号不存在", source=source)
        return None, "账号已停用或已失效，请重新登录。"
    return replace(viewer_for(user), source=source or session.source), ""


def end_user_sessions(engine: Engine, username: str, detail: str, source: str = "") -> int:
    """End every live session of an account (disabled, password reset by someone else)."""
    ended = 0
    for row in store.live_sessions(engine, username):
        ended += close_session(engine, row["id"], action="session_ended", detail=detail,
                               source=source)
    return ended


def _housekeeping(engine: Engine, at: datetime) -> None:
    """At each login: audit the sessions that went idle unnoticed, forget old ones and old
    login attempts."""
    for row in store.stale_sessions(engine, at):
        _expire(engine, row, at)
    store.purge_sessions(engine, at - KEEP_SESSIONS)
    store.purge_attempts(engine, at - timedelta(days=1))


# --- managing accounts -----------------------------------------------------------------------------


def _audit_as(engine: Engine, actor: Viewer | str, action: str, detail: str) -> None:
    if isinstance(actor, Viewer):
        audit.record(engine, actor, action, detail)
    else:
        audit_log.audit(engine, actor, action, detail)


def _name(actor: Viewer | str) -> str:
    return actor.username if isinstance(actor, Viewer) else actor


def add_user(engine: Engine, username: str, password: str, role: str, *, actor: Viewer | str,
             display_name: str = "", branch_id: int | None = None, is_demo: bool = False) -> None:
    """A new account (``actor``: the administrator's viewer, or a name for the command line)."""
    if role not in ROLES:
        raise ValueError(f"角色应为 {', '.join(ROLES)} 之一。")
    if role == "secretary" and branch_id is None:
        raise ValueError("支部书记账号必须指定所在支部（--branch）。")
    if store.get_user(engine, username):
        raise ValueError(f"用户「{username}」已存在。")
    if not is_demo and (reason := check_password_strength(password, username)):
        raise ValueError(reason)
    store.insert_user(engine, username, display_name or username, role,
                      branch_id if role == "secretary" else None, hash_password(password), is_demo)
    _audit_as(engine, actor, "user_add", f"{username}（{ROLES[role]}）")


def reset_password(engine: Engine, username: str, password: str, *, actor: Viewer | str) -> None:
    """Set a new password and lift the name's lock; someone else's reset also ends the
    account's sessions."""
    if reason := check_password_strength(password, username):
        raise ValueError(reason)
    if not store.update_user(engine, username, password_hash=hash_password(password)):
        raise ValueError(f"没有用户「{username}」。")
    store.clear_failures(engine, username)
    _audit_as(engine, actor, "user_reset_password", username)
    if _name(actor) != username:
        end_user_sessions(engine, username, "密码已被管理员重置",
                          actor.source if isinstance(actor, Viewer) else "")


def set_disabled(engine: Engine, username: str, disabled: bool, *, actor: Viewer | str) -> None:
    """Disable (ending the account's sessions at once) or enable an account."""
    if not store.update_user(engine, username, disabled=disabled):
        raise ValueError(f"没有用户「{username}」。")
    _audit_as(engine, actor, "user_disable" if disabled else "user_enable", username)
    if disabled:
        end_user_sessions(engine, username, "账号已停用",
                          actor.source if isinstance(actor, Viewer) else "")


def ensure_demo_accounts(engine: Engine) -> None:
    """Demo log-ins (password「demo」), usable only while DASHBOARD_DEMO=1 (see README): an
    administrator, a leader and the secretary of the first in-service branch."""
    branches = branch_list(engine, SYSTEM)
    if branches.empty:
        return
    on_duty = branches[branches["type"] == "在职"]
    first = (on_duty if not on_duty.empty else branches).iloc[0]
    for username, role, name, branch_id in (
        ("demo_admin", "admin", "演示管理员", None),
        ("demo_leader", "leader", "演示领导", None),
        ("demo_secretary", "secretary", f"演示书记（{first['branch']}）", int(first["branch_id"])),
    ):
        if store.get_user(engine, username) is None:
            add_user(engine, username, "demo", role, actor="demo", display_name=name,
                     branch_id=branch_id, is_demo=True)


def list_users(engine: Engine, viewer: Viewer):
    """Every account (administrators only): username, display_name, role, branch, disabled,
    is_demo, created_at."""
    if not viewer.can_manage_users:
        raise PermissionError("只有管理员可以管理账号。")
    return store.list_users(engine)


def is_demo_account(engine: Engine, username: str) -> bool:
    user = store.get_user(engine, (username or "").strip())
    return bool(user and user["is_demo"])
