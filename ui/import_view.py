"""The pieces of the 数据导入 page: one card per uploaded file (preview, checks, import button),
the import and undo actions (run as button callbacks, so the page renders the new data version),
and their outcomes. Every error a user can cause is shown as a Chinese message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from domain.access import Viewer
from data_loaders.schema import KIND_LABELS, KINDS, LoadResult
from services import importing
from services.importing import KIND_ORDER
from services.importing import ImportOutcome
from ui import data
from ui.import_frames import foreign_rows, preview_frame, problems_frame
from ui.components import md_escape
from ui.errors import log_unexpected
from ui.session import engine, still_logged_in

AUTO = "auto"
OUTCOMES = "import_outcomes"  # session state: file_id → ImportOutcome
UNDO_NOTE = "undo_message"
PROBLEM_COLUMNS = {"级别": st.column_config.TextColumn(width="small"),
                   "行": st.column_config.NumberColumn(width="small", format="%d"),
                   "说明": st.column_config.TextColumn(width=620)}


@dataclass(frozen=True)
class ImportItem:
    """One checked file, ready to import."""

    file_id: str
    name: str
    content: bytes
    kind: str | None  # None: recognised from the headers
    period: tuple[date, date] | None
    detected: str | None
    own_rows_only: bool = False  # a secretary chose to import just their branch's rows


def outcomes() -> dict:
    return st.session_state.setdefault(OUTCOMES, {})


def run_imports(items: list[ImportItem], viewer: Viewer) -> None:
    """Import the items (rosters first so later files find their members); audit and record each
    outcome; then warm the figures the next pages ask for in the background. A button callback."""
    viewer = still_logged_in(viewer)
    if viewer is None or not viewer.can_import:
        return
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    imported = False
    for item in sorted(items, key=lambda i: rank.get(i.detected, 99)):
        try:
            result = data.preview(viewer, item.content, item.name, item.kind, item.period)
            store = importing.store_own_rows if item.own_rows_only else importing.store
            outcome = store(engine(), result, item.content, viewer)
        except Exception:  # never a traceback: storage rolls back, the user gets a sentence
            ref = log_unexpected(f"import of {item.name}")
            outcome = ImportOutcome(item.name, "rejected",
                                    message=f"导入时发生意外错误，未导入任何数据。请稍后重试或联系管理员（参考编号 {ref}）。")
        outcomes()[item.file_id] = outcome
        imported = imported or outcome.status == "imported"
    if imported:
        data.warm_in_background()


def undo(batch_id: int, viewer: Viewer) -> None:
    """Undo one batch and audit it (a button callback); the message is shown on the next run."""
    viewer = still_logged_in(viewer)
    if viewer is None:
        return
    try:
        message = importing.undo(engine(), batch_id, viewer)
    except (LookupError, PermissionError) as exc:
        st.session_state[UNDO_NOTE] = ("error", str(exc))
        return
    st.session_state[UNDO_NOTE] = ("success", message)
    data.warm_in_background()


def show_undo_note() -> None:
    if note := st.session_state.pop(UNDO_NOTE, None):
        (st.success if note[0] == "success" else st.error)(note[1])


def show_outcome(outcome: ImportOutcome) -> None:
    if outcome.status == "imported":
        st.success(f"导入成功：{outcome.message}", icon=":material/check_circle:")
    elif outcome.status == "duplicate":
        st.info(outcome.message, icon=":material/content_copy:")
    else:
        st.error(outcome.message or "文件未导入。", icon=":material/block:")
    if outcome.problems:
        with st.expander(f"导入时发现的问题（{len(outcome.problems)}条）",
                         expanded=outcome.status == "rejected"):
            st.dataframe(problems_frame(outcome.problems), hide_index=True, placeholder="",
                         column_config=PROBLEM_COLUMNS)


def _preview(viewer: Viewer, content: bytes, name: str, kind: str | None = None,
             period: tuple[date, date] | None = None) -> LoadResult | None:
    try:
        return data.preview(viewer, content, name, kind, period)
    except Exception:  # the loaders report bad input as problems; this is the last line of defence
        log_unexpected(f"preview of {name}")
        return None


def file_card(upload, viewer: Viewer) -> ImportItem | None:
    """Preview and check one uploaded file in a bordered card; returns it when it can be imported."""
    fid, name, content = upload.file_id, upload.name, upload.getvalue()
    with st.container(border=True):
        st.markdown(f"**:material/description: {md_escape(name)}**")
        detected = _preview(viewer, content, name)
        if detected is None:
            st.error("无法读取该文件，请确认它是完整的 Excel 或 CSV 文件。", icon=":material/error:")
            return None
        found = KIND_LABELS.get(detected.kind, "无法识别")
        left, right = st.columns(2, vertical_alignment="bottom")
        with left:
            choice = st.selectbox(
                "数据类型", [AUTO, *KINDS], key=f"kind_{fid}",
                format_func=lambda k: f"自动识别：{found}" if k == AUTO else KIND_LABELS[k],
                help="系统按表头识别；识别有误时可手动指定。")
        kind = None if choice == AUTO else choice
        result = _preview(viewer, content, name, kind) if kind else detected
        period = None
        with right:
            if result is not None and result.kind == "xuexi" and result.period is None:
                start_col, end_col = st.columns(2)
                start = start_col.date_input("统计期间开始", value=None, key=f"start_{fid}",
                                             help="文件中没有统计期间，请按导出时选择的区间填写")
                end = end_col.date_input("统计期间结束", value=None, key=f"end_{fid}")
                if start and end:
                    period = (start, end)
                    result = _preview(viewer, content, name, kind, period)
            elif result is not None and result.period:
                st.markdown(f"统计期间：**{result.period[0]:%Y-%m-%d}至{result.period[1]:%Y-%m-%d}**")
        if result is None:
            st.error("按所选类型无法读取该文件，请改回自动识别或换一个类型。", icon=":material/error:")
            return None
        own_only = _checks(result, fid, viewer)

        done = outcomes().get(fid)
        item = ImportItem(fid, name, content, kind, period, result.kind, own_only)
        ready = (result.ok or own_only) and (done is None or not done.ok)
        st.button("导入此文件", key=f"import_{fid}", type="primary", icon=":material/upload:",
                  disabled=not ready, on_click=run_imports, args=([item], viewer))
        if done is not None:
            show_outcome(done)
        return item if ready else None


def _checks(result: LoadResult, fid: str, viewer: Viewer) -> bool:
    """Rows, errors and warnings of a previewed file, its first rows, every problem. Returns
    whether a secretary chose to import only their own branch's rows of a mixed file."""
    errors, warnings = result.errors, result.warnings
    with st.container(horizontal=True):
        st.metric("数据行数", f"{len(result.frame)}行", border=True)
        st.metric("错误", f"{len(errors)}处", border=True)
        st.metric("提示", f"{len(warnings)}条", border=True)
    own_only = False
    foreign = foreign_rows(result.frame, viewer)
    if foreign:
        st.warning(f"文件中有{foreign}行不属于本支部（{md_escape(viewer.branch)}）：整个文件不能导入。",
                   icon=":material/lock:")
        own_errors = [p for p in errors if p.column != "支部"]
        if len(result.frame) > foreign and not own_errors:
            own_only = st.checkbox(f"只导入本支部的{len(result.frame) - foreign}行，其余各行不导入",
                                   key=f"own_{fid}")
    if errors and outcomes().get(fid) is None:
        shown = "\n".join(f"- {md_escape(p.describe())}" for p in errors[:10])
        more = f"\n\n另有{len(errors) - 10}处错误，见下表。" if len(errors) > 10 else ""
        todo = ("请在右上方选择统计期间" if all(p.code == "missing_period" for p in errors)
                else "请修改后重新上传")
        st.error(f"**文件有{len(errors)}处错误，暂不能导入。{todo}：**\n{shown}{more}",
                 icon=":material/block:")
    if not result.frame.empty:
        st.caption("前10行预览（不显示联系电话、身份证号）：")
        st.dataframe(preview_frame(result.frame, result.kind), hide_index=True, placeholder="")
    if result.problems:
        with st.expander(f"全部问题（错误{len(errors)}处，提示{len(warnings)}条；提示不影响导入）",
                         expanded=len(result.problems) <= 5):
            st.dataframe(problems_frame(result.problems), hide_index=True, placeholder="",
                         column_config=PROBLEM_COLUMNS)
    return own_only
