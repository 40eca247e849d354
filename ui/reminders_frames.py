"""Tables of the 提醒记录 page (pure pandas)."""

from __future__ import annotations

import pandas as pd

from domain.access import ROLES
from services.channels import CHANNEL_LABELS
from services.reminder_runs import AUDIENCE_LABELS, STATUS_LABELS

LOG_COLUMNS = ["期间", "对象", "支部", "接收人", "渠道", "状态", "尝试次数", "最近发送时间", "失败原因", "主题"]


def recipient_text(key: str, channel: str) -> str:
    """The address of a log key (``branch:3:li@example.org`` → ``li@example.org``), or what the
    robot / outbox channel sends to."""
    target = key.split(":", 2)[-1] if key.startswith("branch:") else key.split(":", 1)[-1]
    return {"webhook": "群机器人", "outbox": ".txt + .docx"}.get(target, target)


def _time(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, format="mixed", errors="coerce")
    return stamps.dt.strftime("%Y-%m-%d %H:%M").fillna("")


def log_table(log: pd.DataFrame) -> pd.DataFrame:
    """One row per message of the reminder log, in the log's order (newest first)."""
    return pd.DataFrame({
        "期间": log["period"].astype(str),
        "对象": log["audience"].map(lambda a: AUDIENCE_LABELS.get(a, a)),
        "支部": log["branch"].fillna("全委"),
        "接收人": [recipient_text(k, c) for k, c in zip(log["recipient"], log["channel"])],
        "渠道": log["channel"].map(lambda c: CHANNEL_LABELS.get(c, c)),
        "状态": log["status"].map(lambda s: STATUS_LABELS.get(s, s)),
        "尝试次数": log["attempts"].astype(int),
        "最近发送时间": _time(log["sent_at"]),
        "失败原因": log["last_error"].fillna(""),
        "主题": log["subject"].fillna(""),
    }, columns=LOG_COLUMNS)


def preview_table(rows: list[dict]) -> pd.DataFrame:
    """The month's recipients and what sending now would do for each."""
    return pd.DataFrame({
        "对象": [AUDIENCE_LABELS[r["recipient"].audience] for r in rows],
        "支部": [r["recipient"].branch or "全委" for r in rows],
        "接收人": [r["recipient"].shown for r in rows],
        "本月状态": [r["state"] for r in rows],
    }, columns=["对象", "支部", "接收人", "本月状态"])


def branch_address_table(branches: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "支部": branches["branch"],
        "支部提醒邮箱": branches["email"].fillna(""),
        "书记账号邮箱": branches["secretaries"].fillna(""),
        "能否收到邮件提醒": [("能" if (isinstance(e, str) and e) or s else "不能（请设置邮箱）")
                            for e, s in zip(branches["email"], branches["secretaries"])],
    })


def account_address_table(users: pd.DataFrame, branch_names: dict[int, str]) -> pd.DataFrame:
    shown = users[~users["is_demo"].astype(bool)]
    return pd.DataFrame({
        "用户名": shown["username"],
        "姓名": shown["display_name"].fillna(""),
        "角色": shown["role"].map(lambda r: ROLES.get(r, r)),
        "所在支部": shown["branch_id"].map(lambda b: branch_names.get(int(b), "") if pd.notna(b) else ""),
        "提醒邮箱": shown["email"].fillna(""),
        "状态": shown["disabled"].astype(bool).map({True: "已停用", False: "正常"}),
    })
