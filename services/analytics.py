"""Storage queries → metrics, for the pages, the reports and the CLI. No Streamlit here.

Scope rule for secretaries: every function returns their own branch only. The ranking needs
every branch's score, so ``scorecard`` computes it over the whole committee and then hands a
secretary only their own branch's rows plus two committee aggregates (number of ranked branches
and the average score) — never another branch's name, indicators or members.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
from cachetools import TTLCache
from sqlalchemy import Engine

from domain.access import SYSTEM, Viewer
from metrics._frames import prepare
from metrics.config import MetricsConfig, load_config
from domain.dataset import Dataset
from metrics.coverage import coverage as data_coverage
from metrics.coverage import opening_quarter as opening_rule  # ui.filters applies it to its cached coverage
from metrics.indicators import MemberInputs, member_inputs
from metrics.lagging import lagging_members, member_parts, political_birthdays
from metrics.points import member_points
from metrics.quality import DataQuality, data_quality  # noqa: F401  (the type pages receive)
from metrics.xuexi import quarter_points as member_quarter_points
from domain.periods import Quarter, effective_as_of, parse_quarter, quarter_of
from metrics.scorecard import (ScorecardResult, branch_scorecard, kpis, trend_from_cards,
                               trend_quarters)
from services import settings
from storage.kept_figures import forget_kept, keep, keep_rows, kept_all, read_kept, read_rows, touch_kept
from storage.queries import (QuarterReads, branch_list, current_targets, data_span, data_version,
                             figures_signature, load_dataset)



@dataclass
class ScopedScorecard:
    """A scorecard as one viewer may see it, with committee-wide aggregates."""

    card: ScorecardResult
    n_ranked: int
    committee_average: float | None
    previous: ScorecardResult | None = None
    kpis: list = field(default_factory=list)


def window(quarter: Quarter) -> tuple[date, date]:
    """Rows needed for one quarter: the year so far (annual indicators) to the quarter's end."""
    return date(quarter.year, 1, 1), quarter.end


def config(engine: Engine, ds: Dataset) -> MetricsConfig:
    """Defaults (domain/defaults.json) + edits saved on the 目标设置 page + imported targets."""
    return load_config(overrides=settings.saved(engine), imported_targets=ds.targets)


def dataset(engine: Engine, viewer: Viewer, quarter: Quarter, whole_year: bool = True,
            as_of: date | None = None, study_details: bool = True, annual: bool = True,
            every_column: bool = False) -> Dataset:
    """The year so far up to the quarter's end; with ``whole_year=False`` only what the quarter's
    scorecard (or, ``annual=False``, the lagging list: no activity before the quarter) as of
    ``as_of`` reads (storage.queries.QuarterReads); ``study_details=False``: without study
    content, hours and score (see load_dataset). Typed as metrics read them (metrics._frames.prepare):
    the copies the page caches hand out are not typed again by every metric."""
    start, end = window(quarter)
    if whole_year:
        return prepare(load_dataset(engine, viewer, start, end, study_details=study_details))
    annual_types = []
    if annual:  # the targets in force say which types count over the year
        cfg = load_config(overrides=settings.saved(engine), imported_targets=current_targets(engine))
        annual_types = sorted({ind.activity_type for ind in cfg.indicators.values()
                               if ind.period == "year" and ind.activity_type})
    reads = QuarterReads(quarter.start, as_of_for(quarter, as_of), tuple(annual_types), every_column)
    return prepare(load_dataset(engine, viewer, start, end, quarter=reads))


def as_of_for(quarter: Quarter | str, as_of: date | None, today: date | None = None) -> date:
    return effective_as_of(parse_quarter(quarter), as_of, today)


def _reduce_to(card: ScorecardResult, branch_id: int | None) -> ScorecardResult:
    keep = card.branches["branch_id"] == branch_id
    keep_ind = card.indicators["branch_id"] == branch_id
    return ScorecardResult(card.branches[keep].reset_index(drop=True),
                           card.indicators[keep_ind].reset_index(drop=True),
                           [], card.quarter, card.as_of)


def _copy(card: ScorecardResult | None) -> ScorecardResult | None:
    if card is None:
        return None
    return ScorecardResult(card.branches.copy(), card.indicators.copy(), list(card.warnings),
                           card.quarter, card.as_of)


# Every branch is needed for the ranking whoever asks: the committee's card per quarter is kept
# per figures signature (storage.queries.figures_signature), bounded in number and age.
_CARDS: TTLCache = TTLCache(maxsize=12, ttl=6 * 3600)
# Lagging lists per figures signature, quarter, cut-off and the branches the viewer reads.
_LAGGING: TTLCache = TTLCache(maxsize=64, ttl=6 * 3600)
_CARDS_LOCK = threading.Lock()
# One computation per key at a time in this process: a page that asks for the figures the
# warm-up thread (after an import on the page) is computing waits for them instead of computing
# them again beside it (two computations share one interpreter and take twice as long).
_FLIGHTS: TTLCache = TTLCache(maxsize=128, ttl=3600)


def _held_or_computed(cache: TTLCache, key: tuple, compute):
    """``cache[key]``, or ``compute()`` stored there; while one thread computes a key, another
    asking for it waits and takes that result."""
    with _CARDS_LOCK:
        held = cache.get(key)
        flight = None if held is not None else _FLIGHTS.setdefault((id(cache), *key), threading.Lock())
    if flight is None:
        return held
    with flight:
        with _CARDS_LOCK:  # computed by another thread while this one waited
            held = cache.get(key)
        if held is None:
            held = compute()
            with _CARDS_LOCK:
                cache[key] = held
    return held


def _signature(engine: Engine, quarter: Quarter, cut: date) -> tuple:
    """The cache key of a quarter's figures as of ``cut``: a finished quarter depends only on
    batches reaching into it or before; one in progress on every batch (its pace counts how far
    each source's data goes, which a later file can change)."""
    return figures_signature(engine, quarter.end if cut >= quarter.end else None)


@cache
def code_version() -> str:
    """A hash of the code a card comes from (the rules, the defaults, the read): a kept card
    computed by another version of the program is never used."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    files = sorted([*root.glob("metrics/*.py"), *root.glob("domain/*.py"), *root.glob("domain/*.json"),
                    root / "storage" / "queries.py", Path(__file__).resolve()])
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _db_key(kind: str, signature: tuple, quarter: Quarter, cut: date) -> str:
    """Where figures are kept in the database (storage.kept_figures): the data they read, the
    quarter, the cut-off and the code that computed them."""
    return hashlib.sha256(repr((kind, signature, str(quarter), cut.isoformat(), code_version()))
                          .encode()).hexdigest()


def committee_card(engine: Engine, quarter: Quarter, cut: date) -> ScorecardResult:
    """The whole committee's scorecard for ``quarter`` as of ``cut``. Every branch is needed for
    the ranking whoever asks, so it is computed once and kept in this process (the overview's
    quarter, its previous quarter and its trend share them). Callers reduce it
    to what their viewer may see before it leaves this module.

    A finished quarter's card (as of its end) is kept until a batch reaching into the quarter or
    before it changes, or a setting: importing next month's data recomputes only the quarter in
    progress, not the previous quarter and the trend beside it on the same page.

    The card is also kept in the database (storage.kept_figures) under the same signature plus
    the code's version: the other server processes, the next ``cli.py`` command and this process
    after a restart read it (tens of milliseconds) instead of computing it again."""
    signature = _signature(engine, quarter, cut)

    def compute() -> ScorecardResult:
        db_key = _db_key("scorecard", signature, quarter, cut)
        stored = read_kept(engine, db_key)
        if stored is not None and {"branches", "indicators"} <= stored.frames.keys():
            return ScorecardResult(stored.frames["branches"], stored.frames["indicators"],
                                   json.loads(stored.note or "[]"), quarter, cut)
        ds = dataset(engine, SYSTEM, quarter, whole_year=False, as_of=cut)
        card = branch_scorecard(ds, quarter, cut, config(engine, ds), _member_inputs(engine, ds, quarter, cut))
        keep(engine, db_key, "scorecard", str(quarter), cut, *_card_parts(card))
        return card

    return _held_or_computed(_CARDS, (str(engine.url), signature, str(quarter), cut), compute)


def _card_parts(card: ScorecardResult) -> tuple[dict[str, pd.DataFrame], str]:
    """What the database keeps of a card: its frames and its warnings (JSON)."""
    return ({"branches": card.branches, "indicators": card.indicators},
            json.dumps(card.warnings, ensure_ascii=False))


def _put_back(engine: Engine, kind: str, quarter: Quarter, cut: date,
              frames: dict[str, pd.DataFrame], note: str = "") -> None:
    """Figures this process holds in memory, kept in the database for the others unless they
    are there already (aged out, or kept by a process that could not write)."""
    db_key = _db_key(kind, _signature(engine, quarter, cut), quarter, cut)
    if not touch_kept(engine, db_key):
        keep(engine, db_key, kind, str(quarter), cut, frames, note)


def forget_cards(engine: Engine | None = None) -> None:
    """Drop the committee cards and lagging lists kept in this process (new data makes new keys
    by itself), and with ``engine`` those kept in that database too: benchmarks that measure a
    cold start call it."""
    with _CARDS_LOCK:
        _CARDS.clear()
        _LAGGING.clear()
        _FLIGHTS.clear()
    if engine is not None:
        forget_kept(engine)


def scorecard(engine: Engine, viewer: Viewer, quarter: str | Quarter,
              as_of: date | None = None, with_previous: bool = False) -> ScopedScorecard:
    """Scores and ranks for ``quarter`` as of ``as_of``, reduced to what ``viewer`` may see."""
    q = parse_quarter(quarter)
    cut = as_of_for(q, as_of)
    card = committee_card(engine, q, cut)
    previous = None
    if with_previous:
        pq = q.previous()
        previous = committee_card(engine, pq, as_of_for(pq, pq.end))
    scores = card.branches["score"].dropna()
    n_ranked, average = int(len(scores)), (float(scores.mean()) if len(scores) else None)
    if viewer.sees_all_branches:  # copies: the kept committee cards must not change
        card, previous = _copy(card), _copy(previous)
    else:  # a secretary: their own branch; anyone else: nothing
        card = _reduce_to(card, viewer.own_branch_id)
        previous = _reduce_to(previous, viewer.own_branch_id) if previous is not None else None
    result = ScopedScorecard(card, n_ranked, average, previous)
    result.kpis = kpis(card, previous)
    return result


@dataclass
class ScopedTrend:
    """``scores``/``indicators`` as metrics.scorecard.trend gives them, limited to the viewer's
    branches; ``averages``: the committee-wide average score per quarter (quarter, quarter_label,
    score), computed before the limit."""

    scores: pd.DataFrame
    indicators: pd.DataFrame
    averages: pd.DataFrame


def score_trend(engine: Engine, viewer: Viewer, quarters: list[Quarter],
                today: date | None = None) -> ScopedTrend:
    """Per-branch score and indicator completion over ``quarters`` (each as of its end, the
    current one as of ``today``), from the committee's per-quarter scorecards."""
    today = today or date.today()
    cards = [committee_card(engine, q, effective_as_of(q, today))
             for q in trend_quarters(quarters, today)]
    result = trend_from_cards(cards)
    averages = (result.scores.dropna(subset=["score"])
                .groupby(["quarter", "quarter_label"], as_index=False)["score"].mean())
    if averages.empty:
        averages = pd.DataFrame(columns=["quarter", "quarter_label", "score"])
    scores, indicators = result.scores, result.indicators
    if not viewer.sees_all_branches:  # a secretary: their own branch; anyone else: nothing
        scores = scores[scores["branch_id"] == viewer.own_branch_id]
        indicators = indicators[indicators["branch_id"] == viewer.own_branch_id]
    return ScopedTrend(scores, indicators, averages)


def lagging(engine: Engine, viewer: Viewer, quarter: str | Quarter,
            as_of: date | None = None, ds: Dataset | None = None) -> pd.DataFrame:
    """The quarter's lagging members within what ``viewer`` may see; kept like the committee
    cards, per scope, so asking again (another page, the reminders) does not read and compute it
    again. ``ds``: for a narrower scope, the quarter's ``dataset`` already read for this viewer
    (the list is computed from it instead of reading the quarter again; the same rows)."""
    q = parse_quarter(quarter)
    cut = as_of_for(q, as_of)
    signature = _signature(engine, q, cut)

    def compute() -> pd.DataFrame:
        # the whole committee's list is also kept in the database, like the cards; a narrower
        # scope reads only its own branches, which is quick
        whole = viewer.branch_scope is None
        db_key = _db_key("lagging", signature, q, cut)
        stored = read_kept(engine, db_key) if whole else None
        if stored is not None and "members" in stored.frames:
            return stored.frames["members"]
        # the list reads the quarter's absences only, not the year's annual activities
        rows = ds if ds is not None and not whole else dataset(engine, viewer, q, whole_year=False,
                                                                 as_of=cut, annual=False)
        members = lagging_members(rows, q, cut, config(engine, rows), _member_parts(engine, rows, q, cut))
        if whole:
            keep(engine, db_key, "lagging", str(q), cut, {"members": members})
        return members

    key = (str(engine.url), signature, str(q), cut, viewer.branch_scope)
    return _held_or_computed(_LAGGING, key, compute).copy()


# what the lagging list's member parts and the scorecard's member inputs read (metrics.lagging.member_parts,
# metrics.indicators.member_inputs)
_PARTS_READ = ("members", "study", "xuexi")


def _member_parts(engine: Engine, ds: Dataset, q: Quarter, cut: date) -> pd.DataFrame:
    """``member_parts`` of the committee's rows, kept in the database under the keys of the rows
    they read: after a ledger import only the absences are computed again (the parts are about
    half of the list's computation). A narrower scope's rows carry no keys and are computed."""
    if not set(_PARTS_READ) <= ds.row_keys.keys():
        return member_parts(ds, q, cut)
    key = _db_key("lagging parts", tuple(ds.row_keys[name] for name in _PARTS_READ), q, cut)
    kept = read_rows(engine, [key]).get(key)
    if kept is not None:
        return kept
    parts = member_parts(ds, q, cut)
    keep_rows(engine, {key: ("p:lagging", str(q), cut, parts)})
    return parts


def _member_inputs(engine: Engine, ds: Dataset, q: Quarter, cut: date) -> MemberInputs:
    """``member_inputs`` of the committee's rows, kept like ``_member_parts``: after a ledger import
    the scorecard computes only what reads activities (about a third less at province scale)."""
    if not set(_PARTS_READ) <= ds.row_keys.keys():
        return member_inputs(ds, q, cut)
    key = _db_key("scorecard inputs", tuple(ds.row_keys[name] for name in _PARTS_READ), q, cut)
    kept = read_kept(engine, key)
    if kept is not None and {"per_branch", "session_days"} <= kept.frames.keys():
        note = json.loads(kept.note)
        return MemberInputs(kept.frames["per_branch"], kept.frames["session_days"], note["warnings"],
                            note["xuexi_exports"])
    inputs = member_inputs(ds, q, cut)
    keep(engine, key, "scorecard inputs", str(q), cut,
         {"per_branch": inputs.per_branch, "session_days": inputs.session_days},
         json.dumps({"warnings": inputs.warnings, "xuexi_exports": inputs.xuexi_exports}, ensure_ascii=False))
    return inputs


def warm(engine: Engine, today: date | None = None) -> list[str]:
    """Compute and keep (here and in the database) the committee figures the first pages ask for
    after new data: the newest quarter as of ``today`` with its three predecessors (总览's quarter,
    its comparison and its trend) and the lagging lists of the newest quarter and the one before
    it (the inspection of a finished quarter reads that). Run after an import or an undo, so the
    next viewer, in this process or another, reads them instead of waiting for them. The quarter
    the pages open on comes first (then its comparison), so the state where a page still has to
    compute it lasts as short a time as it can. Returns the quarters warmed, newest first."""
    today = today or date.today()
    shown = _warmed_quarters(engine, today)
    first = opening_quarter(engine, SYSTEM, today)
    for q in sorted(shown, key=lambda q: (q != first, q != first.previous())):
        cut = effective_as_of(q, today)
        _put_back(engine, "scorecard", q, cut, *_card_parts(committee_card(engine, q, cut)))
    for q in sorted(shown[:2], key=lambda q: q != first):
        cut = effective_as_of(q, today)
        _put_back(engine, "lagging", q, cut, {"members": lagging(engine, SYSTEM, q, cut)})
    return [str(q) for q in shown]


def opening_quarter(engine: Engine, viewer: Viewer, today: date | None = None) -> Quarter:
    """The quarter the pages open on for ``viewer`` (metrics.coverage.opening_quarter)."""
    today = today or date.today()
    return opening_rule(quarters_with_data(engine, today), today, lambda q, cut: coverage(engine, viewer, q, cut))


def _warmed_quarters(engine: Engine, today: date) -> list[Quarter]:
    """The quarters ``warm`` keeps cards of: the newest, the one before it (the comparison) and
    the trend's, newest first."""
    trend = quarters_with_data(engine, today)[:4]
    return list(dict.fromkeys([trend[0], trend[0].previous(), *trend]))


def warmed(engine: Engine, today: date | None = None) -> bool:
    """Whether the committee cards ``warm`` keeps are kept in the database for the data as it is
    now (a few small queries, nothing computed): what a server process waits for before filling
    its page caches from them (ui.first_views)."""
    today = today or date.today()
    cuts = {q: effective_as_of(q, today) for q in _warmed_quarters(engine, today)}
    return kept_all(engine, [_db_key("scorecard", _signature(engine, q, cut), q, cut) for q, cut in cuts.items()])


def points(engine: Engine, viewer: Viewer, year: int, as_of: date | None = None,
           ds: Dataset | None = None):
    """Member points for ``year`` as of ``as_of``; ``ds``: data already read for this viewer
    that covers the year up to ``as_of`` (a quarter's ``dataset``), so it is not read twice."""
    last = min(as_of or date.today(), date(year, 12, 31))
    if ds is None:
        ds = load_dataset(engine, viewer, date(year, 1, 1), last, study_details=False)
    return member_points(ds, year, last, config(engine, ds))


def quality(engine: Engine, viewer: Viewer, quarter: str | Quarter, as_of: date | None = None):
    q = parse_quarter(quarter)
    cut = as_of_for(q, as_of)
    # the quarter's rows as the lagging list reads them, with every column but study content:
    # earlier quarters' exports are known from their periods (the coverage frame)
    ds = dataset(engine, viewer, q, whole_year=False, as_of=cut, annual=False, every_column=True)
    return data_quality(ds, q, cut)


def quarters_with_data(engine: Engine, today: date | None = None) -> list[Quarter]:
    """Every quarter from the first record to the latest one (never past today's quarter),
    newest first; the current quarter when the database is empty."""
    today = today or date.today()
    lo, hi = data_span(engine)
    now_q = quarter_of(today)
    if lo is None:
        return [now_q]
    first, last = quarter_of(lo), min(quarter_of(hi), now_q)
    out, q = [], last
    while q >= first:
        out.append(q)
        q = q.previous()
    return out or [now_q]


@dataclass
class MemberFigures:
    """What 支部详情 shows of each member: the year's points, the quarter's 学习强国 points and
    the lagging list, computed from one read of the quarter's data."""

    points: pd.DataFrame
    quarter_points: pd.DataFrame
    lagging: pd.DataFrame


def member_figures(engine: Engine, viewer: Viewer, quarter: Quarter | str, as_of: date,
                   ds: Dataset | None = None) -> MemberFigures:
    """``points``, ``quarter_points`` and ``lagging`` of ``quarter`` as of ``as_of`` over one
    ``dataset`` (``ds`` when already read): the three share its matched rows, who belonged and
    the quarter's 学习强国 points (metrics._frames.shared) instead of taking those steps each."""
    q = parse_quarter(quarter)
    cut = as_of_for(q, as_of)
    ds = ds if ds is not None else dataset(engine, viewer, q, study_details=False)
    return MemberFigures(points(engine, viewer, q.year, cut, ds=ds), quarter_points(engine, viewer, q, cut, ds),
                         lagging(engine, viewer, q, cut, ds=ds))


def quarter_points(engine: Engine, viewer: Viewer, quarter: Quarter | str, as_of: date,
                   ds: Dataset | None = None) -> pd.DataFrame:
    """学习强国 points of the quarter per member in scope: member_id, branch_id, points."""
    q = parse_quarter(quarter)
    ds = ds if ds is not None else dataset(engine, viewer, q, study_details=False)
    return member_quarter_points(ds, q, as_of)[0]


def birthdays(engine: Engine, viewer: Viewer, quarter: Quarter | str, month_start: date,
              ds: Dataset | None = None) -> pd.DataFrame:
    """Members in scope whose 入党 anniversary falls in the month of ``month_start``."""
    ds = ds if ds is not None else dataset(engine, viewer, parse_quarter(quarter), study_details=False)
    return political_birthdays(ds, month_start)


def version(engine: Engine) -> int:
    """A number that changes with every write: the key for caches."""
    return data_version(engine)


def branches(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Branches the viewer may see: branch_id, branch, unit, type."""
    return branch_list(engine, viewer)


def coverage(engine: Engine, viewer: Viewer, quarter: Quarter | str, as_of: date | None = None):
    """How far each source's data goes for ``quarter`` as of ``as_of`` (metrics.coverage.Coverage:
    ``texts()`` gives ``学习强国数据截至10月31日`` and ``台账数据截至11月20日``)."""
    q = parse_quarter(quarter)
    cut = as_of_for(q, as_of)
    start, end = window(q)
    # the branches and the files' stated periods are all it reads: not a quarter of facts; the
    # committee's read of the periods is the one the quarter's figures keep (the same key)
    return data_coverage(load_dataset(engine, viewer, start, end, quarter=QuarterReads(q.start, cut),
                                      tables=("branches",)), q, cut)


def kpis_of(scoped: ScopedScorecard, branch_ids) -> list:
    """The KPI cards of ``scoped`` for some of its branches only (a unit filter), with the
    change from the previous quarter over the same branches."""
    wanted = set(int(b) for b in branch_ids)

    def only(card: ScorecardResult | None) -> ScorecardResult | None:
        if card is None:
            return None
        keep = card.branches["branch_id"].isin(wanted)
        return ScorecardResult(card.branches[keep], card.indicators[card.indicators["branch_id"].isin(wanted)],
                               [], card.quarter, card.as_of)

    return kpis(only(scoped.card), only(scoped.previous))
