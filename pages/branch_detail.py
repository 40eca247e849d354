"""支部详情: one branch's indicators against targets, pace warnings, the quarter's activities,
its members with points and flags, and next month's 政治生日."""

import pandas as pd
import streamlit as st

from domain.formatting import score_change_text, score_text

from ui import charts, data, filters
from ui.branch_frames import (activities_table, birthdays_table, indicator_details, member_table,
                              next_month, pace_notes, quarter_activities, shortfalls)
from ui.components import empty_state, md_escape, score_explainer, view_caption
from ui.frames import branch_indicator_rows
from ui.overview_frames import indicator_comparison
from ui.pickers import branch_picker
from ui.session import page_guard

viewer = page_guard("branch")
f = filters.current()
st.title("支部详情")

branches = data.branches(viewer)
if branches.empty:
    empty_state(viewer)
    st.stop()
if f.unit and (branches["unit"] == f.unit).any():
    branches = branches[branches["unit"] == f.unit]

result = data.scorecard(viewer, f.quarter, f.as_of)
# without a branch in the URL, open on the branch that most needs attention (lowest score)
ranked = result.card.branches[result.card.branches["branch_id"].isin(branches["branch_id"])]
worst = ranked.sort_values(["pace_score", "branch"], na_position="first", kind="stable")["branch_id"]
branch_id = branch_picker(branches, default=int(worst.iloc[0]) if len(worst) else None)
branch = branches[branches["branch_id"] == branch_id].iloc[0]
reader = viewer.focused_on(branch_id)  # the rows below need this branch's data only
unit = branch["unit"] if isinstance(branch["unit"], str) else "未填写单位"
view_caption(f, reader, f"{md_escape(unit)} · {branch['type']}支部")

mine = result.card.branches[result.card.branches["branch_id"] == branch_id]
before = (result.previous.branches[result.previous.branches["branch_id"] == branch_id]
          if result.previous is not None else mine.iloc[0:0])
score = mine["score"].iloc[0] if not mine.empty else None
last = before["score"].iloc[0] if not before.empty else None
with st.container(horizontal=True):
    delta = score_change_text(score, last)
    st.metric("综合得分", score_text(score), delta, border=True,
              delta_description="较上季度" if delta else None)
    if f.is_current_quarter and not mine.empty:
        st.metric("按进度得分", score_text(mine["pace_score"].iloc[0]), border=True,
                  help="本季度进行中：各项按数据已覆盖的天数折算应完成数后计算的得分，颜色据此评价")
    rank = mine["rank"].iloc[0] if not mine.empty else None
    st.metric("全委排名", "—" if rank is None or pd.isna(rank) else f"{int(rank)} / {result.n_ranked}", border=True)
    if not mine.empty:
        st.metric("达标指标", f"{int(mine['n_green'].iloc[0])} / {int(mine['n_scored'].iloc[0])}",
                  border=True, help="计入本季度得分的指标中已达标的项数。年度指标（如组织生活会、民主评议党员）"
                  "第四季度才计入得分，此前图表中只显示其进度，不计在这里")
        st.metric("在册党员", f"{int(mine['n_members'].iloc[0])}人", border=True)
        if f.is_current_quarter:
            st.metric("落后进度的指标", f"{int(mine['n_behind'].iloc[0])}项", border=True)

st.subheader("各项指标完成情况")
rows = branch_indicator_rows(result.card.indicators, branch_id)
if rows.empty:
    st.info("该支部本季度暂无可计算的指标（可能尚未导入名册或台账）。", icon=":material/info:")
else:
    st.plotly_chart(charts.indicator_bullets(rows), config={"displayModeBar": False})
    # full width: 还需 is what the secretary acts on, and beside the chart it was cut off
    st.dataframe(indicator_details(rows), hide_index=True, placeholder="", height="content",
                 column_config={"还需": st.column_config.TextColumn(width="large")})
    if not rows["scored"].all():
        unscored = "、".join(rows.loc[~rows["scored"], "label"])
        st.caption(f"{unscored}为年度指标，图中显示全年进度，第四季度计入综合得分。")

if result.previous is not None:
    with st.expander(f"与{f.quarter.previous().label}对比", icon=":material/compare_arrows:"):
        st.dataframe(indicator_comparison(result.card.indicators, result.previous.indicators, branch_id,
                                          f.quarter), hide_index=True, placeholder="—")
score_explainer(f)

st.subheader("进度预警" if f.is_current_quarter else "未完成事项")
owed = shortfalls(result.card.indicators, branch_id)
if f.is_current_quarter:
    notes = pace_notes(result.card.indicators, branch_id)
    if notes.empty:
        st.success("各项指标均跟上时间进度。", icon=":material/check_circle:")
    for note in notes.itertuples(index=False):
        action = f"**{note.remaining}**" if note.remaining else ""
        st.warning(f"**{note.label}落后进度**：{note.sentence}{action}", icon=":material/schedule:")
    others = [text for text in owed if not text.startswith(tuple(notes["label"] + "："))]
    if others:
        st.markdown("**其余待完成事项：**\n" + "\n".join(f"- {text}" for text in others))
elif owed:
    st.error("本季度已结束，以下指标未达到目标：\n" + "\n".join(f"- {text}" for text in owed),
             icon=":material/error:")
else:
    st.success("本季度各项指标均已完成。", icon=":material/check_circle:")

st.subheader("本季度活动时间线")
ds = data.dataset(reader, f.quarter)
acts = quarter_activities(ds.activities, branch_id, f.quarter.start, f.as_of)
if acts.empty:
    st.info("本季度截至目前，台账中没有该支部的活动记录。", icon=":material/event_busy:")
else:
    st.plotly_chart(charts.activity_timeline(acts, f.quarter.start, f.quarter.end, f.as_of),
                    config={"displayModeBar": False})
    with st.expander(f"活动台账（{len(acts)}次）"):
        st.dataframe(activities_table(acts), hide_index=True, placeholder="", height="content")
counted = ds.activity_counts[ds.activity_counts["branch_id"] == branch_id]
if not counted.empty:
    st.caption("该支部另以《组织生活开展情况统计表》报送活动次数（无具体日期），已计入指标，时间线中不显示。")

st.subheader("党员情况")
figures = data.member_figures(reader, f.quarter, f.as_of)
members = member_table(figures.points, figures.quarter_points, figures.lagging, branch_id)
if members.empty:
    st.info("名册中没有该支部的在册党员。", icon=":material/person_off:")
else:
    hidden = ["本季学习强国积分"] if branch["type"] == "离退休" else []
    hidden += [c for c in ("党小组", "党内职务") if (members[c] == "").all()]
    st.dataframe(
        members, hide_index=True, placeholder="",
        height="content" if len(members) <= 40 else 600,
        column_order=[c for c in members.columns if c not in hidden],
        column_config={
            "本季学习强国积分": st.column_config.NumberColumn(format="%.0f"),
            "年度积分": st.column_config.NumberColumn(format="%.0f",
                                                      help="党员积分制：基础分60分，参加活动、学习和学习强国加分，无故缺席扣分"),
            "标兵": st.column_config.CheckboxColumn(help="本支部年度积分最高的党员"),
            "预警": st.column_config.TextColumn(help="详见「党员预警」页面", width="large"),
        },
    )
    n_flagged = int((members["预警"] != "").sum())
    st.caption(f"共{len(members)}名在册党员，其中{n_flagged}人有预警。年度积分统计至"
               f"{f.as_of:%Y年%m月%d日}。")

month = next_month(f.as_of)
st.subheader(f"{month.month}月政治生日")
birthdays = birthdays_table(data.political_birthdays(reader, f.quarter, month), branch_id)
if birthdays.empty:
    st.caption(f"{month.month}月没有党员过政治生日（或名册中未填写入党日期）。")
else:
    st.caption("可在下月主题党日为以下党员过政治生日。")
    st.dataframe(birthdays, hide_index=True, placeholder="", height="content")
