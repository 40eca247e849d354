"""Log-in, lockout and account management. Passwords are hashed with Argon2id (argon2-cffi)
and never logged or stored in plain text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from domain.access import ROLES, SYSTEM, Viewer
from storage.queries import branch_list
from storage import accounts as store

MAX_FAILURES = 5
LOCK_MINUTES = 15
_hasher = PasswordHasher()
# Verified when the user name does not exist, so both paths cost one Argon2 verification.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass
class LoginResult:
    viewer: Viewer | None
    message: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> str | None:
    """None when acceptable, else a Chinese reason."""
    if len(password) < 8:
        return "密码至少8位。"
    if password.isdigit() or password.isalpha():
        return "密码需同时包含字母和数字。"
    return None


def login(engine: Engine, username: str, password: str, at: datetime | None = None,
          demo_allowed: bool = False) -> LoginResult:
    """Check a user name and password; lock the name after 5 failures for 15 minutes. Demo
    accounts log in only while ``demo_allowed`` (DASHBOARD_DEMO=1)."""
    at = at or datetime.now()
    username = (username or "").strip()
    _, locked_until = store.failure_state(engine, username)
    if locked_until is not None and locked_until > at:
        store.audit(engine, username, "login_locked", "锁定期间尝试登录", at)
        minutes = max(1, int((locked_until - at).total_seconds() // 60) + 1)
        return LoginResult(None, f"登录失败次数过多，账号已临时锁定，请{minutes}分钟后再试。")
    user = store.get_user(engine, username)
    try:
        _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password or "")
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        failures = store.record_failure(engine, username, at, MAX_FAILURES,
                                        at + timedelta(minutes=LOCK_MINUTES))
        store.audit(engine, username, "login_failed", f"第{failures}次失败", at)
        if failures >= MAX_FAILURES:
            return LoginResult(None, f"连续{MAX_FAILURES}次登录失败，账号已锁定{LOCK_MINUTES}分钟。")
        return LoginResult(None, "用户名或密码错误。")
    if user["disabled"]:
        store.audit(engine, username, "login_failed", "账号已停用", at)
        return LoginResult(None, "该账号已停用，请联系管理员。")
    if user["is_demo"] and not demo_allowed:
        store.audit(engine, username, "login_refused", "演示模式未开启，演示账号不能登录", at)
        return LoginResult(None, "演示账号未启用。")
    store.clear_failures(engine, username)
    store.audit(engine, username, "login", ROLES.get(user["role"], user["role"]), at)
    return LoginResult(viewer_for(user), "登录成功。")


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


def add_user(engine: Engine, username: str, password: str, role: str, *, actor: str,
             display_name: str = "", branch_id: int | None = None, is_demo: bool = False) -> None:
    if role not in ROLES:
        raise ValueError(f"角色应为 {', '.join(ROLES)} 之一。")
    if role == "secretary" and branch_id is None:
        raise ValueError("支部书记账号必须指定所在支部（--branch）。")
    if store.get_user(engine, username):
        raise ValueError(f"用户「{username}」已存在。")
    if not is_demo and (reason := check_password_strength(password)):
        raise ValueError(reason)
    store.insert_user(engine, username, display_name or username, role,
                      branch_id if role == "secretary" else None, hash_password(password), is_demo)
    store.audit(engine, actor, "user_add", f"{username}（{ROLES[role]}）")


def reset_password(engine: Engine, username: str, password: str, *, actor: str) -> None:
    if reason := check_password_strength(password):
        raise ValueError(reason)
    if not store.update_user(engine, username, password_hash=hash_password(password)):
        raise ValueError(f"没有用户「{username}」。")
    store.clear_failures(engine, username)
    store.audit(engine, actor, "user_reset_password", username)


def set_disabled(engine: Engine, username: str, disabled: bool, *, actor: str) -> None:
    if not store.update_user(engine, username, disabled=disabled):
        raise ValueError(f"没有用户「{username}」。")
    store.audit(engine, actor, "user_disable" if disabled else "user_enable", username)


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


def logged_out(engine: Engine, username: str, action: str = "logout", detail: str = "",
               source: str = "") -> None:
    """Audit a logout (``logout``; ``idle_logout`` after the idle timeout)."""
    store.audit(engine, username, action, detail, source=source)
