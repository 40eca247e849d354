"""Targets, weights, thresholds and points rules: ``defaults.json`` + saved edits + imported targets.

Precedence, lowest first:
1. ``domain/defaults.json`` (DOMAIN.md §4–6);
2. ``overrides`` — a partial dict of the same shape, as the dashboard saves its settings page;
3. ``imported_targets`` — the ``targets`` frame: rows without ``quarter`` first, then rows for one
   quarter only; within each, ``全部`` rows before rows naming one branch type.

A target of ``null``/``None`` (or ≤ 0) means "not applicable" for that branch type. For
``group_meeting`` the target is *per 党小组*: a branch's target is that number × its groups.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from domain.indicators import (TYPE_PREFIX, IndicatorSpec, defaults, indicator_key,
                               spec_from_settings, type_indicator_settings)
from domain.periods import Quarter, parse_quarter
from domain.vocabulary import BRANCH_TYPES

ALL_TYPES = "全部"
_DEFAULTS_CACHE: dict[str, dict] = {}
_PERIODS = {"季度": "quarter", "quarter": "quarter", "年度": "year", "year": "year"}


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator (its ``spec`` from domain.indicators) with its targets and weight."""

    spec: IndicatorSpec
    targets: dict[str, float | None]
    weight: float

    def __getattr__(self, name: str):  # key, label, unit, kind, period, … of the spec
        if name.startswith("__") or "spec" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.spec, name)


@dataclass(frozen=True)
class TargetOverride:
    """One imported ``targets`` row, resolved to an indicator key."""

    indicator: str
    branch_type: str  # 在职 / 离退休 / 全部
    quarter: Quarter | None
    target: float | None  # None: keep the target
    weight: float | None  # None: keep the weight


@dataclass
class MetricsConfig:
    """Everything configurable about the figures. Build it with ``load_config``."""

    indicators: dict[str, IndicatorDef]
    status: dict[str, dict[str, float]]
    lagging: dict[str, float]
    points: dict[str, Any]
    imported: list[TargetOverride] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _settings: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- targets -------------------------------------------------------------------------------
    def indicator(self, key: str) -> IndicatorDef:
        return self.indicators[key]

    def resolve(self, key: str, branch_type: str, quarter: Quarter | str | None = None) -> tuple[float | None, float]:
        """(target, weight) of indicator ``key`` for a branch type in a quarter; target None = n/a."""
        ind = self.indicators[key]
        target = ind.targets.get(branch_type)
        weight = ind.weight
        q = parse_quarter(quarter) if quarter is not None else None
        general = [o for o in self.imported if o.quarter is None]
        specific = [o for o in self.imported if o.quarter is not None and o.quarter == q]
        for row in _by_specificity(general) + _by_specificity(specific):
            if row.indicator != key or row.branch_type not in (ALL_TYPES, branch_type):
                continue
            if row.target is not None:
                target = row.target
            if row.weight is not None:
                weight = row.weight
        if target is not None and (math.isnan(target) or target <= 0):
            target = None
        return target, weight

    def sources(self, key: str, branch_type: str, quarter: Quarter | str | None = None) -> tuple[str, str]:
        """Where the target and the weight in force come from: ``imported`` (an imported 目标
        file, which wins), ``saved`` (目标设置), or ``default`` (domain/defaults.json)."""
        q = parse_quarter(quarter) if quarter is not None else None
        rows = [o for o in self.imported if o.indicator == key and o.branch_type in (ALL_TYPES, branch_type)
                and (o.quarter is None or o.quarter == q)]
        base = _DEFAULTS_CACHE.setdefault("x", defaults())["indicators"].get(key, {})
        saved = self._settings.get("indicators", {}).get(key, {})

        def origin(field: str, imported: bool) -> str:
            if imported:
                return "imported"
            mine, theirs = saved.get(field), base.get(field)
            if field == "target":
                mine = mine.get(branch_type) if isinstance(mine, dict) else mine
                theirs = theirs.get(branch_type) if isinstance(theirs, dict) else theirs
            return "default" if mine is None or mine == theirs else "saved"

        return (origin("target", any(o.target is not None for o in rows)),
                origin("weight", any(o.weight is not None for o in rows)))

    def target_for(self, indicator: str, branch_type: str, quarter: Quarter | str | None = None) -> float | None:
        """The target of ``indicator`` for a branch type in a quarter; None when not applicable.

        For ``group_meeting`` this is the target per 党小组.
        """
        return self.resolve(indicator, branch_type, quarter)[0]

    def weight_for(self, indicator: str, branch_type: str, quarter: Quarter | str | None = None) -> float:
        return self.resolve(indicator, branch_type, quarter)[1]

    # -- thresholds ----------------------------------------------------------------------------
    def indicator_status(self, completion: float | None) -> str | None:
        """green / yellow / red for one completion ratio (None when not applicable)."""
        if completion is None or pd.isna(completion):
            return None
        th = self.status["indicator"]
        if completion >= th["green"] - 1e-9:
            return "green"
        return "yellow" if completion >= th["yellow"] - 1e-9 else "red"

    def composite_status(self, score: float | None) -> str | None:
        if score is None or pd.isna(score):
            return None
        th = self.status["composite"]
        if score >= th["green"] - 1e-9:
            return "green"
        return "yellow" if score >= th["yellow"] - 1e-9 else "red"

    def to_dict(self) -> dict[str, Any]:
        """The effective settings (defaults + overrides), in the shape of ``defaults.json``.

        Imported targets are not folded in: they live in the ``targets`` table. Feeding the result
        back as ``overrides`` reproduces this config.
        """
        return copy.deepcopy(self._settings)


def _by_specificity(rows: list[TargetOverride]) -> list[TargetOverride]:
    return [r for r in rows if r.branch_type == ALL_TYPES] + [r for r in rows if r.branch_type != ALL_TYPES]


def _deep_merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{what}应为数字，收到的是{value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}应为数字，收到的是{value!r}") from exc
    if math.isnan(number):
        return None
    if number < 0:
        raise ValueError(f"{what}不能为负数，收到的是{value!r}")
    return number


def _indicator_from_settings(key: str, raw: dict[str, Any]) -> IndicatorDef:
    spec = spec_from_settings(key, raw)
    raw_targets = raw.get("target") or {}
    if not isinstance(raw_targets, dict):  # one number for both branch types
        raw_targets = {t: raw_targets for t in BRANCH_TYPES}
    targets = {t: _number(raw_targets.get(t), f"指标「{spec.label}」{t}支部的目标值") for t in BRANCH_TYPES}
    weight = _number(raw.get("weight", 1), f"指标「{spec.label}」的权重")
    return IndicatorDef(spec=spec, targets=targets, weight=1.0 if weight is None else weight)

def _imported_rows(frame: pd.DataFrame, settings: dict[str, Any], warnings: list[str]) -> list[TargetOverride]:
    rows: list[TargetOverride] = []
    indicators = settings["indicators"]
    for rec in frame.to_dict("records"):
        text = rec.get("indicator")
        if text is None or pd.isna(text) or not str(text).strip():
            continue
        key = indicator_key(str(text), indicators)
        if key is None:
            warnings.append(f"目标表中的指标「{text}」无法识别，已忽略")
            continue
        btype = rec.get("branch_type")
        btype = ALL_TYPES if btype is None or pd.isna(btype) or not str(btype).strip() else str(btype).strip()
        if btype not in (ALL_TYPES, *BRANCH_TYPES):
            warnings.append(f"目标表中指标「{text}」的支部类型「{btype}」应为 在职/离退休/全部，已忽略该行")
            continue
        quarter_text = rec.get("quarter")
        quarter = None
        if quarter_text is not None and not pd.isna(quarter_text) and str(quarter_text).strip():
            try:
                quarter = parse_quarter(str(quarter_text))
            except ValueError as exc:
                warnings.append(f"目标表中指标「{text}」：{exc}，已忽略该行")
                continue
        try:
            target = _number(rec.get("target"), f"目标表中指标「{text}」的目标值")
            weight = _number(rec.get("weight"), f"目标表中指标「{text}」的权重")
        except ValueError as exc:
            warnings.append(f"{exc}，已忽略该行")
            continue
        period_raw = rec.get("period_kind")
        period = None
        if period_raw is not None and not pd.isna(period_raw):
            period = _PERIODS.get(str(period_raw).strip())
        if key.startswith(TYPE_PREFIX) and key not in indicators:
            indicators[key] = type_indicator_settings(key[len(TYPE_PREFIX):])
            if period is not None:
                indicators[key]["period"] = period
        elif period is not None and period != _PERIODS.get(indicators[key].get("period", "quarter")):
            warnings.append(
                f"目标表中指标「{text}」的期间与系统定义不一致（{indicators[key]['label']}按"
                f"{'年度' if indicators[key].get('period') == 'year' else '季度'}统计），已按系统定义处理"
            )
        rows.append(TargetOverride(key, btype, quarter, target, weight))
    return rows


def load_config(
    overrides: dict[str, Any] | None = None, imported_targets: pd.DataFrame | None = None
) -> MetricsConfig:
    """Build the config from ``defaults.json``, a partial ``overrides`` dict and a ``targets`` frame.

    ``overrides`` may add ``type:<活动类型>`` indicators too. Bad override values raise
    ``ValueError`` (Chinese); unusable ``targets`` rows are skipped and listed in ``.warnings``.
    """
    base = defaults()
    warnings: list[str] = []
    extra = copy.deepcopy(overrides or {})
    for key in list((extra.get("indicators") or {}).keys()):
        if key in base["indicators"]:
            continue
        value = extra["indicators"].pop(key)
        resolved = indicator_key(key, base["indicators"])
        if resolved is None or not isinstance(value, dict):
            warnings.append(f"设置中的指标「{key}」无法识别，已忽略")
            continue
        if resolved not in base["indicators"]:
            base["indicators"][resolved] = type_indicator_settings(resolved[len(TYPE_PREFIX):])
        extra["indicators"][resolved] = _deep_merge(extra["indicators"].get(resolved, {}), value)
    settings = _deep_merge(base, extra)

    effective = copy.deepcopy(settings)
    imported: list[TargetOverride] = []
    if imported_targets is not None and len(imported_targets):
        imported = _imported_rows(imported_targets, effective, warnings)
    indicators = {key: _indicator_from_settings(key, raw) for key, raw in effective["indicators"].items()}

    lagging = {k: float(v) for k, v in settings["lagging"].items()}
    status = {k: {kk: float(vv) for kk, vv in v.items()} for k, v in settings["status"].items()}
    return MetricsConfig(
        indicators=indicators, status=status, lagging=lagging, points=settings["points"],
        imported=imported, warnings=warnings, _settings=settings,
    )
