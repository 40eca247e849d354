"""Properties that must hold for any data (hypothesis), on small random datasets of 2026Q3."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from metrics.config import load_config
from metrics.indicators import indicator_table
from metrics.scorecard import branch_scorecard
from tests.metrics_fixtures import DatasetBuilder

CONFIG = load_config()
COUNT_INDICATORS = [k for k, ind in CONFIG.indicators.items() if ind.kind == "count"]
TYPES = ["支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "集中学习", "组织生活会", "民主评议党员"]
NAMES = ["张伟", "李娜", "王芳", "赵强"]
FIRST = date(2026, 6, 20)  # a little before the quarter, so window edges get exercised
SPAN = 115  # … to 12 Oct
# derandomized and small: the whole metrics run stays well under 30 s on a loaded CI box
PROFILE = settings(
    max_examples=15, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

day = st.integers(0, SPAN).map(lambda n: FIRST + timedelta(days=n))
optional_count = st.one_of(st.none(), st.integers(0, 12))


@st.composite
def datasets(draw):
    """1–3 branches with up to 4 members (homonyms allowed), ledger rows, monthly counts,
    study records and monthly 学习强国 exports."""
    b = DatasetBuilder()
    n_branches = draw(st.integers(1, 3))
    branch_ids = list(range(1, n_branches + 1))
    for bid in branch_ids:
        b.branch(bid, type=draw(st.sampled_from(["在职", "离退休"])))
        names = draw(st.lists(st.sampled_from(NAMES), max_size=4))
        for i, name in enumerate(names):
            b.member(bid * 10 + i, bid, name, group=draw(st.sampled_from([None, "一组", "二组"])))
    for _ in range(draw(st.integers(0, 10))):
        b.activity(
            draw(st.sampled_from(branch_ids)), draw(day), draw(st.sampled_from(TYPES)),
            expected=draw(optional_count), present=draw(optional_count),
            absent=tuple(draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))),
        )
    # counts rows are monthly and never overlap within a (branch, type): consistent tables
    seen = set()
    for bid, month, typ, count in draw(st.lists(
        st.tuples(st.sampled_from(branch_ids), st.integers(6, 10), st.sampled_from(TYPES), st.integers(0, 3)),
        max_size=4,
    )):
        if (bid, month, typ) in seen:
            continue
        seen.add((bid, month, typ))
        end = (pd.Timestamp(2026, month, 1) + pd.offsets.MonthEnd(0)).date()
        b.counts(bid, date(2026, month, 1), end, typ, count, expected=draw(optional_count), present=draw(optional_count))
    for _ in range(draw(st.integers(0, 6))):
        b.study(draw(st.sampled_from(branch_ids)), draw(st.sampled_from(NAMES)), draw(day),
                draw(st.sampled_from(["集中学习", "自学"])))
    for export_id, month in enumerate(draw(st.lists(st.integers(7, 9), max_size=3, unique=True)), start=1):
        end = (pd.Timestamp(2026, month, 1) + pd.offsets.MonthEnd(0)).date()
        rows = [(name, draw(st.sampled_from(branch_ids)), draw(st.integers(0, 3000)))
                for name in draw(st.lists(st.sampled_from(NAMES), max_size=4))]
        b.xuexi(export_id, date(2026, month, 1), end, rows)
    return b


as_of_in_q3 = st.integers(0, 91).map(lambda n: date(2026, 7, 1) + timedelta(days=n))


def counts_by_key(table):
    rows = table[table["indicator"].isin(COUNT_INDICATORS)]
    return dict(zip(zip(rows["branch_id"], rows["indicator"], strict=True), rows["actual"], strict=True))


@PROFILE
@given(datasets(), as_of_in_q3)
def test_completion_score_and_rank_are_consistent(builder, as_of):
    card = branch_scorecard(builder.build(), "2026Q3", as_of, CONFIG)
    table = card.indicators
    applicable = table[table["applicable"]]
    assert applicable["completion"].between(0, 1).all()
    assert table.loc[~table["applicable"], "completion"].isna().all()
    assert set(applicable["status"]) <= {"green", "yellow", "red"}
    scores = card.branches["score"].dropna()
    assert scores.between(0, 100).all()
    ranked = card.branches.dropna(subset=["score"])
    pairs = list(zip(ranked["score"], ranked["rank"], strict=True))
    for score_a, rank_a in pairs:
        for score_b, rank_b in pairs:
            if score_a > score_b:
                assert rank_a < rank_b
            elif score_a == score_b:
                assert rank_a == rank_b
    if pairs:
        assert ranked["rank"].min() == 1
        # competition ranking: rank = 1 + number of strictly higher scores
        assert all(rank == 1 + sum(other > score for other, _ in pairs) for score, rank in pairs)


@PROFILE
@given(datasets(), as_of_in_q3, st.integers(1, 3), day, st.sampled_from(TYPES))
def test_adding_an_activity_never_lowers_a_count(builder, as_of, bid, when, typ):
    ds = builder.build()
    assume(bid in set(ds.branches["branch_id"]))
    counts = ds.activity_counts
    inside_counts = counts[(counts["branch_id"] == bid) & (counts["type"] == typ)
                           & (counts["period_start"] <= pd.Timestamp(when)) & (counts["period_end"] >= pd.Timestamp(when))]
    # a ledger row inside a counts period of its type replaces that row (ledger wins): not "adding"
    assume(inside_counts.empty)
    before = counts_by_key(indicator_table(ds, "2026Q3", as_of, CONFIG))
    after = counts_by_key(indicator_table(builder.activity(bid, when, typ).build(), "2026Q3", as_of, CONFIG))
    for key, value in before.items():
        if not np.isnan(value):
            assert after[key] >= value, key


@PROFILE
@given(datasets(), as_of_in_q3, as_of_in_q3)
def test_a_later_as_of_never_removes_a_record(builder, first, second):
    early, late = sorted((first, second))
    ds = builder.build()
    t1 = indicator_table(ds, "2026Q3", early, CONFIG).set_index(["branch_id", "indicator"])
    t2 = indicator_table(ds, "2026Q3", late, CONFIG).set_index(["branch_id", "indicator"])
    counts = t1.index.get_level_values("indicator").isin(COUNT_INDICATORS) & t1["actual"].notna().to_numpy()
    assert (t2.loc[counts, "actual"] >= t1.loc[counts, "actual"]).all()
    # attendance: Σ expected only grows; 学习强国: Σ points only grows
    for indicator in ("attendance", "xuexi_avg"):
        a = t1.xs(indicator, level="indicator")["numerator"].fillna(0)
        b = t2.xs(indicator, level="indicator")["numerator"].fillna(0)
        assert (b >= a - 1e-9).all(), indicator
    a = t1.xs("attendance", level="indicator")["denominator"].fillna(0)
    b = t2.xs("attendance", level="indicator")["denominator"].fillna(0)
    assert (b >= a).all()


@PROFILE
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.text(max_size=2)), max_size=30))
def test_lists_by_is_groupby_agg_list(rows):
    """metrics._frames.lists_by (one sort, one split) gives what pandas' groupby.agg(list) gives:
    the same groups, each with its values in row order."""
    from metrics._frames import lists_by

    frame = pd.DataFrame(rows, columns=["member", "branch", "text"]).astype({"member": "int64", "branch": "int64"})
    keys = pd.MultiIndex.from_frame(frame[["member", "branch"]])
    got = lists_by(frame["text"], keys)
    want = frame.groupby(["member", "branch"])["text"].agg(list)
    assert got.to_dict() == want.to_dict()
    assert list(got.index) == list(dict.fromkeys(keys))  # in order of first appearance


@given(st.lists(st.sampled_from([None, pd.NA, np.nan, pd.NaT]), min_size=2, max_size=6),
       st.sampled_from(["date", "branch_id", "points", "activated", "name", "join_date", "hours"]))
@PROFILE
def test_an_empty_column_is_coerced_as_each_of_its_values_would_be(values, column):
    """A column storage did not read (all missing) takes a short way through prepare: it must
    come out as the values coerced one by one do (dtype, value and index)."""
    from metrics._frames import _coerce_column

    series = pd.Series(values, dtype=object, index=range(10, 10 + len(values)), name=column)
    one_by_one = pd.concat([_coerce_column(column, series.iloc[[i]]) for i in range(len(values))])
    pd.testing.assert_series_equal(_coerce_column(column, series), one_by_one)


@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 4)), st.sampled_from(["张伟", "李娜", None])),
                max_size=30))
@PROFILE
def test_pairs_are_numbered_as_pandas_numbers_them(pairs):
    """lists_by numbers (member, branch) pairs by their levels' codes: the same numbers and the
    same distinct pairs, in the same order, as pd.factorize gives."""
    from metrics._frames import _factorized

    keys = pd.MultiIndex.from_tuples(pairs, names=["a", "b"]) if pairs else \
        pd.MultiIndex.from_arrays([[], []], names=["a", "b"])
    codes, uniques = _factorized(keys)
    expected_codes, expected_uniques = pd.factorize(keys)
    assert codes.tolist() == expected_codes.tolist()
    def shown(index):  # the pairs as values: a missing id is missing whatever its dtype
        return [tuple(None if pd.isna(v) else v for v in pair) for pair in index]

    assert shown(uniques) == shown(expected_uniques)


@PROFILE
@given(datasets(), as_of_in_q3)
def test_metrics_over_one_typed_dataset_give_what_each_gives_over_its_own(builder, as_of):
    """支部详情 computes points, the quarter's 学习强国 points, the lagging list and the card over
    one typed Dataset, whose shared steps (who belonged, matched rows, a window's points) are
    taken once and remembered on it (metrics._frames.shared): in any order, twice over, each must
    equal the same metric over a Dataset of its own."""
    from metrics._frames import prepare
    from metrics.lagging import lagging_members
    from metrics.points import member_points
    from metrics.xuexi import quarter_points

    metrics = [
        lambda ds: member_points(ds, 2026, as_of, CONFIG),
        lambda ds: quarter_points(ds, "2026Q3", as_of)[0],
        lambda ds: lagging_members(ds, "2026Q3", as_of, CONFIG),
        lambda ds: branch_scorecard(ds, "2026Q3", as_of, CONFIG).indicators,
    ]
    alone = [metric(builder.build()) for metric in metrics]
    one = prepare(builder.build())
    for _ in range(2):
        for metric, expected in reversed(list(zip(metrics, alone))):
            got = metric(one)
            pd.testing.assert_frame_equal(got, expected)
            got["points"] = -1.0  # a caller writing into what it got changes its own copy only
    assert one.__dict__["_shared"]  # the steps were remembered, not merely recomputed
