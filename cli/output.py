"""How a command prints a result: a table, CSV (UTF-8 with BOM, text that a spreadsheet would run
as a formula defused) or exactly one JSON document."""

from __future__ import annotations

import json
import math
import sys
from datetime import date

import pandas as pd

from reports.tables import csv_bytes


def clean(value):
    """JSON-safe scalars: NA → null, numpy → Python, dates → ISO text."""
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()[:10]
    return value


def emit(fmt: str, document: dict, table: pd.DataFrame) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        sys.stdout.flush()
        sys.stdout.buffer.write(csv_bytes(table))
        sys.stdout.buffer.flush()
    elif table.empty:
        print("（无数据）")
    else:
        print(table.to_string(index=False))
