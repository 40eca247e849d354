"""The indicators of DOMAIN.md §4 — key, label, unit, kind, period, the activity type counted —
read from the one defaults file (``domain/defaults.json``), which also holds their default
targets and weights, the colour thresholds, the lagging and points rules and the work-report
figures. Loaders, metrics, pages and reports all take an indicator's words from here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from domain.names import normalize_name
from domain.vocabulary import activity_type

DEFAULTS_PATH = Path(__file__).with_name("defaults.json")
TYPE_PREFIX = "type:"  # ``type:警示教育``: a count indicator for an activity type without its own
KINDS = ("count", "rate", "mean")
UNITS = ("次", "率", "分")
# how an indicator kind is measured, as the one formatter (domain.formatting) writes it
UNIT_OF_KIND = {"count": "次", "rate": "率", "mean": "分"}


@cache
def _defaults_text() -> str:
    return DEFAULTS_PATH.read_text(encoding="utf-8")


def defaults() -> dict[str, Any]:
    """A fresh copy of ``defaults.json`` (callers may change it)."""
    return json.loads(_defaults_text())


@dataclass(frozen=True)
class IndicatorSpec:
    """What an indicator is (not its target): words, unit, kind, period, counted activity type."""

    key: str
    label: str
    short_label: str
    action: str  # verb for "还需<action>N次<short_label>"
    unit: str  # 次 / 率 / 分
    kind: str  # count / rate / mean
    period: str  # quarter / year
    activity_type: str | None
    per_group: bool = False  # target per 党小组

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def is_annual(self) -> bool:
        return self.period == "year"


_PERIODS = {"季度": "quarter", "quarter": "quarter", "年度": "year", "year": "year"}


def spec_from_settings(key: str, raw: dict[str, Any]) -> IndicatorSpec:
    """An indicator's spec from its entry in the settings (``defaults.json`` shape); raises
    ``ValueError`` (Chinese) for a kind, unit or period it cannot be."""
    label = str(raw.get("label") or key)
    kind = raw.get("kind", "count")
    unit = raw.get("unit", "次")
    period = _PERIODS.get(str(raw.get("period", "quarter")))
    if kind not in KINDS:
        raise ValueError(f"指标「{label}」的类型应为 count/rate/mean，收到的是{kind!r}")
    if unit not in UNITS:
        raise ValueError(f"指标「{label}」的单位应为 次/率/分，收到的是{unit!r}")
    if period is None:
        raise ValueError(f"指标「{label}」的期间应为 quarter/year，收到的是{raw.get('period')!r}")
    return IndicatorSpec(key=key, label=label, short_label=str(raw.get("short_label") or label),
                         action=str(raw.get("action") or ""), unit=unit, kind=kind, period=period,
                         activity_type=raw.get("activity_type"),
                         per_group=bool(raw.get("target_per_group", False)))


def type_indicator_settings(activity: str) -> dict[str, Any]:
    """The settings entry of ``type:<活动类型>``: 1 count per quarter once a target is given."""
    return {"label": activity, "short_label": activity, "action": "开展", "unit": "次",
            "kind": "count", "period": "quarter", "activity_type": activity,
            "target": {"在职": None, "离退休": None}, "weight": 1}


@cache
def built_in() -> dict[str, IndicatorSpec]:
    """The indicators of ``defaults.json``, in its order."""
    return {key: spec_from_settings(key, raw) for key, raw in defaults()["indicators"].items()}


# What people write in a targets sheet for an indicator that has no other name there
_SYNONYMS = {
    "出勤率": "attendance", "参会比例": "attendance",
    "学习强国参与度": "xuexi_participation", "学习强国参学率": "xuexi_participation",
    "学习强国人均": "xuexi_avg", "学习强国平均积分": "xuexi_avg", "人均积分": "xuexi_avg",
    "自学率": "self_study",
}


def indicator_key(text: str, indicators: dict[str, dict[str, Any]] | None = None) -> str | None:
    """An indicator as written (key, label, short label, synonym, or an activity type with or
    without ``type:``) → its key; an activity type with no indicator of its own →
    ``type:<活动类型>``; None when it names nothing. ``indicators``: the settings' entries
    (defaults when None)."""
    entries = indicators if indicators is not None else defaults()["indicators"]
    written = normalize_name(text)
    if written.lower() in entries:
        return written.lower()
    if written.lower().startswith(TYPE_PREFIX):
        written = written[len(TYPE_PREFIX):]
    for key, raw in entries.items():
        if written in (normalize_name(raw.get("label")), normalize_name(raw.get("short_label"))):
            return key
    if written in _SYNONYMS and _SYNONYMS[written] in entries:
        return _SYNONYMS[written]
    canonical = activity_type(written)
    if canonical is None:
        return None
    for key, raw in entries.items():
        if raw.get("activity_type") == canonical and raw.get("kind", "count") == "count":
            return key
    return TYPE_PREFIX + canonical


def is_rate(key: str) -> bool:
    spec = built_in().get(key)
    return spec is not None and spec.is_rate


def is_annual(key: str) -> bool:
    spec = built_in().get(key)
    return spec is not None and spec.is_annual
