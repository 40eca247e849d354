"""学习强国 points per quarter and per year (metrics/xuexi.py, DOMAIN.md §3.2)."""

from metrics.xuexi import quarter_points, year_points
from tests.metrics_fixtures import D, DatasetBuilder

JUL = (D(2026, 7, 1), D(2026, 7, 31))
AUG = (D(2026, 8, 1), D(2026, 8, 31))
SEP = (D(2026, 9, 1), D(2026, 9, 30))
Q3 = (D(2026, 7, 1), D(2026, 9, 30))


def base():
    b = DatasetBuilder().branch(1).branch(2, type="离退休")
    b.member(10, 1, "张伟").member(11, 1, "李娜").member(12, 1, "王芳").member(20, 2, "老刘")
    return b


def points_of(frame):
    return dict(zip(frame["member_id"].tolist(), frame["points"].tolist(), strict=True))


def test_quarterly_export_supersedes_the_monthly_ones_it_covers():
    b = base()
    b.xuexi(1, *JUL, [("张伟", 1, 100), ("李娜", 1, 50)])
    b.xuexi(2, *AUG, [("张伟", 1, 200)])
    b.xuexi(3, *SEP, [("张伟", 1, 300)])
    b.xuexi(4, *Q3, [("张伟", 1, 1000), ("李娜", 1, 400)])
    frame, warnings = quarter_points(b.build(), "2026Q3", D(2026, 9, 30))
    # only export 4 counts: 张伟 1000 (not 1000 + 600), 李娜 400, the others 0
    assert points_of(frame) == {10: 1000, 11: 400, 12: 0, 20: 0}
    assert warnings == []


def test_before_the_quarterly_export_has_ended_the_monthly_ones_count():
    b = base()
    b.xuexi(1, *JUL, [("张伟", 1, 100)])
    b.xuexi(2, *AUG, [("张伟", 1, 200)])
    b.xuexi(3, *SEP, [("张伟", 1, 300)])
    b.xuexi(4, *Q3, [("张伟", 1, 1000)])
    frame, _ = quarter_points(b.build(), "2026Q3", D(2026, 9, 15))
    # as of 15 Sep only July (100) and August (200) have ended
    assert points_of(frame)[10] == 300


def test_export_ending_after_as_of_is_ignored():
    b = base()
    b.xuexi(1, *JUL, [("张伟", 1, 100)])
    frame, _ = quarter_points(b.build(), "2026Q3", D(2026, 7, 30))
    assert points_of(frame)[10] == 0
    frame, _ = quarter_points(b.build(), "2026Q3", D(2026, 7, 31))
    assert points_of(frame)[10] == 100


def test_equal_periods_keep_the_newest_export():
    b = base()
    b.xuexi(5, *JUL, [("张伟", 1, 100)])
    b.xuexi(9, *JUL, [("张伟", 1, 120)])  # re-export of the same month
    frame, warnings = quarter_points(b.build(), "2026Q3", D(2026, 8, 1))
    assert points_of(frame)[10] == 120
    assert warnings == []


def test_partial_overlap_counts_both_and_warns():
    b = base()
    b.xuexi(1, D(2026, 7, 1), D(2026, 8, 15), [("张伟", 1, 100)])
    b.xuexi(2, D(2026, 8, 1), D(2026, 9, 30), [("张伟", 1, 200)])
    frame, warnings = quarter_points(b.build(), "2026Q3", D(2026, 9, 30))
    assert points_of(frame)[10] == 300
    assert len(warnings) == 1
    assert "部分重叠" in warnings[0] and "2026-07-01至2026-08-15" in warnings[0]


def test_export_straddling_the_quarter_is_not_counted_and_warns():
    b = base()
    b.xuexi(1, D(2026, 6, 15), D(2026, 7, 15), [("张伟", 1, 100)])
    frame, warnings = quarter_points(b.build(), "2026Q3", D(2026, 9, 30))
    assert points_of(frame)[10] == 0
    assert any("跨越" in w for w in warnings)


def test_inactive_counts_zero_missing_counts_zero_and_rows_of_one_member_add_up():
    b = base()
    b.xuexi(1, *Q3, [("张伟", 1, 800, False), ("李娜", 1, 300), ("李娜", 1, 200), ("外人", 1, 999)])
    frame, _ = quarter_points(b.build(), "2026Q3", D(2026, 9, 30))
    # 张伟 未激活 → 0; 李娜 300 + 200; 王芳 absent from the export → 0; 外人 is no member
    assert points_of(frame) == {10: 0, 11: 500, 12: 0, 20: 0}
    assert set(frame.columns) >= {"member_id", "branch_id", "points", "daily_question"}


def test_row_without_branch_matches_a_unique_name():
    b = base()
    b.xuexi(1, *Q3, [("王芳", None, 700)])
    frame, _ = quarter_points(b.build(), "2026Q3", D(2026, 9, 30))
    assert points_of(frame)[12] == 700


def test_year_points_apply_the_same_rule_over_the_year():
    b = base()
    b.xuexi(1, D(2026, 1, 1), D(2026, 3, 31), [("张伟", 1, 1000)])
    b.xuexi(2, D(2026, 4, 1), D(2026, 4, 30), [("张伟", 1, 100)])
    b.xuexi(3, D(2026, 5, 1), D(2026, 5, 31), [("张伟", 1, 100)])
    b.xuexi(4, D(2026, 4, 1), D(2026, 6, 30), [("张伟", 1, 500)])
    b.xuexi(5, D(2026, 1, 1), D(2026, 12, 31), [("张伟", 1, 9999)])  # ends after as_of
    b.xuexi(6, D(2025, 10, 1), D(2025, 12, 31), [("张伟", 1, 7777)])  # another year
    frame, _ = year_points(b.build(), 2026, D(2026, 7, 10))
    # Q1 1000 + Q2 quarterly 500 (supersedes April and May) = 1500
    assert points_of(frame)[10] == 1500
