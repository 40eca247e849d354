"""机关党建看板 — the router: who is logged in, which pages their role gets, the sidebar filters."""

import logging

import streamlit as st

from domain.access import ROLES
from ui.filters import sidebar_filters
from ui.nav import PAGES, pages_for, url_path
from ui.errors import show_unexpected
from ui.session import current_viewer, login_screen, logout

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

st.set_page_config(page_title="机关党建看板", page_icon=":material/flag:", layout="wide")

viewer = current_viewer()
if viewer is None:
    # Every page's URL leads to the login form, so a deep link asks to log in (then opens).
    st.navigation([st.Page(login_screen, title="登录", icon=":material/login:", default=True)]
                  + [st.Page(login_screen, title="登录", url_path=url_path(spec))
                     for spec in PAGES.values()], position="hidden").run()
    st.stop()

sections: dict[str, list] = {}
for spec in pages_for(viewer.role):
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=url_path(spec))
    )
page = st.navigation(sections)

with st.sidebar:
    who = viewer.display_name or viewer.username
    scope = f" · {viewer.branch}" if viewer.branch and viewer.branch not in who else ""
    st.caption(f"{who}（{ROLES.get(viewer.role, viewer.role)}{scope}）")
    st.button("退出登录", icon=":material/logout:", on_click=logout, width="stretch")
sidebar_filters(viewer)

try:
    page.run()
except Exception:  # st.stop / st.rerun are not Exceptions: they pass through
    show_unexpected(page.title)
