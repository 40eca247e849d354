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


def score_trend(scores: pd.DataFrame, highlight: list[str] | None = None) -> go.Figure:
    """Composite score per quarter: the committee average in bold, each branch faint."""
    fig = go.Figure()
    labels = scores.drop_duplicates("quarter").sort_values("quarter")
    order = list(labels["quarter_label"])
    for branch, part in scores.groupby("branch"):
        part = part.sort_values("quarter")
        strong = highlight and branch in highlight
        fig.add_trace(go.Scatter(
            x=part["quarter_label"], y=part["score"], mode="lines+markers", name=branch,
            line=dict(width=2.5 if strong else 1, color=PARTY_RED if strong else "#cfd8dc"),
            opacity=1 if strong else 0.8, showlegend=bool(strong),
            hovertemplate=f"{branch}<br>%{{x}}：%{{y:.1f}}分<extra></extra>",
        ))
    avg = scores.groupby("quarter", as_index=False).agg(score=("score", "mean"))
    avg = avg.merge(labels[["quarter", "quarter_label"]], on="quarter").sort_values("quarter")
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
