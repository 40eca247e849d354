"""督导提醒 messages: what a branch still owes this quarter, for its secretary, and the committee's
digest, for leaders and the office — built from the figures the pages show, in the same words.

``read_month`` reads a quarter's figures with a viewer, so the SQL scoping of the pages decides
what can be in them: a run reads the committee's once, as a leader, and builds every branch's
message from that branch's rows (split by branch once: a run over 5,000 branches stays linear);
one message on its own is read with the branch's secretary's viewer. ``branch_facts`` checks
that a branch's message holds its own rows only; ``committee_facts`` builds the digest. ``branch_message`` / ``committee_message`` are pure
functions of those facts, and ``to_text`` / ``to_markdown`` / ``to_html`` / ``to_docx`` render a
message for e-mail, the 企业微信/钉钉 robots and the outbox folder.

In markdown every piece of text is escaped: characters that robot markdown would read as markup
become their full-width look-alikes (``*`` → ``＊``, ``[`` → ``［``, ``<`` → ``＜`` …), because
the robots' renderers do not all honour backslash escapes; a name reads the same and cannot
form a link, a heading, a mention tag or bold text.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from domain.access import Viewer
from domain.formatting import day_text, month_day_text, score_text, value_text
from domain.periods import Quarter, effective_as_of, quarter_of
from domain.vocabulary import REASON_LABELS
from metrics._frames import tuples
from metrics.coverage import Coverage
from metrics.quality import DataQuality
from metrics.scorecard import ScorecardResult
from services import analytics, tasks

# the pages a message links to (ui.nav: the page file's name is its URL path)
BRANCH_PAGE, OVERVIEW_PAGE = "branch_detail", "overview"
MAX_DATA_LINES = 10  # a secretary's data-quality sentences; the rest are counted
MAX_COMMITTEE_NAMES = 10
FOOTER = "本提醒由机关党建看板根据已导入的数据自动生成，每月发送一次；数据如有出入，请与工委办公室核对。"
NONE_TEXT = "无"


# --- the message --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A numbered list under a heading; ``count_unit`` (项/名) puts the count in the heading."""

    title: str
    lines: tuple[str, ...]
    count_unit: str = "项"
    note: str = ""  # after the count: （29个，按进度得分从低到高）

    @property
    def heading(self) -> str:
        if not self.lines:
            return self.title
        return f"{self.title}（{len(self.lines)}{self.count_unit}{'，' + self.note if self.note else ''}）"


@dataclass(frozen=True)
class Message:
    """One reminder: ``audience`` is "secretary" (``branch_id`` set) or "committee"."""

    audience: str
    branch_id: int | None
    title: str
    greeting: str
    summary: tuple[str, ...]
    sections: tuple[Section, ...]
    link: str | None = None
    footer: str = FOOTER

    @property
    def subject(self) -> str:
        return self.title


# --- what a message is built from -----------------------------------------------------------------


@dataclass
class BranchFacts:
    """One branch as its secretary may see it, for ``quarter`` as of ``as_of``."""

    branch_id: int
    branch: str
    quarter: Quarter
    as_of: date
    score: float | None
    pace_score: float | None
    n_behind: int
    indicators: pd.DataFrame  # the branch's rows of the scorecard's indicator table
    lagging: pd.DataFrame  # metrics.lagging.LAGGING_COLUMNS
    overdue: pd.DataFrame  # rectification tasks open past their deadline
    gaps: list[str] = field(default_factory=list)
    freshness: list[str] = field(default_factory=list)


@dataclass
class CommitteeFacts:
    quarter: Quarter
    as_of: date
    branches: pd.DataFrame  # the scorecard's branch table
    indicators: pd.DataFrame
    overdue: pd.DataFrame
    gaps: list[str] = field(default_factory=list)
    freshness: list[str] = field(default_factory=list)


def secretary_viewer(branch_id: int, branch: str) -> Viewer:
    """The viewer a branch's reminder is read as: its secretary, whoever receives it."""
    return Viewer(username="reminder", role="secretary", branch_id=int(branch_id), branch=branch,
                  display_name="督导提醒", source="reminder")


COMMITTEE_VIEWER = Viewer(username="reminder", role="leader", display_name="督导提醒", source="reminder")


def overdue_tasks(task_frame: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Tasks still open whose deadline has passed by ``as_of``, oldest deadline first."""
    if task_frame.empty:
        return task_frame
    deadline = pd.to_datetime(task_frame["deadline"])
    late = task_frame[task_frame["status"].eq("open") & deadline.notna() & (deadline < pd.Timestamp(as_of))]
    return late.sort_values(["deadline", "branch", "id"], kind="stable").reset_index(drop=True)


def _last_month_end(as_of: date) -> date:
    return date.fromordinal(as_of.replace(day=1).toordinal() - 1)


def ledger_behind(cov, branch_ids, as_of: date) -> list[tuple[int, date]]:
    """Branches whose 台账 does not reach the end of the last month that has ended (inside the
    quarter): (branch_id, the day their ledger is known to)."""
    month_end = _last_month_end(as_of)
    if month_end < cov.quarter.start:
        return []
    return [(int(b), cov.ledger_cut(int(b))) for b in branch_ids if cov.ledger_cut(int(b)) < month_end]


def _ledger_gap_text(known: date, quarter: Quarter, as_of: date) -> str:
    """``本支部11月的组织生活台账尚未导入（台账数据截至10月31日）``."""
    first = max(known.toordinal() + 1, quarter.start.toordinal())
    months = pd.period_range(date.fromordinal(first), _last_month_end(as_of), freq="M")
    missing = "、".join(f"{m.month}月" for m in months)
    since = f"台账数据截至{month_day_text(known)}" if known >= quarter.start else "本季度尚无台账数据"
    return f"本支部{missing}的组织生活台账尚未导入（{since}）"


_DETAIL_FRAMES = ("unmatched", "ambiguous", "unknown_types", "xuexi_overlaps", "xuexi_straddling",
                  "counts_clashes", "counts_attendance_set_aside", "by_name")


def split_quality(quality, quarter: Quarter) -> tuple[list[str], list[str]]:
    """DataQuality's sentences in its own words, split in two: the missing data of ``quarter``
    (学习强国 months and the quarter's export, branches without a roster) and every other
    problem; earlier quarters' missing exports are left to the 数据质量 page."""
    empty = {name: getattr(quality, name).iloc[0:0] for name in _DETAIL_FRAMES}
    labels = quality.missing_xuexi_quarters
    core = replace(quality, extra=[], missing_xuexi_quarters=[x for x in labels if x == quarter.label],
                   **empty).messages()
    earlier = replace(quality, extra=[], missing_xuexi_months=[], **empty,
                      missing_xuexi_quarters=[x for x in labels if x != quarter.label],
                      branches_without_roster=quality.branches_without_roster.iloc[0:0]).messages()
    return core, [m for m in quality.messages() if m not in core and m not in earlier]


@dataclass(frozen=True)
class MonthReads:
    """What one month's reminders are built from, read once with one viewer: the committee's
    for a whole run (every branch's message is its rows of these), a secretary's for one
    message. ``parts`` holds each per-branch frame split by branch once (never a frame filtered
    per branch in a loop: a run over 5,000 branches would be quadratic)."""

    quarter: Quarter
    as_of: date
    card: ScorecardResult
    lagging: pd.DataFrame
    overdue: pd.DataFrame
    quality: DataQuality
    coverage: Coverage
    parts: dict[str, dict[int, pd.DataFrame]]
    empty: dict[str, pd.DataFrame]  # each frame's columns without rows, made once

    def of(self, name: str, branch_id: int) -> pd.DataFrame:
        """The rows of ``branch_id`` of the frame ``name`` (none: its columns, no rows)."""
        return self.parts[name].get(int(branch_id), self.empty[name])


# DataQuality's frames whose rows each belong to one branch (the others concern the files)
_QUALITY_BRANCH_FRAMES = ("unmatched", "ambiguous", "by_name", "unknown_types", "branches_without_roster",
                          "counts_clashes", "counts_attendance_set_aside")


def _split(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """``{branch_id: its rows}`` in one pass (rows without a branch belong to no branch)."""
    if frame.empty:
        return {}
    ids = pd.to_numeric(frame["branch_id"], errors="coerce")
    return {int(b): rows.reset_index(drop=True) for b, rows in frame.groupby(ids, sort=False)}


def read_month(engine: Engine, viewer: Viewer, as_of: date) -> MonthReads:
    """The figures of the quarter of ``as_of`` that ``viewer`` may see (the pages' SQL scoping)."""
    q = quarter_of(as_of)
    cut = effective_as_of(q, as_of)
    card = analytics.scorecard(engine, viewer, q, cut).card
    lag = analytics.lagging(engine, viewer, q, cut)
    late = overdue_tasks(tasks.tasks(engine, viewer), cut)
    quality = analytics.quality(engine, viewer, q, cut)
    cov = analytics.coverage(engine, viewer, q, cut)
    frames = {"branches": card.branches, "indicators": card.indicators, "lagging": lag, "overdue": late,
              **{name: getattr(quality, name) for name in _QUALITY_BRANCH_FRAMES}}
    return MonthReads(q, cut, card, lag, late, quality, cov,
                      {name: _split(frame) for name, frame in frames.items()},
                      {name: frame.iloc[0:0] for name, frame in frames.items()})


def _branch_quality(reads: MonthReads, branch_id: int, working: bool) -> DataQuality:
    """The committee's data problems that concern ``branch_id``: its own rows, and the missing
    学习强国 exports when it is a 在职 branch (离退休 branches have no 学习强国 target)."""
    quality = reads.quality
    own = {name: reads.of(name, branch_id) for name in _QUALITY_BRANCH_FRAMES}
    missing = {} if working else {"missing_xuexi_quarters": [], "missing_xuexi_months": []}
    return replace(quality, **own, **missing)


def _branch_coverage(cov: Coverage, branch_id: int) -> Coverage:
    """The coverage as the branch's secretary reads it: 学习强国 as for everyone, the ledger the
    branch's own (none when it has imported none)."""
    return replace(cov, ledger=cov.ledger_by_branch.get(branch_id))


def branch_facts(engine: Engine, branch_id: int, branch: str, as_of: date,
                 reads: MonthReads | None = None) -> BranchFacts:
    """Everything a branch's reminder says for the quarter of ``as_of``: from ``reads`` (the
    committee's, read once per run), or else read with the branch's secretary's viewer. Either
    way the message may hold the branch's own rows only, checked here once more."""
    if reads is None:
        reads = read_month(engine, secretary_viewer(branch_id, branch), as_of)
    q, cut, branch_id = reads.quarter, reads.as_of, int(branch_id)
    own = reads.of("branches", branch_id)
    indicators = reads.of("indicators", branch_id)
    lag = reads.of("lagging", branch_id)
    late = reads.of("overdue", branch_id)
    for frame in (own, indicators, lag, late):  # the scope, checked once more
        if len(frame) and set(frame["branch_id"].dropna().astype(int)) - {branch_id}:
            raise RuntimeError("督导提醒只能包含本支部的数据")
    row = own.iloc[0] if len(own) else None
    working = row is None or row.get("type", "在职") == "在职"
    core, rest = split_quality(_branch_quality(reads, branch_id, working), q)
    cov = _branch_coverage(reads.coverage, branch_id)
    gaps = [_ledger_gap_text(known, q, cut) for _, known in ledger_behind(cov, [branch_id], cut)]
    room = max(0, MAX_DATA_LINES - len(core))  # the missing-data sentences first, always
    gaps += core + rest[:room]
    if len(rest) > room:
        gaps.append(f"另有{len(rest) - room}条数据问题，请与工委办公室核对")
    return BranchFacts(
        branch_id=branch_id, branch=branch, quarter=q, as_of=cut,
        score=_number(row["score"]) if row is not None else None,
        pace_score=_number(row["pace_score"]) if row is not None else None,
        n_behind=int(row["n_behind"]) if row is not None else 0,
        indicators=indicators, lagging=lag, overdue=late, gaps=gaps, freshness=cov.texts())


def committee_facts(engine: Engine, as_of: date, reads: MonthReads | None = None) -> CommitteeFacts:
    """The committee's digest facts for the quarter of ``as_of``, read as a leader (or from
    ``reads``, the committee's reads of the run)."""
    reads = reads or read_month(engine, COMMITTEE_VIEWER, as_of)
    q, cut, card, cov = reads.quarter, reads.as_of, reads.card, reads.coverage
    names = dict(zip(card.branches["branch_id"].astype(int), card.branches["branch"]))
    behind = ledger_behind(cov, list(names), cut)
    gaps = []
    if behind:
        month = _last_month_end(cut).month
        listed = "、".join(f"{names[b]}（{month_day_text(known) if known >= q.start else '本季度无台账'}）"
                          for b, known in behind[:MAX_COMMITTEE_NAMES])
        more = f"等{len(behind)}个支部" if len(behind) > MAX_COMMITTEE_NAMES else ""
        gaps.append(f"{len(behind)}个支部的台账未报送到{month}月底：{listed}{more}")
    core, rest = split_quality(reads.quality, q)
    gaps += core
    others = len(rest)
    if others > 0:
        gaps.append(f"{'另有' if gaps else ''}{others}条数据质量提示（名册外姓名、同名待核实、无法识别的活动类型等），详见看板「数据质量」")
    return CommitteeFacts(q, cut, card.branches, card.indicators, reads.overdue, gaps, cov.texts())


def _number(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if value != value else value


# --- pure building ------------------------------------------------------------------------------


def owed_lines(indicators: pd.DataFrame) -> list[str]:
    """The 还需… sentences of the scored indicators (DOMAIN §4), in indicator order, one per
    line; ``（落后进度）`` after an indicator that is behind its pace."""
    rows = indicators[indicators["scored"] & indicators["remaining_text"].fillna("").ne("")]
    out = []
    for text, behind in zip(rows["remaining_text"], rows["behind_pace"]):
        for part in str(text).split("；"):
            out.append(part + ("（落后进度）" if behind else ""))
    return out


def _months_text(months) -> str:
    return "、".join(f"{int(str(m)[5:7])}月" for m in months)


def _reason_text(row, code: str) -> str:
    label = REASON_LABELS.get(code, code)
    if code == "xuexi_low":
        return f"{label}（本季度{value_text(row.points, '分')}，预警线{value_text(row.points_threshold, '分')}）"
    if code == "absent":
        return f"{label}（{int(row.absences)}次）"
    if code == "no_self_study" and len(row.missing_months):
        return f"{label}（{_months_text(row.missing_months)}）"
    return label


def lagging_lines(lagging: pd.DataFrame) -> list[str]:
    """``张三：学习强国零积分；自学未完成（8月、9月）`` per flagged member, in the 党员预警 order
    (most reasons first); two members of one name are told apart as 同名1 / 同名2."""
    if lagging.empty:
        return []
    # in plain Python: a run builds this for every branch, and pandas' groupby costs more on
    # a handful of rows than the whole list
    keys = list(zip(lagging["branch_id"], lagging["name"]))
    twins, seen, out = Counter(keys), Counter(), []
    for row, key in zip(lagging.itertuples(index=False), keys):
        seen[key] += 1
        name = f"{row.name}（同名{seen[key]}）" if twins[key] > 1 else row.name
        out.append(f"{name}：" + "；".join(_reason_text(row, code) for code in row.reasons))
    return out


def overdue_lines(overdue: pd.DataFrame, as_of: date, with_branch: bool = False) -> list[str]:
    """``2026年第三季度 主题党日差1次（责任人王五，期限2026年10月31日，已逾期20天）``."""
    out = []
    for row in tuples(overdue):
        deadline = pd.Timestamp(row.deadline).date()
        owner = f"责任人{row.owner}，" if isinstance(row.owner, str) and row.owner.strip() else ""
        prefix = f"{row.branch} · " if with_branch else ""
        out.append(f"{prefix}{Quarter.parse(row.quarter).label} {row.problem}"
                   f"（{owner}期限{day_text(deadline)}，已逾期{(as_of - deadline).days}天）")
    return out


def behind_lines(branches: pd.DataFrame, indicators: pd.DataFrame) -> list[str]:
    """Branches with an indicator behind pace, worst first (lowest 按进度得分, then most
    indicators behind, then name): ``二支部：按进度得分53.6分，3项落后进度（支部委员会、党课、主题党日）``."""
    behind = branches[branches["n_behind"] > 0]
    behind = behind.assign(_pace=behind["pace_score"].astype("float64")).sort_values(
        ["_pace", "n_behind", "branch"], ascending=[True, False, True], na_position="last", kind="stable")
    late = indicators[indicators["behind_pace"]]
    labels = late.groupby("branch_id")["label"].agg(list)
    out = []
    for row in behind.itertuples(index=False):
        named = "、".join(labels.get(row.branch_id, []))
        score = f"按进度得分{score_text(row.pace_score)}分，" if _number(row.pace_score) is not None else ""
        out.append(f"{row.branch}：{score}{int(row.n_behind)}项落后进度（{named}）")
    return out


def _freshness(texts: list[str]) -> str:
    return "，".join(texts) + "。" if texts else ""


def branch_link(base_url: str | None, quarter: Quarter, branch_id: int) -> str | None:
    return f"{base_url.rstrip('/')}/{BRANCH_PAGE}?q={quarter}&branch={int(branch_id)}" if base_url else None


def overview_link(base_url: str | None, quarter: Quarter) -> str | None:
    return f"{base_url.rstrip('/')}/{OVERVIEW_PAGE}?q={quarter}" if base_url else None


def branch_message(facts: BranchFacts, base_url: str | None = None) -> Message:
    """A secretary's reminder: what the branch still owes this quarter, its lagging members,
    its overdue rectification tasks and its data gaps."""
    q, day = facts.quarter, facts.as_of
    if day < q.end and facts.pace_score is not None:
        lead = f"截至{day_text(day)}，本支部{q.label}按进度得分{score_text(facts.pace_score)}分，" + (
            f"{facts.n_behind}项落后进度。" if facts.n_behind else "各项均未落后进度。")
    elif facts.score is not None:
        lead = f"截至{day_text(day)}，本支部{q.label}综合得分{score_text(facts.score)}分。"
    else:
        lead = f"截至{day_text(day)}，本支部{q.label}尚无可计分的指标。"
    sections = (
        Section("一、本季度还需完成", tuple(owed_lines(facts.indicators))),
        Section("二、党员预警", tuple(lagging_lines(facts.lagging)), "名"),
        Section("三、逾期整改任务", tuple(overdue_lines(facts.overdue, day))),
        Section("四、数据提醒", tuple(facts.gaps), "条"),
    )
    return Message(
        audience="secretary", branch_id=facts.branch_id,
        title=f"【督导提醒】{facts.branch} {q.label}（截至{month_day_text(day)}）",
        greeting=f"{facts.branch}：",
        summary=tuple(s for s in (lead, _freshness(facts.freshness)) if s),
        sections=sections, link=branch_link(base_url, q, facts.branch_id))


def committee_message(facts: CommitteeFacts, base_url: str | None = None) -> Message:
    """The leaders' and the office's digest: branches behind pace (worst first), overdue
    rectification tasks of every branch, missing data."""
    q, day = facts.quarter, facts.as_of
    behind = behind_lines(facts.branches, facts.indicators)
    late = overdue_lines(facts.overdue, day, with_branch=True)
    n = int(facts.branches["branch_id"].nunique())
    pace = (f"全委{n}个支部中{len(behind)}个落后进度" if day < q.end
            else f"季度已结束，全委{n}个支部")
    lead = f"截至{day_text(day)}，{q.label}{pace}，逾期整改任务{len(late)}项。"
    sections = (
        Section("一、落后进度的支部", tuple(behind), "个", "按进度得分从低到高"),
        Section("二、逾期整改任务", tuple(late)),
        Section("三、数据缺口", tuple(facts.gaps), "条"),
    )
    return Message(
        audience="committee", branch_id=None,
        title=f"【督导提醒】全委{q.label}进度汇总（截至{month_day_text(day)}）",
        greeting="工委领导、工委办公室：",
        summary=tuple(s for s in (lead, _freshness(facts.freshness)) if s),
        sections=sections, link=overview_link(base_url, q))


# --- rendering ----------------------------------------------------------------------------------

LINK_LABEL = "在看板中查看"
NO_LINK = "请登录机关党建看板查看详情。"


def to_text(message: Message, newline: str = "\n") -> str:
    """Plain text (e-mail body, the outbox .txt, the log)."""
    parts = [message.greeting, "", *message.summary, ""]
    for section in message.sections:
        if not section.lines:
            parts += [f"{section.title}：{NONE_TEXT}", ""]
            continue
        parts.append(section.heading)
        parts += [f"{i}. {line}" for i, line in enumerate(section.lines, 1)]
        parts.append("")
    parts.append(f"{LINK_LABEL}：{message.link}" if message.link else NO_LINK)
    parts += ["", message.footer]
    return newline.join(parts) + newline


_MARKDOWN_LOOKALIKES = str.maketrans({
    "\\": "＼", "*": "＊", "_": "＿", "`": "｀", "[": "［", "]": "］", "<": "＜", ">": "＞",
    "#": "＃", "~": "～", "|": "｜",
})


def escape_markdown(text: object) -> str:
    """Text that robot markdown shows as it is: one line, markup characters as look-alikes."""
    return " ".join(str(text).split()).translate(_MARKDOWN_LOOKALIKES)


def _markdown(message: Message, keep: int | None) -> str:
    e = escape_markdown
    parts = [f"### {e(message.title)}", "", e(message.greeting), ""]
    parts += [e(s) + "\n" for s in message.summary]
    for section in message.sections:
        if not section.lines:
            parts += [f"**{e(section.title)}**：{NONE_TEXT}", ""]
            continue
        shown = section.lines if keep is None else section.lines[:keep]
        parts.append(f"**{e(section.heading)}**")
        parts += [f"{i}. {e(line)}" for i, line in enumerate(shown, 1)]
        if len(shown) < len(section.lines):
            parts.append(f"……另有{len(section.lines) - len(shown)}{section.count_unit}，请在看板中查看")
        parts.append("")
    parts.append(f"[{LINK_LABEL}]({message.link})" if message.link else NO_LINK)
    return "\n".join(parts)


def to_markdown(message: Message, max_bytes: int = 4000) -> str:
    """Robot markdown (企业微信 and 钉钉 read the same subset) of at most ``max_bytes`` UTF-8 bytes
    (企业微信 refuses more than 4,096): lists are shortened, with the rest counted, to fit."""
    longest = max((len(s.lines) for s in message.sections), default=0)
    for keep in [None, *range(longest - 1, -1, -1)]:
        text = _markdown(message, keep)
        if len(text.encode("utf-8")) <= max_bytes:
            return text
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def to_html(message: Message) -> str:
    """The e-mail's HTML part; every text is escaped."""
    e = html.escape
    out = ["<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"></head>",
           "<body style=\"font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif;"
           "font-size:15px;line-height:1.7;color:#222;max-width:720px;margin:16px\">",
           f"<h2 style=\"color:#b71c1c;font-size:19px;margin:0 0 12px\">{e(message.title)}</h2>",
           f"<p>{e(message.greeting)}</p>"]
    out += [f"<p>{e(s)}</p>" for s in message.summary]
    for section in message.sections:
        if not section.lines:
            out.append(f"<h3 style=\"font-size:16px;margin:14px 0 4px\">{e(section.title)}：{NONE_TEXT}</h3>")
            continue
        out.append(f"<h3 style=\"font-size:16px;margin:14px 0 4px\">{e(section.heading)}</h3><ol style=\"margin:0\">")
        out += [f"<li>{e(line)}</li>" for line in section.lines]
        out.append("</ol>")
    if message.link:
        out.append(f"<p><a href=\"{e(message.link, quote=True)}\" style=\"color:#b71c1c\">{LINK_LABEL}</a></p>")
    else:
        out.append(f"<p>{NO_LINK}</p>")
    out.append(f"<p style=\"color:#777;font-size:13px\">{e(message.footer)}</p></body></html>")
    return "\n".join(out)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: object) -> str:
    return _NOT_XML.sub("", str(text))


def to_docx(message: Message) -> bytes:
    """The outbox's Word file: the same text as ``to_text``, to print or forward."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()

    def run(paragraph, text, font="仿宋", size=14, bold=False):
        r = paragraph.add_run(_xml_text(text))
        r.font.size, r.font.bold, r.font.name = Pt(size), bold, "Times New Roman"
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return r

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(title, message.title, "黑体", 16, bold=True)
    for text in (message.greeting, *message.summary):
        run(doc.add_paragraph(), text)
    for section in message.sections:
        heading = doc.add_paragraph()
        heading.paragraph_format.space_before = Pt(6)
        if not section.lines:
            run(heading, f"{section.title}：{NONE_TEXT}", "黑体")
            continue
        run(heading, section.heading, "黑体")
        for i, line in enumerate(section.lines, 1):
            item = doc.add_paragraph()
            item.paragraph_format.left_indent = Pt(14)
            run(item, f"{i}. {line}")
    run(doc.add_paragraph(), f"{LINK_LABEL}：{message.link}" if message.link else NO_LINK)
    run(doc.add_paragraph(), message.footer, size=11)
    doc.core_properties.title = _xml_text(message.title)
    doc.core_properties.author = "机关党建看板"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
