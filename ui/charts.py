"""Plotly figures with Chinese labels, explicit axis formats and the shared status colours."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.theme import NEUTRAL, PARTY_RED, STATUS_COLORS

_FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", size=13)


def _layout(fig: go.Figure, height: int, **kwargs) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), font=_FONT,
                      plot_bgcolor="white", paper_bgcolor="white", **kwargs)
    return fig


def score_bars(branches: pd.DataFrame, green: float = 90, yellow: float = 75) -> go.Figure:
    """Horizontal bars of composite scores, best on top, with the thresholds drawn."""
    frame = branches.dropna(subset=["score"]).sort_values("score")
    colors = frame["status"].map(STATUS_COLORS).fillna(NEUTRAL)
    fig = go.Figure(go.Bar(
        x=frame["score"], y=frame["branch"], orientation="h", marker_color=colors,
        text=frame["score"].map(lambda v: f"{v:.1f}"), textposition="outside",
        hovertemplate="%{y}<br>得分 %{x:.1f}<extra></extra>",
    ))
    for value, color, label in ((green, STATUS_COLORS["green"], f"达标线 {green:g}"),
                                (yellow, STATUS_COLORS["yellow"], f"预警线 {yellow:g}")):
        fig.add_vline(x=value, line_dash="dash", line_color=color,
                      annotation_text=label, annotation_position="top")
    fig.update_xaxes(title="综合得分", range=[0, 105], tickformat=".0f", gridcolor="#eee")
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, max(320, 24 * len(frame) + 80), showlegend=False)


def completion_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Branch × indicator completion (0–1) with red→yellow→green colours; blanks = not applicable."""
    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(dtype=float), x=list(matrix.columns), y=list(matrix.index),
        zmin=0, zmax=1, colorscale=[[0, STATUS_COLORS["red"]], [0.6, STATUS_COLORS["yellow"]],
                                    [0.999, "#a5d6a7"], [1, STATUS_COLORS["green"]]],
        colorbar=dict(title="完成度", tickformat=".0%"),
        hovertemplate="%{y}<br>%{x}：%{z:.0%}<extra></extra>", xgap=2, ygap=2,
    ))
    fig.update_xaxes(side="top", tickangle=-30)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, max(320, 24 * len(matrix) + 120))


def score_trend(scores: pd.DataFrame, averages: pd.DataFrame,
                highlight: list[str] | None = None) -> go.Figure:
    """Composite score per quarter: the committee average (over every branch, also for a viewer
    who sees one) in bold, each branch faint, highlighted ones in colour."""
    fig = go.Figure()
    labels = scores.drop_duplicates("quarter").sort_values("quarter")
    order = list(labels["quarter_label"])
    if scores["branch"].nunique() > 40:  # thousands of faint lines are noise: keep the highlighted
        scores = scores[scores["branch"].isin(highlight or [])]
    for branch, part in scores.groupby("branch"):
        part = part.sort_values("quarter")
        strong = highlight and branch in highlight
        fig.add_trace(go.Scatter(
            x=part["quarter_label"], y=part["score"], mode="lines+markers", name=branch,
            line=dict(width=2.5 if strong else 1, color=PARTY_RED if strong else "#cfd8dc"),
            opacity=1 if strong else 0.8, showlegend=bool(strong),
            hovertemplate=f"{branch}<br>%{{x}}：%{{y:.1f}}分<extra></extra>",
        ))
    avg = averages.sort_values("quarter")
    fig.add_trace(go.Scatter(
        x=avg["quarter_label"], y=avg["score"], mode="lines+markers+text", name="全委平均",
        line=dict(width=4, color="#37474f"), text=avg["score"].map(lambda v: f"{v:.1f}"),
        textposition="top center", hovertemplate="全委平均<br>%{x}：%{y:.1f}分<extra></extra>",
    ))
    fig.update_xaxes(title=None, categoryorder="array", categoryarray=order)
    fig.update_yaxes(title="综合得分", range=[0, 105], tickformat=".0f", gridcolor="#eee")
    return _layout(fig, 360, legend=dict(orientation="h", y=-0.15))


def indicator_bullets(rows: pd.DataFrame) -> go.Figure:
    """Each indicator's completion against its target (the 100% line), pace marks where known."""
    frame = rows.iloc[::-1]
    colors = frame["status"].map(STATUS_COLORS).fillna(NEUTRAL)
    fig = go.Figure(go.Bar(
        x=frame["completion"].fillna(0), y=frame["label"], orientation="h", marker_color=colors,
        text=frame["value_text"], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{text}<extra></extra>", name="完成度",
    ))
    pace = frame.dropna(subset=["pace_completion"])
    if not pace.empty:
        fig.add_trace(go.Scatter(
            x=pace["pace_completion"], y=pace["label"], mode="markers", name="按进度应达",
            marker=dict(symbol="line-ns", size=22, line=dict(width=3, color="#37474f")),
            hovertemplate="%{y}<br>按进度应达 %{x:.0%}<extra></extra>",
        ))
    fig.add_vline(x=1, line_color="#37474f", annotation_text="目标", annotation_position="top")
    fig.update_xaxes(title="完成度", range=[0, 1.35], tickformat=".0%", gridcolor="#eee")
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, max(300, 34 * len(frame) + 80), legend=dict(orientation="h", y=-0.12))


# Activity types of DOMAIN.md §3.3 in a fixed order, each with its own muted colour (never the
# red/yellow/green of statuses).
_TYPE_COLORS = {
    "支部党员大会": "#6a1b9a", "支部委员会": "#283593", "党小组会": "#1e88e5", "党课": "#00838f",
    "主题党日": "#d81b60", "组织生活会": "#6d4c41", "民主评议党员": "#4e342e", "集中学习": "#455a64",
    "谈心谈话": "#7e57c2", "志愿服务": "#00695c", "警示教育": "#ad1457", "政治生日": "#c2185b",
    "廉情分析会": "#5d4037", "其他": NEUTRAL,
}


def activity_timeline(acts: pd.DataFrame, start, end, as_of) -> go.Figure:
    """One marker per ledger activity: date across, activity type down, the as-of date marked.
    ``acts`` comes from ui.branch_frames.quarter_activities."""
    order = [t for t in _TYPE_COLORS if t in set(acts["base_type"])]
    fig = go.Figure()
    for kind in order:
        part = acts[acts["base_type"] == kind]
        fig.add_trace(go.Scatter(
            x=part["date"], y=[kind] * len(part), mode="markers", name=kind,
            marker=dict(size=14, color=_TYPE_COLORS[kind], line=dict(width=1, color="white")),
            customdata=list(zip(part["type"], part["topic"], part["attendance"])),
            hovertemplate="%{x|%Y年%m月%d日}<br>%{customdata[0]}<br>%{customdata[1]}"
                          "<br>%{customdata[2]}<extra></extra>",
        ))
    fig.add_vline(x=pd.Timestamp(as_of).timestamp() * 1000, line_dash="dot", line_color="#37474f",
                  annotation_text="截至日期", annotation_position="top")
    fig.update_xaxes(range=[pd.Timestamp(start) - pd.Timedelta(days=2),
                            pd.Timestamp(end) + pd.Timedelta(days=2)],
                     tick0=pd.Timestamp(start), dtick="M1", tickformat="%-m月%-d日",
                     gridcolor="#e0e0e0", minor=dict(dtick=7 * 86400000, showgrid=True,
                                                     gridcolor="#f5f5f5"), title=None)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(order)), title=None,
                     automargin=True)
    return _layout(fig, max(220, 36 * len(order) + 90), showlegend=False)
