"""How far an uploaded file may push the reader (DOMAIN.md §3.7): the one place these bounds live.

Real files stay far below every bound: a province's 100,000-member roster is 1.2 million cells,
unpacks to 70 MB and is read by a child that adds less than 128 MB to its address space. A file
above a bound is refused with a message before any native reader sees it. Each bound is read from
the environment at call time, so a deployment (or a test) can change it:

- ``DASHBOARD_MAX_CELLS`` (2000000): per sheet, the grid the reader would allocate (rows × columns
  up to the farthest cell with content) and the number of cells with content; also a CSV's cells.
- ``DASHBOARD_MAX_UNPACKED_MB`` (200): a workbook's parts once unpacked, together (declared and
  actually inflated); the size of a .xls or .csv file.
- ``DASHBOARD_PARSE_MEMORY_MB`` (1024): address space the child of ``load_file_isolated`` may add.
- ``DASHBOARD_PARSE_TIMEOUT_S`` (120): seconds ``load_file_isolated`` waits for its child.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

log = logging.getLogger(__name__)

ENV_MAX_CELLS = "DASHBOARD_MAX_CELLS"
ENV_MAX_UNPACKED_MB = "DASHBOARD_MAX_UNPACKED_MB"
ENV_PARSE_MEMORY_MB = "DASHBOARD_PARSE_MEMORY_MB"
ENV_PARSE_TIMEOUT_S = "DASHBOARD_PARSE_TIMEOUT_S"

DEFAULT_MAX_CELLS = 2_000_000
DEFAULT_MAX_UNPACKED_MB = 200
DEFAULT_PARSE_MEMORY_MB = 1024
DEFAULT_PARSE_TIMEOUT_S = 120.0

# Not settable: far beyond any real workbook, they only bound the inspection's own work.
MAX_ZIP_ENTRIES = 10_000  # parts in one .xlsx (a real one has 10 to 50, a few hundred with images)
MAX_STRUCTURE_BYTES = 16 << 20  # workbook.xml, its relationships, one row of cells
MAX_MERGES_READ = 100_000  # <mergeCell> elements parsed per sheet; the rest are only unpacked
HEADER_AREA_ROWS = 60  # merged cells matter only where a header can be (headers.SNIFF_ROWS + depth)


@dataclass(frozen=True)
class Limits:
    """The bounds in force; ``current_limits()`` reads them from the environment."""

    max_cells: int = DEFAULT_MAX_CELLS
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_MB << 20
    parse_memory_bytes: int = DEFAULT_PARSE_MEMORY_MB << 20
    parse_timeout_s: float = DEFAULT_PARSE_TIMEOUT_S

    @property
    def max_unpacked_mb(self) -> int:
        return self.max_unpacked_bytes >> 20


def _positive(name: str, default: float, kind: type) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value <= 0:
        log.warning("%s=%r is not a positive number; using %s", name, text, default)
        return default
    return value


def current_limits() -> Limits:
    """The bounds set by the environment (defaults where a variable is unset or not a positive
    number, with a log warning for the latter)."""
    return Limits(
        max_cells=int(_positive(ENV_MAX_CELLS, DEFAULT_MAX_CELLS, int)),
        max_unpacked_bytes=int(_positive(ENV_MAX_UNPACKED_MB, DEFAULT_MAX_UNPACKED_MB, int)) << 20,
        parse_memory_bytes=int(_positive(ENV_PARSE_MEMORY_MB, DEFAULT_PARSE_MEMORY_MB, int)) << 20,
        parse_timeout_s=float(_positive(ENV_PARSE_TIMEOUT_S, DEFAULT_PARSE_TIMEOUT_S, float)),
    )
