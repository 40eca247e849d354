"""Log-in, lockout and account management. Passwords are hashed with Argon2id (argon2-cffi)
and never logged or stored in plain text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from auth.viewer import ROLES, Viewer
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


def login(engine: Engine, username: str, password: str, at: datetime | None = None) -> LoginResult:
    """Check a user name and password; lock the name after 5 failures for 15 minutes."""
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
    store.clear_failures(engine, username)
    store.audit(engine, username, "login", ROLES.get(user["role"], user["role"]), at)
    return LoginResult(viewer_for(user), "登录成功。")


def viewer_for(user: dict) -> Viewer:
    return Viewer(username=user["username"], role=user["role"], branch_id=user["branch_id"],
                  branch=user["branch"], display_name=user["display_name"] or user["username"])


def current_viewer(engine: Engine, username: str) -> Viewer | None:
    """Re-read a logged-in user on every page run, so disabling or re-roling takes effect at once."""
    user = store.get_user(engine, username)
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
