"""Text normalisation shared by every loader: names, labels and raw cells.

Scalar helpers work on one string; the ``*_series`` helpers are the vectorised versions used on
whole columns (pandas ``str`` dtype, NA for empty cells).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from domain.names import WS, normalize_name

_SPACE = f"[{WS}]+"
_SPACE_RE = re.compile(_SPACE)
_BRACKETS_RE = re.compile(r"[(（\[【<《][^)）\]】>》]*[)）\]】>》]")
_LABEL_JUNK_RE = re.compile(r"[*※★☆#:：]")


def fold_text(s: str) -> str:
    """NFKC and strip (inner spaces kept): for matching free text such as period titles."""
    return unicodedata.normalize("NFKC", s).strip()


def label_keys(label: str) -> list[str]:
    """Keys under which a header cell is looked up: the folded label, then without bracketed notes.

    ``"应到人数（人）"`` → ``["应到人数(人)", "应到人数"]``; ``"*姓名"`` → ``["姓名"]``.
    ASCII letters are lower-cased so ``userId`` and ``USERID`` match.
    """
    base = _LABEL_JUNK_RE.sub("", normalize_name(label)).lower()
    keys = [base]
    stripped = _BRACKETS_RE.sub("", base)
    if stripped and stripped != base:
        keys.append(stripped)
    return [k for k in keys if k]


def label_key(label: str) -> str:
    """The single lookup key of an alias in the alias tables (see ``label_keys``)."""
    keys = label_keys(label)
    return keys[0] if keys else ""


# ---------------------------------------------------------------- vectorised versions


def clean_series(raw: pd.Series) -> pd.Series:
    """Strip surrounding whitespace (incl. U+3000); empty cells become NA. Inner text kept as is."""
    s = raw.astype("str").str.strip()
    return s.where(s != "")


def arrow_strings(s: pd.Series) -> pa.Array:
    """A text column as one Arrow string array (pandas may hand over several chunks, or none)."""
    values = pa.array(s, type=pa.string(), from_pandas=True)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _per_distinct(s: pd.Series, scalar, vectorised) -> pd.Series:
    """Apply ``scalar`` to each distinct value when values repeat a lot (branches, units, numbers),
    else the ``vectorised`` column operation."""
    values = arrow_strings(s)
    distinct = pc.unique(values.drop_null())
    if len(distinct) * 4 < len(s):
        mapped = pa.array([scalar(v) for v in distinct.to_pylist()], type=pa.string())
        # Arrow's index_in + take: pandas' map over a dict took 4× as long
        return pd.Series(pc.take(mapped, pc.index_in(values, value_set=distinct)),
                         index=s.index, dtype="str")
    return vectorised(s)


def fold_series(raw: pd.Series) -> pd.Series:
    """``normalize_name`` on a column: NFKC, all whitespace removed, empty → NA."""
    s = _per_distinct(
        raw.astype("str"), normalize_name,
        lambda c: c.str.normalize("NFKC").str.replace(_SPACE, "", regex=True))
    return s.where(s != "")


def nfkc_series(raw: pd.Series) -> pd.Series:
    """NFKC and strip, inner spaces kept; empty → NA (for dates, numbers and periods)."""
    s = _per_distinct(raw.astype("str"), fold_text, lambda c: c.str.normalize("NFKC").str.strip())
    return s.where(s != "")
