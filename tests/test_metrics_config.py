"""Defaults, saved overrides and imported targets (metrics/config.py)."""

import json

import pandas as pd
import pytest

from domain.indicators import DEFAULTS_PATH
from metrics.config import load_config

# DOMAIN.md §4, written out by hand: key → (label, unit, period, 在职 target, 离退休 target)
SPEC = {
    "congress": ("支部党员大会", "次", "quarter", 1, 1),
    "committee": ("支部委员会", "次", "quarter", 3, 3),
    "group_meeting": ("党小组会", "次", "quarter", 3, 3),  # per 党小组
    "lecture": ("党课", "次", "quarter", 1, 1),
    "theme_day": ("主题党日", "次", "quarter", 3, 3),
    "study_sessions": ("集中学习", "次", "quarter", 3, 3),
    "attendance": ("参会率", "率", "quarter", 0.90, 0.80),
    "xuexi_participation": ("学习强国参与率", "率", "quarter", 0.95, None),
    "xuexi_avg": ("学习强国人均积分", "分", "quarter", 2700, None),
    "self_study": ("自学完成率", "率", "quarter", 1.0, 1.0),
    "org_life": ("组织生活会", "次", "year", 1, 1),
    "review": ("民主评议党员", "次", "year", 1, 1),
}


def targets_frame(rows):
    return pd.DataFrame(rows, columns=["indicator", "branch_type", "period_kind", "target", "weight", "quarter"])


def test_defaults_match_the_spec():
    config = load_config()
    assert list(config.indicators) == list(SPEC)
    for key, (label, unit, period, in_service, retired) in SPEC.items():
        ind = config.indicator(key)
        assert (ind.label, ind.unit, ind.period, ind.weight) == (label, unit, period, 1.0)
        assert config.target_for(key, "在职", "2026Q3") == in_service
        assert config.target_for(key, "离退休", "2026Q3") == retired
    assert config.indicator("group_meeting").per_group
    assert config.status == {"indicator": {"green": 1.0, "yellow": 0.6}, "composite": {"green": 90, "yellow": 75}}
    assert config.lagging == {"xuexi_member_target": 2700, "xuexi_low_fraction": 0.5, "absent_threshold": 2}
    p = config.points
    assert (p["base"], p["attendance_cap"], p["study_cap"], p["xuexi_cap"]) == (60, 30, 20, 10)
    assert (p["absence_penalty"], p["xuexi_points_per_credit"], p["floor"]) == (2, 1000, 0)
    assert p["levels"] == {"优秀": 90, "合格": 75, "基本合格": 60}


def test_defaults_json_is_the_single_source():
    raw = json.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))
    assert set(raw) == {"indicators", "status", "lagging", "points", "figures",
                        "committee_leaders", "committee_leader_titles"}
    assert load_config().to_dict() == raw


def test_overrides_are_partial_and_round_trip():
    config = load_config({"indicators": {"theme_day": {"target": {"在职": 2}}}, "lagging": {"absent_threshold": 3}})
    assert config.target_for("theme_day", "在职") == 2
    assert config.target_for("theme_day", "离退休") == 3  # untouched
    assert config.lagging["absent_threshold"] == 3
    again = load_config(config.to_dict())
    assert again.target_for("theme_day", "在职") == 2
    assert again.to_dict() == config.to_dict()


def test_override_can_switch_an_indicator_off_and_add_a_type_indicator():
    config = load_config({"indicators": {
        "lecture": {"target": {"离退休": None}},
        "type:廉情分析会": {"target": {"在职": 1}},
    }})
    assert config.target_for("lecture", "离退休") is None
    assert config.indicator("type:廉情分析会").label == "廉情分析会"
    assert config.target_for("type:廉情分析会", "在职") == 1
    assert config.target_for("type:廉情分析会", "离退休") is None


def test_override_keys_are_resolved_to_one_indicator():
    config = load_config({"indicators": {"type:支委会": {"target": {"在职": 5}}, "不存在": {"weight": 2}}})
    assert config.target_for("committee", "在职") == 5  # a synonym of an existing indicator's type
    assert "type:支部委员会" not in config.indicators
    assert config.warnings == ["设置中的指标「不存在」无法识别，已忽略"]


def test_bad_override_value_is_a_chinese_error():
    with pytest.raises(ValueError, match="目标值"):
        load_config({"indicators": {"committee": {"target": {"在职": "三次"}}}})
    with pytest.raises(ValueError, match="负数"):
        load_config({"indicators": {"committee": {"weight": -1}}})


def test_imported_targets_override_by_branch_type_then_by_quarter():
    config = load_config(imported_targets=targets_frame([
        ("theme_day", "全部", "季度", 2, None, None),           # every branch: 2
        ("theme_day", "离退休", "季度", 1, 0.5, None),          # retired: 1, weight 0.5
        ("committee", "在职", "季度", 4, 2, "2026Q3"),          # only 2026Q3, only 在职
    ]))
    assert config.target_for("theme_day", "在职", "2026Q2") == 2
    assert config.target_for("theme_day", "离退休", "2026Q2") == 1
    assert config.weight_for("theme_day", "离退休", "2026Q2") == 0.5
    assert config.weight_for("theme_day", "在职", "2026Q2") == 1
    assert config.target_for("committee", "在职", "2026Q3") == 4
    assert config.weight_for("committee", "在职", "2026Q3") == 2
    assert config.target_for("committee", "在职", "2026Q2") == 3  # other quarters keep the default
    assert config.target_for("committee", "离退休", "2026Q3") == 3


def test_imported_type_indicator_and_aliases():
    config = load_config(imported_targets=targets_frame([
        ("type:警示教育", "在职", "季度", 1, 1, None),
        ("支委会", "全部", "季度", 2, None, None),        # an activity-type synonym names `committee`
        ("参会率", "离退休", "季度", 0.7, None, None),     # a Chinese label names `attendance`
        ("不存在的指标", "全部", "季度", 1, None, None),
        ("theme_day", "机关", "季度", 1, None, None),
    ]))
    ind = config.indicator("type:警示教育")
    assert (ind.label, ind.kind, ind.unit, ind.activity_type) == ("警示教育", "count", "次", "警示教育")
    assert config.target_for("type:警示教育", "在职") == 1
    assert config.target_for("type:警示教育", "离退休") is None
    assert config.target_for("committee", "离退休") == 2
    assert config.target_for("attendance", "离退休") == pytest.approx(0.7)
    assert len(config.warnings) == 2
    assert any("不存在的指标" in w for w in config.warnings)
    assert any("机关" in w for w in config.warnings)
    # imported targets are not settings: to_dict stays the defaults shape
    assert "type:警示教育" not in config.to_dict()["indicators"]


def test_annual_type_indicator_from_period_kind():
    config = load_config(imported_targets=targets_frame([("志愿服务", "全部", "年度", 2, None, None)]))
    assert config.indicator("type:志愿服务").period == "year"


def test_status_thresholds():
    config = load_config()
    assert [config.indicator_status(c) for c in (1.0, 0.99, 0.6, 0.59, None)] == ["green", "yellow", "yellow", "red", None]
    assert [config.composite_status(s) for s in (90, 89.9, 75, 74.9)] == ["green", "yellow", "yellow", "red"]
