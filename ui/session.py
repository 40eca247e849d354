"""Who is logged in, decided in one place. The router and every page call ``page_guard``; a
page opened directly by URL on a fresh server (before the router ever ran) gets the login screen
and no data, because the guard, not the router, is what lets a page run.

A login is a server-side session (services.accounts): this browser tab keeps its id in
``st.session_state``; other tabs, a reload, and other server processes find it through the
HttpOnly session cookie (set by ui/session_http.py when the app runs through serve.py). Every run
re-reads the session and the account, so logout in one tab, the idle timeout, a disabled account
or a changed role take effect at the next run of every tab.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace

import streamlit as st

from domain.access import ROLES, Viewer
from services import accounts
from services.sso import viewer_from_claims
from storage.db import get_engine
from ui import session_http
from ui.nav import PAGES
from ui.sso import sso_configured

SESSION_KEY = "auth_session"  # the app_session id this tab is logged in with
USER_KEY = "auth_user"  # its user name
_HANDOFF_KEY = "auth_handoff"  # one-time code the browser exchanges for its cookie
_CLEAR_COOKIE_KEY = "auth_clear_cookie"
_NOTICE_KEY = "auth_notice"
IDLE_NOTICE = "长时间未操作，已自动退出，请重新登录。"
ENDED_NOTICE = "登录已结束（可能已在其他窗口退出），请重新登录。"


def demo_mode() -> bool:
    """Demo accounts work only while DASHBOARD_DEMO=1 (run.sh sets it; production leaves it off)."""
    return os.environ.get("DASHBOARD_DEMO", "0") == "1"


@st.cache_resource(show_spinner=False)
def _engine_for(url: str | None):
    return get_engine(url)


def engine():
    """The process-wide database engine (``DATABASE_URL`` or the default SQLite file)."""
    return _engine_for(os.environ.get("DATABASE_URL"))


def client_source() -> str:
    """This tab's client address (or the trusted proxy's header for it), for limits and audit."""
    return session_http.source_from(st.context.headers, st.context.ip_address)


def _cookie_token() -> str | None:
    """The session cookie the browser sent when this tab connected."""
    token = st.context.cookies.get(accounts.SESSION_COOKIE)
    return token if isinstance(token, str) else None  # AppTest's stand-in client has no cookies


def _sso_viewer() -> Viewer | None:
    """A viewer from OIDC single sign-on when it is configured and the user is logged in."""
    if not sso_configured():
        return None
    user = st.user
    if not getattr(user, "is_logged_in", False):
        return None
    viewer = viewer_from_claims(engine(), dict(user))
    return None if viewer is None else _with_source(viewer)


def _with_source(viewer: Viewer) -> Viewer:
    return replace(viewer, source=client_source())


def _session() -> tuple[accounts.Session | None, bool]:
    """This tab's session and whether the tab believed it was logged in."""
    state = st.session_state
    if state.get(SESSION_KEY) is not None:
        return accounts.session_by_id(engine(), state[SESSION_KEY]), True
    if state.get(USER_KEY):
        # Only an in-process driver (AppTest in tests and bench/) names a user without a
        # session: give it one, so it runs through the same checks as a browser.
        session_id, _ = accounts.open_session(engine(), state[USER_KEY], "in-process")
        return accounts.session_by_id(engine(), session_id), True
    token = _cookie_token()
    return (accounts.session_for_token(engine(), token) if token else None), False


def current_viewer() -> Viewer | None:
    """The logged-in viewer, re-read from the database on every run (a disabled account or a
    changed role takes effect at once); None once the session ended or went idle."""
    session, believed = _session()
    if session is None or not session.live:
        if believed or (session is not None and session.status == "expired"):
            _forget(IDLE_NOTICE if session is not None and session.status == "expired"
                    else ENDED_NOTICE)
        return _sso_viewer()
    viewer, reason = accounts.session_viewer(engine(), session, demo_mode(), client_source())
    if viewer is None:
        _forget(reason)
        return None
    st.session_state[SESSION_KEY] = session.id
    st.session_state[USER_KEY] = session.username
    _hand_over_cookie()
    return viewer


def _script(body: str) -> None:
    """A few lines of JavaScript in the page (no user text ever goes into them)."""
    st.html(f"<script>{body}</script>", unsafe_allow_javascript=True, width=1)


def _endpoint(path: str) -> str:
    from streamlit import config

    return session_http.cookie_path(config.get_option("server.baseUrlPath")) + path.lstrip("/")


def _hand_over_cookie() -> None:
    """Right after login: the browser exchanges the one-time code for its HttpOnly cookie."""
    code = st.session_state.pop(_HANDOFF_KEY, None)
    if code and session_http.installed():
        _script(f"fetch({json.dumps(_endpoint(session_http.BEGIN))}, {{method: 'POST', "
                f"credentials: 'same-origin', cache: 'no-store', body: {json.dumps(code)}}});")


def _drop_files() -> None:
    """Forget this tab's uploads and downloads, so a /media/ URL copied before logout stops
    working now, not when the tab closes."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return
    rt = runtime.get_instance()
    rt.media_file_mgr.clear_session_refs(ctx.session_id)
    # A download no session shows is marked at the first sweep and deleted at the second.
    rt.media_file_mgr.remove_orphaned_files()
    rt.media_file_mgr.remove_orphaned_files()
    rt.uploaded_file_mgr.remove_session_files(ctx.session_id)


def _forget(notice: str = "") -> None:
    """Log this tab out: its files and everything it kept go; the cookie is deleted next run."""
    _drop_files()
    st.session_state.clear()
    st.session_state[_CLEAR_COOKIE_KEY] = True
    if notice:
        st.session_state[_NOTICE_KEY] = notice


def logout() -> None:
    """The sidebar's 退出登录 (a button callback): ends the session for every tab (audited)."""
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is not None:
        accounts.close_session(engine(), session_id, action="logout", source=client_source())
    _forget("已退出登录。")


def login_screen() -> None:
    """The login form (and the 演示模式 hint when demo accounts are usable)."""
    # Before the router has ever run, Streamlit lists the files of pages/ in the sidebar: hide
    # that list on the login screen (static CSS, no user text).
    st.html("<style>[data-testid='stSidebarNav']{display:none}</style>")
    if st.session_state.pop(_CLEAR_COOKIE_KEY, False) and session_http.installed():
        _script(f"fetch({json.dumps(_endpoint(session_http.END))}, {{method: 'POST', "
                "credentials: 'same-origin', cache: 'no-store'});")
    st.title("机关党建看板")
    st.caption("市直机关工委 · 支部工作季度分析")
    if notice := st.session_state.pop(_NOTICE_KEY, None):
        st.info(notice)
    if demo_mode() and accounts.is_demo_account(engine(), "demo_admin"):
        st.warning(
            "**演示模式**：数据为示例数据。演示账号 `demo_admin`（管理员）、`demo_leader`（领导）、"
            "`demo_secretary`（支部书记），密码均为 `demo`。正式使用前请关闭演示模式（见 README）。",
            icon=":material/science:",
        )
    with st.form("login", border=True, width=420):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary", width="stretch")
    if submitted:
        source = client_source()
        result = accounts.login(engine(), username, password, demo_allowed=demo_mode(),
                                source=source)
        if result.viewer is None:
            st.error(result.message)
            return
        session_id, code = accounts.open_session(engine(), result.viewer.username, source)
        st.session_state.clear()
        st.session_state[SESSION_KEY] = session_id
        st.session_state[USER_KEY] = result.viewer.username
        st.session_state[_HANDOFF_KEY] = code
        st.rerun()
    if sso_configured():
        st.divider()
        st.button("使用单位统一身份认证登录", on_click=st.login, width=420)


def still_logged_in(viewer: Viewer) -> Viewer | None:
    """For button callbacks, which Streamlit runs before the page and its guard: check the login
    again (idle timeout, disabled account, changed role) and act as the account is now."""
    now = current_viewer()
    return now if now is not None and now.username == viewer.username else None


def _through_the_router() -> None:
    """Until the router (dashboard.py) has run once in this process, Streamlit runs a page opened
    by URL on its own, from pages/ — without the sidebar, its filters and 退出登录. Switch the
    process to the router's navigation (as its first st.navigation call would) and run again:
    the same URL then opens through the router. (AppTest starts every run this way, under a
    stand-in runtime: rerunning there would drop the click under test.)"""
    from streamlit import runtime
    from streamlit.runtime import Runtime
    from streamlit.runtime.pages_manager import PagesManager

    served = runtime.exists() and type(runtime.get_instance()) is Runtime
    if PagesManager.uses_pages_directory and served:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_guard(page_key: str) -> Viewer:
    """First line of every page: returns the viewer allowed to see ``page_key`` or stops the run
    (login screen when nobody is logged in, a refusal when the role may not see the page)."""
    _through_the_router()
    viewer = current_viewer()
    if viewer is None:
        login_screen()
        st.stop()
    spec = PAGES[page_key]
    if not viewer.can_open(page_key):
        st.error(f"「{spec.title}」页面不对{ROLES.get(viewer.role, viewer.role)}开放。")
        st.stop()
    if viewer.is_secretary and viewer.branch_id is None:
        st.error("该支部书记账号尚未关联支部，请联系管理员。")
        st.stop()
    return viewer
