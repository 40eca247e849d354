"""数据质量: what the figures of the quarter could not use, and why — names not on the roster,
ambiguous names, unknown activity types, missing 学习强国 exports, branches without a roster,
export overlaps, ledger/count clashes — plus the warnings kept from every import."""

import streamlit as st

from ui import data, filters
from ui.components import empty_state
from ui.quality_frames import sections, warnings_table
from ui.session import page_guard

viewer = page_guard("quality")
f = filters.current()
st.title("数据质量")
st.caption(f"{f.quarter.label} · 截至{f.as_of:%Y年%m月%d日}"
           + (f" · {f.unit}" if f.unit else "") + " · 以下问题会让看板上的数字偏低或不完整。")

branches = data.branches(viewer)
if branches.empty:
    empty_state(viewer)
    st.stop()
in_unit = set(branches.loc[branches["unit"] == f.unit, "branch_id"]) if f.unit else None
batches = data.batches(viewer)
file_names = dict(zip(batches["id"].astype(int), batches["file_name"]))
parts = sections(data.quality(viewer, f.quarter, f.as_of), file_names, in_unit)
stored = data.stored_warnings(viewer)

with st.container(horizontal=True):
    for part in parts:
        st.metric(part.title, f"{len(part.table)}条", border=True)
    st.metric("导入提示", f"{len(stored)}条", border=True,
              help="导入时发现、但不影响导入的问题，按文件保存")

problems = [p for p in parts if not p.table.empty]
clean = [p.title for p in parts if p.table.empty]
if clean:
    st.success(("以下检查未发现问题：" if problems else "本季度没有发现数据问题：") + "、".join(clean) + "。",
               icon=":material/check_circle:")
tabs = st.tabs([f"{p.title}（{len(p.table)}）" for p in problems] + [f"导入提示（{len(stored)}）"])
for tab, part in zip(tabs, problems):
    with tab:
        st.caption(part.advice)
        st.dataframe(part.table, hide_index=True, placeholder="",
                     height="content" if len(part.table) <= 20 else 500)

with tabs[-1]:
    if stored.empty:
        st.success("导入的文件没有留下提示。", icon=":material/check_circle:")
    else:
        st.caption("导入时发现、但不影响导入的问题（如名册中没有的姓名、无法识别的活动类型），按批次列出；"
                   "已撤销批次的提示不显示。")
        files = ["全部文件", *dict.fromkeys(stored["file_name"])]
        picked = st.selectbox("文件", files, key="quality_file")
        shown = stored if picked == files[0] else stored[stored["file_name"] == picked]
        st.dataframe(warnings_table(shown), hide_index=True, placeholder="",
                     column_config={"批次": st.column_config.NumberColumn(format="%d")})
