"""工作报告数据: every figure of the 工作总结 for a year or quarter and a scope, with last year's
value, the rule in words, the records behind each number, and Excel / Word downloads."""

import streamlit as st

from reports.excel import XLSX_MIME
from reports.figures_xlsx import records_table
from reports.work_report_docx import DOCX_MIME
from services.figures import report_period
from ui import data, figures_data, filters, report_frames
from ui.components import empty_state
from ui.downloads import download_button
from ui.session import page_guard

viewer = page_guard("report")
f = filters.current()
st.title("工作报告数据")

branches = data.branches(viewer)
if branches.empty:
    empty_state(viewer)
    st.stop()

with st.container(horizontal=True, vertical_alignment="bottom"):
    kind = st.segmented_control("统计期间", ["全年", "季度"], default="全年", key="wr_kind") or "全年"
    years = report_frames.years_of(data.quarters())
    year = st.selectbox("年度", years, key="wr_year", format_func=lambda y: f"{y}年",
                        index=years.index(f.quarter.year) if f.quarter.year in years else 0)
    quarter = None
    if kind == "季度":
        quarters = [q for q in data.quarters() if q.year == year]
        quarter = st.selectbox("季度", quarters, key="wr_quarter", format_func=lambda q: q.label,
                               index=quarters.index(f.quarter) if f.quarter in quarters else 0)
    scopes = report_frames.scope_options(branches)
    default_scope = f"单位 · {f.unit}" if f.unit and f"单位 · {f.unit}" in scopes else report_frames.COMMITTEE
    scope_label = st.selectbox("统计范围", list(scopes), key="wr_scope", index=list(scopes).index(default_scope))

try:
    period = report_period(year, quarter)
except ValueError as exc:
    st.info(str(exc))
    st.stop()
scope = figures_data.scope(viewer, *scopes[scope_label])
result = figures_data.report(viewer, period, scope)
st.caption(report_frames.period_caption(result))
for warning in result.warnings:
    st.warning(warning, icon=":material/warning:")

table = report_frames.figure_table(result)
missing = int((result.table["value"].isna()).sum())
st.dataframe(
    table, hide_index=True, key="figures", column_order=[c for c in table.columns if c != "key"],
    column_config={"统计口径": st.column_config.TextColumn(width="large"),
                   "记录数": st.column_config.NumberColumn(format="%d")},
)
st.caption(f"共{len(table)}项数据，其中{missing}项暂无数据（草稿中显示为【暂无数据：…】，请核实后补充）。"
           "数据项和统计口径由管理员维护，如需增删或修改请联系管理员（见使用说明“工作报告数据”一节）。")

with st.container(horizontal=True):
    what = f"工作报告数据 {period.label} 截至{period.as_of} {scope.label}"
    download_button("下载数据及明细（Excel）", figures_data.xlsx_bytes(viewer, period, scope),
                    f"工作报告数据_{scope.label}_{period.label}.xlsx", XLSX_MIME, viewer=viewer,
                    what=f"{what} Excel", icon=":material/download:", key="wr_xlsx")
    download_button("下载工作总结草稿（Word）", figures_data.docx_bytes(viewer, period, scope),
                    f"工作总结草稿_{scope.label}_{period.label}.docx", DOCX_MIME, viewer=viewer,
                    what=f"{what} Word草稿", icon=":material/description:", key="wr_docx")

st.subheader("数据明细")
choices = report_frames.figure_choices(result)
picked = st.selectbox("选择一项数据，查看它统计了哪些记录", list(choices), index=None, key="wr_figure",
                      placeholder="选择数据项…")
if picked:
    key = choices[picked]
    row = result.table[result.table["key"] == key].iloc[0]
    st.markdown(f"**{row['label']}：{row['display']}**（{row['records']}条记录）")
    st.caption(f"统计口径：{row['definition']}")
    rows = figures_data.records(viewer, period, scope, key)
    if rows.empty:
        st.info("统计期内没有符合口径的记录。", icon=":material/inbox:")
    else:
        merged = report_frames.can_merge(rows) and st.toggle("按场次（人员）合并显示", key="wr_merge")
        shown = report_frames.sessions_table(rows) if merged else records_table(rows)
        st.dataframe(shown, hide_index=True, key="wr_records")
