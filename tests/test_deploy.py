"""deploy/: the nginx configuration passes ``nginx -t`` and, running in front of a stub, sends the
security headers and keeps /_stcore/metrics local; nginx, the systemd unit, the Streamlit config,
run.sh and the README agree with each other (ports, upload size, websocket, health checks, the
session cookie's entry point, demo mode on 127.0.0.1).

``nginx -t`` runs on a temporary wrapper (pid, logs and temp paths in tmp_path, a throwaway
self-signed certificate in place of the real one, free loopback ports in place of 80/443), so it
needs no root. Under CI a missing nginx
or openssl fails the test; elsewhere it is skipped with the reason."""

from __future__ import annotations

import http.client
import http.server
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
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


def _nginx_wrapper(tmp_path: Path, site_ports: dict[str, int] | None = None,
                   upstream_port: int | None = None) -> tuple[str, Path, list[int]]:
    """deploy/nginx.conf inside a throwaway nginx.conf of its own: pid, logs and temp paths in
    tmp_path, a self-signed certificate, free loopback ports instead of 80/443 (returned in
    order), and optionally every upstream server replaced by 127.0.0.1:upstream_port."""
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
    ports: list[int] = []

    def free(mo):
        ports.append(_free_port())
        return f"{mo.group(1)}127.0.0.1:{ports[-1]}"

    site, k = re.subn(r"(listen\s+)(\d+)", free, site)
    assert k >= 2, "an HTTP and an HTTPS server"
    if upstream_port is not None:
        site = re.sub(r"^(\s*server\s+)127\.0\.0\.1:\d+", rf"\g<1>127.0.0.1:{upstream_port}", site,
                      flags=re.M)
    (tmp_path / "dashboard.conf").write_text(site, encoding="utf-8")
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp_path / kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers must reach tmp_path
        + f"pid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'};\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path / 'access.log'};\n"
        f"{temp_paths}\n"
        f"    include {tmp_path / 'dashboard.conf'};\n"
        "}\n",
        encoding="utf-8",
    )
    return nginx, tmp_path / "nginx.conf", ports


def test_nginx_config_passes_nginx_t(tmp_path):
    nginx, conf, _ = _nginx_wrapper(tmp_path)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def _tls_server_block(text: str) -> str:
    found = re.search(r"server\s*\{[^{}]*listen\s+443\s+ssl;(.*)\n\}", text, re.S)
    assert found, "deploy/nginx.conf has no server listening on 443"
    return found.group(1)


SECURITY_HEADERS = {
    "X-Frame-Options": r"(SAMEORIGIN|DENY)",
    "Content-Security-Policy": r"\"frame-ancestors\s+('self'|'none')\"",
    "X-Content-Type-Options": r"nosniff",
}


def test_nginx_sends_the_security_headers_with_every_response():
    block = _tls_server_block(_nginx_text())
    for name, value in SECURITY_HEADERS.items():
        assert re.search(rf"^\s*add_header\s+{name}\s+{value}\s+always;", block, re.M), name
    # nginx drops the server's add_header lines in a location that has any of its own
    for location in re.findall(r"location\s+[^{]*\{(.*?)\n\s*\}", block, re.S):
        assert "add_header" not in location, location


def test_nginx_answers_metrics_to_the_server_itself_only():
    metrics = _location(_tls_server_block(_nginx_text()), r"=\s*/_stcore/metrics")
    rules = re.findall(r"^\s*(allow|deny)\s+(\S+);", metrics, re.M)
    assert rules == [("allow", "127.0.0.1"), ("allow", "::1"), ("deny", "all")]


class _Stub(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = b"stub " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _get(port: int, path: str, source: str = "127.0.0.1") -> tuple[int, dict[str, str]]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10,
                                       source_address=(source, 0))
    conn.request("GET", path, headers={"Host": "dashboard.example.gov.cn"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}


def test_nginx_really_sends_the_headers_and_refuses_metrics_from_elsewhere(tmp_path):
    """The configuration running: nginx in front of a stub upstream, asked over TLS from
    127.0.0.1 and from another loopback address (which nginx must treat as not local)."""
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    nginx, conf, ports = _nginx_wrapper(tmp_path, upstream_port=stub.server_address[1])
    proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                             "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    https = ports[-1]
    try:
        deadline = time.time() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", https), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
        for path in ("/", "/overview", "/media/abc.xlsx", "/_stcore/health"):
            status, headers = _get(https, path)
            assert status == 200, path
            assert headers["x-frame-options"] == "SAMEORIGIN", path
            assert "frame-ancestors 'self'" in headers["content-security-policy"], path
            assert headers["x-content-type-options"] == "nosniff", path
        assert _get(https, "/_stcore/metrics")[0] == 200
        status, headers = _get(https, "/_stcore/metrics", source="127.0.0.2")
        assert status == 403 and headers["x-frame-options"] == "SAMEORIGIN"
        assert _get(https, "/overview", source="127.0.0.2")[0] == 200
    finally:
        proc.terminate()
        proc.wait(10)
        stub.shutdown()


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


def test_the_units_and_run_sh_start_serve_py():
    """serve.py puts the session-cookie middleware in front of dashboard.py: started any other
    way, logins would last for one browser tab and downloads would not check the login."""
    unit = (DEPLOY / "dashboard@.service").read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=\S+streamlit run serve\.py ", unit, re.M)
    run_sh = (ROOT / "run.sh").read_text(encoding="utf-8")
    assert "streamlit run serve.py" in run_sh and "streamlit run dashboard.py" not in run_sh
    env = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "DASHBOARD_TRUSTED_PROXY_HEADER=X-Real-IP" in env
    assert re.search(r"proxy_set_header\s+X-Real-IP\s+\$remote_addr;", _nginx_text())


def _listening_addresses(port: int) -> set[str]:
    """Addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                # /proc prints each 32-bit word of the address in host (little-endian) order
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(socket.inet_ntop(family, raw))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("extra,expected", [([], {"127.0.0.1"}),
                                            (["--server.address", "0.0.0.0"], {"0.0.0.0"})])
def test_run_sh_serves_the_demo_on_this_computer_only_unless_asked(tmp_path, extra, expected):
    """./run.sh (install, sample data, start) for real: demo mode listens on 127.0.0.1 unless
    --server.address asks otherwise. It writes data/demo-import.log of the checkout."""
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc/net/tcp")
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("STREAMLIT_SERVER_ADDRESS", "DASHBOARD_DEMO")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    proc = subprocess.Popen([str(ROOT / "run.sh"), "--server.port", str(port),
                             "--server.headless", "true", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.time() + 300
        while not _listening_addresses(port):
            assert proc.poll() is None and time.time() < deadline, proc.stdout.read().decode()
            time.sleep(0.5)
        assert _listening_addresses(port) == expected
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /_stcore/health HTTP/1.0\r\n\r\n")
            assert b"ok" in sock.recv(4096)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
