"""Storage: batches, versions, undo, atomicity and viewer scoping — on SQLite and PostgreSQL.

Frames are built by hand in the loaders' canonical shape, so these tests exercise storage alone.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from domain.access import SYSTEM, Viewer
from data_loaders.schema import CANONICAL_COLUMNS, COLUMN_TYPES, LoadResult, Problem
from storage import imports as imports_module
from storage.imports import import_result, undo_batch
from storage.queries import data_version, list_batches, load_dataset, stored_warnings

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
FIN1 = "市财政局第一党支部"
FIN2 = "市财政局第二党支部"


def frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical loader frame: given values, NA (or [] for lists) elsewhere."""
    data = {}
    for col in CANONICAL_COLUMNS[kind]:
        typ = COLUMN_TYPES[col]
        values = [r.get(col) for r in rows]
        if typ == "list":
            data[col] = pd.Series([v or [] for v in values], dtype=object)
        elif typ == "date":
            data[col] = pd.to_datetime(pd.Series(values, dtype=object))
        elif typ in ("float",):
            data[col] = pd.Series(values, dtype="float64")
        elif typ == "Int64":
            data[col] = pd.Series(values, dtype="Int64")
        elif typ == "bool":
            data[col] = pd.Series([bool(v) for v in values], dtype=bool)
        else:
            data[col] = pd.Series(values, dtype="str")
    return pd.DataFrame(data)


def result(kind, rows, name="f.xlsx", period=None, problems=(), as_of=None):
    loaded = LoadResult(name, kind, frame(kind, rows), period, list(problems))
    loaded.as_of = as_of  # a roster's snapshot date (None: the import date)
    return loaded


ROSTER = [
    {"sheet": "S", "row": 3, "name": "张伟", "branch": FIN1, "unit": "市财政局机关党委",
     "branch_type": "在职", "role": "书记", "group": "第一党小组"},
    {"sheet": "S", "row": 4, "name": "李娜", "branch": FIN1, "unit": "市财政局机关党委",
     "branch_type": "在职", "group": "第一党小组"},
    {"sheet": "S", "row": 5, "name": "王芳", "branch": FIN2, "unit": "市财政局机关党委",
     "branch_type": "在职"},
]


def counts(engine) -> dict[str, int]:
    tables = ["import_batch", "branch", "member", "member_version", "branch_version", "activity",
              "activity_person", "study_record", "xuexi_score", "other_record", "import_problem"]
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


def test_roster_import_creates_branches_and_members(engine):
    outcome = import_result(engine, result("roster", ROSTER), b"roster-1", SYSTEM)
    assert outcome.status == "imported" and outcome.rows == 3
    ds = load_dataset(engine, SYSTEM)
    assert sorted(ds.branches["branch"]) == [FIN1, FIN2]
    assert set(ds.branches["unit"]) == {"市财政局机关党委"}
    members = ds.members.set_index("name")
    assert members.loc["张伟", "branch"] == FIN1 and members.loc["张伟", "role"] == "书记"
    assert members.loc["王芳", "branch"] == FIN2
    assert set(members["status"]) == {"active"}


def test_same_content_twice_changes_nothing(engine):
    first = import_result(engine, result("roster", ROSTER), b"same bytes", SYSTEM)
    before, version = counts(engine), data_version(engine)
    second = import_result(engine, result("roster", ROSTER), b"same bytes", SYSTEM)
    assert second.status == "duplicate" and second.batch_id == first.batch_id
    assert "未做任何改动" in second.message
    assert counts(engine) == before and data_version(engine) == version


def test_file_with_errors_is_rejected_and_nothing_stored(engine):
    bad = result("roster", ROSTER, problems=[
        Problem("f.xlsx", "S", 7, "入党日期", "2026-13-01", "日期无法识别"),
    ])
    before = counts(engine)
    outcome = import_result(engine, bad, b"bad", SYSTEM)
    assert outcome.status == "rejected"
    assert outcome.problems[0].row == 7 and outcome.problems[0].column == "入党日期"
    assert counts(engine) == before


def test_a_newer_roster_ends_the_membership_of_whom_it_drops_and_undo_restores_it(engine):
    import_result(engine, result("roster", ROSTER, as_of=date(2026, 6, 30)), b"r1", SYSTEM)
    # The October FIN1 roster lists only 李娜 (now in 第二党小组) and a newcomer; 王芳 of FIN2 is
    # not in the file, and FIN2 is not either.
    newcomer = dict(ROSTER[1], row=5, name="钱红")
    newer = [dict(ROSTER[1], group="第二党小组"), newcomer]
    second = import_result(engine, result("roster", newer, as_of=date(2026, 10, 1)), b"r2", SYSTEM)

    def members(start, end):
        return load_dataset(engine, SYSTEM, start, end).members.set_index("name")

    q3, q4 = members(date(2026, 7, 1), date(2026, 9, 30)), members(date(2026, 10, 1), date(2026, 12, 31))
    assert sorted(q3.index) == ["张伟", "李娜", "王芳"]  # 张伟 still belongs in Q3 …
    assert pd.isna(q3.loc["张伟", "start"]) and q3.loc["张伟", "end"] == pd.Timestamp("2026-10-01")
    assert sorted(q4.index) == ["李娜", "王芳", "钱红"]  # … not in Q4; 钱红 from October only
    assert q4.loc["钱红", "start"] == pd.Timestamp("2026-10-01") and pd.isna(q4.loc["钱红", "end"])
    assert q4.loc["李娜", "group"] == "第二党小组"
    assert pd.isna(q4.loc["王芳", "end"])  # a branch the newer file does not list: untouched
    undo_batch(engine, second.batch_id, SYSTEM)
    q4 = members(date(2026, 10, 1), date(2026, 12, 31))
    assert sorted(q4.index) == ["张伟", "李娜", "王芳"] and q4["end"].isna().all()
    assert q4.loc["李娜", "group"] == "第一党小组"


def test_undo_then_reimport_same_file_is_allowed(engine):
    first = import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    undo_batch(engine, first.batch_id, SYSTEM)
    assert load_dataset(engine, SYSTEM).members.empty
    again = import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    assert again.status == "imported" and again.batch_id != first.batch_id
    assert len(load_dataset(engine, SYSTEM).members) == 3
    batches = list_batches(engine, SYSTEM)
    assert batches["undone_at"].notna().sum() == 1


def test_activity_with_attendance_lists_and_newer_version(engine):
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    rows = [
        {"sheet": "台账", "row": 4, "branch": FIN1, "date": "2026-07-03", "type": "支部委员会",
         "type_raw": "支委会", "expected": 5.0, "present": 4.0, "absent": ["李娜"]},
        {"sheet": "台账", "row": 5, "branch": FIN1, "date": "2026-07-20", "type": "主题党日",
         "type_raw": "主题党日", "expected": 5.0, "present": 3.0, "absent": ["李娜"],
         "on_leave": ["张伟"]},
    ]
    import_result(engine, result("activity", rows), b"a1", SYSTEM)
    ds = load_dataset(engine, SYSTEM)
    assert list(ds.activities["type"]) == ["支部委员会", "主题党日"]
    att = ds.attendance.merge(ds.activities[["activity_id", "type"]], on="activity_id")
    assert sorted(zip(att["type"], att["kind"], att["name"])) == [
        ("主题党日", "absent", "李娜"), ("主题党日", "on_leave", "张伟"),
        ("支部委员会", "absent", "李娜"),
    ]
    # A corrected ledger: the 支委会 now shows 5 present and nobody absent.
    fixed = [dict(rows[0], present=5.0, absent=[])]
    import_result(engine, result("activity", fixed), b"a2", SYSTEM)
    ds = load_dataset(engine, SYSTEM)
    committee = ds.activities[ds.activities["type"] == "支部委员会"]
    assert list(committee["present"]) == [5.0]
    assert len(ds.activities) == 2  # the 主题党日 of the older file is still current
    assert not (ds.attendance["activity_id"].isin(committee["activity_id"])).any()


def test_failure_in_the_middle_leaves_database_as_it_was(engine, monkeypatch):
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    before, version = counts(engine), data_version(engine)
    real = imports_module._store_problems

    def explode(*args, **kwargs):  # rows and batch are written by now; then the disk "fails"
        real(*args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(imports_module, "_store_problems", explode)
    rows = [{"sheet": "台账", "row": 4, "branch": "新支部", "date": "2026-07-03",
             "type": "党课", "type_raw": "党课", "absent": ["张伟"]}]
    outcome = import_result(engine, result("activity", rows), b"a1", SYSTEM)
    assert outcome.status == "rejected" and "未导入任何数据" in outcome.message
    assert counts(engine) == before and data_version(engine) == version


def test_unknown_names_are_warnings_kept_for_quality_view(engine):
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    rows = [{"sheet": "学习", "row": 6, "name": "赵强", "branch": FIN1, "date": "2026-07-03",
             "form": "自学"},
            {"sheet": "学习", "row": 7, "name": "张伟", "branch": FIN1, "date": "2026-07-03",
             "form": "自学"}]
    outcome = import_result(engine, result("study", rows), b"s1", SYSTEM)
    assert outcome.status == "imported"
    assert [(p.row, p.value, p.code) for p in outcome.problems] == [(6, "赵强", "unknown_member")]
    kept = stored_warnings(engine, SYSTEM)
    assert list(kept["value"]) == ["赵强"] and list(kept["row"]) == [6]


def test_unknown_names_checked_against_the_roster_of_their_own_branch(engine):
    """王芳 is on FIN2's roster, not FIN1's; without a branch any roster name is known; a branch
    with no roster knows nobody; absent and on-leave names of a ledger are checked one by one."""
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    outcome = import_result(engine, result("xuexi", [
        {"sheet": "", "row": 3, "name": "王芳", "branch": FIN1, "activated": True, "points": 1},
        {"sheet": "", "row": 4, "name": "王芳", "branch": None, "activated": True, "points": 1},
        {"sheet": "", "row": 5, "name": "赵强", "branch": None, "activated": True, "points": 1},
        {"sheet": "", "row": 6, "name": "李娜", "branch": FIN1, "activated": True, "points": 1},
        {"sheet": "", "row": 7, "name": "李娜", "branch": "市未建名册党支部", "activated": True,
         "points": 1},
    ], period=(date(2026, 7, 1), date(2026, 9, 30))), b"x1", SYSTEM)
    assert [(p.row, p.value) for p in outcome.problems] == [(3, "王芳"), (5, "赵强"), (7, "李娜")]
    assert "「市财政局第一党支部」" in outcome.problems[0].message
    outcome = import_result(engine, result("activity", [
        {"sheet": "台账", "row": 4, "branch": FIN1, "date": "2026-07-03", "type": "党课",
         "type_raw": "党课", "absent": ["李娜", "王芳"], "on_leave": ["张伟", "孙丽"]},
    ]), b"a1", SYSTEM)
    assert [(p.row, p.column, p.value) for p in outcome.problems] == [
        (4, "缺席人员", "王芳"), (4, "请假人员", "孙丽")]


def test_unknown_names_point_at_their_own_sheet_and_row_after_earlier_batches(engine):
    """The check runs on the stored rows and maps them back to the file by id: with batches
    before this one, on two sheets, each warning still names its own sheet, row and branch."""
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    import_result(engine, result("activity", [
        {"sheet": "七月", "row": 3, "branch": FIN1, "date": "2026-07-03", "type": "党课",
         "type_raw": "党课", "absent": ["路人甲"]},
    ]), b"a1", SYSTEM)
    outcome = import_result(engine, result("activity", [
        {"sheet": "七月", "row": 5, "branch": FIN1, "date": "2026-07-10", "type": "党课",
         "type_raw": "党课", "absent": ["张伟"], "on_leave": ["路人乙"]},
        {"sheet": "八月", "row": 3, "branch": FIN2, "date": "2026-08-01", "type": "党课",
         "type_raw": "党课", "absent": ["张伟", "王芳"]},
        {"sheet": "八月", "row": 4, "branch": FIN2, "date": "2026-08-02", "type": "党课",
         "type_raw": "党课"},
    ]), b"a2", SYSTEM)
    assert [(p.sheet, p.row, p.column, p.value) for p in outcome.problems] == [
        ("八月", 3, "缺席人员", "张伟"), ("七月", 5, "请假人员", "路人乙")]
    assert "「市财政局第二党支部」" in outcome.problems[0].message
    assert "「市财政局第一党支部」" in outcome.problems[1].message
    outcome = import_result(engine, result("study", [
        {"sheet": "学习", "row": 2, "name": "张伟", "branch": FIN1, "date": "2026-07-03", "form": "自学"},
        {"sheet": "学习", "row": 3, "name": "张伟", "branch": FIN2, "date": "2026-07-03", "form": "自学"},
    ]), b"s1", SYSTEM)
    assert [(p.row, p.value) for p in outcome.problems] == [(3, "张伟")]


def test_name_checks_and_branch_reads_seek_the_member_indexes_on_sqlite(sqlite_engine):
    """Each name is one index lookup, never a scan of the roster per name (that plan took minutes
    for one province-scale ledger); a branch's members are one seek."""
    from storage.queries import _MEMBERS

    import_result(sqlite_engine, result("roster", ROSTER), b"r1", SYSTEM)
    with sqlite_engine.connect() as conn:
        def plan(sql):
            return [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]

        for kind in ("xuexi", "study", "activity"):
            steps = [s for s in plan(imports_module._unknown_names_sql(kind).replace(":b", "1"))
                     if " m " in s]
            # one index seek per name: by name alone (rows without a branch), by branch and name
            assert steps[0] == "SEARCH m USING COVERING INDEX ix_member_version_name (name=?)"
            assert steps[1] in ("SEARCH m USING COVERING INDEX ix_member_version_branch (branch_id=? AND name=?)",
                                "SEARCH m USING COVERING INDEX ix_member_version_name (name=? AND branch_id=?)")
            assert len(steps) == 2
        scoped = (_MEMBERS.replace("{scope}", " AND m.branch_id = 1")
                  .replace(":start", "'2026-07-01'").replace(":end", "'2026-09-30'"))
        assert plan(scoped)[0] == "SEARCH m USING INDEX ix_membership_branch (branch_id=?)"


def test_branch_ids_are_looked_up_like_a_dict_map():
    names = pd.Series([FIN1, "未知支部", None, FIN2, FIN1], dtype="str", index=[7, 8, 9, 10, 11])
    ids = imports_module._ids(names, {FIN1: 3, FIN2: 5})
    assert str(ids.dtype) == "Int64" and list(ids.index) == [7, 8, 9, 10, 11]
    assert ids.tolist() == [3, pd.NA, pd.NA, 5, 3]
    assert imports_module._ids(names, {}).isna().all()


def test_import_transactions_skip_per_row_checks_and_jit_then_restore_them(engine, monkeypatch):
    """SQLite: foreign keys off inside an import transaction only (ids are allocated there), on
    again for every later use of the pooled connection, also after a failed import. PostgreSQL:
    JIT off for the import transaction only (SET LOCAL), foreign keys always checked."""
    from sqlalchemy.exc import IntegrityError

    sqlite = engine.dialect.name == "sqlite"
    setting = "PRAGMA foreign_keys" if sqlite else "SHOW jit"
    seen = []
    real = imports_module._write_batch

    def spy(conn, *args, **kwargs):
        seen.append(conn.exec_driver_sql(setting).scalar())
        return real(conn, *args, **kwargs)

    with engine.connect() as conn:
        before = conn.exec_driver_sql(setting).scalar()
    monkeypatch.setattr(imports_module, "_write_batch", spy)
    assert import_result(engine, result("roster", ROSTER), b"r1", SYSTEM).status == "imported"
    monkeypatch.setattr(imports_module, "_store_problems", lambda *a: 1 / 0)
    failed = import_result(engine, result("roster", ROSTER[:1]), b"r2", SYSTEM)
    assert failed.status == "rejected"
    assert seen == ([0, 0] if sqlite else ["off", "off"]) and before == (1 if sqlite else "on")
    with engine.connect() as conn:
        assert conn.exec_driver_sql(setting).scalar() == before
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO activity_person (id, activity_id, kind, name)"
                          " VALUES (1, 999, 'absent', '张伟')"))


def _seed_two_branches(engine):
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    import_result(engine, result("activity", [
        {"sheet": "", "row": 2, "branch": FIN1, "date": "2026-07-03", "type": "党课",
         "type_raw": "党课", "absent": ["李娜"]},
        {"sheet": "", "row": 3, "branch": FIN2, "date": "2026-07-04", "type": "党课",
         "type_raw": "党课", "absent": ["王芳"]},
    ]), b"a", SYSTEM)
    import_result(engine, result("activity_counts", [
        {"sheet": "", "row": 2, "branch": FIN2, "period_start": "2026-07-01",
         "period_end": "2026-07-31", "type": "主题党日", "count": 1.0},
    ]), b"c", SYSTEM)
    import_result(engine, result("study", [
        {"sheet": "", "row": 2, "name": "张伟", "branch": FIN1, "date": "2026-07-05", "form": "自学"},
        {"sheet": "", "row": 3, "name": "王芳", "branch": FIN2, "date": "2026-07-05", "form": "自学"},
    ]), b"s", SYSTEM)
    import_result(engine, result("xuexi", [
        {"sheet": "", "row": 3, "name": "张伟", "branch": FIN1, "activated": True, "points": 900.0},
        {"sheet": "", "row": 4, "name": "王芳", "branch": FIN2, "activated": True, "points": 800.0},
        {"sheet": "", "row": 5, "name": "无名", "branch": None, "activated": False, "points": 0.0},
    ], period=(date(2026, 7, 1), date(2026, 7, 31))), b"x", SYSTEM)
    import_result(engine, result("records", [
        {"sheet": "", "row": 2, "category": "表彰", "date": "2026-07-01", "branch": FIN2,
         "person": "王芳"},
        {"sheet": "", "row": 3, "category": "廉政风险点", "date": "2026-07-01"},
    ]), b"o", SYSTEM)


def test_secretary_reads_only_own_branch_from_every_frame(engine):
    _seed_two_branches(engine)
    with engine.connect() as conn:
        fin1 = conn.execute(text("SELECT id FROM branch WHERE name = :n"), {"n": FIN1}).scalar_one()
    secretary = Viewer("sec1", "secretary", branch_id=fin1, branch=FIN1)
    everything = load_dataset(engine, SYSTEM)
    mine = load_dataset(engine, secretary)
    for name in ("branches", "members", "activities", "attendance", "study", "xuexi",
                 "activity_counts", "records"):
        full = getattr(everything, name)
        scoped = getattr(mine, name)
        assert len(full) > 0, name  # the seed has other branches' rows in every frame
        assert set(scoped["branch_id"].dropna()) <= {fin1}, name
        assert scoped["branch_id"].notna().all(), name  # committee-level rows excluded too
    assert set(mine.members["name"]) == {"张伟", "李娜"}
    assert set(mine.attendance["name"]) == {"李娜"}
    assert mine.activity_counts.empty and mine.records.empty
    # A secretary without a branch sees nothing at all (fail closed).
    nobody = load_dataset(engine, Viewer("x", "secretary"))
    assert nobody.members.empty and nobody.branches.empty and nobody.xuexi.empty
    assert stored_warnings(engine, secretary).empty


def test_secretary_may_import_own_branch_rows_only(engine):
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    with engine.connect() as conn:
        fin1 = conn.execute(text("SELECT id FROM branch WHERE name = :n"), {"n": FIN1}).scalar_one()
    secretary = Viewer("sec1", "secretary", branch_id=fin1, branch=FIN1)
    rows = [
        {"sheet": "台账", "row": 4, "branch": FIN1, "date": "2026-07-03", "type": "党课",
         "type_raw": "党课"},
        {"sheet": "台账", "row": 5, "branch": FIN2, "date": "2026-07-03", "type": "党课",
         "type_raw": "党课"},
    ]
    before = counts(engine)
    outcome = import_result(engine, result("activity", rows), b"mixed", secretary)
    assert outcome.status == "rejected"
    assert [(p.row, p.value) for p in outcome.problems] == [(5, FIN2)]
    assert counts(engine) == before
    ok = import_result(engine, result("activity", rows[:1]), b"own", secretary)
    assert ok.status == "imported"
    with pytest.raises(PermissionError):
        undo_batch(engine, ok.batch_id, secretary)
    assert list(list_batches(engine, secretary)["id"]) == [ok.batch_id, 1]


def test_leader_cannot_import(engine):
    leader = Viewer("lead", "leader")
    outcome = import_result(engine, result("roster", ROSTER), b"r1", leader)
    assert outcome.status == "rejected" and counts(engine)["import_batch"] == 0


def test_roster_without_unit_column_keeps_the_branch_unit(engine):
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    newer = [{k: v for k, v in ROSTER[0].items() if k != "unit"}]
    import_result(engine, result("roster", newer), b"r2", SYSTEM)
    units = load_dataset(engine, SYSTEM).branches.set_index("branch")["unit"]
    assert units[FIN1] == "市财政局机关党委"


def test_secretary_reuploading_another_branch_file_is_refused_not_duplicate(engine):
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    rows = [{"sheet": "台账", "row": 4, "branch": FIN2, "date": "2026-07-03", "type": "党课",
             "type_raw": "党课"}]
    import_result(engine, result("activity", rows), b"fin2-ledger", SYSTEM)
    with engine.connect() as conn:
        fin1 = conn.execute(text("SELECT id FROM branch WHERE name = :n"), {"n": FIN1}).scalar_one()
    secretary = Viewer("sec1", "secretary", branch_id=fin1, branch=FIN1)
    outcome = import_result(engine, result("activity", rows), b"fin2-ledger", secretary)
    assert outcome.status == "rejected" and "只能导入本支部" in outcome.problems[0].message


def test_arrow_fast_path_reads_exactly_what_the_plain_cursor_reads(engine, monkeypatch):
    """load_dataset reads PostgreSQL through ADBC; the plain DB-API path must give the same
    frames (after metrics' dtype preparation), so the fast path is only an optimisation."""
    from metrics._frames import prepare
    from storage import queries

    _seed_two_branches(engine)
    fast = prepare(load_dataset(engine, SYSTEM))
    fallbacks = []
    real_frame = queries._frame
    monkeypatch.setattr(queries, "_frame", lambda *a: fallbacks.append(a[3]) or real_frame(*a))
    load_dataset(engine, SYSTEM)
    if engine.dialect.name == "postgresql":
        assert fallbacks == [], "the ADBC driver should serve every query on PostgreSQL"
    else:
        assert len(fallbacks) == 10  # SQLite: Python's own driver for all ten frames
    monkeypatch.setattr(queries._ArrowReader, "_connect", lambda self: 1 / 0)  # no ADBC
    plain = prepare(load_dataset(engine, SYSTEM))
    for name in ("branches", "members", "activities", "attendance", "activity_counts", "study",
                 "xuexi", "records", "targets", "coverage"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(plain, name), obj=name)


def test_one_branchs_reads_take_the_plain_path_and_give_the_branchs_rows(engine, monkeypatch):
    """A branch's reads are small: no ADBC connection is opened for them (it cost more than it
    saved on PostgreSQL), the committee's still use it; the branch's frames are the committee's
    rows of that branch, whichever path read them."""
    from metrics._frames import prepare
    from storage import queries

    _seed_two_branches(engine)
    with engine.connect() as conn:
        fin1 = conn.execute(text("SELECT id FROM branch WHERE name = :n"), {"n": FIN1}).scalar_one()
    opened = []
    real_connect = queries._ArrowReader._connect
    monkeypatch.setattr(queries._ArrowReader, "_connect", lambda self: opened.append(1) or real_connect(self))
    mine = prepare(load_dataset(engine, Viewer("sec1", "secretary", branch_id=fin1, branch=FIN1)))
    assert opened == []
    everything = prepare(load_dataset(engine, SYSTEM))
    assert bool(opened) == (engine.dialect.name == "postgresql")
    for name in ("members", "activities", "attendance", "study", "xuexi"):
        full = getattr(everything, name)
        ours = full[full["branch_id"] == fin1].reset_index(drop=True)
        assert len(ours) > 0, name
        pd.testing.assert_frame_equal(getattr(mine, name).reset_index(drop=True), ours, obj=name)


def test_two_lane_read_gives_every_frame_and_falls_back_per_query(engine, monkeypatch):
    """On PostgreSQL load_dataset reads on two ADBC connections at once. Every frame comes
    back under its own name, equal to a one-at-a-time read; a query the fast path fails on is
    read again on the plain cursor, and the others still come from ADBC."""
    from metrics._frames import prepare
    from storage import queries

    _seed_two_branches(engine)
    if engine.dialect.name != "postgresql":
        reader = queries._ArrowReader(engine)
        assert reader.conn is None and reader.spare == []  # SQLite: one query after another
        return
    threads, lanes = set(), set()
    real_arrow = queries._ArrowReader._arrow

    def arrow(conn, sql, params):
        threads.add(threading.get_ident())
        lanes.add(id(conn))
        if "FROM xuexi_score" in sql:
            raise RuntimeError("fast path refused")
        return real_arrow(conn, sql, params)

    fallbacks = []
    real_frame = queries._frame
    monkeypatch.setattr(queries._ArrowReader, "_arrow", staticmethod(arrow))
    monkeypatch.setattr(queries, "_frame", lambda *a: fallbacks.append(a[3]) or real_frame(*a))
    two = prepare(load_dataset(engine, SYSTEM))
    assert len(lanes) == 2 and len(threads - {threading.get_ident()}) == 2  # + targets, coverage here
    assert fallbacks == ["xuexi"]
    assert len(two.xuexi) > 0
    monkeypatch.setattr(queries._ArrowReader, "LANES", 1)
    monkeypatch.setattr(queries._ArrowReader, "_arrow", staticmethod(real_arrow))
    one = prepare(load_dataset(engine, SYSTEM))
    for name in ("branches", "members", "activities", "attendance", "activity_counts", "study",
                 "xuexi", "records", "targets", "coverage"):
        pd.testing.assert_frame_equal(getattr(two, name), getattr(one, name), obj=name)


def test_a_dataset_is_read_in_one_snapshot_while_another_process_commits(engine, monkeypatch):
    """Right after load_dataset's first query returns, another connection retires every fact
    row and commits (an undo, a newer file). Every frame must still show the data as it was
    when the reading began: none from before the commit mixed with others from after it."""
    from metrics._frames import prepare
    from storage import queries

    _seed_two_branches(engine)
    before = prepare(load_dataset(engine, SYSTEM))
    fired = threading.Lock()

    def commit_once():
        if fired.acquire(blocking=False):
            with engine.begin() as other:
                for table in ("activity", "activity_count", "study_record", "xuexi_score", "other_record"):
                    other.execute(text(f"UPDATE {table} SET is_current = false"))

    real_arrow, real_frame = queries._ArrowReader._arrow, queries._frame

    def arrow(conn, sql, params):
        out = real_arrow(conn, sql, params)
        commit_once()
        return out

    def plain(*args):
        out = real_frame(*args)
        commit_once()
        return out

    monkeypatch.setattr(queries._ArrowReader, "_arrow", staticmethod(arrow))
    monkeypatch.setattr(queries, "_frame", plain)
    during = prepare(load_dataset(engine, SYSTEM))
    assert fired.locked()  # the commit did happen in the middle of the reads
    for name in ("branches", "members", "activities", "attendance", "activity_counts", "study",
                 "xuexi", "records", "targets", "coverage"):
        pd.testing.assert_frame_equal(getattr(during, name), getattr(before, name), obj=name)
    after = prepare(load_dataset(engine, SYSTEM))
    assert after.activities.empty and after.study.empty and after.xuexi.empty and after.records.empty


def test_read_parameters_are_bound_by_sqlalchemy_on_both_paths(engine):
    """A literal % and a parameter used twice: SQLAlchemy renders the driver's own style (no
    hand-written rewriting of the SQL), on the DB-API cursor and on ADBC."""
    from storage import queries

    sql = "SELECT '50%' AS z, CAST(:n AS integer) + CAST(:n AS integer) AS y, :d AS d"
    params = {"n": 4, "d": date(2026, 1, 31)}
    with engine.connect() as conn:
        plain = queries._frame(conn, sql, params, "x")
    assert (plain.loc[0, "z"], int(plain.loc[0, "y"])) == ("50%", 8)
    assert str(plain.loc[0, "d"])[:10] == "2026-01-31"
    reader = queries._ArrowReader(engine)
    if engine.dialect.name == "postgresql":
        assert reader.conn is not None
        fast = reader._arrow(reader.conn, sql, params)
        reader.close()
        assert (fast.loc[0, "z"], int(fast.loc[0, "y"]), str(fast.loc[0, "d"])[:10]) == ("50%", 8, "2026-01-31")


def _xuexi_export(engine, start, end, points, content):
    outcome = import_result(engine, result("xuexi", [
        {"sheet": "", "row": 3, "name": "张伟", "branch": FIN1, "activated": True, "points": points},
    ], period=(start, end)), content, SYSTEM)
    return outcome.batch_id


def test_quarter_reads_skip_exports_inside_a_longer_ended_export(engine):
    """Q3 as of 31 Aug: the Q3 export has not ended, so the July and August exports are read;
    as of 30 Sep the Q3 export covers them and they are not read. A straddling export and an
    undone one never make another export disappear."""
    from storage.queries import QuarterReads

    import_result(engine, result("roster", ROSTER), b"r", SYSTEM)
    july = _xuexi_export(engine, date(2026, 7, 1), date(2026, 7, 31), 100.0, b"x7")
    august = _xuexi_export(engine, date(2026, 8, 1), date(2026, 8, 31), 200.0, b"x8")
    straddling = _xuexi_export(engine, date(2026, 6, 15), date(2026, 8, 15), 50.0, b"xs")
    undone = _xuexi_export(engine, date(2026, 7, 1), date(2026, 9, 30), 1.0, b"xu")
    undo_batch(engine, undone, SYSTEM)

    def read(as_of):
        ds = load_dataset(engine, SYSTEM, date(2026, 1, 1), date(2026, 9, 30),
                          quarter=QuarterReads(date(2026, 7, 1), as_of))
        return set(ds.xuexi["export_id"])

    assert read(date(2026, 9, 30)) == {july, august, straddling}
    quarterly = _xuexi_export(engine, date(2026, 7, 1), date(2026, 9, 30), 600.0, b"xq")
    assert read(date(2026, 8, 31)) == {july, august, straddling, quarterly}
    assert read(date(2026, 9, 30)) == {straddling, quarterly}
    # without the narrowing every export touching the window is read
    assert set(load_dataset(engine, SYSTEM, date(2026, 1, 1), date(2026, 9, 30)).xuexi["export_id"]) \
        == {july, august, straddling, quarterly}


def test_quarter_reads_take_earlier_quarters_for_annual_types_only(engine):
    from storage.queries import QuarterReads

    import_result(engine, result("roster", ROSTER), b"r", SYSTEM)
    import_result(engine, result("activity", [
        {"sheet": "", "row": 2, "branch": FIN1, "date": "2026-04-10", "type": "组织生活会",
         "type_raw": "组织生活会", "absent": ["李娜"]},
        {"sheet": "", "row": 3, "branch": FIN1, "date": "2026-05-10", "type": "党课",
         "type_raw": "党课", "absent": ["李娜"]},
        {"sheet": "", "row": 4, "branch": FIN1, "date": "2026-07-10", "type": "党课",
         "type_raw": "党课", "absent": ["张伟"]},
    ]), b"a", SYSTEM)
    import_result(engine, result("study", [
        {"sheet": "", "row": 2, "name": "张伟", "branch": FIN1, "date": "2026-05-05", "form": "自学",
         "content": "条例", "hours": 2.0},
        {"sheet": "", "row": 3, "name": "张伟", "branch": FIN1, "date": "2026-07-05", "form": "自学",
         "content": "党章", "hours": 2.0},
    ]), b"s", SYSTEM)
    reads = QuarterReads(date(2026, 7, 1), date(2026, 9, 30), ("组织生活会",))
    ds = load_dataset(engine, SYSTEM, date(2026, 1, 1), date(2026, 9, 30), quarter=reads)
    assert sorted(ds.activities["date"].dt.strftime("%m-%d")) == ["04-10", "07-10"]
    assert list(ds.attendance["name"]) == ["张伟"]  # absence names of the quarter only
    assert list(ds.study["date"].dt.strftime("%m-%d")) == ["07-05"]
    assert ds.study["content"].isna().all() and ds.study["branch"].tolist() == [FIN1]
    whole = load_dataset(engine, SYSTEM, date(2026, 1, 1), date(2026, 9, 30))
    assert len(whole.activities) == 3 and len(whole.attendance) == 3
    assert set(whole.study["content"]) == {"条例", "党章"}
    lean = load_dataset(engine, SYSTEM, date(2026, 1, 1), date(2026, 9, 30), study_details=False)
    assert len(lean.study) == 2 and lean.study["content"].isna().all()
    assert lean.study["hours"].isna().all() and list(lean.study.columns) == list(whole.study.columns)


def test_secretary_reads_the_rows_that_resolve_to_their_members(engine):
    """学习强国 rows whose 部门 named no branch count for the member whose name is unique on the
    roster; a member code wins over the department. A secretary reads exactly the rows the
    committee view credits to their branch's members — no more, no fewer."""
    roster = ROSTER + [{"sheet": "S", "row": 6, "name": "赵强", "branch": FIN2, "unit": "市财政局机关党委",
                        "branch_type": "在职", "member_code": "Z9"}]
    import_result(engine, result("roster", roster), b"r", SYSTEM)
    import_result(engine, result("xuexi", [
        {"sheet": "", "row": 3, "name": "张伟", "branch": FIN1, "activated": True, "points": 1.0},
        {"sheet": "", "row": 4, "name": "李娜", "branch": None, "activated": True, "points": 2.0},
        {"sheet": "", "row": 5, "name": "王芳", "branch": None, "activated": True, "points": 3.0},
        {"sheet": "", "row": 6, "name": "赵强", "branch": FIN1, "member_code": "Z9",
         "activated": True, "points": 4.0},
        {"sheet": "", "row": 7, "name": "无名", "branch": None, "activated": True, "points": 5.0},
    ], period=(date(2026, 7, 1), date(2026, 7, 31))), b"x", SYSTEM)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT name, id FROM branch")).all())
    fin1 = Viewer("s1", "secretary", branch_id=ids[FIN1], branch=FIN1)
    fin2 = Viewer("s2", "secretary", branch_id=ids[FIN2], branch=FIN2)
    assert sorted(load_dataset(engine, fin1).xuexi["points"]) == [1.0, 2.0]
    assert sorted(load_dataset(engine, fin2).xuexi["points"]) == [3.0, 4.0]
    assert len(load_dataset(engine, SYSTEM).xuexi) == 5


def test_row_keys_are_blake2b_of_the_joined_key_columns_and_the_occurrence():
    """Keys identify versions across imports made by older releases: the formula must not drift."""
    import hashlib

    def key(text):
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    rows = pd.DataFrame({"day": pd.to_datetime(["2026-07-01", "2026-07-01", None]),
                         "name": pd.Series(["张伟", "张伟", None], dtype="str")})
    assert imports_module._keys(rows, ["day", "name"]) == [
        key("2026-07-01|张伟#0"), key("2026-07-01|张伟#1"), key("|#0")]


def _current(engine, sql):
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(text(sql)).all())


def test_correction_and_undo_of_xuexi_compare_keys_within_the_period_only(engine):
    """Retiring and undoing look only at rows in the batch's range of period_end (both ends
    included): a Q3 correction replaces the Q3 row of the same person, never the September export
    (another key), and undoing it brings the replaced row back."""
    import_result(engine, result("roster", ROSTER), b"r", SYSTEM)
    q3 = [{"sheet": "", "row": 3, "name": "张伟", "branch": FIN1, "activated": True, "points": 10.0},
          {"sheet": "", "row": 4, "name": "李娜", "branch": FIN1, "activated": True, "points": 20.0}]
    import_result(engine, result("xuexi", q3, period=(date(2026, 7, 1), date(2026, 9, 30))),
                  b"q3", SYSTEM)
    import_result(engine, result("xuexi", [dict(q3[0], points=5.0)],
                                 period=(date(2026, 9, 1), date(2026, 9, 30))), b"sep", SYSTEM)
    fixed = import_result(engine, result("xuexi", [dict(q3[0], points=12.0)],
                                         period=(date(2026, 7, 1), date(2026, 9, 30))), b"q3b", SYSTEM)
    sql = ("SELECT period_start, name, points FROM xuexi_score WHERE is_current")
    as_text = lambda rows: [(str(d)[:10], n, p) for d, n, p in rows]  # noqa: E731
    assert as_text(_current(engine, sql)) == [
        ("2026-07-01", "张伟", 12.0), ("2026-07-01", "李娜", 20.0), ("2026-09-01", "张伟", 5.0)]
    undo_batch(engine, fixed.batch_id, SYSTEM)
    assert as_text(_current(engine, sql)) == [
        ("2026-07-01", "张伟", 10.0), ("2026-07-01", "李娜", 20.0), ("2026-09-01", "张伟", 5.0)]


def test_correction_and_undo_of_activities_include_the_first_and_last_day(engine):
    """A corrected ledger whose rows are the first and last day of its range replaces both, keeps
    an activity of another file between them, and undo restores the originals."""
    import_result(engine, result("roster", ROSTER), b"r", SYSTEM)
    base = {"sheet": "台账", "row": 4, "branch": FIN1, "type": "支部委员会", "type_raw": "支委会",
            "expected": 5.0}
    import_result(engine, result("activity", [dict(base, date="2026-07-03", present=3.0),
                                              dict(base, date="2026-07-20", present=3.0)]),
                  b"a1", SYSTEM)
    import_result(engine, result("activity", [dict(base, date="2026-07-10", topic="专题",
                                                   present=4.0)]), b"b1", SYSTEM)
    fixed = import_result(engine, result("activity", [dict(base, date="2026-07-03", present=5.0),
                                                      dict(base, date="2026-07-20", present=5.0)]),
                          b"a2", SYSTEM)
    sql = "SELECT date, present FROM activity WHERE is_current"
    as_text = lambda rows: [(str(d)[:10], p) for d, p in rows]  # noqa: E731
    assert as_text(_current(engine, sql)) == [
        ("2026-07-03", 5.0), ("2026-07-10", 4.0), ("2026-07-20", 5.0)]
    undo_batch(engine, fixed.batch_id, SYSTEM)
    assert as_text(_current(engine, sql)) == [
        ("2026-07-03", 3.0), ("2026-07-10", 4.0), ("2026-07-20", 3.0)]


def test_only_the_small_versioned_tables_keep_a_key_index(engine):
    """Fact tables with a span column are retired and undone by range, so they carry no key index
    (migration 0004); the roster and target tables, which have no such column, keep theirs."""
    from sqlalchemy import inspect

    from storage.models import VERSION_SPANS, VERSIONED_TABLES

    inspector = inspect(engine)
    keyed = {t for t in VERSIONED_TABLES
             if any(ix["column_names"][:1] == ["key"] for ix in inspector.get_indexes(t))}
    assert keyed == {"branch_version", "member_version", "target_row"}
    assert set(VERSION_SPANS) == set(VERSIONED_TABLES) - keyed


def test_migrations_build_exactly_the_schema_the_models_describe(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_the_head_revision_read_from_file_names_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS, head_revision

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def test_an_older_database_is_migrated_and_a_current_one_opens_without_alembic(db_url):
    """A database left at the previous revision is brought to head on first open; a process that
    opens a current database never imports Alembic (checked in a fresh interpreter)."""
    import subprocess
    import sys

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from storage.db import MIGRATIONS, dispose_all, get_engine, head_revision, schema_revision

    old = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    previous = f"{int(head_revision()) - 1:04d}"
    with old.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, previous)
    assert schema_revision(old) == previous
    old.dispose()

    assert schema_revision(get_engine(db_url)) == head_revision()
    dispose_all()
    probe = ("import sys; from storage.db import get_engine; "
             f"get_engine({db_url!r}); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, check=True)
    assert out.stdout.strip() == "False"


def test_bulk_insert_writes_constant_columns_into_every_row(engine):
    """Constants go into the statement as literals on SQLite (quotes escaped) and into each COPY
    row on PostgreSQL; either way every row reads back with them."""
    from storage.writes import bulk_insert, next_ids

    batch = import_result(engine, result("roster", ROSTER), b"r", SYSTEM).batch_id
    with engine.begin() as conn:
        ids = next_ids(conn, "import_problem", 2)
        bulk_insert(conn, "import_problem", ["id", "row", "value"],
                    [(ids[0], 3, "张伟"), (ids[1], None, None)],
                    {"batch_id": batch, "severity": "warning", "code": "x",
                     "sheet": "表'一\"", "message": "名册中'没有'此人"})
    rows = _current(engine, f"SELECT id, batch_id, severity, code, sheet, row, value, message"
                            f" FROM import_problem WHERE id >= {ids[0]}")
    assert rows == [
        (ids[0], batch, "warning", "x", "表'一\"", 3, "张伟", "名册中'没有'此人"),
        (ids[1], batch, "warning", "x", "表'一\"", None, None, "名册中'没有'此人"),
    ]


def test_reads_pause_the_cyclic_collector_and_restore_it_even_on_errors(sqlite_engine, monkeypatch):
    """Rows read through the driver's cursor (SQLite; PostgreSQL reads through ADBC, in C)."""
    import gc

    engine = sqlite_engine

    from storage import queries

    seen = []
    real = queries.itemgetter
    monkeypatch.setattr(queries, "itemgetter", lambda i: seen.append(gc.isenabled()) or real(i))
    import_result(engine, result("roster", ROSTER), b"r", SYSTEM)
    assert len(load_dataset(engine, SYSTEM).members) == 3
    assert seen and not any(seen) and gc.isenabled()
    with engine.connect() as conn, pytest.raises(Exception):
        queries._frame(conn, "SELECT no_such_column FROM member", {}, "members")
    assert gc.isenabled()


def test_an_administrators_second_import_of_a_file_is_answered_before_reading_it(engine, monkeypatch):
    """The same bytes again: the outcome names the earlier batch and is audited, and the file is
    not parsed at all (the loaders are replaced by a function that fails)."""
    from services import audit, importing

    content = (SAMPLE / "名册_市卫健委_2026年10月.xlsx").read_bytes()
    first = importing.import_bytes(engine, content, "名册.xlsx", SYSTEM)
    assert first.status == "imported"
    before, version = counts(engine), data_version(engine)

    def unread(*_args, **_kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(importing, "load_file", unread)
    monkeypatch.setattr(importing, "load_file_isolated", unread)
    again = importing.import_bytes(engine, content, "名册副本.xlsx", SYSTEM)
    assert (again.status, again.batch_id, again.kind) == ("duplicate", first.batch_id, "roster")
    assert again.message == f"内容与第{first.batch_id}批导入完全相同，未做任何改动。"
    assert counts(engine) == before and data_version(engine) == version
    newest = audit.log(engine, SYSTEM, limit=1)
    assert f"名册副本.xlsx：与第{first.batch_id}批内容相同" in newest["detail"].iloc[0]


def test_a_secretarys_reupload_of_another_branchs_file_is_still_read_and_refused(engine):
    from services import importing

    content = (SAMPLE / "名册_市卫健委_2026年10月.xlsx").read_bytes()
    importing.import_bytes(engine, content, "名册.xlsx", SYSTEM)
    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    with engine.connect() as conn:
        fin1 = conn.execute(text("SELECT id FROM branch WHERE name = :n"), {"n": FIN1}).scalar_one()
    secretary = Viewer("sec1", "secretary", branch_id=fin1, branch=FIN1)
    outcome = importing.import_bytes(engine, content, "名册.xlsx", secretary)
    assert outcome.status == "rejected" and "只能导入本支部" in outcome.problems[0].message


def _data_from(engine, batch_id):
    with engine.connect() as conn:
        value = conn.execute(text("SELECT data_from FROM import_batch WHERE id = :b"),
                             {"b": batch_id}).scalar_one()
    return None if value is None else pd.Timestamp(value).date()


def test_each_batch_records_the_first_day_its_rows_speak_of(engine):
    roster = import_result(engine, result("roster", ROSTER), b"r", SYSTEM).batch_id
    rows = [{"sheet": "台账", "row": r, "branch": FIN1, "date": d, "type": "党课", "type_raw": "党课"}
            for r, d in ((4, "2026-08-03"), (5, "2026-07-21"), (6, "2026-09-30"))]
    ledger = import_result(engine, result("activity", rows), b"l", SYSTEM).batch_id
    xuexi = import_result(engine, result("xuexi", [
        {"sheet": "S", "row": 3, "name": "张伟", "branch": FIN1, "points": 100.0}],
        period=(date(2026, 10, 1), date(2026, 10, 31))), b"x", SYSTEM).batch_id
    assert _data_from(engine, roster) is None  # a roster speaks of every period
    assert _data_from(engine, ledger) == date(2026, 7, 21)
    assert _data_from(engine, xuexi) == date(2026, 10, 1)


def test_migration_0010_fills_data_from_for_earlier_batches(db_url):
    """A database with batches from before 0010: downgraded to 0009 (the column goes), upgraded
    again: the first day is read back from each batch's stored rows."""
    from alembic import command
    from alembic.config import Config

    from sqlalchemy import create_engine

    from storage.db import MIGRATIONS, dispose_all, get_engine

    engine = get_engine(db_url)
    rows = [{"sheet": "台账", "row": 4, "branch": FIN1, "date": "2026-05-06", "type": "党课",
             "type_raw": "党课"}, {"sheet": "台账", "row": 5, "branch": FIN1, "date": "2026-04-02",
                                 "type": "党课", "type_raw": "党课"}]
    import_result(engine, result("roster", ROSTER), b"r", SYSTEM)
    ledger = import_result(engine, result("activity", rows), b"l", SYSTEM).batch_id
    dispose_all()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # a plain engine: SQLite's batch mode rebuilds the table, which the app's foreign-key pragma forbids
    plain = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    for target in ("0009", "head"):
        with plain.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if target == "0009" else command.upgrade)(cfg, target)
    plain.dispose()
    assert _data_from(get_engine(db_url), ledger) == date(2026, 4, 2)


def test_retiring_and_undoing_compare_keys_in_one_pass_whatever_the_statistics_say(engine):
    """An import retires the older versions of its keys and an undo brings them back, both with
    ``key IN (SELECT key … WHERE batch_id = :b)``. Statistics taken before the batch was written
    (autovacuum runs later) made PostgreSQL estimate that subquery at one row and nest the loops:
    every new row re-read the window's current rows, about 10¹⁰ text comparisons for a quarterly
    学习强国 export at 100,000 members (minutes per file; a year's load took 21 minutes). Each
    such statement's plan, as it runs, must read the subquery once: a hash or merge join on
    PostgreSQL, a subquery SQLite lists once."""
    from sqlalchemy import event

    pg = engine.dialect.name == "postgresql"
    plans = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if "UPDATE xuexi_score SET is_current" in statement and "key IN" in statement:
            cursor.execute(("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") + statement, parameters)
            plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))

    import_result(engine, result("roster", ROSTER), b"r1", SYSTEM)
    event.listen(engine, "before_cursor_execute", explain)
    try:
        month = _xuexi_export(engine, date(2026, 9, 1), date(2026, 9, 30), 5.0, b"x-sep")
        quarter = _xuexi_export(engine, date(2026, 7, 1), date(2026, 9, 30), 40.0, b"x-q3")
        again = _xuexi_export(engine, date(2026, 7, 1), date(2026, 9, 30), 45.0, b"x-q3-again")
        undo_batch(engine, again, SYSTEM)
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    assert month < quarter < again
    # retiring for the quarter (the month's rows share its end) and its re-export; undo's restore
    assert len(plans) == 3, plans
    for plan in plans:
        if pg:
            assert "Nested Loop" not in plan and ("Hash" in plan or "Merge" in plan), plan
        else:
            assert "LIST SUBQUERY" in plan and "CORRELATED" not in plan, plan
    with engine.connect() as conn:
        live = conn.execute(text("SELECT batch_id, count(*) FROM xuexi_score WHERE is_current"
                                 " GROUP BY batch_id ORDER BY batch_id")).all()
    assert [tuple(r) for r in live] == [(month, 1), (quarter, 1)]
