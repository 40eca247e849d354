"""Pickers shared by pages, kept in the URL so a link reproduces the view."""

from __future__ import annotations

import pandas as pd
import streamlit as st


def branch_picker(branches: pd.DataFrame, *, key: str = "branch", label: str = "支部",
                  all_label: str | None = None, default: int | None = None) -> int | None:
    """A selectbox over the viewer's branches, bound to the URL as ``?branch=<支部名称>``.

    The overview links here with ``?branch=<branch_id>``; such an id is translated to its name
    before the widget runs. Only branches in ``branches`` (the viewer's scope) can be chosen: any
    other id or name in the URL is ignored. Returns the branch id, or None for ``all_label``.
    """
    ids = dict(zip(branches["branch"], branches["branch_id"].astype(int)))
    options = ([all_label] if all_label else []) + list(ids)
    incoming = st.query_params.get(key)
    if incoming and incoming.isdigit():
        by_id = {str(i): name for name, i in ids.items()}
        if incoming in by_id:
            st.session_state[key] = by_id[incoming]
    names = {i: name for name, i in ids.items()}
    start = options.index(names[default]) if default in names else 0
    chosen = st.selectbox(label, options, index=start, key=key, bind="query-params",
                          disabled=len(options) <= 1)
    return ids.get(chosen)
