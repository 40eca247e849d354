"""Shared fixtures. Storage tests run on SQLite and on PostgreSQL (``TEST_DATABASE_URL``): under CI
an unreachable PostgreSQL fails the tests; elsewhere they are skipped with the reason."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
# cli.py import/undo/demo start a detached warm-up (cli/warming.py); the tests that are about it
# turn it back on, the others must not leave processes working on their temporary databases
os.environ["DASHBOARD_WARM_AFTER_CHANGE"] = "0"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _pg_server_url() -> str:
    from storage.db import database_url

    return database_url(PG_URL)


def pg_schema_url():
    """A new schema on the TEST_DATABASE_URL server, as a URL whose search_path is that schema;
    dropped afterwards. Under CI a missing or unreachable server fails the test, elsewhere it
    is skipped with the reason. A generator: ``yield from pg_schema_url()`` in a fixture."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI 中必须提供 TEST_DATABASE_URL（PostgreSQL）")
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests run in .ci/run")
    server = _pg_server_url()
    schema = "t_" + uuid.uuid4().hex[:12]
    try:
        admin = create_engine(server)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # unreachable server
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable under CI: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    sep = "&" if "?" in server else "?"
    try:
        yield f"{server}{sep}options=-csearch_path%3D{schema}"
    finally:
        from storage.db import dispose_all

        dispose_all()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


_TEMPLATES: dict[str, str] = {}  # this process's template databases: what they hold → name


def pg_copy_url(kind: str, fill):
    """A new database on the TEST_DATABASE_URL server, copied (CREATE DATABASE … TEMPLATE) from one
    this process filled once with ``fill(url)``: loading the sample on PostgreSQL took 6–8 s per
    test, a copy takes a fraction of a second. Dropped afterwards; the templates when the process
    ends. A generator, like ``pg_schema_url``."""
    import atexit

    from sqlalchemy.engine import make_url

    from storage.db import dispose_all

    schemas = pg_schema_url()  # the same skip / fail rules; its empty schema is not used
    next(schemas)
    server = make_url(_pg_server_url())
    admin = create_engine(server, isolation_level="AUTOCOMMIT")

    def create(name: str, template: str | None = None) -> str:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
        return server.set(database=name).render_as_string(hide_password=False)

    def drop(name: str) -> None:
        with create_engine(server, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    if kind not in _TEMPLATES:
        template = f"tpl_{kind}_{uuid.uuid4().hex[:8]}"
        fill(create(template))
        dispose_all()  # a template must have no connections when it is copied
        _TEMPLATES[kind] = template
        atexit.register(drop, template)
    name = "t_" + uuid.uuid4().hex[:12]
    try:
        yield create(name, _TEMPLATES[kind])
    finally:
        dispose_all()
        drop(name)
        admin.dispose()
        schemas.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL: a SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    yield from pg_schema_url()


@pytest.fixture
def engine(db_url):
    from storage.db import get_engine

    return get_engine(db_url)


@pytest.fixture
def sqlite_engine(tmp_path):
    from storage.db import get_engine

    return get_engine(f"sqlite:///{tmp_path / 'one.db'}")


@pytest.fixture(scope="session")
def sample_db_url(tmp_path_factory):
    """A SQLite database loaded with every file in sample_data/ (as `cli.py demo` does), plus the
    demo accounts. Shared by the page and report tests; treat it as read-only."""
    from services.accounts import ensure_demo_accounts
    from services.importing import import_paths, sample_files
    from storage.db import get_engine
    from domain.access import SYSTEM

    url = f"sqlite:///{tmp_path_factory.mktemp('sample') / 'sample.db'}"
    engine = get_engine(url)
    outcomes = import_paths(engine, sample_files(), SYSTEM)
    rejected = [o for o in outcomes if o.status == "rejected"]
    assert not rejected, [p.describe() for o in rejected for p in o.problems][:10]
    ensure_demo_accounts(engine)
    return url


@pytest.fixture
def app_env(sample_db_url, monkeypatch):
    """Environment for AppTest runs against the sample database (demo accounts enabled)."""
    monkeypatch.setenv("DATABASE_URL", sample_db_url)
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    return sample_db_url


@pytest.fixture
def writable_env(sample_db_url, tmp_path, monkeypatch):
    """A private copy of the sample database for tests that write."""
    import sqlite3

    source = sqlite3.connect(sample_db_url.removeprefix("sqlite:///"))
    copy = tmp_path / "writable.db"
    with sqlite3.connect(copy) as target:  # the backup API includes what is still in the WAL
        source.backup(target)
    source.close()
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_DEMO", "1")
    yield url
    # Page caches are keyed by data version, not by database: forget what this copy produced.
    import streamlit as st

    st.cache_data.clear()


@pytest.fixture(scope="module")
def sample_facts(sample_db_url):
    """Branch names of the sample, and the demo secretary's branch."""
    from storage.accounts import get_user
    from storage.db import get_engine
    from storage.queries import branch_list
    from domain.access import SYSTEM
    from tests.apptest_helpers import DEMO_USERS

    engine = get_engine(sample_db_url)
    names = list(branch_list(engine, SYSTEM)["branch"])
    secretary = get_user(engine, DEMO_USERS["secretary"])
    return {"branches": names, "own": secretary["branch"], "own_id": secretary["branch_id"]}
