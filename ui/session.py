"""Who is logged in, decided in one place. The router and every page call ``page_guard``; a
page opened directly by URL on a fresh server (before the router ever ran) gets the login screen
and no data, because the guard, not the router, is what lets a page run."""

from __future__ import annotations

import os
import time

import streamlit as st

from services import accounts
from storage.db import get_engine
from ui.sso import sso_configured
from domain.access import ROLES, Viewer
from services.sso import viewer_from_claims
from ui.nav import PAGES

IDLE_MINUTES = float(os.environ.get("DASHBOARD_IDLE_MINUTES", "30"))


def demo_mode() -> bool:
    """Demo accounts work only while DASHBOARD_DEMO=1 (run.sh sets it; production leaves it off)."""
    return os.environ.get("DASHBOARD_DEMO", "0") == "1"


@st.cache_resource(show_spinner=False)
def _engine_for(url: str | None):
    return get_engine(url)


def engine():
    """The process-wide database engine (``DATABASE_URL`` or the default SQLite file)."""
    return _engine_for(os.environ.get("DATABASE_URL"))


def _sso_viewer() -> Viewer | None:
    """A viewer from OIDC single sign-on when it is configured and the user is logged in."""
    if not sso_configured():
        return None
    user = st.user
    if not getattr(user, "is_logged_in", False):
        return None
    return viewer_from_claims(engine(), dict(user))


def current_viewer() -> Viewer | None:
    """The logged-in viewer, re-read from the database on every run (a disabled account or a
    changed role takes effect at once); None after the idle timeout."""
    state = st.session_state
    username = state.get("auth_user")
    now = time.time()
    if username:
        if now - state.get("auth_seen", now) > IDLE_MINUTES * 60:
            _logout(message="长时间未操作，已自动退出，请重新登录。")
            return None
        viewer = accounts.current_viewer(engine(), username, demo_allowed=demo_mode())
        if viewer is None:
            _logout(message="账号已停用或已失效，请重新登录。")
            return None
        state["auth_seen"] = now
        return viewer
    return _sso_viewer()


def _logout(message: str = "") -> None:
    for key in ("auth_user", "auth_seen"):
        st.session_state.pop(key, None)
    if message:
        st.session_state["auth_notice"] = message


def logout() -> None:
    user = st.session_state.get("auth_user")
    if user:
        accounts.logged_out(engine(), user)
    _logout()


def login_screen() -> None:
    """The login form (and the 演示模式 hint when demo accounts are usable)."""
    # Before the router has ever run, Streamlit lists the files of pages/ in the sidebar: hide
    # that list on the login screen (static CSS, no user text).
    st.html("<style>[data-testid='stSidebarNav']{display:none}</style>")
    st.title("机关党建看板")
    st.caption("市直机关工委 · 支部工作季度分析")
    if notice := st.session_state.pop("auth_notice", None):
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
        result = accounts.login(engine(), username, password, demo_allowed=demo_mode())
        if result.viewer is None:
            st.error(result.message)
            return
        st.session_state["auth_user"] = result.viewer.username
        st.session_state["auth_seen"] = time.time()
        st.rerun()
    if sso_configured():
        st.divider()
        st.button("使用单位统一身份认证登录", on_click=st.login, width=420)


def still_logged_in(viewer: Viewer) -> Viewer | None:
    """For button callbacks, which Streamlit runs before the page and its guard: check the login
    again (idle timeout, disabled account, changed role) and act as the account is now."""
    now = current_viewer()
    return now if now is not None and now.username == viewer.username else None


def page_guard(page_key: str) -> Viewer:
    """First line of every page: returns the viewer allowed to see ``page_key`` or stops the run
    (login screen when nobody is logged in, a refusal when the role may not see the page)."""
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
