"""The multi-process deployment of deploy/README.md, for real: two ``streamlit run serve.py``
processes on one fresh PostgreSQL schema (loaded by ``cli.py demo``), behind nginx running the real
deploy/nginx.conf (only rewritten as tests/test_deploy.py's ``_nginx_wrapper`` does: tmp paths,
a throwaway certificate, free loopback ports, and here an upstream of exactly the two processes
plus an access log that names the upstream of every request), driven over HTTPS in headless
Chromium. It proves that:

a. a login survives reloads, and every request of that browser reaches one process: nginx sets
   the ``dashboard_node`` cookie (Secure, HttpOnly) and hashes it to that process;
b. a file imported through 数据导入 on that process is listed, at its next page run, by the other
   process, in a browser whose ``dashboard_node`` cookie nginx pins to that other process — which
   had already shown the batch list before the import (caches keyed by the shared data version);
c. when the first browser's process stops, a reload lands on the other process, still logged in
   (``dashboard_session`` is checked against the shared database), with no error on the page.

Marked ``browser`` and ``slow``. Under CI a missing TEST_DATABASE_URL, PostgreSQL, nginx, openssl
or Chromium fails the test; elsewhere it is skipped with the reason."""

from __future__ import annotations

import http.client
import re
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ROOT, pg_schema_url
from tests.test_browser import (Server, _assert_clean, _login, _need_browser, _open_from_nav,
                                _settle, _stop, _upload, _wait_for_text)
from tests.test_browser import browser  # noqa: F401  (the fixture: one Chromium for the module)
from tests.test_browser_sessions import _logged_in, _shows_login
from tests.test_deploy import _nginx_wrapper, _upstream_ports

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# One access-log line per request, written when it ends (a websocket: when it closes): end time and
# duration, the sticky key nginx hashed (the dashboard_node cookie, or the request id that becomes
# it), the upstream(s) tried ("A, B" when A failed), status and request.
LOG_FORMAT = ("log_format upstreams '$msec $request_time $dashboard_sticky_key \"$upstream_addr\" "
              "$status $request_method $request_uri';")
LOG_LINE = re.compile(r'^([\d.]+) ([\d.]+) (\S+) "([^"]*)" (\d+) (\S+) (\S+)$')


@dataclass
class Hit:
    start: float  # when nginx received the request (epoch seconds)
    key: str
    upstreams: list[str]  # every upstream nginx tried, in order
    status: int
    method: str
    uri: str

    @property
    def upstream(self) -> str:  # the one that answered
        return self.upstreams[-1]


@pytest.fixture
def pg_demo_url():
    """A new schema on the TEST_DATABASE_URL server (conftest's ``pg_schema_url``) with the demo
    data and accounts loaded by ``cli.py demo``; dropped afterwards."""
    for url in pg_schema_url():
        subprocess.run([sys.executable, "cli.py", "--db", url, "demo"], cwd=ROOT, check=True,
                       capture_output=True, timeout=300)
        yield url


@pytest.fixture
def processes(pg_demo_url, monkeypatch):
    """Two ``streamlit run serve.py`` processes on that database, trusting X-Real-IP as
    deploy/dashboard.env makes them (Server passes the environment on)."""
    _need_browser()
    monkeypatch.setenv("DASHBOARD_TRUSTED_PROXY_HEADER", "X-Real-IP")
    started: list[Server] = []
    try:
        for _ in range(2):
            started.append(Server(pg_demo_url))
        yield started
    finally:
        for server in started:
            server.stop()


class Nginx:
    """deploy/nginx.conf in _nginx_wrapper's throwaway nginx, upstream = the given ports."""

    def __init__(self, tmp_path: Path, upstream_ports: list[int]):
        nginx, self.conf, ports = _nginx_wrapper(tmp_path)
        self.https = ports[-1]
        self.base = f"https://127.0.0.1:{self.https}"
        self.log = tmp_path / "upstreams.log"
        site_file = tmp_path / "dashboard.conf"
        site = site_file.read_text(encoding="utf-8")
        servers = iter(upstream_ports)

        def one_server(mo):  # keep each line's options (max_fails …), drop the lines left over
            port = next(servers, None)
            return "" if port is None else f"{mo.group(1)}127.0.0.1:{port}{mo.group(2)}\n"

        block = re.search(r"upstream\s+dashboard\s*\{.*?\}", site, re.S).group(0)
        site = site.replace(block, re.sub(r"^(\s*server\s+)[\w.\[\]:]+:\d+([^;\n]*;)[^\n]*\n",
                                          one_server, block, flags=re.M))
        assert _upstream_ports(site) == upstream_ports, site
        site_file.write_text(site, encoding="utf-8")
        wrapper = self.conf.read_text(encoding="utf-8")
        access = f"    access_log {tmp_path / 'access.log'};\n"
        assert access in wrapper
        self.conf.write_text(wrapper.replace(
            access, f"    {LOG_FORMAT}\n    access_log {self.log} upstreams;\n"), encoding="utf-8")
        self.proc = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(self.conf),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 15
        while self._status("/_stcore/health") != 200:
            assert time.time() < deadline and self.proc.poll() is None, \
                (tmp_path / "error.log").read_text(errors="replace")
            time.sleep(0.2)

    def _status(self, path: str, node: str | None = None) -> int | None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", self.https, context=context, timeout=10)
        try:
            conn.request("GET", path, headers={"Cookie": f"dashboard_node={node}"} if node else {})
            response = conn.getresponse()
            response.read()
            return response.status
        except OSError:
            return None
        finally:
            conn.close()

    def hits(self, key: str | None = None) -> list[Hit]:
        found = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            mo = LOG_LINE.match(line)
            assert mo, f"unexpected access log line: {line!r}"
            hit = Hit(float(mo.group(1)) - float(mo.group(2)), mo.group(3),
                      mo.group(4).split(", "), int(mo.group(5)), mo.group(6), mo.group(7))
            if key is None or hit.key == key:
                found.append(hit)
        return found

    def node_pinned_to(self, upstream: str) -> str:
        """A dashboard_node value that nginx's hash sends to ``upstream`` (tried until the access
        log shows it there)."""
        for i in range(64):
            node = f"probe{i}"
            assert self._status(f"/?probe={node}", node) == 200
            deadline = time.time() + 5  # nginx logs a request just after answering it
            while not (hits := self.hits(node)) and time.time() < deadline:
                time.sleep(0.05)
            assert hits, f"the access log has no line for {node}"
            if hits[-1].upstream == upstream:
                return node
        raise AssertionError(f"no dashboard_node value among 64 is hashed to {upstream}")

    def stop(self):
        _stop(self.proc)


@pytest.fixture
def nginx(processes, tmp_path):
    front = Nginx(tmp_path, [p.port for p in processes])
    yield front
    front.stop()


def _cookie(context, name: str, timeout: float = 10) -> dict | None:
    deadline = time.time() + timeout
    while True:
        found = next((c for c in context.cookies() if c["name"] == name), None)
        if found or time.time() > deadline:
            return found
        time.sleep(0.2)


def _batch_rows(page) -> str:
    """The text of the 导入记录 grid's rows (from its accessible table; the canvas has no text)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator("tr td").first.wait_for(state="attached", timeout=30_000)
    return "\n".join(c.text_content() or "" for c in grid.locator("tr td").all())


def _address(port: int) -> str:
    return f"127.0.0.1:{port}"


def _newest_batch_file(db_url: str) -> str:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        name = conn.execute(text("SELECT file_name FROM import_batch ORDER BY id DESC LIMIT 1"))
        name = name.scalar_one()
    engine.dispose()
    return name


def _kept_keys(db_url: str) -> set[str]:
    """Keys of the committee lagging lists kept in the database (the last thing a warm-up keeps)."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        keys = {r[0] for r in conn.execute(text("SELECT key FROM kept_figures WHERE kind = 'lagging'"))}
    engine.dispose()
    return keys


def test_two_processes_behind_nginx_sticky_shared_data_and_failover(browser, pg_demo_url,
                                                                    processes, nginx):
    by_address = {_address(p.port): p for p in processes}
    view = {"viewport": {"width": 1400, "height": 1000}, "ignore_https_errors": True}
    first = browser.new_context(**view)
    second = browser.new_context(**view)
    try:
        # a. log in, reload: still logged in, and every request went to one process
        page = first.new_page()
        page.goto(nginx.base + "/")  # the first session of a cold process: give it time
        assert _shows_login(page, timeout=120), "a new browser must log in"
        _login(page, nginx.base, "demo_admin")
        node = _cookie(first, "dashboard_node")
        assert node, "nginx sets the dashboard_node cookie"
        assert node["secure"] and node["httpOnly"], node
        session = _cookie(first, "dashboard_session")
        assert session and session["secure"] and session["httpOnly"], session
        for n in range(5):
            page.reload()
            assert _logged_in(page), f"reload {n + 1} keeps the login"
        hits = nginx.hits(node["value"])
        pages = [h for h in hits if h.method == "GET" and h.uri == "/"]
        assert len(pages) >= 6, hits  # the login page and five reloads, all under this key
        assert any(h.uri.startswith("/_stcore/stream") for h in hits), "the websocket too"
        pinned = {h.upstream for h in hits}
        assert len(pinned) == 1 and pinned <= set(by_address), pinned
        home = pinned.pop()
        (other,) = set(by_address) - {home}

        # b. a second browser pinned to the other process sees the batch list before and after
        #    an import made through the first process
        other_node = nginx.node_pinned_to(other)
        second.add_cookies([{"name": "dashboard_node", "value": other_node, "url": nginx.base,
                             "secure": True, "httpOnly": True}])
        other_page = second.new_page()
        other_page.goto(nginx.base + "/")  # the other process's first session: give it time
        assert _shows_login(other_page, timeout=120), "a new browser must log in"
        _login(other_page, nginx.base, "demo_admin")
        _open_from_nav(other_page, "数据导入")
        # the batch list as the other process shows it (and caches it) before the import
        assert _newest_batch_file(pg_demo_url) in _batch_rows(other_page)
        name = f"多进程_学习记录_{uuid.uuid4().hex[:8]}.csv"

        _open_from_nav(page, "数据导入")
        kept_before = _kept_keys(pg_demo_url)
        csv = "姓名,所在支部,学习日期,学习形式\n张伟,市财政局第一党支部,2026-11-03,自学\n"
        assert name in _upload(page, name, csv.encode("utf-8"), "text/csv")
        page.get_by_role("button", name="导入此文件").first.click()
        _settle(page)
        _wait_for_text(page, "已导入1行")
        assert "已导入1行" in page.inner_text("body")
        _assert_clean(page, "after the import")
        hits = nginx.hits(node["value"])
        assert any(h.uri.startswith("/_stcore/upload_file/") for h in hits), hits
        assert {h.upstream for h in hits} == {home}, "the upload went to the same process"
        # the importing process warms the new figures in the background and keeps them in the
        # database, where the other process reads them
        deadline = time.time() + 120
        while not (_kept_keys(pg_demo_url) - kept_before) and time.time() < deadline:
            time.sleep(1)
        assert _kept_keys(pg_demo_url) - kept_before, "no figures were warmed after the import"

        _open_from_nav(other_page, "数据导入")  # the other process's next page run
        assert name in _batch_rows(other_page), "the import is listed by the other process"
        _assert_clean(other_page, "batch list on the other process")
        assert {h.upstream for h in nginx.hits(other_node)} == {other}, "the second browser too"

        # c. the first browser's process stops: a reload lands on the other one, still logged in
        stopped = time.time()
        by_address[home].stop()
        assert by_address[home].proc.poll() is not None
        page.reload()
        assert _logged_in(page), "the login survives the process"
        _assert_clean(page, "after failover")
        assert name in _batch_rows(page), "the reload shows 数据导入 again, from the other process"
        # requests made since (the old websocket is logged when it closed, from before the stop)
        after = [h for h in nginx.hits(node["value"]) if h.start > stopped]
        assert any(h.method == "GET" and h.uri == "/data_import" for h in after), after
        assert {h.upstream for h in after} == {other}, after
    finally:
        first.close()
        second.close()
