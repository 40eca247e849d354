"""The work-report figures (工作报告数据) as an Excel workbook: the figures, and every record each
one counted. Every text cell goes through reports/safety.py, so nothing can run as a formula."""

from __future__ import annotations

import io
import math
from datetime import date

import pandas as pd

from reports.safety import merge_text, text_width, write_cell, write_text
from reports.workbook import new_workbook

RECORD_COLUMNS = {
    "source": "来源", "branch": "支部", "date": "日期", "period": "统计期间", "type": "活动类型",
    "topic": "主题", "speaker": "主讲人", "days": "天数", "expected": "应到", "present": "实到",
    "count": "次数", "name": "姓名", "form": "学习形式", "content": "学习内容", "hours": "学时",
    "score": "成绩", "category": "类别", "title": "名称", "person": "人员", "level": "级别",
    "quantity": "数量", "measure": "防范措施", "points": "学习强国积分", "daily_question": "每日一题得分",
    "group": "党小组", "role": "党内职务", "contribution": "计入值", "counted_as": "归并为",
}
_HIDDEN = ("record_id", "branch_id", "member_id")


def records_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Drill-down rows with Chinese headers, without internal ids or columns that are empty."""
    shown = rows.drop(columns=[c for c in _HIDDEN if c in rows.columns])
    shown = shown.loc[:, [c for c in shown.columns if shown[c].notna().any() or c in ("source", "branch")]]
    if "date" in shown.columns:
        shown = shown.assign(date=shown["date"].dt.date)
    return shown.rename(columns=RECORD_COLUMNS)



def figures_workbook(report, records: dict[str, pd.DataFrame], generated: date | None = None) -> bytes:
    """Two sheets: 工作报告数据 (every figure with value, last year, change, records, rule) and
    明细 (every row each figure counted, under the figure's name)."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, properties={"title": "工作报告数据"})
    title = book.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    note = book.add_format({"font_name": "宋体", "font_color": "#555555"})
    head = book.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True,
                            "valign": "vcenter", "align": "center", "font_name": "宋体"})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "vcenter", "font_name": "宋体"})
    percent = book.add_format({"border": 1, "valign": "vcenter", "num_format": "0.0%", "font_name": "宋体"})
    number = book.add_format({"border": 1, "valign": "vcenter", "num_format": "0.##", "font_name": "宋体"})
    missing = book.add_format({"border": 1, "valign": "vcenter", "bg_color": "#FFF2CC", "font_name": "宋体"})

    p = report.period
    ws = book.add_worksheet("工作报告数据")
    headers = ["序号", "板块", "数据项", "数值", "单位", "去年同期", "变化", "记录数", "统计口径"]
    widths = [6, 10, 26, 12, 6, 12, 14, 8, 80]
    merge_text(ws, 0, 0, 0, len(headers) - 1, f"{report.scope.label} {p.label}工作报告数据", title)
    made = (generated or date.today()).isoformat()
    merge_text(ws, 1, 0, 1, len(headers) - 1,
               f"统计期间：{p.start.isoformat()}至{p.as_of.isoformat()}；生成日期：{made}；"
               "每一项所依据的记录见「明细」工作表。", note)
    for col, text in enumerate(headers):
        write_text(ws, 3, col, text, head)
    for i, r in enumerate(report.table.to_dict("records"), start=1):
        row = 3 + i
        write_cell(ws, row, 0, i, cell)
        write_text(ws, row, 1, r["section"], cell)
        write_text(ws, row, 2, r["label"], cell)
        if pd.isna(r["value"]):
            write_text(ws, row, 3, "暂无数据", missing)
        else:
            write_cell(ws, row, 3, float(r["value"]), percent if r["unit"] == "%" else number)
        write_text(ws, row, 4, r["unit"], cell)
        previous = r.get("previous")
        if previous is None or pd.isna(previous):
            write_text(ws, row, 5, "—", cell)
        else:
            write_cell(ws, row, 5, float(previous), percent if r["unit"] == "%" else number)
        write_text(ws, row, 6, r.get("change") or "—", cell)
        write_cell(ws, row, 7, int(r["records"]), number)
        write_text(ws, row, 8, r["definition"], cell)
        # Excel does not grow a row for wrapped text written by a program: size it here
        lines = max(math.ceil(text_width(r["definition"]) / (widths[8] - 2)),
                    math.ceil(text_width(r["label"]) / (widths[2] - 2)), 1)
        ws.set_row(row, 16 * lines + 4)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(4, 3)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3)

    detail = book.add_worksheet("明细")
    labels = dict(zip(report.table["key"], report.table["label"], strict=True))
    frames = [records_table(rows).assign(数据项=labels.get(key, key)) for key, rows in records.items()
              if key in labels and not rows.empty]
    if frames:
        table = pd.concat(frames, ignore_index=True)
        order = ["数据项"] + [c for c in RECORD_COLUMNS.values() if c in table.columns]
        table = table[order]
    else:
        table = pd.DataFrame({"数据项": []})
    for col, text in enumerate(table.columns):
        write_text(detail, 0, col, text, head)
    wrap = book.add_format({"text_wrap": True, "valign": "top", "font_name": "宋体"})
    col_widths = [text_width(c) + 2 for c in table.columns]
    for r, values in enumerate(table.itertuples(index=False), start=1):
        for col, value in enumerate(values):
            write_cell(detail, r, col, value)
            col_widths[col] = max(col_widths[col], min(text_width(value) + 2, 30))
    for col, width in enumerate(col_widths):
        detail.set_column(col, col, width, wrap)
    detail.freeze_panes(1, 1)
    # printable: A4 landscape, every column on the page's width, the header on every page
    detail.set_paper(9)
    detail.set_landscape()
    detail.fit_to_pages(1, 0)
    detail.repeat_rows(0)
    detail.set_footer("&C第 &P 页，共 &N 页")
    if len(table):
        detail.autofilter(0, 0, len(table), len(table.columns) - 1)
    book.close()
    return buffer.getvalue()
