"""Colours and labels shared by every page and chart, so red/yellow/green mean the same everywhere."""

from domain.vocabulary import STATUS_LABELS

STATUS_COLORS = {"green": "#2e7d32", "yellow": "#e0a800", "red": "#c62828"}
PARTY_RED = "#b71c1c"
NEUTRAL = "#90a4ae"


def status_text(status) -> str:
    return STATUS_LABELS.get(status, "—") if isinstance(status, str) else "—"


_TEXT_TO_COLOR = {label: STATUS_COLORS[key] for key, label in STATUS_LABELS.items()}


def color_status_cells(frame, columns):
    """A Styler that colours 达标/预警/落后 cells of ``columns`` (text only, so it prints too)."""
    def paint(value):
        color = _TEXT_TO_COLOR.get(value)
        return f"color: {color}; font-weight: 600" if color else ""

    return frame.style.map(paint, subset=[c for c in columns if c in frame.columns])
