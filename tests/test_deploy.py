"""deploy/: the nginx configuration passes ``nginx -t``, and nginx, the systemd unit, the Streamlit
config and the README agree with each other (ports, upload size, websocket, health checks).

``nginx -t`` runs on a temporary wrapper (pid, logs and temp paths in tmp_path, a throwaway
self-signed certificate in place of the real one, free loopback ports in place of 80/443), so it
needs no root. Under CI a missing nginx
or openssl fails the test; elsewhere it is skipped with the reason."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/local/sbin") / name) if p.exists()), None)
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} is required under CI (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _nginx_text() -> str:
    return (DEPLOY / "nginx.conf").read_text(encoding="utf-8")


def _upstream_ports(text: str) -> list[int]:
    block = re.search(r"upstream\s+dashboard\s*\{(.*?)\}", text, re.S)
    assert block, "deploy/nginx.conf has no `upstream dashboard { … }`"
    return [int(p) for p in re.findall(r"^\s*server\s+[\w.\[\]:]+:(\d+)", block.group(1), re.M)]


def _location(text: str, pattern: str) -> str:
    found = re.search(r"location\s+" + pattern + r"\s*\{(.*?)\n\s*\}", text, re.S)
    assert found, f"deploy/nginx.conf has no location {pattern}"
    return found.group(1)


def test_nginx_config_passes_nginx_t(tmp_path):
    nginx = _tool("nginx")
    openssl = _tool("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=dashboard.test", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    site, n = re.subn(r"(ssl_certificate\s+)\S+;", rf"\g<1>{cert};", _nginx_text())
    site, m = re.subn(r"(ssl_certificate_key\s+)\S+;", rf"\g<1>{key};", site)
    assert n >= 1 and m >= 1, "the TLS server should name its certificate and key"
    # `nginx -t` binds the listen sockets: use free unprivileged ports on loopback (IPv4 only,
    # as some containers have no IPv6).
    site = re.sub(r"^\s*listen\s+\[::\]:\d+[^;]*;\n", "", site, flags=re.M)
    site, k = re.subn(r"(listen\s+)(\d+)", lambda mo: f"{mo.group(1)}127.0.0.1:{_free_port()}", site)
    assert k >= 2, "an HTTP and an HTTPS server"
    (tmp_path / "dashboard.conf").write_text(site, encoding="utf-8")
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp_path / kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'};\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path / 'access.log'};\n"
        f"{temp_paths}\n"
        f"    include {tmp_path / 'dashboard.conf'};\n"
        "}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_sticky_sessions_websocket_and_health():
    text = _nginx_text()
    upstream = re.search(r"upstream\s+dashboard\s*\{(.*?)\}", text, re.S).group(1)
    assert re.search(r"^\s*(ip_hash|hash\s+\S+\s+consistent)\s*;", upstream, re.M), "sessions must be sticky"
    assert len(_upstream_ports(text)) >= 2, "several Streamlit processes"
    # The websocket upgrade must reach /_stcore/stream (set there or inherited from the server).
    stream = _location(text, r"/_stcore/stream")
    for header in ("Upgrade", "Connection"):
        assert re.search(rf"proxy_set_header\s+{header}\s", stream + text), header
    assert "proxy_http_version 1.1" in text
    assert re.search(r"proxy_read_timeout\s+\d{4,}s", stream), "a long-lived websocket"
    assert "proxy_pass http://dashboard" in _location(text, r"=\s*/_stcore/health")


def test_upload_limit_matches_streamlit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit = config["server"]["maxUploadSize"]
    found = re.search(r"client_max_body_size\s+(\d+)m;", _nginx_text())
    assert found and int(found.group(1)) == limit


def test_systemd_unit_matches_nginx_and_readme():
    unit = (DEPLOY / "dashboard@.service").read_text(encoding="utf-8")
    sections = re.findall(r"^\[(\w+)\]$", unit, re.M)
    assert sections == ["Unit", "Service", "Install"]
    assert "--server.port=%i" in unit, "the instance name is the port"
    assert "--server.address=127.0.0.1" in unit, "only nginx talks to the processes"
    assert "EnvironmentFile=" in unit, "one shared environment file (database URL, secrets)"
    assert re.search(r"^ExecStartPost=.*127\.0\.0\.1:%i/_stcore/health", unit, re.M)
    assert re.search(r"^ExecStartPre=.*flock .*alembic .*upgrade head", unit, re.M)
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for port in _upstream_ports(_nginx_text()):
        assert f"dashboard@{port}" in readme, f"README should start dashboard@{port}"
