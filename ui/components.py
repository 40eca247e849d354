"""Small building blocks shared by pages."""

from __future__ import annotations

import streamlit as st

from services import settings
from ui import data


def view_caption(f, viewer, extra: str = "") -> None:
    """What the page shows, said the same way everywhere: the quarter, the as-of date, whether it
    is judged against pace, and how far each source's data goes (DOMAIN §4)."""
    known = data.coverage(viewer, f.quarter, f.as_of)
    parts = [f.quarter.label, f"截至{f.as_of.year}年{f.as_of.month}月{f.as_of.day}日"]
    if f.is_current_quarter:
        parts.append("本季度进行中，颜色按进度评价")
    parts += known.texts()
    st.caption(" · ".join(parts) + (f" · {extra}" if extra else ""))


def score_explainer(f) -> None:
    """综合得分怎么算: the rule in a few lines, with the weights and thresholds in force."""
    rules = settings.effective(data.saved_settings())
    green, yellow = rules["status"]["composite"]["green"], rules["status"]["composite"]["yellow"]
    weights = sorted({float(v.get("weight", 1)) for v in rules["indicators"].values()})
    weight_text = "各项权重均为1" if weights == [1.0] else "权重见「目标设置」"
    with st.expander("综合得分怎么算", icon=":material/help:"):
        st.markdown(
            f"- **完成度** = 实际完成 ÷ 目标，最高100%；不考核的指标（如离退休支部的学习强国）不计入。\n"
            f"- **综合得分** = 100 × Σ(权重 × 完成度) ÷ Σ权重，保留一位小数；{weight_text}。"
            f"排名按综合得分，同分同名次。\n"
            f"- **颜色**：综合得分≥{green:g}为绿色（达标），≥{yellow:g}为黄色（预警），以下为红色（落后）；"
            f"单项完成度100%为绿色，60%及以上为黄色。\n"
            f"- **本季度进行中时按进度评价**：应完成数 = 目标 × 数据已覆盖的天数 ÷ 本季度天数（学习强国按最后一次导出的期末，"
            f"台账按最新台账覆盖的日期），颜色和“按进度”得分与应完成数比较。\n"
            f"- 组织生活会、民主评议党员为年度指标，第四季度计入得分。")


def kpi_row(kpis) -> None:
    """KPI cards in one bordered horizontal row, with the change from last quarter."""
    with st.container(horizontal=True):
        for kpi in kpis:
            color = "normal" if kpi.higher_is_better else "inverse"
            st.metric(kpi.label, kpi.value_text, kpi.delta_text, delta_color=color, border=True,
                      delta_description="较上季度" if kpi.delta_text else None)


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~:$")


def md_escape(text) -> str:
    """User text (a file name, a branch name) shown inside Markdown, read literally."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in str(text))


def own_branch_kpis(kpis) -> list:
    """A secretary's cards describe their own branch: no branch counts, the score as such."""
    from dataclasses import replace

    labels = {"average_score": "本支部综合得分"}
    return [replace(k, label=labels.get(k.key, k.label)) for k in kpis
            if k.key not in ("branches", "red_branches")]


def empty_state(viewer) -> None:
    """What an empty database shows instead of an error."""
    st.info("还没有任何数据。", icon=":material/inbox:")
    if viewer.can_import:
        st.markdown(
            "- 在 **数据导入** 页面上传党员名册、组织生活台账、学习强国导出等表格；\n"
            "- 或在服务器上运行 `python cli.py demo` 载入示例数据，先看看效果。"
        )
        st.page_link("pages/data_import.py", label="前往数据导入", icon=":material/upload_file:")
    else:
        st.markdown("请联系管理员导入数据。")


def has_data(branches) -> bool:
    return branches is not None and not branches.empty
