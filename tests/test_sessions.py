"""Server-side login sessions (issue 20 item 7): a random token in an HttpOnly cookie, only its
SHA-256 in the database, sliding idle expiry, logout for every tab, and the middleware that sets
the cookie and guards downloads and uploads. The browser end to end is in test_browser_sessions.py.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from services import accounts
from storage.audit_log import audit_log

T0 = datetime(2026, 11, 2, 9, 0, 0)
PASSWORD = "Hongqi-Qiao-47"


@pytest.fixture
def users(engine):
    accounts.add_user(engine, "wang", PASSWORD, "admin", actor="test")
    return engine


def _all_values(engine, table: str) -> str:
    with engine.connect() as conn:
        return "\n".join(str(v) for row in conn.execute(text(f"SELECT * FROM {table}")) for v in row)


def _logged_in(engine, at=T0, source="10.0.0.5") -> tuple[int, str]:
    session_id, code = accounts.open_session(engine, "wang", source, at=at)
    token = accounts.redeem_handoff(engine, code, at=at + timedelta(seconds=1))
    assert token is not None
    return session_id, token


# --- the session table ---------------------------------------------------------------------------


def test_only_the_sha256_of_the_token_is_stored(users):
    session_id, token = _logged_in(users)
    assert len(token) == 43  # secrets.token_urlsafe(32)
    stored = _all_values(users, "app_session")
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    session = accounts.session_for_token(users, token, at=T0 + timedelta(minutes=1))
    assert session.live and session.id == session_id and session.username == "wang"


def test_the_handoff_code_works_once_and_only_for_two_minutes(users):
    _, code = accounts.open_session(users, "wang", "10.0.0.5", at=T0)
    assert accounts.redeem_handoff(users, code, at=T0 + timedelta(minutes=2, seconds=1)) is None
    _, code = accounts.open_session(users, "wang", "10.0.0.5", at=T0)
    token = accounts.redeem_handoff(users, code, at=T0 + timedelta(seconds=5))
    assert token and accounts.redeem_handoff(users, code, at=T0 + timedelta(seconds=6)) is None
    assert accounts.session_for_token(users, code, at=T0) is None  # a code is not a cookie


def test_a_handoff_code_of_an_ended_session_is_refused(users):
    session_id, code = accounts.open_session(users, "wang", "10.0.0.5", at=T0)
    accounts.close_session(users, session_id, at=T0)
    assert accounts.redeem_handoff(users, code, at=T0 + timedelta(seconds=5)) is None


@pytest.mark.parametrize("value", ["", "x", "a" * 42, "a" * 44, "a" * 42 + "=", None])
def test_values_that_are_not_tokens_resolve_to_nothing(users, value):
    assert accounts.session_for_token(users, value, at=T0) is None


def test_each_run_slides_the_idle_expiry(users, monkeypatch):
    monkeypatch.setenv("DASHBOARD_IDLE_MINUTES", "30")
    _, token = _logged_in(users)
    at = T0
    for _ in range(5):  # active every 20 minutes for 100 minutes: still logged in
        at += timedelta(minutes=20)
        assert accounts.session_for_token(users, token, at=at).live
    assert accounts.session_for_token(users, token, at=at + timedelta(minutes=31)).status == "expired"


def test_idle_expiry_ends_the_session_and_is_audited_once(users, monkeypatch):
    monkeypatch.setenv("DASHBOARD_IDLE_MINUTES", "10")
    session_id, token = _logged_in(users)
    late = T0 + timedelta(minutes=11)
    assert accounts.session_for_token(users, token, at=late).status == "expired"
    assert accounts.session_by_id(users, session_id, at=late).status == "ended"
    log = audit_log(users, action="idle_logout")
    assert len(log) == 1 and log["username"].iloc[0] == "wang"
    assert log["source"].iloc[0] == "10.0.0.5" and "超过10分钟未操作" in log["detail"].iloc[0]


def test_sessions_nobody_returns_to_are_audited_at_the_next_login(users, monkeypatch):
    monkeypatch.setenv("DASHBOARD_IDLE_MINUTES", "30")
    _logged_in(users)
    accounts.open_session(users, "wang", "10.0.0.6", at=T0 + timedelta(hours=2))
    assert len(audit_log(users, action="idle_logout")) == 1


def test_logout_ends_the_session_for_every_holder_and_other_processes_see_it(users):
    session_id, token = _logged_in(users)
    from storage.db import dispose_all, get_engine

    url = users.url.render_as_string(hide_password=False)
    dispose_all()
    other = get_engine(url)  # a second server process on the same database
    assert accounts.session_for_token(other, token, at=T0).live
    assert accounts.close_session(users, session_id, source="10.0.0.5", at=T0)
    assert not accounts.close_session(users, session_id, at=T0)  # once
    assert accounts.session_for_token(other, token, at=T0).status == "ended"
    log = audit_log(users, action="logout")
    assert len(log) == 1 and log["source"].iloc[0] == "10.0.0.5"


def test_a_disabled_account_or_a_demo_account_without_demo_mode_loses_its_session(users):
    session_id, token = _logged_in(users)
    session = accounts.session_for_token(users, token, at=T0)
    viewer, _ = accounts.session_viewer(users, session, demo_allowed=False, source="10.0.0.7")
    assert viewer.role == "admin" and viewer.source == "10.0.0.7"
    accounts.set_disabled(users, "wang", True, actor="root")
    assert accounts.session_for_token(users, token, at=T0).status == "ended"
    assert audit_log(users, action="session_ended")["detail"].iloc[0] == "账号已停用"

    accounts.add_user(users, "demo_admin", "demo", "admin", actor="t", is_demo=True)
    demo_id, _ = accounts.open_session(users, "demo_admin", "10.0.0.8", at=T0)
    demo = accounts.session_by_id(users, demo_id, at=T0)
    assert accounts.session_viewer(users, demo, demo_allowed=True)[0] is not None
    viewer, reason = accounts.session_viewer(users, demo, demo_allowed=False, source="10.0.0.8")
    assert viewer is None and "演示" in reason
    assert accounts.session_by_id(users, demo_id, at=T0).status == "ended"
    assert audit_log(users, action="demo_refused")["source"].iloc[0] == "10.0.0.8"


def test_a_changed_role_takes_effect_at_the_next_run(users):
    _, token = _logged_in(users)
    from storage.accounts import update_user

    update_user(users, "wang", role="leader")
    session = accounts.session_for_token(users, token, at=T0)
    assert accounts.session_viewer(users, session, demo_allowed=False)[0].role == "leader"


# --- the middleware (serve.py) --------------------------------------------------------------------


async def _passed(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"passed"})


def _call(middleware, method, path, headers=None, body=b"", scheme="http"):
    scope = {"type": "http", "method": method, "path": path, "scheme": scheme, "query_string": b"",
             "root_path": "", "client": ("10.0.0.5", 50000), "server": ("127.0.0.1", 8501),
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    start = sent[0]
    head = {}
    for k, v in start["headers"]:
        head.setdefault(k.decode().lower(), []).append(v.decode())
    return start["status"], head, b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture
def middleware(users):
    from ui.session_http import SessionCookieMiddleware

    held = {"bytes": 0}
    app = SessionCookieMiddleware(_passed, engine=users, base_url="",
                                  held_upload_bytes=lambda session_id: held["bytes"])
    app.held = held
    return app


SAME = {"Sec-Fetch-Site": "same-origin"}


def test_begin_sets_an_httponly_strict_cookie_with_a_fresh_token(users, middleware):
    _, code = accounts.open_session(users, "wang", "10.0.0.5")
    status, head, _ = _call(middleware, "POST", "/_session/begin", SAME, code.encode())
    assert status == 204
    (cookie,) = head["set-cookie"]
    name_value, *attributes = [part.strip() for part in cookie.split(";")]
    name, token = name_value.split("=", 1)
    assert name == "dashboard_session" and token != code and len(token) == 43
    assert set(attributes) == {"Path=/", "HttpOnly", "SameSite=Strict"}  # no Secure over http
    assert accounts.session_for_token(users, token).live
    assert token not in _all_values(users, "app_session")
    assert head["cache-control"] == ["no-store"]
    # the code works once
    assert _call(middleware, "POST", "/_session/begin", SAME, code.encode())[0] == 403


def test_the_cookie_is_secure_behind_https(users, middleware):
    _, code = accounts.open_session(users, "wang", "10.0.0.5")
    head = _call(middleware, "POST", "/_session/begin", {**SAME, "X-Forwarded-Proto": "https"},
                 code.encode())[1]
    assert "Secure" in [p.strip() for p in head["set-cookie"][0].split(";")]


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example", "Host": "dashboard.example.gov.cn"},
    {},
])
def test_begin_from_another_site_is_refused(users, middleware, headers):
    """Login CSRF: another site must not plant its own session in the user's browser."""
    _, code = accounts.open_session(users, "wang", "10.0.0.5")
    status, head, _ = _call(middleware, "POST", "/_session/begin", headers, code.encode())
    assert status == 403 and "set-cookie" not in head
    assert accounts.redeem_handoff(users, code) is not None  # still unused


def test_begin_answers_post_only(middleware):
    assert _call(middleware, "GET", "/_session/begin", SAME)[0] == 405


def test_end_ends_the_session_and_deletes_the_cookie(users, middleware):
    _, token = _logged_in(users, at=datetime.now().replace(microsecond=0))
    status, head, _ = _call(middleware, "POST", "/_session/end",
                            {**SAME, "Cookie": f"dashboard_session={token}"})
    assert status == 204
    cookie = head["set-cookie"][0]
    assert cookie.startswith("dashboard_session=;") and "Max-Age=0" in cookie
    assert accounts.session_for_token(users, token).status == "ended"


def test_downloads_need_a_live_session_cookie(users, middleware):
    _, token = _logged_in(users, at=datetime.now().replace(microsecond=0))
    path = "/media/0123abcd.xlsx"
    assert _call(middleware, "GET", path)[0] == 403
    assert _call(middleware, "GET", path, {"Cookie": "dashboard_session=" + "a" * 43})[0] == 403
    status, _, body = _call(middleware, "GET", path, {"Cookie": f"dashboard_session={token}"})
    assert (status, body) == (200, b"passed")
    _call(middleware, "POST", "/_session/end", {**SAME, "Cookie": f"dashboard_session={token}"})
    assert _call(middleware, "GET", path, {"Cookie": f"dashboard_session={token}"})[0] == 403


def test_uploads_need_a_live_session_and_stop_at_the_cap(users, middleware, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SESSION_UPLOAD_MB", "10")
    _, token = _logged_in(users, at=datetime.now().replace(microsecond=0))
    path = "/_stcore/upload_file/session-1/file-1"
    mb = 1024 * 1024
    assert _call(middleware, "PUT", path, {"Content-Length": str(mb)})[0] == 403
    cookie = {"Cookie": f"dashboard_session={token}"}
    assert _call(middleware, "PUT", path, {**cookie, "Content-Length": str(4 * mb)})[0] == 200
    middleware.held["bytes"] = 8 * mb
    assert _call(middleware, "PUT", path, {**cookie, "Content-Length": str(2 * mb)})[0] == 200
    assert _call(middleware, "PUT", path, {**cookie, "Content-Length": str(3 * mb)})[0] == 413
    assert _call(middleware, "DELETE", path, cookie)[0] == 200  # removing files stays possible


def test_other_paths_pass_through(middleware):
    for path in ("/", "/overview", "/_stcore/health", "/static/js/x.js", "/_stcore/stream"):
        assert _call(middleware, "GET", path)[0] == 200, path


def test_a_base_url_path_moves_the_endpoints_and_the_cookie_path(users):
    from ui.session_http import SessionCookieMiddleware

    app = SessionCookieMiddleware(_passed, engine=users, base_url="dangjian",
                                  held_upload_bytes=lambda s: 0)
    _, code = accounts.open_session(users, "wang", "10.0.0.5")
    assert _call(app, "POST", "/_session/begin", SAME, code.encode())[0] == 200  # not ours
    status, head, _ = _call(app, "POST", "/dangjian/_session/begin", SAME, code.encode())
    assert status == 204 and "Path=/dangjian/" in head["set-cookie"][0]
    assert _call(app, "GET", "/dangjian/media/x.csv")[0] == 403


@pytest.mark.parametrize("header,headers,peer,expected", [
    ("", {"X-Real-IP": "1.2.3.4"}, "10.0.0.5", "10.0.0.5"),  # no proxy configured: ignored
    ("X-Real-IP", {"x-real-ip": "1.2.3.4"}, "127.0.0.1", "1.2.3.4"),
    ("X-Forwarded-For", {"X-Forwarded-For": "6.6.6.6, 1.2.3.4"}, "127.0.0.1", "1.2.3.4"),
    ("X-Real-IP", {}, "10.0.0.5", "10.0.0.5"),
    ("", {}, "::ffff:10.0.0.9", "10.0.0.9"),
    ("", {}, None, "127.0.0.1"),
])
def test_the_source_address(monkeypatch, header, headers, peer, expected):
    from ui.session_http import _Headers, source_from

    monkeypatch.setenv("DASHBOARD_TRUSTED_PROXY_HEADER", header)
    scope = {"headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    assert source_from(_Headers(scope), peer) == expected
