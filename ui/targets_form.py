"""The 目标设置 page's model: settings (the shape of domain/defaults.json) ↔ the editable table
and number fields, validation with Chinese messages, and the override dict that is saved."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import pandas as pd

from domain.vocabulary import BRANCH_TYPES
from services import settings as service

KIND_TEXT = {"count": "次数", "rate": "比率", "mean": "人均积分"}
PERIOD_TEXT = {"quarter": "每季度", "year": "每年度"}
TARGET_COLUMNS = {t: f"{t}目标" for t in BRANCH_TYPES}  # 在职目标, 离退休目标


@dataclass(frozen=True)
class Field:
    """One number field outside the indicator table: a path into the settings dict."""

    path: tuple[str, ...]
    label: str
    low: float
    high: float | None
    step: float
    help: str = ""

    @property
    def is_int(self) -> bool:
        return float(self.step).is_integer()


STATUS_FIELDS = [
    Field(("status", "indicator", "green"), "指标达标线（完成度）", 0, 1, 0.05, "完成度达到此值显示绿色"),
    Field(("status", "indicator", "yellow"), "指标预警线（完成度）", 0, 1, 0.05, "完成度达到此值显示黄色，低于显示红色"),
    Field(("status", "composite", "green"), "综合得分达标线", 0, 100, 1, "综合得分达到此值显示绿色"),
    Field(("status", "composite", "yellow"), "综合得分预警线", 0, 100, 1, "综合得分达到此值显示黄色，低于显示红色"),
]
LAGGING_FIELDS = [
    Field(("lagging", "xuexi_member_target"), "学习强国人均季度目标（分）", 0, None, 100,
          "按已过天数折算后用于判断积分偏低"),
    Field(("lagging", "xuexi_low_fraction"), "积分偏低比例", 0, 1, 0.05,
          "本季积分低于“折算目标×此比例”即预警"),
    Field(("lagging", "absent_threshold"), "无故缺席预警次数", 1, None, 1,
          "本季度无故缺席达到此次数即预警"),
]
POINTS_FIELDS = [
    Field(("points", "base"), "基础分", 0, None, 1),
    Field(("points", "attendance_cap"), "参加活动加分上限", 0, None, 1, "每参加1次活动加1分"),
    Field(("points", "study_cap"), "学习记录加分上限", 0, None, 1, "每条集中学习或自学记录加1分"),
    Field(("points", "xuexi_points_per_credit"), "学习强国每多少分加1分", 1, None, 100),
    Field(("points", "xuexi_cap"), "学习强国加分上限", 0, None, 1),
    Field(("points", "absence_penalty"), "每次无故缺席扣分", 0, None, 1),
    Field(("points", "floor"), "最低分", 0, None, 1),
    Field(("points", "levels", "优秀"), "“优秀”最低分", 0, None, 1),
    Field(("points", "levels", "合格"), "“合格”最低分", 0, None, 1),
    Field(("points", "levels", "基本合格"), "“基本合格”最低分", 0, None, 1),
]
FIELDS = STATUS_FIELDS + LAGGING_FIELDS + POINTS_FIELDS


def defaults() -> dict:
    return service.effective(None)


def effective(saved: dict | None) -> dict:
    """Defaults + the saved overrides, in the shape of defaults.json."""
    return service.effective(saved or {})


def get(settings: dict, path: tuple[str, ...]):
    node = settings
    for part in path:
        node = node[part]
    return node


def _set(settings: dict, path: tuple[str, ...], value) -> None:
    node = settings
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


SOURCE_TEXT = {"imported": "导入的目标表", "saved": "本页设置", "default": "默认"}


def _source(in_force: pd.DataFrame | None, key: str, field: str) -> dict[str, str]:
    """Per branch type: where the target (or weight) in force comes from."""
    if in_force is None:
        return {}
    rows = in_force[in_force["indicator"] == key]
    return dict(zip(rows["branch_type"], rows[f"{field}_source"]))


def indicator_frame(settings: dict, in_force: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator: key, label, kind, period, the target per branch type (blank = not
    applicable) and the weight **in force** for the quarter — an imported 目标 file wins over
    this page — with where each comes from (来源), and a note on how to fill it in."""
    forced = {} if in_force is None else {
        (r["indicator"], r["branch_type"]): r for r in in_force.to_dict("records")}
    rows = []
    for key, ind in settings["indicators"].items():
        targets = ind.get("target") or {}
        if not isinstance(targets, dict):
            targets = {t: targets for t in BRANCH_TYPES}
        note = {"rate": "比率：填0到1之间的小数，如90%填0.9", "mean": "每名党员本季度积分"}.get(
            ind.get("kind"), "次数")
        if ind.get("target_per_group"):
            note = "次数：每个党小组的次数（支部目标=此数×党小组数）"
        target_from, weight_from = _source(in_force, key, "target"), _source(in_force, key, "weight")
        shown = {t: forced[(key, t)]["target"] if (key, t) in forced else targets.get(t) for t in BRANCH_TYPES}
        weight = forced[(key, BRANCH_TYPES[0])]["weight"] if (key, BRANCH_TYPES[0]) in forced else ind.get("weight", 1)
        origins = [f"{t}：{SOURCE_TEXT[target_from[t]]}" for t in BRANCH_TYPES if target_from.get(t, "default") != "default"]
        if weight_from.get(BRANCH_TYPES[0], "default") != "default":
            origins.append(f"权重：{SOURCE_TEXT[weight_from[BRANCH_TYPES[0]]]}")
        rows.append({
            "key": key, "指标": ind.get("label", key), "类型": KIND_TEXT.get(ind.get("kind"), ""),
            "期间": PERIOD_TEXT.get(ind.get("period"), ""),
            **{TARGET_COLUMNS[t]: _number_or_none(shown[t]) for t in BRANCH_TYPES},
            "权重": _number_or_none(weight), "来源": "；".join(origins) or "默认", "填写说明": note,
        })
    return pd.DataFrame(rows)


def import_conflicts(shown: pd.DataFrame, edited: pd.DataFrame, in_force: pd.DataFrame) -> list[str]:
    """Edits of a target or weight that an imported 目标 file sets: they would not take effect,
    so they are refused, saying why and what to do instead."""
    errors = []
    for before, after in zip(shown.to_dict("records"), edited.to_dict("records")):
        key = before["key"]
        target_from, weight_from = _source(in_force, key, "target"), _source(in_force, key, "weight")
        changed = [t for t in BRANCH_TYPES if target_from.get(t) == "imported"
                   and not _same(before[TARGET_COLUMNS[t]], after[TARGET_COLUMNS[t]])]
        if weight_from.get(BRANCH_TYPES[0]) == "imported" and not _same(before["权重"], after["权重"]):
            changed.append("权重")
        if changed:
            errors.append(f"「{before['指标']}」的{'、'.join(c if c == '权重' else c + '支部目标' for c in changed)}"
                          "来自导入的目标表，在本页修改不会生效：请导入新的目标表，或在「数据导入」页撤销该目标表的批次后再在本页修改。")
    return errors


def _number_or_none(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def validate(table: pd.DataFrame, settings: dict,
             values: dict[tuple[str, ...], float]) -> list[str]:
    """Chinese messages, one per problem (row numbers as the table shows them, from 1)."""
    errors = []
    for number, row in enumerate(table.to_dict("records"), start=1):
        label = row["指标"]
        kind = settings["indicators"][row["key"]].get("kind")
        for btype in BRANCH_TYPES:
            value = _number_or_none(row[TARGET_COLUMNS[btype]])
            if value is None:
                continue
            if value < 0:
                errors.append(f"第{number}行「{label}」：{btype}目标不能为负数。")
            elif kind == "rate" and value > 1:
                errors.append(f"第{number}行「{label}」：{btype}目标是比率，应在0到1之间（如90%填0.9）。")
        weight = _number_or_none(row["权重"])
        if weight is None:
            errors.append(f"第{number}行「{label}」：权重不能为空（不计分请填0）。")
        elif weight < 0:
            errors.append(f"第{number}行「{label}」：权重不能为负数。")
    weights = [_number_or_none(w) for w in table["权重"]]
    if weights and all(w is not None and w == 0 for w in weights):
        errors.append("所有指标的权重都为0，无法计算综合得分。")
    for field in FIELDS:
        value = values.get(field.path)
        if value is None:
            errors.append(f"「{field.label}」不能为空。")
        elif value < field.low or (field.high is not None and value > field.high):
            upper = f"到{field.high:g}之间" if field.high is not None else "及以上"
            errors.append(f"「{field.label}」应在{field.low:g}{upper}。")
    pairs = [(("status", "indicator", "yellow"), ("status", "indicator", "green")),
             (("status", "composite", "yellow"), ("status", "composite", "green")),
             (("points", "levels", "合格"), ("points", "levels", "优秀")),
             (("points", "levels", "基本合格"), ("points", "levels", "合格"))]
    labels = {f.path: f.label for f in FIELDS}
    for low, high in pairs:
        both = values.get(low) is not None and values.get(high) is not None
        if both and values[low] > values[high]:
            errors.append(f"「{labels[low]}」不能高于「{labels[high]}」。")
    return errors


def apply_edits(settings: dict, table: pd.DataFrame, values: dict[tuple[str, ...], float],
                in_force: pd.DataFrame | None = None) -> dict:
    """A copy of ``settings`` with the table's targets and weights and the number fields. Cells an
    imported 目标 file sets keep the page's own value (the table shows the imported one)."""
    out = copy.deepcopy(settings)
    for row in table.to_dict("records"):
        ind = out["indicators"][row["key"]]
        target_from, weight_from = _source(in_force, row["key"], "target"), _source(in_force, row["key"], "weight")
        old = ind.get("target") or {}
        old = old if isinstance(old, dict) else {t: old for t in BRANCH_TYPES}
        ind["target"] = {t: old.get(t) if target_from.get(t) == "imported" else _clean(row[TARGET_COLUMNS[t]])
                         for t in BRANCH_TYPES}
        if weight_from.get(BRANCH_TYPES[0]) != "imported":
            ind["weight"] = _clean(row["权重"])
    for field in FIELDS:
        if field.path in values:
            value = values[field.path]
            _set(out, field.path, int(value) if field.is_int else float(value))
    return out


def _clean(value):
    number = _number_or_none(value)
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def overrides(base: dict, settings: dict) -> dict:
    """The smallest dict that ``load_config(overrides=...)`` turns ``base`` into ``settings``."""
    out = {}
    for key, value in settings.items():
        if key not in base:
            out[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(base[key], dict):
            inner = overrides(base[key], value)
            if inner:
                out[key] = inner
        elif not _same(base[key], value):
            out[key] = copy.deepcopy(value)
    return out


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return a == b


def changes(old: dict, new: dict) -> list[str]:
    """What differs between two settings dicts, in words: 支部委员会·在职目标 3 → 4."""
    out = []
    for key, ind in new["indicators"].items():
        before = old["indicators"].get(key, {})
        label = ind.get("label", key)
        for btype in BRANCH_TYPES:
            a = _number_or_none((before.get("target") or {}).get(btype))
            b = _number_or_none((ind.get("target") or {}).get(btype))
            if a != b:
                out.append(f"{label}·{btype}目标 {_text(a)} → {_text(b)}")
        a, b = _number_or_none(before.get("weight")), _number_or_none(ind.get("weight"))
        if a != b:
            out.append(f"{label}·权重 {_text(a)} → {_text(b)}")
    for field in FIELDS:
        a, b = _number_or_none(get(old, field.path)), _number_or_none(get(new, field.path))
        if a != b:
            out.append(f"{field.label} {_text(a)} → {_text(b)}")
    return out


def _text(value: float | None) -> str:
    return "不适用" if value is None else f"{value:g}"


def field_values(settings: dict) -> dict[tuple[str, ...], float]:
    return {f.path: float(get(settings, f.path)) for f in FIELDS}


def imported_table(targets: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """Rows of imported 目标 files as the page lists them."""
    labels = {k: v.get("label", k) for k, v in settings["indicators"].items()}
    return pd.DataFrame({
        "指标": targets["indicator"].map(lambda k: labels.get(k, str(k).removeprefix("type:"))),
        "支部类型": targets["branch_type"].fillna("全部"),
        "期间": targets["period_kind"].fillna(""),
        "目标值": targets["target"], "权重": targets["weight"],
        "适用季度": targets["quarter"].fillna("所有季度"),
    })
