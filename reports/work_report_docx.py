"""The 工作总结 draft (.docx bytes): a report skeleton whose paragraphs state the work-report
figures of one period and scope, for staff to complete with the narrative.

Structure, as such reports are organised: title; an opening paragraph (period, branches, members);
一、主要做法及成效 with （一）政治建设 （二）理论武装 （三）基层基础 （四）示范带动 （五）正风肃纪
(and （六） for figures staff filed under 其他); 二、存在的问题及下一步打算; the sign-off; then an
annex with every figure, its value, its rule in words and the number of records behind it.

Within a section, figures sharing a ``point`` make one “一是……。” sentence group, in the order of
the definitions; each figure contributes its ``phrase`` with ``{value}`` filled in. A figure
without data prints ``【暂无数据：<label>】`` (highlighted) in place of the number — never 0.
Prompts for what only staff can write are in 【】 and grey.

Layout after GB/T 9704: A4, margins 37/35/28/26 mm; title 方正小标宋简体 二号; 一级标题 黑体 三号;
二级标题 楷体_GB2312 三号; body 仿宋_GB2312 三号 at a fixed 28 pt line pitch with a two-character
first-line indent; page numbers ``— n —`` in 宋体 四号, odd pages right, even pages left. Every run
names its East Asian font (``w:eastAsia``).
"""

from __future__ import annotations

import io

import pandas as pd
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from domain.formatting import NO_DATA, value_text
from metrics.figures import FigureDef, FigureReport
from reports.safety import clean_text
from reports.word import gongwen_document, page_number_field, set_properties, set_run_font

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
TITLE_SIZE, BODY_SIZE, TABLE_SIZE, PAGE_NUMBER_SIZE = Pt(22), Pt(16), Pt(10.5), Pt(14)
LINE_PITCH = Pt(28)
TEXT_WIDTH_MM = 210 - 28 - 26
PROMPT_GREY = RGBColor(0x70, 0x70, 0x70)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_CN = "一二三四五六七八九十"

SECTION_HEADINGS = {
    "政治建设": "坚持政治引领，加强政治建设",
    "理论武装": "强化理论武装，筑牢思想根基",
    "基层基础": "夯实基层基础，规范组织生活",
    "示范带动": "发挥示范带动，激发队伍活力",
    "正风肃纪": "坚持正风肃纪，深化从严治党",
    "其他": "统筹推进其他各项工作",
}
NEXT_STEPS = (
    ("压实管党治党政治责任",
     "坚持书记抓、抓书记，按季度到各党支部开展党建专项督查，用好问题清单和整改台账，"
     "推动发现的问题逐项销号。"),
    ("推进支部建设规范化",
     "对照“三会一课”、主题党日、组织生活会、民主评议党员等制度要求，规范台账记录和数据报送，"
     "做到活动有记录、数据可核查。"),
    ("推动党建业务深度融合",
     "围绕全市中心工作开展主题实践，发挥党员先锋模范作用，以党建成效促进机关各项工作任务落实。"),
)


def no_data_marker(label: str) -> str:
    """``【暂无数据：廉情分析会】`` — what the draft prints where a figure has no data."""
    return f"【{NO_DATA}：{clean_text(label)}】"


# --- layout helpers -------------------------------------------------------------------------------


def _run(paragraph, text: str, font: str = BODY_FONT, size=BODY_SIZE, bold: bool = False,
         highlight: bool = False, grey: bool = False):
    run = paragraph.add_run(clean_text(text))
    set_run_font(run, font, size, bold=bold)
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if grey:
        run.font.color.rgb = PROMPT_GREY
    return run


def _paragraph(doc, indent: bool = True, align=None, keep_with_next: bool = False,
               outline: int | None = None, space_before=Pt(0), pitch=LINE_PITCH):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = pitch
    fmt.space_before, fmt.space_after = space_before, Pt(0)
    fmt.keep_with_next = keep_with_next
    fmt.widow_control = True
    if indent:
        fmt.first_line_indent = Pt(BODY_SIZE.pt * 2)
    if align is not None:
        p.alignment = align
    if outline is not None:  # shows in Word's navigation pane
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline))
        p._p.get_or_add_pPr().append(lvl)
    return p


def _segments(paragraph, parts: list[tuple[str, str]]) -> None:
    """Body text from (kind, text) parts: "text", "lead" (bold), "missing" (highlighted),
    "prompt" (grey)."""
    for kind, text in parts:
        _run(paragraph, text, bold=kind in ("lead", "missing"), highlight=kind == "missing",
             grey=kind == "prompt")


def _new_document(title: str):
    doc = gongwen_document(footer_mm=22)
    section = doc.sections[0]
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.left_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.LEFT else None
        p.paragraph_format.right_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
        page_number_field(p, PAGE_NUMBER_SIZE)
    set_properties(doc, title, "机关党建工作总结（初稿）")
    return doc


def _title(doc, lines: list[str], subtitle: str) -> None:
    """The title centred, one line per part (a long unit or branch name gets a line of its own)."""
    p = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, pitch=Pt(36))
    for i, line in enumerate(lines):
        if i:
            _run(p, "", TITLE_FONT, TITLE_SIZE).add_break()
        _run(p, line, TITLE_FONT, TITLE_SIZE)
    p = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(p, subtitle, SUBHEADING_FONT, BODY_SIZE)
    _paragraph(doc, indent=False)  # one blank line under the title, as 公文 do


def _heading(doc, text: str, level: int) -> None:
    font = HEADING_FONT if level == 1 else SUBHEADING_FONT
    p = _paragraph(doc, keep_with_next=True, outline=level - 1)
    _run(p, text, font, BODY_SIZE)


def _prompt(doc, text: str) -> None:
    p = _paragraph(doc)
    _run(p, f"【{text}】", grey=True)


# --- wording --------------------------------------------------------------------------------------


class _Values:
    """Figure values by key, and each figure's phrase with its number (or the 暂无数据 marker)."""

    def __init__(self, report: FigureReport):
        table = report.table
        self.values = {k: (None if pd.isna(v) else float(v)) for k, v in zip(table["key"], table["value"], strict=True)}
        self.definitions = {d.key: d for d in report.settings.enabled}

    def value(self, key: str) -> float | None:
        return self.values.get(key)

    def phrase(self, d: FigureDef) -> list[tuple[str, str]]:
        value = self.value(d.key)
        if d.all_of and d.all_phrase and value is not None and value == self.value(d.all_of):
            return [("text", d.all_phrase)]
        before, _, after = d.phrase.partition("{value}")
        shown = ("text", value_text(value, d.unit)) if value is not None else ("missing", no_data_marker(d.label))
        return [("text", before), shown, ("text", after)]


def _join(phrases: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i, parts in enumerate(phrases):
        if i:
            out.append(("text", "，"))
        out.extend(parts)
    out.append(("text", "。"))
    return out


def _subject(report: FigureReport) -> str:
    return {"committee": "工委", "unit": report.scope.label, "branch": report.scope.label}[report.scope.kind]


def _when(report: FigureReport) -> str:
    p = report.period
    if p.quarter is not None:
        return f"{p.quarter.label}"
    return f"{p.year}年" if p.is_complete else "今年以来"


def _opening(doc, report: FigureReport, values: _Values) -> None:
    branches = report.branches
    n_in, n_retired = int((branches["type"] == "在职").sum()), int((branches["type"] == "离退休").sum())
    subject = _subject(report)
    parts = [("text", f"{_when(report)}，{subject}坚持以习近平新时代中国特色社会主义思想为指导，"
                      "全面落实新时代党的建设总要求，以创建“标杆支部”、争当“标兵党员”为抓手，"
                      "推动机关党建与业务工作同部署、同落实、同检查。")]
    facts = []
    if report.scope.kind != "branch":
        count = f"所属党支部{len(branches)}个"
        if n_in and n_retired:
            count += f"（在职党支部{n_in}个、离退休党支部{n_retired}个）"
        facts.append([("text", count)])
    facts += [values.phrase(d) for d in values.definitions.values() if d.section == "概况"]
    if facts:
        parts.append(("text", subject if report.scope.kind != "branch" else "本支部"))
        parts.extend(_join(facts))
    parts.append(("text", f"现将{report.period.label}工作情况总结如下。"))
    p = _paragraph(doc)
    _segments(p, parts)


def _section_points(values: _Values, section: str) -> list[tuple[str, list[FigureDef]]]:
    groups: dict[str, list[FigureDef]] = {}
    for d in values.definitions.values():
        if d.section == section:
            groups.setdefault(d.point, []).append(d)
    named = [(k, v) for k, v in groups.items() if k]
    return named + ([("", groups[""])] if "" in groups else [])


def _achievements(doc, report: FigureReport, values: _Values) -> None:
    _heading(doc, "一、主要做法及成效", 1)
    sections = [s for s in SECTION_HEADINGS if s != "其他"]
    if any(d.section == "其他" for d in values.definitions.values()):
        sections.append("其他")
    for n, section in enumerate(sections):
        _heading(doc, f"（{_CN[n]}）{SECTION_HEADINGS[section]}", 2)
        points = _section_points(values, section)
        p = _paragraph(doc)
        number = 0
        for point, definitions in points:
            if point:
                _segments(p, [("lead", f"{_CN[number]}是{point}。")])
                number += 1
            else:
                _segments(p, [("text", "此外，" if number else "")])
            _segments(p, _join([values.phrase(d) for d in definitions]))
        if not points:
            _segments(p, [("prompt", "【本方面暂未设置统计数据，请补充主要做法】")])
        _prompt(doc, "请补充本方面的特色做法、典型事例和取得的成效")


def _problems(doc, report: FigureReport, values: _Values) -> None:
    _heading(doc, "二、存在的问题及下一步打算", 1)
    subject = _subject(report)
    missing = [d.label for d in values.definitions.values() if values.value(d.key) is None]
    p = _paragraph(doc)
    work = "机关党建工作" if report.scope.kind == "committee" else "党建工作"
    _segments(p, [("text", f"在肯定成绩的同时，对照上级要求和年初确定的目标任务，{subject}{work}仍有一些不足：")])
    n = 0
    if missing:
        shown = "、".join(missing[:4]) + ("等" if len(missing) > 4 else "")
        _segments(p, [("lead", f"{_CN[n]}是"), ("text", f"工作台账还不够完整，{shown}方面本期没有统计数据，"
                                                         "工作成效难以量化反映"),
                      ("prompt", "【请核实：确属未开展的，改写或删去此条】"), ("text", "；")])
        n += 1
    _segments(p, [("lead", f"{_CN[n]}是"), ("prompt", "【请结合专项督查发现的问题填写】"), ("text", "；"),
                  ("lead", f"{_CN[n + 1]}是"), ("prompt", "【请填写】"), ("text", "。")])
    p = _paragraph(doc)
    _segments(p, [("text", f"下一步，{subject}将坚持问题导向和目标导向，着力补短板、强弱项，重点抓好以下工作：")])
    for i, (head, body) in enumerate(NEXT_STEPS):
        p = _paragraph(doc)
        _segments(p, [("lead", f"（{_CN[i]}）{head}。"), ("text", body)])


def _sign_off(doc, report: FigureReport) -> None:
    _paragraph(doc, indent=False)
    p = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 4)
    _run(p, "【落款单位】", grey=True)
    p = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 4)
    _run(p, _day(report.period.as_of))


def _cell(tc, text: str, bold: bool = False, center: bool = False, shade: str | None = None) -> None:
    paragraph = tc.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_before = Pt(1)
    paragraph.paragraph_format.space_after = Pt(1)
    run = paragraph.add_run(clean_text(text))
    set_run_font(run, TABLE_FONT, TABLE_SIZE, bold=bold)
    tcpr = tc._tc.get_or_add_tcPr()
    valign = OxmlElement("w:vAlign")
    valign.set(qn("w:val"), "center")
    tcpr.append(valign)
    if shade:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), shade)
        tcpr.append(shd)


def _row_flags(row, header: bool) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _annex(doc, report: FigureReport) -> None:
    p = _paragraph(doc, indent=False)
    p.paragraph_format.page_break_before = True
    _run(p, "附件", HEADING_FONT, BODY_SIZE)
    p = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, pitch=Pt(34), space_before=Pt(8))
    _run(p, "工作报告数据及统计口径", TITLE_FONT, Pt(18))
    period = report.period
    p = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(p, f"统计范围：{report.scope.label}　统计期间：{_day(period.start)}至{_day(period.as_of)}",
         SUBHEADING_FONT, Pt(12))
    p = _paragraph(doc, indent=False, pitch=Pt(18), space_before=Pt(4))
    _run(p, "数值由机关党建看板按下表口径从已导入的台账自动统计，每一项均可在“工作报告数据”页面查看所依据的记录。"
            "“暂无数据”表示统计期内没有符合口径的记录，请核实后补充，不宜直接写为0。", TABLE_FONT, TABLE_SIZE)
    _paragraph(doc, indent=False, pitch=Pt(8))
    headers = ["序号", "数据项", "数值", "统计口径", "记录数"]
    widths = [9, 28, 17, 96, 12]
    scale = TEXT_WIDTH_MM / sum(widths)
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, w in enumerate(widths):
        table.columns[i].width = Mm(w * scale)
    for i, (cell, label) in enumerate(zip(table.rows[0].cells, headers, strict=True)):
        cell.width = Mm(widths[i] * scale)
        _cell(cell, label, bold=True, center=True, shade="D9D9D9")
    _row_flags(table.rows[0], header=True)
    for n, r in enumerate(report.table.to_dict("records"), 1):
        row = table.add_row()
        _row_flags(row, header=False)
        missing = r["display"] == NO_DATA
        values = [str(n), r["label"], r["display"], r["definition"], str(r["records"])]
        for i, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Mm(widths[i] * scale)
            _cell(cell, text, center=i in (0, 2, 4), shade="FFF2CC" if missing and i == 2 else None)


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def work_report_document(report: FigureReport) -> bytes:
    """The 工作总结 draft for ``report`` (services.figures.figures) as .docx bytes."""
    period = report.period
    scope = "" if report.scope.kind == "committee" else report.scope.label
    kind = "工作总结" if period.quarter is None else "工作小结"
    lines = [scope, f"{period.label}党建{kind}"] if scope else [f"{period.label}机关党建{kind}"]
    title = "".join(lines)
    doc = _new_document(title)
    status = "初稿" + ("" if period.is_complete else f"·数据截至{_day(period.as_of)}")
    _title(doc, lines, f"（{status}）")
    values = _Values(report)
    _opening(doc, report, values)
    _achievements(doc, report, values)
    _problems(doc, report, values)
    _sign_off(doc, report)
    _annex(doc, report)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
