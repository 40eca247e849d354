"""Login sessions in headless Chromium against real servers (issue 20 item 7, issue 19): a login
survives a reload and a new tab, logout ends it in every tab, a download URL taken before logout
is refused afterwards, the cookie is HttpOnly, and two server processes on one database share the
login. Marked ``browser``; under CI a missing Chromium fails instead of skipping."""

from __future__ import annotations

import time

import pytest

from tests.test_browser import Server, _demo_db, _login, _need_browser, _settle
from tests.test_browser import browser  # noqa: F401  (the fixture: one Chromium for the module)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    _need_browser()
    return _demo_db(tmp_path_factory.mktemp("sessions") / "demo.db")


def _logged_in(page) -> bool:
    _settle(page)
    return (page.locator('[data-testid="stSidebarNav"]').count() > 0
            and page.get_by_label("密码").count() == 0)


def _shows_login(page, timeout=30) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.get_by_label("密码").count() and page.get_by_label("用户名").count():
            return True
        page.wait_for_timeout(300)
    return False


def _download_url(page) -> str:
    button = page.locator('[data-testid="stDownloadButton"] button').first
    with page.expect_download(timeout=60_000) as info:
        button.click()
    return info.value.url


def _session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "dashboard_session"), None)


def test_reload_new_tab_logout_everywhere_and_downloads(browser, db, tmp_path):
    server = Server(db)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    try:
        first = context.new_page()
        _login(first, server.url, "demo_admin")
        deadline = time.time() + 30  # the page run hands the code; on 2 busy cores it can be slow
        while _session_cookie(context) is None and time.time() < deadline:
            first.wait_for_timeout(200)
        cookie = _session_cookie(context)
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert "dashboard_session" not in first.evaluate("document.cookie")  # not for scripts

        first.reload()
        assert _logged_in(first), "a reload keeps the login"
        second = context.new_page()
        second.goto(server.url + "/lagging")  # a link opened in a new tab
        assert _logged_in(second), "a new tab shares the login"
        url = _download_url(second)
        assert "/media/" in url
        assert context.request.get(url).status == 200
        stranger = browser.new_context()  # the same URL without the login cookie
        assert stranger.request.get(url).status == 403
        stranger.close()

        first.get_by_role("button", name="退出登录").click()
        assert _shows_login(first)
        deadline = time.time() + 30  # the logout's request to end the session, likewise
        while _session_cookie(context) is not None and time.time() < deadline:
            first.wait_for_timeout(200)
        assert _session_cookie(context) is None, "logout deletes the cookie"
        assert context.request.get(url).status != 200, "a download URL from before logout"

        # the other tab is logged out at its next action, and after a reload
        second.locator('[data-testid="stSidebarNav"] a', has_text="总览").first.click()
        assert _shows_login(second)
        second.reload()
        assert _shows_login(second)
        first.screenshot(path=str(tmp_path / "after_logout.png"))
    finally:
        context.close()
        server.stop()


def test_two_server_processes_share_one_login(browser, db):
    """Behind nginx a tab may reconnect to another process: the login lives in the database.
    Cookies ignore the port, so one browser context reaches both servers with one cookie."""
    one, two = Server(db), Server(db)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        _login(page, one.url, "demo_leader")
        deadline = time.time() + 30  # the page run hands the code; on 2 busy cores it can be slow
        while _session_cookie(context) is None and time.time() < deadline:
            page.wait_for_timeout(200)
        other = context.new_page()
        other.goto(two.url + "/lagging")  # the second process has not served anyone yet
        assert _logged_in(other), "the second process knows the login"
        # a page opened by URL on a fresh server runs through the router: its page, its sidebar
        assert other.locator("h1", has_text="党员预警").count() == 1
        assert "演示领导" in other.inner_text('[data-testid="stSidebar"]')
        other.get_by_role("button", name="退出登录").click()
        assert _shows_login(other)
        page.reload()
        assert _shows_login(page), "logout through one process ends the login in the other"
    finally:
        context.close()
        one.stop()
        two.stop()


def test_logout_drops_the_tabs_downloads_even_without_serve_py(browser, db):
    """The runtime's own cleanup at logout, on a server started without the middleware: the
    download URL stops working at once instead of when the tab closes."""
    server = Server(db, script="dashboard.py")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    try:
        page = context.new_page()
        _login(page, server.url, "demo_admin")
        page.goto(server.url + "/lagging")  # a new session: without the cookie, log in again
        _settle(page)
        if not _logged_in(page):
            _login(page, server.url, "demo_admin")
            page.locator('[data-testid="stSidebarNav"] a', has_text="党员预警").first.click()
            _settle(page)
        url = _download_url(page)
        assert context.request.get(url).status == 200
        page.get_by_role("button", name="退出登录").click()
        assert _shows_login(page)
        assert context.request.get(url).status == 404
    finally:
        context.close()
        server.stop()
