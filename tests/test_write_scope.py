"""A secretary changes their own branch only (issue 19): through the real upload page and through
storage, on a copy of the sample database. The demo secretary answers for 市交通运输局第一党支部;
吴颖 (党员编号 130205001) belongs to 市发改委第一党支部."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import text

from domain.access import SYSTEM, Viewer
from services import analytics
from services.importing import import_bytes
from storage.db import get_engine
from tests.apptest_helpers import open_page

OWN = "市交通运输局第一党支部"
OTHER = "市发改委第一党支部"
OTHER_CODE, OTHER_NAME = "130205001", "吴颖"


def _secretary(engine) -> Viewer:
    with engine.connect() as conn:
        branch_id = conn.execute(text("SELECT id FROM branch WHERE name = :n"), {"n": OWN}).scalar_one()
    return Viewer("demo_secretary", "secretary", branch_id=int(branch_id), branch=OWN)


def _own_names(engine, n: int) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT m.name FROM membership m JOIN branch b ON b.id = m.branch_id"
            " WHERE b.name = :n AND m.end_date IS NULL ORDER BY m.member_id LIMIT :k"), {"n": OWN, "k": n})]


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8-sig")


def _where_is(engine, code: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(text(
            "SELECT b.name FROM membership m JOIN branch b ON b.id = m.branch_id"
            " WHERE m.member_code = :c AND m.end_date IS NULL"), {"c": code}))


def _roster_with_anothers_code(engine) -> bytes:
    rows = [["姓名", "所在党支部", "党员编号", "支部类型"]]
    rows += [[name, OWN, "", "在职"] for name in _own_names(engine, 3)]
    rows.append([OTHER_NAME, OWN, OTHER_CODE, "在职"])  # claims 吴颖 for the secretary's branch
    return _csv(rows)


def test_secretary_cannot_move_another_branchs_member_by_code_through_the_upload_page(writable_env):
    engine = get_engine(writable_env)
    content = _roster_with_anothers_code(engine)
    at = open_page("pages/data_import.py", "secretary")
    at.file_uploader(key="uploads").set_value(("名册.csv", content, "text/csv")).run()
    assert not at.exception
    # said in the preview, before anything is stored: the error names the code's row
    errors = next(m.value for m in at.metric if m.label == "错误")
    assert errors == "1处"
    assert any("党员编号" in e.value and "其他支部" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "导入此文件").disabled
    # and the storage layer refuses the same file on its own
    outcome = import_bytes(engine, content, "名册.csv", _secretary(engine))
    assert outcome.status == "rejected"
    assert _where_is(engine, OTHER_CODE) == [OTHER]  # 吴颖 has not moved


def test_secretary_cannot_give_another_branchs_member_xuexi_points_by_code(writable_env):
    engine = get_engine(writable_env)
    before = analytics.scorecard(engine, SYSTEM, "2026Q3", date(2026, 9, 30)).card.branches
    rows = [["统计时间：2026-09-01至2026-09-30", "", "", ""], ["姓名", "部门", "计入年度积分", "学习强国ID"]]
    rows.append([OTHER_NAME, OWN, "9000", OTHER_CODE])
    outcome = import_bytes(engine, _csv(rows), "学习强国.csv", _secretary(engine))
    assert outcome.status == "rejected"
    assert any(p.column == "党员编号" for p in outcome.problems)
    after = analytics.scorecard(engine, SYSTEM, "2026Q3", date(2026, 9, 30)).card.branches
    pd.testing.assert_frame_equal(before, after)


def test_secretary_roster_does_not_reclassify_the_branch(writable_env):
    engine = get_engine(writable_env)
    rows = [["姓名", "所在党支部", "支部类型", "单位党组织"]]
    rows += [[name, OWN, "离退休", "市财政局机关党委"] for name in _own_names(engine, 3)]
    outcome = import_bytes(engine, _csv(rows), "名册.csv", _secretary(engine))
    assert outcome.status == "imported"
    branches = analytics.branches(engine, SYSTEM).set_index("branch")
    assert branches.loc[OWN, "type"] == "在职"            # only an administrator changes it
    assert branches.loc[OWN, "unit"] != "市财政局机关党委"


def test_secretary_may_import_just_the_own_rows_of_a_mixed_file(writable_env):
    engine = get_engine(writable_env)
    own = _own_names(engine, 2)
    rows = [["姓名", "所在党支部", "日期", "学习形式"],
            [own[0], OWN, "2026-12-01", "自学"], [own[1], OWN, "2026-12-02", "自学"],
            ["某人", OTHER, "2026-12-03", "自学"]]
    content = _csv(rows)
    at = open_page("pages/data_import.py", "secretary")
    at.file_uploader(key="uploads").set_value(("学习记录.csv", content, "text/csv")).run()
    assert next(b for b in at.button if b.label == "导入此文件").disabled
    box = next(c for c in at.checkbox if c.label.startswith("只导入本支部的"))
    assert box.label == "只导入本支部的2行，其余各行不导入"
    box.check().run()
    next(b for b in at.button if b.label == "导入此文件").click().run()
    assert not at.exception
    with engine.connect() as conn:
        stored = sorted(r[0] for r in conn.execute(text(
            "SELECT name FROM study_record WHERE date >= '2026-12-01' AND is_current")))
    assert stored == sorted(own[:2])
    # the whole file is still new to an administrator (its fingerprint was not taken)
    assert import_bytes(engine, content, "学习记录.csv", SYSTEM).status == "imported"


def test_roster_personal_data_is_not_stored_without_a_key(engine, monkeypatch):
    monkeypatch.delenv("DASHBOARD_PII_KEY", raising=False)
    content = _csv([["姓名", "所在党支部", "联系电话", "身份证号"],
                    ["张伟", "一支部", "13900000000", "110101199001011234"]])
    assert import_bytes(engine, content, "名册.csv", SYSTEM).status == "imported"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT phone, id_number FROM member_version")).all() == [(None, None)]


def test_roster_personal_data_is_stored_encrypted_with_a_key(engine, monkeypatch):
    from cryptography.fernet import Fernet

    from storage.pii import reveal

    monkeypatch.setenv("DASHBOARD_PII_KEY", Fernet.generate_key().decode())
    content = _csv([["姓名", "所在党支部", "联系电话"], ["张伟", "一支部", "13900000000"]])
    assert import_bytes(engine, content, "名册.csv", SYSTEM).status == "imported"
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT phone FROM member_version")).scalar_one()
    assert "13900000000" not in stored and reveal(stored) == "13900000000"
