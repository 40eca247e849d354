"""总览 · 支部排名: KPI cards, the ranking (values coloured by status, the main problems in
words), scores against the thresholds, the completion heatmap, the two quarters side by side, the
trend, overdue rectification and how the score is made."""

from datetime import date

import streamlit as st

from reports.excel import XLSX_MIME
from services import analytics
from ui import charts, data, filters, inspection
from ui.components import empty_state, kpi_row, own_branch_kpis, score_explainer, view_caption
from ui.downloads import download_button
from ui.frames import chart_subset, completion_matrix, style_ranking, unit_rows
from ui.overview_frames import overdue_table, quarter_comparison
from ui.session import page_guard

viewer = page_guard("overview")
f = filters.current()
st.title("总览 · 支部排名")
view_caption(f, viewer)

result = data.scorecard(viewer, f.quarter, f.as_of)
card = result.card
if card.branches.empty:
    empty_state(viewer)
    st.stop()

branches, indicators = unit_rows(card.branches, card.indicators, f.unit)

if not viewer.sees_all_branches:
    kpi_row(own_branch_kpis(result.kpis))
else:
    kpi_row(analytics.kpis_of(result, branches["branch_id"]) if f.unit else result.kpis)
if viewer.is_secretary:
    mine = branches.iloc[0]
    rank = "—" if mine["rank"] is None or str(mine["rank"]) == "<NA>" else int(mine["rank"])
    avg = f"{result.committee_average:.1f}" if result.committee_average is not None else "—"
    st.info(f"本支部在全委 {result.n_ranked} 个参与排名的支部中排第 **{rank}** 名；全委平均得分 {avg}。"
            "其他支部的明细不对支部书记开放。", icon=":material/military_tech:")

late = data.overdue_tasks(viewer, date.today())
if viewer.sees_all_branches and not late.empty:
    late = late[late["branch_id"].isin(branches["branch_id"])]
    if not late.empty:
        with st.expander(f"逾期未完成的整改任务（{len(late)}项）", icon=":material/alarm:", expanded=True):
            st.dataframe(overdue_table(late, date.today()), hide_index=True, placeholder="—")

st.subheader("支部排名")
with st.container(horizontal=True, vertical_alignment="bottom"):
    worst_first = st.toggle("问题多的排在前面", key="worst_first",
                            help="按综合得分从低到高排列，先看最需要督促的支部")
    shown_status = st.pills("只看", ["落后", "预警", "达标"], selection_mode="multi", key="status_filter")
table, status = data.ranking(viewer, f.quarter, f.as_of, f.unit, f.is_current_quarter)
if shown_status:
    keep = table["状态"].isin(shown_status)
    table, status = table[keep], status[keep]
if worst_first:
    table, status = table.iloc[::-1], status.iloc[::-1]
table, status = table.reset_index(drop=True), status.reset_index(drop=True)
picked = st.dataframe(
    style_ranking(table, status) if len(table) <= 500 else table, hide_index=True,
    on_select="rerun", selection_mode="single-row", key="ranking",
    column_order=[c for c in table.columns if c != "branch_id"],
    column_config={"主要问题": st.column_config.TextColumn(width="large"),
                   "排名": st.column_config.TextColumn(width="small")},
)
st.caption("各指标列显示实际完成值，颜色表示完成情况（绿：达标，黄：预警，红：落后）"
           + ("，本季度按时间进度评价" if f.is_current_quarter else "") + "。点选一行查看该支部详情。")
rows = picked.selection.rows if picked else []
if rows:
    # only the branch travels: the quarter and as-of date are the router's widgets and stay
    st.switch_page("pages/branch_detail.py", query_params={"branch": str(int(table.iloc[rows[0]]["branch_id"]))})

score_explainer(f)

if viewer.sees_all_branches:
    shown = chart_subset(branches)
    if len(shown) < len(branches):
        st.caption(f"共{len(branches)}个支部，图中显示排名前{len(shown) // 2}位和后{len(shown) // 2}位。")
    st.subheader("按进度得分" if f.is_current_quarter else "综合得分")
    st.plotly_chart(charts.score_bars(shown, by_pace=f.is_current_quarter), config={"displayModeBar": False})
    st.subheader("各项指标完成度" + ("（按进度）" if f.is_current_quarter else ""))
    st.plotly_chart(charts.completion_heatmap(completion_matrix(shown, indicators), f.is_current_quarter),
                    config={"displayModeBar": False})
    st.caption("红：完成度不足60%；黄：60%至100%；绿：达标。灰色：该支部不考核此项（如离退休支部不考核学习强国、"
               "没有党小组的支部不考核党小组会）。")

if result.previous is not None and viewer.sees_all_branches:
    st.subheader(f"与{f.quarter.previous().label}对比")
    st.dataframe(quarter_comparison(branches, result.previous.branches, f.quarter, f.is_current_quarter),
                 hide_index=True,
                 placeholder="—", height=min(400, 36 * (len(branches) + 1)))

st.subheader("季度趋势")
quarters = [q for q in data.quarters() if q <= f.quarter][:4]
trend = data.trend(viewer, quarters, f.as_of)
scores = trend.scores
if f.unit:
    scores = scores[scores["branch_id"].isin(branches["branch_id"])]
if scores["quarter"].nunique() < 2:
    st.caption("至少需要两个季度的数据才能显示趋势。")
else:
    # Secretaries follow their own branch; leadership sees the three benchmark (标杆) branches.
    top = branches.dropna(subset=["rank"]).sort_values("rank").head(3)
    highlight = list(branches["branch"]) if viewer.is_secretary else list(top["branch"])
    st.plotly_chart(charts.score_trend(scores, trend.averages, highlight), config={"displayModeBar": False})
    st.caption("粗线为全委平均；蓝线为" + ("本支部" if viewer.is_secretary else "本季度排名前三的标杆支部")
               + "；进行中的季度按截至日期计算。")

if viewer.can_export_ranking:
    download_button("下载全委支部排名（Excel）", inspection.ranking_bytes(viewer, f.quarter, f.as_of),
                    f"支部排名_{f.quarter.label}_截至{f.as_of:%Y%m%d}.xlsx", XLSX_MIME, viewer=viewer,
                    what=f"支部排名 {f.quarter.label} 截至{f.as_of} Excel", icon=":material/download:",
                    key="ranking_xlsx")
