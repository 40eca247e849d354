"""总览 · 支部排名: KPI cards, the ranking, scores against thresholds, completion heatmap, trend."""

import streamlit as st

from ui import charts, data, filters
from ui.components import empty_state, kpi_row, own_branch_kpis
from ui.frames import chart_subset, completion_matrix, ranking_table
from ui.session import page_guard
from ui.theme import color_status_cells

viewer = page_guard("overview")
f = filters.current()
st.title("总览 · 支部排名")
st.caption(f"{f.quarter.label} · 截至{f.as_of:%Y年%m月%d日}"
           + ("（本季度进行中）" if f.is_current_quarter else ""))

result = data.scorecard(viewer, f.quarter, f.as_of)
card = result.card
if card.branches.empty:
    empty_state(viewer)
    st.stop()

branches, indicators = card.branches, card.indicators
if f.unit:
    branches = branches[branches["unit"] == f.unit]
    indicators = indicators[indicators["branch_id"].isin(branches["branch_id"])]

kpi_row(result.kpis if viewer.sees_all_branches else own_branch_kpis(result.kpis))
if viewer.is_secretary:
    mine = branches.iloc[0]
    rank = "—" if mine["rank"] is None or str(mine["rank"]) == "<NA>" else int(mine["rank"])
    avg = f"{result.committee_average:.1f}" if result.committee_average is not None else "—"
    st.info(f"本支部在全委 {result.n_ranked} 个参与排名的支部中排第 **{rank}** 名；全委平均得分 {avg}。"
            "其他支部的明细不对支部书记开放。", icon=":material/military_tech:")

st.subheader("支部排名")
table = ranking_table(branches, indicators)
fixed = ["排名", "支部", "单位", "类型", "得分", "状态"]
indicator_columns = [c for c in table.columns if c not in ("branch_id", *fixed)]
picked = st.dataframe(
    color_status_cells(table, ["状态"]) if len(table) <= 500 else table, hide_index=True, on_select="rerun", selection_mode="single-row", key="ranking",
    column_order=[*fixed, *indicator_columns],
    column_config={
        "得分": st.column_config.NumberColumn(format="%.1f"),
        **{c: st.column_config.ProgressColumn(c, format="percent", min_value=0, max_value=1,
                                             color="#546e7a")
           for c in indicator_columns},
    },
)
st.caption("点选一行查看该支部详情。")
rows = picked.selection.rows if picked else []
if rows:
    st.switch_page("pages/branch_detail.py",
                   query_params={"branch": str(int(table.iloc[rows[0]]["branch_id"])),
                                 "q": f.quarter.label})

if viewer.sees_all_branches:
    shown = chart_subset(branches)
    if len(shown) < len(branches):
        st.caption(f"共{len(branches)}个支部，图中显示排名前{len(shown) // 2}位和后{len(shown) // 2}位。")
    left, right = st.columns(2)
    with left:
        st.subheader("综合得分")
        st.plotly_chart(charts.score_bars(shown), config={"displayModeBar": False})
    with right:
        st.subheader("各项指标完成度")
        st.plotly_chart(charts.completion_heatmap(completion_matrix(shown, indicators)),
                        config={"displayModeBar": False})

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
    st.plotly_chart(charts.score_trend(scores, trend.averages, highlight),
                    config={"displayModeBar": False})

if viewer.sees_all_branches:
    from reports.excel import XLSX_MIME
    from ui import inspection

    st.download_button(
        "下载全委支部排名（Excel）", data=inspection.ranking_bytes(viewer, f.quarter, f.as_of),
        file_name=f"支部排名_{f.quarter}_截至{f.as_of:%Y%m%d}.xlsx", mime=XLSX_MIME,
        icon=":material/download:", key="ranking_xlsx", on_click=inspection.record_export,
        args=(viewer, f"支部排名 {f.quarter} 截至{f.as_of} Excel"),
    )
