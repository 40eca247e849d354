"""One figure, one text, on every surface (issue 16): for the sample data's 2026Q3, each branch's
each indicator reads the same on 支部详情, in the Excel and the Word inspection packets, in
``cli.py scorecard --format json`` and — where a work-report figure measures the same thing for
one branch — in the work-report figures. A second rule or a second formatter anywhere makes
two of them disagree."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from docx import Document

from cli import main as cli_main
from domain.access import SYSTEM
from domain.formatting import value_text
from reports import excel, word
from services import analytics, packets
from services import figures as figure_service
from storage.db import get_engine
from tests.apptest_helpers import open_page

QUARTER, AS_OF = "2026Q3", date(2026, 9, 30)
# indicator → the work-report figure that counts the same thing for one branch (by branch type)
SAME_FIGURE = {
    ("study_sessions", "在职"): "concentrated_study", ("study_sessions", "离退休"): "retired_study",
    ("theme_day", "在职"): "theme_days", ("theme_day", "离退休"): "theme_days",
    ("xuexi_participation", "在职"): "xuexi_participation", ("xuexi_avg", "在职"): "xuexi_avg_points",
}


@pytest.fixture(scope="module")
def surfaces(sample_db_url):
    """{surface: {(branch, indicator label): text}} read back from what each surface produced."""
    engine = get_engine(sample_db_url)
    card = analytics.scorecard(engine, SYSTEM, QUARTER, AS_OF).card
    packet = packets.packet(engine, SYSTEM, QUARTER, AS_OF)
    found: dict[str, dict] = {"excel": {}, "word": {}, "cli": {}, "figures": {}}

    book = openpyxl.load_workbook(io.BytesIO(excel.packet_workbook(packet)))
    for b in packet.branches:
        sheet = next(ws for ws in book.worksheets if ws.title.startswith(b.branch[:20]))
        rows = list(sheet.iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if r and r[0] == "指标")
        for r in rows[head + 1:]:
            if not r or r[0] is None or r[0] == "二、问题清单":
                break
            found["excel"][(b.branch, r[0])] = r[1]

    doc = Document(io.BytesIO(word.packet_document(packet)))
    branch_order = iter(b.branch for b in packet.branches)
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[:2] != ["指标", "实际完成"]:
            continue
        branch = next(branch_order)
        for row in table.rows[1:]:
            found["word"][(branch, row.cells[0].text)] = row.cells[1].text

    return card, found


def test_cli_json_excel_and_word_say_the_same(surfaces, sample_db_url, capsys):
    card, found = surfaces
    assert cli_main(["--db", sample_db_url, "scorecard", "--quarter", QUARTER, "--as-of", AS_OF.isoformat(),
                     "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    for b in document["branches"]:
        for ind in b["indicators"].values():
            found["cli"][(b["branch"], ind["label"])] = ind["actual_text"]
    assert len(found["cli"]) > 250  # 30 branches × the scored indicators
    mismatched = []
    for key, text in found["cli"].items():
        for surface in ("excel", "word"):
            if found[surface].get(key) != text:
                mismatched.append((surface, key, found[surface].get(key), text))
    assert not mismatched, mismatched[:10]


def test_work_report_figures_of_one_branch_say_what_the_indicators_say(surfaces, sample_db_url):
    card, _ = surfaces
    engine = get_engine(sample_db_url)
    period = figure_service.report_period(2026, QUARTER, AS_OF)
    mismatched, compared = [], 0
    types = card.branches.set_index("branch_id")["type"]
    for branch_id, rows in card.indicators[card.indicators["scored"]].groupby("branch_id"):
        scope = figure_service.resolve_scope(engine, SYSTEM, branch_id=int(branch_id))
        report = figure_service.figures(engine, SYSTEM, period, scope, with_previous=False)
        shown = report.table.set_index("key")["display"]
        for r in rows.to_dict("records"):
            key = SAME_FIGURE.get((r["indicator"], types[branch_id]))
            if key is None:
                continue
            compared += 1
            if shown[key] != value_text(r["actual"], r["measure"]):
                mismatched.append((r["branch"], r["label"], shown[key], value_text(r["actual"], r["measure"])))
    assert compared >= 60 and not mismatched, mismatched[:10]


@pytest.mark.parametrize("position", [0, 7, 14, 21, 29])
def test_branch_page_says_what_the_packets_say(surfaces, app_env, position):
    """Five branches across the ranking, through the real page (each AppTest run costs a second)."""
    card, found = surfaces
    row = card.branches.iloc[position]
    at = open_page("pages/branch_detail.py", "admin",
                   query={"q": "2026年第三季度", "branch": str(int(row["branch_id"]))})
    assert not at.exception
    table = next(df.value for df in at.dataframe if "实际完成" in df.value.columns)
    page = dict(zip(table["指标"], table["实际完成"]))
    expected = {label: text for (branch, label), text in found["excel"].items() if branch == row["branch"]}
    shared = set(page) & set(expected)
    assert len(shared) >= 8
    assert {k: page[k] for k in shared} == {k: expected[k] for k in shared}
