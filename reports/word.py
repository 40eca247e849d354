"""Inspection packets as .docx bytes (python-docx), laid out like a 公文 for printing.

A4 portrait with the GB/T 9704 margins; the title in 方正小标宋简体 二号, section headings in 黑体
三号, body text in 仿宋_GB2312 三号, tables in 宋体 五号 with the header row repeated on every page
and rows that never split; page numbers ``— 1 —`` in the footer. Every run names its East Asian
font explicitly (``w:eastAsia``) and the theme-font attributes of the built-in styles are removed,
or Word would draw Chinese in the theme's font. With more than one branch a 汇总 table comes first
and every branch starts on a new page under its own title.
"""

from __future__ import annotations

import io
from copy import deepcopy

import pandas as pd

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from metrics.packet import BranchPacket, Packet, as_of_text, packet_title
from reports.safety import clean_text

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE, HEADING_SIZE, BODY_SIZE, TABLE_SIZE = Pt(22), Pt(16), Pt(16), Pt(10.5)
TEXT_WIDTH_MM = 210 - 28 - 26
SHADES = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}
HEADER_SHADE = "D9D9D9"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_CN_NUMBERS = "一二三四五六七八九十"


# --- fonts and low-level XML ----------------------------------------------------------------------


def set_run_font(run_or_style, east_asia: str, size=None, bold: bool | None = None,
                 latin: str = LATIN_FONT) -> None:
    """Latin and East Asian font of a run or style, with theme fonts removed."""
    font = run_or_style.font
    font.name = latin
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def _row_flags(row, header: bool) -> None:
    """Rows never split across pages; header rows repeat on every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def page_number_field(paragraph, size=None) -> None:
    """`— N —` with a live PAGE field, as 公文 pages are numbered."""
    def add(kind: str | None = None, instr: str | None = None, text: str | None = None):
        run = paragraph.add_run()
        set_run_font(run, TABLE_FONT, size or Pt(14))
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            run._r.append(el)
        else:
            run.text = text

    add(text="— ")
    add(kind="begin")
    add(instr=" PAGE ")
    add(kind="separate")
    add(text="1")
    add(kind="end")
    add(text=" —")


# --- document skeleton -----------------------------------------------------------------------------


def gongwen_document(footer_mm: float = 20):
    """A new A4 document with 公文 margins and the body font as the Normal style."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(footer_mm)
    normal = doc.styles["Normal"]
    set_run_font(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(0)
    return doc


def _new_document(title: str):
    doc = gongwen_document()
    section = doc.sections[0]
    normal = doc.styles["Normal"]
    normal.paragraph_format.space_before = Pt(0)
    # East Asian default for anything that slips through without an explicit run font
    for name in ("Heading 1", "Heading 2", "Title"):
        style = doc.styles[name]
        set_run_font(style, HEADING_FONT, HEADING_SIZE, bold=False)
        style.font.color.rgb = RGBColor(0, 0, 0)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_number_field(footer)

    set_properties(doc, title, "党建专项督查材料")
    return doc


def set_properties(doc, title: str, subject: str) -> None:
    """The document's properties: its title and subject, the app as author, nothing else."""
    props = doc.core_properties
    props.title = clean_text(title)
    props.subject = subject
    props.author = "机关党建看板"
    props.comments = ""
    props.keywords = ""


def _title(doc, text: str, page_break: bool) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = p.paragraph_format
    fmt.page_break_before = page_break
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(12)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(34)
    # The branch name goes on its own line: long names would otherwise break mid-word.
    head, _, branch = text.partition("——")
    for i, part in enumerate((head, "——" + branch) if branch else (head,)):
        if i:
            brk = p.add_run()
            set_run_font(brk, TITLE_FONT, TITLE_SIZE)
            brk.add_break()
        run = p.add_run(clean_text(part))
        set_run_font(run, TITLE_FONT, TITLE_SIZE)


def _heading(doc, text: str) -> None:
    p = doc.add_paragraph(style="Heading 1")
    fmt = p.paragraph_format
    fmt.space_before = Pt(10)
    fmt.space_after = Pt(4)
    fmt.keep_with_next = True
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    run = p.add_run(clean_text(text))
    set_run_font(run, HEADING_FONT, HEADING_SIZE, bold=False)
    run.font.color.rgb = RGBColor(0, 0, 0)


def _body(doc, text: str, indent: bool = True, size=BODY_SIZE, keep_with_next: bool = False) -> None:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28) if size == BODY_SIZE else Pt(20)
    fmt.keep_with_next = keep_with_next
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    run = p.add_run(clean_text(text))
    set_run_font(run, BODY_FONT, size)


class _CellXml:
    """Table cells are written as raw XML from templates built once per document: formatting
    thousands of runs through python-docx's proxies is slow (seconds for a committee packet)."""

    def __init__(self, doc):
        scratch = doc.add_paragraph()
        self.rpr = {}
        for bold in (False, True):
            run = scratch.add_run()
            set_run_font(run, TABLE_FONT, TABLE_SIZE, bold=bold)
            self.rpr[bold] = run._r.rPr
        self.ppr = {}
        for center in (False, True):
            para = doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
            fmt = para.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.space_before = Pt(1)
            fmt.space_after = Pt(1)
            self.ppr[center] = para._p.pPr
            para._p.getparent().remove(para._p)
        scratch._p.getparent().remove(scratch._p)
        valign = OxmlElement("w:vAlign")
        valign.set(qn("w:val"), "center")
        self.valign = valign

    def fill(self, tc, text, bold: bool = False, center: bool = False, shade: str | None = None) -> None:
        tcpr = tc.get_or_add_tcPr()
        if shade:
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:color"), "auto")
            shd.set(qn("w:fill"), shade)
            tcpr.append(shd)
        tcpr.append(deepcopy(self.valign))
        p = tc.p_lst[0]
        p.insert(0, deepcopy(self.ppr[center]))
        for i, line in enumerate(clean_text(text).split("\n")):
            r = OxmlElement("w:r")
            r.append(deepcopy(self.rpr[bold]))
            if i:
                r.append(OxmlElement("w:br"))
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = line
            r.append(t)
            p.append(r)


def _table(doc, cells: _CellXml, headers: list[str], widths_mm: list[float], rows: list[list],
           centered: set[int] = frozenset(), shades: list[dict[int, str]] | None = None) -> None:
    """A bordered table filling the text width; ``shades`` gives per-row {column: status}."""
    scale = TEXT_WIDTH_MM / sum(widths_mm)
    widths = [Mm(w * scale) for w in widths_mm]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, w in enumerate(widths):  # the grid is what LibreOffice and WPS lay out by
        table.columns[i].width = w
    header = table.rows[0]
    for i, (tc, label) in enumerate(zip(header._tr.tc_lst, headers)):
        tc.width = widths[i]
        cells.fill(tc, label, bold=True, center=True, shade=HEADER_SHADE)
    _row_flags(header, header=True)
    for n, values in enumerate(rows):
        row = table.add_row()  # cells take their widths from the grid
        _row_flags(row, header=False)
        marks = shades[n] if shades else {}
        for i, (tc, value) in enumerate(zip(row._tr.tc_lst, values)):
            cells.fill(tc, "" if value is None else value, center=i in centered,
                       shade=SHADES.get(marks.get(i)))
    # A little air between the table and what follows.
    spacer = doc.add_paragraph()
    spacer.paragraph_format.line_spacing = Pt(8)


# --- sections ----------------------------------------------------------------------------------------


def _branch_section(doc, cells: _CellXml, packet: Packet, b: BranchPacket, page_break: bool) -> None:
    _title(doc, packet_title(packet.quarter, b.branch), page_break)
    rank = f"第{b.rank}名" if b.rank is not None else "未排名"
    if b.rank is not None and packet.n_ranked:
        rank += f"（共{packet.n_ranked}个支部）"
    unit = f"所属单位{b.unit}，" if b.unit else ""
    _body(doc, f"{unit}支部类型为{b.type}，在册党员{b.n_members}名。{as_of_text(packet)}，"
               f"综合得分{b.score_text}分（{b.status_text}），在全委排{rank}；"
               f"存在问题{len(b.problems)}项，需关注党员{len(b.lagging)}名。")

    n = iter(_CN_NUMBERS)
    _heading(doc, f"{next(n)}、指标完成情况")
    _table(doc, cells, ["指标", "实际完成", "目标", "完成度", "状态", "说明"], [29, 20, 26, 16, 19, 46],
           [[r["label"], r["actual_text"], r["target_text"],
             f"{r['completion']:.0%}" if pd.notna(r["completion"]) else "—", r["status_text"], r["note"]]
            for r in b.scorecard.to_dict("records")],
           centered={1, 2, 3, 4},
           shades=[{3: r["status"], 4: r["status"]} for r in b.scorecard.to_dict("records")])

    _heading(doc, f"{next(n)}、问题清单")
    if b.problems.empty:
        _body(doc, "本季度各项已考核指标均已达到目标。")
    else:
        _table(doc, cells, ["序号", "问题", "整改责任人", "整改时限", "整改状态"], [12, 74, 24, 24, 22],
               [[i, r["problem"], r["owner"],
                 r["deadline"].strftime("%Y-%m-%d") if r["deadline"] is not None else "", r["task_status"]]
                for i, r in enumerate(b.problems.to_dict("records"), 1)],
               centered={0, 2, 3, 4})

    _heading(doc, f"{next(n)}、需关注党员")
    if b.lagging.empty:
        _body(doc, "本季度没有需要预警的党员。")
    else:
        _table(doc, cells, ["姓名", "党小组", "预警原因", "学习强国积分", "无故缺席", "未完成自学月份 / 缺席活动"],
               [16, 18, 33, 19, 19, 51],
               [[r["name"], r["group"], r["reasons"],
                 "—" if r["points"] is None else f"{r['points']:,.0f}", f"{r['absences']}次",
                 "\n".join(t for t in (r["missing_months"], r["detail"]) if t)]
                for r in b.lagging.to_dict("records")],
               centered={0, 1, 3, 4})

    _heading(doc, f"{next(n)}、组织生活台账（佐证材料）")
    if b.ledger.empty:
        _body(doc, "本季度截至统计日没有台账记录。")
    else:
        _table(doc, cells, ["日期", "活动类型", "主题", "实到/应到", "缺席人员", "请假人员"], [22, 26, 42, 20, 26, 20],
               [[r["date"], r["type"], r["topic"], r["attendance"], r["absent"], r["on_leave"]]
                for r in b.ledger.to_dict("records")],
               centered={0, 1, 3})

    _heading(doc, f"{next(n)}、数据缺口")
    if not b.gaps:
        _body(doc, "未发现影响本季度统计的数据缺口。")
    else:
        _table(doc, cells, ["序号", "说明"], [12, 144], [[i, t] for i, t in enumerate(b.gaps, 1)], centered={0})

    prev = packet.previous_quarter
    _heading(doc, f"{next(n)}、上季度问题整改情况")
    if b.rectification.empty:
        _body(doc, f"{prev.label}没有需要整改的问题。")
    else:
        rows, shades = [], []
        for i, r in enumerate(b.rectification.to_dict("records"), 1):
            who = r["owner"] or "—"
            if r["deadline"] is not None:
                who += f"\n{r['deadline']:%Y-%m-%d}前"
            rows.append([i, r["problem"], who, r["task_status"], r["now_text"], r["result"]])
            shades.append({5: "green" if r["fixed"] is True else ("red" if r["fixed"] is False else None)})
        _body(doc, f"{prev.label}存在问题{len(rows)}项，本季度已整改（指标已达标）{b.n_fixed}项。", indent=True)
        _table(doc, cells, ["序号", "上季度问题", "责任人 / 时限", "任务状态", "本季度完成情况", "整改结果"],
               [12, 40, 28, 19, 28, 29], rows, centered={0, 2, 3, 4, 5}, shades=shades)


def _summary_section(doc, cells: _CellXml, packet: Packet) -> None:
    _title(doc, packet.title, page_break=False)
    note = as_of_text(packet)
    if packet.n_ranked:
        avg = f"{packet.committee_average:.1f}" if packet.committee_average is not None else "—"
        note += f"，全委参与排名支部{packet.n_ranked}个，平均得分{avg}分"
    _body(doc, note + "。各支部材料附后。")
    summary = packet.summary()
    _heading(doc, "各支部情况汇总")
    _table(doc, cells, ["排名", "支部", "类型", "综合得分", "状态", "问题", "需关注党员", "数据缺口", "上季度问题已整改"],
           [12, 48, 16, 15, 13, 12, 15, 12, 17],
           [[r["rank"], r["branch"], r["type"], f"{r['score']:.1f}" if pd.notna(r["score"]) else "—",
             r["status_text"], r["n_problems"], r["n_lagging"], r["n_gaps"],
             f"{r['n_fixed']}/{r['n_last_problems']}"]
            for r in summary.to_dict("records")],
           centered={0, 2, 3, 4, 5, 6, 7, 8},
           shades=[{3: r["status"], 4: r["status"]} for r in summary.to_dict("records")])
    if packet.committee_gaps:
        _heading(doc, "未归属到支部的数据缺口")
        for text in packet.committee_gaps:
            _body(doc, text)


def packet_document(packet: Packet) -> bytes:
    """The packet as .docx bytes."""
    doc = _new_document(packet.title)
    cells = _CellXml(doc)
    several = len(packet.branches) != 1
    if several:
        _summary_section(doc, cells, packet)
    for i, b in enumerate(packet.branches):
        _branch_section(doc, cells, packet, b, page_break=several or i > 0)
    if not packet.branches:
        _body(doc, "所选范围内没有支部。")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
