"""Internal helpers shared by the metrics modules: dtype coercion and date windows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from domain.dataset import DATASET_COLUMNS, FRAMES, Dataset, frames_identity

_DATE_COLUMNS = {"date", "join_date", "period_start", "period_end", "start", "end", "covered_to",
                 "covered_from"}
_INT_COLUMNS = {"branch_id", "member_id", "activity_id", "export_id", "record_id"}
_FLOAT_COLUMNS = {
    "expected", "present", "days", "count", "hours", "score", "points", "daily_question",
    "active_days", "quantity", "target", "weight",
}
_BOOL_COLUMNS = {"activated"}
DEFAULT_BRANCH_TYPE = "在职"


def tuples(frame: pd.DataFrame):
    """``frame.itertuples(index=False)``, or nothing at once for an empty frame (pandas builds
    a column accessor per column even then: sentences built per branch ask of many)."""
    return frame.itertuples(index=False) if len(frame) else ()


def _coerce_column(name: str, series: pd.Series) -> pd.Series:
    if len(series) > 1 and series.dtype == object and series.isna().all():
        # a column not read (storage's narrowed reads leave a sixth of the columns empty):
        # coerce one value and repeat it, not hundreds of thousands of missing objects
        one = _coerce_column(name, series.iloc[:1])
        return pd.Series(one.array.take(np.zeros(len(series), dtype=np.intp)), index=series.index,
                         name=series.name)
    if name in _DATE_COLUMNS:
        if not pd.api.types.is_datetime64_dtype(series):
            series = pd.to_datetime(series, errors="coerce")
        return series.astype("datetime64[ns]").dt.normalize()
    if name in _INT_COLUMNS:
        return pd.to_numeric(series, errors="coerce").astype("Int64")
    if name in _FLOAT_COLUMNS:
        return pd.to_numeric(series, errors="coerce").astype("float64")
    if name in _BOOL_COLUMNS:
        # an unknown activation state is taken as activated: the points column decides
        return series.astype("object").where(series.notna(), True).astype(bool)
    if series.dtype != "str":
        series = series.astype("str")
    return series


def prepare(ds: Dataset) -> Dataset:
    """A copy of ``ds`` with every known column present and of the documented dtype.

    Idempotent; every public metric calls it first so hand-built or storage frames with object
    columns behave the same. The copy is made once per ``ds`` (remembered on it): a page's
    metrics over one branch's rows called it seven times, 20 ms each.
    """
    identity = frames_identity(ds)
    if getattr(ds, "_prepared", None) == identity:
        return ds
    made = getattr(ds, "_prepared_as", None)
    if made is not None and made[0] == identity:
        return made[1]
    frames = {}
    for name in FRAMES:
        frame = getattr(ds, name)
        frame = pd.DataFrame() if frame is None else frame.reset_index(drop=True)
        columns = {}
        for col in DATASET_COLUMNS[name]:
            series = frame[col] if col in frame.columns else pd.Series([pd.NA] * len(frame), dtype="object")
            columns[col] = _coerce_column(col, series)
        extra = {c: frame[c] for c in frame.columns if c not in columns}
        frames[name] = pd.DataFrame({**columns, **extra}, index=pd.RangeIndex(len(frame)))
    out = Dataset(**frames, row_keys=dict(ds.row_keys))
    branches = out.branches
    out.branches = branches.assign(type=branches["type"].fillna(DEFAULT_BRANCH_TYPE))
    out._prepared = frames_identity(out)
    ds._prepared_as = (identity, out)
    return out


def shared(ds: Dataset, key: tuple, compute):
    """``compute()`` of a typed ``ds``, remembered on it under ``key``: a step several metrics take
    over the same rows (who belonged in a window, the matched study rows, a window's 学习强国
    points) is taken once. Frames come back as shallow copies (copy-on-write): a caller that
    adds a column changes its own copy, never the one remembered."""
    if getattr(ds, "_prepared", None) != frames_identity(ds):
        return compute()
    held = ds.__dict__.setdefault("_shared", {})
    if key not in held:
        held[key] = compute()
    found = held[key]
    return found.copy(deep=False) if isinstance(found, pd.DataFrame) else found


def ts(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)


def between(series: pd.Series, start: date, end: date) -> pd.Series:
    """Boolean mask: ``start <= series <= end`` (dates inclusive; NaT is False)."""
    return series.ge(ts(start)) & series.le(ts(end))


def with_branch_type(frame: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """``frame`` (with ``branch_id``) and a ``branch_type`` column from the branches."""
    types = ds.branches[["branch_id", "type"]].drop_duplicates("branch_id").rename(columns={"type": "branch_type"})
    out = frame.merge(types, on="branch_id", how="left")
    return out.assign(branch_type=out["branch_type"].fillna(DEFAULT_BRANCH_TYPE))


def overlap_days(start: pd.Series, end: pd.Series, first: date, last: date) -> pd.Series:
    """Days of [``first``, ``last``] (inclusive) inside each interval [start, end) (NaT = open)."""
    lo = start.fillna(ts(first)).clip(lower=ts(first))
    hi = (end - pd.Timedelta(days=1)).fillna(ts(last)).clip(upper=ts(last))
    return ((hi - lo).dt.days + 1).clip(lower=0).astype("int64")


def members_during(ds: Dataset, first: date, last: date) -> pd.DataFrame:
    """Who belonged to which branch at some time in [``first``, ``last``] (DOMAIN §2, "active roster
    members" of §4): one row per (member, branch) with the member's attributes, ``branch_type``
    and ``days`` (how many days of the window they belonged there)."""
    return shared(ds, ("members_during", first, last), lambda: _members_during(ds, first, last))


def _members_during(ds: Dataset, first: date, last: date) -> pd.DataFrame:
    m = ds.members
    days = overlap_days(m["start"], m["end"], first, last)
    inside = m.assign(days=days)[days > 0]
    # two intervals in one branch inside one window (left and came back): one row, days added
    totals = inside.groupby(["member_id", "branch_id"], sort=False)["days"].transform("sum")
    inside = inside.assign(days=totals).sort_values("end", na_position="last", kind="stable")
    inside = inside.drop_duplicates(["member_id", "branch_id"], keep="last").sort_index()
    return with_branch_type(inside.reset_index(drop=True), ds)


def lists_by(values: pd.Series, keys: pd.Index) -> pd.Series:
    """The ``values`` of each key as a Python list, in row order: what
    ``values.groupby(keys).agg(list)`` gives, indexed by the distinct keys. Built with one sort
    and one split: the groupby calls a Python function per group (seconds for 100,000 members)."""
    codes, uniques = _factorized(keys)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    if not len(order):
        return pd.Series([], index=uniques, dtype=object)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
    ends = np.r_[starts[1:], len(order)]
    flat = values.to_numpy(dtype=object)[order].tolist()
    return pd.Series([flat[a:b] for a, b in zip(starts.tolist(), ends.tolist())],
                     index=uniques[sorted_codes[starts]], dtype=object)


def _factorized(keys: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(keys)``; a MultiIndex by its levels' integer codes, not by a tuple per row
    (0.05 s for 100,000 (member, branch) pairs)."""
    if not isinstance(keys, pd.MultiIndex) or np.prod([len(lv) + 1.0 for lv in keys.levels]) >= 2 ** 62:
        return pd.factorize(keys)
    combined = np.zeros(len(keys), dtype=np.int64)
    for level_codes, level in zip(keys.codes, keys.levels):  # code -1 (missing) becomes 0
        combined = combined * (len(level) + 1) + (np.asarray(level_codes, dtype=np.int64) + 1)
    codes, _ = pd.factorize(combined)
    _, first = np.unique(codes, return_index=True)  # codes follow first appearance, as factorize's
    return codes, keys[first]


def named_in(frame: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """Whether each row's (branch_id, name) is one of the (branch_id, name) rows of ``pairs``
    (rows of ``pairs`` without a branch name no one). One hashed lookup: a Python test per row
    took a tenth of a second for 100,000 members, and ``pairs`` (同名 rows) is usually empty."""
    flags = np.zeros(len(frame), dtype=bool)
    pairs = pairs.dropna(subset=["branch_id"])
    if pairs.empty or frame.empty:
        return flags
    wanted = pd.MultiIndex.from_arrays([pairs["branch_id"].astype("int64").to_numpy(),
                                        pairs["name"].to_numpy(dtype=object)])
    has_branch = frame["branch_id"].notna().to_numpy()
    keys = pd.MultiIndex.from_arrays([frame["branch_id"].fillna(-1).astype("int64").to_numpy(),
                                      frame["name"].to_numpy(dtype=object)])
    return keys.isin(wanted) & has_branch
