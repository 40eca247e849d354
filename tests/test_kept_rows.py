"""The rows a quarter's committee figures read, kept in the database (storage.queries with
storage.kept_figures): read back exactly; read again from the tables only where a batch of a kind
that writes them came (imported or undone) since; never used for a secretary's own-branch read."""

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from domain.access import SYSTEM
from services import analytics
from services.importing import import_bytes, undo
from storage import queries
from storage.db import get_engine
from storage.kept_figures import forget_kept
from tests.test_kept_figures import CUT, Q3, loaded_url  # noqa: F401  (the fixture)

LARGE = ("members", "activities", "attendance", "study", "xuexi", "coverage")


def _record_reads(monkeypatch) -> list[str]:
    """The names of the frames read from the tables (on either backend's path)."""
    reads: list[str] = []
    original = queries._ArrowReader.read_many

    def recording(self, conn, jobs):
        reads.extend(name for name, _, _ in jobs)
        return original(self, conn, jobs)

    monkeypatch.setattr(queries._ArrowReader, "read_many", recording)
    return reads


def _quarter(engine, as_of=CUT, viewer=SYSTEM, annual=True):
    return analytics.dataset(engine, viewer, Q3, whole_year=False, as_of=as_of, annual=annual)


# reads without an ORDER BY: PostgreSQL may return their rows in another order once its
# statistics change (autoanalyze after an import), so they are compared as sets of rows
_UNORDERED = {"study", "xuexi"}


def _rows_in_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values([c for c in frame.columns if frame[c].notna().any()], kind="stable",
                             na_position="last", ignore_index=True)


def _same(a, b) -> None:
    for name in LARGE:
        left, right = getattr(a, name), getattr(b, name)
        if name in _UNORDERED:
            left, right = _rows_in_order(left), _rows_in_order(right)
        pd.testing.assert_frame_equal(left, right, obj=name)


def test_the_rows_read_back_are_the_rows_the_tables_give(loaded_url, monkeypatch):
    engine = get_engine(loaded_url)
    forget_kept(engine)
    reads = _record_reads(monkeypatch)
    first = _quarter(engine)
    assert set(reads) >= set(LARGE)
    assert all(len(getattr(first, name)) for name in LARGE)  # the check below compares rows
    reads.clear()
    again = _quarter(engine)
    assert set(reads) & set(LARGE) == set()
    _same(again, first)


def _newest_batch(engine, kind: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT max(id) FROM import_batch WHERE kind = :k AND undone_at IS NULL"),
                            {"k": kind}).scalar_one()


@pytest.mark.parametrize("kind, read_again", [
    ("xuexi", {"xuexi", "coverage"}), ("activity", {"activities", "attendance", "coverage"}),
    ("study", {"study"}), ("roster", {"members"}), ("activity_counts", {"coverage"}),
])
def test_an_undone_batch_has_only_the_rows_of_its_kind_read_again(loaded_url, monkeypatch, kind,
                                                                     read_again):
    engine = get_engine(loaded_url)
    forget_kept(engine)
    _quarter(engine)
    reads = _record_reads(monkeypatch)
    undo(engine, _newest_batch(engine, kind), SYSTEM)
    after = _quarter(engine)
    assert set(reads) & set(LARGE) == read_again
    forget_kept(engine)  # what the tables alone give after the undo
    _same(after, _quarter(engine))


def test_an_imported_ledger_has_its_activities_read_again_and_counted(writable_env, monkeypatch):
    engine = get_engine(writable_env)
    with engine.connect() as conn:
        branch = conn.execute(text("SELECT name FROM branch ORDER BY id LIMIT 1")).scalar_one()
    forget_kept(engine)
    before = _quarter(engine)
    reads = _record_reads(monkeypatch)
    ledger = f"支部名称,活动日期,活动类型,活动主题,应到人数,实到人数\n{branch},2026-09-15,党课,补录,10,9\n"
    assert import_bytes(engine, ledger.encode(), "补录.csv", SYSTEM).status == "imported"
    after = _quarter(engine)
    # the kept activities grow by the new batch's rows; how far each file goes is read again
    assert set(reads) & set(LARGE) == {"coverage"}

    def lessons(ds):
        a = ds.activities
        return int(((a["date"] == pd.Timestamp(2026, 9, 15)) & (a["type"] == "党课")
                    & (a["branch"] == branch)).sum())

    assert len(after.activities) == len(before.activities) + 1
    assert lessons(after) == lessons(before) + 1
    assert len(after.coverage) == len(before.coverage) + 1  # the new batch's branch: how far it goes


def test_only_the_as_of_dependent_rows_are_read_again_for_another_day(loaded_url, monkeypatch):
    """The quarter in progress is read as of a new day every day: only 学习强国 (which exports
    count depends on the day) is read again."""
    engine = get_engine(loaded_url)
    forget_kept(engine)
    _quarter(engine)
    reads = _record_reads(monkeypatch)
    earlier = _quarter(engine, as_of=date(2026, 8, 31))
    assert set(reads) & set(LARGE) == {"xuexi"}
    forget_kept(engine)
    _same(earlier, _quarter(engine, as_of=date(2026, 8, 31)))


def test_a_secretarys_read_comes_from_the_tables_and_holds_only_their_branch(writable_env, monkeypatch):
    engine = get_engine(writable_env)
    with engine.connect() as conn:
        own = conn.execute(text("SELECT min(branch_id) FROM membership")).scalar_one()
    forget_kept(engine)
    _quarter(engine)  # the committee's rows are kept
    reads = _record_reads(monkeypatch)
    secretary = SYSTEM.focused_on(own)
    mine = _quarter(engine, viewer=secretary)
    assert set(reads) >= {"members", "study", "activities"}
    assert set(mine.members["branch_id"]) == {own}
    assert set(mine.activities["branch_id"]) <= {own}
    assert set(mine.study["branch_id"]) <= {own}


def test_damaged_kept_rows_are_read_from_the_tables_and_kept_again(writable_env, monkeypatch, caplog):
    engine = get_engine(writable_env)
    forget_kept(engine)
    first = _quarter(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE kept_figures SET data = :junk WHERE kind = 'r:study'"), {"junk": b"not arrow"})
    reads = _record_reads(monkeypatch)
    again = _quarter(engine)
    assert set(reads) & set(LARGE) == {"study"}
    assert "not readable" in caplog.text
    _same(again, first)
    reads.clear()
    _quarter(engine)
    assert set(reads) & set(LARGE) == set()  # the study rows were kept again


def test_keeping_gives_way_to_a_writer_instead_of_waiting_out_the_busy_timeout(writable_env, caplog):
    """An import holding SQLite's write lock: figures and rows are not kept this time, and the
    page that computed them waits about a second for that, not the 30 s busy timeout."""
    import sqlite3
    import time

    from storage.kept_figures import _briefly, keep, keep_rows

    engine = get_engine(writable_env)
    forget_kept(engine)
    frame = pd.DataFrame({"branch_id": [1, 2], "name": ["张伟", "李娜"]})
    importer = sqlite3.connect(writable_env.removeprefix("sqlite:///"), isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        keep_rows(engine, {"k1": ("r:members", "2026Q3", CUT, frame)})
        kept = keep(engine, "k2", "lagging", "2026Q3", CUT, {"members": frame})
        waited = time.monotonic() - started
    finally:
        importer.rollback()
        importer.close()
    assert waited < 10 and kept is False
    assert "not kept" in caplog.text
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM kept_figures")).scalar_one() == 0
    with _briefly(engine) as conn:  # the wait is shortened for keeping only
        inside = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        raw = conn.connection.dbapi_connection
    assert (inside, raw.execute("PRAGMA busy_timeout").fetchone()[0]) == (1000, 30000)


def _count_calls(monkeypatch, name: str) -> list[str]:
    """The quarters ``analytics.<name>(ds, q, cut)`` is computed for from now on."""
    computed: list[str] = []
    real = getattr(analytics, name)

    def counting(ds, q, cut):
        computed.append(str(q))
        return real(ds, q, cut)

    monkeypatch.setattr(analytics, name, counting)
    return computed


def _undo_files(engine, files: list[str]) -> None:
    with engine.connect() as conn:
        batches = [conn.execute(text("SELECT id FROM import_batch WHERE file_name = :f"), {"f": f}).scalar_one()
                   for f in files]
    for batch in batches:
        undo(engine, batch, SYSTEM)


def _fresh_lagging(engine) -> pd.DataFrame:
    """The committee's lagging list from the tables alone: nothing kept anywhere."""
    forget_kept(engine)
    analytics.forget_cards()
    return analytics.lagging(engine, SYSTEM, Q3, CUT)


@pytest.mark.parametrize("files, parts_again", [
    (["组织生活台账_市财政局_2026下半年.xlsx"], False),
    (["学习强国_2026Q3.xlsx", "学习强国_2026-09.xlsx"], True),  # the quarter's export, and the month's in its place
    (["学习记录_2026.xlsx"], True), (["名册_2026.xlsx"], True),
])
def test_the_lagging_lists_member_parts_are_computed_again_only_when_their_rows_change(
        loaded_url, monkeypatch, files, parts_again):
    """学习强国 points and self-study months are kept under the rows they read: a ledger batch
    (here undone) recomputes the absences only; a roster, 学习强国 or study batch all of it. Either
    way the list is the one the tables alone give."""
    engine = get_engine(loaded_url)
    before = _fresh_lagging(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM kept_figures WHERE kind = 'p:lagging'")).scalar_one() == 1
    computed = _count_calls(monkeypatch, "member_parts")
    _undo_files(engine, files)
    analytics.forget_cards()
    after = analytics.lagging(engine, SYSTEM, Q3, CUT)
    assert computed == (["2026Q3"] if parts_again else [])
    assert not after.equals(before)  # the batch mattered to the list, so the comparison below can fail
    computed.clear()
    pd.testing.assert_frame_equal(after, _fresh_lagging(engine))
    assert computed == ["2026Q3"]


def test_a_secretarys_lagging_list_computes_its_own_parts_and_keeps_none(writable_env, monkeypatch):
    engine = get_engine(writable_env)
    with engine.connect() as conn:
        own = conn.execute(text("SELECT min(branch_id) FROM membership")).scalar_one()
    committee = _fresh_lagging(engine)  # the committee's parts are kept
    computed = _count_calls(monkeypatch, "member_parts")
    mine = analytics.lagging(engine, SYSTEM.focused_on(own), Q3, CUT)
    assert computed == ["2026Q3"]
    assert set(mine["branch_id"]) == {own}
    pd.testing.assert_frame_equal(mine.reset_index(drop=True),
                                  committee[committee["branch_id"] == own].reset_index(drop=True))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM kept_figures WHERE kind = 'p:lagging'")).scalar_one() == 1


def _an_activity_with_absentees(engine) -> dict:
    """A current activity of the quarter that lists absent members, as a ledger row writes it."""
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT a.id, b.name AS branch, a.date, a.type_raw, a.topic, a.party_group, a.expected,"
            " a.present FROM activity a JOIN branch b ON b.id = a.branch_id"
            " WHERE a.is_current = TRUE AND a.date BETWEEN '2026-07-01' AND '2026-09-30'"
            " AND a.topic IS NOT NULL AND a.expected IS NOT NULL AND a.present > 1"
            " AND EXISTS (SELECT 1 FROM activity_person p WHERE p.activity_id = a.id AND p.kind = 'absent')"
            " ORDER BY a.party_group IS NULL, a.id LIMIT 1")).mappings().one()
        absent = conn.execute(text("SELECT name FROM activity_person WHERE activity_id = :a AND kind = 'absent'"
                                   " ORDER BY id"), {"a": row["id"]}).scalars().all()
    return {**row, "absent": absent}


def _ledger(*rows: tuple) -> bytes:
    head = "支部名称,活动日期,活动类型,活动主题,党小组,应到人数,实到人数,缺席人员\n"
    return (head + "".join(",".join(f'"{v}"' for v in row) + "\n" for row in rows)).encode()


def test_kept_activities_grow_by_new_ledgers_and_equal_the_tables(loaded_url, monkeypatch):
    """Two ledgers after the rows were kept: the first adds an activity and rewrites one already
    there (one member fewer came, so one more is absent), the second rewrites the first's new
    row. Neither reads the quarter's activities again; both times the kept rows, the scorecard's
    and the lagging list's, are exactly those the tables alone give."""
    engine = get_engine(loaded_url)
    forget_kept(engine)
    old = _an_activity_with_absentees(engine)
    day = pd.Timestamp(old["date"]).strftime("%Y-%m-%d")
    before = _quarter(engine).activities
    _quarter(engine, annual=False)
    was = before[before["activity_id"] == old["id"]].iloc[0]
    reads = _record_reads(monkeypatch)
    rewritten = (old["branch"], day, old["type_raw"], old["topic"], old["party_group"] or "", int(old["expected"]),
                 int(old["present"]) - 1, "、".join([*old["absent"], "补录缺席"]))
    added = (old["branch"], "2026-09-14", "党课", "补录党课", "", 12, 11, "补录缺席")
    for ledger in (_ledger(rewritten, added), _ledger(added[:6] + (12, "二次补录缺席"))):
        assert import_bytes(engine, ledger, "补录.csv", SYSTEM).status == "imported"
        reads.clear()
        grown = _quarter(engine), _quarter(engine, annual=False)
        assert set(reads) & {"activities", "attendance"} == set()
        forget_kept(engine)
        for kept, fresh in zip(grown, (_quarter(engine), _quarter(engine, annual=False))):
            _same(kept, fresh)
        forget_kept(engine)  # the next round grows the rows kept just before its import
        _quarter(engine), _quarter(engine, annual=False)
    a = grown[0].activities  # (the quarter's read leaves topics out)
    same = (a["branch_id"] == was["branch_id"]) & (a["date"] == was["date"]) & (a["type"] == was["type"])
    again = a[same & (a["group"].eq(was["group"]) if isinstance(was["group"], str) else a["group"].isna())]
    assert old["id"] not in set(a["activity_id"])
    assert again["present"].tolist() == [old["present"] - 1]  # the rewritten row only, not the old one
    attendance = grown[0].attendance
    assert "补录缺席" in set(attendance.loc[attendance["activity_id"] == again["activity_id"].iloc[0], "name"])
    lesson = a[(a["branch"] == old["branch"]) & (a["date"] == pd.Timestamp(2026, 9, 14)) & (a["type"] == "党课")]
    assert lesson["present"].tolist() == [12]  # the second ledger's version
    assert set(attendance.loc[attendance["activity_id"] == lesson["activity_id"].iloc[0], "name"]) == {"二次补录缺席"}


def test_kept_activities_grow_past_a_ledger_imported_and_undone_since(loaded_url, monkeypatch):
    """A ledger imported after the rows were kept, undone, and imported again corrected (the
    office's usual mistake): the undone batch is newer than the copy, so the copy still grows —
    without the undone rows, with the rows they had replaced — and equals the tables."""
    engine = get_engine(loaded_url)
    forget_kept(engine)
    old = _an_activity_with_absentees(engine)
    day = pd.Timestamp(old["date"]).strftime("%Y-%m-%d")
    _quarter(engine)
    rewritten = (old["branch"], day, old["type_raw"], old["topic"], old["party_group"] or "", int(old["expected"]),
                 int(old["present"]) - 1, "、".join([*old["absent"], "误录缺席"]))
    added = (old["branch"], "2026-09-14", "党课", "补录党课", "", 12, 11, "补录缺席")
    outcome = import_bytes(engine, _ledger(rewritten, added), "补录.csv", SYSTEM)
    undo(engine, outcome.batch_id, SYSTEM)
    assert import_bytes(engine, _ledger(added[:6] + (10, "")), "补录2.csv", SYSTEM).status == "imported"
    reads = _record_reads(monkeypatch)
    after = _quarter(engine)
    assert set(reads) & {"activities", "attendance"} == set()
    forget_kept(engine)
    _same(after, _quarter(engine))
    a = after.activities
    assert old["id"] in set(a["activity_id"])  # the row the undone ledger had rewritten is back
    assert "误录缺席" not in set(after.attendance["name"])
    lesson = a[(a["branch"] == old["branch"]) & (a["date"] == pd.Timestamp(2026, 9, 14)) & (a["type"] == "党课")]
    assert lesson["present"].tolist() == [10]


def test_kept_activities_are_read_again_after_an_undo_of_a_ledger_they_hold(loaded_url, monkeypatch):
    """The copy was kept with a ledger's rows in it, then that ledger was undone and another
    imported: the copy holds rows no longer current, so the quarter is read again."""
    engine = get_engine(loaded_url)
    forget_kept(engine)
    old = _an_activity_with_absentees(engine)
    added = (old["branch"], "2026-09-14", "党课", "补录党课", "", 12, 11, "补录缺席")
    outcome = import_bytes(engine, _ledger(added), "补录.csv", SYSTEM)
    _quarter(engine)
    undo(engine, outcome.batch_id, SYSTEM)
    assert import_bytes(engine, _ledger(added[:6] + (10, "")), "补录2.csv", SYSTEM).status == "imported"
    reads = _record_reads(monkeypatch)
    after = _quarter(engine)
    assert {"activities", "attendance"} <= set(reads)
    forget_kept(engine)
    _same(after, _quarter(engine))


def _fresh_card(engine):
    """The committee's Q3 scorecard from the tables alone: nothing kept anywhere."""
    forget_kept(engine)
    analytics.forget_cards()
    return analytics.committee_card(engine, Q3, CUT)


@pytest.mark.parametrize("files, inputs_again", [
    (["组织生活台账_市财政局_2026下半年.xlsx"], False),
    (["学习强国_2026Q3.xlsx", "学习强国_2026-09.xlsx"], True),
    (["学习记录_2026.xlsx"], True), (["名册_2026.xlsx"], True),
])
def test_the_scorecards_member_inputs_are_computed_again_only_when_their_rows_change(
        loaded_url, monkeypatch, files, inputs_again):
    """Members, 学习强国 and self-study figures per branch (and the study-session days) are kept
    under the rows they read: a ledger batch (here undone) recomputes what reads activities only.
    Either way the card is the one the tables alone give."""
    engine = get_engine(loaded_url)
    before = _fresh_card(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT key) FROM kept_figures WHERE kind = 'scorecard inputs'")).scalar_one() == 1
    computed = _count_calls(monkeypatch, "member_inputs")
    _undo_files(engine, files)
    analytics.forget_cards()
    after = analytics.committee_card(engine, Q3, CUT)
    assert computed == (["2026Q3"] if inputs_again else [])
    assert not after.indicators.equals(before.indicators)  # the batch mattered to the card
    computed.clear()
    fresh = _fresh_card(engine)
    assert computed == ["2026Q3"]
    pd.testing.assert_frame_equal(after.indicators, fresh.indicators)
    pd.testing.assert_frame_equal(after.branches, fresh.branches)
    assert after.warnings == fresh.warnings


def test_new_rows_take_the_kept_types_only_where_they_are_all_null():
    """A column all NULL in the new rows comes back untyped and takes the kept column's type; a
    column typed otherwise (whole numbers where the kept rows have decimals) is not merged: the
    quarter is read again, as one read of all rows would type it."""
    old = pd.DataFrame({"activity_id": [1, 2], "group": pd.Series(["一组", None], dtype="str"),
                        "days": [1.5, float("nan")]})
    untyped = pd.DataFrame({"activity_id": [3], "group": pd.Series([None], dtype=object), "days": [2.5]})
    merged = queries._typed_like(untyped, old)
    assert merged is not None and (merged.dtypes == old.dtypes).all()
    assert merged["group"].isna().all() and merged["days"].tolist() == [2.5]
    assert queries._typed_like(untyped.assign(days=[2]), old) is None
    assert queries._typed_like(untyped.assign(group=pd.Series([7], dtype=object)), old) is None


def test_the_quality_checks_reads_and_the_lagging_lists_are_kept_side_by_side(loaded_url, monkeypatch):
    """The data-quality checks read the quarter's rows with every column; the lagging list the
    same rows without the columns it never looks at. One must not push the other's kept copy
    out: after both, neither reads a large frame from the tables again."""
    engine = get_engine(loaded_url)
    forget_kept(engine)
    reads = _record_reads(monkeypatch)
    lagging_rows = _quarter(engine, annual=False)
    quality_rows = analytics.dataset(engine, SYSTEM, Q3, whole_year=False, as_of=CUT, annual=False,
                                     every_column=True)
    assert quality_rows.activities["type_raw"].notna().any()
    assert lagging_rows.activities["type_raw"].isna().all()
    reads.clear()
    _same(_quarter(engine, annual=False), lagging_rows)
    again = analytics.dataset(engine, SYSTEM, Q3, whole_year=False, as_of=CUT, annual=False, every_column=True)
    _same(again, quality_rows)
    assert set(reads) & set(LARGE) == set()


def test_the_coverage_the_pages_ask_for_is_the_one_the_quarters_figures_keep(writable_env, monkeypatch):
    """analytics.coverage (every page's caption, the quarter a page opens on) reads how far each
    file goes from the copy the quarter's figures kept; after a ledger import it is read again
    and shows the new batch, equal to a read with nothing kept."""
    engine = get_engine(writable_env)
    with engine.connect() as conn:
        branch = conn.execute(text("SELECT name FROM branch ORDER BY id LIMIT 1")).scalar_one()
    forget_kept(engine)
    _quarter(engine)
    reads = _record_reads(monkeypatch)
    kept = analytics.coverage(engine, SYSTEM, Q3, CUT)
    assert "coverage" not in reads
    forget_kept(engine)
    fresh = analytics.coverage(engine, SYSTEM, Q3, CUT)
    assert "coverage" in reads
    assert (kept.xuexi, kept.ledger, kept.texts()) == (fresh.xuexi, fresh.ledger, fresh.texts())
    pd.testing.assert_series_equal(kept.ledger_by_branch, fresh.ledger_by_branch)
    ledger = f"支部名称,活动日期,活动类型,活动主题,应到人数,实到人数\n{branch},2026-09-29,党课,补录,10,9\n"
    assert import_bytes(engine, ledger.encode(), "补录.csv", SYSTEM).status == "imported"
    reads.clear()
    after = analytics.coverage(engine, SYSTEM, Q3, CUT)
    assert "coverage" in reads  # a ledger batch came: not the copy kept before it
    forget_kept(engine)
    fresh = analytics.coverage(engine, SYSTEM, Q3, CUT)
    assert (after.xuexi, after.ledger, after.texts()) == (fresh.xuexi, fresh.ledger, fresh.texts())
    pd.testing.assert_series_equal(after.ledger_by_branch, fresh.ledger_by_branch)
