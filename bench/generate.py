"""Seeded generator of province-scale data for the benchmark, in the file shapes the loaders read.

    python bench/generate.py --scale M|L [--force]

Scales: S is the committed sample (``sample_data/``, nothing is generated); M = 1,000 branches and
20,000 members; L = 5,000 branches and 100,000 members. Each generated scale holds a year (2026, up
to 2026-11-20, like the sample) written under ``bench/generated/<scale>/`` (git-ignored):

- ``名册_2026.xlsx``: one committee-wide roster, title row, one header row, mixed date styles,
  names padded with U+3000 in some units, a note under the table;
- ``学习强国_2026-01.xlsx`` … ``-10``: monthly 学习强国 exports; ``学习强国_2026Q1.xlsx`` … ``Q3``:
  quarterly ones (one row per member on the platform: exactly as many rows as members), with the
  period in a title row (``统计时间：2026-07-01至2026-09-30`` or ``2026年7月1日-2026年9月30日``);
- ``组织生活台账_2026Q1.xlsx`` … ``Q4``: consolidated activity ledgers: title row, two-row header
  with ``参会情况`` merged over 应到/实到 and the other labels merged vertically, dates as Excel
  dates or text in four styles, numbers with units, name lists with mixed separators, blank rows
  between some units, a 填表人 line under the table;
- ``学习记录_2026-01.xlsx`` … ``-11``: study records, a month per file (自学 every month for
  nearly everyone; a quarter in one file would be 285,715 rows at L, over the importer's
  2,000,000-cell guard, and rejected).

Files are written with xlsxwriter's ``constant_memory`` mode (rows streamed to disk, inline strings),
two processes at a time. A ``manifest.json`` records the seed, counts and rows per file; a scale is
regenerated only when the manifest is missing, from an older generator version, or ``--force``.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "bench" / "generated"
SAMPLE_DIR = ROOT / "sample_data"
GENERATOR_VERSION = 4
SEED = 20260701
YEAR = 2026
DATA_END = date(2026, 11, 20)
XUEXI_MONTHS = range(1, 11)  # monthly exports Jan–Oct
XUEXI_QUARTERS = (1, 2, 3)  # quarterly exports of the ended quarters

SCALES = {
    "M": {"branches": 1_000, "members": 20_000},
    "L": {"branches": 5_000, "members": 100_000},
}
# The files each section of the benchmark measures, per scale.
BENCH_FILES = {
    "S": {"xuexi": "学习强国_2026Q3.xlsx", "activity": "组织生活台账_市财政局_2026下半年.xlsx"},
    "M": {"xuexi": "学习强国_2026Q3.xlsx", "activity": "组织生活台账_2026Q3.xlsx"},
    "L": {"xuexi": "学习强国_2026Q3.xlsx", "activity": "组织生活台账_2026Q3.xlsx"},
}

CITIES = ("江城 临川 安平 青州 云阳 丰泽 南溪 北岭 东湖 西山 昌宁 永和 长乐 清源 兴安 宁远 庆丰 汉川 "
          "白河 龙泉 瑞金 金华 玉溪 文昌 通化 泰和 嘉禾 华阳 广德 新城 武陵 石门").split()
DEPARTMENTS = ("财政局 发改委 教育局 卫健委 自然资源局 住建局 交通运输局 商务局 人社局 民政局 司法局 审计局 "
               "统计局 生态环境局 农业农村局 水利局 文旅局 应急管理局 市场监管局 医保局 林业局 科技局 "
               "工信局 公安局 税务局 档案局 信访局 机关事务局 退役军人事务局 体育局 国资委 供销社 "
               "气象局 地震局 粮食和储备局 城管局 行政审批局 数据局 乡村振兴局 外事办").split()
CN_NUMBERS = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
            "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")
GIVEN = ("伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 斌 鹏 浩 凯 峰 亮 俊 毅 建华 志强 晓东 海涛 国庆 文博 子轩 宇航 "
         "振华 立新 永刚 春生 德明 建军 卫东 学军 宏伟 晓峰 文杰 俊杰 浩然 志远 家豪 天宇 鸿飞 明辉 海峰 建平 "
         "芳 娜 敏 静 丽 艳 娟 霞 婷 雪 琳 慧 颖 倩 欣 洁 燕 萍 秀英 桂英 海燕 晓红 丽华 雅琴 婷婷 思雨 雨婷 "
         "欣怡 佳琪 梦瑶 晓丽 春燕 玉兰 淑华 丽娟 文静 晓燕 秋菊 红梅 美玲 雪梅 晓琳 佳怡 诗涵 嘉欣 心怡").split()
GROUPS = ("第一党小组", "第二党小组", "第三党小组")
TOPICS = {
    "支部党员大会": ["传达学习上级会议精神", "审议支部年度工作计划", "通报党费收缴情况", "预备党员转正表决"],
    "支部委员会": ["研究部署本月党建工作", "研究发展党员工作", "研究主题党日活动方案", "分析党员思想状况"],
    "党小组会": ["学习《中国共产党纪律处分条例》", "交流学习体会", "讨论支部工作建议"],
    "党课": ["《党章中的新时代党的组织生活》", "严守纪律规矩 永葆清廉本色", "学习贯彻党的创新理论"],
    "主题党日": ["“我为群众办实事”主题党日", "走进革命历史纪念馆 重温入党誓词", "“送温暖进社区”联合主题党日"],
    "集中学习": ["学习习近平总书记重要讲话精神", "学习《中国共产党支部工作条例》", "学习党的二十届四中全会精神"],
    "警示教育": ["观看警示教育片", "以案促改警示教育会"],
    "组织生活会": ["年度组织生活会"],
    "民主评议党员": ["年度民主评议党员"],
}
TYPE_WRITTEN = {
    "支部党员大会": ["支部党员大会", "党员大会"],
    "支部委员会": ["支委会", "支部委员会", "支委会会议"],
    "党小组会": ["党小组会", "党小组会议"],
    "党课": ["党课", "专题党课"],
    "主题党日": ["主题党日", "主题党日活动"],
    "集中学习": ["集中学习", "集中理论学习"],
}
SELF_STUDY = ["《习近平谈治国理政》第五卷", "《中国共产党章程》", "《中国共产党纪律处分条例》",
              "《中国共产党简史》", "学习强国专题学习"]
# Per quality profile: (学习强国 points a day, share of meetings a member misses, share of those
# absences without leave, chance a member skips a month's 自学).
PROFILES = {"M": (35.0, 0.035, 0.15, 0.004), "m": (28.0, 0.075, 0.35, 0.02),
            "L": (15.0, 0.15, 0.5, 0.1)}
LEDGER_HEADERS = {
    "A": ["序号", "日期", "党支部", "活动类型", "主题", "党小组", "主讲人", ("参会情况", ["应到人数", "实到人数"]),
          "缺席人员", "请假人员", "天数", "备注"],
    "B": ["序号", "召开时间", "支部名称", "会议类型", "会议主题", "党小组", "主讲人", ("参会情况", ["应到", "实到"]),
          "缺席", "请假", "天数", "备注"],
}


@dataclass
class Branch:
    index: int
    name: str
    unit: str
    unit_org: str
    retired: bool
    profile: str
    date_style: str
    members: list[int] = field(default_factory=list)  # member indexes
    groups: tuple[str, ...] = ()


@dataclass
class Committee:
    """The generated organisation: columns of plain lists, one entry per member."""

    branches: list[Branch]
    name: list[str]
    branch: list[int]
    role: list[str]
    group: list[str | None]
    join: list[date]
    code: list[str | None]
    xuexi_mode: list[str]  # normal / low / never / inactive / missing
    xuexi_factor: list[float]
    padded_units: set[str]


def month_end(month: int) -> date:
    return date(YEAR, month, calendar.monthrange(YEAR, month)[1])


def quarter_months(q: int) -> list[int]:
    return [3 * q - 2, 3 * q - 1, 3 * q]


def _workdays(month: int) -> list[date]:
    last = min(month_end(month), DATA_END)
    return [date(YEAR, month, d) for d in range(1, last.day + 1)
            if date(YEAR, month, d).weekday() < 5] if date(YEAR, month, 1) <= DATA_END else []


WORKDAYS = {m: _workdays(m) for m in range(1, 13)}


# --------------------------------------------------------------------------------------------
# The organisation


def build_committee(scale: str, seed: int = SEED) -> Committee:
    """Branches, units and members of ``scale`` (deterministic for a seed)."""
    n_branches, n_members = SCALES[scale]["branches"], SCALES[scale]["members"]
    rng = random.Random(f"{seed}:{scale}:org")
    units = [c + "市" + d for c in CITIES for d in DEPARTMENTS]
    rng.shuffle(units)
    branches: list[Branch] = []
    unit_i = 0
    while len(branches) < n_branches:
        unit = units[unit_i]
        unit_i += 1
        org = unit + rng.choice(["机关党委", "机关党委", "党总支"])
        style = rng.choice(["excel", "excel", "excel", "slash", "cn", "dot", "iso"])
        n = min(rng.randint(3, 8), n_branches - len(branches))
        for k in range(n):
            retired = k == n - 1 and n >= 4 and rng.random() < 0.5
            suffix = "离退休干部党支部" if retired else f"第{CN_NUMBERS[k]}党支部"
            profile = rng.choices("MmL", weights=(25, 55, 20))[0]
            branches.append(Branch(len(branches), unit + suffix, unit, org, retired, profile, style))
    # Sizes: 5–35 members, then nudged until they add up to the scale's member count.
    sizes = [rng.randint(5, 35) for _ in branches]
    diff = n_members - sum(sizes)
    while diff:
        i = rng.randrange(len(sizes))
        step = 1 if diff > 0 else -1
        if 5 <= sizes[i] + step <= 45:
            sizes[i] += step
            diff -= step
    coded_units = {u for u in {b.unit for b in branches} if rng.random() < 0.4}
    padded_units = {u for u in {b.unit for b in branches} if rng.random() < 0.3}

    names, branch_of, roles, groups, joins, codes, modes, factors = [], [], [], [], [], [], [], []
    for br, size in zip(branches, sizes):
        if size >= 25:
            br.groups = GROUPS[: 3 if size >= 30 else 2]
        seen: set[str] = set()
        for i in range(size):
            while True:  # no two members of one branch share a name (the sample tests that case)
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                if name not in seen:
                    seen.add(name)
                    break
            br.members.append(len(names))
            names.append(name)
            branch_of.append(br.index)
            roles.append("书记" if i == 0 else "副书记" if i == 1 and size >= 15 else
                         "委员" if i <= (4 if size >= 20 else 3) else "党员")
            groups.append(br.groups[i % len(br.groups)] if br.groups else None)
            year = rng.randint(1968, 1996) if br.retired else rng.randint(1992, 2025)
            month = rng.randint(1, 12)
            joins.append(date(year, month, rng.randint(1, 28)))
            codes.append(f"{53000000 + len(names):08d}" if br.unit in coded_units else None)
            r = rng.random()
            modes.append("normal" if r < 0.87 else "low" if r < 0.92 else "never" if r < 0.95
                         else "inactive" if r < 0.98 else "missing")
            factors.append(rng.uniform(0.85, 1.15))
    return Committee(branches, names, branch_of, roles, groups, joins, codes, modes, factors,
                     padded_units)


def _shown_name(c: Committee, m: int) -> str:
    name = c.name[m]
    if c.branches[c.branch[m]].unit in c.padded_units and len(name) == 2:
        return name[0] + "\u3000" + name[1]
    return name


def _date_cell(rng: random.Random, d: date, style: str):
    """A date as an office writes it: a real Excel date, or text in one of the common styles."""
    if rng.random() < 0.15:
        style = rng.choice(["excel", "slash", "dot", "cn"])
    if style == "excel":
        return d
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def _join_names(rng: random.Random, names: list[str]) -> str:
    seps = ("、", "、", "、", "，", ",", ";", "；")
    return "".join((rng.choice(seps) if i else "") + n for i, n in enumerate(names))


# --------------------------------------------------------------------------------------------
# Writing


class Sheet:
    """One streamed worksheet (xlsxwriter constant_memory): rows must be written top to bottom."""

    def __init__(self, path: Path, sheet_name: str, widths: list[int]):
        self.book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False,
            "strings_to_numbers": False,
        })
        self.book.set_properties({"author": "机关工委办公室", "created": datetime(2026, 11, 20, 9)})
        self.ws = self.book.add_worksheet(sheet_name)
        for i, w in enumerate(widths):
            self.ws.set_column(i, i, w)
        border = {"border": 1, "font_name": "宋体", "font_size": 10}
        self.title_fmt = self.book.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.head = self.book.add_format({**border, "bold": True, "align": "center", "bg_color": "#D9E1F2"})
        self.cell = self.book.add_format(border)
        self.date = self.book.add_format({**border, "num_format": "yyyy-mm-dd"})
        self.rows = 0  # data rows written

    def title(self, r: int, text: str, ncols: int) -> None:
        self.ws.merge_range(r, 0, r, ncols - 1, text, self.title_fmt)

    def note(self, r: int, text: str) -> None:
        self.ws.write_string(r, 0, text)

    def header(self, r: int, labels: list[str]) -> None:
        for c, label in enumerate(labels):
            self.ws.write_string(r, c, label, self.head)

    def two_row_header(self, r: int, labels: list) -> None:
        """``参会情况`` merged over its two sub-labels, every other label merged over both rows.
        merge_range pads every row of its area, which in constant_memory mode would flush the
        first row before it is complete: write the cells row by row and register the areas."""
        top, bottom, areas, c = [], [], [], 0
        for h in labels:
            if isinstance(h, tuple):
                top += [h[0], None]
                bottom += list(h[1])
                areas.append((r, c, r, c + 1))
                c += 2
            else:
                top.append(h)
                bottom.append(None)
                areas.append((r, c, r + 1, c))
                c += 1
        for row, values in ((r, top), (r + 1, bottom)):
            for col, v in enumerate(values):
                if v is None:
                    self.ws.write_blank(row, col, None, self.head)
                else:
                    self.ws.write_string(row, col, v, self.head)
        self.ws.merge.extend([list(a) for a in areas])

    def row(self, r: int, values: list) -> None:
        ws, cell = self.ws, self.cell
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v, cell)
            elif isinstance(v, date):
                ws.write_datetime(r, c, datetime(v.year, v.month, v.day), self.date)
            else:
                ws.write_number(r, c, v, cell)
        self.rows += 1

    def close(self) -> int:
        self.book.close()
        return self.rows


def write_roster(c: Committee, out: Path, seed: int) -> dict:
    rng = random.Random(f"{seed}:roster")
    headers = ["序号", "姓名", "性别", "上级党组织", "所在党支部", "支部类型", "党小组", "党内职务",
               "党员类型", "入党日期", "党员编号", "联系电话"]
    sheet = Sheet(out / "名册_2026.xlsx", "党员名册", [6, 10, 6, 24, 28, 9, 11, 9, 10, 14, 12, 14])
    sheet.title(0, f"全省机关党员名册（截至{YEAR}年6月30日）", len(headers))
    sheet.header(1, headers)
    r, n, prev_unit = 2, 0, None
    for br in c.branches:
        if prev_unit and br.unit != prev_unit and rng.random() < 0.05:
            r += 1  # a blank row where unit returns were pasted together
        prev_unit = br.unit
        for m in br.members:
            n += 1
            jd = c.join[m]
            join = jd if rng.random() < 0.8 else rng.choice([f"{jd.year}年{jd.month}月{jd.day}日",
                                                             f"{jd.year}.{jd.month}.{jd.day}"])
            sheet.row(r, [n, _shown_name(c, m), rng.choice("男女"), br.unit_org, br.name,
                          "离退休" if br.retired else "在职", c.group[m], c.role[m],
                          "预备党员" if rng.random() < 0.02 else "正式党员", join, c.code[m],
                          "1" + rng.choice("3589") + f"{rng.randrange(10**9):09d}"])
            r += 1
    sheet.note(r + 1, "注：党员编号以全国党员管理信息系统为准，未录入的单位暂空。")
    return {"file": "名册_2026.xlsx", "kind": "roster", "rows": sheet.close()}


def _department(c: Committee, br: Branch, variant: int) -> str:
    if variant == 0:
        return f"{br.unit_org},{br.name}"
    return f"全省机关工委/{br.unit_org}/{br.name}"


def xuexi_months(c: Committee, seed: int, months) -> dict[int, list[tuple]]:
    """Per month: (member index or None, name, department, activated, points, interval, daily).
    Each month has its own random stream, so any subset of months can be built on its own."""
    setup = random.Random(f"{seed}:xuexi")
    rates = [[PROFILES[br.profile if not br.retired else "m"][0] * (0.6 if br.retired else 1.0)
              * setup.uniform(0.9, 1.1) for _ in range(4)] for br in c.branches]
    dept_variant = [setup.random() < 0.3 for _ in c.branches]
    n_missing = sum(1 for mode in c.xuexi_mode if mode == "missing")
    out = {}
    for month in months:
        rng = random.Random(f"{seed}:xuexi:{month}")
        days = month_end(month).day
        q = (month - 1) // 3
        rows = []
        for m in range(len(c.name)):
            mode = c.xuexi_mode[m]
            if mode == "missing":
                continue
            b = c.branch[m]
            if mode in ("never", "inactive"):
                pts = 0
            else:
                rate = rates[b][q] * c.xuexi_factor[m] * (0.28 if mode == "low" else 1.0)
                pts = round(rate * days * rng.uniform(0.88, 1.12))
            interval = pts + (round(pts * rng.uniform(0, 0.04)) if pts else 0)
            daily = round(days * rng.uniform(0.5, 1.0)) if pts else 0
            br = c.branches[b]
            rows.append((m, c.name[m], _department(c, br, dept_variant[b]), mode != "inactive", pts,
                         interval, daily))
        # People still on the platform but on no roster (left, or never assigned): department 其他.
        for k in range(n_missing):
            pts = round(26 * days * rng.uniform(0.6, 1.2)) if k % 3 else 0
            name = SURNAMES[k % len(SURNAMES)] + GIVEN[(k // len(SURNAMES)) % len(GIVEN)]
            rows.append((None, name, "其他", True, pts, pts, round(days * 0.7) if pts else 0))
        out[month] = rows
    return out


def _xuexi_title(start: date, end: date, variant: int) -> str:
    if variant == 1:
        return f"{start.year}年{start.month}月{start.day}日-{end.year}年{end.month}月{end.day}日"
    return f"统计时间：{start.isoformat()}至{end.isoformat()}"


def write_xuexi(rows: list[tuple], start: date, end: date, file_name: str, out: Path,
                lead_line: bool, variant: int) -> dict:
    headers = ["序号", "姓名", "是否激活", "部门", "计入年度积分", "区间积分", "总积分", "每日一题"]
    sheet = Sheet(out / file_name, "学员详细数据", [6, 10, 9, 46, 12, 10, 10, 9])
    r = 0
    if lead_line:
        sheet.note(0, "学员 › 详细数据")
        r = 1
    sheet.note(r, _xuexi_title(start, end, variant))
    sheet.header(r + 1, headers)
    ordered = sorted(rows, key=lambda x: (x[2], -x[4]))
    base = 6000
    for i, (m, name, dept, active, pts, interval, daily) in enumerate(ordered, 1):
        total = base + interval * 4 + (m or 0) % 5000 if active else 0
        sheet.row(r + 1 + i, [i, name, "激活" if active else "未激活", dept, pts, interval, total, daily])
    return {"file": file_name, "kind": "xuexi", "rows": sheet.close(),
            "period": [start.isoformat(), end.isoformat()]}


def _sum_months(months: list[list[tuple]]) -> list[tuple]:
    acc: dict = {}
    for rows in months:
        for row in rows:
            key = (row[0], row[1]) if row[0] is not None else (None, row[1], row[2])
            if key in acc:
                a = acc[key]
                acc[key] = (*row[:4], a[4] + row[4], a[5] + row[5], a[6] + row[6])
            else:
                acc[key] = row
    return list(acc.values())


def plan_activities(c: Committee, q: int, seed: int) -> list[list]:
    """Ledger lines of quarter ``q`` for every branch, in branch order (unit by unit)."""
    rng = random.Random(f"{seed}:activity:{q}")
    months = [m for m in quarter_months(q) if WORKDAYS[m]]
    lines = []
    for br in c.branches:
        profile = br.profile if q != 4 or br.profile != "L" else "m"
        _, miss, unexcused, _ = PROFILES[profile]
        lo = {"M": 1.0, "m": 0.8, "L": 0.5}[profile]
        plan = [("支部党员大会", 1 if rng.random() < lo + 0.1 else 0),
                ("支部委员会", 3 if rng.random() < lo else 2),
                ("党课", 1 if rng.random() < lo + 0.1 else 0),
                ("主题党日", 3 if rng.random() < lo else 2),
                ("集中学习", 3 if rng.random() < lo else rng.randint(1, 2)),
                ("警示教育", 1 if rng.random() < 0.4 else 0)]
        if br.groups:
            plan.append(("党小组会", 3 * len(br.groups) if rng.random() < lo else 2 * len(br.groups)))
        if q == 4:
            plan += [("组织生活会", 1 if rng.random() < 0.6 else 0), ("民主评议党员", 1 if rng.random() < 0.5 else 0)]
        ms = br.members
        acts = []
        for kind, count in plan:
            for k in range(count):
                day = rng.choice(WORKDAYS[months[k % len(months)]])
                group = br.groups[k % len(br.groups)] if kind == "党小组会" else None
                if kind == "党小组会":
                    expected = [m for m in ms if c.group[m] == group]
                elif kind == "支部委员会":
                    expected = [m for m in ms if c.role[m] != "党员"]
                else:
                    expected = ms
                missing = [m for m in expected if rng.random() < miss]
                absent = [c.name[m] for m in missing if rng.random() < unexcused]
                leave = [c.name[m] for m in missing if c.name[m] not in absent]
                acts.append((day, kind, group, len(expected), len(expected) - len(missing), absent, leave))
        acts.sort(key=lambda a: a[0])
        for day, kind, group, expected, present, absent, leave in acts:
            written = rng.choice(TYPE_WRITTEN.get(kind, [kind]))
            speaker = c.name[ms[0]] if kind == "党课" else None
            exp_cell = expected if rng.random() < 0.9 else f"{expected}人"
            lines.append([br, _date_cell(rng, day, br.date_style), written, rng.choice(TOPICS[kind]),
                          group, speaker, exp_cell, present, _join_names(rng, absent),
                          _join_names(rng, leave)])
    return lines


def write_ledger(c: Committee, q: int, out: Path, seed: int) -> dict:
    rng = random.Random(f"{seed}:ledger-layout:{q}")
    file_name = f"组织生活台账_{YEAR}Q{q}.xlsx"
    sheet = Sheet(out / file_name, "组织生活台账", [5, 14, 28, 12, 34, 11, 10, 8, 8, 22, 18, 6, 10])
    sheet.title(0, f"{YEAR}年第{CN_NUMBERS[q - 1]}季度组织生活台账", 13)
    sheet.two_row_header(1, LEDGER_HEADERS["A" if q % 2 else "B"])
    r, seq, prev_unit = 3, 0, None
    for line in plan_activities(c, q, seed):
        br = line[0]
        if prev_unit and br.unit != prev_unit and rng.random() < 0.1:
            r += 1  # blank row between units
        prev_unit = br.unit
        seq += 1
        sheet.row(r, [seq, line[1], br.name, *line[2:], None, ""])
        r += 1
    sheet.note(r + 1, "填表人：张　伟        审核人：李　娜        填报日期：" + f"{YEAR}年{3 * q}月30日")
    return {"file": file_name, "kind": "activity", "rows": sheet.close()}


def write_study(c: Committee, month: int, out: Path, seed: int) -> dict:
    rng = random.Random(f"{seed}:study:{month}")
    file_name = f"学习记录_{YEAR}-{month:02d}.xlsx"
    headers = ["序号", "姓名", "所在支部", "日期", "学习形式", "学习内容", "学时"]
    sheet = Sheet(out / file_name, "学习记录", [6, 10, 28, 14, 10, 30, 8])
    sheet.title(0, f"{YEAR}年{month}月党员学习记录", len(headers))
    sheet.header(1, headers)
    months = [month]
    r, n = 2, 0
    for br in c.branches:
        skip = PROFILES[br.profile][3]
        for m in br.members:
            for month in months:
                if rng.random() < skip:
                    continue
                for _ in range(2 if rng.random() < 0.1 else 1):
                    n += 1
                    hours = rng.choice([1, 1.5, 2, 2])
                    sheet.row(r, [n, _shown_name(c, m), br.name,
                                  _date_cell(rng, rng.choice(WORKDAYS[month]), br.date_style), "自学",
                                  rng.choice(SELF_STUDY), hours if rng.random() < 0.8 else f"{hours:g}小时"])
                    r += 1
    return {"file": file_name, "kind": "study", "rows": sheet.close()}


# --------------------------------------------------------------------------------------------
# Jobs (two processes: each rebuilds the organisation from the seed, then writes its files)


def _job(scale: str, seed: int, out: str, task: tuple) -> list[dict]:
    c = build_committee(scale, seed)
    out_dir = Path(out)
    what = task[0]
    if what == "roster":
        return [write_roster(c, out_dir, seed)]
    if what == "ledger":
        return [write_ledger(c, task[1], out_dir, seed)]
    if what == "study":
        return [write_study(c, task[1], out_dir, seed)]
    if what == "xuexi":
        months = xuexi_months(c, seed, sorted({*task[1], *(m for q in task[2] for m in quarter_months(q))}))
        done = []
        for month in task[1]:
            done.append(write_xuexi(months[month], date(YEAR, month, 1), month_end(month),
                                    f"学习强国_{YEAR}-{month:02d}.xlsx", out_dir,
                                    lead_line=month in (2, 5), variant=1 if month in (7, 8, 9) else 0))
        for q in task[2]:
            rows = _sum_months([months[m] for m in quarter_months(q)])
            done.append(write_xuexi(rows, date(YEAR, 3 * q - 2, 1), month_end(3 * q),
                                    f"学习强国_{YEAR}Q{q}.xlsx", out_dir, lead_line=False,
                                    variant=0 if q != 2 else 1))
        return done
    raise ValueError(what)


def scale_dir(scale: str) -> Path:
    return SAMPLE_DIR if scale == "S" else GENERATED / scale


def manifest(scale: str, seed: int = SEED) -> dict | None:
    """The manifest of a generated scale (None when it is missing or stale)."""
    path = GENERATED / scale / "manifest.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("generator_version") != GENERATOR_VERSION or data.get("seed") != seed:
        return None
    if not all((path.parent / f["file"]).exists() for f in data["files"]):
        return None
    return data


def generate(scale: str, force: bool = False, seed: int = SEED, workers: int = 2) -> dict:
    """Write the files of ``scale`` (M or L) unless an up-to-date manifest says they exist."""
    if scale == "S":
        raise ValueError("S is the committed sample: sample_data/")
    existing = None if force else manifest(scale, seed)
    if existing:
        return existing
    out = GENERATED / scale
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.xlsx"):
        old.unlink()
    started = time.perf_counter()
    # Biggest jobs first so the two processes finish together.
    tasks = [("xuexi", [7, 8, 9], [3]), ("xuexi", [4, 5, 6], [2]), ("xuexi", [1, 2, 3], [1]),
             *(("study", m) for m in range(1, 13) if WORKDAYS[m]), ("roster",),
             ("ledger", 1), ("ledger", 2), ("ledger", 3), ("ledger", 4), ("xuexi", [10], [])]
    files: list[dict] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(_job, [scale] * len(tasks), [seed] * len(tasks), [str(out)] * len(tasks), tasks):
            files += done
    c = build_committee(scale, seed)
    data = {
        "scale": scale, "seed": seed, "generator_version": GENERATOR_VERSION,
        "branches": len(c.branches), "members": len(c.name),
        "files": sorted(files, key=lambda f: f["file"]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "manifest.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成基准测试数据（M、L 规模）")
    parser.add_argument("--scale", choices=("M", "L"), required=True)
    parser.add_argument("--force", action="store_true", help="即使已生成也重新生成")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    data = generate(args.scale, force=args.force, seed=args.seed)
    rows = sum(f["rows"] for f in data["files"])
    print(f"{args.scale}: {data['branches']} branches, {data['members']} members, "
          f"{len(data['files'])} files, {rows:,} rows in {data['seconds']} s → {GENERATED / args.scale}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
