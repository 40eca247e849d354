"""Accounts: Argon2 hashes, short per-name locks that double, a per-address limit, typed names
that match no account never stored, password rules, the audit log (with the source address)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from domain.access import Viewer
from services import accounts
from storage.accounts import failure_state, get_user
from storage.audit_log import audit_log

T0 = datetime(2026, 11, 2, 9, 0, 0)
PASSWORD = "Hongqi-Qiao-47"
OFFICE, ELSEWHERE = "10.0.0.5", "10.0.0.66"


@pytest.fixture
def admin(engine):
    accounts.add_user(engine, "wang", PASSWORD, "admin", actor="test")
    return engine


def _fail(engine, times, name="wang", source=ELSEWHERE, start=T0):
    for i in range(times):
        result = accounts.login(engine, name, "wrong", at=start + timedelta(seconds=i),
                                source=source)
        assert result.viewer is None
    return result


def test_password_is_stored_as_argon2_hash_never_plain(admin):
    user = get_user(admin, "wang")
    assert user["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in user["password_hash"]
    with admin.connect() as conn:
        log = " ".join(r[0] for r in conn.execute(text("SELECT detail FROM audit_log")))
    assert PASSWORD not in log


def test_login_success_and_wrong_password(admin):
    ok = accounts.login(admin, "wang", PASSWORD, at=T0, source=OFFICE)
    assert ok.viewer is not None and ok.viewer.role == "admin" and ok.viewer.source == OFFICE
    bad = accounts.login(admin, "wang", PASSWORD.lower(), at=T0, source=OFFICE)
    assert bad.viewer is None and bad.message == "用户名或密码错误。"


def test_five_failures_lock_the_name_briefly_and_each_further_failure_doubles_it(admin):
    _fail(admin, 4)
    assert failure_state(admin, "wang")[2] is None  # four failures: no lock yet
    locked = _fail(admin, 1, start=T0 + timedelta(seconds=4))
    assert "锁定1分钟" in locked.message
    # Correct password, but locked: refused without checking it.
    during = accounts.login(admin, "wang", PASSWORD, at=T0 + timedelta(seconds=30), source=ELSEWHERE)
    assert during.viewer is None and "锁定" in during.message
    # Each failure after a lock has run out locks again, twice as long, up to 15 minutes.
    at, lengths = T0 + timedelta(seconds=4), []
    for _ in range(6):
        at = failure_state(admin, "wang")[2] + timedelta(seconds=1)
        result = accounts.login(admin, "wang", "wrong", at=at, source=ELSEWHERE)
        lengths.append(round((failure_state(admin, "wang")[2] - at).total_seconds() / 60))
        assert "锁定" in result.message
    assert lengths == [2, 4, 8, 15, 15, 15]
    after = failure_state(admin, "wang")[2] + timedelta(seconds=1)
    assert accounts.login(admin, "wang", PASSWORD, at=after, source=ELSEWHERE).viewer is not None
    assert failure_state(admin, "wang") == (0, None, None)  # success clears the count


def test_the_lock_lives_in_the_database(admin):
    _fail(admin, 5)
    from storage.db import dispose_all, get_engine

    url = admin.url.render_as_string(hide_password=False)
    dispose_all()
    other = get_engine(url)  # another server process
    assert accounts.login(other, "wang", PASSWORD, at=T0 + timedelta(seconds=30),
                          source=ELSEWHERE).viewer is None
    assert accounts.login(other, "wang", PASSWORD, at=T0 + timedelta(minutes=1, seconds=5),
                          source=ELSEWHERE).viewer is not None


def test_a_locked_name_still_logs_in_from_an_address_it_used_recently(admin):
    """Anyone can lock a name; the owner at their usual address is not locked out with it."""
    accounts.open_session(admin, "wang", OFFICE, at=T0 - timedelta(days=3))
    _fail(admin, 5, source=ELSEWHERE)
    at = T0 + timedelta(seconds=20)
    assert accounts.login(admin, "wang", PASSWORD, at=at, source=ELSEWHERE).viewer is None
    assert accounts.login(admin, "wang", PASSWORD, at=at, source="10.0.0.77").viewer is None
    assert accounts.login(admin, "wang", PASSWORD, at=at, source=OFFICE).viewer is not None


def test_an_address_used_long_ago_does_not_lift_the_lock(admin):
    accounts.open_session(admin, "wang", OFFICE, at=T0 - timedelta(days=31))
    _fail(admin, 5, source=ELSEWHERE)
    assert accounts.login(admin, "wang", PASSWORD, at=T0 + timedelta(seconds=20),
                          source=OFFICE).viewer is None


def test_failures_are_forgotten_after_an_hour_of_quiet(admin):
    _fail(admin, 4)
    _fail(admin, 1, start=T0 + timedelta(hours=1, minutes=1))
    assert failure_state(admin, "wang")[:1] == (1,)
    assert failure_state(admin, "wang")[2] is None


def test_one_address_trying_many_names_is_refused(engine, monkeypatch):
    accounts.add_user(engine, "wang", PASSWORD, "admin", actor="test")
    monkeypatch.setenv("DASHBOARD_LOGIN_SOURCE_LIMIT", "6")
    for i in range(6):  # six different names: no name reaches its own lock
        accounts.login(engine, f"user{i}", "wrong", at=T0 + timedelta(seconds=i), source=ELSEWHERE)
    refused = accounts.login(engine, "wang", PASSWORD, at=T0 + timedelta(minutes=1),
                             source=ELSEWHERE)
    assert refused.viewer is None and "该网络地址" in refused.message
    assert "15分钟" in refused.message or "14分钟" in refused.message
    # another address is not affected, and the refused address recovers after the window
    assert accounts.login(engine, "wang", PASSWORD, at=T0 + timedelta(minutes=1),
                          source=OFFICE).viewer is not None
    assert accounts.login(engine, "wang", PASSWORD, at=T0 + timedelta(minutes=15, seconds=1),
                          source=ELSEWHERE).viewer is not None
    log = audit_log(engine, action="login_throttled")
    assert len(log) == 1 and log["source"].iloc[0] == ELSEWHERE


def test_the_default_limit_per_address_is_thirty_failures(engine):
    for i in range(30):
        accounts.login(engine, f"u{i % 7}", "wrong", at=T0 + timedelta(seconds=i), source=ELSEWHERE)
    assert "该网络地址" in accounts.login(engine, "u0", "x", at=T0 + timedelta(seconds=40),
                                          source=ELSEWHERE).message


def _every_stored_text(engine) -> str:
    parts = []
    with engine.connect() as conn:
        for table in ("login_failure", "login_attempt", "audit_log", "app_session", "setting"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                parts += [str(v) for v in row]
    return "\n".join(parts)


def test_a_typed_name_matching_no_account_is_never_stored(admin):
    typed = "Hongqi-Mima-2026"  # a password typed into the name box
    result = _fail(admin, 5, name=typed)
    assert "锁定" in result.message  # unknown names lock like real ones (nothing to enumerate)
    assert accounts.login(admin, typed, "x", at=T0 + timedelta(seconds=30),
                          source=ELSEWHERE).message.startswith("登录失败次数过多")
    stored = _every_stored_text(admin)
    assert typed not in stored and typed.lower() not in stored
    failed = audit_log(admin, action="login_failed")
    assert set(failed["username"].str.len()) == {5}  # "?" and 4 hex digits of a keyed hash
    assert all(d.endswith("（用户名不存在）") for d in failed["detail"])


def test_disabled_user_cannot_log_in_and_loses_session(admin):
    accounts.set_disabled(admin, "wang", True, actor="test")
    result = accounts.login(admin, "wang", PASSWORD, at=T0)
    assert result.viewer is None and "停用" in result.message
    assert accounts.current_viewer(admin, "wang") is None
    accounts.set_disabled(admin, "wang", False, actor="test")
    assert accounts.current_viewer(admin, "wang").role == "admin"


@pytest.mark.parametrize("password,reason", [
    ("Secret123", "至少12位"),
    ("password1", "至少12位"),
    ("        1a", "至少12位"),  # eight spaces and 1a (issue 19)
    ("            1a", "不同的字符太少"),
    ("202611301234", "数字和符号"),
    ("aaaaaaaaaaaaaaaa", "不同的字符太少"),
    ("password1234", "常见"),
    ("Password1234!", "常见"),
    ("P@ssw0rd2026!", "常见"),
    ("woaini1314520", "常见"),
    ("qwertyuiop123", "常见"),
    ("1q2w3e4r5t6y", "常见"),
    ("Dangjian@2026", "常见"),
    ("zhangsan-2026", "常见"),
    ("wang.secure.2026", "用户名"),
])
def test_weak_passwords_are_refused(engine, password, reason):
    with pytest.raises(ValueError, match=reason):
        accounts.add_user(engine, "wang", password, "admin", actor="t")
    assert get_user(engine, "wang") is None
    assert accounts.check_password_strength(password, "wang") is not None


@pytest.mark.parametrize("password", [PASSWORD, "党建看板-第三季度-盘点", "correct horse battery"])
def test_strong_passwords_are_accepted(password):
    assert accounts.check_password_strength(password, "wang") is None


def test_the_common_list_ships_with_the_project_and_has_thousands_of_entries():
    common = accounts.common_passwords()
    assert 2000 <= len(common) <= 20000
    assert {"123456", "password", "woaini1314", "qwertyuiop", "1qaz2wsx"} <= common
    assert all(p == p.lower() and p.strip() == p for p in common)


def test_reset_password_checks_strength_and_ends_the_accounts_sessions(admin):
    session_id, _ = accounts.open_session(admin, "wang", OFFICE, at=T0)
    with pytest.raises(ValueError, match="至少12位"):
        accounts.reset_password(admin, "wang", "short", actor="root")
    assert accounts.session_by_id(admin, session_id, at=T0).live
    accounts.reset_password(admin, "wang", "Another-Long-Phrase-9", actor="root")
    assert accounts.session_by_id(admin, session_id, at=T0).status == "ended"
    assert audit_log(admin, action="session_ended")["detail"].iloc[0] == "密码已被管理员重置"


def test_secretary_without_branch_is_refused(engine):
    with pytest.raises(ValueError, match="支部"):
        accounts.add_user(engine, "s", PASSWORD, "secretary", actor="t")


def test_audit_log_records_logins_and_user_changes_with_the_source(admin):
    accounts.login(admin, "wang", "nope", at=T0, source=OFFICE)
    accounts.login(admin, "wang", PASSWORD, at=T0 + timedelta(seconds=1), source=OFFICE)
    actor = Viewer(username="wang", role="admin", source="10.0.0.9")
    accounts.reset_password(admin, "wang", "NewSecret-Phrase-456", actor=actor)
    log = audit_log(admin)
    assert list(log["action"])[:3] == ["user_reset_password", "login", "login_failed"]
    assert list(log["username"])[:3] == ["wang", "wang", "wang"]
    assert list(log["source"])[:3] == ["10.0.0.9", OFFICE, OFFICE]
    assert log["action"].iloc[-1] == "user_add"


def test_demo_refusal_is_audited(engine):
    accounts.add_user(engine, "demo_admin", "demo", "admin", actor="t", is_demo=True)
    refused = accounts.login(engine, "demo_admin", "demo", at=T0, source=OFFICE)
    assert refused.viewer is None and "演示" in refused.message
    log = audit_log(engine, action="demo_refused")
    assert len(log) == 1 and log["source"].iloc[0] == OFFICE


def test_every_action_written_by_the_code_has_a_label():
    """The 审计日志 filter lists ACTION_LABELS: an action without a label would be unfindable."""
    import re

    from services.audit import ACTION_LABELS
    from tests.conftest import ROOT

    written = set()
    for path in list((ROOT / "services").glob("*.py")) + list((ROOT / "ui").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"(?:record|audit|_audit_as)\(\s*engine,\s*[^,]+,\s*\"([a-z_]+)\"",
                                  source))
        written |= set(re.findall(r"action=\"([a-z_]+)\"", source))
    assert {"login", "logout", "idle_logout", "demo_refused", "session_ended",
            "login_throttled"} <= written
    assert not written - set(ACTION_LABELS), written - set(ACTION_LABELS)
