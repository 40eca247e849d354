"""The audit log: every change and every export, by whom, from where, when (DOMAIN.md §8).

Services call ``record`` for what they change; pages and the command line never write the log
themselves. Actions are stable codes; ``ACTION_LABELS`` gives the words the 审计日志 page shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from domain.access import Viewer
from storage import audit_log as store

if TYPE_CHECKING:  # pandas is loaded by the listing only: recording stays light for the CLI
    import pandas as pd

ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "login_locked": "锁定期间尝试登录",
    "login_refused": "登录被拒绝",
    "login_throttled": "同一地址登录失败过多被拒绝",
    "demo_refused": "演示账号被拒绝",
    "logout": "退出登录",
    "idle_logout": "超时自动退出",
    "session_ended": "登录会话被终止",
    "import": "导入数据",
    "import_rejected": "导入被拒绝",
    "undo": "撤销导入",
    "targets_edit": "修改目标设置",
    "export": "导出下载",
    "user_add": "新增用户",
    "user_disable": "停用用户",
    "user_enable": "启用用户",
    "user_reset_password": "重置密码",
    "rectification": "整改任务",
    "reminder": "督导提醒",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def record(engine: Engine, viewer: Viewer, action: str, detail: str = "") -> None:
    """One audit entry for ``viewer`` (their user name and source address). A label the command
    line was given (``--user``) is kept in the detail; it never replaces who acted."""
    if viewer.display_name.startswith("经办人自述："):
        detail = f"{detail}（{viewer.display_name}）"
    store.audit(engine, viewer.username, action, detail, source=viewer.source)


def log(engine: Engine, viewer: Viewer, limit: int = 1000, action: str | None = None,
        username: str | None = None) -> pd.DataFrame:
    """The newest entries (administrators only): id, at, username, action, detail, source."""
    if not viewer.is_admin:
        raise PermissionError("只有管理员可以查看审计日志。")
    return store.audit_log(engine, limit=limit, action=action, username=username)
