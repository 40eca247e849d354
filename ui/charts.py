"""Plotly figures with Chinese labels, explicit axis formats and the shared status colours."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.theme import NEUTRAL, STATUS_COLORS

HIGHLIGHT = "#1565c0"  # a branch followed on a chart: never a status colour

_FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", size=13)


def _layout(fig: go.Figure, height: int, **kwargs) -> go.Figure:
    settings = dict(margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white") | kwargs
    fig.update_layout(height=height, font=_FONT, paper_bgcolor="white", **settings)
    return fig


def score_bars(branches: pd.DataFrame, green: float = 90, yellow: float = 75, by_pace: bool = False) -> go.Figure:
    """Horizontal bars of composite scores, best on top, with the thresholds drawn. ``by_pace``:
    the quarter is running, so the bar is the score against pace (按进度) its colour comes from."""
    column = "pace_score" if by_pace else "score"
    frame = branches.dropna(subset=[column]).sort_values(column)
    colors = frame["status"].map(STATUS_COLORS).fillna(NEUTRAL)
    fig = go.Figure(go.Bar(
        x=frame[column], y=frame["branch"], orientation="h", marker_color=colors,
        text=frame[column].map(lambda v: f"{v:.1f}"), textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>" + ("按进度得分" if by_pace else "综合得分") + " %{x:.1f}<extra></extra>",
    ))
    # the two lines are 15 apart: their labels sit above the plot and run away from each other
    for value, key, text, side in ((green, "green", f"达标 {green:g}", "left"),
                                   (yellow, "yellow", f"预警 {yellow:g}", "right")):
        fig.add_vline(x=value, line_dash="dash", line_color=STATUS_COLORS[key])
        fig.add_annotation(x=value, y=1, yref="paper", yanchor="bottom", xanchor=side, showarrow=False,
                           text=text, font=dict(color=STATUS_COLORS[key], size=12))
    fig.update_xaxes(title="按进度得分" if by_pace else "综合得分", range=[0, 112], tickvals=[0, 25, 50, 75, 90, 100],
                     gridcolor="#eee")
    fig.update_yaxes(title=None, automargin=True)
    return _layout(fig, max(320, 24 * len(frame) + 90), showlegend=False,
                   margin=dict(l=10, r=30, t=40, b=40))


_SHORT_LABELS = {"支部党员大会": "党员大会", "支部委员会": "支委会", "学习强国参与率": "强国参与",
                 "学习强国人均积分": "强国人均", "自学完成率": "自学", "组织生活会": "组织生活会",
                 "民主评议党员": "民主评议"}


def completion_heatmap(matrix: pd.DataFrame, by_pace: bool = False) -> go.Figure:
    """Branch × indicator completion (0–1) in the status colours (red below 60%, yellow below
    100%, green at 100%); grey cells: the indicator is not assessed for that branch."""
    columns = [_SHORT_LABELS.get(c, c) for c in matrix.columns]
    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(dtype=float), x=columns, y=list(matrix.index),
        customdata=[[c] * len(matrix.index) for c in matrix.columns],
        zmin=0, zmax=1, colorscale=[[0, STATUS_COLORS["red"]], [0.599, STATUS_COLORS["red"]],
                                    [0.6, STATUS_COLORS["yellow"]], [0.999, STATUS_COLORS["yellow"]],
                                    [1, STATUS_COLORS["green"]]],
        showscale=False,  # three colours, said in the caption under the chart
        hovertemplate="%{y}<br>%{x}：%{z:.0%}<extra></extra>", xgap=2, ygap=2,
    ))
    fig.update_xaxes(side="top", tickangle=0, tickfont=dict(size=13), automargin=True)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, max(320, 24 * len(matrix) + 120), plot_bgcolor="#e0e0e0")


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
            line=dict(width=2.5 if strong else 1, color=HIGHLIGHT if strong else "#cfd8dc"),
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
        hovertemplate="%{y}<br>%{text}<extra></extra>", name="完成度", showlegend=False,
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
