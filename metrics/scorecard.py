"""Branch composite scores, ranks and KPI cards (DOMAIN.md §4).

score = 100 × Σ(weight × completion) ÷ Σ weight over the applicable, scored indicators, rounded to
one decimal (half up). rank = competition rank on that rounded score, highest first (1, 2, 2, 4).
pace_score: the same over the completions against pace (the quarter in progress, DOMAIN §4); the
colour (status) of a branch is read from it, so a quarter in progress is judged 按进度.
A branch with nothing scored (or all weights 0) has no score, no rank and no status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from domain.formatting import change_text, score_change_text, score_text, value_text
from metrics._frames import members_during, prepare
from metrics.config import MetricsConfig, load_config
from domain.dataset import Dataset
from metrics.indicators import MemberInputs, compute_indicators
from domain.periods import Quarter, effective_as_of, parse_quarter, to_date

BRANCH_COLUMNS = [
    "branch_id", "branch", "unit", "type", "score", "rank", "status", "n_members", "n_scored",
    "n_green", "n_yellow", "n_red", "n_behind", "xuexi_participants", "xuexi_members", "pace_score",
]


@dataclass
class ScorecardResult:
    """``branches``: one row per branch (columns ``BRANCH_COLUMNS``), sorted by rank then name;
    ``indicators``: the long indicator table; ``warnings``: Chinese data-quality sentences."""

    branches: pd.DataFrame
    indicators: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    quarter: Quarter | None = None
    as_of: date | None = None


def round_score(values: pd.Series) -> pd.Series:
    """Round half up to one decimal, ignoring binary noise (83.25 → 83.3, 83.2499999999 → 83.3)."""
    return np.floor(values * 10 + 0.5 + 1e-7) / 10


def competition_rank(scores: pd.Series) -> pd.Series:
    """1, 2, 2, 4 ranking, highest first; NA scores get NA rank."""
    return scores.rank(method="min", ascending=False).astype("Int64")


def _score_branches(ds: Dataset, table: pd.DataFrame, config: MetricsConfig, start: date,
                    cut: date) -> pd.DataFrame:
    scored = table[table["scored"]]
    weighted = scored.assign(
        _wc=scored["weight"] * scored["completion"],
        _wp=scored["weight"] * scored["pace_completion"],
        _green=scored["status"] == "green", _yellow=scored["status"] == "yellow",
        _red=scored["status"] == "red",
    )
    sums = weighted.groupby("branch_id").agg(
        _wc=("_wc", "sum"), _wp=("_wp", "sum"), _w=("weight", "sum"), n_scored=("indicator", "size"),
        n_green=("_green", "sum"), n_yellow=("_yellow", "sum"), n_red=("_red", "sum"),
        n_behind=("behind_pace", "sum"),
    )
    weights = sums["_w"].where(sums["_w"] > 0)
    sums = sums.assign(score=round_score((100 * sums["_wc"] / weights).clip(0, 100)),
                       pace_score=round_score((100 * sums["_wp"] / weights).clip(0, 100)))

    n_members = members_during(ds, start, cut).groupby("branch_id").size()
    part = table[table["indicator"] == "xuexi_participation"].set_index("branch_id")

    out = ds.branches[["branch_id", "branch", "unit", "type"]].drop_duplicates("branch_id").reset_index(drop=True)
    bid = out["branch_id"]
    out = out.assign(
        score=bid.map(sums["score"]).astype("float64"),
        pace_score=bid.map(sums["pace_score"]).astype("float64"),
        n_members=bid.map(n_members).fillna(0).astype(int),
        **{c: bid.map(sums[c]).fillna(0).astype(int) for c in ("n_scored", "n_green", "n_yellow", "n_red", "n_behind")},
        xuexi_participants=bid.map(part["numerator"].where(part["applicable"])).astype("float64"),
        xuexi_members=bid.map(part["denominator"].where(part["applicable"])).astype("float64"),
    )
    # the colour of a quarter in progress compares with its pace (按进度); pace_score = score once
    # the quarter has ended
    out = out.assign(
        rank=competition_rank(out["score"]),
        status=out["pace_score"].map(config.composite_status).astype("str"),
    )
    out = out.sort_values(["rank", "branch"], na_position="last", kind="stable").reset_index(drop=True)
    return out[BRANCH_COLUMNS]


def branch_scorecard(
    ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None, config: MetricsConfig | None = None,
    inputs: MemberInputs | None = None,
) -> ScorecardResult:
    """Scores, ranks and statuses of every branch in ``ds`` for ``quarter`` as of ``as_of``;
    ``inputs``: see ``compute_indicators``."""
    ds = prepare(ds)
    q = parse_quarter(quarter)
    cut = effective_as_of(q, as_of)
    config = config or load_config(imported_targets=ds.targets)
    result = compute_indicators(ds, q, cut, config, inputs)
    branches = _score_branches(ds, result.table, config, q.start, cut)
    return ScorecardResult(branches, result.table, result.warnings, q, cut)


@dataclass
class TrendResult:
    """``scores``: branch_id, branch, quarter, label, as_of, score, rank, status;
    ``indicators``: branch_id, branch, quarter, indicator, label, actual, target, completion, status."""

    scores: pd.DataFrame
    indicators: pd.DataFrame


def trend(
    ds: Dataset, quarters: list[Quarter | str], as_of_today: date | str | None = None,
    config: MetricsConfig | None = None,
) -> TrendResult:
    """Scores per branch per quarter; each past quarter as of its end, the current one as of today.

    Quarters that have not started by ``as_of_today`` are skipped.
    """
    ds = prepare(ds)
    today = to_date(as_of_today) if as_of_today is not None else date.today()
    config = config or load_config(imported_targets=ds.targets)
    return trend_from_cards([
        branch_scorecard(ds, q, effective_as_of(q, today), config)
        for q in trend_quarters(quarters, today)
    ])


def trend_quarters(quarters: list[Quarter | str], today: date) -> list[Quarter]:
    """The quarters of a trend, oldest first, without those not started by ``today``."""
    return [q for q in sorted({parse_quarter(x) for x in quarters}) if q.start <= today]


def trend_from_cards(cards: list[ScorecardResult]) -> TrendResult:
    """The trend frames from one scorecard per quarter (each as of its own date)."""
    scores, indicators = [], []
    for card in cards:
        q = parse_quarter(card.quarter)
        tag = {"quarter": str(q), "quarter_label": q.label, "as_of": pd.Timestamp(card.as_of)}
        scores.append(card.branches[["branch_id", "branch", "score", "rank", "status"]].assign(**tag))
        indicators.append(
            card.indicators[["branch_id", "branch", "indicator", "label", "actual", "target", "completion",
                             "status", "scored"]].assign(**tag)
        )
    if not scores:
        return TrendResult(
            pd.DataFrame(columns=["branch_id", "branch", "quarter", "quarter_label", "as_of", "score", "rank", "status"]),
            pd.DataFrame(columns=["branch_id", "branch", "quarter", "quarter_label", "as_of", "indicator", "label",
                                  "actual", "target", "completion", "status", "scored"]),
        )
    s = pd.concat(scores, ignore_index=True)
    i = pd.concat(indicators, ignore_index=True)
    lead = ["branch_id", "branch", "quarter", "quarter_label", "as_of"]
    s = s[lead + [c for c in s.columns if c not in lead]].sort_values(["branch_id", "quarter"], kind="stable")
    i = i[lead + [c for c in i.columns if c not in lead]].sort_values(["branch_id", "quarter"], kind="stable")
    return TrendResult(s.reset_index(drop=True), i.reset_index(drop=True))


@dataclass(frozen=True)
class Kpi:
    """One KPI card: ``value`` and ``delta`` (change from the previous quarter, None if unknown)."""

    key: str
    label: str
    value: float | None
    previous: float | None
    delta: float | None
    unit: str  # "个" / "名" / "分" / "%"; rates are given as fractions with unit "%"
    higher_is_better: bool = True

    @property
    def value_text(self) -> str:
        if self.unit == "分":  # the average composite score, not 学习强国 points
            text = score_text(self.value)
            return text if self.value is None else text + "分"
        return value_text(self.value, self.unit)

    @property
    def delta_text(self) -> str | None:
        if self.unit == "分":
            return score_change_text(self.value, self.previous)
        return change_text(self.value, self.previous, self.unit)


def _kpi_values(card: ScorecardResult) -> dict[str, float | None]:
    b = card.branches
    scores = b["pace_score"].dropna()  # the score itself once the quarter has ended
    members = b["xuexi_members"].sum(min_count=1)
    participants = b["xuexi_participants"].sum(min_count=1)
    share = None if pd.isna(members) or members == 0 else float(participants / members)
    return {
        "branches": float(len(b)),
        "members": float(b["n_members"].sum()),
        "average_score": None if scores.empty else float(round_score(pd.Series([scores.mean()])).iloc[0]),
        "red_branches": float((b["status"] == "red").sum()),
        "xuexi_participation": share,
    }


_KPI_DEFS = (
    ("branches", "党支部", "个", True),
    ("members", "在册党员", "名", True),
    ("average_score", "平均综合得分", "分", True),
    ("red_branches", "红色预警支部", "个", False),
    ("xuexi_participation", "学习强国参与率", "%", True),
)


def kpis(scorecard: ScorecardResult, previous_scorecard: ScorecardResult | None = None) -> list[Kpi]:
    """KPI cards: branches, members, average score (against pace while the quarter runs),
    branches in red, 学习强国 participation (in-service members with points > 0 ÷ in-service
    members), each with change from the previous quarter's scorecard when given."""
    now = _kpi_values(scorecard)
    before = _kpi_values(previous_scorecard) if previous_scorecard is not None else {}
    ongoing = scorecard.quarter is not None and scorecard.as_of is not None \
        and scorecard.as_of < parse_quarter(scorecard.quarter).end
    cards = []
    for key, label, unit, better_up in _KPI_DEFS:
        if key == "average_score" and ongoing:
            label = "平均得分（按进度）"
        value, prev = now[key], before.get(key)
        delta = None if value is None or prev is None else value - prev
        if delta is not None and math.isclose(delta, 0.0, abs_tol=1e-12):
            delta = 0.0
        cards.append(Kpi(key, label, value, prev, delta, unit, better_up))
    return cards
