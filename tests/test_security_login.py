"""The login side of the app through AppTest (issue 19 and issue 20 item 7): the form opens a
server-side session, another tab finds it through the cookie, logout / idle timeout / a disabled
account / demo mode switched off end it in every tab, the per-address limit, password rules on
用户管理, the client address on every audited change, and no file uploader before login."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from services import accounts
from storage.accounts import touch_session, update_user
from storage.audit_log import audit_log
from tests.apptest_helpers import (
    ROOT, SessionAppTest, all_text, log_in, open_file_directly, open_page,
)
from ui.nav import PAGES

pytestmark = pytest.mark.usefixtures("writable_env")


def _engine():
    import os

    from storage.db import get_engine

    return get_engine(os.environ["DATABASE_URL"])


def _router() -> AppTest:
    return SessionAppTest(str(ROOT / "dashboard.py"), default_timeout=90)


def _login_form(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["用户名", "密码"]


def _submit(at: AppTest, username: str, password: str) -> AppTest:
    inputs = {t.label: t for t in at.text_input}
    inputs["用户名"].set_value(username)
    inputs["密码"].set_value(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def _scripts(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if "<script>" in h.proto.body]


@pytest.fixture
def serve_py(monkeypatch):
    """As if the process had been started through serve.py (the cookie endpoints exist)."""
    import ui.session_http

    monkeypatch.setattr(ui.session_http, "_installed", True)


@pytest.fixture
def cookie(monkeypatch):
    """The session cookie the browser sends when a tab connects (AppTest has no browser)."""
    import ui.session

    jar = {"token": None}
    monkeypatch.setattr(ui.session, "_cookie_token", lambda: jar["token"])
    return jar


def _browser_session(username="demo_admin", source="10.0.0.5") -> tuple[int, str]:
    """A login as the browser ends up with it: the session id and the cookie's token."""
    session_id, code = accounts.open_session(_engine(), username, source)
    return session_id, accounts.redeem_handoff(_engine(), code)


def test_the_login_form_opens_a_session_and_hands_the_browser_a_one_time_code(serve_py, cookie):
    at = _router().run()
    assert _login_form(at)
    _submit(at, "demo_admin", "demo")
    assert not at.exception and not _login_form(at)
    session_id = at.session_state["auth_session"]
    assert accounts.session_by_id(_engine(), session_id).live
    (script,) = _scripts(at)
    code = re.search(r'body: "([A-Za-z0-9_-]{43})"', script).group(1)
    assert '"/_session/begin"' in script and "credentials: 'same-origin'" in script
    token = accounts.redeem_handoff(_engine(), code)
    assert accounts.session_for_token(_engine(), token).id == session_id
    at.run()
    assert _scripts(at) == []  # handed over once
    log = audit_log(_engine(), action="login")
    assert log["username"].iloc[0] == "demo_admin" and log["source"].iloc[0] == "127.0.0.1"


def test_without_serve_py_no_script_is_sent(cookie):
    at = _router().run()
    _submit(at, "demo_admin", "demo")
    assert not _login_form(at) and _scripts(at) == []


def test_a_reload_or_a_new_tab_is_still_logged_in(cookie):
    _, token = _browser_session("demo_leader")
    cookie["token"] = token
    for page in (None, "pages/lagging.py"):
        at = _router().run() if page is None else AppTest.from_file(
            str(ROOT / page), default_timeout=90).run()
        assert not at.exception and not _login_form(at), page
    assert "演示领导" in all_text(_router().run())


def test_a_page_opened_by_url_on_a_fresh_server_finds_the_session(cookie):
    _, token = _browser_session("demo_admin")
    cookie["token"] = token
    at = open_file_directly("pages/users.py")
    assert not at.exception and not _login_form(at)
    assert any(t.value == "用户管理" for t in at.title)


def test_logout_in_one_tab_logs_out_every_tab(serve_py, cookie):
    session_id, token = _browser_session("demo_admin")
    cookie["token"] = token
    first, second = _router(), _router()
    first.session_state["auth_session"] = session_id
    first.session_state["q"] = "2026Q3"  # something this tab kept
    first.run()
    second.run()
    assert not _login_form(first) and not _login_form(second)

    first.button(key=next(b.key for b in first.button if b.label == "退出登录")).click().run()
    assert _login_form(first) and any("已退出登录" in i.value for i in first.info)
    assert "q" not in first.session_state  # the tab's state is gone with the login
    assert any("_session/end" in s for s in _scripts(first))  # the cookie is deleted
    second.run()
    assert _login_form(second) and any("重新登录" in i.value for i in second.info)
    assert accounts.session_for_token(_engine(), token).status == "ended"
    log = audit_log(_engine(), action="logout")
    assert len(log) == 1 and log["source"].iloc[0] == "127.0.0.1"


def test_the_idle_timeout_logs_out_and_is_audited_once(cookie):
    at = open_page("pages/overview.py", "admin")
    assert not _login_form(at)
    long_ago = datetime.now().replace(microsecond=0) - timedelta(hours=2)
    touch_session(_engine(), at.session_state["auth_session"], long_ago, long_ago + timedelta(minutes=30))
    at.run()
    assert _login_form(at) and any("长时间未操作" in i.value for i in at.info)
    at.run()
    assert len(audit_log(_engine(), action="idle_logout", username="demo_admin")) == 1


def test_a_disabled_account_is_logged_out_at_its_next_run(cookie):
    accounts.add_user(_engine(), "zhaoli", "Hongqi-Qiao-47", "leader", actor="test")
    at = _router()
    log_in(at, "zhaoli")
    at.run()
    assert not _login_form(at)
    accounts.set_disabled(_engine(), "zhaoli", True, actor="root")
    at.run()
    assert _login_form(at)
    assert audit_log(_engine(), action="session_ended", username="zhaoli")["detail"].iloc[0] == "账号已停用"


def test_a_changed_role_takes_effect_at_the_next_run(cookie):
    accounts.add_user(_engine(), "zhaoli", "Hongqi-Qiao-47", "admin", actor="test")
    at = SessionAppTest(str(ROOT / "pages" / "users.py"), default_timeout=90)
    log_in(at, "zhaoli")
    at.run()
    assert any(t.value == "用户管理" for t in at.title)
    update_user(_engine(), "zhaoli", role="leader")
    at.run()
    assert any("不对领导开放" in e.value for e in at.error) and not at.dataframe


def test_switching_demo_mode_off_ends_demo_sessions(cookie, monkeypatch):
    at = open_page("pages/overview.py", "leader")
    assert not _login_form(at)
    monkeypatch.setenv("DASHBOARD_DEMO", "0")
    at.run()
    assert _login_form(at) and any("演示模式已关闭" in i.value for i in at.info)
    assert len(audit_log(_engine(), action="demo_refused", username="demo_leader")) == 1


def test_one_address_failing_too_often_is_refused_at_the_form(cookie, monkeypatch):
    import ui.session

    monkeypatch.setattr(ui.session, "client_source", lambda: "10.9.9.9")
    monkeypatch.setenv("DASHBOARD_LOGIN_SOURCE_LIMIT", "2")
    at = _router().run()
    _submit(at, "nobody", "x")
    _submit(at, "demo_leader", "wrong")
    _submit(at, "demo_admin", "demo")  # right this time, but this address is refused for now
    assert _login_form(at) and any("该网络地址" in e.value for e in at.error)
    assert audit_log(_engine(), action="login_throttled")["source"].iloc[0] == "10.9.9.9"


def test_every_audited_change_carries_the_client_address(cookie, monkeypatch):
    import ui.session

    monkeypatch.setattr(ui.session, "client_source", lambda: "10.1.2.3")
    at = open_page("pages/users.py", "admin")
    next(s for s in at.selectbox if s.label == "角色").set_value("leader")
    inputs = {t.label: t for t in at.text_input}
    inputs["用户名"].set_value("zhaoli")
    inputs["初始密码"].set_value("Hongqi-Qiao-47")
    inputs["再次输入密码"].set_value("Hongqi-Qiao-47")
    next(b for b in at.button if b.label == "新增用户").click()
    at.run()
    assert not at.exception and any("已新增用户" in s.value for s in at.success)
    log = audit_log(_engine(), action="user_add")
    assert log["username"].iloc[0] == "demo_admin" and log["source"].iloc[0] == "10.1.2.3"


@pytest.mark.parametrize("password,reason", [("short-one1", "至少12位"),
                                             ("password1234", "常见"),
                                             ("zhaoli-2026-x", "用户名")])
def test_users_page_refuses_weak_passwords(cookie, password, reason):
    at = open_page("pages/users.py", "admin")
    next(s for s in at.selectbox if s.label == "角色").set_value("leader")
    inputs = {t.label: t for t in at.text_input}
    inputs["用户名"].set_value("zhaoli")
    inputs["初始密码"].set_value(password)
    inputs["再次输入密码"].set_value(password)
    next(b for b in at.button if b.label == "新增用户").click()
    at.run()
    assert any(reason in e.value for e in at.error)
    from storage.accounts import get_user

    assert get_user(_engine(), "zhaoli") is None


def test_users_page_states_the_password_rules(cookie):
    at = open_page("pages/users.py", "admin")
    assert any("至少12位" in c.value for c in at.caption)


@pytest.mark.parametrize("page", [spec.path for spec in PAGES.values()])
def test_no_file_uploader_before_login(cookie, page):
    at = open_file_directly(page)
    assert _login_form(at) and not at.get("file_uploader"), page


def test_the_router_shows_no_file_uploader_before_login_but_does_after(cookie):
    assert not _router().run().get("file_uploader")
    at = open_page("pages/data_import.py", "admin")
    assert at.get("file_uploader")  # the check above can fail
