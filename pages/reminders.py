"""提醒记录 (administrators): the 督导提醒 log — who got what, when, by which channel, with what
result — a preview of a chosen day's messages with 立即发送, and where each branch's and each
account's reminders go."""

from datetime import date

import streamlit as st

from services import reminder_runs
from services.channels import CHANNEL_LABELS, CHANNELS, ChannelError, load_settings
from services.reminders import to_markdown, to_text
from ui.reminders_frames import (account_address_table, branch_address_table, log_table,
                                 preview_table)
from ui.session import engine, page_guard

viewer = page_guard("reminders")
st.title("提醒记录")
st.caption("督导提醒每月向每个接收人发送一次：支部书记收到本支部本季度还需完成的事项、党员预警、逾期整改任务和数据缺口，"
           "工委领导和办公室收到全委汇总。命令 `cli.py remind` 由定时任务运行；发送失败的提醒在下次运行时重试。")
if notice := st.session_state.pop("reminders_notice", None):
    st.success(notice, icon=":material/check_circle:")

settings = load_settings()
for problem in settings.problems:
    st.warning(f"设置问题：{problem}", icon=":material/warning:")

records, send, addresses = st.tabs(["发送记录", "预览与发送", "接收地址"])

with records:
    ALL = ""
    with st.container(horizontal=True, vertical_alignment="bottom"):
        period = st.selectbox("期间", [ALL, *reminder_runs.log_periods(engine(), viewer)], key="log_period",
                              format_func=lambda p: "全部" if p == ALL else p)
        status = st.selectbox("状态", [ALL, *reminder_runs.STATUS_LABELS], key="log_status",
                              format_func=lambda s: "全部" if s == ALL else reminder_runs.STATUS_LABELS[s])
    log = reminder_runs.log(engine(), viewer, period=period or None, status=status or None)
    if log.empty:
        st.info("还没有符合条件的提醒记录。", icon=":material/search_off:")
    else:
        picked = st.dataframe(log_table(log), hide_index=True, placeholder="", key="log_table",
                              on_select="rerun", selection_mode="single-row",
                              column_config={"失败原因": st.column_config.TextColumn(width="medium"),
                                             "主题": st.column_config.TextColumn(width="large")})
        failed = int((log["status"] == "failed").sum())
        if failed:
            st.warning(f"有{failed}条提醒发送失败，下次运行 `cli.py remind` 或点击「预览与发送」中的「立即发送」时重试。",
                       icon=":material/error:")
        rows = picked.selection.rows if picked is not None else []
        if rows:
            chosen = log.iloc[rows[0]]
            st.markdown(f"**{chosen['subject']}**")
            st.text(chosen["content"])
        else:
            st.caption("选中一行可查看发送的内容。")

with send:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        day = st.date_input("提醒日期", value=date.today(), key="send_day",
                            help="按该日期所在季度计算，按所在月份判断本月是否已发送。")
        channel = st.selectbox("渠道", CHANNELS, format_func=CHANNEL_LABELS.get, key="send_channel")
    plan, rows = reminder_runs.preview(engine(), day, channel, settings)
    st.caption(f"提醒期间：{plan.period}（每个接收人每月一次）。")
    if plan.unreachable:
        with st.expander(f"{len(plan.unreachable)}处没有接收地址，不会收到提醒", icon=":material/warning:"):
            st.markdown("\n".join(f"- {line}" for line in plan.unreachable))
    if not rows:
        st.info("该渠道没有可发送的接收人。", icon=":material/info:")
    else:
        st.dataframe(preview_table(rows), hide_index=True, placeholder="")
        labels = {i: f"{r['recipient'].branch or '全委汇总'} · {r['recipient'].shown}" for i, r in enumerate(rows)}
        which = st.selectbox("预览哪一条", list(labels), format_func=labels.get, key="preview_which")
        with st.spinner("正在生成……"):
            message = reminder_runs.build_message(engine(), day, rows[which]["recipient"],
                                                  settings.dashboard_url)
        with st.container(border=True):
            st.markdown(f"**主题：{message.subject}**")
            if channel == "webhook":
                st.code(to_markdown(message), language="markdown", wrap_lines=True)
            else:
                st.text(to_text(message))
        due = sum(r["state"] in ("待发送", "重试") for r in rows)
        st.caption(f"立即发送：{due}条尚未发送（含失败重试）；本月已发送的不会重复发送。")
        if st.button("立即发送", type="primary", icon=":material/send:", disabled=due == 0, key="send_now"):
            with st.spinner("正在发送……"):
                try:
                    report = reminder_runs.run(engine(), viewer, day, channel, settings)
                except ChannelError as exc:
                    st.error(str(exc))
                else:
                    failures = [f"{o.recipient.branch or '全委'} <{o.recipient.shown}>：{o.error}"
                                for o in report.of("failed")]
                    if failures:
                        st.error(report.summary() + "\n\n" + "\n".join(f"- {f}" for f in failures))
                    else:
                        st.session_state["reminders_notice"] = report.summary()
                        st.rerun()

with addresses:
    branches, users = reminder_runs.address_book(engine(), viewer)
    names = dict(zip(branches["branch_id"].astype(int), branches["branch"]))
    st.subheader("支部")
    st.dataframe(branch_address_table(branches), hide_index=True, placeholder="")
    with st.form("branch_email", border=False, width=560):
        branch_id = st.selectbox("支部", list(names), format_func=names.get)
        address = st.text_input("支部提醒邮箱", help="留空表示清除。书记账号有邮箱时，两处都会收到。")
        if st.form_submit_button("保存支部邮箱", icon=":material/save:"):
            try:
                reminder_runs.set_branch_email(engine(), viewer, names[branch_id], address)
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.session_state["reminders_notice"] = f"已保存{names[branch_id]}的提醒邮箱。"
                st.rerun()
    st.subheader("账号")
    st.caption("支部书记账号的邮箱收到本支部的提醒；领导和管理员账号的邮箱收到全委汇总。停用和演示账号不收提醒。")
    st.dataframe(account_address_table(users, names), hide_index=True, placeholder="")
    accounts = [u for u, demo in zip(users["username"], users["is_demo"]) if not demo]
    with st.form("user_email", border=False, width=560):
        username = st.selectbox("用户", accounts)
        user_address = st.text_input("提醒邮箱", help="留空表示清除。")
        if st.form_submit_button("保存账号邮箱", icon=":material/save:") and username:
            try:
                reminder_runs.set_user_email(engine(), viewer, username, user_address)
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.session_state["reminders_notice"] = f"已保存账号 {username} 的提醒邮箱。"
                st.rerun()
