"""``user add|list|disable|enable|reset-password|email``: accounts, for the first administrator
and for scripts. Passwords come from a prompt or ``DASHBOARD_PASSWORD``, never from an argument;
``email`` sets where the account's 督导提醒 go."""

from __future__ import annotations

import getpass
import os
import sys

from cli import context
from cli.errors import CliError
from services import accounts, reminder_runs

from storage.queries import find_branch


def _password(prompt: str) -> str:
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
    engine = context.engine(args)
    actor = context.viewer(args).username
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
            frame = accounts.list_users(engine, context.viewer(args))
            print(frame.to_string(index=False) if not frame.empty else "还没有账号。")
        elif args.user_command in ("disable", "enable"):
            accounts.set_disabled(engine, args.username, args.user_command == "disable", actor=actor)
            print(f"已{'停用' if args.user_command == 'disable' else '启用'}账号 {args.username}。")
        elif args.user_command == "email":
            reminder_runs.set_user_email(engine, context.viewer(args), args.username, args.address)
            cleared = args.address.strip() in ("", "-")
            print(f"{args.username} 的提醒邮箱已{'清除' if cleared else '设为 ' + args.address.strip()}。")
        else:
            accounts.reset_password(engine, args.username, _password("新密码："), actor=actor)
            print(f"已重设 {args.username} 的密码。")
    except (ValueError, PermissionError) as exc:
        raise CliError(str(exc)) from None
    return 0
