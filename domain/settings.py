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
)}


def get(name: str) -> str:
    """The value of a registered setting (its default when unset)."""
    return os.environ.get(name, SETTINGS[name].default)
