"""The settings an administrator edits on 目标设置 (targets, weights, thresholds, lagging and
points rules, work-report figures): saved over domain/defaults.json, every change audited."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from domain.access import Viewer
from domain.vocabulary import BRANCH_TYPES
from metrics.config import load_config
from services import audit
from storage.queries import current_targets, get_setting, put_setting

SETTINGS_KEY = "metrics"


def saved(engine: Engine) -> dict:
    """The saved edits (the ``overrides`` of metrics.config.load_config); {} when none."""
    return get_setting(engine, SETTINGS_KEY) or {}


def effective(saved_settings: dict | None) -> dict:
    """The settings in force: domain/defaults.json with ``saved_settings`` over it (the shape of
    defaults.json). Raises ``ValueError`` (Chinese) when the saved values cannot be used."""
    return load_config(overrides=saved_settings).to_dict()


def save(engine: Engine, viewer: Viewer, settings: dict, changes: list[str]) -> None:
    """Save ``settings`` (administrators only) and audit ``changes`` (one sentence each)."""
    if not viewer.can_edit_settings:
        raise PermissionError("只有管理员可以修改设置。")
    put_setting(engine, SETTINGS_KEY, settings, viewer)
    audit.record(engine, viewer, "targets_edit", "；".join(changes))


SOURCE_TEXT = {"imported": "导入的目标表", "saved": "本页设置", "default": "默认"}


def in_force(engine: Engine, quarter) -> pd.DataFrame:
    """The targets and weights in force for ``quarter`` (defaults, this page's edits and imported
    目标 files together) and where each comes from: indicator, branch_type, target, weight,
    target_source, weight_source (``imported`` / ``saved`` / ``default``)."""
    config = load_config(overrides=saved(engine), imported_targets=current_targets(engine))
    rows = []
    for key in config.indicators:
        for btype in BRANCH_TYPES:
            target, weight = config.resolve(key, btype, quarter)
            target_source, weight_source = config.sources(key, btype, quarter)
            rows.append({"indicator": key, "branch_type": btype, "target": target, "weight": weight,
                         "target_source": target_source, "weight_source": weight_source})
    return pd.DataFrame(rows)
