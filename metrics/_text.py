"""Number formatting for Chinese sentences (percentages, thousands separators)."""

from __future__ import annotations

import math


def round_half_up(value: float, digits: int = 0) -> float:
    """Round like a person does (2.5 → 3), immune to binary noise such as 82.49999999."""
    scale = 10 ** digits
    return math.floor(value * scale + 0.5 + 1e-9) / scale


def pct(value: float, compare_to: float | None = None) -> str:
    """0.823 → "82%". With ``compare_to``, one decimal is shown if whole percents would look equal."""
    whole = round_half_up(value * 100)
    if compare_to is not None and value < compare_to and whole >= round_half_up(compare_to * 100):
        return f"{math.floor(value * 1000 + 1e-9) / 10:g}%"
    return f"{whole:.0f}%"


def thousands(value: float) -> str:
    """1850 → "1,850"; 1850.4 → "1,850"."""
    return f"{round_half_up(value):,.0f}"


def ceil_int(value: float) -> int:
    """Ceiling that ignores float noise (2.0000000001 → 2)."""
    return int(math.ceil(value - 1e-9))
