"""Colours and labels shared by every page and chart, so red/yellow/green mean the same everywhere."""

STATUS_COLORS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
STATUS_LABELS = {"green": "达标", "yellow": "预警", "red": "落后"}
STATUS_DOTS = {"green": "🟢 达标", "yellow": "🟡 预警", "red": "🔴 落后"}
PARTY_RED = "#b71c1c"
NEUTRAL = "#90a4ae"


def status_text(status) -> str:
    return STATUS_DOTS.get(status, "—") if isinstance(status, str) else "—"
