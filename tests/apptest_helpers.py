"""Open the real app (router + page) with AppTest as a given role."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
DEMO_USERS = {"admin": "demo_admin", "leader": "demo_leader", "secretary": "demo_secretary"}


def open_page(page: str | None = None, role: str | None = "admin", query: dict | None = None,
              timeout: float = 90) -> AppTest:
    """Run dashboard.py logged in as ``role`` (None = logged out), then switch to ``page``
    (e.g. "pages/overview.py"). Needs the ``app_env`` fixture for the database."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    if role:
        at.session_state["auth_user"] = DEMO_USERS[role]
        at.session_state["auth_seen"] = time.time()
        at.session_state["auth_demo"] = True
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
