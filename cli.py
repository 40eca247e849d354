"""机关党建看板 command line: the same operations as the dashboard, for scripts and cron.

    python cli.py [--db URL] import PATH... [--kind KIND] [--period START END]
    python cli.py [--db URL] batches
    python cli.py [--db URL] undo BATCH_ID
    python cli.py [--db URL] demo
    python cli.py [--db URL] scorecard --quarter 2026Q3 [--as-of D] [--branch NAME] [--format F]
    python cli.py [--db URL] lagging   --quarter 2026Q3 [--as-of D] [--branch NAME] [--format F]
    python cli.py [--db URL] points    --year 2026 [--as-of D] [--branch NAME] [--format F]

Exit status 0 on success, 1 when an input file was rejected, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from data_loaders.schema import KINDS


class CliError(Exception):
    """A message for the user (Chinese) and a non-zero exit; never a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: keep exit status 2, no traceback
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        sys.exit(2)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，收到「{text}」") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cli.py", description="机关党建看板 命令行")
    parser.add_argument("--db", help="数据库 URL（默认取 DATABASE_URL，或 data/dashboard.db）")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("import", help="导入一个或多个表格文件")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--kind", choices=KINDS, help="指定数据类型（默认按表头识别）")
    p.add_argument("--period", nargs=2, type=_date, metavar=("START", "END"),
                   help="学习强国导出的统计区间，如 2026-07-01 2026-09-30")
    p.add_argument("--user", default="cli", help="记录在导入批次上的操作人")

    sub.add_parser("batches", help="列出导入批次")
    p = sub.add_parser("undo", help="撤销一个导入批次")
    p.add_argument("batch_id", type=int)
    sub.add_parser("demo", help="建库并导入 sample_data/ 中的示例数据")

    for name, help_text in (("scorecard", "支部季度得分与排名"), ("lagging", "党员预警")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--quarter", required=True, help="季度，如 2026Q3")
        p.add_argument("--as-of", type=_date, dest="as_of", help="截至日期（默认今天，不晚于季末）")
        p.add_argument("--branch", help="只看一个支部")
        p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p = sub.add_parser("points", help="党员年度积分")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--as-of", type=_date, dest="as_of")
    p.add_argument("--branch")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def _engine(args):
    from storage.db import get_engine

    try:
        return get_engine(args.db)
    except Exception as exc:
        raise CliError(f"无法打开数据库：{type(exc).__name__}: {exc}") from None


def _cli_viewer(args):
    from auth.viewer import Viewer

    return Viewer(username=getattr(args, "user", "cli") or "cli", role="admin",
                  display_name="命令行")


def _print_outcomes(outcomes) -> int:
    failed = 0
    for outcome in outcomes:
        label = {"imported": "已导入", "duplicate": "已存在", "rejected": "未导入"}[outcome.status]
        print(f"{label}：{outcome.file_name} — {outcome.message}")
        for problem in outcome.problems:
            print("  " + problem.describe())
        failed += outcome.status == "rejected"
    return 1 if failed else 0


def cmd_import(args) -> int:
    from services.importing import import_paths

    engine = _engine(args)
    period = tuple(args.period) if args.period else None
    if period and period[0] > period[1]:
        raise CliError("统计区间的开始日期晚于结束日期。")
    return _print_outcomes(import_paths(engine, args.paths, _cli_viewer(args), args.kind, period))


def cmd_demo(args) -> int:
    from services.importing import import_paths, sample_files

    engine = _engine(args)
    files = sample_files()
    if not files:
        raise CliError("sample_data/ 中没有示例文件。请先运行 python sample_data/make_sample.py")
    args.user = "demo"
    return _print_outcomes(import_paths(engine, files, _cli_viewer(args)))


def cmd_batches(args) -> int:
    from storage.queries import list_batches

    frame = list_batches(_engine(args), _cli_viewer(args))
    if frame.empty:
        print("还没有导入任何数据。")
        return 0
    for row in frame.itertuples():
        state = f"已撤销（{row.undone_at}）" if row.undone_at is not None else "有效"
        period = f" {row.period_start}至{row.period_end}" if row.period_start is not None else ""
        print(f"{row.id:>5}  {row.created_at}  {row.kind:<15} {row.rows:>6}行  {state}  "
              f"{row.file_name}{period}  警告{row.warnings}条")
    return 0


def cmd_undo(args) -> int:
    from storage.imports import undo_batch

    try:
        print(undo_batch(_engine(args), args.batch_id, _cli_viewer(args)))
    except LookupError as exc:
        raise CliError(str(exc)) from None
    return 0


def cmd_report_figures(args) -> int:
    from services import cli_reports

    return cli_reports.run(args, _engine(args), _cli_viewer(args), CliError)


COMMANDS = {
    "import": cmd_import,
    "demo": cmd_demo,
    "batches": cmd_batches,
    "undo": cmd_undo,
    "scorecard": cmd_report_figures,
    "lagging": cmd_report_figures,
    "points": cmd_report_figures,
}


if __name__ == "__main__":
    sys.exit(main())
