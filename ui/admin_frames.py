"""Tables of the 用户管理 and 审计日志 pages (pure pandas)."""

from __future__ import annotations

import pandas as pd

from auth.viewer import ROLES

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "login_locked": "锁定期间尝试登录", "logout": "退出登录",
    "import": "导入数据", "undo": "撤销导入", "targets_edit": "修改目标设置", "export": "导出下载",
    "user_add": "新增用户", "user_disable": "停用用户", "user_enable": "启用用户",
    "user_reset_password": "重置密码",
}


def users_table(users: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "用户名": users["username"], "姓名": users["display_name"].fillna(""),
        "角色": users["role"].map(lambda r: ROLES.get(r, r)),
        "所在支部": users["branch"].fillna(""),
        "状态": users["disabled"].astype(bool).map({True: "已停用", False: "正常"}),
        "演示账号": users["is_demo"].astype(bool),
        "创建时间": pd.to_datetime(users["created_at"], format="mixed").dt.strftime("%Y-%m-%d %H:%M"),
    })


def audit_table(log: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "时间": pd.to_datetime(log["at"], format="mixed").dt.strftime("%Y-%m-%d %H:%M:%S"),
        "用户": log["username"],
        "操作": log["action"].map(lambda a: ACTION_LABELS.get(a, a)),
        "详情": log["detail"].fillna(""),
    })


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
