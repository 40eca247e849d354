"""``remind``: send this month's 督导提醒 (for cron or a systemd timer), and set a branch's
reminder address.

    python cli.py remind [--as-of D] [--via email|webhook|outbox] [--dry-run] [--outbox DIR]
    python cli.py remind --branch-email BRANCH ADDRESS      (ADDRESS "-" clears it)

Exit status 0 when every message due went out (or nothing was due), 1 when some failed (they are
logged and retried by the next run), 2 when the channel is not configured or an argument is wrong.
"""

from __future__ import annotations

import sys
from datetime import date

from cli import context
from cli.errors import CliError
from services import reminder_runs
from services.channels import ChannelNotConfigured, load_settings
from services.reminders import to_text

RULE = "─" * 60


def cmd_remind(args) -> int:
    engine = context.engine(args)
    viewer = context.viewer(args)
    if args.branch_email:
        branch, address = args.branch_email
        try:
            name = reminder_runs.set_branch_email(engine, viewer, branch, address)
        except (ValueError, PermissionError) as exc:
            raise CliError(str(exc)) from None
        print(f"{name}的提醒邮箱已{'清除' if address.strip() in ('', '-') else '设为 ' + address.strip()}。")
        return 0

    settings = load_settings()
    for problem in settings.problems:
        print(f"设置问题：{problem}", file=sys.stderr)
    as_of = args.as_of or date.today()
    try:
        report = reminder_runs.run(engine, viewer, as_of, args.via, settings, dry_run=args.dry_run,
                                   outbox_dir=args.outbox)
    except ChannelNotConfigured as exc:
        raise CliError(str(exc)) from None

    if args.dry_run:
        messages = reminder_runs.Messages(engine, as_of, settings.dashboard_url)
        for outcome in report.of("would_send"):
            r = outcome.recipient
            who = reminder_runs.AUDIENCE_LABELS[r.audience] + (f" · {r.branch}" if r.branch else "")
            print(f"{RULE}\n收件人：{who} <{r.shown}>{'（重试）' if outcome.retry else ''}\n{RULE}")
            message = messages.for_recipient(r)
            print(f"主题：{message.subject}\n")
            print(to_text(message))
    for outcome in report.of("failed"):
        r = outcome.recipient
        print(f"发送失败：{r.branch or '工委'} <{r.shown}>：{outcome.error}", file=sys.stderr)
    for line in report.unreachable:
        print(f"无接收地址：{line}", file=sys.stderr)
    print(report.summary())
    if args.via == "outbox" and not args.dry_run and report.of("sent"):
        folder = args.outbox or settings.outbox_dir
        print(f"文件在 {folder}/{report.period}/")
    return 0 if report.ok else 1
