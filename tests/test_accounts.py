"""Accounts: Argon2 hashes, lockout held in the database, disabled users, audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from services import accounts
from storage.accounts import audit_log, get_user

T0 = datetime(2026, 11, 2, 9, 0, 0)


@pytest.fixture
def admin(engine):
    accounts.add_user(engine, "wang", "Secret123", "admin", actor="test")
    return engine


def test_password_is_stored_as_argon2_hash_never_plain(admin):
    user = get_user(admin, "wang")
    assert user["password_hash"].startswith("$argon2id$")
    assert "Secret123" not in user["password_hash"]
    with admin.connect() as conn:
        log = " ".join(r[0] for r in conn.execute(text("SELECT detail FROM audit_log")))
    assert "Secret123" not in log


def test_login_success_and_wrong_password(admin):
    ok = accounts.login(admin, "wang", "Secret123", at=T0)
    assert ok.viewer is not None and ok.viewer.role == "admin"
    bad = accounts.login(admin, "wang", "secret123", at=T0)
    assert bad.viewer is None and bad.message == "用户名或密码错误。"


def test_five_failures_lock_the_name_for_fifteen_minutes(admin):
    for i in range(5):
        assert accounts.login(admin, "wang", "wrong", at=T0 + timedelta(seconds=i)).viewer is None
    # Correct password, but locked: refused without checking it.
    locked = accounts.login(admin, "wang", "Secret123", at=T0 + timedelta(minutes=14))
    assert locked.viewer is None and "锁定" in locked.message
    # The lock lives in the database: a fresh engine on the same URL (another process) sees it.
    from storage.db import dispose_all, get_engine

    url = admin.url.render_as_string(hide_password=False)
    dispose_all()
    other = get_engine(url)
    assert accounts.login(other, "wang", "Secret123", at=T0 + timedelta(minutes=10)).viewer is None
    after = accounts.login(other, "wang", "Secret123", at=T0 + timedelta(minutes=15, seconds=5))
    assert after.viewer is not None


def test_four_failures_then_success_resets_the_counter(admin):
    for _ in range(4):
        accounts.login(admin, "wang", "wrong", at=T0)
    assert accounts.login(admin, "wang", "Secret123", at=T0).viewer is not None
    for _ in range(4):
        accounts.login(admin, "wang", "wrong", at=T0)
    assert accounts.login(admin, "wang", "Secret123", at=T0).viewer is not None


def test_unknown_user_names_are_locked_too(engine):
    for _ in range(5):
        accounts.login(engine, "ghost", "x", at=T0)
    assert "锁定" in accounts.login(engine, "ghost", "x", at=T0).message


def test_disabled_user_cannot_log_in_and_loses_session(admin):
    accounts.set_disabled(admin, "wang", True, actor="test")
    result = accounts.login(admin, "wang", "Secret123", at=T0)
    assert result.viewer is None and "停用" in result.message
    assert accounts.current_viewer(admin, "wang") is None
    accounts.set_disabled(admin, "wang", False, actor="test")
    assert accounts.current_viewer(admin, "wang").role == "admin"


def test_weak_passwords_and_secretary_without_branch_are_refused(engine):
    with pytest.raises(ValueError, match="至少8位"):
        accounts.add_user(engine, "a", "ab1", "admin", actor="t")
    with pytest.raises(ValueError, match="支部"):
        accounts.add_user(engine, "s", "Secret123", "secretary", actor="t")


def test_audit_log_records_logins_and_user_changes(admin):
    accounts.login(admin, "wang", "nope", at=T0)
    accounts.login(admin, "wang", "Secret123", at=T0 + timedelta(seconds=1))
    accounts.reset_password(admin, "wang", "NewSecret456", actor="wang")
    log = audit_log(admin)
    assert list(log["action"])[:3] == ["user_reset_password", "login", "login_failed"]
    assert list(log["username"])[:3] == ["wang", "wang", "wang"]
    assert log["action"].iloc[-1] == "user_add"
