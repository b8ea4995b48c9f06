"""The web config's TLS keys honoured, checked with real TLS clients: OpenSSL's `s_client` (an
independent client, one TLS version or cipher or curve at a time) and Python's ssl.

A small PKI per test module, made with the openssl command: a CA, the server's certificate for
127.0.0.1, a client certificate with an allowed SAN, one with another SAN, and a self-signed one
no CA vouches for.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from export.test_http import free_port, ready_holder
from netmon.export.http import build_app, start_server
from netmon.export.webconfig import load_web_config

ALLOWED = "prometheus.noc.example"
REQUEST = b"GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _signed(name: str, san: str, cwd: Path) -> None:
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout",
            f"{name}.key", "-out", f"{name}.csr", cwd=cwd)  # fmt: skip
    (cwd / f"{name}.ext").write_text(f"subjectAltName={san}\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-extfile", f"{name}.ext", "-out", f"{name}.crt",
            cwd=cwd)  # fmt: skip


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
            "/CN=netmon test CA", "-keyout", "ca.key", "-out", "ca.crt", cwd=d)  # fmt: skip
    _signed("server", "IP:127.0.0.1", d)
    _signed("client", f"DNS:{ALLOWED}", d)
    _signed("intruder", "DNS:intruder.example", d)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
            "/CN=self", "-addext", f"subjectAltName=DNS:{ALLOWED}", "-keyout", "self.key",
            "-out", "self.crt", cwd=d)  # fmt: skip
    return d


@contextmanager
def serving(pki: Path, tls: str, extra: str = "") -> Iterator[int]:
    """netmon's HTTP server with this tls_server_config, in a thread of its own."""
    cfg = pki / "web.yml"
    cfg.write_text(
        "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
        + "".join(f"  {line}\n" for line in tls.splitlines())
        + extra
    )
    web = load_web_config(cfg)
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop = asyncio.Event()

    async def main() -> None:
        runner = await start_server(
            build_app(ready_holder(), _no_reload, web), f"127.0.0.1:{port}", web
        )
        started.set()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


async def _no_reload() -> object:
    raise AssertionError("not called")


def s_client(port: int, pki: Path, *args: str, cert: str = "") -> tuple[bool, str]:
    """GET /-/healthy through `openssl s_client`: (whether HTTP answered, what it printed)."""
    auth = ["-cert", f"{cert}.crt", "-key", f"{cert}.key"] if cert else []
    done = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", "ca.crt",
         "-verify_return_error", "-brief", "-ign_eof", *auth, *args],
        input=REQUEST, cwd=pki, capture_output=True, timeout=30,
    )  # fmt: skip
    out = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    return "HTTP/1.1" in done.stdout.decode(errors="replace"), out


def status(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("HTTP/1.1")).strip()


def test_min_version_tls13_refuses_a_tls12_client(pki: Path) -> None:
    with serving(pki, "min_version: TLS13") as port:
        assert s_client(port, pki, "-tls1_2")[0] is False
        ok, out = s_client(port, pki, "-tls1_3")
        assert ok and status(out) == "HTTP/1.1 200 OK"
        assert "Protocol version: TLSv1.3" in out


def test_max_version_tls12_refuses_a_tls13_client(pki: Path) -> None:
    with serving(pki, "max_version: TLS12") as port:
        assert s_client(port, pki, "-tls1_3")[0] is False
        assert s_client(port, pki, "-tls1_2")[0] is True


def test_the_default_is_tls12_and_up(pki: Path) -> None:
    with serving(pki, "") as port:
        assert s_client(port, pki, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")[0] is False
        assert s_client(port, pki, "-tls1_2")[0] is True
        assert s_client(port, pki, "-tls1_3")[0] is True


def test_cipher_suites_limit_tls12(pki: Path) -> None:
    suites = "cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\nmax_version: TLS12"
    with serving(pki, suites) as port:
        assert s_client(port, pki, "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")[0] is False
        ok, out = s_client(
            port, pki, "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"
        )
        assert ok and "Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384" in out  # the server's one


def test_one_curve(pki: Path) -> None:
    with serving(pki, "curve_preferences: [CurveP384]") as port:
        assert s_client(port, pki, "-groups", "X25519")[0] is False
        assert s_client(port, pki, "-groups", "P-384")[0] is True


def test_require_and_verify_client_cert(pki: Path) -> None:
    tls = "client_auth_type: RequireAndVerifyClientCert\nclient_ca_file: ca.crt"
    with serving(pki, tls) as port:
        assert s_client(port, pki)[0] is False  # no certificate
        assert s_client(port, pki, cert="self")[0] is False  # one no CA of ours signed
        ok, out = s_client(port, pki, cert="client")
        assert ok and status(out) == "HTTP/1.1 200 OK"


def test_verify_client_cert_if_given(pki: Path) -> None:
    tls = "client_auth_type: VerifyClientCertIfGiven\nclient_ca_file: ca.crt"
    with serving(pki, tls) as port:
        assert s_client(port, pki)[0] is True
        assert s_client(port, pki, cert="self")[0] is False
        assert s_client(port, pki, cert="client")[0] is True


def test_client_allowed_sans(pki: Path) -> None:
    tls = (
        "client_auth_type: RequireAndVerifyClientCert\nclient_ca_file: ca.crt\n"
        f"client_allowed_sans: [{ALLOWED}]"
    )
    with serving(pki, tls) as port:
        ok, out = s_client(port, pki, cert="client")
        assert ok and status(out) == "HTTP/1.1 200 OK"
        ok, out = s_client(port, pki, cert="intruder")  # signed by our CA, another name
        assert ok and status(out) == "HTTP/1.1 403 Forbidden"


def test_headers_on_every_answer(pki: Path) -> None:
    headers = (
        "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
        "    Strict-Transport-Security: max-age=31536000\n"
    )
    with serving(pki, "", extra=headers) as port:
        ok, out = s_client(port, pki)
        assert ok
        lines = out.splitlines()
        assert "X-Frame-Options: deny" in lines
        assert "Strict-Transport-Security: max-age=31536000" in lines
