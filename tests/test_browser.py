"""The real app in headless Chromium (Debian's /usr/bin/chromium): direct URLs on a fresh server,
every page per role with screenshots, an upload through 数据导入, and a secretary who must never
see another branch's name — on screen or in a download.

Marked ``browser``; under CI a missing Chromium fails instead of skipping."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "_artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGE_URLS = ["overview", "branch_detail", "lagging", "inspection", "work_report", "data_import",
             "data_quality", "targets", "users", "audit_log"]


def _need_browser():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail("CI 中缺少 /usr/bin/chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        pytest.fail("playwright is not installed: ./test.sh installs requirements-dev.txt")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo_db(path: Path) -> str:
    url = f"sqlite:///{path}"
    subprocess.run([sys.executable, "cli.py", "--db", url, "demo"], cwd=ROOT, check=True,
                   capture_output=True)
    return url


class Server:
    def __init__(self, db_url: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": db_url, "DASHBOARD_DEMO": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port",
             str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(self.url + "/_stcore/health", timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("streamlit did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    _need_browser()
    return _demo_db(tmp_path_factory.mktemp("browser") / "demo.db")


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _settle(page, timeout=60):
    """Wait until Streamlit has rendered and finished running the script for the current view:
    the status widget (Running… / Stop) is absent twice in a row and the main block has content."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline, quiet = time.time() + timeout, 0
    while time.time() < deadline and quiet < 2:
        page.wait_for_timeout(400)
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        content = page.locator('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]').count()
        quiet = quiet + 1 if (not running and content) else 0


def _wait_for_text(page, text, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline and text not in page.inner_text("body"):
        page.wait_for_timeout(300)


def _branch_names(db_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM branch"))]
    engine.dispose()
    return names


def _login(page, base, username):
    page.goto(base + "/")
    _settle(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()
    _settle(page)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)


def _nav_titles(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    # A link's text starts with its Material icon's name; the title is the last line.
    return [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]


def _open_from_nav(page, title):
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    _settle(page)


def test_fresh_server_direct_urls_show_login_and_no_data(tmp_path, browser):
    """Before any session ran the router, Streamlit serves pages/ by URL: each must show the
    login form and no branch or member data."""
    db_url = _demo_db(tmp_path / "fresh.db")
    names = _branch_names(db_url)
    server = Server(db_url)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for slug in PAGE_URLS:
            page.goto(f"{server.url}/{slug}")
            _settle(page)
            _wait_for_text(page, "密码")
            body = page.inner_text("body")
            assert "用户名" in body and "密码" in body, slug
            leaked = [n for n in names if n in body]
            assert not leaked, (slug, leaked)
            assert page.locator('[data-testid="stDataFrame"]').count() == 0, slug
        page.close()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(demo_db):
    s = Server(demo_db)
    yield s
    s.stop()


def test_admin_sees_every_page_and_screenshots(browser, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _login(page, server.url, "demo_admin")
    titles = _nav_titles(page)
    assert titles[:4] == ["总览 · 支部排名", "支部详情", "党员预警", "季度督查"]
    assert "用户管理" in titles and "审计日志" in titles
    for index, title in enumerate(titles):
        _open_from_nav(page, title)
        body = page.inner_text("body")
        assert "Traceback" not in body, title
        assert page.locator('[data-testid="stException"]').count() == 0, title
        page.screenshot(path=str(SHOTS / f"admin_{index:02d}.png"), full_page=True)
    page.close()


def test_upload_a_sample_file_through_data_import(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _login(page, server.url, "demo_admin")
    _open_from_nav(page, "数据导入")
    csv = "姓名,所在支部,学习日期,学习形式\n张伟,市财政局第一党支部,2026-11-03,自学\n"
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "浏览器上传_学习记录.csv", "mimeType": "text/csv",
                "buffer": csv.encode("utf-8")}])
    _settle(page)
    assert "浏览器上传_学习记录.csv" in page.inner_text("body")
    page.get_by_role("button", name=re.compile("导入")).first.click()
    _settle(page)
    page.screenshot(path=str(SHOTS / "admin_import_done.png"), full_page=True)
    body = page.inner_text("body")
    assert "已导入" in body
    page.close()


def _download_text(download) -> str:
    """Every string inside a downloaded CSV / XLSX / DOCX."""
    data = Path(download.path()).read_bytes()
    name = download.suggested_filename
    if name.endswith(".csv"):
        return data.decode("utf-8-sig")
    if name.endswith(".xlsx"):
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data))
        cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value]
        headers = [ws.oddHeader.center.text or "" for ws in wb]
        return "\n".join(cells + headers + wb.sheetnames)
    if name.endswith(".docx"):
        import docx

        doc = docx.Document(io.BytesIO(data))
        parts = [p.text for p in doc.paragraphs]
        parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return "\n".join(parts)
    return data.decode("utf-8", "replace")


def test_secretary_never_sees_another_branch(browser, server, demo_db):
    from sqlalchemy import create_engine, text

    engine = create_engine(demo_db)
    with engine.connect() as conn:
        own = conn.execute(text("SELECT b.name FROM app_user u JOIN branch b ON b.id = u.branch_id"
                                " WHERE u.username = 'demo_secretary'")).scalar_one()
    engine.dispose()
    # A branch name that contains the secretary's own name would be a false alarm; none do here.
    others = [n for n in _branch_names(demo_db) if n != own]
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    _login(page, server.url, "demo_secretary")
    titles = _nav_titles(page)
    assert "用户管理" not in titles and "数据质量" not in titles and "审计日志" not in titles
    downloads = 0
    for index, title in enumerate(titles):
        _open_from_nav(page, title)
        body = page.inner_text("body")
        leaked = [n for n in others if n in body]
        assert not leaked, (title, leaked)
        page.screenshot(path=str(SHOTS / f"secretary_{index:02d}.png"), full_page=True)
        buttons = page.locator('[data-testid="stDownloadButton"] button')
        for i in range(buttons.count()):
            with page.expect_download(timeout=60_000) as info:
                buttons.nth(i).click()
            text_ = _download_text(info.value)
            leaked = [n for n in others if n in text_]
            assert not leaked, (title, info.value.suggested_filename, leaked)
            downloads += 1
            _settle(page)
    assert downloads >= 2  # the lagging list and the inspection packet at least
    page.close()
