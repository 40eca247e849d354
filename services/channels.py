"""How 督导提醒 leave the building: e-mail over SMTP, a 企业微信 or 钉钉 group robot, or files in an
outbox folder. Settings come from the environment, else from ``.streamlit/secrets.toml`` (the
same names at the top level; ``[[branch_webhooks]]`` tables for the branches' robots) — never
from the repository.

A channel raises ``ChannelError`` (a Chinese sentence) when one message cannot be delivered;
the caller logs it as failed and the next run retries it. ``ChannelNotConfigured`` means the
channel cannot send anything at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import smtplib
import ssl
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from domain.names import normalize_name
from services.reminders import Message, to_docx, to_html, to_markdown, to_text

ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
CHANNELS = ("email", "webhook", "outbox")
CHANNEL_LABELS = {"email": "电子邮件", "webhook": "群机器人", "outbox": "发件箱文件"}
SENDER_NAME = "机关党建看板"
TIMEOUT_SECONDS = 20

# name → (default, meaning): every setting this module reads, for the README
SETTINGS: dict[str, tuple[str, str]] = {
    "DASHBOARD_URL": ("", "看板的访问地址（如 https://dj.example.gov.cn），提醒里的链接以它开头；空：不附链接"),
    "DASHBOARD_SMTP_HOST": ("", "发信服务器；空：不能用电子邮件发送"),
    "DASHBOARD_SMTP_PORT": ("587", "发信端口（STARTTLS 一般 587，SSL 一般 465）"),
    "DASHBOARD_SMTP_SECURITY": ("starttls", "starttls（默认）、ssl，或 none（仅限不需登录的本机中继）"),
    "DASHBOARD_SMTP_USER": ("", "登录名；空：不登录"),
    "DASHBOARD_SMTP_PASSWORD": ("", "登录密码或授权码"),
    "DASHBOARD_SMTP_FROM": ("", "发件人地址；空：同登录名"),
    "DASHBOARD_SMTP_CAFILE": ("", "信任的根证书文件（内网自建证书时）；空：系统证书"),
    "DASHBOARD_REMIND_OFFICE_EMAIL": ("", "工委办公室的公共邮箱，多个用逗号分隔（管理员、领导账号的邮箱之外）"),
    "DASHBOARD_WEBHOOK_URL": ("", "工委群（领导、办公室）的群机器人 Webhook 地址"),
    "DASHBOARD_WEBHOOK_SECRET": ("", "钉钉机器人“加签”的密钥（SEC 开头）；企业微信不用"),
    "DASHBOARD_WEBHOOK_KIND": ("", "wecom 或 dingtalk；空：按地址判断（qyapi.weixin.qq.com / oapi.dingtalk.com）"),
    "DASHBOARD_OUTBOX_DIR": ("data/outbox", "发件箱文件夹（相对路径从项目目录算起），每月一个子文件夹"),
}


class ChannelError(Exception):
    """One message could not be delivered (a Chinese sentence, never a secret)."""


class ChannelNotConfigured(ChannelError):
    """The channel has no settings to send with."""


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    kind: str  # wecom / dingtalk
    secret: str = ""

    def describe(self) -> str:
        return {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人"}.get(self.kind, "群机器人")


@dataclass(frozen=True)
class ChannelSettings:
    dashboard_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_cafile: str = ""
    office_emails: tuple[str, ...] = ()
    webhook: WebhookTarget | None = None
    branch_webhooks: dict[str, WebhookTarget] = field(default_factory=dict)  # normalised name →
    outbox_dir: Path = ROOT / "data" / "outbox"
    problems: tuple[str, ...] = ()  # settings that could not be used, in words

    def branch_webhook(self, branch: str) -> WebhookTarget | None:
        return self.branch_webhooks.get(normalize_name(branch))


def webhook_kind(url: str, given: str = "") -> str:
    """wecom / dingtalk from the setting, else from the robot's host."""
    given = (given or "").strip().lower()
    if given in ("wecom", "dingtalk"):
        return given
    host = urllib.parse.urlsplit(url).hostname or ""
    if host.endswith("qyapi.weixin.qq.com"):
        return "wecom"
    if host.endswith("dingtalk.com"):
        return "dingtalk"
    raise ValueError(f"无法从地址判断群机器人类型，请设置 kind（wecom 或 dingtalk）：{_safe_url(url)}")


def _safe_url(url: str) -> str:
    """A robot's address without its key or token (they are credentials)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _read_secrets(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_settings(env: dict | None = None, secrets_path: Path | None = None) -> ChannelSettings:
    """The channels' settings: each name from the environment, else from secrets.toml."""
    env = os.environ if env is None else env
    problems = []
    try:
        secrets = _read_secrets(secrets_path or SECRETS_FILE)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        secrets, problems = {}, [f"无法读取 .streamlit/secrets.toml：{exc}"]

    def get(name: str) -> str:
        value = env.get(name)
        if value is None:
            value = secrets.get(name)
        return str(value).strip() if value is not None else SETTINGS[name][0]

    try:
        port = int(get("DASHBOARD_SMTP_PORT"))
    except ValueError:
        port, problems = 587, problems + ["DASHBOARD_SMTP_PORT 应为数字，已按587处理"]
    security = get("DASHBOARD_SMTP_SECURITY").lower()
    if security not in ("starttls", "ssl", "none"):
        problems.append(f"DASHBOARD_SMTP_SECURITY 应为 starttls、ssl 或 none，收到「{security}」，已按 starttls 处理")
        security = "starttls"
    webhook = None
    if url := get("DASHBOARD_WEBHOOK_URL"):
        try:
            webhook = WebhookTarget(url, webhook_kind(url, get("DASHBOARD_WEBHOOK_KIND")),
                                    get("DASHBOARD_WEBHOOK_SECRET"))
        except ValueError as exc:
            problems.append(f"DASHBOARD_WEBHOOK_URL：{exc}")
    branch_hooks = {}
    for i, item in enumerate(secrets.get("branch_webhooks", []) or [], 1):
        try:
            branch, url = str(item["branch"]).strip(), str(item["url"]).strip()
            branch_hooks[normalize_name(branch)] = WebhookTarget(
                url, webhook_kind(url, str(item.get("kind", ""))), str(item.get("secret", "")).strip())
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"secrets.toml 第{i}个 [[branch_webhooks]] 无法使用：{exc}")
    outbox = Path(get("DASHBOARD_OUTBOX_DIR"))
    offices = tuple(a.strip() for a in re.split(r"[,，;；\s]+", get("DASHBOARD_REMIND_OFFICE_EMAIL")) if a.strip())
    return ChannelSettings(
        dashboard_url=get("DASHBOARD_URL"), smtp_host=get("DASHBOARD_SMTP_HOST"), smtp_port=port,
        smtp_security=security, smtp_user=get("DASHBOARD_SMTP_USER"),
        smtp_password=get("DASHBOARD_SMTP_PASSWORD"), smtp_from=get("DASHBOARD_SMTP_FROM"),
        smtp_cafile=get("DASHBOARD_SMTP_CAFILE"), office_emails=offices, webhook=webhook,
        branch_webhooks=branch_hooks, outbox_dir=outbox if outbox.is_absolute() else ROOT / outbox,
        problems=tuple(problems))


# --- e-mail -------------------------------------------------------------------------------------

_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


def valid_email(address: str) -> bool:
    return bool(_ADDRESS.match(address or "")) and len(address) <= 255


class EmailChannel:
    """SMTP with STARTTLS (or implicit TLS); one connection for a run, opened again after an
    error with one message. A server that does not offer STARTTLS is an error, never a fall-back
    to clear text; a server that cannot be reached (or refuses the login) fails the run's other
    messages at once, without waiting for each to time out."""

    name = "email"

    def __init__(self, settings: ChannelSettings, ssl_context: ssl.SSLContext | None = None):
        if not settings.smtp_host:
            raise ChannelNotConfigured("未配置发信服务器（DASHBOARD_SMTP_HOST），不能发送电子邮件。")
        if settings.smtp_security == "none" and settings.smtp_password:
            raise ChannelNotConfigured("DASHBOARD_SMTP_SECURITY=none 时不能使用密码登录（密码会明文传输）。")
        self.sender = settings.smtp_from or settings.smtp_user
        if not valid_email(self.sender):
            raise ChannelNotConfigured("未配置有效的发件人地址（DASHBOARD_SMTP_FROM 或 DASHBOARD_SMTP_USER）。")
        self.settings = settings
        self.context = ssl_context or ssl.create_default_context(cafile=settings.smtp_cafile or None)
        self._smtp: smtplib.SMTP | None = None
        self._unreachable = ""  # why the server could not be reached: the rest fail at once

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=TIMEOUT_SECONDS, context=self.context)
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT_SECONDS)
        try:
            if s.smtp_security == "starttls":
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise ChannelError("发信服务器不支持 STARTTLS，未发送（不以明文发送）。")
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def compose(self, address: str, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = formataddr((SENDER_NAME, self.sender))
        mail["To"] = address
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[-1])
        mail.set_content(to_text(message))
        mail.add_alternative(to_html(message), subtype="html")
        return mail

    def send(self, address: str, message: Message) -> None:
        if not valid_email(address):
            raise ChannelError(f"邮箱地址无效：{address}")
        if self._unreachable:
            raise ChannelError(self._unreachable)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except ChannelError as exc:
                self._unreachable = str(exc)
                raise
            except smtplib.SMTPAuthenticationError:
                self._unreachable = "发信服务器拒绝登录，请检查 DASHBOARD_SMTP_USER 和 DASHBOARD_SMTP_PASSWORD。"
                raise ChannelError(self._unreachable) from None
            except (smtplib.SMTPException, OSError) as exc:
                self._unreachable = f"无法连接发信服务器：{type(exc).__name__}: {exc}"
                raise ChannelError(self._unreachable) from None
        try:
            self._smtp.send_message(self.compose(address, message))
        except smtplib.SMTPRecipientsRefused:
            self.close()
            raise ChannelError(f"发信服务器拒收该地址：{address}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise ChannelError(f"发送邮件失败：{type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


# --- group robots -------------------------------------------------------------------------------


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """钉钉 加签: timestamp (ms) and sign = urlencode(base64(HMAC-SHA256(key=secret,
    msg="timestamp\\nsecret"))) appended to the robot's address."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"),
                      hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def webhook_payload(kind: str, message: Message) -> dict:
    """The robot's markdown message: 企业微信 {"msgtype":"markdown","markdown":{"content"}},
    钉钉 {"msgtype":"markdown","markdown":{"title","text"}}."""
    text = to_markdown(message)
    if kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": message.subject[:64], "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


class WebhookChannel:
    """POST the markdown message as JSON; a robot answers {"errcode": 0} when it took it."""

    name = "webhook"

    def send(self, target: WebhookTarget, message: Message) -> None:
        url = dingtalk_signed_url(target.url, target.secret) if target.kind == "dingtalk" and target.secret \
            else target.url
        body = json.dumps(webhook_payload(target.kind, message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        where = f"{target.describe()}（{_safe_url(target.url)}）"
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                answer = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"{where}返回 HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ChannelError(f"{where}无法连接：{getattr(exc, 'reason', exc)}") from None
        try:
            reply = json.loads(answer.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ChannelError(f"{where}的回复不是 JSON") from None
        if not isinstance(reply, dict) or reply.get("errcode") != 0:
            code = reply.get("errcode") if isinstance(reply, dict) else None
            why = reply.get("errmsg") if isinstance(reply, dict) else reply
            raise ChannelError(f"{where}拒收消息：errcode {code}，{why}")

    def close(self) -> None:
        pass


# --- the outbox folder --------------------------------------------------------------------------

_UNSAFE_FILE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")


def file_stem(name: str) -> str:
    return _UNSAFE_FILE.sub("_", name).strip(" .")[:80] or "提醒"


class OutboxChannel:
    """One .txt (UTF-8 with BOM, Windows line ends: Notepad opens it) and one .docx per recipient
    in ``<outbox>/<period>/``; written whole or not at all."""

    name = "outbox"

    def __init__(self, settings: ChannelSettings, folder: Path | None = None):
        self.folder = Path(folder) if folder else settings.outbox_dir

    def paths(self, period: str, stem: str) -> tuple[Path, Path]:
        base = self.folder / period / file_stem(stem)
        return base.with_suffix(".txt"), base.with_suffix(".docx")

    def send(self, target: tuple[str, str], message: Message) -> None:
        period, stem = target
        txt, docx = self.paths(period, stem)
        try:
            txt.parent.mkdir(parents=True, exist_ok=True)
            for path, data in ((txt, to_text(message, newline="\r\n").encode("utf-8-sig")),
                               (docx, to_docx(message))):
                partial = path.with_name(path.name + ".part")
                partial.write_bytes(data)
                partial.replace(path)
        except OSError as exc:
            raise ChannelError(f"无法写入发件箱 {txt.parent}：{exc.strerror or exc}") from None

    def close(self) -> None:
        pass
