"""党员积分 (metrics/points.py, DOMAIN.md §6)."""

from datetime import timedelta

import pytest

from metrics.points import POINTS_COLUMNS, member_points
from tests.metrics_fixtures import D, DatasetBuilder

YEAR_END = D(2026, 12, 31)


def who_is_expected():
    b = DatasetBuilder().branch(1)
    b.member(10, 1, "张伟", role="书记", group="一组")
    b.member(11, 1, "李娜", role="组织委员", group="一组")
    b.member(12, 1, "王芳", role="党员", group="二组")
    b.member(13, 1, "赵强", group="二组")
    b.activity(1, D(2026, 1, 5), "支部委员会")               # 张伟, 李娜 (committee roles)
    b.activity(1, D(2026, 2, 5), "支部委员会")               # 张伟, 李娜
    b.activity(1, D(2026, 3, 3), "党小组会", group="一组")    # 张伟, 李娜
    b.activity(1, D(2026, 3, 4), "党小组会")                 # no group named: all four
    b.activity(1, D(2026, 4, 1), "主题党日", absent=("赵强",), on_leave=("王芳",))  # 张伟, 李娜
    b.activity(1, D(2025, 12, 30), "主题党日")               # last year
    b.activity(1, D(2027, 1, 2), "主题党日")                 # next year
    b.study(1, "张伟", D(2026, 5, 1), "集中学习").study(1, "张伟", D(2026, 5, 2), "自学")
    b.study(1, "张伟", D(2026, 6, 2), "自学").study(1, "张伟", D(2026, 6, 3), "专题交流")  # 专题交流 earns nothing
    b.xuexi(1, D(2026, 1, 1), D(2026, 3, 31), [("张伟", 1, 2500)])  # ⌊2500 / 1000⌋ = 2
    return b.build()


def test_attendance_credit_follows_who_was_expected():
    frame = member_points(who_is_expected(), 2026, YEAR_END)
    assert list(frame.columns) == POINTS_COLUMNS
    out = frame.set_index("name")
    # 张伟, 李娜: 2 支委会 + 一组 党小组会 + the group-less 党小组会 + 主题党日 = 5
    # 王芳: only the group-less 党小组会 (on leave at 主题党日: no credit, no penalty) = 1
    # 赵强: the group-less 党小组会 = 1, absent at 主题党日 → −2
    assert out["attended"].to_dict() == {"张伟": 5, "李娜": 5, "王芳": 1, "赵强": 1}
    assert out["absences"].to_dict() == {"张伟": 0, "李娜": 0, "王芳": 0, "赵强": 1}
    assert out.loc["张伟", "study_records"] == 3
    assert out.loc["张伟", "xuexi_credit"] == 2
    # 张伟 60 + 5 + 3 + 2 = 70; 李娜 65; 王芳 61; 赵强 60 + 1 − 2 = 59
    assert out["points"].to_dict() == {"张伟": 70, "李娜": 65, "王芳": 61, "赵强": 59}
    assert out["level"].to_dict() == {"张伟": "基本合格", "李娜": "基本合格", "王芳": "基本合格", "赵强": "不合格"}
    assert out["model"].to_dict() == {"张伟": True, "李娜": False, "王芳": False, "赵强": False}


def test_as_of_cuts_the_year():
    out = member_points(who_is_expected(), 2026, D(2026, 2, 28)).set_index("name")
    # only the two 支委会 have happened; the Q1 学习强国 export has not ended
    assert out.loc["张伟", "attended"] == 2 and out.loc["张伟", "xuexi_credit"] == 0


def test_caps_and_floor():
    b = DatasetBuilder().branch(2)
    b.member(20, 2, "钱七").member(21, 2, "孙八")
    start = D(2026, 1, 5)
    for week in range(35):  # 35 主题党日: 钱七 attends all, 孙八 is absent from all
        b.activity(2, start + timedelta(days=7 * week), "主题党日", absent=("孙八",))
    for day in range(25):
        b.study(2, "钱七", D(2026, 3, 1) + timedelta(days=day), "自学")
    b.xuexi(1, D(2026, 1, 1), D(2026, 12, 31), [("钱七", 2, 12500), ("孙八", 2, 999)])
    out = member_points(b.build(), 2026, YEAR_END).set_index("name")
    # 钱七: min(35, 30) + min(25, 20) + min(12, 10) = 60 → 60 + 60 = 120
    assert (out.loc["钱七", "attendance_credit"], out.loc["钱七", "study_credit"], out.loc["钱七", "xuexi_credit"]) == (30, 20, 10)
    assert out.loc["钱七", "points"] == 120 and out.loc["钱七", "level"] == "优秀"
    # 孙八: 60 − 2 × 35 = −10 → floor 0; 999 points earn no credit
    assert out.loc["孙八", "absence_penalty"] == 70
    assert out.loc["孙八", "xuexi_credit"] == 0
    assert out.loc["孙八", "points"] == 0 and out.loc["孙八", "level"] == "不合格"


def test_equal_top_scorers_are_both_model_members_and_counts_give_no_credit():
    b = DatasetBuilder().branch(3).branch(4)
    b.member(30, 3, "周敏").member(31, 3, "吴刚").member(32, 3, "郑洁")
    for i in range(15):
        b.activity(3, D(2026, 2, 1) + timedelta(days=i), "集中学习", absent=("郑洁",) if i == 0 else ())
    b.member(40, 4, "冯雪")
    b.counts(4, D(2026, 1, 1), D(2026, 3, 31), "主题党日", 3)
    out = member_points(b.build(), 2026, YEAR_END).set_index("name")
    # 周敏, 吴刚: 60 + 15 = 75 (合格), both 标兵; 郑洁: 60 + 14 − 2 = 72
    assert out["points"].to_dict() == {"周敏": 75, "吴刚": 75, "郑洁": 72, "冯雪": 60}
    assert out.loc["周敏", "level"] == "合格" and out.loc["郑洁", "level"] == "基本合格"
    assert out["model"].to_dict() == {"周敏": True, "吴刚": True, "郑洁": False, "冯雪": True}
    assert out["rank_in_branch"].to_dict() == {"周敏": 1, "吴刚": 1, "郑洁": 3, "冯雪": 1}


def test_points_rules_come_from_the_config():
    from metrics.config import load_config

    config = load_config({"points": {"base": 50, "absence_penalty": 5, "levels": {"优秀": 95, "合格": 80, "基本合格": 50}}})
    out = member_points(who_is_expected(), 2026, YEAR_END, config).set_index("name")
    # 赵强: 50 + 1 − 5 = 46 → below 50
    assert out.loc["赵强", "points"] == pytest.approx(46)
    assert out.loc["张伟", "points"] == pytest.approx(60)
    assert out.loc["张伟", "level"] == "基本合格"
