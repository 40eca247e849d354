"""Generate the sample data set of the party-building dashboard (市直机关工委, year 2026).

Run ``python sample_data/make_sample.py``. Output goes next to this script. The generator is
seeded and deterministic: two runs give byte-identical files (xlsx zip entries and document
properties carry fixed timestamps; xls and csv have none).

The data describe a committee of 15 units, 30 branches (3 离退休) and 600 members, for 2026 up to
2026-11-20 (Q1–Q3 complete, Q4 in progress). Branches follow a quality profile per quarter so the
rankings are interesting: ``M`` model (score ≥ 90), ``m`` middle, ``L`` lagging (score < 75).

Everything is built in memory first (``build_sample``), then written by one function per file
kind (``write_*``). See README.md beside this file for what each file exercises.
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
import random

import xlsxwriter
import xlwt
from xlsxwriter.utility import xl_rowcol_to_cell

OUT_DIR = Path(__file__).resolve().parent
SEED = 20260101
YEAR = 2026
DATA_END = date(2026, 11, 20)  # nothing is recorded after this day
ROSTER_DATE = date(2026, 6, 30)
FIXED_TIMESTAMP = datetime(2026, 11, 20, 9, 0, 0)  # document properties of every xlsx
AUTHOR = "市直机关工委办公室"

COMMITTEE = "市直机关工委"
# Committee leaders who give 党课 in branches; they are not branch members.
LEADER_SPEAKERS = ["工委书记 王建国", "工委副书记 陈志华", "纪监工委书记 刘洪涛"]

# unit, party organisation of the unit, member-code prefix (None: the unit keeps no 党员编号),
# how the unit keeps its organisation life: "ledger" (组织生活台账) or "counts" (统计表)
UNITS = [
    ("市财政局", "机关党委", "1301", "ledger"),
    ("市发改委", "机关党委", "1302", "ledger"),
    ("市教育局", "机关党委", None, "ledger"),
    ("市卫健委", "机关党委", "1304", "ledger"),
    ("市自然资源局", "机关党委", None, "ledger"),
    ("市住建局", "机关党委", None, "ledger"),
    ("市交通运输局", "党总支", None, "ledger"),
    ("市商务局", "党总支", None, "counts"),
    ("市人社局", "党总支", "1309", "counts"),
    ("市民政局", "党总支", None, "ledger"),
    ("市司法局", "党总支", None, "ledger"),
    ("市审计局", "党总支", "1312", "ledger"),
    ("市统计局", "党总支", None, "counts"),
    ("市生态环境局", "党总支", None, "ledger"),
    ("市农业农村局", "党总支", None, "ledger"),
]

# unit, branch suffix, members on the 2026-06-30 roster, profile for Q1..Q4
# (M model, m middle, L lagging). 600 members in all; branches with ≥ 25 members have 党小组.
BRANCHES = [
    ("市财政局", "第一党支部", 30, "MMMM"),
    ("市财政局", "第二党支部", 26, "mmmm"),
    ("市财政局", "第三党支部", 18, "mmmm"),
    ("市财政局", "离退休干部党支部", 28, "mmmm"),
    ("市发改委", "第一党支部", 27, "MMMM"),
    ("市发改委", "第二党支部", 24, "mmmm"),
    ("市发改委", "第三党支部", 15, "mmmm"),
    ("市教育局", "第一党支部", 28, "MMMM"),
    ("市教育局", "第二党支部", 20, "mmmm"),
    ("市教育局", "离退休干部党支部", 23, "mmmm"),
    ("市卫健委", "第一党支部", 25, "MMMM"),
    ("市卫健委", "第二党支部", 22, "mmmm"),
    ("市自然资源局", "第一党支部", 23, "mmmm"),
    ("市自然资源局", "第二党支部", 16, "mmmm"),
    ("市住建局", "第一党支部", 24, "mmmm"),
    ("市住建局", "第二党支部", 18, "mmLL"),  # declines after Q2
    ("市住建局", "离退休干部党支部", 19, "mmmm"),
    ("市交通运输局", "第一党支部", 21, "mmmm"),
    ("市交通运输局", "第二党支部", 15, "LLLL"),
    ("市商务局", "第一党支部", 17, "mmmm"),
    ("市商务局", "第二党支部", 13, "LLLL"),
    ("市人社局", "第一党支部", 21, "MMMM"),
    ("市人社局", "第二党支部", 15, "mmmm"),
    ("市民政局", "机关党支部", 18, "Lmmm"),  # improves after the Q1 inspection
    ("市司法局", "第一党支部", 17, "mmmm"),
    ("市司法局", "第二党支部", 14, "LLLL"),
    ("市审计局", "机关党支部", 16, "MMMM"),
    ("市统计局", "机关党支部", 11, "mmmm"),
    ("市生态环境局", "机关党支部", 15, "mmmm"),
    ("市农业农村局", "机关党支部", 21, "LLLL"),
]

GROUP_NAMES = ["第一党小组", "第二党小组", "第三党小组"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
MALE_GIVEN = (
    "伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 斌 鹏 浩 凯 峰 亮 俊 毅 建华 志强 晓东 海涛 国庆 文博 子轩 宇航 "
    "振华 立新 永刚 春生 德明 建军 卫东 学军 宏伟 晓峰 文杰 俊杰 浩然 志远 家豪 天宇 鸿飞 明辉 海峰 建平 "
    "正阳 思远 国栋 志刚 成林 永康 书华 晨阳 梓豪 一鸣"
).split()
FEMALE_GIVEN = (
    "芳 娜 敏 静 丽 艳 娟 霞 婷 雪 琳 慧 颖 倩 欣 洁 燕 萍 秀英 桂英 海燕 晓红 丽华 雅琴 婷婷 思雨 雨婷 "
    "欣怡 佳琪 梦瑶 晓丽 春燕 玉兰 淑华 丽娟 文静 晓燕 秋菊 红梅 美玲 雪梅 晓琳 佳怡 诗涵 嘉欣 心怡 "
    "舒婷 慧敏 亚楠 晓雯"
).split()

# Names that must not come out of the random generator: committee leaders, the deliberate
# duplicates, and the deliberate names that are on no roster.
DUPLICATE_NAME = "张伟"  # one in 市财政局第二党支部, one in 市教育局第一党支部
AMBIGUOUS_NAME = "王磊"  # two members of 市司法局第一党支部
TYPO_NAME = "张玮"  # written in a 缺席人员 cell of 市财政局第二党支部 (meant 张伟)
UNMATCHED_XUEXI = [("周晓明", "其他"), ("郑雨欣", "市发改委机关党委,市发改委第二党支部")]
UNMATCHED_STUDY = "李明明"  # a 自学 row in 市生态环境局 for someone not on the roster
RESERVED_NAMES = {"王建国", "陈志华", "刘洪涛", DUPLICATE_NAME, AMBIGUOUS_NAME, TYPO_NAME,
                  "周晓明", "郑雨欣", UNMATCHED_STUDY, "钱晓红"}
TRANSFER_IN_NAME = "钱晓红"  # joins 市卫健委第二党支部 in October (only on the later roster)

# Public holidays of 2026 (no meetings): New Year, Spring Festival, Qingming, Labour Day,
# Dragon Boat, Mid-Autumn + National Day.
HOLIDAYS = [
    (date(2026, 1, 1), date(2026, 1, 3)), (date(2026, 2, 14), date(2026, 2, 23)),
    (date(2026, 4, 4), date(2026, 4, 6)), (date(2026, 5, 1), date(2026, 5, 5)),
    (date(2026, 6, 19), date(2026, 6, 21)), (date(2026, 9, 25), date(2026, 10, 8)),
]

TOPICS = {
    "支部党员大会": ["传达学习上级会议精神", "审议支部年度工作计划", "通报党费收缴情况", "预备党员转正表决",
                 "传达全面从严治党工作会议精神", "讨论接收预备党员"],
    "支部委员会": ["研究部署本月党建工作", "研究发展党员工作", "研究主题党日活动方案", "分析党员思想状况",
                 "研究党员积分评定", "研究督查问题整改"],
    "党小组会": ["学习《中国共产党纪律处分条例》", "交流学习体会", "讨论支部工作建议", "开展批评与自我批评",
              "学习习近平总书记重要讲话精神"],
    "党课": ["《党章中的新时代党的组织生活》", "以学铸魂 以学增智 以学正风 以学促干", "严守纪律规矩 永葆清廉本色",
            "弘扬伟大建党精神", "做“开口能讲、问策能对、提笔能写”的五能型干部", "学习贯彻党的创新理论"],
    "主题党日": ["“我们的国歌”主题党日", "“寻记忆、初心映山红”主题党日", "走进革命历史纪念馆 重温入党誓词",
              "“送温暖进社区”联合主题党日", "“两在两同”建新功主题党日", "“我为群众办实事”主题党日",
              "庆祝建党105周年主题党日"],
    "集中学习": ["学习习近平总书记重要讲话精神", "学习《习近平谈治国理政》第五卷", "学习省市党代会精神",
              "学习《中国共产党支部工作条例》", "学习党的二十届四中全会精神", "学习“十五五”规划纲要"],
    "警示教育": ["观看警示教育片", "以案促改警示教育会", "到廉政教育基地开展现场教学", "学习违纪违法典型案例通报"],
    "谈心谈话": ["支部书记与党员谈心谈话", "支委与党员开展谈心谈话"],
    "志愿服务": ["“关爱有‘家’”志愿服务", "文明城市创建志愿服务", "“送文化进社区”志愿服务", "结对帮扶村农家书屋建设"],
    "廉情分析会": ["季度廉情分析会"],
    "政治生日": ["为党员过政治生日"],
}

SELF_STUDY_CONTENT = [
    "《习近平谈治国理政》第五卷", "《习近平关于党的建设的重要论述》", "《中国共产党章程》",
    "《中国共产党纪律处分条例》", "习近平总书记“七一”重要讲话", "《中国共产党简史》", "学习强国专题学习",
]
VISITS = ["赴市革命历史纪念馆开展实境教育", "参观“庆祝建党105周年”主题展览", "到廉政教育基地开展现场教学",
          "走进党建与红色文化主题教育馆"]
EXCHANGES = ["围绕“七一”重要讲话开展专题交流", "“标杆标兵”专题交流研讨", "学习贯彻四中全会精神专题交流",
             "“两在两同”建新功专题交流"]
BRIEFINGS = [(date(2026, 3, 18), "收听收看全国两会精神专题宣讲"),
             (date(2026, 7, 8), "收听收看庆祝建党105周年专题宣讲报告会")]
QUIZZES = [(date(2026, 5, 20), "党纪学习教育知识测试（闭卷）"), (date(2026, 9, 16), "党史知识网络测试")]

# How each unit writes its 组织生活台账 (ledger units only).
#  date: main date style; header: "A" (日期/党支部/活动类型…) or "B" (召开时间/支部名称/会议类型…);
#  layout: "single" (one sheet), "per_branch" (one sheet per branch), "half" (one workbook per half-year)
#  study_rows: the unit also lists every attendee of its 集中学习 in the study records (same date);
#  no_study_rows: its ledger has no 集中学习 at all, the study records carry them instead
LEDGER_STYLES = {
    "市财政局": dict(date="excel", header="A", layout="half", pad=True, birthday_rows=True, study_rows=True),
    "市发改委": dict(date="slash", header="B", layout="single", formula_total=True),
    "市教育局": dict(date="cn", header="A", layout="single", no_study_rows=True, unknown_type=True),
    "市卫健委": dict(date="excel", header="A", layout="per_branch", month_day=True, study_rows=True),
    "市自然资源局": dict(date="dot", header="A", layout="single", none_word=True),
    "市住建局": dict(date="mixed", header="A", layout="single", subtotal=True, fullwidth=True, study_rows=True),
    "市交通运输局": dict(date="iso", header="B", layout="single", with_units=True),
    "市民政局": dict(date="excel", header="A", layout="single", birthday_rows=True),
    "市司法局": dict(date="slash", header="A", layout="single"),
    "市审计局": dict(date="cn", header="B", layout="single", unknown_type=True, study_rows=True),
    "市生态环境局": dict(date="dot", header="A", layout="single", study_rows=True),
    "市农业农村局": dict(date="mixed", header="A", layout="single", blank_rows=True, with_units=True),
}

TYPE_SYNONYMS = {
    "支部党员大会": ["党员大会", "支部党员大会"],
    "支部委员会": ["支委会", "支部委员会", "支委会会议"],
    "党小组会": ["党小组会", "党小组会议"],
    "党课": ["党课", "专题党课", "讲党课"],
    "主题党日": ["主题党日", "主题党日活动"],
    "集中学习": ["集中学习", "集中理论学习", "理论学习"],
    "民主评议党员": ["民主评议党员", "民主评议"],
}

# Quality knobs per profile letter.
XUEXI_RATE = {"M": (33.0, 37.0), "m": (26.0, 31.0), "L": (16.0, 19.5)}  # points per day
RETIRED_XUEXI_RATE = (12.0, 20.0)
NON_ATTEND = {"M": 0.035, "m": 0.075, "L": 0.15}
ABSENT_SHARE = {"M": 0.15, "m": 0.35, "L": 0.5}
SKIP_SELF_STUDY = {"M": 0.004, "m": 0.02, "L": 0.1}


# --------------------------------------------------------------------------------------------
# Model


@dataclass(frozen=True)
class Branch:
    name: str
    unit: str
    unit_org: str
    suffix: str
    size: int
    profile: str
    retired: bool
    groups: tuple[str, ...]
    code_prefix: str | None
    keeping: str

    @property
    def type(self) -> str:
        return "离退休" if self.retired else "在职"

    def quality(self, quarter: int) -> str:
        return self.profile[quarter - 1]


@dataclass
class Member:
    name: str
    gender: str
    branch: Branch
    group: str | None
    role: str
    category: str
    join_date: date
    code: str | None
    phone: str
    start: date | None = None  # active from (None: before 2026)
    end: date | None = None  # last active day (None: still active)
    end_status: str = ""  # "转出" or "missing"
    in_main_roster: bool = True
    xuexi_mode: str = "normal"  # normal / low / never / inactive / missing / other_dept
    xuexi_factor: float = 1.0
    xuexi_base: int = 0
    chronic_absent: bool = False
    chronic_skipper: bool = False

    def active_on(self, d: date) -> bool:
        return (self.start is None or self.start <= d) and (self.end is None or d <= self.end)

    @property
    def is_committee(self) -> bool:
        return self.role in ("书记", "副书记", "委员")


@dataclass
class Activity:
    branch: Branch
    date: date
    type: str  # canonical type, or the raw text of an unknown type
    topic: str
    expected: int | None = None
    absent: list[str] = field(default_factory=list)
    on_leave: list[str] = field(default_factory=list)
    attendees: list[Member] = field(default_factory=list)
    group: str | None = None
    speaker: str | None = None
    days: float | None = None
    present_only: int | None = None  # 志愿服务: participants, no 应到
    on_ledger: bool = True  # False: recorded only as study rows (市教育局's 集中学习)

    @property
    def present(self) -> int | None:
        if self.expected is None:
            return self.present_only
        return self.expected - len(self.absent) - len(self.on_leave)


@dataclass
class StudyRow:
    member_name: str
    branch: Branch
    date: date
    form: str
    content: str
    hours: float
    score: int | None = None


@dataclass
class XuexiRow:
    name: str
    department: str
    activated: bool
    points: int
    interval_points: int
    total_points: int
    daily_question: int


@dataclass
class Sample:
    branches: list[Branch]
    members: list[Member]
    activities: list[Activity]
    study: list[StudyRow]
    xuexi: dict[tuple[date, date], list[XuexiRow]]  # monthly periods (Jan–Oct)
    records: dict[str, list[dict]]


# --------------------------------------------------------------------------------------------
# Helpers


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3 + 1


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def is_workday(d: date) -> bool:
    if d.weekday() >= 5:
        return False
    return not any(a <= d <= b for a, b in HOLIDAYS)


def pick_day(rng: random.Random, month: int, lo: int = 1, hi: int = 31) -> date:
    last = calendar.monthrange(YEAR, month)[1]
    days = [date(YEAR, month, d) for d in range(lo, min(hi, last) + 1)]
    days = [d for d in days if is_workday(d)] or [d for d in (date(YEAR, month, x) for x in range(1, last + 1))
                                                   if is_workday(d)]
    return rng.choice(days)


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def fullwidth(value: int | float) -> str:
    return str(value).translate(FULLWIDTH)


def pad_name(name: str) -> str:
    """Two-character names padded with an ideographic space, as in aligned Chinese rosters."""
    return f"{name[0]}\u3000{name[1]}" if len(name) == 2 else name


def join_names(rng: random.Random, names: list[str], allow_space: bool = True) -> str:
    seps = ["、", "、", "，", ",", ";", "；"] + ([" "] if allow_space else [])
    out = ""
    for i, n in enumerate(names):
        out += (rng.choice(seps) if i else "") + n
    return out


def fmt_cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render_date(rng: random.Random, d: date, style: str, month_day_ok: bool = False):
    """A date as the given ledger style writes it (a ``date`` means a real Excel date cell)."""
    if style == "mixed":
        style = rng.choice(["excel", "slash", "dot", "cn", "iso"])
    elif rng.random() < 0.2:  # every office mixes styles a little
        style = rng.choice(["excel", "slash", "dot", "cn"])
    if month_day_ok and rng.random() < 0.15:
        return f"{d.month}月{d.day}日"
    return {
        "excel": d,
        "slash": f"{d.year}/{d.month}/{d.day}",
        "dot": f"{d.year}.{d.month}.{d.day}",
        "cn": fmt_cn_date(d),
        "iso": d.isoformat(),
    }[style]


# --------------------------------------------------------------------------------------------
# Building the committee


def build_branches() -> list[Branch]:
    units = {u[0]: u for u in UNITS}
    out = []
    for unit, suffix, size, profile in BRANCHES:
        _, org, prefix, keeping = units[unit]
        n_groups = 0 if size < 25 else (3 if size >= 28 else 2)
        out.append(Branch(
            name=unit + suffix, unit=unit, unit_org=unit + org, suffix=suffix, size=size,
            profile=profile, retired="离退休" in suffix, groups=tuple(GROUP_NAMES[:n_groups]),
            code_prefix=prefix, keeping=keeping,
        ))
    return out


def random_join_date(rng: random.Random, retired: bool) -> date:
    year = rng.randint(1968, 1996) if retired else rng.choice(
        [rng.randint(1992, 2025), rng.randint(2003, 2022), rng.randint(2008, 2024)])
    if rng.random() < 0.15:
        return date(year, 7, 1)
    month = rng.randint(1, 12)
    return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def build_members(rng: random.Random, branches: list[Branch]) -> list[Member]:
    used: set[str] = set(RESERVED_NAMES)
    members: list[Member] = []
    for b_index, br in enumerate(branches):
        branch_members: list[Member] = []
        for i in range(br.size):
            gender = rng.choice(["男", "女"]) if i else rng.choice(["男", "男", "女"])
            while True:
                given = rng.choice(MALE_GIVEN if gender == "男" else FEMALE_GIVEN)
                name = rng.choice(SURNAMES) + given
                if name not in used:
                    used.add(name)
                    break
            if i == 0:
                role = "书记"
            elif i == 1 and br.size >= 15 and not br.retired:
                role = "副书记"
            elif i <= (4 if br.size >= 20 else 3):
                role = "委员"
            else:
                role = "党员"
            join = random_join_date(rng, br.retired)
            category = "正式党员"
            if not br.retired and i > 4 and rng.random() < 0.04:
                join = date(2025, rng.randint(7, 12), rng.randint(1, 28))
                category = "预备党员"
            code = f"{br.code_prefix}{b_index + 1:02d}{i + 1:03d}" if br.code_prefix else None
            phone = "1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9))
            branch_members.append(Member(name=name, gender=gender, branch=br, group=None, role=role,
                                         category=category, join_date=join, code=code, phone=phone))
        if br.groups:
            order = branch_members[:]
            rng.shuffle(order)
            for k, m in enumerate(order):
                m.group = br.groups[k % len(br.groups)]
        members.extend(branch_members)

    by_branch = {br.name: [m for m in members if m.branch is br] for br in branches}

    # Deliberate same names: one 张伟 in two branches, two 王磊 in one branch.
    by_branch["市财政局第二党支部"][7].name = DUPLICATE_NAME
    by_branch["市教育局第一党支部"][9].name = DUPLICATE_NAME
    by_branch["市司法局第一党支部"][6].name = AMBIGUOUS_NAME
    by_branch["市司法局第一党支部"][11].name = AMBIGUOUS_NAME

    # Someone whose 政治生日 falls in December 2026 in most branches (besides the random ones).
    for br in branches[::2]:
        m = by_branch[br.name][-2]
        m.join_date = date(m.join_date.year, 12, rng.choice([1, 8, 12, 18, 26, 30]))

    # 市卫健委 in autumn: one member transfers out, one drops off the later roster, one transfers in.
    wj1, wj2 = by_branch["市卫健委第一党支部"], by_branch["市卫健委第二党支部"]
    wj2[12].end, wj2[12].end_status = date(2026, 9, 18), "转出"
    wj1[20].end, wj1[20].end_status = date(2026, 9, 30), "missing"
    newcomer = Member(name=TRANSFER_IN_NAME, gender="女", branch=wj2[0].branch, group=None, role="党员",
                      category="正式党员", join_date=date(2015, 12, 10), code="1304" + "12" + "023",
                      phone="13905271846", start=date(2026, 10, 9), in_main_roster=False)
    members.insert(members.index(wj2[-1]) + 1, newcomer)
    by_branch["市卫健委第二党支部"].append(newcomer)

    assign_traits(rng, branches, by_branch)
    return members


def assign_traits(rng: random.Random, branches: list[Branch], by_branch: dict[str, list[Member]]) -> None:
    """学习强国 behaviour, chronic absentees and self-study skippers, by branch profile (Q3)."""
    for br in branches:
        ms = by_branch[br.name]
        q3 = br.quality(3)
        for m in ms:
            m.xuexi_factor = min(1.5, max(0.55, rng.gauss(1.0, 0.2)))
            m.xuexi_base = rng.randint(5000, 40000) if br.retired else rng.randint(15000, 60000)
        plain = [m for m in ms if m.role == "党员" and m.end is None and m.start is None]
        picks = rng.sample(plain, 6)
        if br.retired:
            picks[0].xuexi_mode = "inactive"
            picks[1].xuexi_mode = "never"
            picks[2].chronic_skipper = rng.random() < 0.5
            continue
        if q3 == "L":
            picks[0].xuexi_mode = "inactive"
            picks[1].xuexi_mode = "never"
            picks[2].xuexi_mode = "low"
            picks[3].chronic_absent = True
            picks[4].chronic_absent = True
            picks[5].chronic_skipper = True
        elif q3 == "m":
            roll = rng.random()
            if roll < 0.25:
                picks[0].xuexi_mode = "never"
            elif roll < 0.4:
                picks[0].xuexi_mode = "inactive"
            elif roll < 0.75:
                picks[0].xuexi_mode = "low"
            picks[1].chronic_absent = rng.random() < 0.6
            picks[2].chronic_skipper = rng.random() < 0.4
    # Fixed cases: a member registered nowhere in 学习强国, and members filed under 其他.
    by_branch["市自然资源局第二党支部"][9].xuexi_mode = "missing"
    for bname, idx in [("市财政局第三党支部", 8), ("市住建局第一党支部", 10), ("市民政局机关党支部", 12)]:
        by_branch[bname][idx].xuexi_mode = "other_dept"
    # The ambiguous 王磊 misses meetings, so the ledger names him without saying which one.
    by_branch["市司法局第一党支部"][6].chronic_absent = True


# --------------------------------------------------------------------------------------------
# Activities


def plan_activities(rng: random.Random, branches: list[Branch], members: list[Member]) -> list[Activity]:
    by_branch = {br.name: [m for m in members if m.branch is br] for br in branches}
    leader_lectures = rng.sample([(br.name, q) for br in branches if not br.retired for q in (1, 2, 3, 4)], 9)
    out: list[Activity] = []
    for br in branches:
        for q in (1, 2, 3, 4):
            out.extend(plan_quarter(rng, br, by_branch[br.name], q, leader_lectures))
    order = {br.name: i for i, br in enumerate(branches)}
    out.sort(key=lambda a: (order[a.branch.name], a.date, a.type))
    # 市财政局第二党支部's ledger once writes 张玮 for its member 张伟 (a name on no roster).
    zw = next(m for m in by_branch["市财政局第二党支部"] if m.name == DUPLICATE_NAME)
    act = next(a for a in out if a.branch.name == "市财政局第二党支部" and a.type == "主题党日"
               and quarter_of(a.date) == 3 and zw in a.attendees)
    act.attendees.remove(zw)
    act.absent.append(TYPO_NAME)
    return out


def quarter_counts(rng: random.Random, br: Branch, q: int) -> dict[str, int]:
    p = br.quality(q)
    counts = {"支部党员大会": 1, "支部委员会": 3, "党课": 1, "主题党日": 3, "集中学习": 3,
              "警示教育": 0 if br.retired else 1}
    for g in br.groups:
        counts["党小组会:" + g] = 3
    options = ["支部委员会", "主题党日", "集中学习", "党课", "支部党员大会"]
    if not br.retired:
        options.append("警示教育")
    if br.groups:
        options.append("党小组会:" + rng.choice(br.groups))
    if p == "M":
        if rng.random() < 0.3:
            counts["主题党日"] += 1  # model branches sometimes do more
        elif rng.random() < 0.4:
            counts["支部委员会"] -= 1  # ... or fall one short
        return counts
    # Middle: one whole item missed (党课, 党员大会 or 警示教育) and one short by one.
    # Lagging: two whole items missed and two or three short.
    bigs = [k for k in ("党课", "支部党员大会", "警示教育") if k in options]
    smalls = [k for k in options if k not in bigs]
    if p == "m":
        big = rng.choice(bigs)
        if br.keeping == "counts" and "警示教育" not in COUNTS_STYLES[br.unit]["extra"]:
            big = "警示教育"  # its 统计表 has no 警示教育 column: that is the item it misses
        misses = [big, rng.choice(smalls)]
    else:
        misses = rng.sample(bigs, 2) + rng.sample(smalls, rng.choice([2, 3]))
    for key in misses:
        step = 2 if (p == "L" and key in ("支部委员会", "主题党日", "集中学习") and rng.random() < 0.4) else 1
        counts[key] = max(0, counts[key] - step)
    return counts


def months_for(rng: random.Random, q: int, count: int) -> list[int]:
    months = [3 * q - 2, 3 * q - 1, 3 * q]
    if count <= 3:
        return sorted(rng.sample(months, count))
    return sorted(months + [rng.choice(months) for _ in range(count - 3)])


DAY_WINDOWS = {"支部委员会": (1, 10), "主题党日": (3, 14), "集中学习": (10, 26), "党小组会": (12, 28),
               "支部党员大会": (5, 28), "党课": (5, 28), "警示教育": (5, 28)}


def plan_quarter(rng: random.Random, br: Branch, ms: list[Member], q: int,
                 leader_lectures: list[tuple[str, int]]) -> list[Activity]:
    p = br.quality(q)
    counts = quarter_counts(rng, br, q)
    style = LEDGER_STYLES.get(br.unit, {})
    secretary = next(m for m in ms if m.role == "书记")
    deputy = next((m for m in ms if m.role == "副书记"), secretary)
    acts: list[Activity] = []

    def add(kind: str, d: date, topic: str, group: str | None = None, **kw) -> None:
        if d > DATA_END:
            return
        act = Activity(branch=br, date=d, type=kind, topic=topic, group=group, **kw)
        if kind not in ("志愿服务", "谈心谈话", "政治生日"):
            fill_attendance(rng, act, ms, p)
        acts.append(act)

    for key, count in counts.items():
        kind, _, group = key.partition(":")
        lo, hi = DAY_WINDOWS[kind]
        for month in months_for(rng, q, count):
            d = pick_day(rng, month, lo, hi)
            topic = rng.choice(TOPICS[kind])
            if kind == "党课":
                if (br.name, q) in leader_lectures:
                    speaker = leader_lectures.index((br.name, q)) % len(LEADER_SPEAKERS)
                    add(kind, d, topic, speaker=LEADER_SPEAKERS[speaker])
                else:
                    add(kind, d, topic, speaker=(secretary if rng.random() < 0.7 else deputy).name)
            elif kind == "集中学习" and style.get("no_study_rows"):
                add(kind, d, topic, on_ledger=False)  # kept in the study records only
            else:
                add(kind, d, topic, group=group or None)

    # Annual 组织生活会 and 民主评议党员 (held in January/February; some branches plan December).
    if q == 1 and (p == "M" or rng.random() < (0.85 if p == "m" else 0.5)):
        d = pick_day(rng, rng.choice([1, 2]), 5, 28)
        add("组织生活会", d, "2025年度组织生活会")
        add("民主评议党员", d, "2025年度民主评议党员")
    for _ in range(rng.choice([0, 1, 1]) if p != "L" else rng.choice([0, 0, 1])):
        add("谈心谈话", pick_day(rng, rng.choice([3 * q - 2, 3 * q - 1, 3 * q])), rng.choice(TOPICS["谈心谈话"]))
    for _ in range(rng.choice([0, 1, 2]) if not br.retired else rng.choice([0, 1])):
        n = rng.randint(4, max(5, len(ms) // 2))
        add("志愿服务", pick_day(rng, rng.choice([3 * q - 2, 3 * q - 1, 3 * q])),
            rng.choice(TOPICS["志愿服务"]), days=rng.choice([0.5, 1, 1, 1, 2]), present_only=n)
    if style.get("birthday_rows"):
        month = 3 * q - 1
        add("政治生日", pick_day(rng, month, 3, 14), f"为{month}月入党党员过政治生日")
    if not br.retired and br.suffix in ("第一党支部", "机关党支部") and q in (1, 3) and p != "L":
        add("廉情分析会", pick_day(rng, 3 * q, 10, 28), f"第{'一三'[q // 2]}季度廉情分析会")
    if style.get("unknown_type") and q in (2, 3) and br.suffix == "第一党支部" or (
            style.get("unknown_type") and br.suffix == "机关党支部" and q == 2):
        add("读书分享会", pick_day(rng, 3 * q - 1, 10, 25), "“读经典 悟初心”读书分享会")
    return acts


def fill_attendance(rng: random.Random, act: Activity, ms: list[Member], p: str) -> None:
    eligible = [m for m in ms if m.active_on(act.date)]
    if act.type == "党小组会":
        eligible = [m for m in eligible if m.group == act.group]
    elif act.type == "支部委员会":
        eligible = [m for m in eligible if m.is_committee]
    rate = NON_ATTEND[p] + (0.07 if act.branch.retired else 0.0)
    if act.type == "支部委员会":
        rate /= 2
    weights = {id(m): (6.0 if m.chronic_absent else 1.0) for m in eligible}
    k = sum(1 for _ in eligible if rng.random() < rate)
    pool = eligible[:]
    missing: list[Member] = []
    for _ in range(min(k, len(pool))):
        m = rng.choices(pool, weights=[weights[id(x)] for x in pool])[0]
        pool.remove(m)
        missing.append(m)
    for m in missing:
        absent_p = 0.8 if m.chronic_absent else ABSENT_SHARE[p]
        (act.absent if rng.random() < absent_p else act.on_leave).append(m.name)
    act.expected = len(eligible)
    act.attendees = [m for m in eligible if m not in missing]


# --------------------------------------------------------------------------------------------
# Study records


def plan_study(rng: random.Random, branches: list[Branch], members: list[Member],
               activities: list[Activity]) -> list[StudyRow]:
    rows: list[StudyRow] = []
    by_branch = {br.name: [m for m in members if m.branch is br] for br in branches}
    # 集中学习: one row per attendee, same date as the ledger (only some units keep these; 市教育局
    # keeps them here instead of on its ledger).
    for act in activities:
        style = LEDGER_STYLES.get(act.branch.unit, {})
        if act.type == "集中学习" and (style.get("study_rows") or not act.on_ledger):
            hours = rng.choice([1.5, 2, 2])
            rows.extend(StudyRow(m.name, act.branch, act.date, "集中学习", act.topic, hours) for m in act.attendees)
    for br in branches:
        ms = by_branch[br.name]
        if br.name == "市生态环境局机关党支部":  # one 集中学习 recorded only as study rows
            d = date(2026, 5, 27)
            rows.extend(StudyRow(m.name, br, d, "集中学习", "学习《习近平谈治国理政》第五卷", 2) for m in ms
                        if rng.random() > 0.1)
        rows.extend(plan_self_study(rng, br, ms))
        rows.extend(plan_group_study(rng, br, ms))
    # A 自学 row for someone on no roster.
    eco = next(br for br in branches if br.name == "市生态环境局机关党支部")
    rows.append(StudyRow(UNMATCHED_STUDY, eco, date(2026, 8, 14), "自学", SELF_STUDY_CONTENT[0], 2))
    return rows


def plan_self_study(rng: random.Random, br: Branch, ms: list[Member]) -> list[StudyRow]:
    rows = []
    for m in ms:
        for month in range(1, 12):
            first = date(YEAR, month, 1)
            if not m.active_on(first) and not (m.start and m.start.month == month):
                continue
            p = SKIP_SELF_STUDY[br.quality(quarter_of(first))] + (0.03 if br.retired else 0)
            if m.chronic_skipper:
                p = 0.45
            if rng.random() < p:
                continue
            d = pick_day(rng, month, 1, 28)
            if m.start and d < m.start:
                d = m.start
            if m.end and d > m.end or d > DATA_END:
                continue
            rows.append(StudyRow(m.name, br, d, "自学", rng.choice(SELF_STUDY_CONTENT),
                                 rng.choice([1, 1.5, 2, 2, 3])))
    return rows


def plan_group_study(rng: random.Random, br: Branch, ms: list[Member]) -> list[StudyRow]:
    rows = []

    def event(d: date, form: str, content: str, share: float, hours: float) -> None:
        if d > DATA_END:
            return
        rows.extend(StudyRow(m.name, br, d, form, content, hours) for m in ms
                    if m.active_on(d) and rng.random() < share)

    for q in (1, 2, 3, 4):
        p = br.quality(q)
        if not br.retired and rng.random() < {"M": 1.0, "m": 0.6, "L": 0.25}[p]:
            event(pick_day(rng, rng.choice([3 * q - 2, 3 * q - 1, 3 * q])), "专题交流", rng.choice(EXCHANGES),
                  0.8, 2)
    visits = {"M": 2, "m": 1, "L": rng.choice([0, 1])}[br.quality(3)]
    for month in sorted(rng.sample([4, 6, 7, 9, 10], visits)):
        event(pick_day(rng, month), "参观学习", rng.choice(VISITS), 0.75, 3)
    if not br.retired:
        for d, content in BRIEFINGS:
            event(d, "专题宣讲", content, 0.85 if br.quality(quarter_of(d)) != "L" else 0.6, 2)
    return rows


def plan_quizzes(rng: random.Random, members: list[Member]) -> list[StudyRow]:
    rows = []
    for d, title in QUIZZES:
        for m in members:
            if m.branch.retired or not m.active_on(d):
                continue
            if rng.random() < {"M": 0.97, "m": 0.88, "L": 0.7}[m.branch.quality(quarter_of(d))]:
                score = min(100, max(55, round(rng.gauss(88, 7))))
                rows.append(StudyRow(m.name, m.branch, d, "知识测试", title, 1, score))
    return rows


# --------------------------------------------------------------------------------------------
# 学习强国


def department_path(m: Member) -> str:
    br = m.branch
    if m.xuexi_mode == "other_dept":
        return "其他" if br.unit != "市住建局" else f"{COMMITTEE},其他"
    if br.unit in ("市发改委", "市卫健委", "市司法局", "市农业农村局"):
        return f"{COMMITTEE}/{br.unit_org}/{br.name}"
    return f"{br.unit_org},{br.name}"


def plan_xuexi(rng: random.Random, branches: list[Branch], members: list[Member]) -> dict:
    rates = {}
    for br in branches:
        rates[br.name] = [rng.uniform(*(RETIRED_XUEXI_RATE if br.retired else XUEXI_RATE[br.quality(q)]))
                          for q in (1, 2, 3, 4)]
    totals = {id(m): m.xuexi_base for m in members}
    extra_totals = {name: rng.randint(8000, 30000) for name, _ in UNMATCHED_XUEXI}
    out = {}
    for month in range(1, 11):
        start, end = date(YEAR, month, 1), month_end(YEAR, month)
        days = end.day
        rows = []
        for m in members:
            if m.xuexi_mode == "missing" or not (m.active_on(start) or m.active_on(end)):
                continue
            if m.start and m.start > start:
                days_active = (end - m.start).days + 1
            elif m.end and m.end < end:
                days_active = (m.end - start).days + 1
            else:
                days_active = days
            if m.xuexi_mode in ("never", "inactive"):
                pts = 0
            else:
                rate = rates[m.branch.name][quarter_of(start) - 1] * m.xuexi_factor
                if m.xuexi_mode == "low":
                    rate *= 0.28
                pts = round(rate * days_active * rng.uniform(0.88, 1.12))
            interval = pts + (round(pts * rng.uniform(0, 0.04)) if pts else 0)
            totals[id(m)] += interval
            daily = min(days_active, round(days_active * rng.uniform(0.5, 1.0))) if pts else 0
            rows.append(XuexiRow(m.name, department_path(m), m.xuexi_mode != "inactive", pts, interval,
                                 totals[id(m)] if m.xuexi_mode != "inactive" else 0, daily))
        for name, dept in UNMATCHED_XUEXI:
            if month >= 7:
                pts = round(26 * days * rng.uniform(0.8, 1.2))
                extra_totals[name] += pts
                rows.append(XuexiRow(name, dept, True, pts, pts, extra_totals[name], round(days * 0.8)))
        out[(start, end)] = rows
    return out


# --------------------------------------------------------------------------------------------
# Other records (表彰, 发表文章, 网站录用, 廉政风险点, 履责纪实, 培训)


def plan_records(rng: random.Random, branches: list[Branch], members: list[Member]) -> dict[str, list[dict]]:
    in_service = [m for m in members if not m.branch.retired and m.in_main_roster]
    good = [m for m in in_service if m.branch.quality(2) != "L"]
    honours = []
    for m in rng.sample(good, 10):
        honours.append(dict(category="表彰", title="市级机关优秀共产党员", person=m.name, branch=m.branch.name,
                            level="市级", date=date(2026, 6, 28), issuer="市直机关工委"))
    secretaries = [m for m in good if m.role in ("书记", "副书记")]
    for m in rng.sample(secretaries, 4):
        honours.append(dict(category="表彰", title="市级机关优秀党务工作者", person=m.name, branch=m.branch.name,
                            level="市级", date=date(2026, 6, 28), issuer="市直机关工委"))
    m = rng.choice([s for s in secretaries if s.branch.quality(2) == "M"])
    honours.append(dict(category="表彰", title="全省优秀党务工作者", person=m.name, branch=m.branch.name,
                        level="省级", date=date(2026, 6, 30), issuer="省委"))
    for br in [b for b in branches if b.quality(2) == "M"][:3]:
        honours.append(dict(category="表彰", title="市级机关先进基层党组织", person=None, branch=br.name,
                            level="市级", date=date(2026, 6, 28), issuer="市直机关工委"))

    journals = [("《党建研究》", "中央"), ("《中国纪检监察报》", "中央"), ("《共产党员》", "省级"),
                ("《支部生活》", "省级"), ("《机关党建研究》", "中央"), ("《当代党员》", "省级")]
    article_titles = ["以高质量党建引领机关作风建设", "推动党建与业务深度融合的实践与思考", "“标杆标兵”创建的探索",
                      "机关党支部标准化规范化建设路径", "用好党员积分制 激发支部活力", "以案促改推动全面从严治党向纵深发展",
                      "让主题党日“活”起来", "新时代机关青年理论学习的思考"]
    sites = [("学习强国平台", "中央"), ("共产党员网", "中央"), ("省委组织部网站", "省级"), ("省机关党建网", "省级"),
             ("市政府网站", "市级")]
    site_titles = ["市财政局开展“我为群众办实事”主题党日活动", "机关党员走进社区开展志愿服务", "“书记有约”活动走深走实",
                   "市发改委党支部开展专题党课", "离退休老党员重温入党誓词", "党建引领优化营商环境",
                   "机关党员参观红色教育基地", "市直机关开展党纪学习教育"]
    writings = []
    for i in range(9):
        m = rng.choice(good)
        journal, level = journals[i % len(journals)]
        writings.append(dict(category="发表文章", title=article_titles[i % len(article_titles)], person=m.name,
                             branch=m.branch.name, outlet=journal, level=level,
                             date=date(2026, rng.randint(1, 10), rng.randint(1, 28)), quantity="1篇"))
    for i in range(14):
        m = rng.choice(in_service)
        site, level = sites[i % len(sites)]
        writings.append(dict(category="网站录用", title=site_titles[i % len(site_titles)], person=m.name,
                             branch=m.branch.name, outlet=site, level=level,
                             date=date(2026, rng.randint(1, 11), rng.randint(1, 18)), quantity=1))
    writings.sort(key=lambda r: (r["category"], r["date"]))

    duties = []
    for br in branches:
        for q in (1, 2, 3, 4):
            n = {"M": (14, 22), "m": (8, 15), "L": (3, 8)}[br.quality(q)]
            d = min(DATA_END, date(YEAR, 3 * q, 28))
            duties.append(dict(category="履责纪实", title=f"第{'一二三四'[q - 1]}季度履责纪实", branch=br.name,
                               date=d, quantity=f"{rng.randint(*n)}条"))

    trainings = [dict(category="培训", title="全市机关党务干部培训班", person=None, branch=None, level="市级",
                      date=date(2026, 4, 14), quantity="3天")]
    for m in rng.sample([x for x in in_service if x.role in ("书记", "副书记")], 8):
        trainings.append(dict(category="培训", title=rng.choice(["党支部书记能力提升培训班（省委党校）",
                                                               "机关党建骨干培训班（X学院）"]),
                              person=m.name, branch=m.branch.name, level="省级",
                              date=date(2026, rng.choice([5, 9]), rng.randint(8, 20)), quantity=rng.choice([3, "5天"])))
    trainings.sort(key=lambda r: r["date"])

    risks_pool = [
        ("政府采购审批环节", "实行集体决策，采购全过程留痕，纪检全程监督"),
        ("专项资金拨付", "严格执行资金拨付审批流程，定期公开使用情况"),
        ("行政执法自由裁量", "细化裁量基准，执法全过程记录，案件集体审议"),
        ("公务接待", "严格执行接待标准，实行公函制度和清单管理"),
        ("干部选拔任用", "严格执行选任程序，全程纪实，落实“凡提四必”"),
        ("工程项目招投标", "全流程电子化交易，建立评标专家回避制度"),
        ("财务报销", "落实分级审批和会计复核，每季度开展内部审计"),
        ("行政许可审批", "推行一网通办，审批时限公开，建立回访制度"),
        ("监督检查", "实行“双随机一公开”，检查结果按时公示"),
        ("公车使用管理", "实行派车审批和行车登记，定期核对里程油耗"),
    ]
    risks = []
    for br in branches:
        if br.retired:
            continue
        for title, measure in rng.sample(risks_pool, rng.randint(1, 2)):
            risks.append(dict(category="廉政风险点", title=title, branch=br.name, measure=measure,
                              grade=rng.choice(["一级", "二级", "二级", "三级"]),
                              person=next(m for m in members if m.branch is br and m.role == "书记").name,
                              date=date(2026, rng.choice([3, 3, 4]), rng.randint(2, 27))))
    for r in rng.sample(risks, 2):
        r["measure"] = None  # two risk points still without a prevention measure
    return {"honours": honours, "writings": writings, "duties": duties, "trainings": trainings, "risks": risks}


def build_sample(rng: random.Random) -> Sample:
    """All data in memory; the writers only add layout quirks (drawn after, so they never shift it)."""
    branches = build_branches()
    members = build_members(rng, branches)
    activities = plan_activities(rng, branches, members)
    study = plan_study(rng, branches, members, activities) + plan_quizzes(rng, members)
    xuexi = plan_xuexi(rng, branches, members)
    records = plan_records(rng, branches, members)
    return Sample(branches, members, activities, study, xuexi, records)


# --------------------------------------------------------------------------------------------
# Writing: xlsx helpers


class Book:
    """An xlsxwriter workbook with the few formats every template uses."""

    def __init__(self, name: str, title: str):
        self.path = OUT_DIR / name
        self.wb = xlsxwriter.Workbook(str(self.path), {"in_memory": True, "strings_to_numbers": False})
        self.wb.set_properties({"title": title, "author": AUTHOR, "company": COMMITTEE,
                                "created": FIXED_TIMESTAMP})
        border = {"border": 1, "valign": "vcenter", "font_name": "宋体", "font_size": 10}
        self.title = self.wb.add_format({"bold": True, "font_size": 14, "align": "center",
                                         "valign": "vcenter", "font_name": "方正小标宋简体"})
        self.head = self.wb.add_format({**border, "bold": True, "align": "center", "text_wrap": True,
                                        "bg_color": "#D9E1F2"})
        self.cell = self.wb.add_format(border)
        self.date = self.wb.add_format({**border, "num_format": "yyyy-mm-dd", "align": "left"})
        self.date_cn = self.wb.add_format({**border, "num_format": 'yyyy"年"m"月"d"日"', "align": "left"})
        self.note = self.wb.add_format({"font_size": 10, "font_name": "宋体"})
        self.bold = self.wb.add_format({**border, "bold": True})

    def sheet(self, name: str, widths: list[int]):
        ws = self.wb.add_worksheet(name)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        return ws

    def put(self, ws, r: int, c: int, value, fmt=None) -> None:
        fmt = fmt or self.cell
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt)
        elif isinstance(value, date):
            ws.write_datetime(r, c, datetime(value.year, value.month, value.day),
                              self.date if fmt is self.cell else fmt)
        elif isinstance(value, (int, float)):
            ws.write_number(r, c, value, fmt)
        else:
            ws.write_string(r, c, str(value), fmt)

    def row(self, ws, r: int, values: list, fmt=None) -> None:
        for c, v in enumerate(values):
            self.put(ws, r, c, v, fmt)

    def title_row(self, ws, r: int, text: str, ncols: int, height: int = 28) -> None:
        ws.merge_range(r, 0, r, ncols - 1, text, self.title)
        ws.set_row(r, height)

    def close(self) -> Path:
        self.wb.close()
        return self.path


def num_with_unit(rng: random.Random, value, unit: str, prob: float):
    """Sometimes a number as text with its unit (``18人``), as typed by hand."""
    if rng.random() < prob:
        return f"{value}{unit}"
    return value


# --------------------------------------------------------------------------------------------
# Writers, one per file kind


def write_roster(rng: random.Random, s: Sample) -> list[Path]:
    """名册_2026.xlsx (committee-wide, 2026-06-30) and a later roster of 市卫健委."""
    headers = ["序号", "姓名", "性别", "上级党组织", "所在党支部", "支部类型", "党小组", "党内职务", "党员类型",
               "入党日期", "党员编号", "联系电话"]
    bk = Book("名册_2026.xlsx", "市直机关党员名册")
    ws = bk.sheet("党员名册", [6, 10, 6, 20, 26, 9, 11, 9, 10, 14, 14, 14])
    bk.title_row(ws, 0, f"市直机关党员名册（截至{fmt_cn_date(ROSTER_DATE)}）", len(headers))
    bk.row(ws, 1, headers, bk.head)
    padded_units = {"市财政局", "市教育局", "市住建局", "市司法局", "市审计局"}
    r, n, prev_unit = 2, 0, None
    for m in s.members:
        if not m.in_main_roster:
            continue
        if prev_unit and m.branch.unit != prev_unit and m.branch.unit in ("市卫健委", "市司法局"):
            r += 1  # a blank row between some units, as pasted together from unit returns
        prev_unit = m.branch.unit
        n += 1
        name = pad_name(m.name) if m.branch.unit in padded_units else m.name
        if m.branch.unit == "市交通运输局" and rng.random() < 0.2:
            name = name + " "  # stray trailing space
        jd = m.join_date
        join = rng.choice([jd, jd, jd, fmt_cn_date(jd), f"{jd.year}.{jd.month}.{jd.day}"])
        branch_type = m.branch.type if m.branch.unit != "市教育局" or rng.random() < 0.9 else ""
        bk.row(ws, r, [n, name, m.gender, m.branch.unit_org, m.branch.name, branch_type, m.group, m.role,
                       m.category, join, m.code, m.phone])
        r += 1
    ws.write_string(r + 1, 0, "注：党员编号以全国党员管理信息系统为准，未录入的单位暂空。", bk.note)
    ws.freeze_panes(2, 2)
    paths = [bk.close()]

    # Later roster of 市卫健委: one member 转出 (kept, marked), one member missing, one newcomer.
    bk = Book("名册_市卫健委_2026年10月.xlsx", "市卫健委机关党委党员名册")
    headers = ["序号", "姓名", "性别", "所在支部", "党小组", "党内职务", "党籍状态", "入党时间", "党员编号", "状态",
               "组织关系转入时间", "转出时间", "备注"]
    ws = bk.sheet("Sheet1", [6, 10, 6, 24, 11, 9, 10, 14, 14, 8, 16, 12, 30])
    bk.title_row(ws, 0, "市卫健委机关党委党员名册（截至2026年10月31日）", len(headers))
    bk.row(ws, 1, headers, bk.head)
    r = 2
    for m in s.members:
        if m.branch.unit != "市卫健委" or m.end_status == "missing":
            continue
        status, note, moved_in, moved_out = "正常", "", None, None
        if m.end_status == "转出":
            status, note, moved_out = "转出", "组织关系转至市疾控中心党支部", m.end
        elif not m.in_main_roster:
            note, moved_in = "由市中医院党总支转入", m.start
        bk.row(ws, r, [r - 1, m.name, m.gender, m.branch.name, m.group, m.role, m.category, m.join_date,
                       m.code, status, moved_in, moved_out, note])
        r += 1
    paths.append(bk.close())
    return paths


def xuexi_title(start: date, end: date, variant: int) -> str:
    if variant == 1:
        return f"{start.year}年{start.month}月{start.day}日-{end.year}年{end.month}月{end.day}日"
    return f"统计时间：{start.isoformat()}至{end.isoformat()}"


def xuexi_rows(rows: list[XuexiRow], with_daily: bool) -> list[list]:
    out = []
    ordered = sorted(rows, key=lambda x: (x.department, -x.points))
    for i, x in enumerate(ordered, 1):
        line = [i, x.name, "激活" if x.activated else "未激活", x.department, x.points, x.interval_points,
                x.total_points]
        if with_daily:
            line.append(x.daily_question)
        out.append(line)
    return out


def sum_xuexi(months: list[list[XuexiRow]]) -> list[XuexiRow]:
    acc: dict[tuple[str, str, int], XuexiRow] = {}
    for rows in months:
        seen: dict[tuple[str, str], int] = {}
        for x in rows:
            k = seen.get((x.name, x.department), 0)  # the two 王磊 share name and department
            seen[(x.name, x.department)] = k + 1
            key = (x.name, x.department, k)
            if key in acc:
                a = acc[key]
                acc[key] = XuexiRow(x.name, x.department, x.activated, a.points + x.points,
                                    a.interval_points + x.interval_points, x.total_points,
                                    a.daily_question + x.daily_question)
            else:
                acc[key] = XuexiRow(**vars(x))
    return list(acc.values())


def write_xuexi(rng: random.Random, s: Sample) -> list[Path]:
    """Monthly exports Jan–Sep (xlsx) and Oct (UTF-8-BOM csv), quarterly exports Q1–Q3."""
    paths = []
    headers = ["序号", "姓名", "是否激活", "部门", "计入年度积分", "区间积分", "总积分"]
    periods = list(s.xuexi)
    for (start, end) in periods:
        rows = s.xuexi[(start, end)]
        with_daily = start.month in (4, 5, 6)
        variant = 1 if start.month in (7, 8, 9) else 0
        hdr = headers + (["每日一题"] if with_daily else [])
        if start.month == 10:
            path = OUT_DIR / "学习强国_2026-10.csv"
            with open(path, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow([xuexi_title(start, end, 0)] + [""] * (len(hdr) - 1))
                w.writerow(hdr)
                w.writerows(xuexi_rows(rows, with_daily))
            paths.append(path)
            continue
        bk = Book(f"学习强国_{start:%Y-%m}.xlsx", "学员详细数据")
        ws = bk.sheet("学员详细数据", [6, 10, 9, 46, 12, 10, 10, 9])
        r = 0
        if start.month in (2, 5):
            ws.write_string(0, 0, "学员 › 详细数据", bk.note)
            r = 1
        ws.write_string(r, 0, xuexi_title(start, end, variant), bk.note)
        bk.row(ws, r + 1, hdr, bk.head)
        for i, line in enumerate(xuexi_rows(rows, with_daily)):
            bk.row(ws, r + 2 + i, line)
        paths.append(bk.close())
    for q in (1, 2, 3):
        months = [s.xuexi[p] for p in periods if quarter_of(p[0]) == q]
        start, end = date(YEAR, 3 * q - 2, 1), month_end(YEAR, 3 * q)
        bk = Book(f"学习强国_{YEAR}Q{q}.xlsx", "学员详细数据")
        ws = bk.sheet("Sheet1", [6, 10, 9, 46, 12, 10, 10, 9])
        ws.write_string(0, 0, xuexi_title(start, end, 0), bk.note)
        bk.row(ws, 1, headers + ["每日一题"], bk.head)
        for i, line in enumerate(xuexi_rows(sum_xuexi(months), True)):
            bk.row(ws, 2 + i, line)
        paths.append(bk.close())
    return paths


LEDGER_HEADERS = {
    "A": ["序号", "日期", "党支部", "活动类型", "主题", "党小组", "主讲人", ("参会情况", ["应到人数", "实到人数"]),
          "缺席人员", "请假人员", "天数", "备注"],
    "B": ["序号", "召开时间", "支部名称", "会议类型", "会议主题", "党小组", "主讲人", ("参会情况", ["应到", "实到"]),
          "缺席", "请假", "天数", "备注"],
}
LEDGER_WIDTHS = [5, 14, 24, 12, 34, 11, 16, 8, 8, 22, 18, 6, 12]


def ledger_header(bk: Book, ws, r: int, variant: str) -> int:
    """Two header rows: 参会情况 merged over its two columns, other labels merged vertically."""
    c = 0
    for h in LEDGER_HEADERS[variant]:
        if isinstance(h, tuple):
            ws.merge_range(r, c, r, c + 1, h[0], bk.head)
            for k, sub in enumerate(h[1]):
                ws.write_string(r + 1, c + k, sub, bk.head)
            c += 2
        else:
            ws.merge_range(r, c, r + 1, c, h, bk.head)
            c += 1
    return r + 2


def ledger_line(rng: random.Random, a: Activity, style: dict, seq: int) -> list:
    raw = a.type
    if raw in TYPE_SYNONYMS:
        options = TYPE_SYNONYMS[raw]
        raw = options[0] if rng.random() < 0.65 else rng.choice(options)
    date_cell = render_date(rng, a.date, style["date"], style.get("month_day", False))

    def names(lst: list[str]) -> str:
        lst = [pad_name(n) if style.get("pad") and rng.random() < 0.5 else n for n in lst]
        if not lst:
            return "无" if style.get("none_word") and a.expected is not None and rng.random() < 0.5 else ""
        return join_names(rng, lst, allow_space=not style.get("pad"))

    def count(v):
        if v is None:
            return None
        if style.get("fullwidth") and rng.random() < 0.08:
            return fullwidth(v)
        return num_with_unit(rng, v, "人", 0.3 if style.get("with_units") else 0.02)

    days = a.days
    if days is not None and rng.random() < 0.3:
        days = f"{days:g}天"
    return [seq, date_cell, a.branch.name, raw, a.topic, a.group, a.speaker, count(a.expected), count(a.present),
            names(a.absent), names(a.on_leave), days, ""]


def write_ledger_sheet(rng: random.Random, bk: Book, ws, title: str, acts: list[Activity], style: dict,
                       filler: str, fill_date: date) -> None:
    ncols = 13
    bk.title_row(ws, 0, title, ncols)
    r = ledger_header(bk, ws, 1, style["header"])
    first = r
    seq = 0
    sums = [0, 0]
    prev_branch = None
    for a in acts:
        if prev_branch and a.branch.name != prev_branch:
            if style.get("subtotal"):
                bk.row(ws, r, ["", "小计", prev_branch, "", "", "", "", sums[0], sums[1]] + [""] * 4, bk.bold)
                r += 1
                sums = [0, 0]
            if style.get("blank_rows") or style.get("layout") == "single" and rng.random() < 0.3:
                r += 1
        prev_branch = a.branch.name
        seq += 1
        bk.row(ws, r, ledger_line(rng, a, style, seq))
        if a.expected is not None:
            sums[0] += a.expected
            sums[1] += a.present
        if style.get("blank_rows") and rng.random() < 0.04:
            r += 1  # a stray blank row inside a branch's block
        r += 1
    if style.get("subtotal") and prev_branch:
        bk.row(ws, r, ["", "小计", prev_branch, "", "", "", "", sums[0], sums[1]] + [""] * 4, bk.bold)
        r += 1
    total_e = sum(a.expected for a in acts if a.expected is not None)
    total_p = sum(a.present for a in acts if a.expected is not None)
    bk.row(ws, r, ["", "合计", f"共{seq}次活动", "", "", "", ""] + [""] * 6, bk.bold)
    if style.get("formula_total"):
        for c, v in ((7, total_e), (8, total_p)):
            top, bottom = xl_rowcol_to_cell(first, c), xl_rowcol_to_cell(r - 1, c)
            ws.write_formula(r, c, f"=SUM({top}:{bottom})", bk.bold, v)
    else:
        bk.put(ws, r, 7, total_e, bk.bold)
        bk.put(ws, r, 8, total_p, bk.bold)
    reviewer = f"{acts[0].branch.unit_org}办公室" if acts else ""
    ws.write_string(r + 2, 0, f"填表人：{filler}　　审核人：{reviewer}　　填报日期：{fmt_cn_date(fill_date)}",
                    bk.note)
    ws.freeze_panes(3, 2)


def write_ledgers(rng: random.Random, s: Sample) -> list[Path]:
    """组织生活台账: one workbook per ledger unit (市财政局: one per half-year; 市卫健委: sheet per branch)."""
    paths = []
    for unit, org, _, keeping in UNITS:
        if keeping != "ledger":
            continue
        style = LEDGER_STYLES[unit]
        acts = [a for a in s.activities if a.branch.unit == unit and a.on_ledger]
        filler = next(m.name for m in s.members if m.branch.unit == unit and m.role == "委员")
        if style["layout"] == "half":
            for half, label, months, fill in ((1, "上半年", range(1, 7), date(2026, 7, 6)),
                                              (2, "下半年", range(7, 13), DATA_END)):
                bk = Book(f"组织生活台账_{unit}_{YEAR}{label}.xlsx", f"{unit}组织生活台账")
                ws = bk.sheet(f"{YEAR}{label}", LEDGER_WIDTHS)
                write_ledger_sheet(rng, bk, ws, f"{unit}{YEAR}年{label}组织生活台账",
                                   [a for a in acts if a.date.month in months], style, filler, fill)
                paths.append(bk.close())
        elif style["layout"] == "per_branch":
            bk = Book(f"组织生活台账_{unit}_{YEAR}.xlsx", f"{unit}组织生活台账")
            for br in [b for b in s.branches if b.unit == unit]:
                ws = bk.sheet(br.suffix, LEDGER_WIDTHS)
                write_ledger_sheet(rng, bk, ws, f"{br.name}{YEAR}年组织生活台账",
                                   [a for a in acts if a.branch is br], style, filler, DATA_END)
            paths.append(bk.close())
        else:
            bk = Book(f"组织生活台账_{unit}_{YEAR}.xlsx", f"{unit}组织生活台账")
            ws = bk.sheet("台账", LEDGER_WIDTHS)
            write_ledger_sheet(rng, bk, ws, f"{unit}{YEAR}年组织生活台账", acts, style, filler, DATA_END)
            paths.append(bk.close())
    return paths


# The counts-only units: month label style, extra type columns, last month reported.
#  subtotal: "period" writes ``第一季度小计`` in the 月份 column, "seq" writes ``小计`` in 序号 and the
#  quarter (``一季度``) in 月份, None writes no subtotal rows.
COUNTS_STYLES = {
    "市商务局": dict(month="cn", extra=[], last=10, subtotal="period"),
    "市人社局": dict(month="iso", extra=["警示教育", "组织生活会", "民主评议"], last=11, subtotal=None),
    "市统计局": dict(month="short", extra=["警示教育"], last=10, subtotal="seq"),
}
COUNT_COLUMNS = ["支部党员大会", "支委会", "党小组会", "党课", "主题党日", "集中学习"]
COUNT_CANON = {"支委会": "支部委员会", "民主评议": "民主评议党员"}


def write_counts(rng: random.Random, s: Sample) -> list[Path]:
    """组织生活开展情况统计表 for the units that keep only counts: one row per branch per month."""
    paths = []
    for unit, style in COUNTS_STYLES.items():
        types = COUNT_COLUMNS + style["extra"]
        headers = ["序号", "党支部", "月份"] + types + ["应到人次", "实到人次", "备注"]
        bk = Book(f"组织生活统计表_{unit}_{YEAR}.xlsx", f"{unit}组织生活开展情况统计表")
        ws = bk.sheet("统计表", [5, 24, 11] + [8] * len(types) + [9, 9, 16])
        bk.title_row(ws, 0, f"{unit}{YEAR}年组织生活开展情况统计表", len(headers))
        org = next(u[1] for u in UNITS if u[0] == unit)
        ws.write_string(1, 0, f"填报单位：{unit}{org}　　　　单位：次、人次", bk.note)
        bk.row(ws, 2, headers, bk.head)
        r, seq = 3, 0
        branches = [b for b in s.branches if b.unit == unit]
        totals = [0] * (len(types) + 2)
        for br in branches:
            qsum = [0] * (len(types) + 2)
            for month in range(1, style["last"] + 1):
                acts = [a for a in s.activities if a.branch is br and a.date.month == month]
                vals = [sum(1 for a in acts if a.type == COUNT_CANON.get(t, t)) for t in types]
                att = [a for a in acts if a.expected is not None]
                vals += [sum(a.expected for a in att), sum(a.present for a in att)]
                qsum = [x + y for x, y in zip(qsum, vals)]
                totals = [x + y for x, y in zip(totals, vals)]
                seq += 1
                label = {"cn": f"{YEAR}年{month}月", "iso": f"{YEAR}-{month:02d}", "short": f"{month}月"}[style["month"]]
                cells = []
                for k, v in enumerate(vals):
                    if v == 0 and k < len(types):
                        cells.append(None if rng.random() < 0.5 else 0)
                    elif k < len(types) and rng.random() < 0.1:
                        cells.append(f"{v}次")
                    elif k >= len(types) and rng.random() < 0.1:
                        cells.append(fullwidth(v))
                    else:
                        cells.append(v)
                note = "11月数据截至20日" if month == 11 else ""
                bk.row(ws, r, [seq, br.name, label] + cells + [note])
                r += 1
                if style["subtotal"] and month % 3 == 0:
                    quarter = "一二三四"[month // 3 - 1]
                    head = (["", br.name, f"第{quarter}季度小计"] if style["subtotal"] == "period"
                            else ["小计", "", f"{quarter}季度"])
                    bk.row(ws, r, head + qsum + [""], bk.bold)
                    qsum = [0] * (len(types) + 2)
                    r += 1
        bk.row(ws, r, ["合计", "", ""] + totals + [""], bk.bold)
        filler = next(m.name for m in s.members if m.branch.unit == unit and m.role == "书记")
        ws.write_string(r + 2, 0, f"填表人：{filler}　　联系电话：0000-12345678", bk.note)
        ws.freeze_panes(3, 3)
        paths.append(bk.close())
    return paths


STUDY_HEADERS = ["序号", "姓名", "所在支部", "学习日期", "学习形式", "学习内容", "学时"]


def hours_cell(rng: random.Random, h: float):
    return f"{h:g}小时" if rng.random() < 0.3 else h


BRANCH_ORDER = {unit + suffix: i for i, (unit, suffix, _, _) in enumerate(BRANCHES)}


def study_sort_key(x: StudyRow):
    return (BRANCH_ORDER[x.branch.name], x.date, x.form, x.member_name)


def write_study(rng: random.Random, s: Sample) -> list[Path]:
    """学习记录: a multi-sheet xlsx (one sheet per unit), 市教育局 as GB18030 csv, 市审计局 as .xls."""
    paths = []
    rows = [x for x in s.study if x.form != "知识测试"]
    special = {"市教育局", "市审计局"}

    bk = Book(f"学习记录_{YEAR}.xlsx", "党员学习记录")
    for unit, *_ in UNITS:
        if unit in special:
            continue
        urows = sorted([x for x in rows if x.branch.unit == unit], key=study_sort_key)
        ws = bk.sheet(unit, [6, 10, 24, 12, 10, 34, 8])
        bk.title_row(ws, 0, f"{unit}{YEAR}年党员学习记录", len(STUDY_HEADERS))
        bk.row(ws, 1, STUDY_HEADERS, bk.head)
        for i, x in enumerate(urows, 1):
            bk.row(ws, i + 1, [i, x.member_name, x.branch.name, x.date, x.form, x.content, hours_cell(rng, x.hours)])
    paths.append(bk.close())

    # 市教育局: csv as Chinese Excel saves it (GB18030), title line first, dates as text.
    path = OUT_DIR / "学习记录_市教育局.csv"
    urows = sorted([x for x in rows if x.branch.unit == "市教育局"], key=study_sort_key)
    with open(path, "w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(["市教育局2026年党员学习记录", "", "", "", "", ""])
        w.writerow(["姓名", "所在支部", "日期", "学习形式", "学习内容", "时长"])
        for x in urows:
            d = rng.choice([x.date.isoformat(), f"{x.date.year}/{x.date.month}/{x.date.day}"])
            w.writerow([x.member_name, x.branch.name, d, x.form, x.content, f"{x.hours:g}小时"])
    paths.append(path)

    # 市审计局: legacy .xls (xlwt).
    path = OUT_DIR / "学习记录_市审计局.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("学习记录")
    title = xlwt.easyxf("font: bold on, height 280; align: horiz center")
    head = xlwt.easyxf("font: bold on; borders: left thin, right thin, top thin, bottom thin; align: horiz center")
    cell = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin")
    dcell = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str="YYYY-MM-DD")
    ws.write_merge(0, 0, 0, len(STUDY_HEADERS) - 1, "市审计局2026年党员学习记录", title)
    for c, h in enumerate(STUDY_HEADERS):
        ws.write(1, c, h, head)
    urows = sorted([x for x in rows if x.branch.unit == "市审计局"], key=study_sort_key)
    for i, x in enumerate(urows, 1):
        d = datetime(x.date.year, x.date.month, x.date.day) if rng.random() < 0.85 else fmt_cn_date(x.date)
        vals = [i, x.member_name, x.branch.name, d, x.form, x.content, hours_cell(rng, x.hours)]
        for c, v in enumerate(vals):
            ws.write(i + 1, c, v, dcell if isinstance(v, datetime) else cell)
    for c, w in enumerate([6, 10, 24, 12, 10, 34, 8]):
        ws.col(c).width = 256 * w
    wb.save(str(path))
    paths.append(path)

    # Knowledge tests with scores (成绩 sometimes as ``85分``).
    bk = Book(f"知识测试成绩_{YEAR}.xlsx", "知识测试成绩")
    ws = bk.sheet("成绩汇总", [6, 10, 24, 12, 10, 30, 8])
    headers = ["序号", "姓名", "所在支部", "日期", "学习形式", "学习内容", "成绩"]
    bk.title_row(ws, 0, f"{YEAR}年市直机关党员知识测试成绩汇总", len(headers))
    bk.row(ws, 1, headers, bk.head)
    quiz = sorted([x for x in s.study if x.form == "知识测试"], key=lambda x: (x.date, x.branch.name, x.member_name))
    for i, x in enumerate(quiz, 1):
        bk.row(ws, i + 1, [i, x.member_name, x.branch.name, x.date, x.form, x.content,
                           num_with_unit(rng, x.score, "分", 0.25)])
    paths.append(bk.close())
    return paths


def write_records(rng: random.Random, s: Sample) -> list[Path]:
    """其他台账: honours, publications, duty records, trainings; and the 廉政风险点 register."""
    rec = s.records
    bk = Book(f"其他台账_{YEAR}.xlsx", "其他台账")
    ws = bk.sheet("表彰", [6, 8, 24, 10, 24, 8, 14, 14])
    headers = ["序号", "类别", "称号", "姓名", "所在支部", "级别", "日期", "授予单位"]
    bk.title_row(ws, 0, f"{YEAR}年度党员和党组织表彰情况", len(headers))
    bk.row(ws, 1, headers, bk.head)
    for i, h in enumerate(rec["honours"], 1):
        d = h["date"] if i % 4 else fmt_cn_date(h["date"])
        bk.row(ws, i + 1, [i, h["category"], h["title"], h["person"], h["branch"], h["level"], d, h["issuer"]])

    ws = bk.sheet("文章及网站录用", [6, 10, 36, 10, 24, 18, 8, 12, 8])
    headers = ["序号", "类别", "题目", "姓名", "所在支部", "刊物（网站）", "级别", "日期", "数量"]
    bk.title_row(ws, 0, f"{YEAR}年度发表文章及网站录用情况", len(headers))
    bk.row(ws, 1, headers, bk.head)
    r = 2
    for i, w in enumerate(rec["writings"], 1):
        if i > 1 and w["category"] != rec["writings"][i - 2]["category"]:
            r += 1  # blank row between the two blocks
        bk.row(ws, r, [i, w["category"], w["title"], w["person"], w["branch"], w["outlet"], w["level"],
                       w["date"], w["quantity"]])
        r += 1

    ws = bk.sheet("履责纪实", [6, 10, 22, 24, 12, 8])
    headers = ["序号", "类别", "内容", "所在支部", "日期", "数量"]
    bk.title_row(ws, 0, f"{YEAR}年度履责纪实登记", len(headers))
    bk.row(ws, 1, headers, bk.head)
    for i, d in enumerate(rec["duties"], 1):
        bk.row(ws, i + 1, [i, d["category"], d["title"], d["branch"], d["date"], d["quantity"]])
    total = sum(int(d["quantity"].rstrip("条")) for d in rec["duties"])
    bk.row(ws, len(rec["duties"]) + 2, ["合计", "", "", "", "", f"{total}条"], bk.bold)

    ws = bk.sheet("培训", [6, 8, 34, 10, 24, 8, 12, 8])
    headers = ["序号", "类别", "名称", "姓名", "所在支部", "级别", "日期", "天数"]
    bk.title_row(ws, 0, f"{YEAR}年度党员教育培训情况", len(headers))
    bk.row(ws, 1, headers, bk.head)
    for i, t in enumerate(rec["trainings"], 1):
        bk.row(ws, i + 1, [i, t["category"], t["title"], t["person"], t["branch"], t["level"], t["date"],
                           t["quantity"]])
    paths = [bk.close()]

    bk = Book(f"廉政风险点台账_{YEAR}.xlsx", "廉政风险点排查")
    ws = bk.sheet("风险点", [6, 10, 24, 18, 8, 40, 10, 14])
    headers = ["序号", "类别", "所在支部", "内容", "风险等级", "防范措施", "责任人", "日期"]
    bk.title_row(ws, 0, f"{YEAR}年度廉政风险点排查及防范措施台账", len(headers))
    bk.row(ws, 1, headers, bk.head)
    for i, k in enumerate(rec["risks"], 1):
        d = k["date"] if i % 3 else f"{k['date'].year}.{k['date'].month}.{k['date'].day}"
        bk.row(ws, i + 1, [i, k["category"], k["branch"], k["title"], k["grade"], k["measure"], k["person"], d])
    ws.write_string(len(rec["risks"]) + 3, 0, "填表说明：风险等级分一级（高）、二级（中）、三级（低）。", bk.note)
    paths.append(bk.close())
    return paths


def write_targets(rng: random.Random, s: Sample) -> list[Path]:
    """目标_2026.xlsx: the defaults written out, plus 警示教育 once a quarter for 在职 branches."""
    rows = [
        ("支部党员大会", "全部", "季度", 1, 1), ("支部委员会", "全部", "季度", 3, 1), ("党课", "全部", "季度", 1, 1),
        ("主题党日", "全部", "季度", 3, 1), ("集中学习", "全部", "季度", 3, 1), ("参会率", "在职", "季度", "90%", 1),
        ("参会率", "离退休", "季度", "80%", 1), ("学习强国参与率", "在职", "季度", "95%", 1),
        ("学习强国人均积分", "在职", "季度", 2700, 1), ("自学完成率", "全部", "季度", "100%", 1),
        ("组织生活会", "全部", "年度", 1, 1), ("民主评议党员", "全部", "年度", 1, 1), ("警示教育", "在职", "季度", 1, 1),
    ]
    bk = Book(f"目标_{YEAR}.xlsx", "季度目标")
    ws = bk.sheet("目标", [18, 10, 8, 10, 8])
    headers = ["指标", "支部类型", "期间", "目标值", "权重"]
    bk.title_row(ws, 0, f"{YEAR}年度机关党支部季度工作目标", len(headers))
    bk.row(ws, 1, headers, bk.head)
    for i, row in enumerate(rows):
        bk.row(ws, i + 2, list(row))
    ws.write_string(len(rows) + 3, 0, "说明：党小组会按每个党小组每季度3次计，沿用系统默认值。", bk.note)
    return [bk.close()]


def main() -> None:
    rng = random.Random(SEED)
    sample = build_sample(rng)
    paths: list[Path] = []
    for writer in (write_roster, write_xuexi, write_ledgers, write_counts, write_study, write_records,
                   write_targets):
        paths.extend(writer(rng, sample))
    total = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} files, {total / 1024:.0f} KiB in {OUT_DIR}")


if __name__ == "__main__":
    main()
