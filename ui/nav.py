"""The pages: file, title, icon and menu section (who may open each: domain.access.PAGE_ROLES)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.access import PAGE_ROLES


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str
    icon: str
    section: str

    @property
    def roles(self) -> tuple[str, ...]:
        return PAGE_ROLES[self.key]


PAGES: dict[str, PageSpec] = {p.key: p for p in (
    PageSpec("overview", "pages/overview.py", "总览 · 支部排名", ":material/leaderboard:", "看板"),
    PageSpec("branch", "pages/branch_detail.py", "支部详情", ":material/account_tree:", "看板"),
    PageSpec("lagging", "pages/lagging.py", "党员预警", ":material/notification_important:", "看板"),
    PageSpec("inspection", "pages/inspection.py", "季度督查", ":material/fact_check:", "督查与报告"),
    PageSpec("report", "pages/work_report.py", "工作报告数据", ":material/summarize:", "督查与报告"),
    PageSpec("import", "pages/data_import.py", "数据导入", ":material/upload_file:", "数据"),
    PageSpec("quality", "pages/data_quality.py", "数据质量", ":material/rule:", "数据"),
    PageSpec("targets", "pages/targets.py", "目标设置", ":material/tune:", "设置"),
    PageSpec("users", "pages/users.py", "用户管理", ":material/group:", "设置"),
    PageSpec("audit", "pages/audit_log.py", "审计日志", ":material/history:", "设置"),
    PageSpec("reminders", "pages/reminders.py", "提醒记录", ":material/notifications_active:", "督查与报告"),
)}


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES.values() if role in p.roles]


def url_path(spec: PageSpec) -> str:
    """The page's URL: its file name, the same before and after the router first runs."""
    return spec.path.rsplit("/", 1)[-1].removesuffix(".py")
