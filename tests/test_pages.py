"""The dashboard pages on the sample database (AppTest): each page runs, shows its key content,
and shows only what the viewer's role allows; page files opened directly need a login.

Tests that write (imports, undo, saved targets, users, downloads) work on a copy of the sample
database, so the shared one stays read-only.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from domain.access import SYSTEM
from tests.apptest_helpers import DEMO_USERS, ROOT, all_text, open_file_directly, open_page
from ui.nav import PAGES

pytestmark = pytest.mark.usefixtures("app_env")


def _engine(url: str):
    from storage.db import get_engine

    return get_engine(url)


def _run_logged_in(page: str, role: str) -> AppTest:
    """Run one page file on its own with a live session — a direct URL, or a stale link."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.session_state["auth_user"] = DEMO_USERS[role]
    at.session_state["auth_seen"] = time.time()
    at.session_state["auth_demo"] = True
    at.run()
    return at


def _quarter(url: str):
    from services.analytics import quarters_with_data

    return quarters_with_data(_engine(url))[0]


def _assert_no_other_branch(at: AppTest, facts: dict) -> None:
    text = all_text(at) + " ".join(str(s.options) for s in at.selectbox)
    others = [b for b in facts["branches"] if b != facts["own"] and b in text]
    assert not others, others


def _plotly_count(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


# --- 支部详情 ------------------------------------------------------------------------------------


def test_branch_detail_opens_the_branch_from_the_url(sample_db_url, sample_facts):
    from storage.queries import branch_list

    target = branch_list(_engine(sample_db_url), SYSTEM).iloc[-1]
    at = open_page("pages/branch_detail.py", "leader",
                   query={"branch": str(int(target["branch_id"]))})
    assert not at.exception
    picker = at.selectbox(key="branch")
    assert picker.value == target["branch"]
    assert set(picker.options) == set(sample_facts["branches"])
    heads = [h.value for h in at.subheader]
    for head in ("各项指标完成情况", "本季度活动时间线", "党员情况"):
        assert head in heads
    assert _plotly_count(at) >= 1  # the bullets, and the timeline when there are activities
    members = next(df.value for df in at.dataframe if "年度积分" in df.value.columns)
    assert len(members) > 0 and "本季学习强国积分" in members.columns


def test_branch_detail_shows_pace_and_remaining_actions_in_words():
    at = open_page("pages/branch_detail.py", "admin")
    assert not at.exception
    text = all_text(at)
    assert "还需" in text  # e.g. 还需召开1次支委会 / 学习强国人均每日还需28分
    table = next(df.value for df in at.dataframe if "年度积分" in df.value.columns)
    flagged = table["预警"] != ""
    # Flagged members come first.
    assert list(flagged) == sorted(flagged, reverse=True)


def test_secretary_branch_detail_is_their_branch_only(sample_facts):
    other = next(b for b in sample_facts["branches"] if b != sample_facts["own"])
    at = open_page("pages/branch_detail.py", "secretary", query={"branch": other})
    assert not at.exception
    assert at.selectbox(key="branch").options == [sample_facts["own"]]
    assert at.selectbox(key="branch").value == sample_facts["own"]
    _assert_no_other_branch(at, sample_facts)


# --- 党员预警 ------------------------------------------------------------------------------------


def test_lagging_rows_sorted_by_number_of_reasons(sample_db_url):
    """2026Q3 of the sample: the two 王磊 of 市司法局第一 are 同名待核实 (sample_data/README.md), and
    钱晓红, who joined 市卫健委第二 in October, is on no Q3 list."""
    at = open_page("pages/lagging.py", "leader", query={"q": "2026年第三季度"})
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["原因数"]) == sorted(table["原因数"], reverse=True)
    same = table[table["姓名"].str.startswith("王磊（同名")]  # told apart, never merged
    assert len(same) == 2 and set(same["支部"]) == {"市司法局第一党支部"}
    assert set(same["预警原因"]) == {"同名待核实"}
    assert "钱晓红" not in set(table["姓名"])
    assert [b.label for b in at.download_button] == ["下载 CSV", "下载 Excel"]


def test_lagging_filter_by_reason_and_branch(sample_db_url):
    at = open_page("pages/lagging.py", "admin")
    at.pills(key="reason").set_value(["absent"]).run()
    table = at.dataframe[0].value
    assert len(table) > 0 and table["预警原因"].str.contains("无故缺席").all()
    assert (table["无故缺席次数"] >= 2).all()
    branch = table["支部"].iloc[0]
    at.selectbox(key="lag_branch").set_value(branch).run()
    assert not at.exception
    assert set(at.dataframe[0].value["支部"]) == {branch}


def _offered_downloads(monkeypatch) -> list[dict]:
    """What every st.download_button of a page run was given (AppTest runs no media server, so
    a file built on click is only reachable here)."""
    import streamlit

    offered, real = [], streamlit.download_button

    def spy(label, data, *args, **kwargs):
        offered.append({"label": label, "data": data, **kwargs})
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", spy)
    return offered


def test_lagging_download_is_built_on_click_and_audited(writable_env, monkeypatch):
    """The page run writes no audit entry and reruns nothing on the click; building the file
    (what the click does) writes one entry naming the list, with the file's rows."""
    from storage.audit_log import audit_log

    offered = _offered_downloads(monkeypatch)
    at = open_page("pages/lagging.py", "admin")
    assert not at.exception
    engine = _engine(writable_env)
    assert audit_log(engine, action="export").empty
    by_label = {d["label"]: d for d in offered}  # the first run (总览) offered the ranking too
    csv, xlsx = by_label["下载 CSV"], by_label["下载 Excel"]
    assert csv["on_click"] == xlsx["on_click"] == "ignore"
    import csv as csv_module

    table = list(csv_module.reader(csv["data"]().decode("utf-8-sig").splitlines(keepends=True)))
    rows = len(at.dataframe[0].value)
    assert table[0][:2] == ["支部", "姓名"] and len(table) == rows + 1
    log = audit_log(engine, action="export")
    assert len(log) == 1 and log["detail"].iloc[0].startswith("党员预警")
    assert log["detail"].iloc[0].endswith(f"CSV {rows}行")
    assert xlsx["data"]()[:2] == b"PK" and len(audit_log(engine, action="export")) == 2


def test_every_download_button_is_built_on_click(writable_env, monkeypatch):
    """Every page's downloads: a file built on click, and a click that reruns nothing (a rerun
    gave the button beside it a new file id while the browser still held the old one)."""
    offered = _offered_downloads(monkeypatch)
    for page, role in (("pages/overview.py", "leader"), ("pages/inspection.py", "secretary"),
                       ("pages/work_report.py", "admin"), ("pages/lagging.py", "secretary")):
        before = len(offered)
        at = open_page(page, role)
        assert not at.exception, page
        assert len(offered) > before, page
    assert all(callable(d["data"]) and d["on_click"] == "ignore" for d in offered)


def test_secretary_lagging_shows_own_branch_only(sample_facts):
    at = open_page("pages/lagging.py", "secretary")
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "branch"]  # no branch filter to choose from
    _assert_no_other_branch(at, sample_facts)


# --- 数据导入 ------------------------------------------------------------------------------------


def _changed_xuexi_csv() -> bytes:
    """The sample 学习强国 October export with one figure changed: new content, same shape."""
    text = (ROOT / "sample_data" / "学习强国_2026-10.csv").read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    cells = lines[2].split(",")
    cells[4] = str(int(cells[4]) + 1)
    lines[2] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def test_import_page_lists_batches(sample_db_url):
    from storage.queries import list_batches

    at = open_page("pages/data_import.py", "admin")
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(list_batches(_engine(sample_db_url), SYSTEM))
    assert list(table["批次"]) == sorted(table["批次"], reverse=True)
    assert any(e.label == "撤销一个导入批次" for e in at.expander)


def test_import_preview_import_and_undo(writable_env):
    from storage.audit_log import audit_log

    at = open_page("pages/data_import.py", "admin")
    at.file_uploader(key="uploads").set_value(("学习强国_10月_更正.csv", _changed_xuexi_csv(), "text/csv"))
    at.run()
    assert not at.exception
    kind = next(s for s in at.selectbox if s.label == "数据类型")
    assert kind.format_func("auto") == "自动识别：学习强国积分导出"
    assert "600行" in [m.value for m in at.metric]
    at.button(key=next(b.key for b in at.button if b.label == "导入此文件")).click().run()
    assert not at.exception
    assert any("导入成功" in s.value for s in at.success)
    batches = next(df.value for df in at.dataframe if "批次" in df.value.columns)
    assert batches["文件"].iloc[0] == "学习强国_10月_更正.csv"
    new_id = int(batches["批次"].iloc[0])

    at.selectbox(key="undo_pick").set_value(new_id).run()
    at.checkbox(key=f"undo_sure_{new_id}").check().run()
    at.button(key="undo_go").click().run()
    assert not at.exception
    batches = next(df.value for df in at.dataframe if "批次" in df.value.columns)
    assert batches.loc[batches["批次"] == new_id, "状态"].iloc[0].startswith("已撤销")
    actions = list(audit_log(_engine(writable_env))["action"])
    assert "import" in actions and "undo" in actions


def test_import_click_after_the_idle_timeout_imports_nothing(writable_env):
    from storage.queries import list_batches

    before = len(list_batches(_engine(writable_env), SYSTEM))
    at = open_page("pages/data_import.py", "admin")
    at.file_uploader(key="uploads").set_value(("学习强国_10月_更正.csv", _changed_xuexi_csv(),
                                                "text/csv")).run()
    at.session_state["auth_seen"] = time.time() - 24 * 3600  # the button callback runs first
    at.button(key=next(b.key for b in at.button if b.label == "导入此文件")).click().run()
    assert not at.exception
    assert len(list_batches(_engine(writable_env), SYSTEM)) == before
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


def test_import_asks_for_a_missing_xuexi_period():
    text = (ROOT / "sample_data" / "学习强国_2026-10.csv").read_bytes().decode("utf-8-sig")
    untitled = "\n".join(text.splitlines()[1:]).encode("utf-8")
    at = open_page("pages/data_import.py", "admin")
    at.file_uploader(key="uploads").set_value(("学习强国_无期间.csv", untitled, "text/csv")).run()
    assert not at.exception
    assert any("没有统计期间" in e.value for e in at.error)  # the loader's message, in Chinese
    assert next(b for b in at.button if b.label == "导入此文件").disabled
    start = next(d for d in at.date_input if d.label == "统计期间开始")
    end = next(d for d in at.date_input if d.label == "统计期间结束")
    from datetime import date

    start.set_value(date(2026, 10, 1))
    end.set_value(date(2026, 10, 31))
    at.run()
    assert not at.exception
    assert not next(b for b in at.button if b.label == "导入此文件").disabled


def test_secretary_import_of_other_branches_is_refused_with_a_message(writable_env, sample_facts):
    at = open_page("pages/data_import.py", "secretary")
    assert any(sample_facts["own"] in i.value for i in at.info)
    upload = ("学习强国_10月.csv", _changed_xuexi_csv(), "text/csv")
    at.file_uploader(key="uploads").set_value(upload).run()
    # said in the preview, before the button: errors counted, the reason shown, no import
    assert any("不属于本支部" in w.value for w in at.warning)
    assert next(m.value for m in at.metric if m.label == "错误") != "0处"
    assert any("只能导入本支部" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "导入此文件").disabled


# --- 数据质量 ------------------------------------------------------------------------------------


def test_quality_tabs_show_the_sample_datas_deliberate_gaps(sample_db_url):
    """The sample data's deliberate cases (sample_data/README.md) for 2026Q3: the two 王磊 of
    市司法局第一 in the export, the study records and an absence list; 3 members under 部门 其他
    assigned by their unique names; 周晓明, 郑雨欣 (学习强国), 李明明 (study) and 张玮 (a ledger
    typo) on no roster; 读书分享会, an unknown activity type."""
    at = open_page("pages/data_quality.py", "leader", query={"q": "2026年第三季度"})
    assert not at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards["同名待核实"] == "3条"
    assert cards["按姓名归入"] == "3条"
    assert cards["名册中找不到的姓名"] == "4条"
    assert cards["无法识别的活动类型"] == "1条"
    tables = {t.label.split("（")[0]: df.value for t, df in zip(at.tabs, at.dataframe)}
    same = tables["同名待核实"]
    assert set(same["姓名"]) == {"王磊"} and set(same["来源"]) == {"学习强国", "学习记录", "缺席名单"}
    assert set(same["支部"]) == {"市司法局第一党支部"} and set(same["同名人数"]) == {2}
    assert set(tables["名册中找不到的姓名"]["姓名"]) == {"周晓明", "郑雨欣", "李明明", "张玮"}
    assert list(tables["无法识别的活动类型"]["台账中的类型"]) == ["读书分享会"]
    assert [t.label for t in at.tabs][-1].startswith("导入提示（")


# --- 目标设置 ------------------------------------------------------------------------------------


def test_targets_editor_shows_the_twelve_indicators():
    at = open_page("pages/targets.py", "admin")
    assert not at.exception
    editor = at.data_editor[0].value
    assert len(editor) == 12
    assert {"支部党员大会", "参会率", "学习强国人均积分", "民主评议党员"} <= set(editor["指标"])
    assert at.button(key="targets_save").disabled  # nothing changed yet


def test_targets_are_read_only_for_leaders():
    at = open_page("pages/targets.py", "leader")
    assert not at.exception
    assert not at.data_editor and len(at.dataframe[0].value) == 12
    assert all(n.disabled for n in at.number_input)
    assert not [b for b in at.button if b.key == "targets_save"]


def test_targets_validation_and_save(writable_env):
    from storage.audit_log import audit_log
    from storage.queries import get_setting

    at = open_page("pages/targets.py", "admin")
    green = next(n for n in at.number_input if n.label == "综合得分达标线")
    green.set_value(70).run()
    assert any("不能高于" in e.value for e in at.error)
    assert at.button(key="targets_save").disabled
    next(n for n in at.number_input if n.label == "综合得分达标线").set_value(90).run()
    next(n for n in at.number_input if n.label == "无故缺席预警次数").set_value(3).run()
    at.button(key="targets_save").click().run()
    assert not at.exception
    assert get_setting(_engine(writable_env), "metrics") == {"lagging": {"absent_threshold": 3}}
    log = audit_log(_engine(writable_env), action="targets_edit")
    assert "无故缺席预警次数 2 → 3" in log["detail"].iloc[0]


# --- 用户管理、审计日志 -------------------------------------------------------------------------


def test_users_add_weak_password_then_add_and_disable(writable_env):
    from storage.accounts import get_user
    from storage.audit_log import audit_log

    at = open_page("pages/users.py", "admin")
    assert not at.exception and len(at.dataframe[0].value) == 3

    role = next(s for s in at.selectbox if s.label == "角色")
    assert role.value == "secretary"  # a new account starts with the least privilege
    role.set_value("admin")

    def fill(password: str) -> None:
        inputs = {t.label: t for t in at.text_input}
        inputs["用户名"].set_value("zhangsan")
        inputs["姓名"].set_value("张三")
        inputs["初始密码"].set_value(password)
        inputs["再次输入密码"].set_value(password)
        next(b for b in at.button if b.label == "新增用户").click()
        at.run()

    fill("short1")
    assert any("至少12位" in e.value for e in at.error)
    assert get_user(_engine(writable_env), "zhangsan") is None
    fill("Hongqi-Qiao-47")
    assert not at.exception
    assert get_user(_engine(writable_env), "zhangsan")["role"] == "admin"
    at.selectbox(key="toggle_user").set_value("zhangsan").run()
    at.button(key="toggle_go").click().run()
    assert get_user(_engine(writable_env), "zhangsan")["disabled"]
    actions = list(audit_log(_engine(writable_env))["action"])
    assert "user_add" in actions and "user_disable" in actions


def test_audit_log_newest_first_and_filtered(writable_env):
    from datetime import datetime

    from storage.audit_log import audit

    engine = _engine(writable_env)
    # One whole-second timestamp among fractional ones: SQLite stores both text forms.
    audit(engine, "demo_admin", "export", "第一条", at=datetime(2026, 11, 2, 9, 0, 0))
    audit(engine, "demo_admin", "export", "第二条")
    at = open_page("pages/audit_log.py", "admin")
    assert not at.exception
    at.selectbox(key="action").set_value("export").run()
    table = at.dataframe[0].value
    assert list(table["详情"]) == ["第二条", "第一条"]
    assert set(table["操作"]) == {"导出下载"}


# --- who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "leader", "secretary"])
def test_each_role_navigates_only_to_its_pages(role):
    missing = [p.path for p in PAGES.values() if not (ROOT / p.path).exists()]
    assert not missing, f"a page in the navigation has no file: {missing}"
    at = open_page(None, role)
    assert not at.exception
    for spec in PAGES.values():
        if role in spec.roles:
            at.switch_page(spec.path)  # registered in this role's navigation
        else:
            with pytest.raises(ValueError):
                at.switch_page(spec.path)


REFUSED = [(role, spec.path) for spec in PAGES.values() for role in DEMO_USERS
           if role not in spec.roles]


@pytest.mark.parametrize("role,page", REFUSED)
def test_page_of_another_role_refuses_and_shows_no_data(role, page):
    assert (ROOT / page).exists(), f"{page} is in the navigation but has no file"
    at = _run_logged_in(page, role)
    assert not at.exception
    assert any("不对" in e.value and "开放" in e.value for e in at.error)
    assert not at.dataframe and not at.get("plotly_chart")


@pytest.mark.parametrize("page", [spec.path for spec in PAGES.values()])
def test_page_file_opened_without_login_shows_the_login_form(page):
    assert (ROOT / page).exists(), f"{page} is in the navigation but has no file"
    at = open_file_directly(page)
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.dataframe and not at.get("plotly_chart") and not at.metric
