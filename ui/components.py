"""Small building blocks shared by pages."""

from __future__ import annotations

import streamlit as st


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
