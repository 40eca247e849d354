"""Inspection packets and the committee ranking as .xlsx bytes (xlsxwriter).

Layout, for printing as well as for the screen:
- one sheet per branch (title, a line with score and rank, then the sections one below the
  other); with more than one branch a 汇总 sheet comes first;
- A4 landscape, fitted to one page wide, the title in the page header, page numbers in the
  footer, the top rows frozen on screen and repeated on every printed page;
- column widths from the text they hold (a CJK character counts as two), row heights computed
  for wrapped text (Excel and LibreOffice do not grow rows for merged cells by themselves);
- every user-supplied string is written with ``write_string`` (reports/safety.py).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import pandas as pd

from domain.periods import Quarter
from metrics.scorecard import ScorecardResult
from domain.formatting import value_text
from domain.vocabulary import STATUS_LABELS
from metrics.packet import BranchPacket, Packet, as_of_text, packet_title
from reports.safety import header_text, sheet_name, text_width, write_cell
from reports.workbook import new_workbook

FONT = "宋体"
HEADING_FONT = "黑体"
FONT_SIZE = 11
LINE_HEIGHT = 15.0  # points per wrapped line at FONT_SIZE (CJK glyphs are taller than Latin)
# Excel's conventional good/neutral/bad cell styles: readable in colour and in grey print.
FILLS = {
    "green": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "yellow": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
HEADER_FILL = "#D9D9D9"
SECTION_FILL = "#F2DCDB"
MIN_WIDTH, MAX_WIDTH = 6.0, 42.0
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lines(text: object, width: float) -> int:
    """Lines a wrapped cell of ``width`` units needs for ``text``."""
    usable = max(width - 1.0, 2.0)
    total = 0
    for part in str(text if text is not None else "").split("\n"):
        # a CJK glyph is a little under two digit widths in 宋体, so this errs towards taller rows
        total += max(1, math.ceil(text_width(part) / usable))
    return total


# --- a tiny layout engine: collect cells, then size columns and rows, then write ---------------


@dataclass
class _Cell:
    row: int
    col: int
    last_col: int
    value: object
    style: str
    number_format: str | None = None
    status: str | None = None


@dataclass
class _Grid:
    ncols: int
    cells: list[_Cell] = field(default_factory=list)
    row_heights: dict[int, float] = field(default_factory=dict)
    row: int = 0

    def put(self, col: int, value, style: str = "cell", last_col: int | None = None,
            number_format: str | None = None, status: str | None = None, row: int | None = None):
        self.cells.append(_Cell(self.row if row is None else row, col,
                                col if last_col is None else last_col, value, style,
                                number_format, status))

    def next(self, n: int = 1) -> int:
        self.row += n
        return self.row

    def widths(self, floor: list[float] | None = None, caps: list[float] | None = None) -> list[float]:
        """Column widths from the single-column cells, at least ``floor``, at most ``caps``."""
        out = list(floor) if floor else [MIN_WIDTH] * self.ncols
        for c in self.cells:
            if c.col == c.last_col and c.style not in ("title", "info", "section"):
                text = _display(c.value, c.number_format)
                longest = max((text_width(p) for p in text.split("\n")), default=0)
                cap = caps[c.col] if caps else MAX_WIDTH
                out[c.col] = max(out[c.col], min(cap, longest + 2.5))
        return out


def _display(value, number_format: str | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (int, float)):
        if number_format == "0%":
            return f"{value:.0%}"
        if number_format == "0.0":
            return f"{value:.1f}"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    return str(value)


class _Formats:
    """xlsxwriter formats by (style, number format, status), created on first use."""

    BASE = {
        "title": {"bold": True, "font_size": 16, "font_name": HEADING_FONT, "align": "center",
                  "valign": "vcenter"},
        "info": {"font_size": FONT_SIZE, "valign": "vcenter", "text_wrap": True},
        "section": {"bold": True, "font_size": 12, "font_name": HEADING_FONT, "valign": "vcenter",
                    "bg_color": SECTION_FILL, "border": 1},
        "header": {"bold": True, "bg_color": HEADER_FILL, "border": 1, "align": "center",
                   "valign": "vcenter", "text_wrap": True},
        "cell": {"border": 1, "valign": "vcenter", "text_wrap": True},
        "center": {"border": 1, "valign": "vcenter", "align": "center", "text_wrap": True},
        "note": {"italic": True, "font_color": "#595959", "valign": "vcenter", "text_wrap": True},
    }

    def __init__(self, workbook):
        self.workbook = workbook
        self.cache: dict = {}

    def get(self, style: str, number_format: str | None = None, status: str | None = None):
        key = (style, number_format, status)
        if key not in self.cache:
            props = {"font_name": FONT, "font_size": FONT_SIZE, **self.BASE[style]}
            if number_format:
                props["num_format"] = number_format
            if status in FILLS:
                props.update(FILLS[status])
            self.cache[key] = self.workbook.add_format(props)
        return self.cache[key]


def _row_heights(grid: _Grid, widths: list[float]) -> dict[int, float]:
    """Points per row: enough lines for the longest wrapped text in the row (rows whose height
    the grid already fixes are not measured again)."""
    heights: dict[int, float] = {}
    for c in grid.cells:
        if c.row in grid.row_heights:
            continue
        span = sum(widths[c.col:c.last_col + 1])
        if c.style == "title":
            need = 30.0
        else:
            need = _lines(_display(c.value, c.number_format), span) * LINE_HEIGHT + 4
        heights[c.row] = max(heights.get(c.row, 0.0), need)
    heights.update(grid.row_heights)
    return heights


def _render(sheet, grid: _Grid, formats: _Formats, widths: list[float]) -> None:
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    for row, h in _row_heights(grid, widths).items():
        sheet.set_row(row, h)
    # Row order: a constant_memory sheet writes each row out when the next one starts.
    for c in sorted(grid.cells, key=lambda c: (c.row, c.col)):
        fmt = formats.get(c.style, c.number_format, c.status)
        if c.last_col > c.col:
            sheet.merge_range(c.row, c.col, c.row, c.last_col, "", fmt)
        write_cell(sheet, c.row, c.col, c.value, fmt)


# Printable height of an A4 landscape page between the margins of ``_page_setup``, less a
# little slack for renderers whose row heights come out slightly taller.
PAGE_HEIGHT = 595.3 - (0.8 + 0.7) * 72 - 10


def _paginate(grid: _Grid, heights: dict[int, float], first_row: int, repeated_height: float
              ) -> tuple[_Grid, list[int]]:
    """Lay rows out on pages the way a person would: a section heading never ends a page (it
    moves to the next page with its table header and first rows), a table continued on a new
    page repeats its header row, and no page starts with a blank spacer. Returns the new grid
    and the rows that start a new page (for ``set_h_pagebreaks``); ``heights``: ``_row_heights``."""
    by_row: dict[int, list[_Cell]] = {}
    for c in grid.cells:
        by_row.setdefault(c.row, []).append(c)

    def kind(r: int) -> str:
        styles = {c.style for c in by_row.get(r, [])}
        if not styles:
            return "gap"
        for k in ("section", "header", "title", "info"):
            if k in styles:
                return k
        return "data"

    out = _Grid(grid.ncols)
    breaks: list[int] = []

    def place(r: int) -> None:
        for c in by_row.get(r, []):
            out.cells.append(_Cell(out.row, c.col, c.last_col, c.value, c.style, c.number_format, c.status))
        out.row_heights[out.row] = heights.get(r, LINE_HEIGHT)
        out.row += 1

    for r in range(first_row):
        place(r)
    room = PAGE_HEIGHT - repeated_height
    used, header, last = 0.0, None, grid.row
    for r in range(first_row, last):
        k, h = kind(r), heights.get(r, LINE_HEIGHT)
        if k == "gap":
            if used == 0:
                continue
            if used + h > room:  # a spacer that would end the page is simply dropped
                continue
        elif k == "section":
            header = None
            block, n, data = h, r + 1, 0
            while n < last and kind(n) in ("header", "data") and data < 2:
                data += kind(n) == "data"
                block += heights.get(n, LINE_HEIGHT)
                n += 1
            if used > 0 and used + block > room:
                breaks.append(out.row)
                used = 0.0
        elif k == "header":
            header = r
        elif used > 0 and used + h > room:
            breaks.append(out.row)
            used = 0.0
            if header is not None:  # the table goes on: repeat its header row
                place(header)
                used += heights.get(header, LINE_HEIGHT)
        place(r)
        used += h
    return out, breaks


def _page_setup(sheet, title: str, footer_left: str, repeat: tuple[int, int] | None,
                print_from: int, last_row: int, last_col: int) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.7)
    sheet.set_header(f"&C&B&14 {header_text(title)}", {"margin": 0.3})
    sheet.set_footer(f"&L&9{header_text(footer_left)}&R&9第 &P 页，共 &N 页", {"margin": 0.3})
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.print_area(print_from, 0, max(last_row, print_from), last_col)
    if repeat is not None:
        sheet.repeat_rows(*repeat)


# --- the branch sheet ----------------------------------------------------------------------------

NCOLS = 7  # the grid every branch sheet is laid out on (A–G)


def _section(grid: _Grid, title: str) -> None:
    grid.next()
    grid.put(0, title, "section", last_col=NCOLS - 1)
    grid.next()


def _headers(grid: _Grid, spec: list[tuple[int, int, str]]) -> None:
    for c0, c1, label in spec:
        grid.put(c0, label, "header", last_col=c1)
    grid.next()


def _empty_line(grid: _Grid, text: str) -> None:
    grid.put(0, text, "cell", last_col=NCOLS - 1)
    grid.next()


def _info_line(b: BranchPacket, packet: Packet) -> str:
    rank = f"第{b.rank}名" if b.rank is not None else "未排名"
    if b.rank is not None and packet.n_ranked:
        rank += f"（共{packet.n_ranked}个支部）"
    first = [f"单位：{b.unit}" if b.unit else None, f"支部类型：{b.type}", f"在册党员：{b.n_members}名"]
    second = [f"综合得分：{b.score_text}（{b.status_text}）", f"排名：{rank}", as_of_text(packet)]
    return "　".join(p for p in first if p) + "\n" + "　".join(second)


def _branch_grid(b: BranchPacket, packet: Packet) -> _Grid:
    grid = _Grid(NCOLS)
    grid.put(0, packet_title_for(packet, b), "title", last_col=NCOLS - 1)
    grid.next()
    grid.put(0, _info_line(b, packet), "info", last_col=NCOLS - 1)
    grid.next()

    _section(grid, "一、指标完成情况")
    _headers(grid, [(0, 0, "指标"), (1, 1, "实际完成"), (2, 2, "目标"), (3, 3, "完成度"),
                    (4, 4, "状态"), (5, 6, "说明")])
    for r in b.scorecard.to_dict("records"):
        grid.put(0, r["label"])
        grid.put(1, r["actual_text"], "center")
        grid.put(2, r["target_text"], "center")
        grid.put(3, r["completion"], "center", number_format="0%", status=r["status"])
        grid.put(4, r["status_text"], "center", status=r["status"])
        grid.put(5, r["note"], last_col=6)
        grid.next()

    _section(grid, f"二、问题清单（{len(b.problems)}项）")
    if b.problems.empty:
        _empty_line(grid, "本季度各项已考核指标均已达到目标。")
    else:
        _headers(grid, [(0, 0, "序号"), (1, 3, "问题"), (4, 4, "整改责任人"), (5, 5, "整改时限"),
                        (6, 6, "整改状态")])
        for i, r in enumerate(b.problems.to_dict("records"), 1):
            grid.put(0, i, "center")
            grid.put(1, r["problem"], last_col=3)
            grid.put(4, r["owner"], "center")
            grid.put(5, r["deadline"], "center")
            grid.put(6, r["task_status"], "center")
            grid.next()

    _section(grid, f"三、需关注党员（{len(b.lagging)}名）")
    if b.lagging.empty:
        _empty_line(grid, "本季度没有需要预警的党员。")
    else:
        _headers(grid, [(0, 0, "姓名"), (1, 1, "党小组"), (2, 3, "预警原因"), (4, 4, "学习强国积分"),
                        (5, 5, "无故缺席次数"), (6, 6, "未完成自学月份 / 缺席活动")])
        for r in b.lagging.to_dict("records"):
            grid.put(0, r["name"], "center")
            grid.put(1, r["group"], "center")
            grid.put(2, r["reasons"], last_col=3)
            grid.put(4, r["points"], "center", number_format="#,##0")
            grid.put(5, r["absences"], "center")
            grid.put(6, "\n".join(t for t in (r["missing_months"], r["detail"]) if t))
            grid.next()

    _section(grid, f"四、组织生活台账（{len(b.ledger)}条，作为督查佐证）")
    if b.ledger.empty:
        _empty_line(grid, "本季度截至统计日没有台账记录。")
    else:
        _headers(grid, [(0, 0, "日期"), (1, 1, "活动类型"), (2, 3, "主题"), (4, 4, "实到/应到"),
                        (5, 5, "缺席人员"), (6, 6, "请假人员")])
        for r in b.ledger.to_dict("records"):
            grid.put(0, r["date"], "center")
            grid.put(1, r["type"], "center")
            grid.put(2, r["topic"], last_col=3)
            grid.put(4, r["attendance"], "center")
            grid.put(5, r["absent"])
            grid.put(6, r["on_leave"])
            grid.next()

    _section(grid, f"五、数据缺口（{len(b.gaps)}项）")
    if not b.gaps:
        _empty_line(grid, "未发现影响本季度统计的数据缺口。")
    else:
        _headers(grid, [(0, 0, "序号"), (1, 6, "说明")])
        for i, text in enumerate(b.gaps, 1):
            grid.put(0, i, "center")
            grid.put(1, text, last_col=6)
            grid.next()

    prev = packet.previous_quarter
    _section(grid, f"六、上季度（{prev.label}）问题整改情况")
    if b.rectification.empty:
        _empty_line(grid, f"{prev.label}没有需要整改的问题。")
    else:
        _headers(grid, [(0, 0, "序号"), (1, 2, "上季度问题"), (3, 3, "整改责任人 / 时限"),
                        (4, 4, "任务状态"), (5, 5, "本季度完成情况"), (6, 6, "整改结果")])
        for i, r in enumerate(b.rectification.to_dict("records"), 1):
            who = r["owner"] or "—"
            if r["deadline"] is not None:
                who += f"\n{r['deadline']:%Y-%m-%d}前"
            status = "green" if r["fixed"] is True else ("red" if r["fixed"] is False else None)
            grid.put(0, i, "center")
            grid.put(1, r["problem"], last_col=2)
            grid.put(3, who, "center")
            grid.put(4, r["task_status"], "center")
            grid.put(5, r["now_text"], "center")
            grid.put(6, r["result"], "center", status=status)
            grid.next()
    return grid


def packet_title_for(packet: Packet, b: BranchPacket) -> str:
    return packet_title(packet.quarter, b.branch)


def _add_branch_sheet(workbook, formats: _Formats, packet: Packet, b: BranchPacket, taken: set[str]):
    sheet = workbook.add_worksheet(sheet_name(b.branch, taken))
    logical = _branch_grid(b, packet)
    # ≤108 units (with Excel's padding): A4 landscape holds ~109 at 100 % (LibreOffice with CJK fallback fonts, a little
    # more in Excel), so the print is never shrunk and the page breaks below stay where planned.
    widths = logical.widths([10, 10, 10, 10, 8, 12, 16], caps=[17, 12, 11, 11, 11, 17, 23])
    heights = _row_heights(logical, widths)
    grid, breaks = _paginate(logical, heights, first_row=2, repeated_height=heights.get(1, 2 * LINE_HEIGHT))
    _render(sheet, grid, formats, widths)
    sheet.set_h_pagebreaks(breaks)
    sheet.freeze_panes(2, 0)
    _page_setup(sheet, packet_title_for(packet, b), as_of_text(packet), (1, 1), 1,
                grid.row - 1, NCOLS - 1)
    if len(packet.branches) == 1:
        sheet.activate()
    # The sheet is complete: close its row file (reopened when the workbook is assembled), or
    # a packet of thousands of branches would hold thousands of files open.
    sheet._opt_close()
    return sheet


# --- the summary sheet ---------------------------------------------------------------------------

_SUMMARY_HEADERS = ["排名", "支部", "单位", "类型", "综合得分", "状态", "问题数", "需关注党员",
                    "数据缺口", "上季度问题", "其中已整改"]


def _add_summary_sheet(workbook, formats: _Formats, packet: Packet, taken: set[str]) -> None:
    sheet = workbook.add_worksheet(sheet_name("汇总", taken))
    n = len(_SUMMARY_HEADERS)
    grid = _Grid(n)
    grid.put(0, packet.title, "title", last_col=n - 1)
    grid.next()
    note = as_of_text(packet)
    if packet.n_ranked:
        avg = f"{packet.committee_average:.1f}" if packet.committee_average is not None else "—"
        note += f"　全委参与排名支部{packet.n_ranked}个，平均得分{avg}"
    grid.put(0, note, "info", last_col=n - 1)
    grid.next()
    header_row = grid.row
    for i, label in enumerate(_SUMMARY_HEADERS):
        grid.put(i, label, "header")
    grid.next()
    for r in packet.summary().to_dict("records"):
        values = [r["rank"], r["branch"], r["unit"], r["type"], r["score"], r["status_text"],
                  r["n_problems"], r["n_lagging"], r["n_gaps"], r["n_last_problems"], r["n_fixed"]]
        for i, v in enumerate(values):
            style = "cell" if i in (1, 2) else "center"
            grid.put(i, v, style, number_format="0.0" if i == 4 else None,
                     status=r["status"] if i in (4, 5) else None)
        grid.next()
    if packet.committee_gaps:
        grid.next()
        grid.put(0, "未归属到支部的数据缺口", "section", last_col=n - 1)
        grid.next()
        for text in packet.committee_gaps:
            grid.put(0, text, "cell", last_col=n - 1)
            grid.next()
    widths = grid.widths([6, 16, 12, 6, 8, 6, 6, 8, 6, 8, 8])
    _render(sheet, grid, formats, widths)
    sheet.freeze_panes(header_row + 1, 2)
    sheet.autofilter(header_row, 0, header_row + len(packet.branches), n - 1)
    _page_setup(sheet, packet.title, as_of_text(packet), (header_row, header_row), header_row,
                grid.row - 1, n - 1)
    sheet.activate()


def packet_workbook(packet: Packet) -> bytes:
    """The packet as .xlsx bytes: a 汇总 sheet when it covers more than one branch, then one
    sheet per branch. Each sheet's rows go to a temporary file as they are written
    (constant_memory): the all-branch packet of a province holds thousands of sheets."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, {"in_memory": False, "constant_memory": True,
                                     "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE}},
                            {"title": packet.title, "subject": "党建专项督查材料"})
    formats = _Formats(workbook)
    taken: set[str] = set()
    if len(packet.branches) != 1:
        _add_summary_sheet(workbook, formats, packet, taken)
    for b in packet.branches:
        _add_branch_sheet(workbook, formats, packet, b, taken)
    workbook.close()
    return buffer.getvalue()


# --- the committee ranking -----------------------------------------------------------------------


def ranking_title(quarter: Quarter) -> str:
    return f"{quarter.label}各党支部党建工作综合排名"


def ranking_workbook(card: ScorecardResult) -> bytes:
    """Leadership's ranking as .xlsx bytes: 支部排名 (one row per branch, score and each
    indicator's completion with its colour) and 指标明细 (actual / target / completion)."""
    q, cut = card.quarter, card.as_of
    title = ranking_title(q)
    footer = f"统计截至{cut:%Y年%m月%d日}" + ("（本季度进行中）" if cut < q.end else "")
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, {"default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE}},
                            {"title": title})
    formats = _Formats(workbook)
    taken: set[str] = set()

    scored = card.indicators[card.indicators["applicable"] & card.indicators["scored"]]
    labels = list(dict.fromkeys(scored["label"]))
    ongoing = cut < q.end
    fixed = ["排名", "支部", "单位", "类型", "综合得分"] + (["按进度得分"] if ongoing else []) + ["状态"]
    n = len(fixed) + len(labels)
    grid = _Grid(n)
    grid.put(0, title, "title", last_col=n - 1)
    grid.next()
    legend = ("各指标列为实际完成值，颜色表示完成情况：绿色为达标，黄色为预警（60%及以上），红色为落后（60%以下）"
              + ("，本季度进行中，按时间进度评价" if ongoing else "") + "；“—”为不考核。")
    grid.put(0, f"{footer}。{legend}", "info", last_col=n - 1)
    grid.next()
    header_row = grid.row
    for i, label in enumerate(fixed + labels):
        grid.put(i, label, "header")
    grid.next()
    by_branch = {bid: rows.set_index("label") for bid, rows in scored.groupby("branch_id")}
    for r in card.branches.to_dict("records"):
        rank = int(r["rank"]) if pd.notna(r["rank"]) else None
        status = r["status"] if r["status"] in STATUS_LABELS else None
        values = [rank if rank is not None else "—", r["branch"],
                  r["unit"] if isinstance(r["unit"], str) else "", r["type"], r["score"]]
        values += [r["pace_score"]] if ongoing else []
        values.append(STATUS_LABELS.get(status or "", "—"))
        for i, v in enumerate(values):
            grid.put(i, v, "cell" if i in (1, 2) else "center",
                     number_format="0.0" if fixed[i] in ("综合得分", "按进度得分") else None,
                     status=status if fixed[i] in ("综合得分", "按进度得分", "状态") else None)
        rows = by_branch.get(r["branch_id"])
        for j, label in enumerate(labels):
            value, st = "—", None
            if rows is not None and label in rows.index:
                value = value_text(rows.loc[label, "actual"], rows.loc[label, "measure"])
                st = rows.loc[label, "status"]
            grid.put(len(fixed) + j, value, "center", status=st if st in FILLS else None)
        grid.next()
    sheet = workbook.add_worksheet(sheet_name("支部排名", taken))
    floor = [6, 16, 12, 6, 8] + ([8] if ongoing else []) + [6] + [8] * len(labels)
    widths = grid.widths(floor)
    for j, label in enumerate(labels):  # indicator headers wrap onto two lines
        widths[len(fixed) + j] = max(8.0, min(widths[len(fixed) + j], text_width(label) / 2 + 3))
    _render(sheet, grid, formats, widths)
    sheet.freeze_panes(header_row + 1, 2)
    sheet.autofilter(header_row, 0, header_row + len(card.branches), n - 1)
    _page_setup(sheet, title, footer, (header_row, header_row), header_row, grid.row - 1, n - 1)

    detail = _Grid(7)
    detail.put(0, f"{title}——指标明细", "title", last_col=6)
    detail.next()
    d_header = detail.row
    for i, label in enumerate(["支部", "指标", "实际完成", "目标", "完成度", "状态", "说明"]):
        detail.put(i, label, "header")
    detail.next()
    order = {bid: i for i, bid in enumerate(card.branches["branch_id"])}
    rows = card.indicators[card.indicators["applicable"]].assign(
        _o=card.indicators["branch_id"].map(order)).sort_values("_o", kind="stable")
    for r in rows.to_dict("records"):
        st = r["status"] if r["scored"] and r["status"] in FILLS else None
        detail.put(0, r["branch"])
        detail.put(1, r["label"])
        detail.put(2, value_text(r["actual"], r["measure"]), "center")
        detail.put(3, value_text(r["target"], r["measure"]), "center")
        detail.put(4, r["completion"] if r["scored"] else None, "center", number_format="0.0%", status=st)
        detail.put(5, STATUS_LABELS.get(st or "", "不计分"), "center", status=st)
        detail.put(6, r["remaining_text"] if isinstance(r["remaining_text"], str) else "")
        detail.next()
    sheet2 = workbook.add_worksheet(sheet_name("指标明细", taken))
    widths2 = detail.widths([16, 14, 10, 10, 8, 8, 20])
    _render(sheet2, detail, formats, widths2)
    sheet2.freeze_panes(d_header + 1, 1)
    sheet2.autofilter(d_header, 0, max(d_header, detail.row - 1), 6)
    _page_setup(sheet2, f"{title}——指标明细", footer, (d_header, d_header), d_header,
                detail.row - 1, 6)
    sheet.activate()
    workbook.close()
    return buffer.getvalue()
