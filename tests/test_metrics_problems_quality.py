"""问题清单 (metrics/problems.py) and data gaps (metrics/quality.py)."""

from metrics.indicators import indicator_table
from metrics.problems import problem_list
from metrics.quality import data_quality
from tests.metrics_fixtures import D, DatasetBuilder, quarter_scenario


def ind(label, measure, actual, target, scored=True):
    return {"branch_id": 1, "branch": "一支部", "label": label, "measure": measure, "actual": actual,
            "target": target, "scored": scored}


def test_problem_sentences():
    rows = [
        ind("主题党日", "次", 2, 3),
        ind("参会率", "率", 0.82, 0.90),
        ind("学习强国参与率", "率", 0.75, 0.95),
        ind("学习强国人均积分", "分", 1850, 2700),
        ind("自学完成率", "率", 0.8, 1.0),
        ind("党课", "次", 1, 1),                  # met
        ind("民主评议党员", "次", 0, 1, False),     # annual outside Q4: not a problem
    ]
    assert problem_list(rows) == [
        "主题党日差1次",
        "参会率82%，低于目标90%",
        "学习强国参与率75%，低于目标95%",
        "学习强国人均积分1,850分，低于目标2,700分",
        "自学完成率80%，低于目标100%",
    ]


def test_problem_sentences_never_show_a_shortfall_as_equal():
    assert problem_list([ind("参会率", "率", 0.896, 0.90)]) == ["参会率89.6%，低于目标90%"]
    assert problem_list([ind("学习强国人均积分", "分", 2699.6, 2700)]) == ["学习强国人均积分2,699分，低于目标2,700分"]


def test_problem_list_from_the_scenario_table():
    table = indicator_table(quarter_scenario().build(), "2026Q3", D(2026, 9, 30))
    assert problem_list(table[table["branch_id"] == 1]) == [
        "支部委员会差1次",
        "党小组会差2次",
        "集中学习差1次",
        "参会率83.3%，低于目标90%",            # 20 / 24
        "学习强国参与率75%，低于目标95%",
        "学习强国人均积分1,650分，低于目标2,700分",
        "自学完成率50%，低于目标100%",
    ]
    assert problem_list(table[table["branch_id"] == 2]) == ["参会率75%，低于目标80%"]
    several = problem_list(table)
    assert several[0] == "机关第一党支部：支部委员会差1次" and several[-1] == "离退休党支部：参会率75%，低于目标80%"


def quality_dataset():
    b = DatasetBuilder().branch(1, "一支部").branch(2, "二支部")
    b.member(10, 1, "张伟").member(11, 1, "王芳").member(12, 1, "王芳")
    b.xuexi(1, D(2026, 7, 1), D(2026, 8, 15), [("张伟", 1, 100), ("无名氏", 1, 50), ("王芳", 1, 30)])
    b.xuexi(2, D(2026, 8, 1), D(2026, 9, 30), [("张伟", 1, 100)])
    b.study(1, "路人", D(2026, 7, 3), "自学")
    b.study(1, "路人", D(2026, 7, 4), "自学")
    b.study(1, "路人", D(2026, 10, 4), "自学")  # next quarter: not reported for Q3
    b.activity(1, D(2026, 7, 10), "主题党日", absent=("不存在",), on_leave=("王芳",))
    b.activity(1, D(2026, 7, 11), "其他", type_raw="读书分享会")
    b.activity(1, D(2026, 7, 20), "支部委员会")
    b.counts(1, D(2026, 7, 1), D(2026, 7, 31), "支部委员会", 2)
    b.activity(2, D(2026, 8, 1), "主题党日")  # a branch with activities but no roster
    return b.build()


def test_data_quality_finds_every_gap():
    q = data_quality(quality_dataset(), "2026Q3", D(2026, 9, 30))
    unmatched = {(r.source, r.name): r.n_rows for r in q.unmatched.itertuples()}
    assert unmatched == {("学习强国", "无名氏"): 1, ("学习记录", "路人"): 2, ("缺席名单", "不存在"): 1}
    ambiguous = {(r.source, r.name): sorted(r.candidates) for r in q.ambiguous.itertuples()}
    assert ambiguous == {("学习强国", "王芳"): [11, 12], ("请假名单", "王芳"): [11, 12]}
    assert q.unknown_types["type_raw"].tolist() == ["读书分享会"]
    assert q.missing_xuexi_quarters == ["2026年第一季度", "2026年第二季度"]
    assert q.branches_without_roster["branch"].tolist() == ["二支部"]
    assert q.xuexi_overlaps[["export_a", "export_b"]].values.tolist() == [[1, 2]]
    # July has three ledger rows (主题党日, 读书分享会, 支部委员会): the ledger wins for July
    assert q.counts_clashes[["branch", "type", "count", "ledger_count"]].values.tolist() == [["一支部", "支部委员会", 2.0, 3]]
    messages = q.messages()
    assert len(messages) == 3 + 2 + 1 + 2 + 1 + 1 + 1
    assert "学习记录中的「路人」（一支部）在党员名册中找不到，共2条记录未计入" in messages
    assert not q.is_clean


def test_clean_data_has_no_messages():
    b = DatasetBuilder().branch(1).member(10, 1, "张伟")
    b.xuexi(1, D(2026, 1, 1), D(2026, 3, 31), [("张伟", 1, 1)])
    b.activity(1, D(2026, 2, 1), "主题党日", on_leave=("张伟",))
    assert data_quality(b.build(), "2026Q1", D(2026, 3, 31)).is_clean


def test_an_export_without_rows_of_the_branch_read_is_not_missing():
    """A branch-scoped read holds no row of an export none of the branch's members is in; the
    coverage frame still names the export (id and period), so the quarter is not reported as
    having none — and an export named nowhere still is."""
    import dataclasses

    import pandas as pd

    b = DatasetBuilder().branch(1, "一支部").member(10, 1, "张伟")
    ds = b.build()
    alone = data_quality(ds, "2026Q3", D(2026, 9, 30))
    assert alone.missing_xuexi_quarters == ["2026年第一季度", "2026年第二季度", "2026年第三季度"]
    named = pd.DataFrame({"source": ["xuexi", "xuexi"], "branch_id": pd.array([pd.NA, pd.NA], dtype="Int64"),
                          "covered_to": pd.to_datetime(["2026-09-30", "2026-06-30"]),
                          "export_id": pd.array([7, 8], dtype="Int64"),
                          "covered_from": pd.to_datetime(["2026-07-01", "2026-04-01"])})
    known = data_quality(dataclasses.replace(ds, coverage=named), "2026Q3", D(2026, 9, 30))
    assert known.missing_xuexi_quarters == ["2026年第一季度"]
