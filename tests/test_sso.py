"""Single sign-on: when st.login is usable, and how OIDC claims become a viewer (faked claims)."""

from __future__ import annotations

import pytest
import streamlit as st

from services import accounts, sso
from ui import sso as sso_ui
from domain.access import SYSTEM
from storage.imports import import_result
from tests.test_storage import FIN1, FIN2, ROSTER, result

AUTH = {
    "redirect_uri": "https://dangjian.example.gov.cn/oauth2callback",
    "cookie_secret": "x" * 40,
    "client_id": "dashboard",
    "client_secret": "secret",
    "server_metadata_url": "https://sso.example.gov.cn/.well-known/openid-configuration",
}


@pytest.fixture
def engine(sqlite_engine):
    import_result(sqlite_engine, result("roster", ROSTER), b"roster", SYSTEM)
    return sqlite_engine


def _branch_id(engine, name):
    from storage.queries import find_branch

    return find_branch(engine, name)[0]


# --- sso_configured -------------------------------------------------------------------------------


def test_not_configured_without_a_secrets_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert sso_ui.sso_configured() is False  # and it did not raise


def test_not_configured_when_a_key_is_missing(monkeypatch):
    monkeypatch.setattr(sso_ui, "_authlib_available", lambda: True)
    for missing in AUTH:
        partial = {k: v for k, v in AUTH.items() if k != missing}
        monkeypatch.setattr(st, "secrets", {"auth": partial})
        assert sso_ui.sso_configured() is False, missing


def test_configured_with_every_key_and_authlib(monkeypatch):
    monkeypatch.setattr(st, "secrets", {"auth": AUTH})
    monkeypatch.setattr(sso_ui, "_authlib_available", lambda: True)
    assert sso_ui.sso_configured() is True
    monkeypatch.setattr(sso_ui, "_authlib_available", lambda: False)
    assert sso_ui.sso_configured() is False  # st.login would fail without Authlib


def test_unreadable_secrets_count_as_not_configured(monkeypatch):
    class Broken:
        def get(self, key):
            raise RuntimeError("bad toml")

    monkeypatch.setattr(st, "secrets", Broken())
    assert sso_ui.sso_configured() is False


# --- viewer_from_claims -------------------------------------------------------------------------


def test_local_account_found_by_email_gives_its_role_and_branch(engine):
    accounts.add_user(engine, "li@example.gov.cn", "Hongqi-Qiao-47", "secretary", actor="t",
                      branch_id=_branch_id(engine, FIN1))
    viewer = sso.viewer_from_claims(engine, {"email": "li@example.gov.cn",
                                             "dashboard_role": "admin"})
    assert viewer.role == "secretary" and viewer.branch == FIN1  # the account wins over claims


def test_local_account_found_by_preferred_username(engine):
    accounts.add_user(engine, "wang", "Hongqi-Qiao-47", "leader", actor="t")
    viewer = sso.viewer_from_claims(engine, {"email": "nobody@example.gov.cn",
                                             "preferred_username": "wang"})
    assert viewer.username == "wang" and viewer.role == "leader"


def test_disabled_local_account_gets_nothing_whatever_the_claims(engine):
    accounts.add_user(engine, "wang", "Hongqi-Qiao-47", "admin", actor="t")
    accounts.set_disabled(engine, "wang", True, actor="t")
    assert sso.viewer_from_claims(engine, {"preferred_username": "wang",
                                           "dashboard_role": "admin"}) is None


@pytest.mark.parametrize("role_claim,role", [("leader", "leader"), ("领导", "leader"),
                                             ("admin", "admin"), ("管理员", "admin")])
def test_role_claim_without_local_account(engine, role_claim, role):
    viewer = sso.viewer_from_claims(engine, {"preferred_username": "zhao", "name": "赵强",
                                             "dashboard_role": role_claim})
    assert viewer.role == role and viewer.username == "zhao" and viewer.display_name == "赵强"
    assert viewer.branch_id is None


def test_secretary_claim_maps_the_branch_by_name(engine):
    viewer = sso.viewer_from_claims(engine, {"email": "sun@example.gov.cn",
                                             "dashboard_role": "支部书记",
                                             "dashboard_branch": "市财政局第二党支部　"})
    assert viewer.role == "secretary"
    assert (viewer.branch_id, viewer.branch) == (_branch_id(engine, FIN2), FIN2)
    assert viewer.branch_scope == (viewer.branch_id,)


@pytest.mark.parametrize("claims", [
    {"email": "a@example.gov.cn", "dashboard_role": "secretary"},  # no branch
    {"email": "a@example.gov.cn", "dashboard_role": "secretary", "dashboard_branch": "不存在的支部"},
    {"email": "a@example.gov.cn"},  # no role, no account
    {"email": "a@example.gov.cn", "dashboard_role": "superuser"},
    {"dashboard_role": "admin"},  # nobody to name
    {},
])
def test_claims_that_grant_nothing(engine, claims):
    assert sso.viewer_from_claims(engine, claims) is None
