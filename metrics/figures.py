"""Work-report figures (工作报告数据, DOMAIN.md §7b): every number of the committee's annual or
quarterly 工作总结, computed from the data by a *figure definition*, with the rows behind it.

A definition is one entry of ``"figures"`` in domain/defaults.json (or of the saved "metrics"
setting, merged by ``key``): a **dataset**, **filters**, a **measure** and a unit, plus where the
Word draft puts it (``section``, ``point``, ``phrase``).

datasets  activity  组织生活台账 rows (and, for ``count``, 统计表 counts of ended periods)
          study     学习记录 rows
          records   其他台账 rows (表彰, 发表文章, 网站录用, 廉政风险点, 履责纪实, 培训 …)
          xuexi     学习强国 points per active roster member (the export rules of metrics/xuexi.py)
          members   active roster members
filters   types (活动类型, synonyms allowed), forms (学习形式), categories (类别), keywords (any of
          them in the topic / content / title), also_keywords (rows of any type whose topic
          mentions one also count), branch_type (在职 / 离退休), level (``"中央和省级"``,
          ``"省级及以上"`` or a list), has_measure (防范措施 filled in or not), speaker
          (``"committee_leaders"`` or a list of names), participants_only (xuexi: field > 0),
          with_study_sessions (集中学习 known only from 学习记录 count too, as for the indicator)
measures  count · distinct (``keys``) · sum (``field``: days / quantity / hours / points) ·
          share (of members, ``threshold``) · mean · min · percentile (``q``)

Decisions made here once:
- One study *session* is one (branch, date, form, content): the same 集中学习 recorded by 30
  members counts 1. ``keys`` changes that (``["date", "content"]`` counts a broadcast every branch
  watched once). For people (``["branch", "person"]``) a row without a name is not counted.
- A figure that counted nothing has no value (None), never 0: the report then says
  ``【暂无数据：…】`` so that a gap in the data cannot pass for a zero. 学习强国 figures have no
  value while no export of the window has ended.
- Only rows dated inside the window and on or before the as-of date count; 统计表 periods and
  学习强国 exports count once they lie inside the window and have ended by the as-of date. A 统计表
  row whose branch and type also have ledger rows in its period is left out (the ledger wins,
  metrics/indicators.py). 统计表 rows carry no topic or speaker, so figures filtering on those
  count ledger rows only.
- Scope: the whole committee (every branch of the Dataset plus records without a branch), one
  unit, or one branch.
- ``figure_records`` returns exactly the rows a figure used, with ``contribution`` (what each row
  adds: 1 per event, 0 for a repeat of a session already counted, the days of a 志愿服务, a
  member's points) and ``counted_as`` (the session or person a row was counted under).
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

import pandas as pd

from domain.formatting import figure_text, round_half_up
from domain.indicators import defaults
from domain.names import normalize_name
from domain.periods import Quarter, parse_quarter
from domain.vocabulary import (
    BRANCH_TYPE_BY_LABEL,
    LEVEL_BY_LABEL,
    RECORD_CATEGORY_BY_LABEL,
    STUDY_FORMS,
    STUDY_FORM_BY_LABEL,
    activity_type,
)
from metrics._frames import between, members_during, prepare
from domain.dataset import Dataset
from metrics.indicators import count_events, study_sessions
from metrics.matching import CREDITED
from metrics.self_study import study_rows
from metrics.xuexi import window_points  # the same per-member rule as the indicators

DATASETS = {
    "activity": "组织生活台账", "study": "学习记录", "records": "其他台账",
    "xuexi": "学习强国积分导出", "members": "党员名册",
}
MEASURES = ("count", "distinct", "sum", "share", "mean", "min", "percentile")
_MEASURES_OF = {
    "activity": {"count", "distinct", "sum"},
    "study": {"count", "distinct", "sum", "share", "mean", "min", "percentile"},
    "records": {"count", "distinct", "sum", "mean", "min", "percentile"},
    "xuexi": {"count", "share", "sum", "mean", "min", "percentile"},
    "members": {"count"},
}
_FIELDS_OF = {
    "activity": ("days",), "study": ("hours", "score"), "records": ("quantity",),
    "xuexi": ("points", "daily_question"), "members": (),
}
_FIELD_WORDS = {"days": "天数", "quantity": "数量", "hours": "学时", "score": "成绩", "points": "积分",
                "daily_question": "“每日一题”得分"}
_DEFAULT_KEYS = {"activity": ("branch", "date"), "study": ("branch", "date", "form", "content"),
                 "records": ("branch", "person")}
_KEY_COLUMNS = {"activity": ("branch", "date", "type", "topic"),
                "study": ("branch", "date", "form", "content", "name"),
                "records": ("branch", "date", "category", "title", "person")}
_KEY_WORDS = {"branch": "支部", "date": "日期", "type": "活动类型", "topic": "主题", "form": "学习形式",
              "content": "学习内容", "name": "姓名", "category": "类别", "title": "名称", "person": "人员"}
_PEOPLE_KEYS = {"name", "person"}
_TEXT_WORDS = {"activity": "主题", "study": "学习内容", "records": "名称"}
SECTIONS = ("概况", "政治建设", "理论武装", "基层基础", "示范带动", "正风肃纪", "其他")
LEVELS = ("中央", "省级", "市级", "县级")  # highest first
LEADERS_KEYWORD = "committee_leaders"
_SPLIT = re.compile(r"[、，,;；/\s]+")


@dataclass(frozen=True)
class CommitteeLeaders:
    """Who counts as a 工委领导班子成员 when they give a 党课: a name on the list, or a speaker
    written with one of the titles (``工委书记王建国``, ``纪监工委书记刘洪涛``)."""

    names: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    def words(self) -> str:
        parts = []
        if self.names:
            parts.append("、".join(self.names))
        if self.titles:
            parts.append("职务含" + "".join(f"“{t}”" for t in self.titles) + "者")
        return "，或".join(parts) if parts else "（名单为空）"


@dataclass(frozen=True)
class FigureFilters:
    types: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    also_keywords: tuple[str, ...] = ()
    branch_type: str | None = None
    levels: tuple[str, ...] = ()  # allowed levels; empty = any
    level_text: str = ""  # as written in the definition (中央和省级 / 省级及以上)
    has_measure: bool | None = None
    speakers: CommitteeLeaders | None = None
    speaker_is_leaders: bool = False
    participants_only: bool = False
    with_study_sessions: bool = False
    member_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class FigureDef:
    """One work-report figure. Build it with ``parse_figure``; ``definition`` is its rule in words."""

    key: str
    label: str
    dataset: str
    measure: str
    unit: str
    filters: FigureFilters = field(default_factory=FigureFilters)
    field: str | None = None
    keys: tuple[str, ...] = ()
    q: float | None = None
    threshold: float = 0.0
    section: str = "其他"
    point: str = ""
    phrase: str = ""
    all_of: str | None = None
    all_phrase: str = ""
    note: str = ""
    enabled: bool = True
    definition: str = ""


@dataclass(frozen=True)
class FigureScope:
    """The whole committee (both None), one unit, or one branch."""

    unit: str | None = None
    branch_id: int | None = None

    @property
    def kind(self) -> str:
        return "branch" if self.branch_id is not None else ("unit" if self.unit else "committee")


@dataclass
class FigureSettings:
    """Every figure definition (defaults merged with saved edits) and the committee leaders."""

    definitions: list[FigureDef]
    leaders: CommitteeLeaders
    warnings: list[str] = field(default_factory=list)

    @property
    def enabled(self) -> list[FigureDef]:
        return [d for d in self.definitions if d.enabled]

    def get(self, key: str) -> FigureDef:
        for d in self.definitions:
            if d.key == key:
                return d
        raise KeyError(key)


# --- definitions ----------------------------------------------------------------------------------


def _defaults() -> dict[str, Any]:
    return defaults()


def merge_figures(base: list[dict], extra: list[dict] | None) -> tuple[list[dict], list[str]]:
    """Default figure entries + saved ones, by ``key``: a saved entry with a known key changes the
    fields it names (``{"key": "…", "enabled": false}`` switches a figure off; ``filters`` is
    replaced whole), with ``"replace": true`` it replaces the entry; a new key adds a figure."""
    merged = {entry["key"]: copy.deepcopy(entry) for entry in base}
    warnings = []
    for entry in extra or []:
        if not isinstance(entry, dict) or not str(entry.get("key") or "").strip():
            warnings.append(f"设置中的工作报告数据项缺少 key，已忽略：{entry!r}")
            continue
        entry = copy.deepcopy(entry)
        key = str(entry["key"]).strip()
        if key in merged and not entry.pop("replace", False):
            merged[key] = {**merged[key], **entry}
        else:
            entry.pop("replace", None)
            merged[key] = entry
    return list(merged.values()), warnings


def figure_settings(settings: dict[str, Any] | None = None) -> FigureSettings:
    """Figure definitions from ``settings`` (``MetricsConfig.to_dict()``: defaults.json deep-merged
    with the saved "metrics" setting) or from defaults.json alone. A saved figure that cannot be
    understood is skipped and named in ``warnings``; the others still work."""
    defaults = _defaults()
    settings = settings or defaults
    leaders = CommitteeLeaders(
        names=tuple(normalize_name(n) for n in settings.get("committee_leaders", defaults["committee_leaders"]) if n),
        titles=tuple(normalize_name(t) for t in settings.get("committee_leader_titles",
                                                              defaults["committee_leader_titles"]) if t),
    )
    saved = settings.get("figures")
    extra = None if saved is None or saved == defaults["figures"] else saved
    entries, warnings = merge_figures(defaults["figures"], extra)
    definitions = []
    for entry in entries:
        try:
            definitions.append(parse_figure(entry, leaders))
        except ValueError as exc:
            warnings.append(f"工作报告数据项「{entry.get('label') or entry.get('key')}」：{exc}，已忽略")
    return FigureSettings(definitions, leaders, warnings)


def _words(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{what}应为文字或文字列表，收到的是{value!r}")
    return tuple(unicodedata.normalize("NFKC", str(v)).strip() for v in value if str(v).strip())


def parse_level(value: Any) -> tuple[tuple[str, ...], str]:
    """``"中央和省级"`` → ({中央, 省级}, text); ``"省级及以上"`` → every level from 省级 up;
    a list of levels (synonyms allowed: 国家级 → 中央) → that set."""
    if value is None or value == "" or value == []:
        return (), ""
    if isinstance(value, str):
        text = normalize_name(value)
        found = re.fullmatch(r"(.+?)(?:级)?及以上", text) or re.fullmatch(r"(.+?)以上", text)
        if found:
            base = LEVEL_BY_LABEL.get(found.group(1)) or LEVEL_BY_LABEL.get(found.group(1) + "级")
            if base is None:
                raise ValueError(f"级别「{value}」无法识别，请写 中央、省级、市级、县级 或“省级及以上”")
            return LEVELS[: LEVELS.index(base) + 1], text
        parts = [p for p in re.split(r"[和及与、,，/]", text) if p]
    else:
        parts, text = [normalize_name(v) for v in value], "、".join(str(v) for v in value)
    levels = []
    for part in parts:
        canonical = LEVEL_BY_LABEL.get(part) or LEVEL_BY_LABEL.get(part + "级")
        if canonical is None:
            raise ValueError(f"级别「{part}」无法识别，请写 中央、省级、市级、县级 或“省级及以上”")
        levels.append(canonical)
    ordered = tuple(lv for lv in LEVELS if lv in levels)
    return ordered, text


def _filters(raw: dict[str, Any], dataset: str, leaders: CommitteeLeaders) -> FigureFilters:
    if not isinstance(raw, dict):
        raise ValueError(f"filters 应为字典，收到的是{raw!r}")
    known = {"types", "forms", "categories", "keywords", "also_keywords", "branch_type", "level",
             "has_measure", "speaker", "participants_only", "with_study_sessions", "member_categories"}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"无法识别的筛选条件 {sorted(unknown)}")
    types = tuple(activity_type(t) or t for t in _words(raw.get("types"), "活动类型"))
    forms = tuple(STUDY_FORM_BY_LABEL.get(normalize_name(f), f) for f in _words(raw.get("forms"), "学习形式"))
    categories = tuple(RECORD_CATEGORY_BY_LABEL.get(normalize_name(c), c)
                       for c in _words(raw.get("categories"), "类别"))
    branch_type = raw.get("branch_type")
    if branch_type not in (None, "", "全部"):
        canonical = BRANCH_TYPE_BY_LABEL.get(normalize_name(branch_type))
        if canonical is None:
            raise ValueError(f"支部类型应为“在职”或“离退休”，收到的是{branch_type!r}")
        branch_type = canonical
    else:
        branch_type = None
    levels, level_text = parse_level(raw.get("level"))
    speaker = raw.get("speaker")
    speakers, is_leaders = None, False
    if speaker in (LEADERS_KEYWORD, "工委领导", "工委领导班子成员"):
        speakers, is_leaders = leaders, True
    elif speaker:
        speakers = CommitteeLeaders(names=tuple(normalize_name(s) for s in _words(speaker, "主讲人")))
    has_measure = raw.get("has_measure")
    if has_measure is not None and not isinstance(has_measure, bool):
        raise ValueError(f"has_measure 应为 true 或 false，收到的是{has_measure!r}")
    if dataset == "activity" and (forms or categories):
        raise ValueError("组织生活台账的数据项只能按活动类型（types）筛选")
    if dataset == "study" and (types or categories):
        raise ValueError("学习记录的数据项只能按学习形式（forms）筛选")
    if dataset == "records" and (types or forms):
        raise ValueError("其他台账的数据项只能按类别（categories）筛选")
    return FigureFilters(
        types=types, forms=forms, categories=categories,
        keywords=_words(raw.get("keywords"), "关键词"),
        also_keywords=_words(raw.get("also_keywords"), "关键词"),
        branch_type=branch_type, levels=levels, level_text=level_text, has_measure=has_measure,
        speakers=speakers, speaker_is_leaders=is_leaders,
        participants_only=bool(raw.get("participants_only", False)),
        with_study_sessions=bool(raw.get("with_study_sessions", False)),
        member_categories=_words(raw.get("member_categories"), "党员类别"),
    )


def parse_figure(raw: dict[str, Any], leaders: CommitteeLeaders | None = None) -> FigureDef:
    """One settings entry → ``FigureDef`` (with its rule in words). Raises ``ValueError`` (Chinese)."""
    if leaders is None:
        defaults = _defaults()
        leaders = CommitteeLeaders(tuple(defaults["committee_leaders"]), tuple(defaults["committee_leader_titles"]))
    key = str(raw.get("key") or "").strip()
    if not key:
        raise ValueError("缺少 key")
    label = str(raw.get("label") or key)
    dataset = raw.get("dataset")
    if dataset not in DATASETS:
        raise ValueError(f"dataset 应为 {'/'.join(DATASETS)}，收到的是{dataset!r}")
    measure = raw.get("measure", "count")
    if measure not in _MEASURES_OF[dataset]:
        raise ValueError(f"{DATASETS[dataset]}不支持统计方式 {measure!r}（可用：{'/'.join(sorted(_MEASURES_OF[dataset]))}）")
    fld = raw.get("field")
    if measure in ("sum", "mean", "min", "percentile") or (dataset == "xuexi" and measure in ("share", "count")):
        fld = fld or _FIELDS_OF[dataset][0]
        if fld not in _FIELDS_OF[dataset]:
            raise ValueError(f"field 应为 {'/'.join(_FIELDS_OF[dataset])}，收到的是{fld!r}")
    else:
        fld = None
    keys: tuple[str, ...] = ()
    if measure == "distinct":
        keys = _words(raw.get("keys"), "keys") or _DEFAULT_KEYS[dataset]
        bad = [k for k in keys if k not in _KEY_COLUMNS[dataset]]
        if bad:
            raise ValueError(f"keys 只能取 {'/'.join(_KEY_COLUMNS[dataset])}，收到的是{bad}")
    q = None
    if measure == "percentile":
        try:
            q = float(raw.get("q", 0.5))
        except (TypeError, ValueError):
            raise ValueError(f"q 应为0到1之间的数，收到的是{raw.get('q')!r}") from None
        if not 0 <= q <= 1:
            raise ValueError(f"q 应为0到1之间的数，收到的是{q}")
    try:
        threshold = float(raw.get("threshold", 0) or 0)
    except (TypeError, ValueError):
        raise ValueError(f"threshold 应为数字，收到的是{raw.get('threshold')!r}") from None
    section = str(raw.get("section") or "其他")
    if section not in SECTIONS:
        section = "其他"
    unit = str(raw.get("unit") or ("%" if measure == "share" else "次"))
    phrase = str(raw.get("phrase") or f"{label}{{value}}")
    if "{value}" not in phrase:
        phrase += "{value}"
    definition = FigureDef(
        key=key, label=label, dataset=dataset, measure=measure, unit=unit,
        filters=_filters(raw.get("filters") or {}, dataset, leaders), field=fld, keys=keys, q=q,
        threshold=threshold, section=section, point=str(raw.get("point") or ""), phrase=phrase,
        all_of=raw.get("all_of"), all_phrase=str(raw.get("all_phrase") or ""),
        note=str(raw.get("note") or ""), enabled=bool(raw.get("enabled", True)),
    )
    return replace(definition, definition=describe(definition))


def describe(d: FigureDef) -> str:
    """The rule of a figure in words, for the page, the Excel download and the CLI."""
    f = d.filters
    conds = []
    if f.branch_type:
        conds.append(f"{f.branch_type}党支部")
    if f.types:
        text = "或".join(f"“{t}”" for t in f.types)
        if f.also_keywords:
            text += "（或主题含" + "、".join(f"“{k}”" for k in f.also_keywords) + "的其他活动）"
        conds.append(f"活动类型为{text}")
    elif f.also_keywords:
        conds.append("主题含" + "、".join(f"“{k}”" for k in f.also_keywords))
    if f.forms:
        conds.append("学习形式为" + "或".join(f"“{x}”" for x in f.forms))
    if f.categories:
        conds.append("类别为" + "或".join(f"“{x}”" for x in f.categories))
    if f.keywords:
        conds.append(f"{_TEXT_WORDS.get(d.dataset, '内容')}含" + "或".join(f"“{k}”" for k in f.keywords))
    if f.levels:
        shown = f.level_text if f.level_text else "、".join(f.levels)
        conds.append(f"级别为{shown}（{'、'.join(f.levels)}）")
    if f.has_measure is True:
        conds.append("已填写防范措施")
    elif f.has_measure is False:
        conds.append("未填写防范措施")
    if f.speakers is not None:
        who = "工委领导班子成员" if f.speaker_is_leaders else "指定人员"
        conds.append(f"主讲人为{who}（{f.speakers.words()}）")
    if f.member_categories:
        conds.append("党员类别为" + "或".join(f.member_categories))
    where = "、".join(conds)
    of = where + "的" if where else ""
    if d.dataset == "xuexi":
        head = f"学习强国导出（统计期内已结束的导出，季度导出覆盖其中的月度导出）中{of}在册党员"
        if f.participants_only:
            head += f"（只计{_FIELD_WORDS[d.field]}大于0的参学党员）"
    elif d.dataset == "members":
        head = f"党员名册中{of}在册党员"
    else:
        noun = "活动" if d.dataset == "activity" else "记录"
        head = f"{DATASETS[d.dataset]}中{of or '全部'}{noun}"
    return f"{head}；{_measure_words(d)}" + (f"。{d.note}" if d.note else "")


def _measure_words(d: FigureDef) -> str:
    f, m = d.filters, d.measure
    if m == "count":
        if d.dataset == "activity":
            text = "每条台账记录计1次"
            if not (f.keywords or f.speakers is not None):
                text += "，只报次数的统计表按所填次数计入（与台账重复的以台账为准）"
            if f.with_study_sessions:
                text += "；台账未载、仅见于学习记录的集中学习，同一支部同一天计1次"
            return text
        if d.dataset == "xuexi":
            return f"统计{_FIELD_WORDS[d.field]}大于{d.threshold:g}的人数"
        if d.dataset == "members":
            return "按人数统计"
        return "每条记录计1" + ("个" if d.unit == "个" else "条" if d.unit == "条" else "次")
    if m == "distinct":
        keys = "、".join(_KEY_WORDS[k] for k in d.keys)
        text = f"按{keys}去重，相同者只计1{d.unit if len(d.unit) == 1 else '次'}"
        if d.dataset == "study" and "name" not in d.keys:
            text += "（同一场学习多名党员分别登记的，计1次）"
        if set(d.keys) & _PEOPLE_KEYS:
            text += "（同一人多次获得只计1人；未填姓名的不计）"
        return text
    if m == "sum":
        default = {"days": "，未填写的按1天计", "quantity": "，未填写的按1计"}.get(d.field, "")
        return f"合计{_FIELD_WORDS[d.field]}{default}"
    if m == "share":
        if d.dataset == "xuexi":
            return f"{_FIELD_WORDS[d.field]}大于{d.threshold:g}的党员占比（未出现在导出中或未激活的按0计）"
        return "有1条及以上符合条件学习记录的在册党员占比"
    zero = "（未出现在导出中的按0计）" if d.dataset == "xuexi" and not f.participants_only else ""
    if m == "mean":
        return f"{_FIELD_WORDS[d.field]}的平均值{zero}"
    if m == "min":
        return f"{_FIELD_WORDS[d.field]}的最低值{zero}"
    share = round_half_up((1 - (d.q or 0)) * 100)
    return f"{_FIELD_WORDS[d.field]}的第{round_half_up((d.q or 0) * 100):g}百分位数（约{share:g}%的人不低于此值）{zero}"


# --- computing ------------------------------------------------------------------------------------


class _Context:
    """One window, as-of date and scope over one prepared Dataset; shared work computed once."""

    def __init__(self, ds: Dataset, start: date, end: date, as_of: date, scope: FigureScope | None):
        self.ds = prepare(ds)
        self.start, self.end, self.as_of = start, end, as_of
        self.last = min(end, as_of)
        self.scope = scope or FigureScope()
        branches = self.ds.branches
        if self.scope.branch_id is not None:
            branches = branches[branches["branch_id"] == self.scope.branch_id]
        elif self.scope.unit:
            branches = branches[branches["unit"] == self.scope.unit]
        self.branch_ids = set(int(b) for b in branches["branch_id"].dropna())
        self.branch_type = self.ds.branches.set_index("branch_id")["type"]
        self.branch_name = self.ds.branches.set_index("branch_id")["branch"]

    def in_scope(self, branch_id: pd.Series) -> pd.Series:
        mask = branch_id.isin(self.branch_ids).fillna(False).astype(bool)
        if self.scope.kind == "committee":  # committee-level records carry no branch
            mask = mask | branch_id.isna()
        return mask

    def of_type(self, branch_id: pd.Series, branch_type: str | None) -> pd.Series:
        if branch_type is None:
            return pd.Series(True, index=branch_id.index)
        return branch_id.map(self.branch_type).eq(branch_type).fillna(False).astype(bool)

    @cached_property
    def study(self) -> pd.DataFrame:
        """Study rows matched to members (a row without a branch takes its member's branch),
        as the indicators read them (metrics.self_study.study_rows)."""
        study = study_rows(self.ds)
        return study.assign(branch=study["branch_id"].map(self.branch_name))

    @cached_property
    def counted_periods(self) -> pd.DataFrame:
        return count_events(self.ds, self.start, self.end, self.as_of).counted_periods

    @cached_property
    def xuexi_points(self) -> pd.DataFrame | None:
        """Points and 每日一题 per active member over the window's counted exports; None when no
        export of the window has ended by the as-of date."""
        found = window_points(self.ds, self.start, self.end, self.as_of)
        if not found.selection.counted:
            return None
        members = members_during(self.ds, self.start, self.last)[["member_id", "branch_id", "group"]]
        points = found.members.merge(members, on=["member_id", "branch_id"], how="left")
        # the same totals as the indicators: a 同名 pair's rows count once each, for no one by name
        return points.assign(points=points["branch_points"],
                             name=points["name"].where(~points["ambiguous"], points["name"] + "（同名待核实）"))


def _text_mask(text: pd.Series, words: tuple[str, ...]) -> pd.Series:
    pattern = "|".join(re.escape(w) for w in words)
    return text.str.contains(pattern, regex=True, na=False).astype(bool)


def _is_speaker(text: str, who: CommitteeLeaders) -> bool:
    for token in _SPLIT.split(normalize_name(text)):
        if not token:
            continue
        if token in who.names or any(t in token for t in who.titles):
            return True
        if any(token.endswith(n) and len(token) > len(n) for n in who.names):
            return True  # title first: 工委书记王建国
    return False


def _speaker_mask(speaker: pd.Series, who: CommitteeLeaders) -> pd.Series:
    lookup = {s: _is_speaker(s, who) for s in speaker.dropna().unique()}
    return speaker.map(lookup).astype("boolean").fillna(False).astype(bool)


def _activity_rows(d: FigureDef, c: _Context) -> pd.DataFrame:
    f, acts = d.filters, c.ds.activities
    type_label = acts["type"].where(acts["type"] != "其他", acts["type_raw"])
    text = acts["topic"].fillna("") + " " + acts["type_raw"].fillna("")
    mask = between(acts["date"], c.start, c.last) & c.in_scope(acts["branch_id"])
    mask &= c.of_type(acts["branch_id"], f.branch_type)
    if f.types:
        kind = acts["type"].isin(f.types) | acts["type_raw"].isin(f.types)
        if f.also_keywords:
            kind |= _text_mask(text, f.also_keywords)
        mask &= kind
    elif f.also_keywords:
        mask &= _text_mask(text, f.also_keywords)
    if f.keywords:
        mask &= _text_mask(text, f.keywords)
    if f.speakers is not None:
        mask &= _speaker_mask(acts["speaker"], f.speakers)
    a = acts[mask.to_numpy()]
    value = a["days"].fillna(1.0) if d.measure == "sum" else pd.Series(1.0, index=a.index)
    rows = [pd.DataFrame({
        "source": "组织生活台账", "record_id": a["activity_id"], "branch_id": a["branch_id"],
        "branch": a["branch"], "date": a["date"], "type": type_label[mask.to_numpy()],
        "topic": a["topic"], "speaker": a["speaker"], "days": a["days"], "expected": a["expected"],
        "present": a["present"], "_value": value,
    })]
    if d.measure == "count" and not f.keywords and f.speakers is None:
        rows.append(_counts_rows(d, c))
        if f.with_study_sessions:
            rows.append(_study_session_rows(d, c))
    return _concat(rows)


def _counts_rows(d: FigureDef, c: _Context) -> pd.DataFrame:
    f, periods = d.filters, c.counted_periods
    mask = c.in_scope(periods["branch_id"]) & c.of_type(periods["branch_id"], f.branch_type)
    if f.types:
        mask &= periods["type"].isin(f.types)
    p = periods[mask.to_numpy()]
    return pd.DataFrame({
        "source": "组织生活统计表", "branch_id": p["branch_id"], "branch": p["branch_id"].map(c.branch_name),
        "date": p["period_end"],
        "period": p["period_start"].dt.strftime("%Y-%m-%d") + "至" + p["period_end"].dt.strftime("%Y-%m-%d"),
        "type": p["type"], "count": p["count"], "_value": p["count"].astype("float64"),
    })


def _study_session_rows(d: FigureDef, c: _Context) -> pd.DataFrame:
    """集中学习 (or another type that is also a study form) known only from 学习记录, by the rule
    the indicator counts them with (metrics.indicators.study_sessions): every study row of such a
    session is listed, the session's first row adds what the session adds (0 when a 统计表
    period already counted it)."""
    f = d.filters
    forms = tuple(t for t in f.types if t in STUDY_FORMS)
    study = c.study
    mask = (study["form"].isin(forms) & between(study["date"], c.start, c.last) & study["branch_id"].notna()
            & c.in_scope(study["branch_id"]) & c.of_type(study["branch_id"], f.branch_type))
    s = study[mask.to_numpy()]
    sessions = study_sessions(s, c.ds, c.counted_periods, c.start, c.last, forms)
    s = s.merge(sessions, on=["branch_id", "date", "form"]).sort_values(["branch_id", "date", "name"], kind="stable")
    session = s["branch"].fillna("") + "｜" + s["date"].dt.strftime("%Y-%m-%d") + "｜" + s["form"] + "（仅见于学习记录）"
    first = ~session.duplicated()
    return pd.DataFrame({
        "source": "学习记录", "branch_id": s["branch_id"], "branch": s["branch"], "date": s["date"],
        "type": s["form"], "topic": s["content"], "name": s["name"], "counted_as": session,
        "_value": (first & s["adds"].eq(1)).astype("float64"),
    })


def _study_rows(d: FigureDef, c: _Context) -> pd.DataFrame:
    f, study = d.filters, c.study
    mask = between(study["date"], c.start, c.last) & c.in_scope(study["branch_id"])
    mask &= c.of_type(study["branch_id"], f.branch_type)
    if f.forms:
        mask &= study["form"].isin(f.forms)
    if f.keywords:
        mask &= _text_mask(study["content"], f.keywords)
    s = study[mask.to_numpy()]
    if d.measure in ("mean", "min", "percentile"):
        s = s[s[d.field].notna()]
    value = s[d.field].fillna(0.0) if d.field else pd.Series(1.0, index=s.index)
    return pd.DataFrame({
        "source": "学习记录", "branch_id": s["branch_id"], "branch": s["branch"], "date": s["date"],
        "name": s["name"], "form": s["form"], "content": s["content"], "hours": s["hours"],
        "score": s["score"], "_value": value.astype("float64"),
    })


def _study_share_rows(d: FigureDef, c: _Context) -> pd.DataFrame:
    members = _member_rows(d, c)
    studied = c.study.loc[c.study.index.isin(_study_rows(replace(d, measure="count"), c).index)]
    done = set(studied.loc[studied["match"].isin(CREDITED), "member_id"].dropna().astype(int))
    return members.assign(_value=members["member_id"].isin(done).astype("float64"))


def _records_rows(d: FigureDef, c: _Context) -> pd.DataFrame:
    f, r = d.filters, c.ds.records
    level = r["level"].map(lambda v: LEVEL_BY_LABEL.get(normalize_name(v), v) if isinstance(v, str) else v)
    mask = between(r["date"], c.start, c.last) & c.in_scope(r["branch_id"])
    if f.branch_type:
        mask &= c.of_type(r["branch_id"], f.branch_type)
    if f.categories:
        mask &= r["category"].isin(f.categories)
    if f.keywords:
        mask &= _text_mask(r["title"], f.keywords)
    if f.levels:
        mask &= level.isin(f.levels).fillna(False).astype(bool)
    if f.has_measure is not None:
        filled = r["measure"].fillna("").str.strip().ne("")
        mask &= filled if f.has_measure else ~filled
    x = r[mask.to_numpy()]
    quantity = x["quantity"].fillna(1.0)
    value = quantity if d.measure in ("sum", "mean", "min", "percentile") else pd.Series(1.0, index=x.index)
    return pd.DataFrame({
        "source": "其他台账", "record_id": x["record_id"], "branch_id": x["branch_id"],
        "branch": x["branch"], "date": x["date"], "category": x["category"], "title": x["title"],
        "person": x["person"], "level": level[mask.to_numpy()], "quantity": x["quantity"],
        "measure": x["measure"], "_value": value.astype("float64"),
    })


def _member_rows(d: FigureDef, c: _Context) -> pd.DataFrame:
    m = members_during(c.ds, c.last, c.last)  # the members as of the last day counted
    mask = c.in_scope(m["branch_id"]) & m["branch_id"].notna()
    if d.filters.branch_type:
        mask &= m["branch_type"].eq(d.filters.branch_type)
    if d.filters.member_categories:
        mask &= m["category"].isin(d.filters.member_categories)
    m = m[mask.to_numpy()]
    return pd.DataFrame({
        "source": "党员名册", "member_id": m["member_id"], "branch_id": m["branch_id"],
        "branch": m["branch"], "name": m["name"], "group": m["group"], "category": m["category"],
        "role": m["role"], "_value": pd.Series(1.0, index=m.index),
    })


def _xuexi_rows(d: FigureDef, c: _Context) -> pd.DataFrame:
    points = c.xuexi_points
    if points is None:
        return _concat([])
    f = d.filters
    mask = c.in_scope(points["branch_id"]) & points["branch_id"].notna()
    if f.branch_type:
        mask &= c.of_type(points["branch_id"], f.branch_type)
    if f.participants_only:
        mask &= points[d.field].gt(0)
    if d.measure == "count":
        mask &= points[d.field].gt(d.threshold)
    p = points[mask.to_numpy()]
    if d.measure == "share":
        value = p[d.field].gt(d.threshold).astype("float64")
    elif d.measure == "count":
        value = pd.Series(1.0, index=p.index)
    else:
        value = p[d.field].astype("float64")
    return pd.DataFrame({
        "source": "学习强国", "member_id": p["member_id"], "branch_id": p["branch_id"],
        "branch": p["branch_id"].map(c.branch_name), "name": p["name"], "points": p["points"],
        "daily_question": p["daily_question"], "_value": value,
    })


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({"source": pd.Series(dtype="str"), "branch": pd.Series(dtype="str"),
                             "_value": pd.Series(dtype="float64")})
    return pd.concat(frames, ignore_index=True)


def _distinct(rows: pd.DataFrame, d: FigureDef) -> pd.DataFrame:
    """First row of each distinct key contributes 1, repeats 0; rows without a name (for people
    keys) are dropped. Sorted so the rows of one session sit together."""
    if rows.empty:
        return rows.assign(counted_as=pd.Series(dtype="str"))
    for k in d.keys:
        if k in _PEOPLE_KEYS:
            rows = rows[rows[k].notna() & rows[k].astype("str").str.strip().ne("")]
    parts = []
    for k in d.keys:
        col = rows[k]
        parts.append(col.dt.strftime("%Y-%m-%d") if k == "date" else col.astype("str").fillna(""))
    label = parts[0].fillna("")
    for part in parts[1:]:
        label = label + "｜" + part.fillna("")
    rows = rows.assign(counted_as=label).sort_values(["counted_as", "date"], kind="stable")
    return rows.assign(_value=(~rows["counted_as"].duplicated()).astype("float64"))


def _rows_for(d: FigureDef, c: _Context) -> pd.DataFrame:
    if d.dataset == "activity":
        rows = _activity_rows(d, c)
    elif d.dataset == "study":
        rows = _study_share_rows(d, c) if d.measure == "share" else _study_rows(d, c)
    elif d.dataset == "records":
        rows = _records_rows(d, c)
    elif d.dataset == "xuexi":
        rows = _xuexi_rows(d, c)
    else:
        rows = _member_rows(d, c)
    if d.measure == "distinct":
        rows = _distinct(rows, d)
    return rows.reset_index(drop=True)


def _value(d: FigureDef, rows: pd.DataFrame) -> float | None:
    if rows.empty:
        return None
    values = rows["_value"]
    if d.measure in ("count", "distinct", "sum"):
        result = values.sum()
    elif d.measure in ("share", "mean"):
        result = values.mean()
    elif d.measure == "min":
        result = values.min()
    else:
        result = values.quantile(d.q if d.q is not None else 0.5)
    return None if pd.isna(result) else float(result)


def compute_figures(ds: Dataset, definitions: list[FigureDef], period_start: date, period_end: date,
                    as_of: date, scope: FigureScope | None = None) -> pd.DataFrame:
    """Every definition's value for the window ``period_start``–``period_end`` as of ``as_of``.

    Returns one row per definition, in order: key, label, value (float; None when nothing was
    counted), unit, display (``"93.5%"``, ``"5次"``, ``"暂无数据"``), definition (words), records
    (rows used), section, point.
    """
    c = _Context(ds, period_start, period_end, as_of, scope)
    out = []
    for d in definitions:
        rows = _rows_for(d, c)
        value = _value(d, rows)
        out.append({
            "key": d.key, "label": d.label, "value": value, "unit": d.unit,
            "display": figure_text(value, d.unit), "definition": d.definition,
            "records": int(len(rows)), "section": d.section, "point": d.point,
        })
    frame = pd.DataFrame(out, columns=["key", "label", "value", "unit", "display", "definition", "records",
                                       "section", "point"])
    return frame.assign(value=pd.to_numeric(frame["value"], errors="coerce").astype("float64"),
                        records=frame["records"].astype("int64"))


def figure_records(ds: Dataset, definition: FigureDef, period_start: date, period_end: date,
                   as_of: date, scope: FigureScope | None = None) -> pd.DataFrame:
    """Exactly the rows ``definition`` used for that window and scope, for drill-down.

    Columns: source, branch, date and the dataset's own columns (type, topic, speaker, days, name,
    form, content, category, title, level, quantity, measure, points …), then ``contribution``
    (what the row adds to the value, or its value for share/mean/min/percentile) and, for
    distinct counts and 学习记录-only sessions, ``counted_as``.
    """
    return _records_frame(_rows_for(definition, _Context(ds, period_start, period_end, as_of, scope)))


def all_figure_records(ds: Dataset, definitions: list[FigureDef], period_start: date, period_end: date,
                       as_of: date, scope: FigureScope | None = None) -> dict[str, pd.DataFrame]:
    """``figure_records`` of every definition (key → rows), sharing the work between them."""
    c = _Context(ds, period_start, period_end, as_of, scope)
    return {d.key: _records_frame(_rows_for(d, c)) for d in definitions}


def _records_frame(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.rename(columns={"_value": "contribution"})
    front = [col for col in ("source", "branch", "date") if col in rows.columns]
    back = [col for col in ("contribution", "counted_as") if col in rows.columns]
    middle = [col for col in rows.columns if col not in front + back]
    return rows[front + middle + back]


# --- a report: its period, scope and figures ---------------------------------------------------


COMMITTEE_LABEL = "全委"


@dataclass(frozen=True)
class ReportPeriod:
    """A calendar year, or one quarter of it, counted up to ``as_of``."""

    year: int
    quarter: Quarter | None
    as_of: date

    @property
    def start(self) -> date:
        return self.quarter.start if self.quarter else date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return self.quarter.end if self.quarter else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        """``2026年`` or ``2026年第三季度``."""
        return self.quarter.label if self.quarter else f"{self.year}年"

    @property
    def key(self) -> str:
        """``2026`` or ``2026Q3`` (the CLI's JSON ``period``)."""
        return str(self.quarter) if self.quarter else str(self.year)

    @property
    def is_complete(self) -> bool:
        return self.as_of >= self.end


def report_period(year: int, quarter: str | Quarter | None = None, as_of: date | None = None,
                  today: date | None = None) -> ReportPeriod:
    """The window of a year (or of one quarter of that year) as of ``as_of`` (default today,
    capped at the window's end). Raises ``ValueError`` (Chinese) for a quarter of another year or
    a window that has not begun."""
    q = parse_quarter(quarter) if quarter not in (None, "") else None
    if q is not None and q.year != year:
        raise ValueError(f"季度{q}不在{year}年内，请让 --year 与 --quarter 一致")
    start = q.start if q else date(year, 1, 1)
    end = q.end if q else date(year, 12, 31)
    cut = as_of or today or date.today()
    if cut < start:
        raise ValueError(f"{(q.label if q else f'{year}年')}尚未开始（截至{cut.isoformat()}），没有可统计的数据")
    return ReportPeriod(year, q, min(cut, end))


def same_period_last_year(period: ReportPeriod) -> ReportPeriod:
    """The same window one year earlier, as of the same day one year earlier (29 Feb → 28 Feb)."""
    cut = period.as_of
    try:
        shifted = cut.replace(year=cut.year - 1)
    except ValueError:
        shifted = cut.replace(year=cut.year - 1, day=28)
    q = Quarter(period.quarter.year - 1, period.quarter.number) if period.quarter else None
    return ReportPeriod(period.year - 1, q, shifted)


@dataclass(frozen=True)
class ReportScope:
    """What the figures cover: the committee, one unit, or one branch (``label`` in words)."""

    unit: str | None = None
    branch_id: int | None = None
    label: str = COMMITTEE_LABEL

    @property
    def figure_scope(self) -> FigureScope:
        return FigureScope(unit=self.unit, branch_id=self.branch_id)

    @property
    def kind(self) -> str:
        return self.figure_scope.kind

    @property
    def key(self) -> tuple:
        return (self.unit, self.branch_id)


@dataclass
class FigureReport:
    """The figures of one period and scope, with last year's values and what the draft needs."""

    period: ReportPeriod
    scope: ReportScope
    table: pd.DataFrame  # compute_figures + previous, previous_display, change
    settings: FigureSettings
    previous_period: ReportPeriod | None
    branches: pd.DataFrame  # the branches in scope: branch_id, branch, unit, type
    warnings: list[str] = field(default_factory=list)
