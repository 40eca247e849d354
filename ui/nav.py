"""The pages and who may open them: the one table the router and every page guard read."""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("admin", "leader", "secretary")


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str
    icon: str
    roles: tuple[str, ...]
    section: str


PAGES: dict[str, PageSpec] = {p.key: p for p in (
    PageSpec("overview", "pages/overview.py", "总览 · 支部排名", ":material/leaderboard:", ALL, "看板"),
    PageSpec("branch", "pages/branch_detail.py", "支部详情", ":material/account_tree:", ALL, "看板"),
    PageSpec("lagging", "pages/lagging.py", "党员预警", ":material/notification_important:", ALL, "看板"),
    PageSpec("inspection", "pages/inspection.py", "季度督查", ":material/fact_check:", ALL, "督查与报告"),
    PageSpec("report", "pages/work_report.py", "工作报告数据", ":material/summarize:",
             ("admin", "leader"), "督查与报告"),
    PageSpec("import", "pages/data_import.py", "数据导入", ":material/upload_file:",
             ("admin", "secretary"), "数据"),
    PageSpec("quality", "pages/data_quality.py", "数据质量", ":material/rule:", ("admin", "leader"), "数据"),
    PageSpec("targets", "pages/targets.py", "目标设置", ":material/tune:", ("admin", "leader"), "设置"),
    PageSpec("users", "pages/users.py", "用户管理", ":material/group:", ("admin",), "设置"),
    PageSpec("audit", "pages/audit_log.py", "审计日志", ":material/history:", ("admin",), "设置"),
)}


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES.values() if role in p.roles]


def url_path(spec: PageSpec) -> str:
    """The page's URL: its file name, the same before and after the router first runs."""
    return spec.path.rsplit("/", 1)[-1].removesuffix(".py")
