"""督导提醒 (issue 22): a small committee imported through storage, its reminders worked out by
hand; e-mail through a local SMTP server (aiosmtpd, STARTTLS, login), the robots through a local
HTTP server, the outbox on disk; once per recipient per month, failures retried, and a
secretary's message that names no other branch.

The committee, 2026Q4 (1 October – 31 December, 92 days) as of **10 December 2026**:

一支部 (在职): 张三 (书记), 李四, 王五, 赵敏 — all on the roster of 30 September, so all belong
for the whole quarter; no 党小组 (党小组会 not applicable). Its ledger file covers October
(coverage 31 October: 31 days of the quarter) and holds
  10-10 支部委员会 4 expected, 3 present, 李四 absent
  10-20 主题党日   4 / 4
  10-25 党课       4 / 3, 李四 absent
学习强国 (one export, 1–31 October; nothing for November — a gap): 张三 1,500, 李四 300,
王五 900, 赵敏 not in the export (0).
自学: 张三 5 Oct, 5 Nov, 5 Dec; 李四 6 Oct; 王五 7 Oct, 7 Nov; 赵敏 none.
整改: 2026Q3 主题党日差1次, 张三, deadline 30 November, open (overdue 10 days); a done task and
one due 31 December are not overdue.

二支部 (在职): 孙八, 周九; its ledger covers October–November (61 days): 10-08 支部党员大会,
10-15 党课, 11-05 支部委员会, 11-12 主题党日 (2 expected, 2 present each); 学习强国 孙八 800,
周九 0 (未激活); 整改 2026Q3 党课差1次, 周九, deadline 15 November (overdue 25 days).

What a secretary of 一支部 still owes (targets of DOMAIN §4, 在职):
- 支部党员大会 0 of 1 → 还需召开1次支部党员大会; 支委会 1 of 3 → 还需召开2次支委会; 党课 1 of 1 → met;
  主题党日 1 of 3 → 还需开展2次主题党日; 集中学习 0 of 3 → 还需组织3次集中学习;
- 参会率 (3 + 4 + 3) ÷ (4 + 4 + 4) = 83.3% < 90% → 参会率需提高到90%;
- 学习强国参与率: 3 of 4 with points; ⌈0.95 × 4⌉ − 3 = 1 → 还需1名党员参加学习强国学习;
- 人均积分 (1,500 + 300 + 900 + 0) ÷ 4 = 675; (2,700 − 675) ÷ 61 days left after 31 October =
  33.2 → 学习强国人均每日还需34分;
- 自学 (months ended: October, November; December is the current month): October 赵敏 (1),
  November 李四 and 赵敏 (2); this month 李四, 王五, 赵敏 (3);
- 组织生活会, 民主评议党员 (annual, scored in Q4): 0 of 1 each.
Pace, counts (31 days of 92 covered): expected 支部党员大会 0.34, 支委会 / 主题党日 / 集中学习 1.01,
党课 0.34 → behind: 支部党员大会 (0), 支委会 (1), 主题党日 (1), 集中学习 (0); 党课 (1) not.
人均积分 expected 2,700 × 31 ÷ 92 = 909.8 > 675 → behind. Annual ones: expected 304 ÷ 365 of 1
(1 January – 31 October) > 0 → behind. So 7 behind.
按进度得分 = 100 × mean of the 11 scored pace completions: 支部党员大会 0, 支委会 1 ÷ 1.0109 =
0.98925, 党课 1, 主题党日 0.98925, 集中学习 0, 参会率 0.8333 ÷ 0.9 = 0.92593, 参与率 0.75 ÷ 0.95 =
0.78947, 人均积分 675 ÷ 909.78 = 0.74194, 自学完成率 2 ÷ 4 = 0.5 (张三, 王五), 组织生活会 0,
民主评议 0 → 5.93584 ÷ 11 = 53.96 → 54.0.
党员预警 (学习强国 line 2,700 × 31 ÷ 92 × 0.5 = 454.9): 李四 300 (偏低), absent twice, no 自学 in
November; 赵敏 0 (零积分), no 自学 in October and November.

二支部's pace (61 days): 支委会 1 ÷ 1.989, 主题党日 1 ÷ 1.989 = 0.50273 each, 集中学习 0, 人均积分
400 ÷ 909.78 = 0.43967, annual ones 0 → behind: 6; completions 1 + 0.50273 + 1 + 0.50273 + 0 +
1 (参会率 100%) + 0.52632 (参与率 0.5 ÷ 0.95) + 0.43967 + 0 (自学) + 0 + 0 = 4.97145 ÷ 11 = 45.2.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import socket
import ssl
import threading
import urllib.parse
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from domain.access import SYSTEM, Viewer
from services import accounts, reminder_runs
from services import tasks as task_service
from services.channels import (ChannelSettings, EmailChannel, dingtalk_signed_url,
                               load_settings, webhook_payload)
from services.reminders import (Message, Section, branch_facts, branch_message, committee_facts,
                                committee_message, escape_markdown, to_docx, to_html,
                                to_markdown, to_text)
from storage import reminders as log_store
from storage.imports import import_result
from storage.queries import find_branch
from tests.test_storage import result

A, B = "一支部", "二支部"
AS_OF = date(2026, 12, 10)
PERIOD = "2026-12"
BASE_URL = "https://dj.example.org"
ADMIN = Viewer(username="tester", role="admin", display_name="测试", source="test")


def _roster(name, branch, **extra):
    return {"sheet": "名册", "row": 3, "name": name, "branch": branch, "branch_type": "在职", **extra}


def _act(branch, day, kind, expected, present, absent=()):
    return {"sheet": "台账", "row": 3, "branch": branch, "date": day, "type": kind, "type_raw": kind,
            "expected": expected, "present": present, "absent": list(absent)}


def _ledger(engine, rows, covers, content):
    loaded = result("activity", rows)
    loaded.covers = covers  # the period the file says it covers (its title)
    assert import_result(engine, loaded, content, SYSTEM).ok


@pytest.fixture
def committee(engine):
    roster = [_roster("张三", A, role="书记"), _roster("李四", A), _roster("王五", A), _roster("赵敏", A),
              _roster("孙八", B, role="书记"), _roster("周九", B)]
    assert import_result(engine, result("roster", roster, as_of=date(2026, 9, 30)), b"r", SYSTEM).ok

    def x(name, branch, points, activated=True):
        return {"sheet": "", "row": 3, "name": name, "branch": branch, "activated": activated,
                "points": float(points)}

    export = [x("张三", A, 1500), x("李四", A, 300), x("王五", A, 900), x("孙八", B, 800),
              x("周九", B, 0, activated=False)]
    assert import_result(engine, result("xuexi", export, period=(date(2026, 10, 1), date(2026, 10, 31))),
                         b"x", SYSTEM).ok
    _ledger(engine, [_act(A, "2026-10-10", "支部委员会", 4, 3, ["李四"]),
                     _act(A, "2026-10-20", "主题党日", 4, 4),
                     _act(A, "2026-10-25", "党课", 4, 3, ["李四"])],
            (date(2026, 10, 1), date(2026, 10, 31)), b"la")
    _ledger(engine, [_act(B, "2026-10-08", "支部党员大会", 2, 2), _act(B, "2026-10-15", "党课", 2, 2),
                     _act(B, "2026-11-05", "支部委员会", 2, 2), _act(B, "2026-11-12", "主题党日", 2, 2)],
            (date(2026, 10, 1), date(2026, 11, 30)), b"lb")

    def s(name, day):
        return {"sheet": "学习", "row": 3, "name": name, "branch": A, "date": day, "form": "自学"}

    study = [s("张三", "2026-10-05"), s("张三", "2026-11-05"), s("张三", "2026-12-05"), s("李四", "2026-10-06"),
             s("王五", "2026-10-07"), s("王五", "2026-11-07")]
    assert import_result(engine, result("study", study), b"s", SYSTEM).ok

    a_id, b_id = find_branch(engine, A)[0], find_branch(engine, B)[0]
    task_service.create(engine, ADMIN, "2026Q3", A, [{"branch_id": a_id, "indicator": "theme_day",
                                                      "problem": "主题党日差1次"}], "张三", date(2026, 11, 30))
    task_service.create(engine, ADMIN, "2026Q3", A, [{"branch_id": a_id, "indicator": "committee",
                                                      "problem": "支部委员会差1次"}], "张三", date(2026, 12, 31))
    done = task_service.create(engine, ADMIN, "2026Q3", A, [{"branch_id": a_id, "indicator": "lecture",
                                                             "problem": "党课差1次"}], "李四", date(2026, 10, 31))
    task_service.set_status(engine, ADMIN, done[0], "done", A)
    task_service.create(engine, ADMIN, "2026Q3", B, [{"branch_id": b_id, "indicator": "lecture",
                                                      "problem": "党课差1次"}], "周九", date(2026, 11, 15))
    engine.ids = {A: a_id, B: b_id}
    return engine


def expected_branch_text(a_id: int) -> str:
    return f"""一支部：

截至2026年12月10日，本支部2026年第四季度按进度得分54.0分，7项落后进度。
学习强国数据截至10月31日，台账数据截至10月31日。

一、本季度还需完成（12项）
1. 还需召开1次支部党员大会（落后进度）
2. 还需召开2次支委会（落后进度）
3. 还需开展2次主题党日（落后进度）
4. 还需组织3次集中学习（落后进度）
5. 参会率需提高到90%
6. 还需1名党员参加学习强国学习
7. 学习强国人均每日还需34分（落后进度）
8. 10月有1名党员无自学记录
9. 11月有2名党员无自学记录
10. 3名党员本月尚无自学记录
11. 还需召开1次组织生活会（落后进度）
12. 还需开展1次民主评议党员（落后进度）

二、党员预警（2名）
1. 李四：学习强国积分偏低（本季度300分，预警线454分）；无故缺席（2次）；自学未完成（11月）
2. 赵敏：学习强国零积分；自学未完成（10月、11月）

三、逾期整改任务（1项）
1. 2026年第三季度 主题党日差1次（责任人张三，期限2026年11月30日，已逾期10天）

四、数据提醒（2条）
1. 本支部11月的组织生活台账尚未导入（台账数据截至10月31日）
2. 11月已结束，但尚未导入该月的学习强国导出，学习强国积分只统计到10月31日；请导入该月（或本季度）的导出

在看板中查看：https://dj.example.org/branch_detail?q=2026Q4&branch={a_id}

本提醒由机关党建看板根据已导入的数据自动生成，每月发送一次；数据如有出入，请与工委办公室核对。
"""


def _branch_message(engine, branch=A):
    return branch_message(branch_facts(engine, engine.ids[branch], branch, AS_OF), BASE_URL)


def _committee_message(engine):
    return committee_message(committee_facts(engine, AS_OF), BASE_URL)


# --- the texts ----------------------------------------------------------------------------------


def test_secretary_message_is_the_hand_worked_text(committee):
    message = _branch_message(committee)
    assert message.subject == "【督导提醒】一支部 2026年第四季度（截至12月10日）"
    assert to_text(message) == expected_branch_text(committee.ids[A])


def test_committee_digest_lists_branches_behind_pace_worst_first(committee):
    message = _committee_message(committee)
    assert message.subject == "【督导提醒】全委2026年第四季度进度汇总（截至12月10日）"
    assert message.summary == ("截至2026年12月10日，2026年第四季度全委2个支部中2个落后进度，逾期整改任务2项。",
                               "学习强国数据截至10月31日，台账数据截至11月30日。")
    behind, late, gaps = (s.lines for s in message.sections)
    assert behind == (
        "二支部：按进度得分45.2分，6项落后进度（支部委员会、主题党日、集中学习、学习强国人均积分、组织生活会、民主评议党员）",
        "一支部：按进度得分54.0分，7项落后进度（支部党员大会、支部委员会、主题党日、集中学习、学习强国人均积分、组织生活会、民主评议党员）",
    )
    assert late == ("二支部 · 2026年第三季度 党课差1次（责任人周九，期限2026年11月15日，已逾期25天）",
                    "一支部 · 2026年第三季度 主题党日差1次（责任人张三，期限2026年11月30日，已逾期10天）")
    assert gaps == ("1个支部的台账未报送到11月底：一支部（10月31日）",
                    "11月已结束，但尚未导入该月的学习强国导出，学习强国积分只统计到10月31日；请导入该月（或本季度）的导出")
    assert message.link == "https://dj.example.org/overview?q=2026Q4"
    assert "一、落后进度的支部（2个，按进度得分从低到高）" in to_text(message)


def test_secretary_message_names_no_other_branch(committee):
    """Read with 一支部's secretary viewer: nothing of 二支部 — its name, members, task — in any
    rendering; and 二支部's own message says nothing of 一支部."""
    ours = _branch_message(committee)
    rendered = to_text(ours) + to_markdown(ours) + to_html(ours) + _docx_text(to_docx(ours))
    for foreign in (B, "孙八", "周九", "党课差1次"):
        assert foreign not in rendered
    theirs = to_text(_branch_message(committee, B))
    assert "二支部" in theirs and "周九" in theirs  # 周九: 0 points, named in its own message
    for foreign in (A, "李四", "赵敏", "张三", "主题党日差1次"):
        assert foreign not in theirs


def _docx_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_markdown_escapes_names_from_files():
    message = Message("secretary", 1, "【督导提醒】*一支部*", "[一支部](http://evil.example)：",
                      ("截至…",), (Section("二、党员预警", ("张_三<@all>：# 学习强国零积分 `x` ~y~ |z|",), "名"),),
                      link="https://dj.example.org/overview?q=2026Q4")
    text = to_markdown(message)
    assert "### 【督导提醒】＊一支部＊" in text
    assert "［一支部］(http://evil.example)：" in text
    assert "1. 张＿三＜@all＞：＃ 学习强国零积分 ｀x｀ ～y～ ｜z｜" in text
    assert "[在看板中查看](https://dj.example.org/overview?q=2026Q4)" in text  # our own link stays a link
    assert escape_markdown("王\n# 五") == "王 ＃ 五"  # a line break cannot start a heading


def test_markdown_fits_the_robot_limit_and_says_what_was_left_out():
    lines = tuple(f"第{i}支部：按进度得分50.0分，3项落后进度（支部委员会、主题党日、集中学习）" for i in range(200))
    message = Message("committee", None, "【督导提醒】汇总", "工委：", ("截至…",),
                      (Section("一、落后进度的支部", lines, "个"),), link=None)
    text = to_markdown(message, max_bytes=4000)
    assert len(text.encode("utf-8")) <= 4000
    shown = sum(1 for line in text.splitlines() if line[:1].isdigit())
    assert 0 < shown < 200
    assert f"……另有{200 - shown}个，请在看板中查看" in text
    assert to_markdown(Message("committee", None, "t", "g", (), (Section("s", ("a",)),)), 4000).endswith(
        "请登录机关党建看板查看详情。")



# --- once per month, retried after a failure ---------------------------------------------------


def test_claim_takes_a_message_once_and_a_failed_or_abandoned_one_again(engine):
    at = dt.datetime(2026, 12, 10, 9, 0)
    args = dict(period=PERIOD, recipient="committee:a@example.org", channel="email", audience="leader",
                branch_id=None, subject="s", content="c")
    first = log_store.claim(engine, **args, at=at)
    assert first is not None and (first.attempts, first.retry) == (1, False)
    assert log_store.claim(engine, **args, at=at) is None  # being sent by the first run
    later = at + dt.timedelta(minutes=log_store.STALE_MINUTES + 1)
    again = log_store.claim(engine, **args, at=later)  # that run died: pending too long
    assert again is not None and (again.id, again.attempts, again.retry) == (first.id, 2, True)
    log_store.mark_failed(engine, again.id, "发送邮件失败：连接被拒绝")
    row = log_store.log_row(engine, PERIOD, args["recipient"], "email")
    assert (row["status"], row["last_error"]) == ("failed", "发送邮件失败：连接被拒绝")
    third = log_store.claim(engine, **{**args, "content": "新内容"}, at=later)
    assert third is not None and third.attempts == 3
    log_store.mark_sent(engine, third.id)
    row = log_store.log_row(engine, PERIOD, args["recipient"], "email")
    assert (row["status"], row["attempts"], row["content"], row["last_error"]) == ("sent", 3, "新内容", None)
    assert log_store.claim(engine, **args, at=later + dt.timedelta(days=5)) is None
    assert log_store.claim(engine, **{**args, "period": "2027-01"}, at=later) is not None  # next month


# --- e-mail through a local SMTP server --------------------------------------------------------

SMTP_USER, SMTP_PASSWORD = "dangban", "s3cret-pass"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (the client trusts it through DASHBOARD_SMTP_CAFILE)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


class Inbox:
    """aiosmtpd handler: keeps every message; refuses the addresses in ``refuse``."""

    def __init__(self):
        self.mails: list[dict] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.mails.append({"to": list(envelope.rcpt_tos), "tls": session.ssl is not None,
                           "authenticated": bool(session.authenticated),
                           "mail": email.message_from_bytes(envelope.original_content or envelope.content,
                                                            policy=email.policy.default)})
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def _smtp_server(certificate, tls: bool = True):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    extra = {}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        extra = dict(tls_context=context, require_starttls=True, authenticator=_authenticator,
                     auth_required=True, auth_require_tls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **extra)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp(certificate):
    controller, inbox = _smtp_server(certificate)
    yield controller.port, inbox
    controller.stop()


def _email_settings(port: int, certificate, **more) -> ChannelSettings:
    env = {"DASHBOARD_URL": BASE_URL, "DASHBOARD_SMTP_HOST": "127.0.0.1", "DASHBOARD_SMTP_PORT": str(port),
           "DASHBOARD_SMTP_USER": SMTP_USER, "DASHBOARD_SMTP_PASSWORD": SMTP_PASSWORD,
           "DASHBOARD_SMTP_FROM": "dangban@example.org", "DASHBOARD_SMTP_CAFILE": str(certificate[0]),
           "DASHBOARD_REMIND_OFFICE_EMAIL": "office@example.org", **more}
    return load_settings(env=env, secrets_path=Path("/nonexistent/secrets.toml"))


def _addresses(engine):
    """一支部: its secretary's account; 二支部: the branch's address; a leader; an admin without an
    e-mail; a disabled leader with one (gets nothing)."""
    accounts.add_user(engine, "li", "Tq7vLm2xPz9r-A", "secretary", actor="test", branch_id=engine.ids[A])
    accounts.add_user(engine, "wang", "Tq7vLm2xPz9r-B", "leader", actor="test")
    accounts.add_user(engine, "gone", "Tq7vLm2xPz9r-C", "leader", actor="test")
    accounts.add_user(engine, "boss", "Tq7vLm2xPz9r-D", "admin", actor="test")
    reminder_runs.set_user_email(engine, ADMIN, "li", "li@example.org")
    reminder_runs.set_user_email(engine, ADMIN, "wang", "wang@example.org")
    reminder_runs.set_user_email(engine, ADMIN, "gone", "gone@example.org")
    accounts.set_disabled(engine, "gone", True, actor="test")
    reminder_runs.set_branch_email(engine, ADMIN, B, "erzhibu@example.org")


def _body(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def _statuses(engine) -> dict[str, tuple[str, int]]:
    log = log_store.reminder_log(engine, period=PERIOD)
    return {r: (s, int(a)) for r, s, a in zip(log["recipient"], log["status"], log["attempts"])}


def _audits(engine) -> list[str]:
    from storage.audit_log import audit_log

    return list(audit_log(engine, action="reminder")["detail"])


def test_email_once_per_month_with_a_refused_address_retried(committee, smtp, certificate):
    port, inbox = smtp
    _addresses(committee)
    settings = _email_settings(port, certificate)
    inbox.refuse = {"erzhibu@example.org"}

    first = reminder_runs.run(committee, ADMIN, AS_OF, "email", settings)
    assert [(o.recipient.key, o.status) for o in first.outcomes] == [
        (f"branch:{committee.ids[A]}:li@example.org", "sent"),
        (f"branch:{committee.ids[B]}:erzhibu@example.org", "failed"),
        ("committee:wang@example.org", "sent"),
        ("committee:office@example.org", "sent"),
    ]
    assert first.of("failed")[0].error == "发信服务器拒收该地址：erzhibu@example.org"
    assert not first.ok and first.unreachable == []
    assert first.summary() == "2026-12 督导提醒（电子邮件）：新发送3条，失败1条（已记录，下次运行时重试）。"

    assert [m["to"] for m in inbox.mails] == [["li@example.org"], ["wang@example.org"], ["office@example.org"]]
    assert all(m["tls"] and m["authenticated"] for m in inbox.mails)  # STARTTLS, then the login
    mail = inbox.mails[0]["mail"]
    assert mail["Subject"] == "【督导提醒】一支部 2026年第四季度（截至12月10日）"
    assert mail["From"] == "机关党建看板 <dangban@example.org>"
    assert _body(mail) == expected_branch_text(committee.ids[A])
    assert "一支部：" in mail.get_body(preferencelist=("html",)).get_content()
    digest = inbox.mails[1]["mail"]
    assert digest["Subject"] == "【督导提醒】全委2026年第四季度进度汇总（截至12月10日）"
    assert "1. 二支部：按进度得分45.2分，6项落后进度" in _body(digest)

    # a week later, the same month: only the refused message goes, once
    inbox.refuse = set()
    second = reminder_runs.run(committee, ADMIN, date(2026, 12, 17), "email", settings)
    assert [(o.recipient.branch, o.status, o.retry) for o in second.outcomes if o.status != "skipped"] == [
        (B, "sent", True)]
    assert len(second.of("skipped")) == 3
    assert [m["to"] for m in inbox.mails[3:]] == [["erzhibu@example.org"]]
    assert "截至2026年12月17日" in _body(inbox.mails[3]["mail"])  # the text is rebuilt when retried
    assert _statuses(committee)[f"branch:{committee.ids[B]}:erzhibu@example.org"] == ("sent", 2)

    third = reminder_runs.run(committee, ADMIN, date(2026, 12, 20), "email", settings)
    assert len(third.of("skipped")) == 4 and not third.of("sent") and len(inbox.mails) == 4
    assert third.summary() == "2026-12 督导提醒（电子邮件）：新发送0条，本月此前已发送4条。"
    assert _audits(committee) == [  # newest first: the two runs that sent, the four addresses set
        "2026-12 督导提醒（电子邮件）：新发送1条，本月此前已发送3条。",
        "2026-12 督导提醒（电子邮件）：新发送3条，失败1条（已记录，下次运行时重试）。",
        "二支部的提醒邮箱设为 erzhibu@example.org", "账号 gone 的提醒邮箱设为 gone@example.org",
        "账号 wang 的提醒邮箱设为 wang@example.org", "账号 li 的提醒邮箱设为 li@example.org"]

    # a new month: everyone again
    january = reminder_runs.run(committee, ADMIN, date(2027, 1, 4), "email", settings)
    assert len(january.of("sent")) == 4 and len(inbox.mails) == 8


def test_email_server_down_fails_every_message_and_the_next_run_sends_them(committee, certificate):
    _addresses(committee)
    port = _free_port()  # nothing listens here yet
    settings = _email_settings(port, certificate)
    down = reminder_runs.run(committee, ADMIN, AS_OF, "email", settings)
    assert [o.status for o in down.outcomes] == ["failed"] * 4
    assert all(o.error.startswith("无法连接发信服务器：ConnectionRefusedError") for o in down.outcomes)
    assert set(_statuses(committee).values()) == {("failed", 1)}
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=_authenticator, auth_required=True)
    controller.start()
    try:
        up = reminder_runs.run(committee, ADMIN, AS_OF, "email", settings)
    finally:
        controller.stop()
    assert [(o.status, o.retry) for o in up.outcomes] == [("sent", True)] * 4
    assert len(inbox.mails) == 4 and set(_statuses(committee).values()) == {("sent", 2)}


def test_email_is_never_sent_in_clear_when_the_server_offers_no_starttls(committee, certificate):
    controller, inbox = _smtp_server(certificate, tls=False)
    try:
        _addresses(committee)
        settings = _email_settings(controller.port, certificate, DASHBOARD_SMTP_USER="", DASHBOARD_SMTP_PASSWORD="")
        report = reminder_runs.run(committee, ADMIN, AS_OF, "email", settings)
    finally:
        controller.stop()
    assert [o.status for o in report.outcomes] == ["failed"] * 4
    assert report.of("failed")[0].error == "发信服务器不支持 STARTTLS，未发送（不以明文发送）。"
    assert inbox.mails == []


def test_a_branch_without_any_address_is_reported(committee, certificate):
    settings = _email_settings(_free_port(), certificate, DASHBOARD_REMIND_OFFICE_EMAIL="")
    the_plan = reminder_runs.plan(committee, AS_OF, "email", settings)
    assert the_plan.recipients == []
    assert the_plan.unreachable == [
        "一支部：书记账号和支部都没有设置提醒邮箱", "二支部：书记账号和支部都没有设置提醒邮箱",
        "工委：领导、管理员账号都没有设置邮箱，也未设置 DASHBOARD_REMIND_OFFICE_EMAIL"]


def test_email_settings_come_from_the_environment_before_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('DASHBOARD_SMTP_HOST = "smtp.secret.example"\nDASHBOARD_SMTP_PORT = 465\n'
                       'DASHBOARD_SMTP_SECURITY = "ssl"\nDASHBOARD_SMTP_PASSWORD = "from-secrets"\n', encoding="utf-8")
    settings = load_settings(env={"DASHBOARD_SMTP_HOST": "smtp.env.example"}, secrets_path=secrets)
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security, settings.smtp_password) == (
        "smtp.env.example", 465, "ssl", "from-secrets")
    assert load_settings(env={}, secrets_path=tmp_path / "none.toml").smtp_security == "starttls"
    odd = load_settings(env={"DASHBOARD_SMTP_SECURITY": "tls1", "DASHBOARD_SMTP_PORT": "x"},
                        secrets_path=tmp_path / "none.toml")
    assert odd.problems == ("DASHBOARD_SMTP_PORT 应为数字，已按587处理",
                            "DASHBOARD_SMTP_SECURITY 应为 starttls、ssl 或 none，收到「tls1」，已按 starttls 处理")
    with pytest.raises(Exception, match="DASHBOARD_SMTP_HOST"):
        EmailChannel(load_settings(env={}, secrets_path=tmp_path / "none.toml"))


# --- the group robots through a local HTTP server -----------------------------------------------

DING_SECRET = "SEC0123456789abcdef"


class Robots:
    """A local stand-in for 企业微信 (``/cgi-bin/webhook/send``) and 钉钉 (``/robot/send``): keeps
    every request, checks 钉钉's signature the way 钉钉 documents it, and answers ``errcode``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []  # queued (HTTP status, body); default 200 errcode 0
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                parts = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parts.query)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                signed = None
                if parts.path == "/robot/send":
                    import base64
                    import hashlib
                    import hmac

                    stamp = query["timestamp"][0]
                    digest = hmac.new(DING_SECRET.encode(), f"{stamp}\n{DING_SECRET}".encode(), hashlib.sha256)
                    signed = base64.b64encode(digest.digest()).decode() == query["sign"][0]
                robots.requests.append({"path": parts.path, "query": query, "body": body, "signed": signed,
                                        "type": self.headers["Content-Type"]})
                status, answer = robots.answers.pop(0) if robots.answers else (200, {"errcode": 0, "errmsg": "ok"})
                if signed is False:
                    answer = {"errcode": 310000, "errmsg": "sign not match"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robots():
    server = Robots()
    yield server
    server.close()


def _robot_settings(robots, tmp_path) -> ChannelSettings:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'''
[[branch_webhooks]]
branch = "一支部"
url = "{robots.url}/cgi-bin/webhook/send?key=wecom-key-1"
kind = "wecom"
''', encoding="utf-8")
    env = {"DASHBOARD_URL": BASE_URL, "DASHBOARD_WEBHOOK_URL": f"{robots.url}/robot/send?access_token=ding-token",
           "DASHBOARD_WEBHOOK_KIND": "dingtalk", "DASHBOARD_WEBHOOK_SECRET": DING_SECRET}
    return load_settings(env=env, secrets_path=secrets)


def test_webhook_sends_wecom_and_signed_dingtalk_markdown_once(committee, robots, tmp_path):
    settings = _robot_settings(robots, tmp_path)
    report = reminder_runs.run(committee, ADMIN, AS_OF, "webhook", settings)
    assert [(o.recipient.key, o.status) for o in report.outcomes] == [
        (f"branch:{committee.ids[A]}:webhook", "sent"), ("committee:webhook", "sent")]
    assert report.unreachable == ["二支部：没有配置支部群机器人（secrets.toml 的 [[branch_webhooks]]）"]

    wecom, ding = robots.requests
    assert wecom["path"] == "/cgi-bin/webhook/send" and wecom["query"] == {"key": ["wecom-key-1"]}
    assert wecom["type"] == "application/json; charset=utf-8"
    ours = _branch_message(committee)
    assert wecom["body"] == {"msgtype": "markdown", "markdown": {"content": to_markdown(ours)}}
    content = wecom["body"]["markdown"]["content"]
    assert content.startswith("### 【督导提醒】一支部 2026年第四季度（截至12月10日）\n")
    assert "1. 李四：学习强国积分偏低（本季度300分，预警线454分）；无故缺席（2次）；自学未完成（11月）" in content
    assert f"[在看板中查看](https://dj.example.org/branch_detail?q=2026Q4&branch={committee.ids[A]})" in content
    assert not any(name in content for name in (B, "孙八", "周九"))

    assert ding["path"] == "/robot/send" and ding["signed"] is True
    assert ding["query"]["access_token"] == ["ding-token"]
    digest = _committee_message(committee)
    assert ding["body"] == {"msgtype": "markdown",
                            "markdown": {"title": digest.subject, "text": to_markdown(digest)}}

    again = reminder_runs.run(committee, ADMIN, AS_OF, "webhook", settings)
    assert [o.status for o in again.outcomes] == ["skipped", "skipped"] and len(robots.requests) == 2


def test_dingtalk_signature_is_url_encoded_base64_of_hmac_sha256():
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SECkey", 1577262236760)
    base, query = url.split("?", 1)
    params = urllib.parse.parse_qs(query)
    assert base == "https://oapi.dingtalk.com/robot/send" and params["timestamp"] == ["1577262236760"]
    assert params["access_token"] == ["t"]
    # computed independently with the command line:
    # printf '1577262236760\nSECkey' | openssl dgst -sha256 -hmac SECkey -binary | base64
    assert params["sign"] == ["JNfH3IgDED022NePFm2xQewZF5134TdHbY4f+7Qb/JA="]
    assert url.endswith("&timestamp=1577262236760&sign=JNfH3IgDED022NePFm2xQewZF5134TdHbY4f%2B7Qb%2FJA%3D")
    assert webhook_payload("dingtalk", Message("committee", None, "标题", "g", (), ()))["markdown"]["title"] == "标题"


def test_a_robot_that_refuses_is_reported_and_retried_by_the_next_run(committee, robots, tmp_path):
    settings = _robot_settings(robots, tmp_path)
    robots.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"}), (500, {"errcode": -1})]
    first = reminder_runs.run(committee, ADMIN, AS_OF, "webhook", settings)
    assert [o.status for o in first.outcomes] == ["failed", "failed"]
    assert first.outcomes[0].error == (f"企业微信群机器人（{robots.url}/cgi-bin/webhook/send）拒收消息：errcode 93000，"
                                       "invalid webhook url")
    assert first.outcomes[1].error == f"钉钉群机器人（{robots.url}/robot/send）返回 HTTP 500"
    assert not any("wecom-key-1" in o.error or "ding-token" in o.error for o in first.outcomes)  # credentials
    log = log_store.reminder_log(committee, period=PERIOD)
    assert list(log["status"]) == ["failed", "failed"] and list(log["last_error"]) == [
        first.outcomes[1].error, first.outcomes[0].error]

    second = reminder_runs.run(committee, ADMIN, AS_OF, "webhook", settings)
    assert [(o.status, o.retry) for o in second.outcomes] == [("sent", True), ("sent", True)]
    assert len(robots.requests) == 4


# --- the outbox folder, dry runs, the command line ---------------------------------------------


def test_outbox_writes_a_txt_and_a_docx_per_recipient_once(committee, tmp_path):
    settings = load_settings(env={"DASHBOARD_URL": BASE_URL}, secrets_path=tmp_path / "none.toml")
    report = reminder_runs.run(committee, ADMIN, AS_OF, "outbox", settings, outbox_dir=tmp_path / "out")
    assert [o.status for o in report.outcomes] == ["sent"] * 3
    folder = tmp_path / "out" / PERIOD
    assert sorted(p.name for p in folder.iterdir()) == ["一支部.docx", "一支部.txt", "二支部.docx", "二支部.txt",
                                                        "工委汇总.docx", "工委汇总.txt"]
    raw = (folder / "一支部.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Notepad shows Chinese
    assert raw.decode("utf-8-sig") == expected_branch_text(committee.ids[A]).replace("\n", "\r\n")
    paragraphs = _docx_text((folder / "一支部.docx").read_bytes()).splitlines()
    assert paragraphs[0] == "【督导提醒】一支部 2026年第四季度（截至12月10日）"
    assert "1. 李四：学习强国积分偏低（本季度300分，预警线454分）；无故缺席（2次）；自学未完成（11月）" in paragraphs
    assert "三、逾期整改任务（1项）" in paragraphs
    assert "1. 二支部：按进度得分45.2分，6项落后进度（支部委员会、主题党日、集中学习、学习强国人均积分、组织生活会、民主评议党员）" \
        in _docx_text((folder / "工委汇总.docx").read_bytes()).splitlines()
    for path in folder.iterdir():
        path.unlink()
    again = reminder_runs.run(committee, ADMIN, AS_OF, "outbox", settings, outbox_dir=tmp_path / "out")
    assert [o.status for o in again.outcomes] == ["skipped"] * 3 and not any(folder.iterdir())


def test_an_unwritable_outbox_fails_and_is_written_by_the_next_run(committee, tmp_path):
    settings = load_settings(env={}, secrets_path=tmp_path / "none.toml")
    blocked = tmp_path / "out"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    first = reminder_runs.run(committee, ADMIN, AS_OF, "outbox", settings, outbox_dir=blocked)
    assert [o.status for o in first.outcomes] == ["failed"] * 3
    assert first.outcomes[0].error.startswith(f"无法写入发件箱 {blocked / PERIOD}：")
    blocked.unlink()
    second = reminder_runs.run(committee, ADMIN, AS_OF, "outbox", settings, outbox_dir=blocked)
    assert [(o.status, o.retry) for o in second.outcomes] == [("sent", True)] * 3
    assert (blocked / PERIOD / "工委汇总.txt").exists()


def test_dry_run_sends_nothing_and_logs_nothing(committee, tmp_path):
    settings = load_settings(env={}, secrets_path=tmp_path / "none.toml")
    report = reminder_runs.run(committee, ADMIN, AS_OF, "outbox", settings, dry_run=True, outbox_dir=tmp_path / "o")
    assert [o.status for o in report.outcomes] == ["would_send"] * 3
    assert report.summary() == "2026-12 督导提醒（发件箱文件，试运行）：将发送3条。"
    assert not (tmp_path / "o").exists() and log_store.reminder_log(committee).empty and _audits(committee) == []


def _db_url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_cli_remind_outbox_twice_then_a_failure_exits_1(committee, tmp_path, capsys):
    from cli.main import main

    out = tmp_path / "outbox"
    args = ["--db", _db_url(committee), "remind", "--as-of", "2026-12-10", "--via", "outbox", "--outbox", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "2026-12 督导提醒（发件箱文件）：新发送3条。" in printed and f"文件在 {out}/2026-12/" in printed
    assert main(args) == 0
    assert "新发送0条，本月此前已发送3条。" in capsys.readouterr().out

    assert main(["--db", _db_url(committee), "remind", "--as-of", "2027-01-04", "--via", "outbox", "--dry-run",
                 "--outbox", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "收件人：支部书记 · 一支部 <一支部.txt/.docx>" in printed
    assert "主题：【督导提醒】一支部 2027年第一季度（截至1月4日）" in printed
    assert "2027-01 督导提醒（发件箱文件，试运行）：将发送3条。" in printed
    assert not (out / "2027-01").exists()

    blocked = tmp_path / "blocked"
    blocked.write_text("x", encoding="utf-8")
    assert main(["--db", _db_url(committee), "remind", "--as-of", "2027-01-04", "--via", "outbox",
                 "--outbox", str(blocked)]) == 1
    captured = capsys.readouterr()
    assert "发送失败：一支部 <一支部.txt/.docx>：无法写入发件箱" in captured.err
    assert "失败3条（已记录，下次运行时重试）" in captured.out


def test_cli_sets_addresses_and_refuses_email_without_a_server(committee, capsys, monkeypatch):
    from cli.main import main

    url = _db_url(committee)
    accounts.add_user(committee, "li", "Tq7vLm2xPz9r-A", "secretary", actor="test", branch_id=committee.ids[A])
    assert main(["--db", url, "user", "email", "li", "li@example.org"]) == 0
    assert main(["--db", url, "remind", "--branch-email", "二支部", "erzhibu@example.org"]) == 0
    assert capsys.readouterr().out.splitlines() == ["li 的提醒邮箱已设为 li@example.org。",
                                                    "二支部的提醒邮箱已设为 erzhibu@example.org。"]
    assert main(["--db", url, "remind", "--branch-email", "二支部", "not-an-address"]) == 2
    assert main(["--db", url, "user", "email", "nobody", "a@example.org"]) == 2
    assert capsys.readouterr().err.splitlines() == ["邮箱地址格式不正确：not-an-address", "没有用户「nobody」。"]
    book, _ = reminder_runs.address_book(committee, ADMIN)
    assert dict(zip(book["branch"], zip(book["email"].fillna(""), book["secretaries"]))) == {
        A: ("", "li@example.org"), B: ("erzhibu@example.org", "")}
    assert main(["--db", url, "remind", "--branch-email", "二支部", "-"]) == 0
    assert reminder_runs.address_book(committee, ADMIN)[0]["email"].isna().all()

    for name in ("DASHBOARD_SMTP_HOST", "DASHBOARD_SMTP_USER", "DASHBOARD_SMTP_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("services.channels.SECRETS_FILE", Path("/nonexistent/secrets.toml"))
    capsys.readouterr()
    assert main(["--db", url, "remind", "--as-of", "2026-12-10"]) == 2
    assert capsys.readouterr().err.strip() == "未配置发信服务器（DASHBOARD_SMTP_HOST），不能发送电子邮件。"
    assert log_store.reminder_log(committee).empty


def test_only_admins_set_addresses_or_read_the_log(committee):
    secretary = Viewer("li", "secretary", committee.ids[A], A)
    with pytest.raises(PermissionError):
        reminder_runs.set_branch_email(committee, secretary, A, "a@example.org")
    with pytest.raises(PermissionError):
        reminder_runs.set_user_email(committee, Viewer("wang", "leader"), "wang", "w@example.org")
    with pytest.raises(PermissionError):
        reminder_runs.log(committee, Viewer("wang", "leader"))


# --- the 提醒记录 page ---------------------------------------------------------------------------


def test_reminders_page_previews_sends_to_the_outbox_and_lists_the_log(writable_env, tmp_path, monkeypatch):
    from tests.apptest_helpers import all_text, open_page

    monkeypatch.setenv("DASHBOARD_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("DASHBOARD_URL", BASE_URL)
    monkeypatch.setattr("services.channels.SECRETS_FILE", tmp_path / "none.toml")
    at = open_page("pages/reminders.py", "admin", timeout=300)
    assert not at.exception
    assert "还没有符合条件的提醒记录。" in all_text(at)
    at.selectbox(key="send_channel").set_value("outbox").run()
    assert not at.exception
    preview = next(df.value for df in at.dataframe if "本月状态" in df.value.columns)
    assert len(preview) == 31 and set(preview["本月状态"]) == {"待发送"}  # 30 branches and the digest
    shown = all_text(at)
    assert "主题：【督导提醒】" in shown and "一、本季度还需完成" in shown
    assert "立即发送：31条尚未发送（含失败重试）" in shown

    at.button(key="send_now").click().run()
    assert not at.exception
    period = f"{date.today():%Y-%m}"
    assert f"{period} 督导提醒（发件箱文件）：新发送31条。" in [s.value for s in at.success]
    assert len(list((tmp_path / "outbox" / period).glob("*.docx"))) == 31
    log = next(df.value for df in at.dataframe if "尝试次数" in df.value.columns)
    assert len(log) == 31 and set(log["状态"]) == {"已发送"} and set(log["渠道"]) == {"发件箱文件"}
    preview = next(df.value for df in at.dataframe if "本月状态" in df.value.columns)
    assert set(preview["本月状态"]) == {"已发送"}
    assert at.button(key="send_now").disabled


def test_a_message_that_cannot_be_built_is_logged_failed_and_built_again(committee, tmp_path, monkeypatch):
    settings = load_settings(env={}, secrets_path=tmp_path / "none.toml")
    real = reminder_runs.branch_facts

    def broken(engine, branch_id, branch, as_of, reads=None):
        if branch == B:
            raise ValueError("目标设置无法读取")
        return real(engine, branch_id, branch, as_of, reads)

    monkeypatch.setattr(reminder_runs, "branch_facts", broken)
    first = reminder_runs.run(committee, ADMIN, AS_OF, "outbox", settings, outbox_dir=tmp_path / "o")
    assert [o.status for o in first.outcomes] == ["sent", "failed", "sent"]
    assert first.outcomes[1].error == "生成提醒内容失败：ValueError: 目标设置无法读取"
    monkeypatch.setattr(reminder_runs, "branch_facts", real)
    second = reminder_runs.run(committee, ADMIN, AS_OF, "outbox", settings, outbox_dir=tmp_path / "o")
    assert [(o.status, o.retry) for o in second.outcomes if o.status != "skipped"] == [("sent", True)]
    assert (tmp_path / "o" / PERIOD / "二支部.txt").exists()


def test_an_empty_database_sends_only_the_digest(engine, tmp_path):
    settings = load_settings(env={}, secrets_path=tmp_path / "none.toml")
    report = reminder_runs.run(engine, ADMIN, AS_OF, "outbox", settings, outbox_dir=tmp_path / "o")
    assert [(o.recipient.key, o.status) for o in report.outcomes] == [("committee:outbox", "sent")]
    text = (tmp_path / "o" / PERIOD / "工委汇总.txt").read_text(encoding="utf-8-sig")
    assert "截至2026年12月10日，2026年第四季度全委0个支部中0个落后进度，逾期整改任务0项。" in text


# --- a run over many branches ----------------------------------------------------------------------


def test_a_runs_branch_messages_are_those_their_secretaries_read(sample_db_url):
    """A run reads the committee's figures once and builds each branch's message from its rows;
    each must be the message read with that branch's secretary's viewer, word for word."""
    from sqlalchemy import text

    from services.reminders import COMMITTEE_VIEWER, read_month
    from storage.db import get_engine

    engine = get_engine(sample_db_url)
    with engine.connect() as conn:
        branches = conn.execute(text("SELECT id, name FROM branch ORDER BY id")).all()
    assert len(branches) == 30
    for as_of in (date(2026, 9, 20), date(2026, 11, 26)):
        reads = read_month(engine, COMMITTEE_VIEWER, as_of)
        texts = set()
        for bid, name in branches:
            shared = to_text(branch_message(branch_facts(engine, bid, name, as_of, reads)))
            alone = to_text(branch_message(branch_facts(engine, bid, name, as_of)))
            assert shared == alone, name
            assert f"{name}：" in shared and all(f"{other}：" not in shared for _, other in branches if other != name)
            texts.add(shared)
        assert len(texts) == 30


def test_a_branch_without_any_ledger_is_told_so_in_a_run_and_alone(committee):
    """三支部 has a roster and nothing else: October and November have ended with no ledger of
    it, and both ways of building its message say so (the digest lists it as well)."""
    roster = [_roster("钱一", "三支部", role="书记"), _roster("吴二", "三支部")]
    assert import_result(committee, result("roster", roster, as_of=date(2026, 9, 30)), b"r3", SYSTEM).ok
    c_id = find_branch(committee, "三支部")[0]
    from services.reminders import COMMITTEE_VIEWER, read_month

    reads = read_month(committee, COMMITTEE_VIEWER, AS_OF)
    for facts in (branch_facts(committee, c_id, "三支部", AS_OF, reads), branch_facts(committee, c_id, "三支部", AS_OF)):
        assert facts.gaps[0] == "本支部10月、11月的组织生活台账尚未导入（本季度尚无台账数据）"
        assert facts.freshness == ["学习强国数据截至10月31日", "尚无台账数据"]
    shared, alone = branch_facts(committee, c_id, "三支部", AS_OF, reads), branch_facts(committee, c_id, "三支部", AS_OF)
    # the quarter's export exists, though none of its rows is 三支部's: neither says it is missing
    assert shared.gaps == alone.gaps and not any("尚无已结束期间的学习强国积分导出" in gap for gap in alone.gaps)
    digest = committee_facts(committee, AS_OF, reads)
    assert digest.gaps[0].startswith("2个支部的台账未报送到11月底：一支部（10月31日）、三支部（本季度无台账）")
