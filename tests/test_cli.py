"""cli.py end to end on a small database built by hand; expected figures worked out by hand.

Branch A 市财政局第一党支部 (在职): 张伟, 李娜; no 党小组. Q3 2026 ledger: 1 党员大会 (2 of 2
present), 3 支委会, 1 党课, 3 主题党日, 3 集中学习. 学习强国 Q3 export: 张伟 2,700, 李娜 0.
  scored indicators: congress 1, committee 1, lecture 1, theme_day 1, study_sessions 1,
  attendance 2/2 → 1, xuexi_participation 0.5/0.95 = 0.526316, xuexi_avg 1,350/2,700 = 0.5,
  self_study 0 → score = 100 × 7.026316 / 9 = 78.07 → 78.1 (yellow), rank 1.
Branch B 市财政局离退休干部党支部 (离退休): 王芳. Q3: 1 党员大会 (1 of 1 present).
  congress 1, committee 0, lecture 0, theme_day 0, study_sessions 0, attendance 1, self_study 0
  (no 学习强国 indicators for 离退休) → 100 × 2 / 7 = 28.57 → 28.6 (red), rank 2.
Lagging as of 2026-09-30: 李娜 xuexi_zero + no_self_study; 张伟 no_self_study (2,700 ≥ 1,350);
王芳 no_self_study only (离退休: no 学习强国 rules).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

import cli
from domain.access import SYSTEM
from storage.db import get_engine
from storage.imports import import_result
from tests.test_storage import result

A = "市财政局第一党支部"
B = "市财政局离退休干部党支部"


def _activity(row, branch, day, kind, expected=None, present=None):
    return {"sheet": "", "row": row, "branch": branch, "date": day, "type": kind, "type_raw": kind,
            "expected": expected, "present": present}


@pytest.fixture
def small_db(db_url):
    engine = get_engine(db_url)
    import_result(engine, result("roster", [
        {"sheet": "", "row": 2, "name": "张伟", "branch": A, "branch_type": "在职", "role": "书记"},
        {"sheet": "", "row": 3, "name": "李娜", "branch": A, "branch_type": "在职"},
        {"sheet": "", "row": 4, "name": "王芳", "branch": B, "branch_type": "离退休"},
    ]), b"roster", SYSTEM)
    rows = [_activity(2, A, "2026-07-02", "支部党员大会", 2.0, 2.0)]
    rows += [_activity(3 + i, A, f"2026-0{7 + i}-05", "支部委员会") for i in range(3)]
    rows += [_activity(6, A, "2026-08-10", "党课")]
    rows += [_activity(7 + i, A, f"2026-0{7 + i}-15", "主题党日") for i in range(3)]
    rows += [_activity(10 + i, A, f"2026-0{7 + i}-20", "集中学习") for i in range(3)]
    rows += [_activity(13, B, "2026-07-09", "支部党员大会", 1.0, 1.0)]
    import_result(engine, result("activity", rows), b"ledger", SYSTEM)
    import_result(engine, result("xuexi", [
        {"sheet": "", "row": 3, "name": "张伟", "branch": A, "activated": True, "points": 2700.0},
        {"sheet": "", "row": 4, "name": "李娜", "branch": A, "activated": True, "points": 0.0},
    ], period=(date(2026, 7, 1), date(2026, 9, 30))), b"xuexi", SYSTEM)
    return db_url


def run_json(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_scorecard_json_matches_hand_computed_scores(small_db, capsys):
    doc = run_json(capsys, "--db", small_db, "scorecard", "--quarter", "2026Q3",
                   "--as-of", "2026-09-30", "--format", "json")
    assert doc["quarter"] == "2026Q3" and doc["as_of"] == "2026-09-30"
    by_name = {b["branch"]: b for b in doc["branches"]}
    a, b = by_name[A], by_name[B]
    assert (a["score"], a["rank"], a["status"], a["type"]) == (78.1, 1, "yellow", "在职")
    assert (b["score"], b["rank"], b["status"], b["type"]) == (28.6, 2, "red", "离退休")
    assert set(a["indicators"]) == {"congress", "committee", "lecture", "theme_day",
                                    "study_sessions", "attendance", "xuexi_participation",
                                    "xuexi_avg", "self_study"}
    assert "group_meeting" not in a["indicators"] and "org_life" not in a["indicators"]
    assert "xuexi_avg" not in b["indicators"]
    assert a["indicators"]["xuexi_participation"]["actual"] == pytest.approx(0.5)
    assert a["indicators"]["xuexi_participation"]["completion"] == pytest.approx(0.5 / 0.95)
    assert a["indicators"]["xuexi_avg"]["actual"] == pytest.approx(1350)
    assert a["indicators"]["congress"] == pytest.approx(
        a["indicators"]["congress"] | {"label": "支部党员大会", "actual": 1, "target": 1,
                                       "completion": 1.0, "status": "green"})


def test_lagging_json_lists_every_reason(small_db, capsys):
    doc = run_json(capsys, "--db", small_db, "lagging", "--quarter", "2026Q3",
                   "--as-of", "2026-09-30", "--format", "json")
    got = [(m["branch"], m["name"], m["reasons"]) for m in doc["members"]]
    assert got[0] == (A, "李娜", ["xuexi_zero", "no_self_study"])
    assert sorted(got[1:]) == sorted([(A, "张伟", ["no_self_study"]), (B, "王芳", ["no_self_study"])])


def test_branch_filter_and_csv_has_bom(small_db, capsysbinary):
    code = cli.main(["--db", small_db, "scorecard", "--quarter", "2026Q3", "--as-of",
                     "2026-09-30", "--branch", "市财政局第一党支部", "--format", "csv"])
    raw = capsysbinary.readouterr().out
    assert code == 0 and raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and A in lines[1] and B not in raw.decode("utf-8-sig")


@pytest.mark.parametrize("args, message", [
    (["scorecard", "--quarter", "2026Q5"], "季度"),
    (["scorecard", "--quarter", "2026Q3", "--branch", "不存在的支部"], "没有名为"),
    (["scorecard", "--quarter", "2026Q3", "--as-of", "2026-05-01"], "2026"),
])
def test_bad_arguments_give_a_message_and_nonzero_exit(small_db, capsys, args, message):
    assert cli.main(["--db", small_db, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_malformed_date_is_refused_by_the_parser(small_db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--db", small_db, "lagging", "--quarter", "2026Q3", "--as-of", "2026-13-01"])
    assert exit_info.value.code == 2
    assert "日期格式应为 YYYY-MM-DD" in capsys.readouterr().err


def test_import_undo_and_batches_commands(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    csv = tmp_path / "名册.csv"
    csv.write_text("姓名,所在支部\n张伟,市财政局第一党支部\n李娜,市财政局第一党支部\n", encoding="utf-8")
    assert cli.main(["--db", url, "import", str(csv)]) == 0
    assert "已导入" in capsys.readouterr().out
    assert cli.main(["--db", url, "import", str(csv)]) == 0
    assert "已存在" in capsys.readouterr().out
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"this is not a workbook")
    assert cli.main(["--db", url, "import", str(bad)]) == 1
    err_out = capsys.readouterr().out
    assert "未导入" in err_out and "坏文件.xlsx" in err_out and "Traceback" not in err_out
    assert cli.main(["--db", url, "undo", "1"]) == 0
    assert "已撤销第1批" in capsys.readouterr().out
    assert cli.main(["--db", url, "batches"]) == 0
    assert "已撤销" in capsys.readouterr().out
    assert cli.main(["--db", url, "undo", "99"]) == 2
    assert "没有第99批" in capsys.readouterr().err


def test_cli_imports_and_undo_are_audited_as_the_os_user(tmp_path, capsys):
    """Every change from the command line writes one audit row: who (``cli:<OS user>``, whatever
    ``--user`` says), what, and the batch; a rejected file is audited too."""
    import getpass

    from storage.audit_log import audit_log

    url = f"sqlite:///{tmp_path / 'a.db'}"
    csv = tmp_path / "名册.csv"
    csv.write_text("姓名,所在支部\n张伟,市财政局第一党支部\n", encoding="utf-8")
    assert cli.main(["--db", url, "import", str(csv), "--user", "mallory"]) == 0
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"this is not a workbook")
    assert cli.main(["--db", url, "import", str(bad)]) == 1
    assert cli.main(["--db", url, "undo", "1"]) == 0
    capsys.readouterr()
    log = audit_log(get_engine(url)).sort_values("id")
    assert list(log["action"]) == ["import", "import_rejected", "undo"]
    assert set(log["username"]) == {f"cli:{getpass.getuser()}"}  # never the free-text --user
    assert set(log["source"]) == {f"cli:{getpass.getuser()}"}
    imported, rejected, undone = log["detail"]
    assert "名册.csv" in imported and "第1批" in imported and "mallory" in imported
    assert "坏文件.xlsx" in rejected
    assert "第1批" in undone


def test_import_paths_orders_by_headers_and_loads_each_file_once(tmp_path, monkeypatch):
    """A roster and a 学习强国 export given in one call (export first): the roster is stored
    first, so the export's 部门 paths resolve to its branches; each file is loaded (rows
    converted) once, its kind having been recognised from the headers alone."""
    from sqlalchemy import text

    import services.importing as importing
    from services.importing import SAMPLE_DIR, import_paths

    loads: list[str] = []
    real = importing.load_file
    monkeypatch.setattr(importing, "load_file",
                        lambda content, **kw: loads.append(kw["file_name"]) or real(content, **kw))
    engine = get_engine(f"sqlite:///{tmp_path / 'x.db'}")
    q3, roster = SAMPLE_DIR / "学习强国_2026Q3.xlsx", SAMPLE_DIR / "名册_2026.xlsx"
    outcomes = import_paths(engine, [q3, roster], SYSTEM)
    assert [o.status for o in outcomes] == ["imported", "imported"]
    assert loads == [roster.name, q3.name]
    with engine.connect() as conn:
        resolved, total = conn.execute(text(
            "SELECT count(branch_id), count(*) FROM xuexi_score")).one()
    assert total == outcomes[0].rows and resolved > 0.9 * total


def test_one_file_is_imported_without_reading_its_headers_for_an_order(tmp_path, monkeypatch):
    """With a single file there is nothing to order: the import loads it once and never asks
    for its kind beforehand (that read cost a large workbook's parse a second time)."""
    import services.importing as importing
    from services.importing import SAMPLE_DIR, import_paths

    def no_order(*args, **kwargs):
        raise AssertionError("detect_kind called for a single file")

    monkeypatch.setattr(importing, "detect_kind", no_order)
    engine = get_engine(f"sqlite:///{tmp_path / 'x.db'}")
    (outcome,) = import_paths(engine, [SAMPLE_DIR / "名册_2026.xlsx"], SYSTEM)
    assert outcome.status == "imported" and outcome.rows > 0


def test_import_pauses_the_cyclic_collector_and_always_restores_it(tmp_path, monkeypatch):
    """The collector is off while a file is loaded and stored, back on afterwards even when the
    store fails, and left off when it was off before."""
    import gc

    import services.importing as importing

    seen: list[tuple[str, bool]] = []
    real_load, real_store = importing.load_file, importing.import_result
    monkeypatch.setattr(importing, "load_file", lambda content, **kw:
                        seen.append(("load", gc.isenabled())) or real_load(content, **kw))
    monkeypatch.setattr(importing, "import_result", lambda *a:
                        seen.append(("store", gc.isenabled())) or real_store(*a))
    engine = get_engine(f"sqlite:///{tmp_path / 'x.db'}")
    roster = importing.SAMPLE_DIR / "名册_2026.xlsx"
    assert gc.isenabled()
    outcome = importing.import_bytes(engine, roster.read_bytes(), roster.name, SYSTEM)
    assert outcome.status == "imported"
    assert seen == [("load", False), ("store", False)] and gc.isenabled()

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "import_result", broken)
    with pytest.raises(RuntimeError):
        importing.store(engine, outcome, b"", SYSTEM)
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(importing, "import_result", lambda *a: outcome)
        importing.store(engine, outcome, b"", SYSTEM)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_importing_files_already_imported_answers_without_loading_pandas(tmp_path):
    """A whole ``cli.py import`` of files already imported: the same lines and audit entries as
    the full import gives a duplicate, and neither pandas nor the loaders are loaded (the answer
    comes from the files' hashes). One new file among them takes the full path, which audits
    the duplicate once."""
    import subprocess
    import sys

    from sqlalchemy import text

    from tests.conftest import ROOT

    url = f"sqlite:///{tmp_path / 'c.db'}"
    roster, ledger = tmp_path / "名册.csv", tmp_path / "台账.csv"
    roster.write_text("姓名,所在支部\n张伟,市财政局第一党支部\n", encoding="utf-8")
    ledger.write_text("支部名称,活动日期,活动类型\n市财政局第一党支部,2026-07-02,党课\n", encoding="utf-8")

    def run(*paths):
        proc = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "cli.py"), "--db", url,
                               "import", *map(str, paths)], capture_output=True, text=True, cwd=ROOT,
                              timeout=120)
        loaded = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
        return proc.returncode, proc.stdout, loaded

    assert run(roster)[0] == 0
    code, out, loaded = run(roster)
    assert code == 0
    assert out == "已存在：名册.csv — 内容与第1批导入完全相同，未做任何改动。\n"
    assert "pandas" not in loaded and "data_loaders" not in loaded
    code, out, loaded = run(roster, ledger)
    assert code == 0 and "已存在：名册.csv" in out and "已导入：台账.csv" in out
    assert "data_loaders" in loaded
    with get_engine(url).connect() as conn:
        details = [r[0] for r in conn.execute(text("SELECT detail FROM audit_log WHERE action = 'import' ORDER BY id"))]
    assert details == ["名册.csv：第1批，1行", "名册.csv：与第1批内容相同，未改动",
                       "名册.csv：与第1批内容相同，未改动", "台账.csv：第2批，1行"]


def test_json_output_is_what_the_standard_library_writes_and_rows_what_pandas_gives():
    """cli.output writes JSON with orjson and builds records column by column, for speed; the
    bytes must be those of json.dumps(ensure_ascii=False, indent=2), the records those of
    DataFrame.to_dict("records") once cleaned for JSON (missing values may be NA or None)."""
    import json

    import numpy as np
    import pandas as pd

    from cli.output import clean, json_bytes, json_values, rows

    doc = {"quarter": "2026Q3", "branches": [
        {"branch": "市财政局第一党支部", "score": 78.07, "rank": 1, "status": None, "members": 0,
         "indicators": {"congress": {"actual": 1.0, "remaining": "还差1次", "behind_pace": False}},
         "reasons": [], "months": ["2026-07", "2026-08"]},
        {"branch": "离退休支部\u3000", "score": 28.571428571428573, "rank": None, "indicators": {}},
    ], "empty": [], "nested": [[1, 2], {}]}
    assert json_bytes(doc) == (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    frame = pd.DataFrame({
        "name": pd.Series(["张伟", None, "李娜"], dtype="str"),
        "n": pd.Series([1, None, 3], dtype="Int64"),
        "points": [1.5, np.nan, 0.0],
        "reasons": [["xuexi_zero"], [], ["absent", "no_self_study"]],
    })
    def cleaned(records):
        return [{k: clean(v) for k, v in r.items()} for r in records]

    assert cleaned(rows(frame)) == cleaned(frame.to_dict("records"))
    assert rows(frame)[2] == {"name": "李娜", "n": 3, "points": 0.0, "reasons": ["absent", "no_self_study"]}
    assert json_values(frame["points"]) == [1.5, None, 0.0]
    assert json_values(frame["n"]) == [1, None, 3]
    assert json_values(frame["name"]) == ["张伟", None, "李娜"]
