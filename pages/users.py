"""用户管理 (administrators): the accounts, adding one, disabling / enabling, resetting a password.
Every change goes through services.accounts, which hashes passwords and writes the audit log."""

import streamlit as st

from domain.access import LEAST_PRIVILEGED_ROLE, ROLES
from services import accounts
from ui import data
from ui.admin_frames import users_table
from ui.session import engine, page_guard

viewer = page_guard("users")
st.title("用户管理")
st.caption("管理员管理全部账号；支部书记账号只能查看本支部的数据。密码至少12位，不能只有数字和符号，"
           "不能包含用户名，也不能是常见密码（如 password1234、woaini1314）。停用账号或为他人重置密码，"
           "该账号已登录的窗口立即退出。所有操作记入审计日志。")
if notice := st.session_state.pop("users_notice", None):
    st.success(notice, icon=":material/check_circle:")

users = accounts.list_users(engine(), viewer)
st.dataframe(users_table(users), hide_index=True, placeholder="",
             column_config={"演示账号": st.column_config.CheckboxColumn()})

branches = data.branches(viewer)
branch_names = dict(zip(branches["branch_id"].astype(int), branches["branch"]))
add, toggle, reset = st.tabs(["新增用户", "停用 / 启用", "重置密码"])

with add:
    with st.form("user_add", clear_on_submit=False, border=False, width=560):
        username = st.text_input("用户名", help="登录用，建议用拼音或工号")
        display_name = st.text_input("姓名")
        role = st.selectbox("角色", list(ROLES), format_func=ROLES.get,
                            index=list(ROLES).index(LEAST_PRIVILEGED_ROLE))
        branch_id = st.selectbox("所在支部（仅支部书记需要）", [None, *branch_names],
                                 format_func=lambda b: "—" if b is None else branch_names[b])
        password = st.text_input("初始密码", type="password")
        again = st.text_input("再次输入密码", type="password")
        submitted = st.form_submit_button("新增用户", type="primary", icon=":material/person_add:")
    if submitted:
        name = username.strip()
        if not name:
            st.error("请填写用户名。")
        elif password != again:
            st.error("两次输入的密码不一致。")
        elif reason := accounts.check_password_strength(password, name):
            st.error(reason)
        else:
            try:
                accounts.add_user(engine(), name, password, role, actor=viewer,
                                  display_name=display_name.strip(),
                                  branch_id=branch_id)
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.session_state["users_notice"] = f"已新增用户「{name}」（{ROLES[role]}）。"
                st.rerun()

labels = {r.username: f"{r.username}（{r.display_name or r.username}）"
          for r in users.itertuples(index=False)}
with toggle:
    who = st.selectbox("用户", list(labels), format_func=labels.get, key="toggle_user")
    if who:
        disabled = bool(users.loc[users["username"] == who, "disabled"].iloc[0])
        st.caption(f"当前状态：{'已停用' if disabled else '正常'}。停用后该账号立即无法使用，数据和日志保留。")
        if who == viewer.username:
            st.caption("不能停用自己的账号。")
        elif st.button("启用该账号" if disabled else "停用该账号", key="toggle_go",
                       type="secondary" if disabled else "primary"):
            try:
                accounts.set_disabled(engine(), who, not disabled, actor=viewer)
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.session_state["users_notice"] = f"已{'启用' if disabled else '停用'}用户「{who}」。"
                st.rerun()

with reset:
    with st.form("user_reset", border=False, width=560):
        target = st.selectbox("用户", list(labels), format_func=labels.get)
        new_password = st.text_input("新密码", type="password")
        new_again = st.text_input("再次输入新密码", type="password")
        go = st.form_submit_button("重置密码", type="primary", icon=":material/key:")
    if go:
        if new_password != new_again:
            st.error("两次输入的密码不一致。")
        else:
            try:
                accounts.reset_password(engine(), target, new_password, actor=viewer)
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.session_state["users_notice"] = f"已重置用户「{target}」的密码，并解除登录锁定。"
                st.rerun()
