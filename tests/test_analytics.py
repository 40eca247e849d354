"""services.analytics: what a secretary gets of committee-wide figures (own rows + aggregates)."""

from datetime import date

from sqlalchemy import text

from domain.access import SYSTEM, Viewer
from domain.periods import parse_quarter
from services import analytics
from storage.db import get_engine


def _secretary(engine):
    with engine.connect() as conn:
        bid, name = conn.execute(text("SELECT id, name FROM branch ORDER BY id LIMIT 1")).one()
    return Viewer("sec", "secretary", branch_id=bid, branch=name)


def test_secretary_scorecard_is_own_branch_with_committee_rank_and_average(sample_db_url):
    engine = get_engine(sample_db_url)
    secretary = _secretary(engine)
    q, cut = parse_quarter("2026Q3"), date(2026, 9, 30)
    full = analytics.scorecard(engine, SYSTEM, q, cut)
    mine = analytics.scorecard(engine, secretary, q, cut)
    assert list(mine.card.branches["branch_id"]) == [secretary.branch_id]
    assert set(mine.card.indicators["branch_id"]) == {secretary.branch_id}
    own = full.card.branches.set_index("branch_id").loc[secretary.branch_id]
    assert mine.card.branches.iloc[0]["rank"] == own["rank"]  # the committee-wide rank
    assert mine.n_ranked == full.card.branches["score"].notna().sum() == 30
    assert mine.committee_average == full.card.branches["score"].mean()


def test_secretary_trend_keeps_the_committee_average(sample_db_url):
    engine = get_engine(sample_db_url)
    secretary = _secretary(engine)
    quarters = [parse_quarter("2026Q2"), parse_quarter("2026Q3")]
    full = analytics.score_trend(engine, SYSTEM, quarters, date(2026, 10, 15))
    mine = analytics.score_trend(engine, secretary, quarters, date(2026, 10, 15))
    assert set(mine.scores["branch_id"]) == {secretary.branch_id}
    expected = full.scores.groupby("quarter")["score"].mean()
    got = mine.averages.set_index("quarter")["score"]
    assert got.round(6).to_dict() == expected.round(6).to_dict()
    assert len(got) == 2 and got.to_dict() != mine.scores.set_index("quarter")["score"].to_dict()


def test_quarter_window_gives_the_same_scorecard_and_lagging_as_the_whole_year(sample_db_url):
    """The scorecard reads study and 学习强国 rows of the quarter only, earlier quarters only for
    annual activity types, and skips superseded monthly exports; nothing may change."""
    import pandas as pd

    from metrics.lagging import lagging_members
    from metrics.scorecard import branch_scorecard

    engine = get_engine(sample_db_url)
    for text_q, cut in (("2026Q3", date(2026, 9, 30)), ("2026Q3", date(2026, 8, 31)),
                        ("2026Q2", date(2026, 6, 30)), ("2026Q4", date(2026, 11, 26))):
        q = parse_quarter(text_q)
        whole = analytics.dataset(engine, SYSTEM, q)
        narrow = analytics.dataset(engine, SYSTEM, q, whole_year=False, as_of=cut)
        assert len(narrow.study) < len(whole.study) and len(narrow.xuexi) < len(whole.xuexi)
        assert len(narrow.activities) < len(whole.activities)
        cfg = analytics.config(engine, whole)
        a, b = branch_scorecard(whole, q, cut, cfg), branch_scorecard(narrow, q, cut, cfg)
        pd.testing.assert_frame_equal(a.branches, b.branches)
        pd.testing.assert_frame_equal(a.indicators, b.indicators)
        assert a.warnings == b.warnings
        pd.testing.assert_frame_equal(lagging_members(whole, q, cut, cfg),
                                      lagging_members(narrow, q, cut, cfg))
        # columns neither reads are left in the database (the whole year's read has them)
        for frame, columns in (("activities", ("topic", "speaker", "type_raw", "days")),
                               ("members", ("category", "join_date")), ("xuexi", ("active_days",))):
            assert getattr(narrow, frame)[list(columns)].isna().all().all(), frame
            if frame != "xuexi":  # the sample's exports have no active days at all
                assert getattr(whole, frame)[list(columns[:1])].notna().any().all(), frame
        # the lagging list's own read: no activity before the quarter
        quarter_only = analytics.dataset(engine, SYSTEM, q, whole_year=False, as_of=cut, annual=False)
        assert quarter_only.activities["date"].min() >= pd.Timestamp(q.start)
        assert len(quarter_only.activities) < len(narrow.activities) or q.start.month == 1
        pd.testing.assert_frame_equal(lagging_members(whole, q, cut, cfg),
                                      lagging_members(quarter_only, q, cut, cfg))


def test_points_from_the_quarters_data_equal_points_read_for_the_year(sample_db_url):
    """The branch page computes points from the quarter's cached data instead of reading the
    year again; a secretary's points are their branch's rows of the committee's."""
    import pandas as pd

    engine = get_engine(sample_db_url)
    q, cut = parse_quarter("2026Q3"), date(2026, 8, 20)
    read = analytics.points(engine, SYSTEM, 2026, cut)
    reused = analytics.points(engine, SYSTEM, 2026, cut, ds=analytics.dataset(engine, SYSTEM, q))
    assert len(read) > 100 and read["attended"].sum() > 0 and read["absences"].sum() > 0
    pd.testing.assert_frame_equal(read, reused)
    secretary = _secretary(engine)
    mine = analytics.points(engine, secretary, 2026, cut,
                            ds=analytics.dataset(engine, secretary, q))
    theirs = read[read["branch_id"] == secretary.branch_id]
    cols = ["member_id", "attended", "study_records", "absences", "xuexi_points"]
    pd.testing.assert_frame_equal(mine[cols].reset_index(drop=True),
                                  theirs[cols].reset_index(drop=True))


def test_secretary_lagging_list_is_the_committees_rows_of_their_branch(sample_db_url):
    """The sample has 学习强国 rows under 其他 whose names are unique on the roster: a secretary's
    list must credit them exactly as the committee view does (no false 零积分)."""
    engine = get_engine(sample_db_url)
    with engine.connect() as conn:
        branches = conn.execute(text(
            "SELECT DISTINCT b.id, b.name FROM member_version m JOIN branch b ON b.id = m.branch_id"
            " WHERE m.is_current AND m.name IN (SELECT name FROM xuexi_score"
            " WHERE is_current AND branch_id IS NULL)")).all()
    assert branches  # the case is present in the sample
    q, cut = parse_quarter("2026Q3"), date(2026, 9, 30)
    full = analytics.lagging(engine, SYSTEM, q, cut)
    for bid, name in branches:
        mine = analytics.lagging(engine, Viewer("s", "secretary", branch_id=bid, branch=name), q, cut)
        theirs = full[full["branch_id"] == bid]
        assert mine["name"].tolist() == theirs["name"].tolist()
        assert mine["reasons"].tolist() == theirs["reasons"].tolist()
        assert mine["points"].tolist() == theirs["points"].tolist()


def test_trend_from_kept_quarter_cards_equals_the_trend_over_the_years_data(sample_db_url):
    import pandas as pd

    from metrics.scorecard import trend
    from storage.queries import load_dataset

    engine = get_engine(sample_db_url)
    quarters = [parse_quarter(q) for q in ("2026Q1", "2026Q2", "2026Q3", "2026Q4")]
    today = date(2026, 11, 20)
    got = analytics.score_trend(engine, SYSTEM, quarters, today)
    ds = load_dataset(engine, SYSTEM, date(2026, 1, 1), date(2026, 12, 31))
    expected = trend(ds, quarters, today, analytics.config(engine, ds))
    assert got.scores["quarter"].nunique() == 4
    pd.testing.assert_frame_equal(got.scores, expected.scores)
    pd.testing.assert_frame_equal(got.indicators, expected.indicators)


def test_kept_cards_follow_every_write_and_other_roles_see_nothing(engine):
    """The committee card is kept per data version: an import shows at once."""
    from storage.imports import import_result
    from tests.test_storage import FIN1, ROSTER, result

    import_result(engine, result("roster", ROSTER), b"r", SYSTEM)
    q, cut = parse_quarter("2026Q3"), date(2026, 9, 30)

    def lessons():
        card = analytics.scorecard(engine, SYSTEM, q, cut).card.indicators
        row = card[(card["branch"] == FIN1) & (card["indicator"] == "lecture")]
        return float(row["actual"].iloc[0])

    assert lessons() == 0.0
    import_result(engine, result("activity", [
        {"sheet": "", "row": 2, "branch": FIN1, "date": "2026-07-03", "type": "党课", "type_raw": "党课"},
    ]), b"a1", SYSTEM)
    assert lessons() == 1.0
    mine = analytics.scorecard(engine, SYSTEM, q, cut)
    mine.card.branches.loc[:, "score"] = -1.0  # a caller changing its copy changes nothing kept
    assert (analytics.scorecard(engine, SYSTEM, q, cut).card.branches["score"] != -1.0).all()
    for nobody in (Viewer("x", "secretary"), Viewer("y", "guest")):
        seen = analytics.scorecard(engine, nobody, q, cut, with_previous=True)
        assert seen.card.branches.empty and seen.card.indicators.empty
        assert seen.previous.branches.empty
        assert analytics.score_trend(engine, nobody, [q], cut).scores.empty


def test_reads_focused_on_one_branch_give_that_branchs_rows_of_the_committee_figures(sample_db_url):
    """The branch page reads one branch (Viewer.focused_on): its points, lagging list and
    学习强国 points must be exactly the committee's rows for that branch."""
    import pandas as pd

    from metrics.xuexi import quarter_points

    engine = get_engine(sample_db_url)
    q, cut = parse_quarter("2026Q3"), date(2026, 9, 30)
    full_ds = analytics.dataset(engine, SYSTEM, q, study_details=False)
    points = analytics.points(engine, SYSTEM, 2026, cut, ds=full_ds)
    lagging = analytics.lagging(engine, SYSTEM, q, cut)
    xuexi = quarter_points(full_ds, q, cut)[0]
    leader = Viewer("l", "leader")
    for bid in sorted(points["branch_id"].unique()):
        here = leader.focused_on(bid)
        ds = analytics.dataset(engine, here, q, study_details=False)
        assert set(ds.members["branch_id"]) == {bid}
        got = analytics.points(engine, here, 2026, cut, ds=ds)
        want = points[points["branch_id"] == bid].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        got_lag = analytics.lagging(engine, here, q, cut)
        want_lag = lagging[lagging["branch_id"] == bid].reset_index(drop=True)
        assert got_lag["member_id"].tolist() == want_lag["member_id"].tolist()
        assert got_lag["reasons"].tolist() == want_lag["reasons"].tolist()
        got_x = quarter_points(ds, q, cut)[0].set_index("member_id")["points"].sort_index()
        want_x = xuexi[xuexi["branch_id"] == bid].set_index("member_id")["points"].sort_index()
        pd.testing.assert_series_equal(got_x, want_x)
    # focus never widens a scope: a secretary focused on another branch reads nothing
    with engine.connect() as conn:
        a, b = [r[0] for r in conn.execute(text("SELECT id FROM branch ORDER BY id LIMIT 2"))]
    stray = Viewer("s", "secretary", branch_id=a).focused_on(b)
    assert stray.branch_scope == () and analytics.dataset(engine, stray, q).members.empty


def test_a_lagging_list_is_kept_per_data_version_and_scope(writable_env, monkeypatch):
    """Asked again, the list comes from memory (reading data would fail); a secretary asking after
    the committee still gets only their branch; a new import is read and computed afresh."""
    import pandas as pd

    from services.importing import import_bytes

    engine = get_engine(writable_env)
    secretary = _secretary(engine)
    q, cut = parse_quarter("2026Q3"), date(2026, 9, 30)
    analytics.forget_cards(engine)
    full = analytics.lagging(engine, SYSTEM, q, cut)
    mine = analytics.lagging(engine, secretary, q, cut)
    assert set(mine["branch_id"]) <= {secretary.branch_id} and len(mine) < len(full)

    real = analytics.dataset
    monkeypatch.setattr(analytics, "dataset", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("read again")))
    again = analytics.lagging(engine, SYSTEM, q, cut)
    pd.testing.assert_frame_equal(again, full)
    again["name"] = "改动"  # a caller's change does not reach the kept list
    assert analytics.lagging(engine, SYSTEM, q, cut)["name"].tolist() == full["name"].tolist()
    assert analytics.lagging(engine, secretary, q, cut)["name"].tolist() == mine["name"].tolist()

    monkeypatch.setattr(analytics, "dataset", real)
    name = full.iloc[0]["name"]
    branch = full.iloc[0]["branch"]
    # the flagged member's branch holds one more 三会一课 activity: a new data version
    csv = f"支部名称,活动日期,活动类型,应到人数,实到人数\n{branch},2026-09-15,党课,10,10\n".encode()
    assert import_bytes(engine, csv, "补录台账.csv", SYSTEM).status == "imported"
    calls = []
    monkeypatch.setattr(analytics, "dataset", lambda *a, **k: calls.append(1) or real(*a, **k))
    analytics.lagging(engine, SYSTEM, q, cut)
    assert calls == [1], f"{name}: the list was not read again after an import"


def test_a_finished_quarters_card_is_kept_until_data_reaching_into_it_changes(writable_env, monkeypatch):
    """Cards are counted as they are computed. Data from after 2026Q2 (an October ledger row)
    leaves the finished Q2 card as it was but recomputes the quarter in progress; a row dated in
    Q1 reaches into Q2's year-to-date figures and recomputes it; so does a saved setting."""
    from services import settings
    from services.importing import import_bytes

    engine = get_engine(writable_env)
    q2, q4 = parse_quarter("2026Q2"), parse_quarter("2026Q4")
    in_progress = date(2026, 11, 20)
    analytics.forget_cards(engine)
    computed = []
    real = analytics.branch_scorecard
    monkeypatch.setattr(analytics, "branch_scorecard",
                        lambda ds, q, cut, cfg, *inputs: computed.append(str(q)) or real(ds, q, cut, cfg, *inputs))

    def ask():
        computed.clear()
        analytics.scorecard(engine, SYSTEM, q2, q2.end)
        analytics.scorecard(engine, SYSTEM, q4, in_progress)
        return sorted(computed)

    with engine.connect() as conn:
        branch = conn.execute(text("SELECT name FROM branch ORDER BY id LIMIT 1")).scalar_one()

    def ledger(day: str, tag: str) -> bytes:
        return (f"支部名称,活动日期,活动类型,活动主题,应到人数,实到人数\n"
                f"{branch},{day},党课,{tag},10,10\n").encode()

    assert ask() == ["2026Q2", "2026Q4"]
    assert ask() == []  # nothing changed: both kept
    assert import_bytes(engine, ledger("2026-10-20", "a"), "十月台账.csv", SYSTEM).status == "imported"
    assert ask() == ["2026Q4"]
    assert import_bytes(engine, ledger("2026-03-20", "b"), "三月补录.csv", SYSTEM).status == "imported"
    assert ask() == ["2026Q2", "2026Q4"]
    settings.save(engine, SYSTEM, settings.saved(engine), ["测试：原样保存"])
    assert ask() == ["2026Q2", "2026Q4"]


def test_coverage_read_without_facts_equals_coverage_over_the_quarters_data(sample_db_url, monkeypatch):
    """analytics.coverage reads branches and the files' stated periods only (every page asks for
    it; it used to read a quarter of facts); the dates must be those computed from the full data."""
    import pandas as pd

    from metrics.coverage import coverage as from_data
    from storage import queries

    engine = get_engine(sample_db_url)
    secretary = _secretary(engine)
    read = []
    real = queries.load_dataset
    monkeypatch.setattr(analytics, "load_dataset",
                        lambda *a, **k: read.append(k.get("tables")) or real(*a, **k))
    for viewer in (SYSTEM, secretary):
        for text_q, cut in (("2026Q3", date(2026, 9, 30)), ("2026Q3", date(2026, 8, 15)),
                            ("2026Q4", date(2026, 11, 26)), ("2026Q2", date(2026, 6, 30))):
            q = parse_quarter(text_q)
            got = analytics.coverage(engine, viewer, q, cut)
            want = from_data(real(engine, viewer, *analytics.window(q)), q, cut)
            assert (got.xuexi, got.ledger) == (want.xuexi, want.ledger), (viewer, text_q, cut)
            pd.testing.assert_series_equal(got.ledger_by_branch.sort_index(),
                                           want.ledger_by_branch.sort_index())
            assert got.texts() == want.texts() and got.missing_months() == want.missing_months()
    assert read and all(t == ("branches",) for t in read)
    # the sample's Q3 is covered by its quarterly 学习强国 export and the ledgers
    q3 = analytics.coverage(engine, SYSTEM, "2026Q3", date(2026, 9, 30))
    assert q3.xuexi == date(2026, 9, 30) and q3.ledger is not None


def test_data_quality_from_the_quarters_rows_equals_it_from_the_whole_year(sample_db_url):
    """analytics.quality reads the quarter's rows only (earlier quarters' exports known from the
    coverage frame); every frame and sentence must be what the whole year's data gives."""
    import dataclasses

    import pandas as pd

    from metrics.quality import data_quality
    from storage.queries import load_dataset

    engine = get_engine(sample_db_url)
    viewers = [SYSTEM, _secretary(engine)]
    checked = 0
    for text_q, cut in (("2026Q3", date(2026, 9, 30)), ("2026Q3", date(2026, 8, 31)),
                        ("2026Q2", date(2026, 6, 30)), ("2026Q4", date(2026, 11, 26)),
                        ("2026Q1", date(2026, 3, 31))):
        q = parse_quarter(text_q)
        for viewer in viewers:
            whole = data_quality(load_dataset(engine, viewer, date(q.year, 1, 1), q.end), q, cut)
            narrow = analytics.quality(engine, viewer, q, cut)
            for f in dataclasses.fields(whole):
                a, b = getattr(whole, f.name), getattr(narrow, f.name)
                if isinstance(a, pd.DataFrame):
                    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                                  check_dtype=False, obj=f"{text_q} {f.name}")
                else:
                    assert a == b, (text_q, f.name)
            assert whole.messages() == narrow.messages()
            checked += len(whole.messages())
    assert checked > 20  # the sample has problems to find


def test_the_branch_pages_member_figures_equal_each_figure_computed_on_its_own(sample_db_url):
    """支部详情 computes a branch's points, quarter 学习强国 points and lagging list from one read
    of the quarter (analytics.member_figures); each must equal the figure read and computed
    alone (the lagging list from its own narrower read), for a fifth of the sample's branches."""
    import pandas as pd

    engine = get_engine(sample_db_url)
    q, cut = parse_quarter("2026Q3"), date(2026, 9, 20)
    with engine.connect() as conn:
        branches = conn.execute(text("SELECT id, name FROM branch ORDER BY id")).all()
    reasons = set()
    for bid, name in branches[::5]:
        secretary = Viewer("s", "secretary", branch_id=bid, branch=name)
        analytics.forget_cards()  # the lagging list alone is computed, not the one kept above
        together = analytics.member_figures(engine, secretary, q, cut)
        analytics.forget_cards()
        pd.testing.assert_frame_equal(together.lagging, analytics.lagging(engine, secretary, q, cut))
        pd.testing.assert_frame_equal(together.points, analytics.points(engine, secretary, 2026, cut))
        pd.testing.assert_frame_equal(together.quarter_points, analytics.quarter_points(engine, secretary, q, cut))
        reasons.update(r for listed in together.lagging["reasons"] for r in listed)
    # the comparison covered every kind of reason the rows can give
    assert {"xuexi_zero", "xuexi_low", "absent", "no_self_study"} <= reasons
