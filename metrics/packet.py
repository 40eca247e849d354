"""The quarterly inspection packet (季度党建专项督查材料, DOMAIN.md §7) as plain data.

``build_packet`` is pure: it takes the frames services/analytics hands over (scorecard, the
scoped dataset, lagging members, data quality) plus the rectification tasks, and returns one
``BranchPacket`` per branch — what the Excel and Word writers and the 季度督查 page show.
services/packets.py fetches those frames for a viewer; a secretary's packet only ever holds their
own branch because every frame it is built from is already reduced to that branch.

Rectification (整改): a problem of an inspected quarter counts as fixed when its indicator is
met (completion 1) in the following quarter; tasks (owner, deadline, status) come from
storage/rectification.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from domain.formatting import score_text, value_text
from domain.vocabulary import NO_TASK, STATUS_LABELS, TASK_STATUS_LABELS
from metrics._frames import prepare
from domain.dataset import Dataset
from metrics.lagging import LAGGING_COLUMNS
from domain.periods import Quarter, parse_quarter, quarter_of
from metrics.problems import problem_sentence
from metrics.quality import DataQuality
from metrics.scorecard import ScorecardResult

NOT_SCORED = "不计分"

SCORECARD_COLUMNS = ["indicator", "label", "actual_text", "target_text", "completion", "status",
                     "status_text", "note"]
PROBLEM_COLUMNS = ["indicator", "label", "problem", "task_id", "owner", "deadline", "task_status"]
LAGGING_EXPORT_COLUMNS = ["name", "group", "reasons", "points", "absences", "missing_months",
                          "detail"]
LEDGER_COLUMNS = ["date", "type", "topic", "attendance", "absent", "on_leave", "source"]
RECTIFICATION_COLUMNS = ["indicator", "label", "problem", "task_id", "owner", "deadline",
                         "task_status", "now_text", "fixed", "result"]
TASK_COLUMNS = ["id", "quarter", "branch_id", "branch", "indicator", "problem", "owner",
                "deadline", "status", "created_by", "created_at", "updated_at"]


@dataclass
class BranchPacket:
    """Everything the packet says about one branch. Frames use the ``*_COLUMNS`` above."""

    branch_id: int
    branch: str
    unit: str | None
    type: str
    score: float | None
    rank: int | None
    status: str | None
    n_members: int
    scorecard: pd.DataFrame
    problems: pd.DataFrame
    lagging: pd.DataFrame
    ledger: pd.DataFrame
    gaps: list[str]
    rectification: pd.DataFrame

    @property
    def problem_sentences(self) -> list[str]:
        return list(self.problems["problem"])

    @property
    def status_text(self) -> str:
        return STATUS_LABELS.get(self.status or "", "—")

    @property
    def score_text(self) -> str:
        return score_text(self.score)

    @property
    def rank_text(self) -> str:
        return "—" if self.rank is None else str(self.rank)

    @property
    def n_fixed(self) -> int:
        return int((self.rectification["fixed"] == True).sum())  # noqa: E712 (object column)


@dataclass
class Packet:
    """The packet for one or more branches of one quarter, as of one date."""

    quarter: Quarter
    as_of: date
    branches: list[BranchPacket]
    n_ranked: int | None = None
    committee_average: float | None = None
    committee_gaps: list[str] = field(default_factory=list)

    @property
    def as_of_text(self) -> str:
        return as_of_text(self)

    @property
    def previous_quarter(self) -> Quarter:
        return self.quarter.previous()

    @property
    def is_ongoing(self) -> bool:
        return self.as_of < self.quarter.end

    @property
    def title(self) -> str:
        if len(self.branches) == 1:
            return packet_title(self.quarter, self.branches[0].branch)
        return packet_title(self.quarter, f"汇总（{len(self.branches)}个党支部）")

    def summary(self) -> pd.DataFrame:
        """One row per branch for the 汇总 sheet: rank, branch, type, score, status and counts."""
        return pd.DataFrame([{
            "rank": b.rank_text, "branch": b.branch, "unit": b.unit or "", "type": b.type,
            "score": b.score, "status": b.status, "status_text": b.status_text,
            "n_problems": len(b.problems), "n_lagging": len(b.lagging), "n_gaps": len(b.gaps),
            "n_last_problems": len(b.rectification), "n_fixed": b.n_fixed,
        } for b in self.branches], columns=["rank", "branch", "unit", "type", "score", "status",
                                            "status_text", "n_problems", "n_lagging", "n_gaps",
                                            "n_last_problems", "n_fixed"])


def packet_title(quarter: Quarter | str, branch: str) -> str:
    """``2026年第三季度党建专项督查材料——<支部>``."""
    return f"{parse_quarter(quarter).label}党建专项督查材料——{branch}"


def as_of_text(packet: Packet) -> str:
    suffix = "（本季度进行中）" if packet.is_ongoing else ""
    return f"统计截至{packet.as_of:%Y年%m月%d日}{suffix}"


# --- formatting ---------------------------------------------------------------------------------


def _present(value) -> bool:
    return value is not None and not (pd.api.types.is_scalar(value) and pd.isna(value))


def _opt(value):
    return value if _present(value) else None


# --- sections: each built for every branch at once, then split (``_split``) ----------------------


def _objects(rows: list[dict], key: str, index: pd.Index) -> pd.Series:
    """A column kept as Python objects (an id or None, True/False/None), not coerced to float."""
    return pd.Series([r[key] for r in rows], index=index, dtype=object)


def _split(frame: pd.DataFrame, columns: list[str]) -> dict[int, pd.DataFrame]:
    """``columns`` of ``frame`` per branch id, rows in their order: one stable sort, then a slice
    per branch (slices share the sorted frame's memory)."""
    if frame.empty:
        return {}
    ordered = frame.sort_values("branch_id", kind="stable")
    ids = ordered["branch_id"].to_numpy()
    table = ordered[columns].reset_index(drop=True)
    bounds = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    starts, ends = np.r_[0, bounds], np.r_[bounds, len(ids)]
    return {int(ids[a]): table.iloc[a:b].reset_index(drop=True) for a, b in zip(starts, ends)}


def scorecard_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicator rows for the packet (``branch_id`` + SCORECARD_COLUMNS): every indicator with a
    target for the branch's type (not-applicable types left out), scored ones with their colour."""
    rows = indicators[~indicators["note"].fillna("").str.endswith("不考核此项")]
    out = []
    for r in rows.to_dict("records"):
        scored = bool(r["scored"])
        status = r["status"] if scored and isinstance(r["status"], str) and r["status"] in STATUS_LABELS else None
        notes = [n for n in (r.get("remaining_text"), r.get("note")) if isinstance(n, str) and n]
        if scored and bool(r.get("behind_pace")):
            notes.insert(0, "落后于时间进度")
        out.append({
            "branch_id": r["branch_id"], "indicator": r["indicator"], "label": r["label"],
            "actual_text": value_text(r["actual"], r["measure"]),
            "target_text": value_text(r["target"], r["measure"]) + ("（全年）" if r["period"] == "year" else ""),
            "completion": float(r["completion"]) if scored and _present(r["completion"]) else None,
            "status": status,
            "status_text": STATUS_LABELS[status] if status else (NOT_SCORED if r["applicable"] else "无法计算"),
            "note": "；".join(dict.fromkeys(notes)),
        })
    return pd.DataFrame(out, columns=["branch_id", *SCORECARD_COLUMNS])


def problem_table(indicators: pd.DataFrame | None) -> pd.DataFrame:
    """``branch_id``, indicator, label and problem sentence (``metrics.problems``) of every
    shortfall among the scored indicators, in indicator order within each branch."""
    columns = ["branch_id", "indicator", "label", "problem"]
    if indicators is None or indicators.empty:
        return pd.DataFrame(columns=columns)
    scored = indicators[indicators["scored"].fillna(False).astype(bool)]
    out = []
    for r in scored.to_dict("records"):
        sentence = problem_sentence(r)
        if sentence:
            out.append({"branch_id": r["branch_id"], "indicator": r["indicator"], "label": r["label"],
                        "problem": sentence})
    return pd.DataFrame(out, columns=columns)


def _task_lookup(tasks: pd.DataFrame | None) -> dict[tuple[int, str], dict]:
    """Tasks by (branch id, indicator)."""
    if tasks is None or tasks.empty:
        return {}
    return {(int(r["branch_id"]), r["indicator"]): r for r in tasks.to_dict("records")}


def _problems_with_tasks(problems: pd.DataFrame, tasks: dict[tuple[int, str], dict]) -> pd.DataFrame:
    rows = []
    for p in problems.to_dict("records"):
        t = tasks.get((int(p["branch_id"]), p["indicator"]))
        rows.append({**p, "task_id": t["id"] if t else None, "owner": (t or {}).get("owner") or "",
                     "deadline": _opt((t or {}).get("deadline")),
                     "task_status": TASK_STATUS_LABELS.get((t or {}).get("status"), NO_TASK)})
    frame = pd.DataFrame(rows, columns=["branch_id", *PROBLEM_COLUMNS])
    return frame.assign(task_id=_objects(rows, "task_id", frame.index))


def lagging_table(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Flagged members (``branch_id`` + LAGGING_EXPORT_COLUMNS) with their reasons in words."""
    frame = frame if frame is not None else pd.DataFrame(columns=LAGGING_COLUMNS)
    out = []
    for r in frame.to_dict("records"):
        detail = []
        if r.get("absent_activities"):
            detail.append("缺席：" + "、".join(r["absent_activities"]))
        points = r["points"] if _present(r.get("points_threshold")) else None
        out.append({
            "branch_id": r["branch_id"],
            "name": r["name"], "group": r["group"] if isinstance(r["group"], str) else "",
            "reasons": "、".join(r["reason_labels"]),
            "points": None if points is None else float(points),
            "absences": int(r["absences"]),
            "missing_months": "、".join(f"{int(str(m)[-2:])}月" for m in r["missing_months"]),
            "detail": "；".join(detail),
        })
    return pd.DataFrame(out, columns=["branch_id", *LAGGING_EXPORT_COLUMNS])


def ledger_table(ds: Dataset, quarter: Quarter, as_of: date) -> pd.DataFrame:
    """Each branch's activities of the quarter up to the cut (the evidence), oldest first,
    followed by the periods reported only as counts (组织生活统计表), one line per period listing
    the types held, like the 统计表 itself. ``branch_id`` + LEDGER_COLUMNS."""
    start, cut = pd.Timestamp(quarter.start), pd.Timestamp(as_of)
    acts = ds.activities
    acts = acts[(acts["date"] >= start) & (acts["date"] <= cut)]
    acts = acts.sort_values(["branch_id", "date", "activity_id"], kind="stable")
    people = ds.attendance[ds.attendance["activity_id"].isin(acts["activity_id"])]
    names = people.groupby(["activity_id", "kind"])["name"].agg("、".join).to_dict()
    rows = []
    for r in acts.to_dict("records"):
        shown_type = r["type"]
        if r["type"] == "其他" and isinstance(r["type_raw"], str) and r["type_raw"] not in ("", "其他"):
            shown_type = f"其他（{r['type_raw']}）"
        attendance = "—"
        if _present(r["expected"]) and _present(r["present"]):
            attendance = f"{r['present']:g}/{r['expected']:g}"
        rows.append({
            "branch_id": r["branch_id"], "date": r["date"].strftime("%Y-%m-%d"), "type": shown_type,
            "topic": r["topic"] if isinstance(r["topic"], str) else "",
            "attendance": attendance,
            "absent": names.get((r["activity_id"], "absent"), ""),
            "on_leave": names.get((r["activity_id"], "on_leave"), ""),
            "source": "台账",
        })
    counts = ds.activity_counts
    counts = counts[(counts["period_start"] >= start) & (counts["period_end"] <= cut) & counts["type"].notna()]
    for (bid, p_start, p_end), period in counts.groupby(["branch_id", "period_start", "period_end"], sort=True):
        held = period[period["count"].fillna(0) > 0]
        topic = "、".join(f"{t}{n:g}次" for t, n in zip(held["type"], held["count"])) or "本期未开展活动"
        expected, present = period["expected"].sum(min_count=1), period["present"].sum(min_count=1)
        attendance = f"{present:g}/{expected:g}" if _present(expected) and _present(present) else "—"
        rows.append({
            "branch_id": bid, "date": period_text(p_start.date(), p_end.date()), "type": "统计表",
            "topic": topic, "attendance": attendance, "absent": "", "on_leave": "", "source": "统计表",
        })
    # activities were added first, so a stable sort by branch keeps them before the periods
    return pd.DataFrame(rows, columns=["branch_id", *LEDGER_COLUMNS])


def period_text(start: date, end: date) -> str:
    """``2026年7月`` for a whole month, ``2026年第三季度`` for a whole quarter, else a range."""
    next_day = pd.Timestamp(end) + pd.Timedelta(days=1)
    if start.day == 1 and next_day.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months == 1:
            return f"{start.year}年{start.month}月"
        q = quarter_of(start)
        if months == 3 and q.start == start and q.end == end:
            return q.label
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"


_QUALITY_BRANCH_FRAMES = ("unmatched", "ambiguous", "by_name", "unknown_types",
                          "branches_without_roster", "counts_clashes", "counts_attendance_set_aside")


class _BranchGaps:
    """Data-quality sentences that concern one branch (its names, its activity types, and for
    in-service branches the quarter's 学习强国 exports). Most branches have no rows in the
    quality frames: their sentences are the committee's alone, worked out once per kind."""

    def __init__(self, quality: DataQuality | None, branch_ids: set[int] | None):
        self.quality = quality
        self.frames: dict[str, dict[int, pd.DataFrame]] = {}
        self.plain: dict[bool, list[str]] = {}
        if quality is None:
            return
        for name in _QUALITY_BRANCH_FRAMES:
            frame = getattr(quality, name)
            if branch_ids is not None and not frame.empty:
                frame = frame[frame["branch_id"].isin(branch_ids)]
            self.frames[name] = {int(k): g for k, g in frame.groupby("branch_id", sort=False)}
        self.plain = {s: self._messages({}, s) for s in (True, False)}

    def _messages(self, own: dict[str, pd.DataFrame], in_service: bool) -> list[str]:
        quality = self.quality
        q_start, q_end = quality.quarter.start.strftime("%Y-%m"), quality.quarter.end.strftime("%Y-%m")
        scoped = replace(
            quality,
            **{name: own.get(name, getattr(quality, name).iloc[0:0]) for name in _QUALITY_BRANCH_FRAMES},
            missing_xuexi_quarters=[q for q in quality.missing_xuexi_quarters
                                    if in_service and q == quality.quarter.label],
            missing_xuexi_months=[m for m in quality.missing_xuexi_months
                                  if in_service and q_start <= m <= q_end],
            xuexi_overlaps=quality.xuexi_overlaps if in_service else quality.xuexi_overlaps.iloc[0:0],
            xuexi_straddling=quality.xuexi_straddling if in_service else quality.xuexi_straddling.iloc[0:0],
            extra=[],
        )
        return scoped.messages()

    def of(self, branch_id: int, branch_type: str, n_members: int, n_ledger: int) -> list[str]:
        out = []
        if n_members == 0:
            out.append("名册中没有该支部的在册党员，学习强国和自学等按党员计算的指标无法计算")
        if n_ledger == 0:
            out.append("本季度截至统计日尚无该支部的组织生活台账或统计表记录")
        if self.quality is None:
            return out
        in_service = branch_type == "在职"
        own = {name: by[branch_id] for name, by in self.frames.items() if branch_id in by}
        messages = self._messages(own, in_service) if own else self.plain[in_service]
        return out + [m for m in messages if m not in out]


def rectification_table(previous_indicators: pd.DataFrame | None, current_indicators: pd.DataFrame,
                        tasks: dict[tuple[int, str], dict], ongoing: bool) -> pd.DataFrame:
    """Last quarter's problems of each branch (and any task of that quarter) with whether each
    indicator is met this quarter: fixed True / False, or None when it is not assessed now.
    ``branch_id`` + RECTIFICATION_COLUMNS, in each branch: the problems, then the tasks whose
    problem no longer shows (data corrected)."""
    problems = problem_table(previous_indicators).to_dict("records")
    seen = {(int(p["branch_id"]), p["indicator"]) for p in problems}
    for (bid, indicator), t in tasks.items():
        if (bid, indicator) not in seen:
            problems.append({"branch_id": bid, "indicator": indicator, "label": indicator, "problem": t["problem"]})
    now = {(int(r["branch_id"]), r["indicator"]): r for r in current_indicators.to_dict("records")}
    rows = []
    for p in problems:
        key = (int(p["branch_id"]), p["indicator"])
        t = tasks.get(key) or {}
        fixed, now_text, label = None, "—", p["label"]
        cur = now.get(key)
        if cur is not None:
            label = cur["label"]
            now_text = f"{value_text(cur['actual'], cur['measure'])}（目标{value_text(cur['target'], cur['measure'])}）"
            if bool(cur["scored"]) and _present(cur["completion"]):
                fixed = bool(cur["completion"] >= 1 - 1e-9)
        if fixed is True:
            result = "已整改（本季度已达标）"
        elif fixed is False:
            result = "整改中（本季度尚未达标）" if ongoing else "未整改（本季度仍未达标）"
        else:
            result = "本季度不考核此项，请人工核实"
        rows.append({
            "branch_id": key[0], "indicator": p["indicator"], "label": label, "problem": p["problem"],
            "task_id": t.get("id"), "owner": t.get("owner") or "", "deadline": _opt(t.get("deadline")),
            "task_status": TASK_STATUS_LABELS.get(t.get("status"), NO_TASK),
            "now_text": now_text, "fixed": fixed, "result": result,
        })
    frame = pd.DataFrame(rows, columns=["branch_id", *RECTIFICATION_COLUMNS])
    # True / False / None as Python objects: "not assessed" must stay distinct from False
    return frame.assign(fixed=_objects(rows, "fixed", frame.index), task_id=_objects(rows, "task_id", frame.index))


# --- the packet ---------------------------------------------------------------------------------


def _of_branches(frame: pd.DataFrame | None, wanted: set[int] | None) -> pd.DataFrame | None:
    if frame is None or wanted is None or frame.empty:
        return frame
    return frame[frame["branch_id"].isin(wanted)]


def build_packet(
    card: ScorecardResult,
    dataset: Dataset,
    lagging: pd.DataFrame | None = None,
    quality: DataQuality | None = None,
    previous: ScorecardResult | None = None,
    tasks: pd.DataFrame | None = None,
    branch_ids: Iterable[int] | None = None,
    n_ranked: int | None = None,
    committee_average: float | None = None,
) -> Packet:
    """The packet for the branches of ``card`` (only ``branch_ids`` when given, in rank order).

    ``dataset`` is the scoped dataset of the quarter (for the activity ledger), ``lagging`` the
    frame of ``metrics.lagging.lagging_members``, ``quality`` the quarter's ``DataQuality``,
    ``previous`` last quarter's scorecard (for 整改情况) and ``tasks`` rectification tasks of
    this and last quarter (``storage.rectification.list_tasks``). Nothing here queries.
    Every section is built for all the chosen branches at once and split by branch once, so
    the all-branch packet of a province costs a few table passes, not a pass per branch.
    """
    q, cut = card.quarter, card.as_of
    ds = prepare(dataset)
    wanted = None if branch_ids is None else {int(b) for b in branch_ids}
    chosen = card.branches if wanted is None else card.branches[card.branches["branch_id"].isin(wanted)]
    ongoing = cut < q.end
    indicators = _of_branches(card.indicators, wanted)
    tasks_now, tasks_before = {}, {}
    if tasks is not None and not tasks.empty:
        tasks = _of_branches(tasks, wanted)
        tasks_now = _task_lookup(tasks[tasks["quarter"] == str(q)])
        tasks_before = _task_lookup(tasks[tasks["quarter"] == str(q.previous())])
    if wanted is not None:
        ds = replace(ds, activities=_of_branches(ds.activities, wanted),
                     activity_counts=_of_branches(ds.activity_counts, wanted), row_keys={})
    sections = {
        "scorecard": (scorecard_table(indicators), SCORECARD_COLUMNS),
        "problems": (_problems_with_tasks(problem_table(indicators), tasks_now), PROBLEM_COLUMNS),
        "lagging": (lagging_table(_of_branches(lagging, wanted)), LAGGING_EXPORT_COLUMNS),
        "ledger": (ledger_table(ds, q, cut), LEDGER_COLUMNS),
        "rectification": (rectification_table(
            _of_branches(previous.indicators, wanted) if previous is not None else None,
            indicators, tasks_before, ongoing), RECTIFICATION_COLUMNS),
    }
    split = {name: _split(frame, columns) for name, (frame, columns) in sections.items()}
    empty = {name: frame[columns].iloc[0:0] for name, (frame, columns) in sections.items()}
    gaps = _BranchGaps(quality, wanted)
    branches = []
    for b in chosen.to_dict("records"):
        bid = int(b["branch_id"])
        parts = {name: split[name].get(bid, empty[name]) for name in sections}
        branches.append(BranchPacket(
            branch_id=bid, branch=b["branch"], unit=b["unit"] if isinstance(b["unit"], str) else None,
            type=b["type"], score=float(b["score"]) if _present(b["score"]) else None,
            rank=int(b["rank"]) if _present(b["rank"]) else None,
            status=b["status"] if b["status"] in STATUS_LABELS else None,
            n_members=int(b["n_members"]),
            gaps=gaps.of(bid, b["type"], int(b["n_members"]), len(parts["ledger"])),
            **parts,
        ))
    committee = []
    if quality is not None and wanted is None:
        unassigned = quality.unmatched[quality.unmatched["branch_id"].isna()] if not quality.unmatched.empty else None
        if unassigned is not None and not unassigned.empty:
            committee = replace(quality, unmatched=unassigned, ambiguous=quality.ambiguous.iloc[0:0],
                                unknown_types=quality.unknown_types.iloc[0:0], missing_xuexi_quarters=[],
                                missing_xuexi_months=[],
                                branches_without_roster=quality.branches_without_roster.iloc[0:0],
                                xuexi_overlaps=quality.xuexi_overlaps.iloc[0:0],
                                xuexi_straddling=quality.xuexi_straddling.iloc[0:0],
                                counts_clashes=quality.counts_clashes.iloc[0:0],
                                counts_attendance_set_aside=quality.counts_attendance_set_aside.iloc[0:0],
                                by_name=quality.by_name.iloc[0:0], extra=[]).messages()
    return Packet(q, cut, branches, n_ranked, committee_average, committee)
