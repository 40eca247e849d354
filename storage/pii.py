"""联系电话 and 身份证号 from rosters: personal data the figures never need. They are stored only
when an encryption key is configured (DASHBOARD_PII_KEY, a Fernet key), and then encrypted;
otherwise they are not stored at all (DOMAIN §3.1: stored only if present, never exported)."""

from __future__ import annotations

import pandas as pd
from cryptography.fernet import Fernet, InvalidToken

from domain import settings


def _cipher() -> Fernet | None:
    key = settings.get("DASHBOARD_PII_KEY").strip()
    return Fernet(key.encode()) if key else None


def protect(values: pd.Series) -> pd.Series:
    """What is stored for a column of personal data: encrypted text, or nothing."""
    cipher = _cipher()
    if cipher is None:
        return pd.Series([None] * len(values), index=values.index, dtype=object)
    return pd.Series([None if v is None or (not isinstance(v, str) and pd.isna(v))
                      else cipher.encrypt(str(v).encode()).decode() for v in values],
                     index=values.index, dtype=object)


def reveal(token: str | None) -> str | None:
    """The stored value in clear (for an administrator's own use; never exported)."""
    cipher = _cipher()
    if cipher is None or not token:
        return None
    try:
        return cipher.decrypt(token.encode()).decode()
    except InvalidToken:
        return None
