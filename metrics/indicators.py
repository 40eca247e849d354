"""Per-branch indicators of DOMAIN.md §4, one row per (branch, indicator).

Decisions the spec leaves open, made here once:
- Counts: ledger activities dated in the window and on/before as-of, plus ``activity_counts`` rows
  whose period lies in the window and has ended by as-of. A counts row whose period contains any
  ledger row of that branch, of any type, is ignored (the ledger wins for that branch and month,
  DOMAIN §3.3b; a quarterly count cannot be split by month, so it is set aside whole) and reported
  as a clash. Counts rows of one (branch, type) whose period is contained in another counted row's
  period are dropped too (a quarterly total supersedes the monthly rows it covers).
- attendance: Σ present ÷ Σ expected over ledger activities recording both (expected > 0), plus the
  应到/实到人次 of counts periods in which the branch has no ledger activity at all. Not applicable
  when nothing records both — an unknown rate is left out of the score, not counted as 0.
- study_sessions: 集中学习 dates from study records add to the count only on days with no 集中学习
  on the ledger; inside a counted 集中学习 counts period they are taken as the sessions counted there
  (the period counts max(count, dates)). Study rows without branch take the matched member's branch.
- Pace applies to cumulative indicators (counts and 学习强国人均积分); rates are already "so far".
  For annual indicators pace is measured against the year.
- Indicators needing members (学习强国, 自学) are not applicable for a branch with no active members.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from metrics._frames import between, members_during, prepare, ts, tuples
from domain.formatting import ceil_ints, value_text
from metrics.config import MetricsConfig, load_config
from metrics.coverage import coverage
from domain.dataset import Dataset
from metrics.self_study import self_study_status, study_rows
from domain.periods import Quarter, current_month, effective_as_of, ended_months, parse_quarter
from metrics.xuexi import quarter_points_with_selection

INDICATOR_COLUMNS = [
    "branch_id", "branch", "unit", "branch_type", "indicator", "label", "measure", "kind", "period",
    "actual", "target", "weight", "completion", "status", "applicable", "scored",
    "expected_by_now", "behind_pace", "projected", "remaining_text", "numerator", "denominator", "note",
    "pace_completion",
]
_EMPTY_DTYPES = {
    "branch_id": "Int64", "applicable": "bool", "scored": "bool", "behind_pace": "bool",
    **{c: "float64" for c in ("actual", "target", "weight", "completion", "expected_by_now", "projected",
                              "numerator", "denominator", "pace_completion")},
}
STUDY_SESSION_FORM = "集中学习"
SELF_STUDY_FORM = "自学"


@dataclass
class EventCounts:
    """Activity counts per (branch_id, type) for one window, with what was set aside."""

    counts: pd.DataFrame  # branch_id, type, n
    attendance: pd.DataFrame  # branch_id, present, expected (ledger + usable counts periods)
    clashes: pd.DataFrame  # branch_id, type, period_start, period_end, count, ledger_count
    superseded: pd.DataFrame  # counts rows dropped because a wider counts row covers them
    counted_periods: pd.DataFrame  # counts rows that count: branch_id, type, period_start, period_end, count
    attendance_set_aside: pd.DataFrame  # counts 应到/实到 of periods that also have ledger rows


@dataclass
class IndicatorResult:
    table: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    events: EventCounts | None = None


def _drop_contained(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into (kept, dropped): a row is dropped when another row of the same ``keys``
    covers its period (strictly, or equally and appears later)."""
    if frame.empty:
        return frame, frame
    rows = frame.assign(_row=np.arange(len(frame)))
    pairs = rows[[*keys, "_row", "period_start", "period_end"]].merge(
        rows[[*keys, "_row", "period_start", "period_end"]], on=keys, suffixes=("", "_o")
    )
    pairs = pairs[pairs["_row"] != pairs["_row_o"]]
    inside = pairs["period_start_o"].le(pairs["period_start"]) & pairs["period_end"].le(pairs["period_end_o"])
    equal = pairs["period_start_o"].eq(pairs["period_start"]) & pairs["period_end_o"].eq(pairs["period_end"])
    dropped_rows = set(pairs.loc[inside & (~equal | (pairs["_row_o"] > pairs["_row"])), "_row"].tolist())
    mask = rows["_row"].isin(dropped_rows)
    return frame[~mask.to_numpy()], frame[mask.to_numpy()]


def count_events(ds: Dataset, start: date, end: date, as_of: date) -> EventCounts:
    """Ledger + counts-table activities per (branch, type) in ``start``–``min(end, as_of)``."""
    last = min(end, as_of)
    acts = ds.activities[between(ds.activities["date"], start, last)]
    ledger = acts.groupby(["branch_id", "type"], as_index=False).size().rename(columns={"size": "n"})

    counts = ds.activity_counts
    counts = counts[
        counts["period_start"].ge(ts(start)) & counts["period_end"].le(ts(last)) & counts["period_end"].notna()
    ]
    type_rows = counts[counts["type"].notna() & counts["count"].notna()]
    type_rows, superseded = _drop_contained(type_rows, ["branch_id", "type"])

    # any ledger row of the branch inside a counts period → the ledger wins for those months,
    # whatever the type (a period's count cannot be split by month, so it is set aside whole)
    probe = type_rows.assign(_row=np.arange(len(type_rows)))
    hits = probe[["_row", "branch_id", "period_start", "period_end"]].merge(
        ds.activities[["branch_id", "date"]], on="branch_id"
    )
    hits = hits[hits["date"].ge(hits["period_start"]) & hits["date"].le(hits["period_end"])]
    ledger_n = hits.groupby("_row").size()
    probe = probe.assign(ledger_count=probe["_row"].map(ledger_n).fillna(0).astype(int))
    clash_mask = probe["ledger_count"] > 0
    clashes = probe.loc[clash_mask, ["branch_id", "branch", "type", "period_start", "period_end", "count", "ledger_count"]]
    usable = probe[~clash_mask]
    from_counts = usable.groupby(["branch_id", "type"], as_index=False)["count"].sum().rename(columns={"count": "n"})
    merged = pd.concat([ledger, from_counts], ignore_index=True)
    merged = merged.groupby(["branch_id", "type"], as_index=False)["n"].sum()

    # attendance: ledger rows that record both, and counts periods with no ledger activity at all
    both = acts[acts["expected"].notna() & acts["present"].notna() & acts["expected"].gt(0)]
    att_parts = [both[["branch_id", "present", "expected"]]]
    periods = counts[counts["expected"].notna() & counts["present"].notna() & counts["expected"].gt(0)]
    periods = periods.groupby(["branch", "branch_id", "period_start", "period_end"], as_index=False)[["present", "expected"]].sum()
    periods, _ = _drop_contained(periods, ["branch_id"])
    set_aside = periods.iloc[0:0]
    if not periods.empty:
        p = periods.assign(_row=np.arange(len(periods)))
        on_ledger = p[["_row", "branch_id", "period_start", "period_end"]].merge(
            ds.activities[["branch_id", "date"]], on="branch_id"
        )
        on_ledger = on_ledger[on_ledger["date"].ge(on_ledger["period_start"]) & on_ledger["date"].le(on_ledger["period_end"])]
        clash = p["_row"].isin(set(on_ledger["_row"].tolist()))
        set_aside = periods[clash.to_numpy()]
        att_parts.append(p.loc[~clash, ["branch_id", "present", "expected"]])
    attendance = pd.concat(att_parts, ignore_index=True)
    attendance = attendance.groupby("branch_id", as_index=False)[["present", "expected"]].sum()
    return EventCounts(
        counts=merged,
        attendance=attendance,
        clashes=clashes.reset_index(drop=True),
        superseded=superseded.reset_index(drop=True),
        counted_periods=usable[["branch_id", "type", "period_start", "period_end", "count"]].reset_index(drop=True),
        attendance_set_aside=set_aside.reset_index(drop=True),
    )


def clash_warnings(events: EventCounts) -> list[str]:
    """Chinese sentences for counts-table rows set aside (ledger clashes, covered periods)."""
    out = clash_sentences(events.clashes, events.attendance_set_aside)
    for r in events.superseded.itertuples(index=False):
        out.append(
            f"{r.branch}：统计表中{r.period_start:%Y-%m-%d}至{r.period_end:%Y-%m-%d}的{r.type}"
            f"被期间更长的统计行覆盖，未重复计入"
        )
    return out


def clash_sentences(clashes: pd.DataFrame, attendance_set_aside: pd.DataFrame) -> list[str]:
    """The sentences of ``clash_warnings`` from the two frames (also used by metrics.quality)."""
    out = []
    for r in tuples(clashes):
        out.append(
            f"{r.branch}：{r.period_start:%Y-%m-%d}至{r.period_end:%Y-%m-%d}已有台账记录（{r.ledger_count}条），"
            f"统计表中的{r.type}{r.count:g}次未计入（同一支部同一月份以台账为准）"
        )
    for r in tuples(attendance_set_aside):
        out.append(
            f"{r.branch}：{r.period_start:%Y-%m-%d}至{r.period_end:%Y-%m-%d}已有台账记录，统计表中的应到/实到人次"
            f"（{r.present:g}/{r.expected:g}）未计入参会率"
        )
    return out


def study_sessions(study: pd.DataFrame, ds: Dataset, counted_periods: pd.DataFrame, start: date,
                   last: date, forms: tuple[str, ...] = (STUDY_SESSION_FORM,)) -> pd.DataFrame:
    """集中学习 sessions known only from study records — the one rule the 集中学习 indicator and
    the work-report figures share: one per (branch, day, form) with a study record of that form
    and no ledger activity of that type that day. Inside a counted 统计表 period of that type the
    days are taken to be the sessions counted there: only those beyond the period's count add
    (the period counts max(count, days)). Returns branch_id, date, form and ``adds`` (1 or 0)."""
    rows = study[study["form"].isin(forms) & between(study["date"], start, last) & study["branch_id"].notna()]
    days = rows[["branch_id", "date", "form"]].drop_duplicates()
    ledger = ds.activities.loc[ds.activities["type"].isin(forms), ["branch_id", "date", "type"]]
    ledger = ledger.drop_duplicates().rename(columns={"type": "form"}).assign(_on_ledger=True)
    days = days.merge(ledger, on=["branch_id", "date", "form"], how="left")
    days = days[days["_on_ledger"].isna()].drop(columns="_on_ledger")
    days = days.sort_values(["branch_id", "form", "date"], kind="stable").reset_index(drop=True)
    covered = counted_periods[counted_periods["type"].isin(forms)].rename(columns={"type": "form"})
    adds = pd.Series(1, index=days.index, dtype="int64")
    if not covered.empty and not days.empty:
        c = covered.assign(_period=np.arange(len(covered)))
        inside = days.reset_index().merge(c, on=["branch_id", "form"])
        inside = inside[inside["date"].ge(inside["period_start"]) & inside["date"].le(inside["period_end"])]
        inside = inside.drop_duplicates("index")  # a day inside two periods belongs to the first
        # the first ``count`` days of a period are its counted sessions; later ones add
        nth = inside.groupby("_period").cumcount()
        adds.loc[inside["index"].to_numpy()] = (nth >= inside["count"]).astype("int64").to_numpy()
    return days.assign(adds=adds)


@dataclass
class MemberInputs:
    """What ``compute_indicators`` reads from the roster, the 学习强国 rows and the study rows, and
    from no activity: per-branch figures (``branch_id`` and a column per figure: members, party
    groups, 学习强国 total, participants and mean share, self-study members, complete, and
    ``missing_YYYY-MM`` / ``current_missing`` counts), the quarter's study-session days (branch_id,
    date, form: ``study_sessions`` reads them as its study rows), the 学习强国 selection's warnings
    and how many exports it counted. A ledger import leaves them as they are, so they can be kept
    under the rows they read (services.analytics) and not computed again."""

    per_branch: pd.DataFrame
    session_days: pd.DataFrame
    warnings: list[str]
    xuexi_exports: int


def member_inputs(ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None) -> MemberInputs:
    """``MemberInputs`` of ``ds`` for ``quarter`` as of ``as_of``."""
    ds = prepare(ds)
    q = parse_quarter(quarter)
    cut = effective_as_of(q, as_of)
    members = members_during(ds, q.start, cut)
    xuexi = quarter_points_with_selection(ds, q, cut)
    points, selection = xuexi.members, xuexi.selection
    study = study_rows(ds)
    sure = self_study_status(study, members, q, cut)
    sure = sure[~sure["unsure"]]
    by_branch = sure.groupby("branch_id")
    figures = {
        "members": members.groupby("branch_id").size(),
        "groups": members.dropna(subset=["group"]).groupby("branch_id")["group"].nunique(),
        # a 同名 pair's rows count for the branch (total, participants), for neither member
        "xuexi_total": points.groupby("branch_id")["branch_points"].sum(),
        "xuexi_participating": points["branch_points"].gt(0).groupby(points["branch_id"]).sum(),
        "xuexi_share": points.groupby("branch_id")["share"].mean(),
        "self_members": by_branch.size(),
        "self_complete": by_branch["complete"].sum(),
        "current_missing": by_branch["current_missing"].sum(),
        **{c: by_branch[c].sum() for c in sure.columns if c.startswith("missing_")},
    }
    per_branch = pd.DataFrame({k: v.astype("float64") for k, v in figures.items()})
    per_branch = per_branch.rename_axis("branch_id").reset_index()
    sessions = study[study["form"].eq(STUDY_SESSION_FORM) & between(study["date"], q.start, cut)
                     & study["branch_id"].notna()]
    return MemberInputs(per_branch, sessions[["branch_id", "date", "form"]].drop_duplicates(ignore_index=True),
                        list(selection.warnings), len(selection.counted))


def compute_indicators(
    ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None, config: MetricsConfig | None = None,
    inputs: MemberInputs | None = None,
) -> IndicatorResult:
    """The indicator table plus the warnings and intermediate figures behind it. ``inputs``:
    ``member_inputs`` of the same roster, 学习强国 and study rows and as-of date, computed before
    (computed here when not given)."""
    ds = prepare(ds)
    q = parse_quarter(quarter)
    cut = effective_as_of(q, as_of)
    config = config or load_config(imported_targets=ds.targets)
    warnings = list(config.warnings)

    year_first = date(q.year, 1, 1)
    q_events = count_events(ds, q.start, q.end, cut)
    y_events = count_events(ds, year_first, date(q.year, 12, 31), cut)
    warnings += clash_warnings(q_events)

    inputs = member_inputs(ds, q, cut) if inputs is None else inputs
    warnings += inputs.warnings
    sessions = study_sessions(inputs.session_days, ds, q_events.counted_periods, q.start, cut)
    session_dates = sessions.groupby("branch_id")["adds"].sum()
    n_ended = len(ended_months(q, cut))
    cur_month = current_month(q, cut)

    branches = ds.branches[["branch_id", "branch", "unit", "type"]].rename(columns={"type": "branch_type"})
    branches = branches.drop_duplicates("branch_id").sort_values("branch_id", kind="stable").reset_index(drop=True)
    bid = branches["branch_id"]
    figure = inputs.per_branch.set_index("branch_id")
    inputs = _BranchInputs(
        branch_type=branches["branch_type"].to_numpy(dtype=object),
        members=_per_branch(bid, figure["members"]),
        groups=_per_branch(bid, figure["groups"]),
        q_counts=q_events.counts, y_counts=y_events.counts, bid=bid,
        sessions=_per_branch(bid, session_dates),
        present=_per_branch(bid, q_events.attendance.set_index("branch_id")["present"]),
        expected=_per_branch(bid, q_events.attendance.set_index("branch_id")["expected"]),
        xuexi_total=_per_branch(bid, figure["xuexi_total"]),
        xuexi_participating=_per_branch(bid, figure["xuexi_participating"]),
        xuexi_share=_per_branch(bid, figure["xuexi_share"]),
        self_members=_per_branch(bid, figure["self_members"]),
        self_complete=_per_branch(bid, figure["self_complete"]),
        self_missing={c: _per_branch(bid, figure[c]) for c in figure.columns if c.startswith("missing_")},
        self_current_missing=_per_branch(bid, figure["current_missing"]) if cur_month is not None else None,
        n_ended=n_ended,
        xuexi_exports=inputs.xuexi_exports,
    )
    known = coverage(ds, q, cut)
    ledger_cut = known.ledger_cuts(bid)
    window = _Window(
        q=q, cut=cut, ongoing=cut < q.end,
        q_elapsed=np.array([max((c - q.start).days + 1, 0) for c in ledger_cut], dtype="float64"),
        y_elapsed=np.array([(c - year_first).days + 1 for c in ledger_cut], dtype="float64"),
        xuexi_elapsed=float(known.elapsed(known.xuexi)), xuexi_cut=known.xuexi_cut,
        y_days=(date(q.year, 12, 31) - year_first).days + 1,
    )
    columns = [_indicator_columns(key, ind, config, inputs, window) for key, ind in config.indicators.items()]
    table = _assemble(branches, columns, config)
    return IndicatorResult(table=table, warnings=warnings, events=q_events)


def _per_branch(bid: pd.Series, values: pd.Series) -> np.ndarray:
    """A per-branch figure aligned to ``bid`` (0 for branches without one)."""
    if values is None or len(values) == 0:
        return np.zeros(len(bid))
    return bid.map(values).fillna(0).to_numpy(dtype="float64")


@dataclass
class _BranchInputs:
    branch_type: np.ndarray
    members: np.ndarray
    groups: np.ndarray
    q_counts: pd.DataFrame
    y_counts: pd.DataFrame
    bid: pd.Series
    sessions: np.ndarray
    present: np.ndarray
    expected: np.ndarray
    xuexi_total: np.ndarray
    xuexi_participating: np.ndarray
    xuexi_share: np.ndarray  # mean share of the quarter the branch's members belonged
    self_members: np.ndarray  # members the self-study rate is over (同名待核实 left out)
    self_complete: np.ndarray
    self_missing: dict[str, np.ndarray]
    self_current_missing: np.ndarray | None
    n_ended: int
    xuexi_exports: int

    def count_of(self, activity_type: str | None, period: str) -> np.ndarray:
        counts = self.y_counts if period == "year" else self.q_counts
        per_type = counts[counts["type"] == activity_type].set_index("branch_id")["n"]
        return _per_branch(self.bid, per_type)


@dataclass
class _Window:
    q: Quarter
    cut: date
    ongoing: bool
    q_elapsed: np.ndarray  # per branch: quarter days its ledger covers (pace of counts)
    y_elapsed: np.ndarray  # per branch: year days its ledger covers (pace of annual counts)
    xuexi_elapsed: float  # quarter days the 学习强国 exports cover (pace of 人均积分)
    xuexi_cut: date
    y_days: int


def _indicator_columns(key: str, ind, config: MetricsConfig, x: _BranchInputs, w: _Window) -> dict:
    """All columns of one indicator as arrays over the branches (numpy, no per-member work)."""
    n = len(x.branch_type)
    resolved = {t: config.resolve(key, t, w.q) for t in set(x.branch_type)}
    base_target = np.array([np.nan if resolved[t][0] is None else resolved[t][0] for t in x.branch_type], dtype="float64")
    weight = np.array([resolved[t][1] for t in x.branch_type], dtype="float64")
    numerator = np.full(n, np.nan)
    denominator = np.full(n, np.nan)
    data_ok = np.ones(n, dtype=bool)
    note = np.full(n, "", dtype=object)
    target = base_target.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if ind.kind == "count":
            actual = x.count_of(ind.activity_type, ind.period)
            if ind.activity_type == STUDY_SESSION_FORM and ind.period == "quarter":
                actual = actual + x.sessions
            if ind.per_group:
                data_ok = x.groups > 0
                target = np.where(data_ok, base_target * x.groups, np.nan)
                note[~data_ok] = "名册中无党小组"
        elif key == "attendance":
            numerator, denominator = x.present.copy(), x.expected.copy()
            data_ok = denominator > 0
            actual = np.where(data_ok, numerator / denominator, np.nan)
            numerator[~data_ok] = np.nan
            denominator[~data_ok] = np.nan
            note[~data_ok] = "活动均未记录应到和实到人数"
        elif key in ("xuexi_participation", "xuexi_avg", "self_study"):
            numerator = {
                "xuexi_participation": x.xuexi_participating, "xuexi_avg": x.xuexi_total,
                "self_study": x.self_complete,
            }[key].copy()
            denominator = (x.self_members if key == "self_study" else x.members).copy()
            data_ok = denominator > 0
            if key == "xuexi_avg":  # the per-member target, pro-rated to the part they belonged
                target = base_target * np.where(x.xuexi_share > 0, x.xuexi_share, 1.0)
            if key != "self_study" and x.xuexi_exports == 0:
                note[:] = "本季度尚无已结束期间的学习强国导出，积分按0计"
            note[~data_ok] = "名册中无在册党员"
            if key == "self_study" and x.n_ended == 0:
                data_ok = np.zeros(n, dtype=bool)
                note[:] = "本季度尚无已结束的月份"
            actual = np.where(denominator > 0, numerator / denominator, np.nan)
        else:  # defensive: an unknown non-count indicator cannot be computed
            actual = np.full(n, np.nan)
            data_ok = np.zeros(n, dtype=bool)

        has_target = ~np.isnan(base_target) & (np.nan_to_num(base_target) > 0)
        applicable = has_target & data_ok
        note = np.where(has_target, note, x.branch_type + "支部不考核此项")
        completion = np.where(applicable, np.minimum(actual / target, 1.0), np.nan)
        scored = applicable & (ind.period == "quarter" or w.q.number == 4)
        if ind.period == "year" and w.q.number != 4:
            note = np.where(applicable, "年度指标，第四季度计入得分", note)
        # pace counts the days each source covers (DOMAIN §4 data coverage), not the days gone by
        if ind.kind == "mean":
            elapsed, total = np.full(n, w.xuexi_elapsed), w.q.days
        else:
            elapsed, total = (w.y_elapsed, w.y_days) if ind.period == "year" else (w.q_elapsed, w.q.days)
        pace = applicable & w.ongoing & (ind.kind in ("count", "mean"))
        expected_by_now = np.where(pace, target * elapsed / total, np.nan)
        behind = pace & (actual < expected_by_now - 1e-9)
        projected = np.where(pace & (elapsed > 0), actual * total / np.where(elapsed > 0, elapsed, 1), np.nan)
        # a quarter in progress is judged against its pace (按进度), a finished one against its target
        pace_completion = np.where(pace, np.where(expected_by_now > 0,
                                                  np.minimum(actual / np.where(expected_by_now > 0, expected_by_now, 1), 1.0),
                                                  1.0), completion)

    cols = {
        "indicator": np.full(n, key, dtype=object), "label": np.full(n, ind.label, dtype=object),
        "measure": np.full(n, ind.unit, dtype=object), "kind": np.full(n, ind.kind, dtype=object),
        "period": np.full(n, ind.period, dtype=object),
        "actual": np.where(data_ok, actual, np.nan), "target": np.where(has_target, target, np.nan),
        "weight": weight, "completion": completion, "applicable": applicable, "scored": scored,
        "expected_by_now": expected_by_now, "behind_pace": behind, "projected": projected,
        "numerator": numerator, "denominator": denominator, "note": note,
        "pace_completion": pace_completion,
    }
    cols["remaining_text"] = _remaining_text(cols, ind, w, x)
    return cols


def _assemble(branches: pd.DataFrame, columns: list[dict], config: MetricsConfig) -> pd.DataFrame:
    """Stack per-indicator arrays into the long table, branch by branch in indicator order."""
    k, n = len(columns), len(branches)
    if k == 0 or n == 0:
        return pd.DataFrame({c: pd.Series(dtype=_EMPTY_DTYPES.get(c, "str")) for c in INDICATOR_COLUMNS})
    data = {c: branches[c].to_numpy().repeat(k) for c in ("branch_id", "branch", "unit", "branch_type")}
    for col in columns[0]:
        data[col] = np.stack([c[col] for c in columns]).T.ravel()
    table = pd.DataFrame(data)
    table = table.assign(
        branch_id=table["branch_id"].astype("Int64"),
        **{c: table[c].astype("str") for c in ("branch", "unit", "branch_type", "indicator", "label",
                                                 "measure", "kind", "period", "note", "remaining_text")},
        **{c: table[c].astype("float64") for c in ("actual", "target", "weight", "completion",
                                                     "expected_by_now", "projected", "numerator", "denominator",
                                                     "pace_completion")},
        **{c: table[c].astype(bool) for c in ("applicable", "scored", "behind_pace")},
    )
    table = table.assign(status=_each_once(table["pace_completion"], config.indicator_status).astype("str"))
    return table[INDICATOR_COLUMNS]


def _each_once(values: pd.Series, rule) -> pd.Series:
    """``values.map(rule)`` with ``rule`` applied once per distinct value (60,000 completions at
    province scale take a few thousand)."""
    codes, distinct = pd.factorize(values)  # missing values: code -1, given rule(None)
    mapped = np.array([*(rule(v) for v in distinct.tolist()), rule(None)], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _remaining_text(cols: dict, ind, w: _Window, x: _BranchInputs) -> np.ndarray:
    """What a secretary still has to do for this indicator, per branch (empty when met)."""
    if ind.key == "self_study":
        months = list(x.self_missing.items())
        current = x.self_current_missing

        def sentence(skip, *missing) -> str:  # one per branch, from per-branch counts
            if skip:
                return ""
            bits = [f"{int(c[-2:])}月有{int(v)}名党员无自学记录" for (c, _), v in zip(months, missing) if v]
            if current is not None and missing[-1]:
                bits.append(f"{int(missing[-1])}名党员本月尚无自学记录")
            return "；".join(bits)

        skip = np.isnan(cols["target"]) | (x.members == 0)
        per_branch = [skip.tolist(), *(v.tolist() for _, v in months),
                      (current if current is not None else np.zeros(len(skip))).tolist()]
        once: dict = {}
        return np.array([once[k] if k in once else once.setdefault(k, sentence(*k))
                         for k in zip(*per_branch)], dtype=object)

    target, actual = cols["target"], cols["actual"]
    gap = np.where(cols["applicable"], target - actual, np.nan)
    short = gap > 1e-9  # NaN (not applicable) is never short
    days_left = (w.q.end - w.xuexi_cut).days  # from the last day the exports cover
    if ind.kind == "count":
        return _texts(short, lambda i: ceil_ints(gap[i]), lambda k: f"还需{ind.action}{k}次{ind.short_label}")
    if ind.key == "xuexi_participation":
        def need(i):  # members still to take part: the target's share of the members, rounded up
            return ceil_ints(target[i] * cols["denominator"][i]) - cols["numerator"][i].astype(np.int64)

        return _texts(short, need, lambda k: f"还需{k}名党员参加学习强国学习" if k > 0 else "")
    if ind.key == "xuexi_avg" and days_left > 0:
        return _texts(short, lambda i: ceil_ints(gap[i] / days_left), lambda k: f"学习强国人均每日还需{k}分")
    if ind.key == "xuexi_avg":
        return _texts(short, lambda i: ceil_ints(gap[i]), lambda k: f"学习强国人均积分还差{value_text(k, '分')}")
    if ind.kind == "rate":
        return _texts(short, lambda i: target[i], lambda k: f"{ind.label}需提高到{value_text(k, '率')}")
    return _texts(short, lambda i: gap[i], lambda k: f"{ind.label}还差{value_text(k, ind.unit)}")


def _texts(short: np.ndarray, keys, text) -> np.ndarray:
    """``text(key)`` for the branches ``short`` of their target, "" for the others; ``keys(i)``:
    the figure the sentence names at positions ``i``. Each distinct figure is written once (5,000
    branches share a few dozen: a sentence per branch was 0.15 s of every card at province scale)."""
    out = np.full(len(short), "", dtype=object)
    idx = np.flatnonzero(short)
    if len(idx):
        distinct, where = np.unique(keys(idx), return_inverse=True)
        out[idx] = np.array([text(k) for k in distinct.tolist()], dtype=object)[where.reshape(-1)]
    return out


def indicator_table(
    ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None, config: MetricsConfig | None = None
) -> pd.DataFrame:
    """One row per (branch, indicator) for ``quarter`` as of ``as_of`` (default today, capped).

    Columns: see ``INDICATOR_COLUMNS``. ``measure`` is the indicator's unit (次/率/分); ``unit`` is the
    branch's 单位. ``applicable`` False rows (no target for the branch type, no 党小组, no ended
    month, nothing to measure) have NA completion and status and are left out of the score.
    ``scored`` is ``applicable`` except for annual indicators outside Q4. Without ``config`` the
    defaults plus ``ds.targets`` are used.
    """
    return compute_indicators(ds, quarter, as_of, config).table
