"""``cli.py figures`` and ``cli.py report-draft``: the work-report figures (工作报告数据) of a year or
quarter, for the committee or one unit.

    python cli.py figures --year 2026 [--quarter 2026Q3] [--unit NAME] [--format table|csv|json]
    python cli.py report-draft --year 2026 [--quarter 2026Q3] [--unit NAME] --out FILE.docx

``figures`` prints a table, CSV (UTF-8 with BOM, so Excel opens it) or exactly one JSON document
``{"period", "as_of", "scope", "figures": [{"key", "label", "value", "unit", "display",
"definition", "records"}]}``. ``value`` is in ``unit`` (a share is given in percent) and null
when the figure has no data.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd

from services import figures as service
from storage.accounts import audit
from storage.queries import branch_list


def _value(value, unit: str):
    if value is None or pd.isna(value):
        return None
    value = float(value) * (100 if unit == "%" else 1)
    value = round(value, 4)
    return int(value) if value.is_integer() else value


def figures_document(report: service.FigureReport) -> dict:
    """The JSON document of ``cli.py figures --format json``."""
    return {
        "period": report.period.key,
        "as_of": report.period.as_of.isoformat(),
        "scope": report.scope.label,
        "figures": [
            {"key": r["key"], "label": r["label"], "value": _value(r["value"], r["unit"]), "unit": r["unit"],
             "display": r["display"], "definition": r["definition"], "records": int(r["records"])}
            for r in report.table.to_dict("records")
        ],
    }


def figures_table(report: service.FigureReport, with_definition: bool) -> pd.DataFrame:
    t = report.table
    columns = {"key": t["key"], "数据项": t["label"], "数值": t["display"], "记录数": t["records"]}
    if "change" in t.columns and report.previous_period is not None:
        columns["去年同期"] = t["previous_display"]
        columns["变化"] = t["change"].fillna("—")
    if with_definition:
        columns["统计口径"] = t["definition"]
    return pd.DataFrame(columns)


def _resolve(args, engine, viewer, error):
    try:
        period = service.report_period(args.year, getattr(args, "quarter", None))
    except ValueError as exc:
        raise error(str(exc)) from None
    if branch_list(engine, viewer).empty:
        raise error("数据库中还没有任何支部，请先导入党员名册和台账（python cli.py import …）。")
    try:
        scope = service.resolve_scope(engine, viewer, getattr(args, "unit", None))
    except LookupError as exc:
        raise error(str(exc)) from None
    return period, scope


def run(args, engine, viewer, error) -> int:
    """``figures`` prints; ``report-draft`` writes the .docx. ``error(message)`` for what the user must fix."""
    if args.command == "report-draft":
        return _draft(args, engine, viewer, error)
    period, scope = _resolve(args, engine, viewer, error)
    fmt = args.format
    report = service.figures(engine, viewer, period, scope, with_previous=fmt != "json")
    for warning in report.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    if fmt == "json":
        sys.stdout.write(json.dumps(figures_document(report), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        figures_table(report, with_definition=True).to_csv(buffer, index=False)
        sys.stdout.buffer.write(buffer.getvalue().encode("utf-8-sig"))
        sys.stdout.flush()
    else:
        print(f"{scope.label} {period.label}工作报告数据（统计截至{period.as_of.isoformat()}）")
        print(figures_table(report, with_definition=False).to_string(index=False))
        print("统计口径见 --format csv 或 --format json。")
    return 0


def _draft(args, engine, viewer, error) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise error(f"输出文件须以 .docx 结尾，收到「{out.name}」。")
    if not out.parent.exists():
        raise error(f"输出目录「{out.parent}」不存在。")
    period, scope = _resolve(args, engine, viewer, error)
    content = service.draft_document(engine, viewer, period, scope)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise error(f"无法写入「{out}」：{exc.strerror}") from None
    audit(engine, viewer.username, "export",
          f"命令行导出工作总结草稿：{period.key} 截至{period.as_of.isoformat()} {scope.label} Word → {out.name}")
    print(f"已生成{scope.label}{period.label}工作总结草稿（统计截至{period.as_of.isoformat()}）：{out}")
    return 0
