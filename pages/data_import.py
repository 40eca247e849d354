"""数据导入: upload files, preview and check each one, import on confirmation; the list of import
batches, with undo for administrators. Every import and undo is audited."""

import streamlit as st

from ui import data
from ui.import_frames import batch_label, batches_table
from ui.components import md_escape
from ui.import_view import file_card, run_imports, show_undo_note, undo
from ui.session import page_guard

viewer = page_guard("import")
st.title("数据导入")
st.caption("支持 .xlsx、.xls、.csv 文件，可一次选择多个。系统按表头识别数据类型，先预览和校验，"
           "确认后再导入；每个文件导入为一个批次，管理员可以撤销。")
if viewer.is_secretary:
    st.info(f"支部书记只能导入本支部（{md_escape(viewer.branch)}）的数据：文件中有其他支部的行时，"
            "可以选择只导入本支部的行。",
            icon=":material/lock:")

uploads = st.file_uploader("选择要导入的文件（把文件拖到下面的框里，或点击框右侧的按钮选择）",
                           type=["xlsx", "xls", "csv"], accept_multiple_files=True, key="uploads",
                           help="支持 .xlsx、.xls、.csv，每个文件不超过50MB，可一次选择多个；"
                                "框中的英文提示是浏览器控件自带的文字。")
import_all = st.container()
ready = [item for item in (file_card(u, viewer) for u in uploads or []) if item]
if uploads:
    with import_all:
        st.button(f"导入全部通过校验的文件（{len(ready)}个）", type="primary",
                  icon=":material/upload_file:", disabled=not ready, key="import_all",
                  on_click=run_imports, args=(ready, viewer))

st.divider()
st.subheader("导入记录")
show_undo_note()
batches = data.batches(viewer)
if batches.empty:
    st.caption("还没有导入记录。" if viewer.sees_all_branches else "还没有涉及本支部的导入记录。")
    st.stop()
st.dataframe(batches_table(batches), hide_index=True, placeholder="",
             column_config={"批次": st.column_config.NumberColumn(format="%d", width="small")})
if not viewer.sees_all_branches:
    st.caption("只列出包含本支部数据的批次。")

if viewer.is_admin:
    live = batches[batches["undone_at"].isna()]
    with st.expander("撤销一个导入批次", icon=":material/undo:"):
        if live.empty:
            st.caption("没有可以撤销的批次。")
        else:
            labels = {int(r["id"]): batch_label(r) for _, r in live.iterrows()}
            picked = st.selectbox("批次", list(labels), format_func=labels.get, key="undo_pick")
            st.caption("撤销后，该批导入的数据不再计入；此前被它覆盖的数据恢复有效。撤销会记入审计日志。")
            sure = st.checkbox(f"我确认撤销{labels[picked]}", key=f"undo_sure_{picked}")
            st.button("撤销该批导入", type="primary", disabled=not sure, key="undo_go",
                      on_click=undo, args=(picked, viewer))
