"""党员预警: members who fall behind, with the figures behind every reason, filterable by reason
and branch, most reasons first; CSV and Excel downloads (each one audited)."""

import streamlit as st

from domain.vocabulary import REASON_CODES, REASON_LABELS
from reports.excel import XLSX_MIME
from services import settings
from ui import data, filters
from ui.components import empty_state, view_caption
from reports.tables import csv_bytes, table_workbook
from ui.lagging_frames import filter_lagging, lagging_table, reason_counts
from ui.downloads import download_button
from ui.pickers import branch_picker
from ui.session import page_guard

viewer = page_guard("lagging")
f = filters.current()
st.title("党员预警")
view_caption(f, viewer, "可在季末前提醒相关党员" if f.is_current_quarter else "")

branches = data.branches(viewer)
if branches.empty:
    empty_state(viewer)
    st.stop()
if f.unit:
    branches = branches[branches["unit"] == f.unit]
everyone = data.lagging(viewer, f.quarter, f.as_of)
everyone = everyone[everyone["branch_id"].isin(branches["branch_id"])]

with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
    reasons = st.pills("预警原因", list(REASON_CODES), selection_mode="multi",
                       format_func=REASON_LABELS.get, key="reason", bind="query-params",
                       help="不选则显示全部原因")
    branch_id = (branch_picker(branches, all_label="全部支部", key="lag_branch") if viewer.sees_all_branches
                 and len(branches) > 1 else None)
shown = filter_lagging(everyone, reasons, [branch_id] if branch_id is not None else None)

in_branch = filter_lagging(everyone, None, [branch_id] if branch_id is not None else None)
counts = reason_counts(in_branch)
with st.container(horizontal=True):
    st.metric("预警党员", f"{len(in_branch)}人", border=True)
    for code in REASON_CODES:
        st.metric(REASON_LABELS[code], f"{counts[code]}人", border=True)

if everyone.empty:
    st.success("本季度截至目前没有需要预警的党员。", icon=":material/verified:")
    st.stop()

table = lagging_table(shown)
st.dataframe(
    table, hide_index=True, placeholder="—", height="content" if len(table) <= 20 else 560,
    column_order=[c for c in table.columns if viewer.sees_all_branches or c != "支部"],
    column_config={
        "原因数": st.column_config.NumberColumn(format="%d", width="small"),
        "本季学习强国积分": st.column_config.NumberColumn(format="%.0f"),
        "积分预警线": st.column_config.NumberColumn(
            format="%.0f", help="人均季度目标按已过天数折算后的一半；离退休支部不适用"),
        "无故缺席次数": st.column_config.NumberColumn(format="%d"),
        "缺席的活动": st.column_config.TextColumn(width="large"),
    },
)
rules = settings.effective(data.saved_settings())["lagging"]
st.caption(
    f"共{len(table)}人，按预警原因数从多到少排列。学习强国积分偏低：本季积分低于预警线；"
    f"无故缺席：本季度被记为缺席{rules['absent_threshold']:g}次及以上（请假不计）；"
    "自学未完成：本季度已结束、且本人在该支部期间的月份中没有自学记录；"
    "同名待核实：台账、学习记录或学习强国导出中有同名党员的记录，无法确定是谁，不据此预警，请补充党员编号。"
    "本季度中途转入或转出的党员，积分预警线和应自学月份按其在支部的时间折算。"
)


scope = viewer.branch or (branches.loc[branches["branch_id"] == branch_id, "branch"].iloc[0]
                          if branch_id is not None else f.unit or "全部支部")
picked = "、".join(REASON_LABELS[c] for c in reasons) if reasons else "全部原因"
what = f"党员预警 {f.quarter.label} 截至{f.as_of} {scope} {picked}"
stem = f"党员预警_{f.quarter.label}_截至{f.as_of:%Y%m%d}"
title = f"党员预警（{f.quarter.label}，截至{f.as_of:%Y年%m月%d日}）"
with st.container(horizontal=True):
    download_button("下载 CSV", lambda: csv_bytes(table), f"{stem}.csv", "text/csv", viewer=viewer,
                    what=f"{what} CSV {len(table)}行", icon=":material/download:")
    download_button("下载 Excel", lambda: table_workbook(table, "党员预警", title), f"{stem}.xlsx",
                    XLSX_MIME, viewer=viewer, what=f"{what} Excel {len(table)}行",
                    icon=":material/table_view:")
