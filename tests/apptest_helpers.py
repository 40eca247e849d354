"""Open the real app (router + page) with AppTest as a given role."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
DEMO_USERS = {"admin": "demo_admin", "leader": "demo_leader", "secretary": "demo_secretary"}


def _engine():
    from storage.db import get_engine

    return get_engine(os.environ.get("DATABASE_URL"))


class SessionAppTest(AppTest):
    """An AppTest logged in through a real server-side session (``log_in``). A test that sets
    ``auth_seen`` (the time of the tab's last action) moves the session's last activity there
    before the next run: ``auth_seen`` a day ago is a session idle for a day."""

    def _run(self, widget_state=None, timeout=None):
        state = self.session_state
        if "auth_seen" in state and "auth_session" in state:
            from services.accounts import idle_timeout
            from storage.accounts import touch_session

            seen = datetime.fromtimestamp(state["auth_seen"]).replace(microsecond=0)
            touch_session(_engine(), state["auth_session"], seen, seen + idle_timeout())
            del state["auth_seen"]
        return super()._run(widget_state, timeout)


def log_in(at: AppTest, username: str, source: str = "apptest") -> int:
    """Log ``at`` in as ``username`` as the login form does (a new server-side session)."""
    from services.accounts import open_session

    session_id, _ = open_session(_engine(), username, source)
    at.session_state["auth_session"] = session_id
    at.session_state["auth_user"] = username
    return session_id


def open_page(page: str | None = None, role: str | None = "admin", query: dict | None = None,
              timeout: float = 90) -> AppTest:
    """Run dashboard.py logged in as ``role`` (None = logged out), then switch to ``page``
    (e.g. "pages/overview.py"). Needs the ``app_env`` fixture for the database."""
    at = SessionAppTest(str(ROOT / "dashboard.py"), default_timeout=timeout)
    if role:
        log_in(at, DEMO_USERS[role])
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def open_file_directly(page: str, timeout: float = 60) -> AppTest:
    """Run one page file on its own, as Streamlit does for a URL before the router ever ran."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    at.run()
    return at


def all_text(at: AppTest) -> str:
    """Every piece of text the run rendered (markdown, captions, titles, alerts, tables)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "text", "metric"):
        for el in getattr(at, kind, []):
            parts.append(str(getattr(el, "value", "")) + " " + str(getattr(el, "label", "")))
    for df in at.dataframe:
        parts.append(df.value.to_string())
    return "\n".join(parts)
