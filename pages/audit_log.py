"""审计日志 (administrators): who did what and when — logins, imports, undo, target edits, exports,
user changes — newest first, filterable by action and user."""

import streamlit as st

from services import accounts, audit
from services.audit import ACTION_LABELS, action_label
from ui.admin_frames import audit_table
from ui.session import engine, page_guard

viewer = page_guard("audit")
st.title("审计日志")
st.caption("登录、导入、撤销、目标修改、导出和用户管理操作都记录在此，按时间从新到旧排列；日志不可修改。")

ALL = ""
users = accounts.list_users(engine(), viewer)
with st.container(horizontal=True, vertical_alignment="bottom"):
    action = st.selectbox("操作", [ALL, *ACTION_LABELS], key="action", bind="query-params",
                          format_func=lambda a: "全部操作" if a == ALL else action_label(a))
    who = st.selectbox("用户", [ALL, *users["username"]], key="user", bind="query-params",
                       format_func=lambda u: "全部用户" if u == ALL else u,
                       accept_new_options=True, help="可直接输入不在列表中的用户名（如命令行、单点登录用户）")
    limit = st.selectbox("显示条数", [200, 1000, 5000], key="limit")

log = audit.log(engine(), viewer, limit=limit, action=action or None, username=who or None)
if log.empty:
    st.info("没有符合条件的记录。", icon=":material/search_off:")
else:
    st.dataframe(audit_table(log), hide_index=True, placeholder="",
                 column_config={"详情": st.column_config.TextColumn(width="large")})
    st.caption(f"显示最近{len(log)}条" + ("（已达上限，可调大显示条数或缩小筛选范围）" if len(log) == limit else "") + "。")
