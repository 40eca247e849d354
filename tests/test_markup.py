"""Text typed by users or read from files reaches other users as text, never as markup (issue 19,
hole 4): a 整改责任人 with a link and an image, and a branch and unit whose names from a roster hold
Markdown, on every page a leader opens. A string shown through ``st.markdown`` (or a caption, a
title, a tab or metric label, an alert) is rendered as Markdown by the browser; shown raw there, the
link would be live and the image fetched. Escaped, or in a table cell, it is text."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from tests.apptest_helpers import open_page

LINK = "[请点此核实](http://evil.example/x)"
IMAGE = "![t](http://127.0.0.1:9/o.png)"
OWNER = f"{LINK} {IMAGE}"
BRANCH_SUFFIX = "[核实](http://evil.example/b)"
UNIT = "**市测试局**[机关](http://evil.example/u)"
LIVE = ("](http://evil.example", "](http://127.0.0.1:9")  # what Markdown would turn into a link / image


def _markdown_texts(at) -> list[tuple[str, str]]:
    """(element kind, text) of everything the browser renders as Markdown."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
                 "success", "exception"):
        for el in getattr(at, kind, []):
            out.append((kind, str(getattr(el, "value", ""))))
    for kind in ("metric", "tabs", "expander", "button", "checkbox", "toggle", "selectbox",
                 "multiselect", "text_input", "date_input", "radio"):
        for el in getattr(at, kind, []):
            out.append((kind + " label", str(getattr(el, "label", ""))))
    return out


def _live(at) -> list[tuple[str, str]]:
    return [(kind, t) for kind, t in _markdown_texts(at) if any(m in t for m in LIVE)]


@pytest.fixture
def poisoned(writable_env):
    """The sample database with one branch and its unit renamed to Markdown, and a 整改 task of
    that branch whose owner is a link and an image."""
    from domain.access import SYSTEM
    from services import analytics, tasks
    from storage.db import get_engine
    from storage.writes import bump_version

    engine = get_engine(writable_env)
    with engine.begin() as conn:
        branch_id, name = conn.execute(text(
            "SELECT id, name FROM branch WHERE name = '市交通运输局第一党支部'")).one()
        conn.execute(text("UPDATE branch SET name = :n WHERE id = :i"), {"n": name + BRANCH_SUFFIX, "i": branch_id})
        conn.execute(text("UPDATE branch_version SET unit = :u WHERE branch_id = :i AND is_current"),
                     {"u": UNIT, "i": branch_id})
        bump_version(conn)  # page caches are keyed by the data version
    card = analytics.scorecard(engine, SYSTEM, "2026Q3", date(2026, 9, 30)).card
    mine = card.indicators[(card.indicators["branch_id"] == branch_id) & card.indicators["scored"]]
    short = mine[mine["completion"] < 1].iloc[0]  # a real problem of the branch, so the task shows
    tasks.create(engine, SYSTEM, "2026Q3", name + BRANCH_SUFFIX,
                 [{"branch_id": branch_id, "indicator": short["indicator"], "problem": "本季度未达标"}],
                 OWNER, date(2026, 12, 31))
    return {"branch_id": branch_id, "branch": name + BRANCH_SUFFIX}


def test_the_poisoned_strings_really_reach_the_pages(poisoned):
    """The fixture is not inert: the names and the owner are on screen (as text)."""
    at = open_page("pages/inspection.py", "leader", query={"q": "2026年第三季度"})
    at.multiselect(key="insp_branches").set_value([poisoned["branch"]]).run()
    assert not at.exception
    cells = "\n".join(df.value.to_string() for df in at.dataframe)
    assert OWNER in cells  # the 问题清单 table holds the owner as a plain cell


LEADER_PAGES = ["overview", "branch_detail", "inspection", "lagging", "work_report", "data_quality", "targets"]
SECRETARY_PAGES = ["overview", "branch_detail", "inspection", "lagging", "data_import"]


@pytest.mark.parametrize("role,page", [("leader", p) for p in LEADER_PAGES]
                         + [("secretary", p) for p in SECRETARY_PAGES])
def test_no_user_or_file_text_is_rendered_as_markdown(poisoned, role, page):
    """The poisoned branch is the demo secretary's own (市交通运输局第一党支部)."""
    query = {"q": "2026年第三季度"}
    if page == "branch_detail":
        query["branch"] = str(poisoned["branch_id"])
    at = open_page(f"pages/{page}.py", role, query=query)
    assert not at.exception
    if role == "leader" and page == "inspection":  # two branches: one tab each, labelled with its name
        at.multiselect(key="insp_branches").set_value([poisoned["branch"], "市财政局第一党支部"]).run()
        assert not at.exception
        assert len(at.tabs) == 2
    assert _live(at) == []
