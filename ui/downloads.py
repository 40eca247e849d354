"""Download buttons: the file is built when the button is clicked, and every download is one
audit-log entry.

The click does not rerun the page (``on_click="ignore"``). Streamlit gives a click-built file a new
id on every page run and forgets the old id when that run ends, so a click that reran the page left
the button beside it holding a forgotten id until the browser had the new page: a second download
clicked in that moment never started (CI saw it as a browser test waiting 60 s for a download)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from domain.access import Viewer
from services import audit
from ui.session import engine


def download_button(label: str, build: Callable[[], bytes], file_name: str, mime: str, *,
                    viewer: Viewer, what: str, icon: str, key: str | None = None) -> None:
    """A button that downloads ``build()`` as ``file_name`` and records ``what`` as an export by
    ``viewer`` once the file is built (a failed build is no export)."""

    def file() -> bytes:
        content = build()
        audit.record(engine(), viewer, "export", what)
        return content

    st.download_button(label, data=file, file_name=file_name, mime=mime, icon=icon, key=key,
                       on_click="ignore")
