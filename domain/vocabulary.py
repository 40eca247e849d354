"""The words of party work: canonical values, their synonyms as cells write them (keys are
normalised text), and the labels every surface shows for stored codes."""

from __future__ import annotations

from domain.names import normalize_name

# Canonical activity types (DOMAIN.md §3.3), canonical name first, then synonyms.
ACTIVITY_TYPES: dict[str, list[str]] = {
    "支部党员大会": ["党员大会"],
    "支部委员会": ["支委会", "支部委员会会议", "支委会会议"],
    "党小组会": ["党小组会议"],
    "党课": ["上党课", "专题党课", "讲党课"],
    "主题党日": ["主题党日活动"],
    "组织生活会": [],
    "民主评议党员": ["民主评议"],
    "集中学习": ["集中理论学习", "理论学习"],
    "谈心谈话": [],
    "志愿服务": [],
    "警示教育": [],
    "政治生日": [],
    "廉情分析会": [],
}
OTHER_ACTIVITY_TYPE = "其他"
COMMITTEE_MEETING = "支部委员会"
GROUP_MEETING = "党小组会"
STUDY_SESSION = "集中学习"  # an activity type and a study form: the 集中学习 indicator counts both
SELF_STUDY = "自学"

STUDY_FORMS = ("集中学习", "自学", "专题交流", "参观学习", "专题宣讲", "知识测试")

BRANCH_TYPES = ("在职", "离退休")
IN_SERVICE, RETIRED = BRANCH_TYPES
_RETIRED_WORDS = ("退休", "离休")


def branch_type_of(branch_name: str) -> str:
    """The type of a branch whose roster does not say: 离退休 when its name has 退休 or 离休."""
    return RETIRED if any(w in (branch_name or "") for w in _RETIRED_WORDS) else IN_SERVICE


# Member status codes stored in the database; the UI shows the Chinese label.
MEMBER_STATUS_LABELS = {
    "active": "正常",
    "transferred": "转出",
    "deceased": "去世",
    "missing": "不在最新名册",
}
# red / yellow / green of an indicator or a branch, as every page, packet and export words it
STATUS_LABELS = {"green": "达标", "yellow": "预警", "red": "落后"}
# 整改 (rectification) tasks
TASK_STATUSES = ("open", "done")
TASK_STATUS_LABELS = {"open": "整改中", "done": "已完成"}
NO_TASK = "未建任务"
# why a member is flagged on 党员预警 (DOMAIN §5), in this order
REASON_CODES = ("xuexi_zero", "xuexi_low", "absent", "no_self_study", "ambiguous")
REASON_LABELS = {
    "xuexi_zero": "学习强国零积分",
    "xuexi_low": "学习强国积分偏低",
    "absent": "无故缺席",
    "no_self_study": "自学未完成",
    "ambiguous": "同名待核实",
}

ACTIVITY_TYPE_BY_LABEL: dict[str, str] = {
    normalize_name(label): canonical
    for canonical, synonyms in ACTIVITY_TYPES.items()
    for label in (canonical, *synonyms)
}
_TYPE_PREFIXES = ("召开", "开展", "组织", "举行", "举办", "参加")
_TYPE_SUFFIXES = ("活动", "会议")


def activity_type(text: str) -> str | None:
    """``支委会`` → ``支部委员会``; also ``召开支委会``, ``主题党日活动``. None when unknown."""
    key = normalize_name(text)
    candidates = [key]
    for prefix in _TYPE_PREFIXES:
        if key.startswith(prefix):
            candidates.append(key[len(prefix):])
    for base in list(candidates):
        for suffix in _TYPE_SUFFIXES:
            if base.endswith(suffix):
                candidates.append(base[: -len(suffix)])
    return next((ACTIVITY_TYPE_BY_LABEL[c] for c in candidates if c in ACTIVITY_TYPE_BY_LABEL), None)


STUDY_FORM_BY_LABEL: dict[str, str] = {form: form for form in STUDY_FORMS} | {
    "集中理论学习": "集中学习", "理论学习": "集中学习", "集体学习": "集中学习",
    "个人自学": "自学", "自主学习": "自学", "个人学习": "自学",
    "专题交流讨论": "专题交流", "交流研讨": "专题交流", "专题研讨": "专题交流", "研讨交流": "专题交流",
    "专题讨论": "专题交流", "交流讨论": "专题交流",
    "实地参观学习": "参观学习", "实地参观": "参观学习", "参观": "参观学习", "现场教学": "参观学习",
    "宣讲": "专题宣讲", "收听收看专题宣讲": "专题宣讲", "收听收看": "专题宣讲",
    "测试": "知识测试", "知识测验": "知识测试", "考试": "知识测试", "知识竞赛": "知识测试",
    "网络测试": "知识测试", "闭卷测试": "知识测试",
}

BRANCH_TYPE_BY_LABEL = {
    "在职": "在职", "在职党员": "在职", "在职人员": "在职", "在职支部": "在职", "在职党支部": "在职",
    "离退休": "离退休", "退休": "离退休", "离休": "离退休", "离退休党员": "离退休", "退休党员": "离退休",
    "离退休人员": "离退休", "退休人员": "离退休", "离退休支部": "离退休", "离退休党支部": "离退休",
}
TARGET_BRANCH_TYPE_BY_LABEL = BRANCH_TYPE_BY_LABEL | {
    "全部": "全部", "所有": "全部", "全体": "全部", "通用": "全部", "不限": "全部", "所有支部": "全部",
}

STATUS_BY_LABEL = {
    "正常": "active", "在册": "active", "在籍": "active", "active": "active",
    "转出": "transferred", "已转出": "transferred", "组织关系转出": "transferred", "转走": "transferred",
    "transferred": "transferred",
    "去世": "deceased", "死亡": "deceased", "已故": "deceased", "病故": "deceased", "逝世": "deceased",
    "已去世": "deceased", "deceased": "deceased",
}

CATEGORY_BY_LABEL = {"正式党员": "正式党员", "正式": "正式党员", "预备党员": "预备党员", "预备": "预备党员"}


def role(text: str) -> str:
    """党内职务 → 书记 / 副书记 / 委员 / 党员 (metrics need exactly these); others kept as written."""
    if "副书记" in text:
        return "副书记"
    if "书记" in text:
        return "书记"
    if text.endswith("委员"):
        return "委员"
    if text in ("党员", "普通党员", "无", "-", "/"):
        return "党员"
    return text


ACTIVATED_BY_LABEL = {
    "激活": True, "已激活": True, "是": True, "true": True, "1": True, "y": True, "yes": True,
    "未激活": False, "否": False, "false": False, "0": False, "n": False, "no": False,
}

LEVEL_BY_LABEL = {
    "中央": "中央", "中央级": "中央", "国家级": "中央", "国家": "中央", "全国": "中央",
    "省级": "省级", "省": "省级", "省部级": "省级",
    "市级": "市级", "市": "市级", "地市级": "市级",
    "县级": "县级", "县": "县级", "区级": "县级", "县区级": "县级",
}

RECORD_CATEGORY_BY_LABEL = {
    "表彰": "表彰", "荣誉": "表彰", "获奖": "表彰", "表彰奖励": "表彰",
    "发表文章": "发表文章", "文章发表": "发表文章", "发表": "发表文章",
    "网站录用": "网站录用", "录用": "网站录用", "信息录用": "网站录用",
    "廉政风险点": "廉政风险点", "风险点": "廉政风险点", "廉政风险": "廉政风险点",
    "履责纪实": "履责纪实", "纪实": "履责纪实",
    "培训": "培训",
}
