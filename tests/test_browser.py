"""The real app in headless Chromium (Debian's /usr/bin/chromium), started the way run.sh starts
it (serve.py): direct URLs on a fresh server, every page of every role free of error boxes with
screenshots, a click on a ranking row that opens the branch, a change of quarter, an upload through
数据导入 (also after a hostile 5 KB workbook, with the server still answering), and a secretary who
must never see another branch's name — on screen or in a download.

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
             "data_quality", "targets", "users", "audit_log", "reminders"]
# What a user must never meet: Streamlit's exception box is checked separately; these are the texts
# of a Python error or of the app's own "unexpected error" notice (ui/errors.show_unexpected).
ERROR_TEXT = re.compile(r"Traceback|Error\b|Exception\b|页面出现了意外错误")


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
    """``streamlit run serve.py`` (what run.sh starts: the app behind its session middleware)."""

    def __init__(self, db_url: str, script: str = "serve.py", env: dict | None = None, log=None):
        """``env``: more environment variables; ``log``: a file for the server's stderr."""
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": db_url, "DASHBOARD_DEMO": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port",
             str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log or subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(self.url + "/_stcore/health", timeout=2).status == 200:
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"streamlit run {script} did not start")

    def stop(self):
        _stop(self.proc)


def _stop(proc: subprocess.Popen) -> None:
    """Terminate a server process, killing it when it does not end within 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


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


def _assert_clean(page, where: str) -> None:
    """No exception box and no error text on the page, whatever the role or the page."""
    assert page.locator('[data-testid="stException"]').count() == 0, where
    found = ERROR_TEXT.search(page.inner_text("body"))
    assert not found, (where, found.group(0))


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
            # "用户名" is the form's own label; the demo banner already says "密码", so waiting for
            # that returned before the form had rendered (a CI failure).
            _wait_for_text(page, "用户名")
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


EXPECTED_PAGES = {
    "demo_admin": {"总览 · 支部排名", "支部详情", "党员预警", "季度督查", "工作报告数据", "数据导入",
                   "数据质量", "目标设置", "用户管理", "审计日志", "提醒记录"},
    "demo_leader": {"总览 · 支部排名", "支部详情", "党员预警", "季度督查", "工作报告数据", "数据质量",
                    "目标设置"},
    "demo_secretary": {"总览 · 支部排名", "支部详情", "党员预警", "季度督查", "数据导入"},
}


@pytest.mark.parametrize("username", sorted(EXPECTED_PAGES))
def test_every_page_of_every_role_opens_clean(browser, server, username):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _login(page, server.url, username)
    titles = _nav_titles(page)
    assert titles[0] == "总览 · 支部排名"
    assert set(titles) == EXPECTED_PAGES[username]
    for index, title in enumerate(titles):
        _open_from_nav(page, title)
        _assert_clean(page, f"{username} {title}")
        page.screenshot(path=str(SHOTS / f"{username}_{index:02d}.png"), full_page=True)
    page.close()


def _ranking_rows(page) -> list[list[str]]:
    """The ranking's rows as text, from the grid's accessible table (the canvas has no text)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator("tr td").first.wait_for(state="attached", timeout=30_000)
    rows = grid.locator("tr")
    return [[c.text_content() for c in rows.nth(i).locator("td").all()] for i in range(1, rows.count())]


def test_a_ranking_row_click_opens_that_branch_and_the_quarter_can_change(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _login(page, server.url, "demo_leader")
    rows = _ranking_rows(page)
    assert len(rows) >= 5
    second = rows[1]  # not the first branch: that might be the picker's default anyway
    rank, branch = second[0], second[1]
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    # The row marker (the selection checkbox) of the second data row: header and rows are 35 px.
    page.mouse.click(box["x"] + 18, box["y"] + 35 * 2 + 17)
    _settle(page)
    page.wait_for_url(re.compile(r"/branch_detail"), timeout=30_000)
    _settle(page)
    picker = page.get_by_role("combobox", name="支部")
    assert picker.input_value() == branch
    assert f"{rank} / " in page.inner_text("body")  # 全委排名 of that branch
    _assert_clean(page, "branch after row click")
    page.screenshot(path=str(SHOTS / "leader_row_click_branch.png"), full_page=True)

    quarter = page.get_by_role("combobox", name="季度")
    before = quarter.input_value()
    quarter.click()
    options = page.locator('[role="option"]')
    labels = [options.nth(i).inner_text() for i in range(options.count())]
    other = next(label for label in labels if label != before)
    options.filter(has_text=other).first.click()
    _settle(page)
    assert page.get_by_role("combobox", name="季度").input_value() == other
    assert picker.input_value() == branch  # the branch stays when the quarter changes
    body = page.inner_text("body")
    assert f"{other} · 截至" in body
    _assert_clean(page, f"branch in {other}")
    page.close()


def _upload(page, name: str, data: bytes, mime: str) -> str:
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])
    _settle(page)
    _wait_for_text(page, name)
    return page.inner_text("body")


def test_upload_a_sample_file_through_data_import(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _login(page, server.url, "demo_admin")
    _open_from_nav(page, "数据导入")
    csv = "姓名,所在支部,学习日期,学习形式\n张伟,市财政局第一党支部,2026-11-03,自学\n"
    body = _upload(page, "浏览器上传_学习记录.csv", csv.encode("utf-8"), "text/csv")
    assert "浏览器上传_学习记录.csv" in body
    page.get_by_role("button", name="导入此文件").first.click()
    _settle(page)
    page.screenshot(path=str(SHOTS / "admin_import_done.png"), full_page=True)
    _wait_for_text(page, "已导入1行")
    assert "已导入1行" in page.inner_text("body")
    _assert_clean(page, "after import")
    page.close()


def test_a_hostile_workbook_is_refused_and_the_server_keeps_serving(browser, server, tmp_path):
    """The 5 KB roster with one stray cell at XFD1048576 once took the whole server down."""
    from tests.files.make_corpus import stray_cell_xfd

    hostile = stray_cell_xfd(tmp_path).read_bytes()
    assert len(hostile) < 20_000
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _login(page, server.url, "demo_admin")
    _open_from_nav(page, "数据导入")
    body = _upload(page, "党员名册_多余单元格.xlsx", hostile,
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "XFD1048576" in body  # the refusal says where the stray cell is
    assert page.get_by_role("button", name="导入此文件").is_disabled()
    _assert_clean(page, "hostile upload")
    assert urllib.request.urlopen(server.url + "/_stcore/health", timeout=5).status == 200
    # the same tab goes on working: the next, ordinary upload (beside the refused one) imports
    csv = "姓名,所在支部,学习日期,学习形式\n李娜,市财政局第一党支部,2026-11-04,自学\n"
    _upload(page, "浏览器上传_第二个文件.csv", csv.encode("utf-8"), "text/csv")
    page.get_by_role("button", name="导入此文件", disabled=False).click()
    _settle(page)
    _wait_for_text(page, "已导入1行")
    assert "已导入1行" in page.inner_text("body")
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
        _assert_clean(page, f"secretary {title}")
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
    # Each file is built when clicked, outside any page run; each download is one audit entry.
    engine = create_engine(demo_db)
    with engine.connect() as conn:
        exports = conn.execute(text("SELECT detail FROM audit_log WHERE action = 'export'"
                                    " AND username = 'demo_secretary'")).scalars().all()
    engine.dispose()
    assert len(exports) == downloads and all(own in detail for detail in exports)
    page.close()
