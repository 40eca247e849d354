"""The HTTP side of login sessions: ASGI middleware that ``serve.py`` puts in front of Streamlit
(``st.App``), because a Streamlit script run cannot set a cookie.

- ``POST <base>/_session/begin`` with the one-time code a page run handed the browser right after
  login: sets the session cookie — a fresh random token, HttpOnly, SameSite=Strict, Secure when
  served over https, no Max-Age (the server ends the session long before the browser would).
- ``POST <base>/_session/end``: ends the cookie's session and deletes the cookie (logout).
- ``<base>/media/…`` (downloads) only with the cookie of a live session: a download URL copied
  before logging out is refused afterwards, in every tab.
- ``PUT <base>/_stcore/upload_file/…`` only with the cookie of a live session, and only while the
  browser tab holds less than ``DASHBOARD_SESSION_UPLOAD_MB`` of uploaded files.

Everything else passes through untouched. Started without serve.py (``streamlit run
dashboard.py``), none of this exists: logins then last for one browser tab.
"""

from __future__ import annotations

import ipaddress
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from anyio import to_thread
from starlette.responses import PlainTextResponse, Response

from services import accounts
from storage.db import get_engine

BEGIN, END = "/_session/begin", "/_session/end"
_UPLOAD = "/_stcore/upload_file/"
_MAX_BODY = 256  # a one-time code is 43 characters
_installed = False


def installed() -> bool:
    """Whether this process serves the session endpoints (it was started through serve.py)."""
    return _installed


def upload_limit_bytes() -> int:
    """``DASHBOARD_SESSION_UPLOAD_MB`` (default 200): uploaded files one browser tab may hold."""
    return int(float(accounts.read_setting("DASHBOARD_SESSION_UPLOAD_MB", "200")) * 1024 * 1024)


def normalize_address(value: str | None) -> str:
    """An IP address as the audit log shows it (``::ffff:10.0.0.5`` → ``10.0.0.5``); anything
    that is not an address is kept, shortened."""
    value = value.strip() if isinstance(value, str) else ""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return value[:128]
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def source_from(headers, peer: str | None) -> str:
    """The client's address: the last entry of the trusted proxy's header when
    ``DASHBOARD_TRUSTED_PROXY_HEADER`` names one (e.g. X-Real-IP behind deploy/nginx.conf), else
    the connection's peer (a loopback peer, or none at all, is 127.0.0.1)."""
    header = accounts.read_setting("DASHBOARD_TRUSTED_PROXY_HEADER", "").strip()
    if header:
        value = headers.get(header) if headers is not None else None
        if isinstance(value, str) and value.split(",")[-1].strip():
            return normalize_address(value.split(",")[-1])
    return normalize_address(peer) if isinstance(peer, str) and peer else "127.0.0.1"


def cookie_path(base_url: str | None) -> str:
    base = (base_url or "").strip("/")
    return f"/{base}/" if base else "/"


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _cookie_token(scope) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = jar.get(accounts.SESSION_COOKIE)
    return morsel.value if morsel else None


def _same_origin(scope) -> bool:
    """Only the dashboard's own pages may call the session endpoints (no login CSRF)."""
    site = _header(scope, b"sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    return bool(origin and host and urlsplit(origin).netloc == host)


def _over_https(scope) -> bool:
    forwarded = (_header(scope, b"x-forwarded-proto") or "").split(",")[0].strip().lower()
    return scope.get("scheme") == "https" or forwarded == "https"


def _cookie(value: str, scope, base_url: str | None, delete: bool = False) -> str:
    parts = [f"{accounts.SESSION_COOKIE}={value}", f"Path={cookie_path(base_url)}", "HttpOnly",
             "SameSite=Strict"]
    if _over_https(scope):
        parts.append("Secure")
    if delete:
        parts += ["Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
    return "; ".join(parts)


async def _body(receive, limit: int) -> bytes | None:
    data = b""
    while True:
        message = await receive()
        data += message.get("body", b"")
        if len(data) > limit:
            return None
        if not message.get("more_body"):
            return data


def _base_url() -> str:
    from streamlit import config

    return config.get_option("server.baseUrlPath") or ""


def _held_upload_bytes(session_id: str) -> int:
    """Bytes of uploaded files Streamlit holds for one browser tab (its session)."""
    from streamlit import runtime

    if not runtime.exists():
        return 0
    files = runtime.get_instance().uploaded_file_mgr
    storage = getattr(files, "file_storage", {}).get(session_id) or {}
    return sum(len(rec.data) for rec in list(storage.values()))


class SessionCookieMiddleware:
    """ASGI middleware: the session endpoints, and the login check in front of downloads and
    uploads (see the module docstring). ``engine`` and ``held_upload_bytes`` are for tests."""

    def __init__(self, app, engine=None, held_upload_bytes=None, base_url=None) -> None:
        global _installed
        _installed = True
        self.app = app
        self._engine = engine
        self._held = held_upload_bytes or _held_upload_bytes
        self._base_url = base_url

    def engine(self):
        return self._engine if self._engine is not None else get_engine()

    def base_url(self) -> str:
        return self._base_url if self._base_url is not None else _base_url()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        base = cookie_path(self.base_url())
        path, method = scope.get("path", ""), scope.get("method", "GET")
        response = None
        if path in (base + BEGIN[1:], base + END[1:]):
            response = await self._session_endpoint(scope, receive, path.endswith(BEGIN), method)
        elif path.startswith(base + "media/"):
            if not await self._live(scope):
                response = PlainTextResponse("请先登录。", status_code=403)
        elif path.startswith(base + _UPLOAD[1:]) and method in ("PUT", "POST"):
            response = await self._upload_check(scope, path)
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _live(self, scope) -> bool:
        token = _cookie_token(scope)
        if not token:
            return False
        session = await to_thread.run_sync(
            lambda: accounts.session_for_token(self.engine(), token, slide=False))
        return session is not None and session.live

    async def _session_endpoint(self, scope, receive, begin: bool, method: str) -> Response:
        if method != "POST":
            return PlainTextResponse("", status_code=405, headers={"Allow": "POST"})
        if not _same_origin(scope):
            return PlainTextResponse("", status_code=403)
        headers = {"Cache-Control": "no-store"}
        if begin:
            body = await _body(receive, _MAX_BODY)
            code = (body or b"").decode("ascii", "replace").strip()
            token = await to_thread.run_sync(lambda: accounts.redeem_handoff(self.engine(), code))
            if token is None:
                return PlainTextResponse("", status_code=403, headers=headers)
            headers["Set-Cookie"] = _cookie(token, scope, self.base_url())
            return Response(status_code=204, headers=headers)
        token = _cookie_token(scope)
        if token:
            source = source_from(_Headers(scope), (scope.get("client") or (None,))[0])

            def end() -> None:
                session = accounts.session_for_token(self.engine(), token, slide=False)
                if session is not None and session.live:
                    accounts.close_session(self.engine(), session.id, source=source)

            await to_thread.run_sync(end)
        headers["Set-Cookie"] = _cookie("", scope, self.base_url(), delete=True)
        return Response(status_code=204, headers=headers)

    async def _upload_check(self, scope, path: str) -> Response | None:
        if not await self._live(scope):
            return PlainTextResponse("请先登录。", status_code=403)
        session_id = path.split(_UPLOAD, 1)[1].split("/", 1)[0]
        length = _header(scope, b"content-length")
        incoming = int(length) if length and length.isdigit() else 0
        if self._held(session_id) + incoming > upload_limit_bytes():
            return PlainTextResponse("本窗口已上传的文件过多，请先导入或移除部分文件。", status_code=413)
        return None


class _Headers:
    """Case-insensitive ``get`` over an ASGI scope's headers (for ``source_from``)."""

    def __init__(self, scope) -> None:
        self._scope = scope

    def get(self, name: str) -> str | None:
        return _header(self._scope, name.lower().encode("latin-1"))
