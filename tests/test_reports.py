"""Inspection packets, exports and rectification tracking (issue 6).

The exports are opened again (openpyxl, python-docx) and checked as an inspector would read
them. Figures come from the hand-built database of tests/reports_fixtures.py, whose docstring
works every expected value out by hand.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from domain.access import SYSTEM, Viewer
from reports import excel, safety, word
from metrics.packet import packet_title, period_text
from services.packets import packet as load_packet, ranking as load_ranking
from storage import rectification
from storage.queries import find_branch
from tests.reports_fixtures import (
    FIN1,
    FIN2,
    FORMULA_TOPIC,
    Q2_FIXED_IN_Q3,
    Q2_PROBLEMS,
    Q3_PROBLEMS,
    build_inspection_db,
)

RED_FILL = "FFFFC7CE"
YELLOW_FILL = "FFFFEB9C"


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    """The hand-built database on SQLite, shared read-only by the export tests."""
    from storage.db import get_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'hand.db'}"
    engine = get_engine(url)
    build_inspection_db(engine)
    return url, engine


def _secretary(engine, branch: str) -> Viewer:
    branch_id, name = find_branch(engine, branch)
    return Viewer(username="sec", role="secretary", branch_id=branch_id, branch=name)


def _workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def _cells(sheet):
    return [c for row in sheet.iter_rows() for c in row if c.value is not None]


def _find(sheet, value):
    return next(c for c in _cells(sheet) if c.value == value)


def _all_parts_text(content: bytes) -> str:
    """Every XML part of an .xlsx/.docx package (cells, headers, footers, properties)."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                         if n.endswith((".xml", ".rels")))


# --- the packet's figures --------------------------------------------------------------------------


def test_problem_sentences_for_the_hand_built_quarters(hand_db):
    _, engine = hand_db
    q3 = {b.branch: b for b in load_packet(engine, SYSTEM, "2026Q3").branches}
    assert q3[FIN1].problem_sentences == Q3_PROBLEMS
    assert q3[FIN2].problem_sentences == []
    q2 = {b.branch: b for b in load_packet(engine, SYSTEM, "2026Q2").branches}
    assert q2[FIN1].problem_sentences == Q2_PROBLEMS


def test_packet_sections_of_one_branch(hand_db):
    _, engine = hand_db
    fin1_id = find_branch(engine, FIN1)[0]
    packet = load_packet(engine, SYSTEM, "2026Q3", date(2026, 9, 30), [fin1_id])
    (b,) = packet.branches
    assert packet.title == "2026年第三季度党建专项督查材料——市财政局第一党支部"
    lagging = {r["name"]: r for r in b.lagging.to_dict("records")}
    assert lagging["赵强"]["reasons"] == "学习强国零积分、无故缺席" and lagging["赵强"]["absences"] == 2
    assert lagging["王芳"]["reasons"] == "自学未完成" and lagging["王芳"]["missing_months"] == "9月"
    assert set(lagging) == {"赵强", "王芳"}  # 李娜 was on leave, not absent
    assert len(b.ledger) == 11 and b.ledger["date"].iloc[0] == "2026-07-05"
    assert b.ledger.loc[b.ledger["topic"] == FORMULA_TOPIC, "attendance"].tolist() == ["4/4"]
    assert "其他（读书分享会）" in set(b.ledger["type"])
    assert any("「刘洋」" in g for g in b.gaps)
    assert any("读书分享会" in g for g in b.gaps)
    card = b.scorecard.set_index("indicator")
    assert card.loc["theme_day", "actual_text"] == "2次" and card.loc["theme_day", "status"] == "yellow"
    assert card.loc["xuexi_avg", "actual_text"] == "2,175分"
    assert card.loc["org_life", "status_text"] == "不计分"  # annual, Q4 only


def test_period_text():
    assert period_text(date(2026, 7, 1), date(2026, 7, 31)) == "2026年7月"
    assert period_text(date(2026, 7, 1), date(2026, 9, 30)) == "2026年第三季度"
    assert period_text(date(2026, 7, 3), date(2026, 7, 9)) == "2026-07-03至2026-07-09"


# --- Excel -------------------------------------------------------------------------------------------


def test_excel_packet_for_all_branches(hand_db):
    _, engine = hand_db
    wb = _workbook(excel.packet_workbook(load_packet(engine, SYSTEM, "2026Q3")))
    assert wb.sheetnames == ["汇总", FIN2, FIN1]  # summary, then rank order (FIN2 scores 100)
    summary = wb["汇总"]
    assert [c.value for c in summary[3]][:6] == ["排名", "支部", "单位", "类型", "综合得分", "状态"]
    sheet = wb[FIN1]
    texts = {c.value for c in _cells(sheet)}
    assert set(Q3_PROBLEMS) <= texts
    assert sheet.freeze_panes == "A3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default)
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$2:$2"
    assert packet_title("2026Q3", FIN1) in sheet.oddHeader.center.text
    # widths that fit Chinese: the 指标 column holds 学习强国人均积分 (8 CJK characters = 16)
    assert sheet.column_dimensions["A"].width >= 16


def test_same_content_same_day_gives_the_same_workbook_bytes(hand_db):
    """A download's file is named by its bytes: the packet, the ranking and a table written twice,
    a second apart, are the same file; the creation date is the day (no time) it was written."""
    import time

    from reports.tables import table_workbook

    _, engine = hand_db
    packet, card = load_packet(engine, SYSTEM, "2026Q3"), load_ranking(engine, SYSTEM, "2026Q3")
    builds = (lambda: excel.packet_workbook(packet), lambda: excel.ranking_workbook(card),
              lambda: table_workbook(packet.summary(), "汇总", "标题"))
    for _ in range(2):  # a run across midnight is a new day: try once more
        day = date.today()
        first = [build() for build in builds]
        time.sleep(1.1)
        again = [build() for build in builds]
        if date.today() == day:
            break
    assert first == again
    created = openpyxl.load_workbook(io.BytesIO(first[2])).properties.created
    assert created.date() == day and created.time().isoformat() == "00:00:00"


def test_red_completion_cell_is_filled_red(hand_db):
    _, engine = hand_db
    fin1_id = find_branch(engine, FIN1)[0]
    sheet = _workbook(excel.packet_workbook(load_packet(engine, SYSTEM, "2026Q2", None, [fin1_id])))[FIN1]
    label = _find(sheet, "支部党员大会")  # 0 of 1 in Q2 → completion 0 → red
    completion = sheet.cell(label.row, label.column + 3)
    assert completion.value == 0 and completion.number_format == "0%"
    assert completion.fill.fgColor.rgb == RED_FILL
    assert sheet.cell(label.row, label.column + 4).value == "落后"
    theme_day = _find(sheet, "主题党日")  # 3 of 3 → green, not red
    assert sheet.cell(theme_day.row, theme_day.column + 3).fill.fgColor.rgb != RED_FILL


def test_formula_like_topic_arrives_as_text(hand_db):
    _, engine = hand_db
    wb = _workbook(excel.packet_workbook(load_packet(engine, SYSTEM, "2026Q3")))
    cell = _find(wb[FIN1], FORMULA_TOPIC)
    assert cell.data_type == "s" and cell.value == FORMULA_TOPIC
    assert not [c for ws in wb for c in _cells(ws) if c.data_type == "f"]


def test_safety_writes_formula_like_text_as_strings():
    import xlsxwriter

    tricky = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=cmd", "\r=cmd", "a\x00b\x07c\x1b", "ok\nline"]
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, **safety.WORKBOOK_OPTIONS})
    ws = wb.add_worksheet()
    for i, value in enumerate(tricky):
        safety.write_cell(ws, i, 0, value)
    ws.write(0, 1, "=1+1")  # even a plain write stays text with the workbook options
    wb.close()
    sheet = _workbook(buffer.getvalue()).active
    values = [sheet.cell(i + 1, 1) for i in range(len(tricky))]
    assert all(c.data_type == "s" for c in values)
    assert [c.value for c in values] == ["=1+1", "+SUM(A1)", "-2+3", "@cmd", " =cmd", "=cmd", "abc",
                                         "ok\nline"]
    assert sheet.cell(1, 2).data_type == "s"
    assert safety.looks_like_formula("\t=cmd") and not safety.looks_like_formula("主题党日")
    assert safety.sheet_name("a/b:c*d?[e]", set()) == "a_b_c_d__e_"
    taken = set()
    assert [safety.sheet_name("支部" * 20, taken) for _ in range(2)] == ["支部" * 15 + "支", "支部" * 14 + "(2)"]


def test_ranking_workbook(hand_db):
    _, engine = hand_db
    wb = _workbook(excel.ranking_workbook(load_ranking(engine, SYSTEM, "2026Q3")))
    assert wb.sheetnames == ["支部排名", "指标明细"]
    sheet = wb["支部排名"]
    header = [c.value for c in sheet[3]]
    assert header[:6] == ["排名", "支部", "单位", "类型", "综合得分", "状态"]
    assert [sheet.cell(r, 2).value for r in (4, 5)] == [FIN2, FIN1]
    assert sheet.cell(5, 5).value == pytest.approx(87.8)
    theme = header.index("主题党日") + 1
    assert sheet.cell(5, theme).fill.fgColor.rgb == YELLOW_FILL
    # the column holds what was done (FIN1 held 2 of 3 主题党日), coloured by completion
    assert sheet.cell(5, theme).value == "2次"
    with pytest.raises(PermissionError):
        load_ranking(engine, _secretary(engine, FIN1), "2026Q3")


# --- Word --------------------------------------------------------------------------------------------


def test_word_packet_layout_and_content(hand_db):
    _, engine = hand_db
    fin1_id = find_branch(engine, FIN1)[0]
    doc = Document(io.BytesIO(word.packet_document(load_packet(engine, SYSTEM, "2026Q3", None, [fin1_id]))))
    assert doc.paragraphs[0].text.replace("\n", "") == "2026年第三季度党建专项督查材料——市财政局第一党支部"
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    cell_texts = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert set(Q3_PROBLEMS) <= set(cell_texts)
    assert FORMULA_TOPIC in cell_texts
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["一、指标完成情况", "二、问题清单"]
    for run in (r for p in doc.paragraphs for r in p.runs if r.text):
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")), run.text
    title_font = doc.paragraphs[0].runs[0]._r.rPr.rFonts.get(qn("w:eastAsia"))
    assert title_font == word.TITLE_FONT
    for table in doc.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml


# --- scope ---------------------------------------------------------------------------------------


def test_secretary_export_holds_only_their_branch(hand_db):
    _, engine = hand_db
    secretary = _secretary(engine, FIN1)
    fin2_id = find_branch(engine, FIN2)[0]
    # even asking for the other branch gives nothing of it
    packet = load_packet(engine, secretary, "2026Q3", None, None)
    assert [b.branch for b in packet.branches] == [FIN1]
    assert load_packet(engine, secretary, "2026Q3", None, [fin2_id]).branches == []
    xlsx, docx = excel.packet_workbook(packet), word.packet_document(packet)
    assert _workbook(xlsx).sheetnames == [FIN1]
    for content in (xlsx, docx):
        text = _all_parts_text(content)
        assert FIN1 in text and FIN2 not in text and "第二党支部" not in text


# --- rectification across quarters (SQLite and PostgreSQL) ---------------------------------------


def test_rectification_tasks_and_status_across_quarters(engine):
    build_inspection_db(engine)
    fin1_id, fin2_id = find_branch(engine, FIN1)[0], find_branch(engine, FIN2)[0]
    admin = Viewer("admin1", "admin")
    q2 = load_packet(engine, admin, "2026Q2", None, [fin1_id]).branches[0]
    problems = [{"branch_id": fin1_id, **r} for r in q2.problems[["indicator", "problem"]].to_dict("records")]
    ids = rectification.create_tasks(engine, admin, "2026Q2", problems, "张伟", date(2026, 7, 31))
    assert len(ids) == 7
    # creating again re-assigns instead of duplicating
    assert rectification.create_tasks(engine, admin, "2026Q2", problems[:1], "李娜", None) == ids[:1]
    tasks = rectification.list_tasks(engine, admin, ["2026Q2"])
    assert len(tasks) == 7 and tasks.loc[tasks["id"] == ids[0], "owner"].item() == "李娜"

    committee = tasks.loc[tasks["indicator"] == "committee", "id"].item()
    own = _secretary(engine, FIN1)
    rectification.update_task(engine, own, committee, status="done")
    other = _secretary(engine, FIN2)
    with pytest.raises(PermissionError):
        rectification.update_task(engine, other, committee, status="open")
    with pytest.raises(PermissionError):
        rectification.create_tasks(engine, other, "2026Q2", problems[:1], "陈明", None)
    with pytest.raises(PermissionError):
        rectification.update_task(engine, Viewer("boss", "leader"), committee, status="open")
    with pytest.raises(LookupError):
        rectification.update_task(engine, admin, 9999, status="done")
    assert rectification.list_tasks(engine, other).empty  # scoped in SQL
    assert len(rectification.list_tasks(engine, own)) == 7
    assert rectification.list_tasks(engine, admin, branch_ids=[fin2_id]).empty

    q3 = load_packet(engine, own, "2026Q3").branches[0]
    rect = q3.rectification.set_index("problem")
    assert list(rect.index) == Q2_PROBLEMS
    assert {p for p in Q2_PROBLEMS if rect.loc[p, "fixed"] is True} == Q2_FIXED_IN_Q3
    assert rect.loc["支部委员会差1次", "result"] == "已整改（本季度已达标）"
    assert rect.loc["支部委员会差1次", "task_status"] == "已完成"
    assert rect.loc["自学完成率0%，低于目标100%", "result"] == "未整改（本季度仍未达标）"
    assert rect.loc["自学完成率0%，低于目标100%", "now_text"] == "75%（目标100%）"
    assert rect.loc["党课差1次", "owner"] == "张伟" and rect.loc["党课差1次", "deadline"] == date(2026, 7, 31)
    assert q3.n_fixed == 4
    # mid-quarter (the Q3 学习强国 export has not ended yet) an unmet indicator is "整改中"
    mid = load_packet(engine, own, "2026Q3", date(2026, 8, 31)).branches[0].rectification
    assert mid.set_index("problem").loc["学习强国参与率0%，低于目标95%", "result"] == "整改中（本季度尚未达标）"

    sheet = _workbook(excel.packet_workbook(load_packet(engine, own, "2026Q3")))[FIN1]
    fixed_cell = next(c for c in _cells(sheet) if c.value == "已整改（本季度已达标）")
    assert fixed_cell.fill.fgColor.rgb == "FFC6EFCE"


# --- CLI ---------------------------------------------------------------------------------------------


def test_cli_writes_excel_word_and_ranking(hand_db, tmp_path, capsys):
    from cli import main
    from storage.audit_log import audit_log

    url, engine = hand_db
    xlsx, docx, rank = tmp_path / "p.xlsx", tmp_path / "p.docx", tmp_path / "rank.xlsx"
    assert main(["--db", url, "report", "--quarter", "2026Q3", "--out", str(xlsx)]) == 0
    assert main(["--db", url, "report", "--quarter", "2026年第三季度", "--as-of", "2026-09-30",
                 "--branch", FIN1, "--out", str(docx)]) == 0
    assert main(["--db", url, "report", "--quarter", "2026Q3", "--ranking", "--out", str(rank)]) == 0
    assert _workbook(xlsx.read_bytes()).sheetnames == ["汇总", FIN2, FIN1]
    doc = Document(str(docx))
    assert doc.paragraphs[0].text.replace("\n", "") == packet_title("2026Q3", FIN1)
    assert FIN2 not in _all_parts_text(docx.read_bytes())
    assert _workbook(rank.read_bytes()).sheetnames == ["支部排名", "指标明细"]
    assert "已导出" in capsys.readouterr().out
    assert len(audit_log(engine, action="export")) >= 3

    for argv, message in (
        (["--branch", "不存在的支部", "--out", str(xlsx)], "没有名为「不存在的支部」的支部"),
        (["--out", str(tmp_path / "p.pdf")], ".xlsx 或 .docx"),
        (["--ranking", "--out", str(docx)], "只能导出为 Excel"),
        (["--out", str(tmp_path / "missing" / "p.xlsx")], "不存在"),
    ):
        assert main(["--db", url, "report", "--quarter", "2026Q3", *argv]) == 2
        assert message in capsys.readouterr().err
    assert main(["--db", url, "report", "--quarter", "2026Q9", "--out", str(xlsx)]) == 2
    assert "无法识别的季度" in capsys.readouterr().err
    assert main(["--db", url, "report", "--quarter", "2025Q1", "--out", str(xlsx)]) == 2
    assert "没有数据" in capsys.readouterr().err


# --- the 季度督查 page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "secretary"])
def test_inspection_page_renders_on_the_sample_database(app_env, role):
    from tests.apptest_helpers import all_text, open_page

    at = open_page("pages/inspection.py", role=role)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "季度督查"
    assert [b.label for b in at.get("download_button")] == ["下载 Excel 督查材料", "下载 Word 督查材料"]
    assert "问题清单" in all_text(at)
    if role == "secretary":
        assert at.multiselect[0].disabled and len(at.multiselect[0].value) == 1


def test_inspection_page_tasks_on_the_hand_built_database(hand_db, tmp_path, monkeypatch):
    """Turn problems into tasks and mark one done through the page, as a secretary."""
    import sqlite3

    from services.accounts import ensure_demo_accounts
    from storage.db import get_engine
    from tests.apptest_helpers import all_text, open_page

    url, _ = hand_db
    copy = tmp_path / "page.db"
    # The sqlite3 backup API copies committed pages still in the WAL file too (a file copy would not).
    source, target = sqlite3.connect(url[len("sqlite:///"):]), sqlite3.connect(copy)
    source.backup(target)
    source.close(), target.close()
    engine = get_engine(f"sqlite:///{copy}")
    ensure_demo_accounts(engine)  # demo_secretary belongs to the first in-service branch: FIN1
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("DASHBOARD_DEMO", "1")

    at = open_page("pages/inspection.py", role="secretary", query={"q": "2026Q3"})
    assert not at.exception, [e.value for e in at.exception]
    text = all_text(at)
    assert "主题党日差1次" in text and FIN2 not in text
    next(t for t in at.text_input if t.label == "整改责任人").input("张伟")
    next(b for b in at.button if b.label == "建立整改任务").click().run()
    assert not at.exception, [e.value for e in at.exception]
    problems = next(df.value for df in at.dataframe if "问题" in df.value.columns and "责任人" in df.value.columns)
    row = problems[problems["问题"] == "主题党日差1次"].iloc[0]
    assert row["责任人"] == "张伟" and row["任务状态"] == "整改中"
    tasks = rectification.list_tasks(engine, SYSTEM, ["2026Q3"])
    assert len(tasks) == len(Q3_PROBLEMS) and set(tasks["status"]) == {"open"}

    # the status control shows the chosen task's status as it is (整改中), so 保存 waits for a change
    save = next(b for b in at.button if b.label == "保存")
    assert save.disabled
    at.segmented_control[0].set_value("done").run()
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert (rectification.list_tasks(engine, SYSTEM, ["2026Q3"])["status"] == "done").sum() == 1
