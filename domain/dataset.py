"""The frames metrics work on, as the storage layer hands them over (current versions only,
already limited to the viewer's scope). Names are normalised, dates are datetime64[ns].

branches:        branch_id:int, branch:str, unit:str|NA, type:str ("在职"/"离退休")
members:         one row per membership interval that overlaps the window read (a member who moved
                 branches has one per branch): member_id:int, branch_id:int, branch:str, name:str,
                 group:str|NA, category:str|NA, role:str|NA, status:str (the latest roster's:
                 "active"/"transferred"/"deceased"), join_date:date|NaT, member_code:str|NA,
                 start:date|NaT (NaT: from before any data), end:date|NaT (exclusive; NaT: open)
activities:      activity_id:int, branch_id:int, branch:str, date:date, type:str, type_raw:str,
                 topic:str|NA, expected:float|NA, present:float|NA, group:str|NA, speaker:str|NA,
                 days:float|NA
attendance:      activity_id:int, branch_id:int, kind:str ("absent"/"on_leave"), name:str
activity_counts: branch_id:int, branch:str, period_start:date, period_end:date, type:str,
                 count:float, expected:float|NA, present:float|NA
study:           branch_id:int|NA, branch:str, name:str, date:date, form:str, content:str|NA,
                 hours:float|NA, score:float|NA
xuexi:           export_id:int, period_start:date, period_end:date, branch_id:int|NA, branch:str|NA,
                 name:str, member_code:str|NA, activated:bool, points:float,
                 daily_question:float|NA, active_days:float|NA
records:         record_id:int, branch_id:int|NA, branch:str|NA, category:str, title:str|NA,
                 date:date, person:str|NA, level:str|NA, quantity:float, measure:str|NA
coverage:        source:str ("xuexi" / "ledger"), branch_id:int|NA (NA for 学习强国), covered_to:date,
                 export_id:int|NA, covered_from:date|NA —
                 how far each imported file's data goes: an export's period end; a ledger or counts
                 file's stated period end, never later than the day it was imported (DOMAIN §4);
                 an export's id and period start (NA for ledgers), read for every viewer
targets:         indicator:str, branch_type:str, period_kind:str, target:float, weight:float,
                 quarter:str|NA   (imported overrides; defaults live in domain/defaults.json)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

DATASET_COLUMNS: dict[str, list[str]] = {
    "branches": ["branch_id", "branch", "unit", "type"],
    "members": [
        "member_id", "branch_id", "branch", "name", "group", "category", "role", "status",
        "join_date", "member_code", "start", "end",
    ],
    "activities": [
        "activity_id", "branch_id", "branch", "date", "type", "type_raw", "topic", "expected",
        "present", "group", "speaker", "days",
    ],
    "attendance": ["activity_id", "branch_id", "kind", "name"],
    "activity_counts": [
        "branch_id", "branch", "period_start", "period_end", "type", "count", "expected", "present",
    ],
    "study": ["branch_id", "branch", "name", "date", "form", "content", "hours", "score"],
    "xuexi": [
        "export_id", "period_start", "period_end", "branch_id", "branch", "name", "member_code",
        "activated", "points", "daily_question", "active_days",
    ],
    "records": [
        "record_id", "branch_id", "branch", "category", "title", "date", "person", "level",
        "quantity", "measure",
    ],
    "targets": ["indicator", "branch_type", "period_kind", "target", "weight", "quarter"],
    "coverage": ["source", "branch_id", "covered_to", "export_id", "covered_from"],
}


def empty_frame(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in DATASET_COLUMNS[name]})


@dataclass
class Dataset:
    """Everything metrics need, for one scope. Missing frames default to empty ones."""

    branches: pd.DataFrame = field(default_factory=lambda: empty_frame("branches"))
    members: pd.DataFrame = field(default_factory=lambda: empty_frame("members"))
    activities: pd.DataFrame = field(default_factory=lambda: empty_frame("activities"))
    attendance: pd.DataFrame = field(default_factory=lambda: empty_frame("attendance"))
    activity_counts: pd.DataFrame = field(default_factory=lambda: empty_frame("activity_counts"))
    study: pd.DataFrame = field(default_factory=lambda: empty_frame("study"))
    xuexi: pd.DataFrame = field(default_factory=lambda: empty_frame("xuexi"))
    records: pd.DataFrame = field(default_factory=lambda: empty_frame("records"))
    targets: pd.DataFrame = field(default_factory=lambda: empty_frame("targets"))
    coverage: pd.DataFrame = field(default_factory=lambda: empty_frame("coverage"))
    # For frames storage read for the whole committee, a key naming exactly those rows (equal
    # keys, equal rows): what a part computed from them can be kept under. Metrics never read it.
    row_keys: dict[str, str] = field(default_factory=dict)

    # metrics._frames.prepare marks a Dataset whose frames it typed (``_prepared``: the frames'
    # identity) and remembers on an untyped one the typed copy it made (``_prepared_as``); steps
    # several metrics share are remembered on a typed one (``_shared``, metrics._frames.shared).
    # A pickled copy (the pages' cache hands out one per call) stays marked and leaves what was
    # remembered behind, so typing is not done again for every page that reads it.
    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_prepared", "_prepared_as", "_shared")}
        state["_typed"] = self.__dict__.get("_prepared") == frames_identity(self)
        return state

    def __setstate__(self, state: dict) -> None:
        typed = state.pop("_typed", False)
        self.__dict__.update(state)
        if typed:
            self._prepared = frames_identity(self)


FRAMES: tuple[str, ...] = tuple(DATASET_COLUMNS)


def frames_identity(ds: Dataset) -> tuple[int, ...]:
    """Which frame objects ``ds`` holds: a Dataset whose frames were swapped is typed again."""
    return tuple(id(getattr(ds, name)) for name in FRAMES)
