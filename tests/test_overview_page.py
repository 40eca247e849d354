"""总览 · 支部排名 through the router with AppTest: the ranking, the secretary's view, the URL
filters and the empty-database start screen."""

from __future__ import annotations

from tests.apptest_helpers import all_text, open_page


def test_ranking_has_one_row_per_branch_in_rank_order(app_env):
    at = open_page("pages/overview.py", role="admin", query={"q": "2026年第三季度"})
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert len(table) == 30 and table["支部"].is_unique
    ranks = table["排名"].astype(int).tolist()
    assert ranks == sorted(ranks) and ranks[0] == 1
    scores = table["得分"].astype(float).tolist()
    assert scores == sorted(scores, reverse=True)
    # each indicator column holds the value, not the completion: 支部党员大会 is a count of meetings
    assert set(table["支部党员大会"]) <= {"0次", "1次", "2次", "3次", "—"}
    assert "2026年第三季度" in all_text(at)  # the quarter came from the URL
    labels = [m.label for m in at.metric]
    assert labels == ["党支部", "在册党员", "平均综合得分", "红色预警支部", "学习强国参与率"]


def test_secretary_sees_own_row_and_rank_sentence(app_env):
    at = open_page("pages/overview.py", role="secretary", query={"q": "2026年第三季度"})
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 1
    rank = int(table["排名"].iloc[0])
    text = all_text(at)
    assert f"排第 **{rank}** 名" in text and "30 个参与排名的支部" in text
    assert [m.label for m in at.metric][0] == "在册党员"


def test_empty_database_shows_the_start_screen(tmp_path, monkeypatch):
    from services import accounts
    from storage.db import get_engine

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = get_engine(url)
    accounts.add_user(engine, "demo_admin", "demo", "admin", actor="t", is_demo=True)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    at = open_page("pages/overview.py", role="admin")
    assert not at.exception, [e.value for e in at.exception]
    text = all_text(at)
    assert "还没有任何数据" in text and "python cli.py demo" in text
    assert len(at.dataframe) == 0


def test_the_unit_filter_narrows_the_ranking_and_all_units_bring_it_back(app_env):
    every = open_page("pages/overview.py", role="admin", query={"q": "2026年第三季度"}).dataframe[0].value
    unit = every["单位"].value_counts().index[0]  # the unit with the most branches
    at = open_page("pages/overview.py", role="admin", query={"q": "2026年第三季度", "unit": unit})
    assert not at.exception, [e.value for e in at.exception]
    narrowed = at.dataframe[0].value
    assert set(narrowed["单位"]) == {unit} and len(narrowed) < len(every)
    assert sorted(narrowed["支部"]) == sorted(every.loc[every["单位"] == unit, "支部"])
    again = open_page("pages/overview.py", role="admin", query={"q": "2026年第三季度"}).dataframe[0].value
    assert sorted(again["支部"]) == sorted(every["支部"])
