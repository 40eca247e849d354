"""Tables of the 用户管理 and 审计日志 pages (pure pandas)."""

from __future__ import annotations

import pandas as pd

from domain.access import ROLES
from services.audit import action_label



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
        "操作": log["action"].map(action_label),
        "详情": log["detail"].fillna(""),
        "来源": log["source"].fillna("") if "source" in log else "",
    })
