"""``report`` (the inspection packet or the committee ranking → .xlsx / .docx), ``figures`` (the
work-report figures as a table, CSV or JSON) and ``report-draft`` (the 工作总结 draft, .docx).

``figures --format json`` prints exactly one document ``{"period", "as_of", "scope", "figures":
[{"key", "label", "value", "unit", "display", "definition", "records"}]}``; ``value`` is in
``unit`` (a share is given in percent) and null when the figure has no data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from cli import context
from cli.errors import CliError
from cli.output import emit
from domain.periods import parse_quarter
from reports import excel, word
from reports.work_report_docx import work_report_document
from services import analytics, audit, packets
from services import figures as service
from storage.queries import branch_list, find_branch

FORMATS = {".xlsx": "Excel", ".docx": "Word"}


def _writable(out: Path, suffixes: tuple[str, ...]) -> str:
    suffix = out.suffix.lower()
    if suffix not in suffixes:
        raise CliError(f"输出文件须以 {' 或 '.join(suffixes)} 结尾，收到「{out.name}」。")
    if not out.parent.exists():
        raise CliError(f"输出目录「{out.parent}」不存在。")
    return suffix


def _write(out: Path, content: bytes) -> None:
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise CliError(f"无法写入「{out}」：{exc.strerror}") from None


def cmd_report(args) -> int:
    """Write the packet (or, with ``--ranking``, the committee ranking) to ``args.out``."""
    out = Path(args.out)
    suffix = _writable(out, (".xlsx", ".docx"))
    if args.ranking and suffix != ".xlsx":
        raise CliError("支部排名表只能导出为 Excel（.xlsx）。")
    if args.ranking and args.branch:
        raise CliError("--ranking 导出全委排名，不能同时指定 --branch。")
    engine, viewer = context.engine(args), context.viewer(args)
    try:
        q = parse_quarter(args.quarter)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    known = analytics.quarters_with_data(engine)
    if branch_list(engine, viewer).empty:
        raise CliError("数据库中还没有任何支部，请先导入党员名册和台账（python cli.py import …）。")
    if q not in known:
        listed = "、".join(str(k) for k in sorted(known))
        raise CliError(f"{q.label}（{q}）没有数据。有数据的季度：{listed}。")
    try:
        cut = analytics.as_of_for(q, args.as_of)
    except ValueError as exc:
        raise CliError(str(exc)) from None

    branch_ids, scope = None, "全部支部"
    if args.branch:
        found = find_branch(engine, args.branch)
        if found is None:
            raise CliError(f"没有名为「{args.branch}」的支部。可用 python cli.py scorecard --quarter {q} 查看支部名称。")
        if not viewer.can_see_branch(found[0]):
            raise CliError(f"当前账号无权导出「{found[1]}」的材料。")
        branch_ids, scope = [found[0]], found[1]

    if args.ranking:
        try:
            content = excel.ranking_workbook(packets.ranking(engine, viewer, q, cut))
        except PermissionError as exc:
            raise CliError(str(exc)) from None
        what = "支部排名表"
    else:
        packet = packets.packet(engine, viewer, q, cut, branch_ids)
        content = excel.packet_workbook(packet) if suffix == ".xlsx" else word.packet_document(packet)
        what = f"督查材料（{len(packet.branches)}个支部）"
    _write(out, content)
    audit.record(engine, viewer, "export",
                 f"命令行导出{what}：{q} 截至{cut.isoformat()} {scope} {FORMATS[suffix]} → {out.name}")
    print(f"已导出{q.label}{what}（统计截至{cut.isoformat()}，{FORMATS[suffix]}）：{out}")
    return 0


def _value(value, unit: str):
    if value is None or pd.isna(value):
        return None
    value = round(float(value) * (100 if unit == "%" else 1), 4)
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


def _period_and_scope(args, engine, viewer):
    try:
        period = service.report_period(args.year, getattr(args, "quarter", None))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if branch_list(engine, viewer).empty:
        raise CliError("数据库中还没有任何支部，请先导入党员名册和台账（python cli.py import …）。")
    try:
        scope = service.resolve_scope(engine, viewer, getattr(args, "unit", None))
    except LookupError as exc:
        raise CliError(str(exc)) from None
    return period, scope


def cmd_figures(args) -> int:
    engine, viewer = context.engine(args), context.viewer(args)
    period, scope = _period_and_scope(args, engine, viewer)
    report = service.figures(engine, viewer, period, scope, with_previous=args.format != "json")
    for warning in report.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    if args.format == "table":
        print(f"{scope.label} {period.label}工作报告数据（统计截至{period.as_of.isoformat()}）")
        print(figures_table(report, with_definition=False).to_string(index=False))
        print("统计口径见 --format csv 或 --format json。")
    else:
        emit(args.format, figures_document(report), figures_table(report, with_definition=True))
    return 0


def cmd_draft(args) -> int:
    out = Path(args.out)
    _writable(out, (".docx",))
    engine, viewer = context.engine(args), context.viewer(args)
    period, scope = _period_and_scope(args, engine, viewer)
    content = work_report_document(service.figures(engine, viewer, period, scope, with_previous=False))
    _write(out, content)
    audit.record(engine, viewer, "export",
                 f"命令行导出工作总结草稿：{period.key} 截至{period.as_of.isoformat()} {scope.label} Word → {out.name}")
    print(f"已生成{scope.label}{period.label}工作总结草稿（统计截至{period.as_of.isoformat()}）：{out}")
    return 0
