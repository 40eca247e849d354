"""Optional single sign-on (OIDC through ``st.login``, configured in ui/sso.py): the one place
where an identity provider's claims become a viewer (role and branch).

Configure it in ``.streamlit/secrets.toml`` (and install Authlib, which ``st.login`` needs)::

    [auth]
    redirect_uri = "https://dangjian.example.gov.cn/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "dangjian-dashboard"
    client_secret = "..."
    server_metadata_url = "https://sso.example.gov.cn/.well-known/openid-configuration"

Mapping, first match wins:
1. a local account whose user name equals the ``email`` or ``preferred_username`` claim: its role
   and branch (a disabled account gets no access, whatever the claims say);
2. claims ``dashboard_role`` (admin / leader / secretary, or 管理员 / 领导 / 支部书记) and, for a
   secretary, ``dashboard_branch`` (a branch name known to the database);
3. otherwise no access (None): the login page stays.
"""

from __future__ import annotations

from sqlalchemy import Engine

from domain.access import ROLES, Viewer
from services.accounts import viewer_for
from storage.accounts import get_user
from storage.queries import find_branch

_ROLE_NAMES = {**{k: k for k in ROLES}, **{v: k for k, v in ROLES.items()}}


def _text(claims: dict, key: str) -> str:
    value = claims.get(key)
    return value.strip() if isinstance(value, str) else ""


def viewer_from_claims(engine: Engine, claims: dict) -> Viewer | None:
    """The viewer for a signed-in OIDC user, or None when the claims grant no access."""
    for key in ("email", "preferred_username"):
        name = _text(claims, key)
        if not name:
            continue
        user = get_user(engine, name)
        if user is not None:
            return None if user["disabled"] else viewer_for(user)

    role = _ROLE_NAMES.get(_text(claims, "dashboard_role"))
    if role is None:
        return None
    username = _text(claims, "preferred_username") or _text(claims, "email") or _text(claims, "sub")
    if not username:
        return None
    display = _text(claims, "name") or username
    if role != "secretary":
        return Viewer(username=username, role=role, display_name=display)
    branch_name = _text(claims, "dashboard_branch")
    found = find_branch(engine, branch_name) if branch_name else None
    if found is None:
        return None
    branch_id, branch = found
    return Viewer(username=username, role=role, branch_id=branch_id, branch=branch,
                  display_name=display)
