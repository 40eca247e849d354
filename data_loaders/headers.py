"""Which kind of spreadsheet is this, and where is its header?

Each kind lists its canonical fields with the header labels seen in practice (first label = the
one named in messages). The header is found by scoring the first rows of a sheet against these
labels, so title rows above it and two-row headers with merged cells are handled: a column's
label is the most specific known label among its header cells (the lowest one), and for a
group label merged across columns (``参会情况`` over ``应到人数 | 实到人数``) the value the reader
gives only for the top-left cell is carried right, to build combined labels (``应到`` + ``人数``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from data_loaders.schema import KINDS
from domain.vocabulary import ACTIVITY_TYPES
from data_loaders.text import label_key, label_keys

SNIFF_ROWS = 40  # the header must start within the first rows of a sheet
MAX_HEADER_DEPTH = 3

FIELD_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "roster": {
        "name": ("姓名", "党员姓名"),
        "branch": ("所在支部", "所在党支部", "支部", "党组织名称", "党支部", "支部名称", "党支部名称",
                   "所在党组织"),
        "unit": ("单位党组织", "单位", "所属单位", "上级党组织", "机关党委", "党总支", "所属机关党委",
                 "所属党总支", "工作单位", "所在单位"),
        "group": ("党小组", "所在党小组"),
        "branch_type": ("支部类型", "人员类别"),
        "category": ("党员类型", "党籍状态", "党员类别"),
        "member_code": ("党员编号", "工号", "学工号", "学习强国ID", "userId", "编号"),
        "join_date": ("入党日期", "入党时间", "加入党组织日期", "加入党组织时间", "入党年月"),
        "role": ("党内职务", "支部职务"),
        "status": ("人员状态", "状态", "党员状态"),
        "phone": ("联系电话", "手机号", "手机号码", "电话", "手机"),
        "id_number": ("身份证号", "身份证号码", "公民身份号码"),
        "transfer_in": ("转入日期", "转入时间", "组织关系转入时间", "组织关系转入日期"),
        "transfer_out": ("转出日期", "转出时间", "组织关系转出时间", "组织关系转出日期"),
    },
    "xuexi": {
        "name": ("姓名", "学员姓名", "成员姓名"),
        "department": ("部门", "所在部门", "所属组织", "部门名称"),
        "activated": ("是否激活", "激活状态"),
        "points": ("计入年度积分", "年度积分"),
        "interval_points": ("区间积分",),
        "total_points": ("总积分", "累计积分"),
        "daily_question": ("每日一题", "每日一题得分"),
        "active_days": ("活跃天数",),
        "member_code": ("学习强国ID", "userId", "用户ID"),
    },
    "activity": {
        "branch": ("党支部", "所在支部", "支部名称", "支部", "所在党支部", "党组织名称", "党支部名称"),
        "date": ("日期", "时间", "活动时间", "召开时间", "活动日期", "会议时间", "会议日期", "开展时间",
                 "召开日期", "实际会议时间", "实际召开时间", "实际开展时间", "实际活动时间", "会议召开时间"),
        "type": ("活动类型", "类型", "会议类型", "活动类别", "类别"),
        "topic": ("主题", "内容", "会议主题", "活动主题", "活动内容", "会议内容", "议题"),
        "expected": ("应到人数", "应到", "应参会人数", "应到会人数", "应参加人数"),
        "present": ("实到人数", "实到", "实际参会人数", "参会人数", "实到会人数", "参加人数", "实际参加人数"),
        "absent": ("缺席人员", "缺席", "缺席人员名单", "缺席人员姓名", "缺席人员及原因", "缺席人员及缺席原因",
                   "缺席人员及事由"),
        "on_leave": ("请假人员", "请假", "请假人员名单", "请假人员姓名", "请假人员及原因", "请假人员及事由"),
        "group": ("党小组",),
        "speaker": ("主讲人", "授课人", "讲课人", "讲授人", "主讲"),
        "days": ("天数",),
    },
    "activity_counts": {
        "branch": ("党支部", "支部名称", "所在支部", "支部", "党支部名称"),
        "period": ("月份", "季度", "期间", "统计期间", "月度"),
        "expected": ("应到人次", "应到人数", "应参加人次"),
        "present": ("实到人次", "实到人数", "实参加人次"),
    },
    "study": {
        "name": ("姓名",),
        "branch": ("所在支部", "党支部", "支部", "所在党支部", "支部名称"),
        "date": ("日期", "学习日期", "学习时间", "时间"),
        "form": ("学习形式", "形式", "学习方式", "学习类型"),
        "content": ("学习内容", "内容", "学习主题", "主题"),
        "hours": ("学时", "时长", "学习时长"),
        "score": ("成绩", "得分", "分数", "测试成绩"),
    },
    "records": {
        "category": ("类别", "类型", "记录类别", "记录类型"),
        "title": ("名称", "内容", "称号", "题目", "标题", "荣誉名称", "文章题目"),
        "date": ("日期", "时间", "发表时间", "发表日期", "表彰时间", "录用时间"),
        "branch": ("所在支部", "党支部", "部门", "支部"),
        "person": ("姓名", "人员", "获奖人", "作者"),
        "level": ("级别", "层级"),
        "quantity": ("数量", "天数", "篇数", "个数"),
        "measure": ("防范措施", "防控措施"),
    },
    "targets": {
        "indicator": ("指标", "指标名称", "考核指标", "考核项目"),
        "branch_type": ("支部类型", "适用支部"),
        "period_kind": ("期间", "考核期间", "周期", "考核周期"),
        "target": ("目标值", "目标", "目标数"),
        "weight": ("权重",),
        "quarter": ("季度",),
    },
}

# Labels that name a field only when no column has a stronger label for it, else the second field:
# a 三会一课 sheet's 活动名称 is the activity type, unless a 会议类型 column says that, then the topic.
WEAK_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "activity": {"活动名称": ("type", "topic"), "会议名称": ("type", "topic")},
}
# A date column headed with these is a plan (计划会议时间), never the date something happened.
PLANNED_WORDS = ("计划", "预计", "拟")
DATE_FIELDS = {"date", "join_date", "transfer_in", "transfer_out"}

# Each entry is a group of alternatives; one of them must be present. activity_counts also needs
# at least one activity-type column and a period (column or title), checked separately.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "roster": (("name",), ("branch",)),
    "xuexi": (("name",), ("points", "interval_points")),
    "activity": (("branch",), ("date",), ("type",)),
    "activity_counts": (("branch",),),
    "study": (("name",), ("branch",), ("date",), ("form",)),
    "records": (("category",), ("date",)),
    "targets": (("indicator",), ("target",)),
}

# Among equal scores the earlier kind wins: records' labels (类型, 内容, 时间) are the most generic.
KIND_PRIORITY = ("roster", "xuexi", "activity_counts", "activity", "study", "targets", "records")
TYPE_FIELD = "type:"  # pseudo-field prefix of activity_counts' per-type count columns


def _activity_type_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for canonical, synonyms in ACTIVITY_TYPES.items():
        for label in (canonical, *synonyms):
            key = label_key(label)
            for variant in (key, key + "次数", key + "数"):
                labels.setdefault(variant, canonical)
    return labels


TYPE_COLUMN_LABELS = _activity_type_labels()

_LOOKUP: dict[str, dict[str, str]] = {
    kind: {label_key(label): name for name, labels in fields.items() for label in labels}
    for kind, fields in FIELD_LABELS.items()
}
_WEAK_LOOKUP: dict[str, dict[str, tuple[str, str]]] = {
    kind: {label_key(label): fields for label, fields in labels.items()} for kind, labels in WEAK_LABELS.items()
}
for _key, _canonical in TYPE_COLUMN_LABELS.items():
    _LOOKUP["activity_counts"].setdefault(_key, TYPE_FIELD + _canonical)


def field_label(kind: str, name: str) -> str:
    """The label used in messages for a canonical field (its first alias)."""
    return FIELD_LABELS[kind][name][0]


@dataclass
class HeaderMatch:
    """Where one kind's header sits in a sheet and which column holds which field."""

    kind: str
    top: int  # position (0-based, in the grid) of the first header row
    depth: int  # number of header rows
    columns: dict[str, int] = field(default_factory=dict)  # field → column position
    labels: dict[str, str] = field(default_factory=dict)  # field → header as written
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (field, header) ignored
    missing: list[tuple[str, ...]] = field(default_factory=list)  # required groups not found
    merged: bool = False  # the header rows are tied together by merged cells
    constants: dict[str, str] = field(default_factory=dict)  # field → value for every row (from the title)
    weak: set[str] = field(default_factory=set)  # fields found under a weak label (活动名称)

    @property
    def score(self) -> int:
        return len(self.columns)

    @property
    def type_columns(self) -> list[tuple[str, int, str]]:
        """activity_counts: (canonical type, column, header as written), in column order."""
        found = [
            (name[len(TYPE_FIELD):], col, self.labels[name])
            for name, col in self.columns.items()
            if name.startswith(TYPE_FIELD)
        ]
        return sorted(found, key=lambda item: item[1])

    @property
    def complete(self) -> bool:
        if self.missing:
            return False
        return self.kind != "activity_counts" or bool(self.type_columns)

    @property
    def data_start(self) -> int:
        return self.top + self.depth

    def rank(self) -> tuple:
        return (self.complete, self.score, self.merged, -self.depth, -self.top,
                -KIND_PRIORITY.index(self.kind))


class _SniffedRows:
    """The first rows of a sheet as label keys, computed once for all kinds and blocks."""

    def __init__(self, grid: pd.DataFrame):
        head = grid.iloc[:SNIFF_ROWS]
        self.texts: list[list[str | None]] = [
            [None if pd.isna(v) else str(v).strip() or None for v in row]
            for row in head.itertuples(index=False, name=None)
        ]
        self.keys: list[list[list[str]]] = [
            [label_keys(v) if v else [] for v in row] for row in self.texts
        ]
        # Nearest non-empty cell at or left of each column: a merged group label's value.
        self.carried: list[list[str | None]] = []
        for row in self.texts:
            last = None
            carried = []
            for value in row:
                last = value or last
                carried.append(last)
            self.carried.append(carried)

    def block(self, top: int, depth: int) -> list[tuple[int, list[tuple[int, list[str], str]]]]:
        """For each non-empty column of a header block: its candidate labels, most specific first,
        as (specificity, lookup keys, header as written). A cell's specificity is its row in the
        block (lower = more specific); the upper cells joined with the lowest one rank highest."""
        rows = range(top, top + depth)
        columns = []
        for col in range(len(self.texts[top])):
            own = [self.texts[r][col] for r in rows]
            if not any(own):
                continue
            found = [(i, self.keys[r][col], self.texts[r][col])
                     for i, r in reversed(list(enumerate(rows))) if self.texts[r][col]]
            if depth > 1:
                parts = [own[i] or (self.carried[r][col] if any(own[i + 1:]) else None)
                         for i, r in enumerate(rows)]
                parts = [p for p in parts if p]
                if len(parts) > 1:
                    joined = "".join(parts)
                    found.insert(0, (depth, label_keys(joined), joined))
            columns.append((col, found))
        return columns


def _match_block(block: list[tuple[int, list[tuple[int, list[str], str]]]], kind: str, top: int,
                 depth: int) -> HeaderMatch:
    lookup = _LOOKUP[kind]
    weak_lookup = _WEAK_LOOKUP.get(kind, {})
    match = HeaderMatch(kind=kind, top=top, depth=depth)
    specificity: dict[str, int] = {}
    weak: list[tuple[int, str, tuple[str, str]]] = []
    for col, candidates in block:
        for level, keys, written in candidates:
            name = next((lookup[k] for k in keys if k in lookup), None)
            if name in DATE_FIELDS and any(word in written for word in PLANNED_WORDS):
                name = None  # 计划会议时间: when it was planned, not held
            if name is None:
                fields = next((weak_lookup[k] for k in keys if k in weak_lookup), None)
                if fields is not None:
                    weak.append((col, written, fields))
                    break
                continue
            if name not in match.columns or level > specificity[name]:
                # ``缺席`` over ``人数 | 人员``: 缺席人员 beats the 人数 column's bare 缺席.
                match.columns[name] = col
                match.labels[name] = written
                specificity[name] = level
            elif level == specificity[name]:
                match.duplicates.append((name, written))
            break
    for col, written, fields in weak:  # only where no stronger label claimed the field
        name = next((f for f in fields if f not in match.columns), None)
        if name is None:
            match.duplicates.append((fields[-1], written))
            continue
        match.columns[name] = col
        match.labels[name] = written
        if name == fields[0]:
            match.weak.add(name)
    match.missing = [group for group in REQUIRED[kind] if not any(n in match.columns for n in group)]
    return match


_DATA_LIKE_RE = re.compile(r"[\d\s.,:/\-年月日号%]+")


def _merged_block(sniffed: _SniffedRows, top: int, depth: int,
                  merged_ranges: Callable[[], list[tuple[int, int, int, int]]]) -> bool:
    """Whether merged cells tie every row of the block to the next: a label merged down into the
    next row (``日期`` over two rows), or a group label merged across columns with sub-labels
    under it (``缺席`` over ``人数 | 人员``). Only this tells a sub-header row from a data row
    when both read as text. Merges are only looked up for blocks that could be headers."""
    rows = range(top, top + depth)
    for r in rows[:-1]:
        if sum(1 for v in sniffed.texts[r] if v) < 2:  # a title line, not a header row
            return False
    for r in rows[1:]:
        if any(v and _DATA_LIKE_RE.fullmatch(v) for v in sniffed.texts[r]):  # numbers, dates: data
            return False
    merges = merged_ranges()
    for r in rows[:-1]:
        below = sniffed.texts[r + 1]
        linked = any(
            (r1 <= r < r2)
            or (r1 == r2 == r and c2 > c1 and any(below[c] for c in range(max(c1, 0), min(c2 + 1, len(below)))))
            for r1, c1, r2, c2 in merges
        )
        if not linked:
            return False
    return True


def find_headers(grid: pd.DataFrame, kinds: tuple[str, ...] = KINDS,
                 merged_ranges: Callable[[], list[tuple[int, int, int, int]]] | None = None,
                 ) -> dict[str, HeaderMatch]:
    """The best header of each kind in a sheet (kinds with no known label at all are left out).

    ``merged_ranges`` gives the sheet's merged cells (grid positions) on demand; it settles
    whether a second header row is a sub-header or the first data row when labels cannot.
    """
    if grid.empty:
        return {}
    sniffed = _SniffedRows(grid)
    best: dict[str, HeaderMatch] = {}
    for top in range(len(sniffed.texts)):
        if not any(sniffed.texts[top]):
            continue
        for depth in range(1, MAX_HEADER_DEPTH + 1):
            if top + depth > len(sniffed.texts) or not any(sniffed.texts[top + depth - 1]):
                break
            if depth > 1 and any(v and _DATA_LIKE_RE.fullmatch(v) for v in sniffed.texts[top + depth - 1]):
                break  # numbers or dates under the header: the first data row, not a sub-header
            block = sniffed.block(top, depth)
            merged: bool | None = None
            for kind in kinds:
                match = _match_block(block, kind, top, depth)
                if not match.score:
                    continue
                if (depth > 1 and merged_ranges is not None and kind in best
                        and (match.complete, match.score) == (best[kind].complete, best[kind].score)):
                    if merged is None:
                        merged = _merged_block(sniffed, top, depth, merged_ranges)
                    match.merged = merged
                if kind not in best or match.rank() > best[kind].rank():
                    best[kind] = match
    return best


def header_texts(grid: pd.DataFrame) -> list[str]:
    """The most header-like row of a sheet, as written (for 'unrecognised file' messages)."""
    sniffed = _SniffedRows(grid)
    counts = [sum(1 for v in row if v) for row in sniffed.texts]
    if not counts or max(counts) == 0:
        return []
    threshold = max(2, (max(counts) * 3 + 4) // 5) if max(counts) > 1 else 1
    row = next(i for i, n in enumerate(counts) if n >= threshold)
    return [v for v in sniffed.texts[row] if v]
