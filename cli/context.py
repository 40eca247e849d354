"""What every command needs: the database and who is acting (the OS user, for the audit log)."""

from __future__ import annotations

import getpass
import os

from sqlalchemy import Engine

from cli.errors import CliError
from domain.access import Viewer
from storage.db import get_engine


def engine(args) -> Engine:
    try:
        return get_engine(args.db)
    except Exception as exc:
        raise CliError(f"无法打开数据库：{type(exc).__name__}: {exc}") from None


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no entry in the password database (some containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def viewer(args) -> Viewer:
    """The command line acts as an administrator; the audit log names the OS user who ran it
    (``cli:<user>``), never a name typed on the command line."""
    who = f"cli:{os_user()}"
    return Viewer(username=who, role="admin", display_name="命令行", source=who)
