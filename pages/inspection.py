"""季度督查: the inspection packet of the chosen branches (scorecard, 问题清单, lagging members,
activity ledger, data gaps, last quarter's rectification), rectification tasks, and the Excel /
Word downloads (each one audited)."""

from datetime import date

import streamlit as st

from reports.excel import XLSX_MIME
from reports.word import DOCX_MIME
from domain.periods import parse_quarter
from domain.vocabulary import TASK_STATUS_LABELS
from services import tasks as task_service
from ui import data, filters, inspection
from ui.components import empty_state, md_escape, view_caption
from ui.downloads import download_button
from ui.session import engine, page_guard
from ui.inspection_frames import default_deadline, problem_table, rectification_table
from ui.theme import status_text

viewer = page_guard("inspection")
f = filters.current()
st.title("季度督查")
view_caption(f, viewer, "材料反映截至目前的进度" if f.is_current_quarter else "")

branches = data.branches(viewer)
if f.unit:
    branches = branches[branches["unit"] == f.unit]
if branches.empty:
    empty_state(viewer)
    st.stop()

names = dict(zip(branches["branch"], branches["branch_id"].astype(int)))
if "insp_branches" not in st.session_state or not set(st.session_state["insp_branches"]) <= set(names):
    # open on the branch that most needs an inspection: the lowest score in view
    ranked = data.scorecard(viewer, f.quarter, f.as_of).card.branches
    ranked = ranked[ranked["branch_id"].isin(branches["branch_id"])].sort_values(
        ["pace_score", "branch"], na_position="first", kind="stable")
    st.session_state["insp_branches"] = list(ranked["branch"].head(1)) or list(names)[:1]


def _pick_all() -> None:
    st.session_state["insp_branches"] = list(names)


with st.container(horizontal=True, vertical_alignment="bottom"):
    chosen = st.multiselect("督查支部", list(names), key="insp_branches", placeholder="选择支部…",
                            disabled=viewer.is_secretary,
                            help="可选多个支部；导出时先列汇总表，再每个支部一节。")
    if viewer.sees_all_branches and len(names) > 1:
        st.button("选择全部支部", on_click=_pick_all, icon=":material/select_all:")
if not chosen:
    st.info("请选择至少一个支部。")
    st.stop()

ids = tuple(sorted(names[n] for n in chosen))
packet = inspection.packet(viewer, f.quarter, f.as_of, ids)
scope = chosen[0] if len(chosen) == 1 else f"{len(chosen)}个支部"
stem = f"党建专项督查材料_{f.quarter.label}_{scope}_截至{f.as_of:%Y%m%d}"
with st.container(horizontal=True):
    for fmt, label, mime, icon in (("xlsx", "下载 Excel 督查材料", XLSX_MIME, ":material/table_view:"),
                                   ("docx", "下载 Word 督查材料", DOCX_MIME, ":material/description:")):
        download_button(label, inspection.packet_bytes(fmt, viewer, f.quarter, f.as_of, ids),
                        f"{stem}.{fmt}", mime, viewer=viewer, icon=icon, key=f"insp_dl_{fmt}",
                        what=f"督查材料 {f.quarter.label} 截至{f.as_of} {'、'.join(chosen)} {fmt}")
st.caption(f"{md_escape(packet.title)} · {packet.as_of_text}。Excel 每个支部一个工作表，Word 按公文格式排版，均可直接打印（A4）。")

if len(packet.branches) > 1:
    summary = packet.summary()
    st.subheader("汇总")
    st.dataframe(
        summary.assign(status_text=summary["status"].map(status_text)),
        hide_index=True,
        column_order=["rank", "branch", "type", "score", "status_text", "n_problems", "n_lagging",
                      "n_gaps", "n_last_problems", "n_fixed"],
        column_config={
            "rank": "排名", "branch": "支部", "type": "类型",
            "score": st.column_config.NumberColumn("综合得分", format="%.1f"),
            "status_text": "状态", "n_problems": "问题", "n_lagging": "需关注党员",
            "n_gaps": "数据缺口", "n_last_problems": "上季度问题", "n_fixed": "其中已整改",
        },
    )

can_edit = viewer.can_edit_tasks()
tabs = st.tabs([md_escape(b.branch) for b in packet.branches]) if len(packet.branches) > 1 else [st.container()]
for tab, b in zip(tabs, packet.branches):
    with tab:
        with st.container(horizontal=True):
            st.metric("综合得分", b.score_text, border=True)
            st.metric("状态", b.status_text, border=True)
            st.metric("排名", b.rank_text + (f" / {packet.n_ranked}" if packet.n_ranked else ""), border=True)
            st.metric("问题", f"{len(b.problems)}项", border=True)
            st.metric("需关注党员", f"{len(b.lagging)}名", border=True)

        st.subheader("一、指标完成情况")
        st.dataframe(
            b.scorecard.assign(status_text=b.scorecard["status"].map(status_text)
                               .where(b.scorecard["status"].notna(), b.scorecard["status_text"])),
            hide_index=True,
            column_order=["label", "actual_text", "target_text", "completion", "status_text", "note"],
            column_config={
                "label": "指标", "actual_text": "实际完成", "target_text": "目标",
                "completion": st.column_config.ProgressColumn("完成度", format="percent",
                                                              min_value=0, max_value=1),
                "status_text": "状态", "note": st.column_config.TextColumn("说明", width="large"),
            },
        )

        st.subheader(f"二、问题清单（{len(b.problems)}项）")
        if b.problems.empty:
            st.success("本季度各项已考核指标均已达到目标。", icon=":material/verified:")
        else:
            # owner and problem texts are typed by users: shown as text, never as markdown
            st.dataframe(problem_table(b.problems, date.today()), hide_index=True, placeholder="—",
                         column_config={"问题": st.column_config.TextColumn(width="large")})
            open_problems = b.problems[b.problems["task_status"] == "未建任务"]
            if can_edit and not open_problems.empty:
                with st.form(f"insp_new_tasks_{b.branch_id}", border=True):
                    st.markdown("**把问题转为整改任务**")
                    picked = st.multiselect("问题", list(open_problems["problem"]), placeholder="选择问题…",
                                            default=list(open_problems["problem"]))
                    with st.container(horizontal=True):
                        owner = st.text_input("整改责任人", max_chars=64)
                        deadline = st.date_input("整改时限", value=default_deadline(f.quarter, date.today()),
                                                 min_value=date.today())
                    if st.form_submit_button("建立整改任务", type="primary"):
                        rows = open_problems[open_problems["problem"].isin(picked)]
                        try:
                            task_service.create(
                                engine(), viewer, f.quarter, b.branch,
                                [{"branch_id": b.branch_id, "indicator": r["indicator"], "problem": r["problem"]}
                                 for r in rows.to_dict("records")], owner, deadline)
                        except (ValueError, PermissionError) as exc:
                            st.error(str(exc))
                        else:
                            st.rerun()

        st.subheader(f"三、需关注党员（{len(b.lagging)}名）")
        if b.lagging.empty:
            st.success("本季度没有需要预警的党员。", icon=":material/verified:")
        else:
            st.dataframe(b.lagging, hide_index=True, column_config={
                "name": "姓名", "group": "党小组", "reasons": "预警原因",
                "points": st.column_config.NumberColumn("学习强国积分", format="%.0f"),
                "absences": st.column_config.NumberColumn("无故缺席", format="%d"),
                "missing_months": "未完成自学月份",
                "detail": st.column_config.TextColumn("缺席的活动", width="large"),
            })

        st.subheader(f"四、组织生活台账（{len(b.ledger)}条）")
        if b.ledger.empty:
            st.info("本季度截至统计日没有台账记录。")
        else:
            st.dataframe(b.ledger, hide_index=True, column_order=["date", "type", "topic", "attendance",
                                                                  "absent", "on_leave"],
                         column_config={"date": "日期", "type": "活动类型",
                                        "topic": st.column_config.TextColumn("主题", width="large"),
                                        "attendance": "实到/应到", "absent": "缺席人员",
                                        "on_leave": "请假人员"})

        st.subheader(f"五、数据缺口（{len(b.gaps)}项）")
        if b.gaps:
            st.markdown("\n".join(f"- {md_escape(g)}" for g in b.gaps))
        else:
            st.success("未发现影响本季度统计的数据缺口。", icon=":material/verified:")

        prev = packet.previous_quarter
        st.subheader(f"六、上季度（{prev.label}）问题整改情况")
        if b.rectification.empty:
            st.caption(f"{prev.label}没有需要整改的问题。")
        else:
            st.caption(f"上季度问题{len(b.rectification)}项，本季度已整改（指标已达标）{b.n_fixed}项。")
            st.dataframe(rectification_table(b.rectification, date.today()), hide_index=True, placeholder="—")

        branch_tasks = inspection.tasks(viewer, [f.quarter, prev], (b.branch_id,))
        if can_edit and not branch_tasks.empty:
            with st.container(border=True):
                st.markdown("**更新整改任务**")
                labels = {int(r["id"]): f"{parse_quarter(r['quarter']).label} · {r['problem']}（{r['owner']}）"
                          for r in branch_tasks.to_dict("records")}
                current = dict(zip(branch_tasks["id"].astype(int), branch_tasks["status"]))
                with st.container(horizontal=True, vertical_alignment="bottom"):
                    task_id = st.selectbox("任务", list(labels), format_func=labels.get,
                                           key=f"insp_task_{b.branch_id}")
                    # the control shows the task's status as it is now, keyed by the task
                    status = st.segmented_control("状态", list(TASK_STATUS_LABELS),
                                                  format_func=TASK_STATUS_LABELS.get,
                                                  default=current[task_id], key=f"insp_status_{task_id}")
                    if st.button("保存", key=f"insp_save_{b.branch_id}",
                                 disabled=status in (None, current[task_id])):
                        try:
                            task_service.set_status(engine(), viewer, task_id, status, b.branch)
                        except (LookupError, PermissionError, ValueError) as exc:
                            st.error(str(exc))
                        else:
                            st.rerun()
