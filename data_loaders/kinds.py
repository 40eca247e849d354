"""One builder per kind: the data rows of a sheet (raw text per field) → canonical columns.

Every builder validates as it converts, reporting each bad cell as a ``Problem`` (with the header
as written in the file and the value as written), and leaves the bad cell NA. All column work is
vectorised; Python loops run only over the bad cells and over the distinct values of a column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from domain import indicators
from domain import vocabulary as vocab
from data_loaders.headers import TYPE_FIELD, HeaderMatch, field_label
from data_loaders.schema import Problem
from domain.vocabulary import OTHER_ACTIVITY_TYPE
from data_loaders.text import clean_series, fold_series
from domain.names import normalize_name
from data_loaders.values import (
    MARKER_WORDS,
    DateContext,
    MissingYear,
    parse_dates,
    parse_numbers,
    parse_period_cell,
    quarter_label,
    reason_kind,
    split_names_with_notes,
)

# After normalisation brackets are half-width (NFKC) and spaces gone: 李娜(预备), 赵敏【预备党员】.
_MARKER_RE = r"[(\[【〔](?:" + "|".join(MARKER_WORDS) + r")[)\]】〕]"
DATE_MESSAGE = "日期无法识别，请写成 2026-07-03 或 2026年7月3日"
NO_YEAR_MESSAGE = "日期没有写年份，标题中也找不到年份：请写成 2026年7月3日，或在标题行写明年份（如“2026年第三季度”）"


@dataclass
class SheetPart:
    """The data rows of one sheet under its recognised header, and what they are checked against."""

    file: str
    sheet: str
    match: HeaderMatch
    cells: pd.DataFrame  # one column per matched field (raw text, NA when empty); index = Excel row
    dates: DateContext
    title_period: tuple[date, date] | None
    known_branches: dict[str, str] | None
    title: str = ""  # the rows above the header, as one line
    prose: pd.Series | None = None  # rows that look like a line of prose (one long text cell)
    problems: list[Problem] = field(default_factory=list)

    # ------------------------------------------------------------ access
    @property
    def kind(self) -> str:
        return self.match.kind

    @property
    def rows(self) -> pd.Index:
        return self.cells.index

    def has(self, name: str) -> bool:
        return name in self.cells.columns

    def header(self, name: str) -> str:
        return self.match.labels.get(name) or field_label(self.kind, name)

    def raw(self, name: str) -> pd.Series:
        if name in self.cells.columns:
            return self.cells[name]
        return pd.Series(np.nan, index=self.rows, dtype="str")

    def base(self) -> dict[str, object]:
        return {"sheet": pd.Series(self.sheet, index=self.rows, dtype="str"),
                "row": pd.Series(self.rows, index=self.rows, dtype="Int64")}

    # ------------------------------------------------------------ problems
    def report(self, name: str, mask: pd.Series, message: str | pd.Series, code: str,
               severity: str = "error") -> None:
        """One problem per True cell of ``mask``, with the cell's text as written; ``message`` may
        differ per row (a Series)."""
        hits = mask[mask.fillna(False).astype(bool)].index
        if not len(hits):
            return
        written = self.raw(name)
        column = self.header(name)
        for row in hits:  # only the bad cells
            value = written.get(row)
            text = message if isinstance(message, str) else str(message[row])
            self.problems.append(Problem(self.file, self.sheet, int(row), column,
                                         None if pd.isna(value) else str(value), text, severity, code))

    def sheet_problem(self, column: str | None, message: str, code: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.file, self.sheet, None, column, None, message, severity, code))

    # ------------------------------------------------------------ typed columns
    def require(self, name: str) -> None:
        """A required field: every kept row must have it. A row that reads like prose is said to be
        one: it is most likely a note left under (or inside) the table."""
        missing = self.raw(name).isna()
        message = f"{self.header(name)}不能为空，请填写"
        if self.prose is not None and (missing & self.prose).any():
            message = pd.Series(message, index=self.rows).mask(
                self.prose, message + "（这一行只有一段文字，像是说明而不是数据：如是说明，请删除或移到表格之外）")
        self.report(name, missing, message, "missing_value")

    def text(self, name: str) -> pd.Series:
        return clean_series(self.raw(name))

    def name_col(self, name: str) -> pd.Series:
        return fold_series(self.raw(name))

    def person_col(self, name: str) -> tuple[pd.Series, pd.Series]:
        """A column of people's names: normalised, with a membership marker such as ``(预备)`` or
        ``【预备党员】`` removed (never part of a name); also which rows carried one."""
        folded = self.name_col(name)
        marked = folded.str.contains(_MARKER_RE, regex=True, na=False)
        if marked.any():
            stripped = folded.str.replace(_MARKER_RE, "", regex=True)
            folded = folded.where(~marked, stripped.where(stripped != ""))
        return folded, marked

    def number(self, name: str, *, integer: bool = False, percent: bool = False,
               minutes_to_hours: bool = False) -> pd.Series:
        """A numeric field: non-numbers, negatives (and fractions when ``integer``) are errors."""
        values, bad = parse_numbers(self.raw(name), percent=percent, minutes_to_hours=minutes_to_hours)
        header = self.header(name)
        self.report(name, bad, f"{header}应为数字", "bad_number")
        if integer:
            fractional = values.notna() & (values != np.floor(values))
            self.report(name, fractional, f"{header}应为整数", "bad_number")
            values = values.where(~fractional)
        negative = values < 0
        self.report(name, negative, f"{header}不能为负数", "negative")
        return values.where(~negative)

    def date(self, name: str, *, month_precision: bool = False) -> pd.Series:
        values, bad, no_year = parse_dates(self.raw(name), self.dates, month_precision=month_precision)
        self.report(name, bad, DATE_MESSAGE, "bad_date")
        self.report(name, no_year, NO_YEAR_MESSAGE, "date_without_year")
        return values

    def mapped(self, name: str, mapping: Callable[[str], object] | dict, *,
               message: str | None = None, code: str = "bad_value", severity: str = "error",
               keep_unknown: bool = False) -> pd.Series:
        """Normalise then translate each distinct value; unknown values are reported (if
        ``message``) and become NA, or are kept as normalised text with ``keep_unknown``."""
        folded = self.name_col(name)
        lookup = mapping.get if isinstance(mapping, dict) else mapping
        table = {}
        for value in folded.dropna().unique():  # distinct values only
            found = lookup(value)
            table[value] = found if found is not None else lookup(value.lower())
        out = folded.map(table).astype(object)
        unknown = folded.notna() & out.isna()
        if message:
            self.report(name, unknown, message, code, severity)
        if keep_unknown:
            out = out.where(~unknown, folded)
        return out


# ---------------------------------------------------------------- roster


def build_roster(part: SheetPart) -> pd.DataFrame:
    part.require("name")
    part.require("branch")
    branch = part.name_col("branch")
    given_type = part.mapped("branch_type", vocab.BRANCH_TYPE_BY_LABEL,
                             message=f"{part.header('branch_type')}应为「在职」或「离退休」")
    branch_type = given_type.fillna(branch.map(vocab.branch_type_of, na_action="ignore"))
    transfer_in = part.date("transfer_in")
    transfer_out = part.date("transfer_out")
    status = part.mapped("status", vocab.STATUS_BY_LABEL,
                         message=f"{part.header('status')}应为「正常」「转出」或「去世」")
    # a 转出时间 is a transfer out, on that date, when no status says otherwise
    status = status.where(~(status.isna() & transfer_out.notna()), "transferred").fillna("active")
    id_number = part.name_col("id_number").str.upper()
    name, marked = part.person_col("name")
    category = part.mapped("category", vocab.CATEGORY_BY_LABEL, keep_unknown=True)
    # 李娜(预备) in a roster without a 党员类型 column still says she is a probationary member
    category = category.where(~(category.isna() & marked & part.raw("name").str.contains("预备", na=False)),
                              "预备党员")
    return pd.DataFrame(part.base() | {
        "name": name,
        "branch": branch,
        "unit": part.name_col("unit"),
        "group": part.name_col("group"),
        "branch_type": branch_type,
        "category": category,
        "member_code": part.name_col("member_code"),
        "join_date": part.date("join_date", month_precision=True),
        "role": part.mapped("role", vocab.role),
        "status": status,
        "phone": part.name_col("phone"),
        "id_number": id_number,
        "transfer_in": transfer_in,
        "transfer_out": transfer_out,
    })


def roster_duplicates(file: str, frame: pd.DataFrame) -> list[Problem]:
    """Same (branch, name) more than once without member codes to tell them apart → a warning
    naming every row; the rows are all kept."""
    keyed = frame[frame["name"].notna() & frame["branch"].notna()]
    dup = keyed[keyed.duplicated(["branch", "name"], keep=False)]
    problems = []
    for (branch, name), group in dup.groupby(["branch", "name"], sort=False):
        if group["member_code"].notna().all() and group["member_code"].is_unique:
            continue
        where = "、".join(
            (f"工作表「{s}」" if s and s != group["sheet"].iloc[0] else "") + f"第{r}行"
            for s, r in zip(group["sheet"], group["row"])
        )
        problems.append(Problem(
            file, group["sheet"].iloc[0], int(group["row"].iloc[0]), "姓名", name,
            f"{where}是同一支部（{branch}）的同名党员「{name}」，没有党员编号无法区分："
            "请在「党员编号」列填写编号；如是重复录入请删除一行",
            "warning", "ambiguous_name",
        ))
    return problems


# ---------------------------------------------------------------- 学习强国


_PATH_SPLIT = re.compile(r"[,，/、;；|>＞\\]+")


def _branch_from_path(path: str, known: dict[str, str] | None) -> str | None:
    """The branch named in a 部门 path: the last segment that is a known branch name or alias
    (or, with no known branches, the last segment ending in 支部, else the last segment)."""
    segments = [s for s in (normalize_name(x) for x in _PATH_SPLIT.split(path)) if s]
    if not segments:
        return None
    if known is None:
        return next((s for s in reversed(segments) if s.endswith("支部")), segments[-1])
    return next((known[s] for s in reversed(segments) if s in known), None)


def build_xuexi(part: SheetPart) -> pd.DataFrame:
    part.require("name")
    activated = part.mapped("activated", vocab.ACTIVATED_BY_LABEL,
                            message=f"{part.header('activated')}应为「激活」或「未激活」")
    activated = activated.fillna(True).astype(bool)
    points_field = "points" if part.has("points") else "interval_points"
    if points_field != "points":
        part.sheet_problem(part.header("interval_points"),
                           "没有「计入年度积分」列，已用「区间积分」作为本期积分", "points_from_interval", "warning")
    points = part.number(points_field)
    # 未激活 members have no points whatever the cell says; an empty cell is fine for them.
    part.report(points_field, part.raw(points_field).isna() & activated,
                f"{part.header(points_field)}不能为空，请填写", "missing_value")
    points = points.where(activated, 0.0)

    department = part.name_col("department")
    known = None
    if part.known_branches is not None:
        known = {normalize_name(k): v for k, v in part.known_branches.items()}
    table = {d: _branch_from_path(d, known) for d in department.dropna().unique()}
    branch = department.map(table)
    if part.has("department"):
        unresolved = department.notna() & branch.isna()
        for value, rows in department[unresolved].groupby(department[unresolved], sort=False).groups.items():
            listed = "、".join(str(r) for r in list(rows)[:10]) + ("等" if len(rows) > 10 else "")
            part.problems.append(Problem(
                part.file, part.sheet, int(rows[0]), part.header("department"), value,
                f"部门中没有已知的党支部，共{len(rows)}人（第{listed}行）未归入支部：请确认已导入该支部的党员名册，"
                "并核对「部门」中的支部名称与名册「所在支部」的写法一致（如“市财政局第一党支部”）；"
                "名称不同时，请在学习强国管理后台把组织名称改成与名册一致后重新导出",
                "warning", "unknown_branch",
            ))
    return pd.DataFrame(part.base() | {
        "name": part.person_col("name")[0],
        "branch": branch,
        "department": department,
        "activated": activated,
        "points": points,
        "interval_points": part.number("interval_points"),
        "total_points": part.number("total_points"),
        "daily_question": part.number("daily_question"),
        "active_days": part.number("active_days"),
        "member_code": part.name_col("member_code"),
    })


# ---------------------------------------------------------------- 组织生活台账


def _check_attendance(part: SheetPart, expected: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    over = (present > expected).fillna(False)
    # the message is worded for the offending rows only (formatting every row's numbers cost more)
    said = {k: v[over].astype("str").str.removesuffix(".0") for k, v in (("p", present), ("e", expected))}
    message = (f"{part.header('present')}（" + said["p"] + "）多于"
               + f"{part.header('expected')}（" + said["e"] + "），请核对")
    part.report("present", over, message, "present_gt_expected")
    return expected, present.where(~over)


def _type_named_in(text: str) -> str | None:
    """The one activity type a free name contains (``7月主题党日活动`` → 主题党日); None when it
    names none or several (``党员大会暨党课``)."""
    found = vocab.activity_type(text) or None
    if found:
        return found
    named = {canonical for label, canonical in vocab.ACTIVITY_TYPE_BY_LABEL.items() if label in text}
    return named.pop() if len(named) == 1 else None


def _attendance_lists(part: SheetPart) -> tuple[pd.Series, pd.Series]:
    """缺席 and 请假 names, with the reason written after a name deciding which list it belongs to
    (DOMAIN.md §3.3): ``李娜(病假)`` in the absence column is on leave, ``黄磊(无故)`` stays absent."""
    absent, absent_notes = split_names_with_notes(part.raw("absent"))
    on_leave, leave_notes = split_names_with_notes(part.raw("on_leave"))
    for row, name, note in absent_notes:  # only the names that carry a note
        kind = reason_kind(note)
        if kind == "leave":
            absent[row].remove(name)
            on_leave[row].append(name)
        elif kind == "unknown":
            part.problems.append(Problem(
                part.file, part.sheet, int(row), part.header("absent"), f"{name}（{note}）",
                f"缺席原因「{note}」看不出是否请过假，已按无故缺席统计：如已请假，请写成“{name}（请假）”"
                "或注明病假、事假、出差等", "warning", "absence_reason_unknown"))
    for row, name, note in leave_notes:
        if reason_kind(note) == "absent":  # 请假人员 column, yet 无故 / 未请假
            on_leave[row].remove(name)
            absent[row].append(name)
    return absent, on_leave


def build_activity(part: SheetPart) -> pd.DataFrame:
    for name in ("branch", "date", "type"):
        part.require(name)
    type_raw = part.text("type")
    # a weak 活动名称 column holds names such as 7月主题党日活动: the one type it names
    canonical = part.mapped("type", _type_named_in if "type" in part.match.weak else vocab.activity_type)
    unknown = type_raw.notna() & canonical.isna()
    part.report("type", unknown,
                f"不是已知的活动类型，已按「{OTHER_ACTIVITY_TYPE}」统计：如属三会一课等，请改为标准名称"
                "（支部党员大会、支部委员会、党小组会、党课、主题党日、集中学习等）",
                "unknown_type", "warning")
    activity_type = canonical.where(~unknown, OTHER_ACTIVITY_TYPE)
    expected, present = _check_attendance(part, part.number("expected", integer=True),
                                          part.number("present", integer=True))
    absent, on_leave = _attendance_lists(part)
    return pd.DataFrame(part.base() | {
        "branch": part.name_col("branch"),
        "date": part.date("date"),
        "type": activity_type,
        "type_raw": type_raw,
        "topic": part.text("topic"),
        "expected": expected,
        "present": present,
        "absent": absent,
        "on_leave": on_leave,
        "group": part.name_col("group"),
        "speaker": part.person_col("speaker")[0],
        "days": part.number("days"),
    })


# ---------------------------------------------------------------- 组织生活开展情况统计表


def _period_column(part: SheetPart) -> tuple[pd.Series, pd.Series]:
    """(period_start, period_end) of each row, from the 月份/季度 column or the title."""
    n = len(part.rows)
    start = pd.Series(pd.NaT, index=part.rows, dtype="datetime64[ns]")
    end = start.copy()
    if part.title_period is not None:
        start[:] = pd.Timestamp(part.title_period[0])
        end[:] = pd.Timestamp(part.title_period[1])
    if not part.has("period"):
        if part.title_period is None and n:
            part.sheet_problem(
                "月份", "缺少统计期间：请增加「月份」或「季度」列，或在标题行写明期间（如“2026年第三季度”或“2026年7月”）",
                "missing_column")
        return start, end
    header = part.header("period")
    mode = "month" if "月" in header else "quarter" if "季" in header else "auto"
    year = part.dates.period[0].year if part.dates.period else part.dates.year
    raw = part.text("period")
    parsed: dict[str, object] = {}
    for value in raw.dropna().unique():
        try:
            parsed[value] = parse_period_cell(value, mode, year)
        except MissingYear:
            parsed[value] = "no_year"
    result = raw.map(parsed)
    bad = raw.notna() & result.isna()
    example = {"month": "2026-07 或 2026年7月", "quarter": "2026Q3 或 2026年第三季度"}.get(
        mode, "2026-07、2026年7月 或 2026Q3")
    part.report("period", bad, f"{header}无法识别，请写成 {example}", "bad_period")
    no_year = result == "no_year"
    part.report("period", no_year, f"{header}没有写年份，标题中也找不到年份：请写成 {example}", "period_without_year")
    if part.title_period is None:
        part.report("period", raw.isna(), f"{header}不能为空，请填写", "missing_value")
    periods = {value: p for value, p in parsed.items() if isinstance(p, tuple)}
    given = raw.isin(list(periods))
    start = start.where(~given, raw.map({v: pd.Timestamp(p[0]) for v, p in periods.items()}))
    end = end.where(~given, raw.map({v: pd.Timestamp(p[1]) for v, p in periods.items()}))
    return start.astype("datetime64[ns]"), end.astype("datetime64[ns]")


def build_activity_counts(part: SheetPart) -> pd.DataFrame:
    part.require("branch")
    branch = part.name_col("branch")
    start, end = _period_column(part)
    expected, present = _check_attendance(part, part.number("expected", integer=True),
                                          part.number("present", integer=True))
    pieces = []
    for order, (canonical, _col, _header) in enumerate(part.match.type_columns):
        counts = part.number(TYPE_FIELD + canonical, integer=True)
        given = counts.notna()
        pieces.append(pd.DataFrame({"src": part.rows[given], "order": order, "type": canonical,
                                    "count": counts[given].to_numpy()}))
    long = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(
        {"src": pd.Series(dtype="int64"), "order": pd.Series(dtype="int64"),
         "type": pd.Series(dtype="str"), "count": pd.Series(dtype="float64")})
    long = long.sort_values(["src", "order"], kind="stable").reset_index(drop=True)
    first = ~long["src"].duplicated()
    empty = pd.Series(~part.rows.isin(long["src"]), index=part.rows)
    part.report("branch", empty, "这一行各类活动次数都没有填写，已跳过", "no_counts", "warning")
    src = long["src"].to_numpy()
    return pd.DataFrame({
        "sheet": pd.Series(part.sheet, index=long.index, dtype="str"),
        "row": pd.Series(src, dtype="Int64"),
        "branch": branch.reindex(src).to_numpy(),
        "period_start": start.reindex(src).to_numpy(),
        "period_end": end.reindex(src).to_numpy(),
        "type": long["type"],
        "count": long["count"],
        "expected": expected.reindex(src).to_numpy(),
        "present": present.reindex(src).to_numpy(),
    }).assign(
        expected=lambda f: f["expected"].where(first),
        present=lambda f: f["present"].where(first),
    )


# ---------------------------------------------------------------- 学习记录


def build_study(part: SheetPart) -> pd.DataFrame:
    for name in ("name", "branch", "date", "form"):
        part.require(name)
    form = part.mapped("form", vocab.STUDY_FORM_BY_LABEL, keep_unknown=True,
                       message="不是常见的学习形式（集中学习、自学、专题交流、参观学习、专题宣讲、知识测试），已按原文保存",
                       code="unknown_form", severity="warning")
    return pd.DataFrame(part.base() | {
        "name": part.person_col("name")[0],
        "branch": part.name_col("branch"),
        "date": part.date("date"),
        "form": form,
        "content": part.text("content"),
        "hours": part.number("hours", minutes_to_hours=True),
        "score": part.number("score"),
    })


# ---------------------------------------------------------------- 其他台账


def build_records(part: SheetPart) -> pd.DataFrame:
    part.require("category")
    part.require("date")
    quantity = part.number("quantity").where(part.raw("quantity").notna(), 1.0)  # 1 when not given
    return pd.DataFrame(part.base() | {
        "category": part.mapped("category", vocab.RECORD_CATEGORY_BY_LABEL, keep_unknown=True),
        "title": part.text("title"),
        "date": part.date("date"),
        "branch": part.name_col("branch"),
        "person": part.person_col("person")[0],
        "level": part.mapped("level", vocab.LEVEL_BY_LABEL, keep_unknown=True),
        "quantity": quantity,
        "measure": part.text("measure"),
    })


# ---------------------------------------------------------------- 季度目标


def build_targets(part: SheetPart) -> pd.DataFrame:
    part.require("indicator")
    part.require("target")
    indicator = part.mapped(
        "indicator", indicators.indicator_key, code="unknown_indicator",
        message="指标无法识别：请写指标名称（如 支部委员会、参会率、学习强国人均积分）或活动类型（如 警示教育）")
    branch_type = part.mapped("branch_type", vocab.TARGET_BRANCH_TYPE_BY_LABEL,
                              message=f"{part.header('branch_type')}应为「在职」「离退休」或「全部」").fillna("全部")
    period_kind = part.mapped(
        "period_kind", {"季度": "季度", "季": "季度", "每季度": "季度", "按季度": "季度", "年度": "年度",
                        "年": "年度", "全年": "年度", "每年": "年度", "按年度": "年度"},
        message=f"{part.header('period_kind')}应为「季度」或「年度」")
    annual = indicator.map(indicators.is_annual, na_action="ignore").fillna(False).astype(bool)
    period_kind = period_kind.fillna(pd.Series(np.where(annual, "年度", "季度"), index=part.rows))

    target = part.number("target", percent=True)
    rate = indicator.map(indicators.is_rate, na_action="ignore").fillna(False).astype(bool)
    written_as_percent = part.raw("target").str.contains("[%％]", regex=True, na=False)
    as_percent = rate & ~written_as_percent & (target > 1) & (target <= 100)
    part.report("target", as_percent, "比率类指标的目标值大于1，已按百分数理解（如 90 → 90%）",
                "percent_assumed", "warning")
    target = target.where(~as_percent, target / 100)
    part.report("target", rate & (target > 1), "比率类指标的目标值不能超过100%", "bad_value")
    target = target.where(~(rate & (target > 1)))

    year = part.dates.period[0].year if part.dates.period else part.dates.year
    raw_quarter = part.text("quarter")
    labels: dict[str, object] = {}
    for value in raw_quarter.dropna().unique():
        try:
            labels[value] = quarter_label(value, year)
        except MissingYear:
            labels[value] = None
    quarter = raw_quarter.map(labels)
    part.report("quarter", raw_quarter.notna() & quarter.isna(),
                f"{part.header('quarter')}无法识别，请写成 2026Q3 或 2026年第三季度", "bad_period")
    return pd.DataFrame(part.base() | {
        "indicator": indicator,
        "branch_type": branch_type,
        "period_kind": period_kind,
        "target": target,
        "weight": part.number("weight"),
        "quarter": quarter,
    })


BUILDERS: dict[str, Callable[[SheetPart], pd.DataFrame]] = {
    "roster": build_roster,
    "xuexi": build_xuexi,
    "activity": build_activity,
    "activity_counts": build_activity_counts,
    "study": build_study,
    "records": build_records,
    "targets": build_targets,
}
