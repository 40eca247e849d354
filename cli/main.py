"""机关党建看板 command line: the same operations as the dashboard, for scripts and cron.

    python cli.py [--db URL] import PATH... [--kind KIND] [--period START END]
    python cli.py [--db URL] batches
    python cli.py [--db URL] undo BATCH_ID
    python cli.py [--db URL] demo
    python cli.py [--db URL] warm [--as-of D]
    python cli.py [--db URL] scorecard --quarter 2026Q3 [--as-of D] [--branch NAME] [--format F]
    python cli.py [--db URL] lagging   --quarter 2026Q3 [--as-of D] [--branch NAME] [--format F]
    python cli.py [--db URL] points    --year 2026 [--as-of D] [--branch NAME] [--format F]
    python cli.py [--db URL] report    --quarter 2026Q3 [--as-of D] [--branch NAME] --out FILE
    python cli.py [--db URL] figures   --year 2026 [--quarter Q] [--unit NAME] [--format F]
    python cli.py [--db URL] report-draft --year 2026 --out FILE.docx
    python cli.py [--db URL] user add|list|disable|enable|reset-password|email ...
    python cli.py [--db URL] remind [--as-of D] [--via email|webhook|outbox] [--dry-run]
    python cli.py [--db URL] remind --branch-email BRANCH ADDRESS

Exit status 0 on success, 1 when an input file was rejected (or a reminder failed: it is retried
by the next run), 2 on bad arguments. Each command's
module is imported only when it runs, so a command loads what it needs and nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from datetime import date
from pathlib import Path

from cli.errors import CliError

# data kinds a file may be imported as (data_loaders.schema.KINDS; kept here so that parsing the
# command line does not load the loaders)
KINDS = ("roster", "xuexi", "activity", "activity_counts", "study", "records", "targets")

# command → "module:function" in this package
COMMANDS = {
    "import": "cli.imports:cmd_import",
    "batches": "cli.data:cmd_batches",
    "undo": "cli.data:cmd_undo",
    "demo": "cli.data:cmd_demo",
    "warm": "cli.warming:cmd_warm",
    "scorecard": "cli.figures:cmd_scorecard",
    "lagging": "cli.figures:cmd_lagging",
    "points": "cli.figures:cmd_points",
    "report": "cli.reports:cmd_report",
    "figures": "cli.reports:cmd_figures",
    "report-draft": "cli.reports:cmd_draft",
    "user": "cli.users:cmd_user",
    "remind": "cli.remind:cmd_remind",
}


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
    p.add_argument("--user", help="备注经办人姓名（审计日志记录的操作人始终是本机登录用户）")

    sub.add_parser("batches", help="列出导入批次")
    p = sub.add_parser("undo", help="撤销一个导入批次")
    p.add_argument("batch_id", type=int)
    sub.add_parser("demo", help="建库并导入 sample_data/ 中的示例数据")
    p = sub.add_parser("warm", help="预先计算首页所需的得分和预警（导入、撤销后自动运行；可由 cron 每天凌晨运行）")
    p.add_argument("--as-of", type=_date, dest="as_of", help="按哪一天计算（默认今天）")
    p.add_argument("--after-change", action="store_true", dest="after_change",
                   help=argparse.SUPPRESS)  # started by import/undo: queue behind a running one

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
    q = usub.add_parser("email", help="设置督导提醒的接收邮箱（地址写 - 表示清除）")
    q.add_argument("username")
    q.add_argument("address")

    p = sub.add_parser("remind", help="发送本月的督导提醒（供 cron / systemd 定时运行）")
    p.add_argument("--as-of", type=_date, dest="as_of", help="截至日期（默认今天）；提醒按其所在月份每月一次")
    p.add_argument("--via", choices=("email", "webhook", "outbox"), default="email",
                   help="发送渠道：电子邮件（默认）、群机器人或发件箱文件夹")
    p.add_argument("--dry-run", action="store_true", dest="dry_run",
                   help="只显示将要发送的提醒，不发送、不记录")
    p.add_argument("--outbox", type=Path, help="发件箱文件夹（默认取 DASHBOARD_OUTBOX_DIR 或 data/outbox）")
    p.add_argument("--branch-email", nargs=2, metavar=("BRANCH", "ADDRESS"), dest="branch_email",
                   help="设置支部的提醒邮箱后退出（地址写 - 表示清除）")

    p = sub.add_parser("points", help="党员年度积分")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--as-of", type=_date, dest="as_of")
    p.add_argument("--branch")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    module, function = COMMANDS[args.command].split(":")
    command = getattr(importlib.import_module(module), function)
    try:
        return command(args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return 2
