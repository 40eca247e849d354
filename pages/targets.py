"""目标设置: indicator targets and weights, status thresholds, lagging thresholds and points rules.
Administrators edit and save them (validated, audited); leaders see them read-only."""

import streamlit as st

from services import settings
from ui import data, filters
from ui import targets_form as form
from ui.session import engine, page_guard

viewer = page_guard("targets")
f = filters.current()
editable = viewer.can_edit_settings
st.title("目标设置")
st.caption(f"各项指标在{f.quarter.label}执行的目标、权重和预警规则，以及每项的来源。"
           "导入的《目标》表优先于本页设置；本页保存后，全部页面立即按新目标计算。"
           + ("" if editable else "领导账号只能查看，如需修改请联系管理员。"))
if notice := st.session_state.pop("targets_notice", None):
    st.success(notice, icon=":material/check_circle:")

try:
    current = form.effective(data.saved_settings())
except ValueError as exc:
    st.error(f"已保存的设置有误，暂按默认值显示：{exc}")
    current = form.defaults()
version = data.version()

st.subheader("指标目标与权重")
in_force = data.targets_in_force(f.quarter)
table = form.indicator_frame(current, in_force)
number = st.column_config.NumberColumn(min_value=0, step=0.01, format="%g")
columns = {"key": None, "在职目标": number, "离退休目标": number, "权重": number,
           "填写说明": st.column_config.TextColumn(width="large")}
if editable:
    edited = st.data_editor(table, key=f"targets_table_{version}", hide_index=True,
                            height="content", placeholder="不适用",
                            disabled=["key", "指标", "类型", "期间", "来源", "填写说明"],
                            column_config=columns, num_rows="fixed")
else:
    st.dataframe(table, hide_index=True, column_config=columns, height="content",
                 placeholder="不适用")
    edited = table
st.caption("目标留空表示该类支部不考核此项（如离退休支部不考核学习强国）；权重为0表示只显示、不计入综合得分。"
           "组织生活会、民主评议党员为年度指标，第四季度计分。")


def number_fields(fields: list, columns: int) -> dict:
    values = {}
    slots = st.columns(columns)
    for i, field in enumerate(fields):
        kind = int if field.is_int else float
        with slots[i % columns]:
            values[field.path] = st.number_input(
                field.label, min_value=kind(field.low),
                max_value=kind(field.high) if field.high is not None else None,
                value=kind(form.get(current, field.path)), step=kind(field.step),
                key=f"{'.'.join(field.path)}_{version}", disabled=not editable,
                help=field.help or None)
    return values


values = {}
st.subheader("红黄绿分档")
values |= number_fields(form.STATUS_FIELDS, 4)
st.subheader("党员预警规则")
values |= number_fields(form.LAGGING_FIELDS, 3)
st.subheader("党员积分规则")
values |= number_fields(form.POINTS_FIELDS, 4)

if editable:
    errors = form.validate(edited, current, values) + form.import_conflicts(table, edited, in_force)
    for message in errors:
        st.error(message, icon=":material/error:")
    updated = form.apply_edits(current, edited, values, in_force)
    pending = form.changes(current, updated)
    if pending and not errors:
        st.info("未保存的修改：" + "；".join(pending), icon=":material/edit_note:")
    if st.button("保存", type="primary", icon=":material/save:", disabled=bool(errors) or not pending,
                 key="targets_save"):
        saved = form.overrides(form.defaults(), updated)
        try:
            form.effective(saved)
            settings.save(engine(), viewer, saved, pending)
        except (ValueError, PermissionError) as exc:
            st.error(f"未保存：{exc}")
        else:
            st.session_state["targets_notice"] = f"已保存{len(pending)}项修改。"
            st.rerun()

imported = data.imported_targets(f.quarter)
if not imported.empty:
    st.subheader("已导入的目标表")
    st.caption("通过「数据导入」导入的《目标》文件优先于上面的设置；带“适用季度”的行只对该季度有效。"
               "如需改用上面的设置，请在数据导入页撤销该批次。")
    st.dataframe(form.imported_table(imported, current), hide_index=True, height="content",
                 placeholder="—")
