"""Data gaps for a quarter (DOMAIN.md §7 "data gaps"): what the figures could not use, and why.

Everything is limited to the quarter's records on or before the as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from domain.vocabulary import OTHER_ACTIVITY_TYPE
from metrics._frames import between, members_during, prepare, tuples
from domain.dataset import Dataset
from metrics.coverage import coverage
from metrics.indicators import clash_sentences, count_events
from metrics.matching import AMBIGUOUS, BY_NAME, UNMATCHED, match_members
from domain.periods import Quarter, effective_as_of, parse_quarter
from metrics.xuexi import known_exports, select_exports

NAME_COLUMNS = ["source", "branch_id", "branch", "name", "n_rows", "rows"]
SOURCE_LABELS = {"xuexi": "学习强国", "study": "学习记录", "absent": "缺席名单", "on_leave": "请假名单"}


@dataclass
class DataQuality:
    """Frames a page or the inspection packet can show as they are; ``messages()`` as sentences."""

    quarter: Quarter
    as_of: date
    unmatched: pd.DataFrame  # source, branch_id, branch, name, n_rows
    ambiguous: pd.DataFrame  # source, branch_id, branch, name, n_rows, candidates (member_ids): 同名待核实
    unknown_types: pd.DataFrame  # activity_id, branch_id, branch, date, type_raw
    missing_xuexi_quarters: list[str]  # quarter labels with no 学习强国 export counted
    branches_without_roster: pd.DataFrame  # branch_id, branch, n_activities, n_study
    xuexi_overlaps: pd.DataFrame  # export_a, start_a, end_a, export_b, start_b, end_b
    xuexi_straddling: pd.DataFrame  # export_id, period_start, period_end
    counts_clashes: pd.DataFrame  # branch_id, branch, type, period_start, period_end, count, ledger_count
    # counts-table 应到/实到人次 not used because the branch has ledger rows in that period:
    # branch, branch_id, period_start, period_end, present, expected
    counts_attendance_set_aside: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {c: pd.Series(dtype="object") for c in ("branch", "branch_id", "period_start", "period_end", "present", "expected")}
    ))
    extra: list[str] = field(default_factory=list)
    # 学习强国 rows whose 部门 named no branch, assigned by a name unique in the committee (按姓名归入):
    # source, branch_id, branch (the member's), name, n_rows
    by_name: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {c: pd.Series(dtype="object") for c in NAME_COLUMNS}))
    # months ended by the as-of date with no 学习强国 export after the last one ("2026-11")
    missing_xuexi_months: list[str] = field(default_factory=list)
    xuexi_covered_to: date | None = None

    @property
    def is_clean(self) -> bool:
        return not self.messages()

    def messages(self) -> list[str]:
        out = []
        for r in tuples(self.unmatched):
            out.append(f"{r.source}中的「{r.name}」（{r.branch}）在党员名册中找不到，共{r.n_rows}条记录未计入")
        for r in tuples(self.ambiguous):
            out.append(f"同名待核实：{r.source}中的「{r.name}」（{r.branch}）在名册中有{len(r.candidates)}名同名党员，"
                       f"无法区分，共{r.n_rows}条记录不计入任何人（支部合计仍计入）；请在表中填写党员编号")
        for r in tuples(self.by_name):
            out.append(f"按姓名归入：{r.source}中的「{r.name}」部门未指明支部，按姓名归入{r.branch}，共{r.n_rows}条记录")
        for r in tuples(self.unknown_types):
            out.append(f"{r.branch}{r.date:%Y-%m-%d}的活动类型「{r.type_raw}」无法识别，按“其他”处理")
        for month in self.missing_xuexi_months:
            known = f"，学习强国积分只统计到{self.xuexi_covered_to.month}月{self.xuexi_covered_to.day}日" \
                if self.xuexi_covered_to else ""
            out.append(f"{int(month[-2:])}月已结束，但尚未导入该月的学习强国导出{known}；请导入该月（或本季度）的导出")
        for label in self.missing_xuexi_quarters:
            out.append(f"{label}尚无已结束期间的学习强国积分导出，学习强国积分按0计")
        for r in tuples(self.branches_without_roster):
            out.append(f"{r.branch}有活动或学习记录，但名册中没有在册党员")
        for r in tuples(self.xuexi_overlaps):
            out.append(
                f"学习强国导出{r.export_a}（{r.start_a:%Y-%m-%d}至{r.end_a:%Y-%m-%d}）与导出{r.export_b}"
                f"（{r.start_b:%Y-%m-%d}至{r.end_b:%Y-%m-%d}）期间部分重叠，请核对是否重复"
            )
        for r in tuples(self.xuexi_straddling):
            out.append(f"学习强国导出{r.export_id}（{r.period_start:%Y-%m-%d}至{r.period_end:%Y-%m-%d}）跨越季度边界，未计入")
        out += clash_sentences(self.counts_clashes, self.counts_attendance_set_aside)
        return out + self.extra


def _row_text(frame: pd.DataFrame, source: str) -> pd.Series:
    """Each record in a few words, so 数据质量 can show which rows a name problem concerns."""
    if source == "xuexi":
        return frame["period_start"].dt.strftime("%Y-%m-%d") + "至" + frame["period_end"].dt.strftime("%Y-%m-%d") \
            + "导出" + frame["points"].fillna(0).map(lambda v: f"（{v:g}分）")
    if source == "study":
        return frame["date"].dt.strftime("%Y-%m-%d") + " " + frame["form"].fillna("")
    return frame["date"].dt.strftime("%Y-%m-%d") + " " + frame.get("type", pd.Series("", index=frame.index)).fillna("")


def _name_problems(frames: list[tuple[str, pd.DataFrame]], ds: Dataset, outcome: str) -> pd.DataFrame:
    parts = []
    for source, frame in frames:
        if frame.empty:
            continue
        matched = match_members(frame, ds.members)
        bad = matched[matched["match"] == outcome]
        if outcome == BY_NAME and not bad.empty:  # the branch is the member's
            home = ds.members.drop_duplicates("member_id", keep="last").set_index("member_id")
            bad = bad.assign(branch_id=bad["member_id"].map(home["branch_id"]).astype("Int64"),
                             branch=bad["member_id"].map(home["branch"]))
        if bad.empty:
            continue
        branch = bad["branch"] if "branch" in bad.columns else pd.Series(pd.NA, index=bad.index, dtype="str")
        bad = bad.assign(source=SOURCE_LABELS.get(source, source), branch=branch.fillna("未识别支部"),
                         _text=_row_text(bad, source))
        grouped = bad.groupby(["source", "branch_id", "branch", "name"], dropna=False, as_index=False).agg(
            n_rows=("_text", "size"),
            rows=("_text", lambda s: "；".join(s.head(10)) + ("等" if len(s) > 10 else "")))
        parts.append(grouped)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in NAME_COLUMNS})
    return pd.concat(parts, ignore_index=True)[NAME_COLUMNS]


def _candidates(ambiguous: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    if ambiguous.empty:
        return ambiguous.assign(candidates=pd.Series(dtype=object))
    by_branch = members.groupby(["branch_id", "name"])["member_id"].agg(lambda s: sorted(set(s)))
    by_name = members.groupby("name")["member_id"].agg(lambda s: sorted(set(s)))
    cands = [
        by_branch.get((b, n), []) if pd.notna(b) else by_name.get(n, [])
        for b, n in zip(ambiguous["branch_id"], ambiguous["name"], strict=True)
    ]
    return ambiguous.assign(candidates=pd.Series(cands, index=ambiguous.index, dtype=object))


def data_quality(ds: Dataset, quarter: Quarter | str, as_of: date | str | None = None) -> DataQuality:
    """What could not be used for ``quarter`` as of ``as_of`` (see ``DataQuality``)."""
    ds = prepare(ds)
    q = parse_quarter(quarter)
    cut = effective_as_of(q, as_of)

    selection = select_exports(ds.xuexi, q.start, q.end, cut)
    xuexi_rows = ds.xuexi[ds.xuexi["export_id"].isin(selection.counted)]
    study_rows = ds.study[between(ds.study["date"], q.start, cut)]
    acts = ds.activities[between(ds.activities["date"], q.start, cut)]
    att = ds.attendance[ds.attendance["activity_id"].isin(acts["activity_id"])].drop(columns="branch_id")
    att = att.merge(acts[["activity_id", "branch_id", "branch", "date", "type"]], on="activity_id", how="left")
    sources = [
        ("xuexi", xuexi_rows), ("study", study_rows),
        ("absent", att[att["kind"] == "absent"]), ("on_leave", att[att["kind"] == "on_leave"]),
    ]
    unmatched = _name_problems(sources, ds, UNMATCHED)
    ambiguous = _candidates(_name_problems(sources, ds, AMBIGUOUS), ds.members)
    by_name = _name_problems(sources, ds, BY_NAME)

    unknown = acts[acts["type"] == OTHER_ACTIVITY_TYPE][["activity_id", "branch_id", "branch", "date", "type_raw"]]

    missing_quarters = []
    exports = known_exports(ds)
    if ds.branches["type"].eq("在职").any():
        for n in range(1, q.number + 1):
            past = Quarter(q.year, n)
            if not select_exports(exports, past.start, past.end, min(cut, past.end)).counted:
                missing_quarters.append(past.label)

    members = members_during(ds, q.start, cut)
    with_roster = set(members["branch_id"].dropna().tolist())
    n_acts = acts.groupby("branch_id").size()
    n_study = study_rows.dropna(subset=["branch_id"]).groupby("branch_id").size()
    no_roster = ds.branches[~ds.branches["branch_id"].isin(with_roster)][["branch_id", "branch"]]
    no_roster = no_roster.assign(
        n_activities=no_roster["branch_id"].map(n_acts).fillna(0).astype(int),
        n_study=no_roster["branch_id"].map(n_study).fillna(0).astype(int),
    )
    no_roster = no_roster[(no_roster["n_activities"] + no_roster["n_study"]) > 0]

    events = count_events(ds, q.start, q.end, cut)
    straddling = selection.exports[selection.exports["status"] == "straddles"][["export_id", "period_start", "period_end"]]
    known = coverage(ds, q, cut)
    return DataQuality(
        quarter=q, as_of=cut, unmatched=unmatched, ambiguous=ambiguous,
        unknown_types=unknown.reset_index(drop=True), missing_xuexi_quarters=missing_quarters,
        branches_without_roster=no_roster.reset_index(drop=True), xuexi_overlaps=selection.overlaps,
        xuexi_straddling=straddling.reset_index(drop=True), counts_clashes=events.clashes,
        counts_attendance_set_aside=events.attendance_set_aside, by_name=by_name,
        missing_xuexi_months=[m for m in known.missing_months() if m >= f"{q.year}-01"]
        if ds.branches["type"].eq("在职").any() else [],
        xuexi_covered_to=known.xuexi,
    )
