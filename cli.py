"""机关党建看板 command line: the same operations as the dashboard, for scripts and cron.

    python cli.py [--db URL] import PATH... [--kind KIND] [--period START END]
    python cli.py [--db URL] batches
    python cli.py [--db URL] undo BATCH_ID
    python cli.py [--db URL] demo
    python cli.py [--db URL] scorecard --quarter 2026Q3 [--as-of D] [--branch NAME] [--format F]
    python cli.py [--db URL] lagging   --quarter 2026Q3 [--as-of D] [--branch NAME] [--format F]
    python cli.py [--db URL] points    --year 2026 [--as-of D] [--branch NAME] [--format F]
    python cli.py [--db URL] report    --quarter 2026Q3 [--as-of D] [--branch NAME] --out FILE
    python cli.py [--db URL] figures   --year 2026 [--quarter Q] [--unit NAME] [--format F]
    python cli.py [--db URL] report-draft --year 2026 --out FILE.docx
    python cli.py [--db URL] user add|list|disable|enable|reset-password ...

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
    p = sub.add_parser("report", help="导出季度督查材料（.xlsx 或 .docx）")
    p.add_argument("--quarter", required=True)
    p.add_argument("--as-of", type=_date, dest="as_of")
    p.add_argument("--branch", help="只导出一个支部（默认全部支部）")
    p.add_argument("--out", required=True, type=Path, help="输出文件 .xlsx 或 .docx")
    p.add_argument("--ranking", action="store_true", help="导出全委支部排名表（.xlsx）")

    p = sub.add_parser("figures", help="工作报告数据")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--quarter", help="只统计一个季度，如 2026Q3")
    p.add_argument("--unit", help="只统计一个单位")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p = sub.add_parser("report-draft", help="生成工作总结草稿（.docx）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--quarter")
    p.add_argument("--unit")
    p.add_argument("--out", required=True, type=Path)

    p = sub.add_parser("user", help="账号管理")
    usub = p.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    q = usub.add_parser("add", help="新建账号（密码从提示输入，或取环境变量 DASHBOARD_PASSWORD）")
    q.add_argument("username")
    q.add_argument("--role", required=True, choices=("admin", "leader", "secretary"))
    q.add_argument("--branch", help="支部书记所在支部")
    q.add_argument("--display-name", dest="display_name", default="")
    usub.add_parser("list", help="列出账号")
    q = usub.add_parser("disable", help="停用账号")
    q.add_argument("username")
    q = usub.add_parser("enable", help="启用账号")
    q.add_argument("username")
    q = usub.add_parser("reset-password", help="重设密码（从提示输入或取 DASHBOARD_PASSWORD）")
    q.add_argument("username")

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
    status = _print_outcomes(import_paths(engine, files, _cli_viewer(args)))
    _demo_accounts(engine)
    return status


def _demo_accounts(engine) -> None:
    """Demo log-ins (password「demo」), usable only while DASHBOARD_DEMO=1; see README."""
    from auth import accounts
    from storage.accounts import get_user
    from storage.queries import branch_list

    branches = branch_list(engine, _cli_viewer(argparse.Namespace(user="demo")))
    if branches.empty:
        return
    on_duty = branches[branches["type"] == "在职"]
    first = (on_duty if not on_duty.empty else branches).iloc[0]
    for username, role, name, branch_id in (
        ("demo_admin", "admin", "演示管理员", None),
        ("demo_leader", "leader", "演示领导", None),
        ("demo_secretary", "secretary", f"演示书记（{first['branch']}）", int(first["branch_id"])),
    ):
        if get_user(engine, username) is None:
            accounts.add_user(engine, username, "demo", role, actor="demo", display_name=name,
                              branch_id=branch_id, is_demo=True)


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


def cmd_report(args) -> int:
    from reports.packet_cli import run

    return run(args, _engine(args), _cli_viewer(args), CliError)


def cmd_figures(args) -> int:
    from reports.work_report_cli import run

    return run(args, _engine(args), _cli_viewer(args), CliError)


def _password(prompt: str) -> str:
    import getpass
    import os

    password = os.environ.get("DASHBOARD_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise CliError("请在提示中输入密码，或通过环境变量 DASHBOARD_PASSWORD 提供密码。")
    first = getpass.getpass(prompt)
    if first != getpass.getpass("再次输入："):
        raise CliError("两次输入的密码不一致。")
    return first


def cmd_user(args) -> int:
    from auth import accounts
    from storage.accounts import list_users
    from storage.queries import find_branch

    engine = _engine(args)
    actor = "cli"
    try:
        if args.user_command == "add":
            branch_id = None
            if args.branch:
                found = find_branch(engine, args.branch)
                if found is None:
                    raise CliError(f"没有名为「{args.branch}」的支部。")
                branch_id = found[0]
            accounts.add_user(engine, args.username, _password("密码："), args.role, actor=actor,
                              display_name=args.display_name, branch_id=branch_id)
            print(f"已创建账号 {args.username}。")
        elif args.user_command == "list":
            frame = list_users(engine)
            print(frame.to_string(index=False) if not frame.empty else "还没有账号。")
        elif args.user_command in ("disable", "enable"):
            accounts.set_disabled(engine, args.username, args.user_command == "disable",
                                  actor=actor)
            print(f"已{'停用' if args.user_command == 'disable' else '启用'}账号 {args.username}。")
        else:
            accounts.reset_password(engine, args.username, _password("新密码："), actor=actor)
            print(f"已重设 {args.username} 的密码。")
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return 0


COMMANDS = {
    "report": cmd_report,
    "figures": cmd_figures,
    "report-draft": cmd_figures,
    "user": cmd_user,
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
