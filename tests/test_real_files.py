"""Issue 17's corpus (tests/files, built by tests/files/make_corpus.py): each real-layout file loads
to exactly the rows and values worked out by hand from the rows the script writes, or is refused
with exactly the Problem it must give; each hostile file is refused without the reading process
growing; and ``load_file_isolated`` outlives a reader that dies.

The expected values below are read off the fixture rows, not off the program's output: e.g. the
三会一课 template has six meetings of which three are 支委会, and its 缺席人员及原因 cell
``黄磊（无故）、李娜(病假)`` puts 黄磊 among the absent and 李娜 on leave.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data_loaders import load_file, load_file_isolated
from data_loaders.limits import Limits
from tests import loader_fixtures
from tests.conftest import ROOT
from tests.files import make_corpus

CORPUS = make_corpus.HERE
D = date
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# ---------------------------------------------------------------- what each real-layout file must give

EXPECTED: dict[str, dict] = {
    "三会一课录入样表_实际会议时间.xlsx": {
        "kind": "activity",
        "rows": {
            "sheet": ["三会一课"] * 6,
            "row": [4, 5, 6, 7, 8, 9],
            "type": ["支部委员会", "支部党员大会", "支部委员会", "党课", "支部委员会", "主题党日"],
            # 实际会议时间, never the 计划会议时间 beside it (07-01, 07-10, 08-01, …)
            "date": [D(2026, 7, 3), D(2026, 7, 14), D(2026, 8, 5), D(2026, 8, 20), D(2026, 9, 2), D(2026, 9, 12)],
            "topic": ["研究7月工作", "传达学习上级会议精神", "研究8月工作", "学习党章", "研究9月工作", "重温入党誓词"],
            "expected": [5.0, 12.0, 5.0, 12.0, 5.0, 12.0],
            "present": [5.0, 10.0, 4.0, 11.0, 5.0, 9.0],
            "absent": [[], ["黄磊"], ["赵敏"], [], [], ["黄磊", "周敏"]],
            "on_leave": [[], ["李娜"], [], ["王芳"], [], ["孙强"]],
        },
        "counts": {"支部委员会": 3},
        "problems": [],
        "covers": (D(2026, 7, 1), D(2026, 9, 30)),  # 统计期间：20260701-20260930
    },
    "三会一课台账_活动名称.xlsx": {
        "kind": "activity",
        "rows": {
            "row": [3, 4, 5, 6],  # rows 8–11 are the notes block
            "type": ["支部委员会", "主题党日", "支部委员会", "支部党员大会"],
            "type_raw": ["支部委员会", "7月主题党日活动", "支部委员会", "党员大会"],
            "date": [D(2026, 7, 6), D(2026, 7, 15), D(2026, 8, 3), D(2026, 8, 20)],
            "present": [3.0, 7.0, 2.0, 8.0],
            "absent": [[], [], ["刘洋"], []],
            "on_leave": [[], ["陈静"], [], []],
        },
        "counts": {"支部委员会": 2},
        "problems": [],
        "covers": (D(2026, 7, 1), D(2026, 9, 30)),  # 2026年第三季度
    },
    "主题党日活动录入样表.xlsx": {
        "kind": "activity",
        "rows": {
            "row": [3, 4, 5],
            "branch": ["第一党支部", "第一党支部", "第二党支部"],
            "type": ["主题党日"] * 3,
            "topic": ["重温入党誓词", "参观廉政教育基地", "志愿服务进社区"],
            "date": [D(2026, 7, 1), D(2026, 8, 5), D(2026, 9, 9)],
            "expected": [12.0, 12.0, 8.0],
            "present": [11.0, 12.0, 7.0],  # 参加人数
        },
        "problems": [("warning", "type_from_title", "Sheet1", None, None, None)],
        "covers": None,
    },
    "党员信息录入样表.xlsx": {
        "kind": "roster",
        "rows": {
            "row": [3, 4, 5, 6, 7],
            "name": ["张伟", "李娜", "赵敏", "王芳", "黄磊"],
            "member_code": ["20260001", "20260002", "20260003", "20260004", "20260005"],  # 学工号
            # 李娜(预备) has no 党员类型: the marker says it
            "category": ["正式党员", "预备党员", "预备党员", "正式党员", "正式党员"],
            "join_date": [D(2001, 7, 1), D(2025, 11, 20), D(2026, 1, 10), D(1998, 6, 15), D(2010, 5, 4)],
            "transfer_in": [None, D(2026, 3, 1), None, None, None],
            "transfer_out": [None, None, None, D(2026, 8, 31), None],
            "status": ["active", "active", "active", "transferred", "active"],
            "phone": ["13800000001", None, None, None, None],
        },
        "problems": [],
        "as_of": D(2026, 9, 30),  # 截至2026年9月30日
    },
    "组织生活台账_隐藏表.xlsx": {
        "kind": "activity",
        "rows": {
            "sheet": ["台账"] * 3,  # not 台账(旧) (hidden), 备份 (very hidden), 填表说明 (instructions)
            "row": [3, 4, 5],
            "type": ["支部委员会", "支部委员会", "党课"],
            "present": [5.0, 4.0, 11.0],
        },
        "counts": {"支部委员会": 2},
        "problems": [("warning", "hidden_sheets", "", None, None, "台账(旧)、备份")],
        "messages": {0: ["「台账(旧)」", "「备份」", "取消隐藏"]},
        "covers": (D(2026, 7, 1), D(2026, 9, 30)),
    },
    "组织生活台账_重复行.xlsx": {
        "kind": "activity",
        "rows": {
            "sheet": ["7-9月", "7-9月", "7-9月", "7-9月", "7-9月 (2)"],
            "row": [3, 4, 6, 7, 3],
            "type": ["支部委员会", "支部委员会", "支部委员会", "党课", "主题党日"],
            "date": [D(2026, 7, 3), D(2026, 8, 4), D(2026, 9, 2), D(2026, 9, 10), D(2026, 9, 25)],
        },
        "counts": {"支部委员会": 3, "党课": 1},  # not 4 and 2
        "problems": [("warning", "duplicate_row", "7-9月", 5, None, None),
                     ("warning", "duplicate_row", "7-9月 (2)", 2, None, None)],
        "messages": {0: ["与第4行", "只计一次"], 1: ["与工作表「7-9月」第7行", "只计一次"]},
        "covers": (D(2026, 7, 1), D(2026, 9, 30)),
    },
    "组织生活台账_公式无缓存.xlsx": {
        "kind": "activity",
        "rows": {"row": [2, 3, 4], "present": [None, None, None]},
        "problems": [("error", "formula_without_value", "台账", 2, "实到人数", "=E2-F2"),
                     ("error", "formula_without_value", "台账", 3, "实到人数", "=E3-F3"),
                     ("error", "formula_without_value", "台账", 4, "实到人数", "=E4-F4")],
        "messages": {i: ["Excel", "WPS", "保存", "重新导入"] for i in range(3)},
        "ok": False,
    },
    "组织生活台账_公式有缓存.xlsx": {
        "kind": "activity",
        "rows": {"row": [2, 3, 4], "present": [5.0, 4.0, 11.0], "expected": [5.0, 5.0, 12.0]},
        "problems": [],
    },
    "组织生活台账_缺日期列.xlsx": {
        "kind": "activity",  # not a 统计表 with "主题党日应为数字" errors
        "rows": {"row": []},
        "problems": [("error", "missing_column", "Sheet1", None, "日期", None)],
        "messages": {0: ["缺少必填列「日期」", "文件中找到的表头：序号、党支部、活动类型、主题、应到人数、实到人数、缺席人员",
                         "表头可写作：日期"]},
        "ok": False,
    },
    "三会一课录入样表_只有计划时间.xlsx": {
        "kind": "activity",
        "rows": {"row": []},
        "problems": [("error", "missing_column", "Sheet1", None, "日期", None)],
        "messages": {0: ["缺少必填列「日期」", "「计划会议时间」是计划时间"]},
        "ok": False,
    },
    "学习强国_20260701-20260930.xlsx": {
        "kind": "xuexi",
        "rows": {
            "row": [3, 4, 5, 6],
            "name": ["张伟", "赵敏", "李娜", "周晓明"],  # 赵敏（预备）
            "branch": ["第一党支部", "第一党支部", "第一党支部", None],
            "points": [2850.0, 1900.0, 0.0, 120.0],  # 李娜 未激活: 0
        },
        "problems": [("warning", "unknown_branch", "学员详细数据", 6, "部门", "其他")],
        "messages": {0: ["党员名册", "所在支部"]},
        "period": (D(2026, 7, 1), D(2026, 9, 30)),
    },
    "学习记录_预备标记.csv": {
        "kind": "study",
        "rows": {"row": [2, 3], "name": ["李娜", "张伟"], "hours": [2.0, 1.5],
                 "date": [D(2026, 7, 8), D(2026, 7, 9)]},
        "problems": [],
    },
    "组织生活开展情况统计表_重复行.xlsx": {
        "kind": "activity_counts",
        "rows": {  # three source rows (3, 4, 6) × three types; row 5 repeats row 4
            "row": [3, 3, 3, 4, 4, 4, 6, 6, 6],
            "type": ["支部委员会", "党课", "主题党日"] * 3,
            "count": [1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0],
        },
        "problems": [("warning", "duplicate_row", "统计表", 5, None, None)],
        "covers": (D(2026, 7, 1), D(2026, 9, 30)),
    },
    "组织生活台账_隐藏表.xls": {
        "kind": "activity",
        "rows": {"sheet": ["台账", "台账"], "row": [2, 3], "type": ["支部委员会", "党课"],
                 "date": [D(2026, 7, 6), D(2026, 8, 3)]},
        "problems": [("warning", "hidden_sheets", "", None, None, "旧台账")],
    },
}
KNOWN_BRANCHES = {"第一党支部": "第一党支部", "第二党支部": "第二党支部"}


def _plain(value: object) -> object:
    if isinstance(value, list):
        return value
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def assert_loads_as(result, expected: dict) -> None:
    assert result.kind == expected["kind"]
    frame = result.frame
    for column, values in expected["rows"].items():
        assert [_plain(v) for v in frame[column].tolist()] == values, column
    for activity_type, n in expected.get("counts", {}).items():
        assert int((frame["type"] == activity_type).sum()) == n
    problems = [(p.severity, p.code, p.sheet, p.row, p.column, p.value) for p in result.problems]
    assert problems == expected["problems"]
    for i, problem in enumerate(result.problems):
        assert CHINESE.search(problem.message) and "请" in problem.message, problem.message
        for word in expected.get("messages", {}).get(i, []):
            assert word in problem.message, (word, problem.message)
    assert result.ok is expected.get("ok", True)
    assert result.covers == expected.get("covers")
    assert result.as_of == expected.get("as_of")
    assert result.period == expected.get("period")


def test_every_corpus_file_is_stated_here():
    committed = {p.name for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xls", ".csv")}
    assert committed == set(make_corpus.CORPUS) == set(EXPECTED)


def test_the_committed_corpus_is_what_the_script_builds(tmp_path):
    built = make_corpus.build(tmp_path, make_corpus.CORPUS)
    different = [name for name, path in built.items() if path.read_bytes() != (CORPUS / name).read_bytes()]
    assert not different, f"run python tests/files/make_corpus.py ({different})"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_layout_file(name):
    assert_loads_as(load_file(CORPUS / name, known_branches=KNOWN_BRANCHES), EXPECTED[name])


# ---------------------------------------------------------------- hostile files

# file → (code, sheet, words the message must hold); each is refused before any reader sees it
REFUSED = {
    "stray_xfd.xlsx": ("too_many_cells", "名册", ["XFD", "1,048,576 行", "Ctrl+End", "DASHBOARD_MAX_CELLS"]),
    "stray_cv.xlsx": ("too_many_cells", "名册", ["CV", "1,048,576 行 × 100 列", "Ctrl+End"]),
    "stray_no_position.xlsx": ("too_many_cells", "名册", ["1,048,576 行 × 2 列"]),
    "merge_bomb.xlsx": ("too_large_unpacked", "", ["1,024 MB", "200 MB", "DASHBOARD_MAX_UNPACKED_MB"]),
    "merge_bomb_lying.xlsx": ("unreadable", "", ["损坏", "另存为"]),
    "shared_strings_bomb.xlsx": ("too_large_unpacked", "", ["1,024 MB", "200 MB"]),
    "stray_iv.xls": ("too_many_cells", "名册", ["IV", "65,536 行 × 256 列"]),
    "wide_line.csv": ("too_many_cells", "", ["3,000,001 列", "逗号"]),
}


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> dict[str, Path]:
    return make_corpus.build(tmp_path_factory.mktemp("hostile"), make_corpus.HOSTILE)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_file_is_refused_with_a_message(hostile, name):
    code, sheet, words = REFUSED[name]
    result = load_file(hostile[name])
    assert result.kind is None and result.frame.empty and not result.ok
    assert [(p.code, p.sheet, p.row, p.column) for p in result.problems] == [(code, sheet, None, None)]
    message = result.problems[0].message
    assert CHINESE.search(message) and "请" in message
    for word in words:
        assert word in message, (word, message)


def test_merges_below_the_bounds_still_load(hostile):
    # 60 MB of <mergeCell> after a two-member roster: streamed and capped, the roster is read
    result = load_file(hostile["merges_under_limit.xlsx"])
    assert result.ok and result.frame["name"].tolist() == ["张伟", "李娜"]


# The process reading the file may add this much address space, no more (it starts at 1.4 GB:
# pandas, Arrow and fastexcel reserve much more than they touch).
CAP_MB = 400
_CAPPED = textwrap.dedent("""
    import json, resource, sys
    sys.path.insert(0, {root!r})
    from data_loaders import load_file
    load_file({warm!r})  # thread pools and arenas exist before the cap
    size = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize:"))
    cap = size + {cap} * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    {body}
""")


def _run_capped(body: str, path: Path) -> subprocess.CompletedProcess:
    script = _CAPPED.format(root=str(ROOT), warm=str(CORPUS / "组织生活台账_公式有缓存.xlsx"), cap=CAP_MB,
                            body=body)
    return subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.mark.parametrize("name", ["stray_xfd.xlsx", "stray_cv.xlsx", "stray_no_position.xlsx", "merge_bomb.xlsx",
                                  "shared_strings_bomb.xlsx", "stray_iv.xls", "wide_line.csv"])
def test_hostile_file_is_refused_within_a_few_hundred_megabytes(hostile, name):
    run = _run_capped("print(json.dumps([p.code for p in load_file(sys.argv[1]).problems]))", hostile[name])
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.splitlines()[-1]) == [REFUSED[name][0]]


def test_merges_below_the_bounds_load_within_a_few_hundred_megabytes(hostile):
    run = _run_capped("r = load_file(sys.argv[1]); print(json.dumps([r.ok, r.frame['name'].tolist()]))",
                      hostile["merges_under_limit.xlsx"])
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.splitlines()[-1]) == [True, ["张伟", "李娜"]]


def test_without_the_inspection_the_stray_cell_kills_the_capped_reader(hostile):
    # What the inspection prevents: fastexcel on the 5 KB file asks for far more than the cap.
    run = _run_capped("import fastexcel; fastexcel.read_excel(sys.argv[1]).load_sheet(0).to_pandas(); print('read')",
                      hostile["stray_xfd.xlsx"])
    assert run.returncode != 0 and "read" not in run.stdout


# ---------------------------------------------------------------- load_file_isolated


def test_isolated_load_gives_what_load_file_gives():
    path = CORPUS / "三会一课录入样表_实际会议时间.xlsx"
    isolated, direct = load_file_isolated(path), load_file(path)
    pd.testing.assert_frame_equal(isolated.frame, direct.frame)
    assert (isolated.kind, isolated.problems, isolated.covers) == (direct.kind, direct.problems, direct.covers)
    content = (CORPUS / "党员信息录入样表.xlsx").read_bytes()
    from_bytes = load_file_isolated(content, file_name="党员信息录入样表.xlsx")
    assert from_bytes.frame["name"].tolist() == ["张伟", "李娜", "赵敏", "王芳", "黄磊"]
    assert from_bytes.as_of == D(2026, 9, 30)


def test_isolated_load_refuses_the_stray_cell_too(hostile):
    result = load_file_isolated(hostile["stray_xfd.xlsx"])
    assert [(p.code, p.sheet) for p in result.problems] == [("too_many_cells", "名册")]


@pytest.mark.parametrize(("reader", "code", "words"), [
    (loader_fixtures.reader_that_aborts, "reader_crashed", ["退出码 -6", "Ctrl+End"]),
    (loader_fixtures.reader_that_is_killed, "reader_crashed", ["退出码 -9"]),
    (loader_fixtures.reader_that_wants_too_much, "reader_out_of_memory", ["1024 MB", "DASHBOARD_PARSE_MEMORY_MB"]),
    (loader_fixtures.reader_that_fails, "reader_failed", ["管理员"]),
])
def test_a_reader_that_dies_becomes_a_problem_and_the_next_upload_works(reader, code, words):
    content = (CORPUS / "组织生活台账_公式有缓存.xlsx").read_bytes()
    result = load_file_isolated(content, file_name="台账.xlsx", kind="activity", _reader=reader,
                                limits=Limits(parse_memory_bytes=1024 << 20))
    assert result.kind == "activity" and result.frame.empty and not result.ok
    assert [(p.code, p.file, p.sheet, p.row) for p in result.problems] == [(code, "台账.xlsx", "", None)]
    assert "文件未导入" in result.problems[0].message and "服务不受影响" in result.problems[0].message
    for word in words:
        assert word in result.problems[0].message
    after = load_file_isolated(content, file_name="台账.xlsx")
    assert after.ok and after.frame["present"].tolist() == [5.0, 4.0, 11.0]


def test_a_reader_that_hangs_is_stopped():
    result = load_file_isolated(b"PK", file_name="a.xlsx", _reader=loader_fixtures.reader_that_hangs,
                                limits=Limits(parse_timeout_s=1))
    assert [p.code for p in result.problems] == ["reader_timeout"]
    assert "1 秒" in result.problems[0].message
    assert not [c for c in multiprocessing.active_children() if c.name.endswith("a.xlsx")]


def test_the_child_does_not_run_the_page_that_asked(tmp_path, monkeypatch):
    # In the server, __main__ is the Streamlit page being run; a child that imported it again
    # would run the page. Here the "page" leaves a mark when it runs.
    import types

    mark = tmp_path / "ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(mark)!r}, 'w').close()\n", encoding="utf-8")
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", main)
    result = load_file_isolated(CORPUS / "组织生活台账_公式有缓存.xlsx")
    assert result.ok and not mark.exists()


def test_the_native_reader_itself_dies_in_the_child_not_here(hostile):
    # The second wall: were the inspection to miss a file, calamine's 512 GiB request fails
    # against the child's cap and the child dies; this process carries on.
    result = load_file_isolated(hostile["stray_xfd.xlsx"], _reader=loader_fixtures.reader_without_inspection,
                                limits=Limits(parse_memory_bytes=512 << 20))
    assert [p.code for p in result.problems] in (["reader_crashed"], ["reader_out_of_memory"])


def test_isolated_load_checks_its_arguments_here():
    with pytest.raises(ValueError):
        load_file_isolated(b"abc")
    with pytest.raises(ValueError):
        load_file_isolated(b"abc", file_name="a.csv", kind="nonsense")
    with pytest.raises(TypeError):
        load_file_isolated(42)  # type: ignore[arg-type]
