"""工作报告数据 (placeholder until the figures land)."""

import streamlit as st

from ui.session import page_guard

viewer = page_guard("report")
st.title("工作报告数据")
st.info("工作报告数据正在建设中。")
