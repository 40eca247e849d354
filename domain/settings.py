"""Every setting read from the environment, in one table: its name, default and meaning.
``tests/test_docs.py`` checks that the code reads no other variable and that README names them
all, so a setting cannot be added without being documented."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    meaning: str


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("DATABASE_URL", "", "any SQLAlchemy URL; empty: the SQLite file data/dashboard.db"),
    Setting("DASHBOARD_DEMO", "0", "1: demo accounts may log in (run.sh sets it)"),
    Setting("DASHBOARD_IDLE_MINUTES", "30", "after this long without an action, log in again"),
    Setting("DASHBOARD_PASSWORD", "", "cli.py user add / reset-password reads the password from it"),
    Setting("DASHBOARD_PII_KEY", "", "a Fernet key: 联系电话 and 身份证号 from rosters are stored encrypted "
                                     "with it; empty: they are not stored at all"),
    Setting("DASHBOARD_MAX_CELLS", "2000000", "largest sheet (cells) a file may have"),
    Setting("DASHBOARD_MAX_UNPACKED_MB", "200", "largest unpacked size (MB) of an uploaded workbook"),
    Setting("DASHBOARD_PARSE_MEMORY_MB", "1024", "memory (MB) the child process reading an upload may add"),
    Setting("DASHBOARD_PARSE_TIMEOUT_S", "120", "seconds the child process reading an upload may take"),
    Setting("DASHBOARD_TRUSTED_PROXY_HEADER", "", "header carrying the client's address behind a reverse "
                                                  "proxy (X-Real-IP with deploy/nginx.conf); empty: the "
                                                  "connection's address"),
    Setting("DASHBOARD_LOGIN_SOURCE_LIMIT", "30", "failed logins from one address within 15 minutes before "
                                                  "that address is refused for a while"),
    Setting("DASHBOARD_SESSION_UPLOAD_MB", "200", "uploaded files (MB) one browser tab may hold at a time "
                                                  "(serve.py)"),
    Setting("DASHBOARD_URL", "", "the dashboard's address; 督导提醒 link to it (empty: no link)"),
    Setting("DASHBOARD_SMTP_HOST", "", "SMTP server for 督导提醒 e-mail (empty: no e-mail)"),
    Setting("DASHBOARD_SMTP_PORT", "587", "SMTP port (587 STARTTLS, 465 SSL)"),
    Setting("DASHBOARD_SMTP_SECURITY", "starttls", "starttls, ssl, or none (a local relay without login only)"),
    Setting("DASHBOARD_SMTP_USER", "", "SMTP login (empty: no login)"),
    Setting("DASHBOARD_SMTP_PASSWORD", "", "SMTP password or authorisation code (授权码)"),
    Setting("DASHBOARD_SMTP_FROM", "", "sender address (empty: DASHBOARD_SMTP_USER)"),
    Setting("DASHBOARD_SMTP_CAFILE", "", "CA file to trust for an internal mail server (empty: the system's)"),
    Setting("DASHBOARD_REMIND_OFFICE_EMAIL", "", "office mailboxes, comma-separated: get the committee digest"),
    Setting("DASHBOARD_WEBHOOK_URL", "", "the committee group's 企业微信/钉钉 robot: gets the digest"),
    Setting("DASHBOARD_WEBHOOK_SECRET", "", "钉钉 加签 secret (SEC…); 企业微信 needs none"),
    Setting("DASHBOARD_WEBHOOK_KIND", "", "wecom or dingtalk (empty: from the robot's host)"),
    Setting("DASHBOARD_OUTBOX_DIR", "data/outbox", "outbox folder, one sub-folder per month"),
    Setting("DASHBOARD_WARM_AFTER_CHANGE", "1", "0: cli.py import/undo/demo do not start cli.py warm "
                                                "in the background"),
    Setting("DASHBOARD_FIRST_VIEWS", "1", "0: a server process (serve.py) does not fill its caches for "
                                          "总览's first view after new data"),
)}


def get(name: str) -> str:
    """The value of a registered setting (its default when unset)."""
    return os.environ.get(name, SETTINGS[name].default)
