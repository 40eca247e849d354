"""Whether single sign-on through ``st.login`` can work here (the ``[auth]`` section of
.streamlit/secrets.toml and Authlib); services/sso.py maps the signed-in user's claims to a role."""

from __future__ import annotations

import streamlit as st

_REQUIRED = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def _auth_section() -> dict:
    """The ``[auth]`` table of secrets.toml, or {} when there is no secrets file at all."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets.toml (StreamlitSecretNotFoundError) or an unreadable one
        return {}
    try:
        return dict(section) if section else {}
    except (TypeError, ValueError):
        return {}


def _authlib_available() -> bool:
    try:
        import authlib  # noqa: F401  (st.login needs Authlib)
    except ImportError:
        return False
    return True


def sso_configured() -> bool:
    """True when ``st.login()`` (the default provider) can work: every key of the ``[auth]``
    section it needs is present and Authlib is installed. Never raises."""
    section = _auth_section()
    if not section or not all(section.get(key) for key in _REQUIRED):
        return False
    return _authlib_available()
