"""The web config (--web-config): one invalid file per rule, each checked against its exact first
message, line and column, as config.yaml's corpus is; and what `netmon serve` does with one.

Files live in tests/data/invalid-web-config/, each a small valid web config with one mistake.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest

from export import synth
from export.test_serve import CONFIG
from netmon.errors import InputError, NetmonError, Problem
from netmon.export.webconfig import WebConfig, WebConfigError, check_web_config, load_web_config

DATA = Path(__file__).parent.parent / "data" / "invalid-web-config"
NOT_A_HASH = "not a bcrypt hash (the value is not shown: it may be a secret)"

# rule -> (line, col, message, hint or None when not checked)
CASES: dict[str, tuple[int, int, str, str | None]] = {
    "unknown-key": (
        2,
        1,
        "file: unknown key 'basic_auth_user'",
        "did you mean 'basic_auth_users'?",
    ),
    "unknown-tls-key": (
        4,
        3,
        "tls_server_config: unknown key 'keyfile'",
        "did you mean 'key_file'?",
    ),
    "duplicate-key": (5, 3, "duplicate key 'prometheus' (first at line 3)", None),
    "plain-password": (3, 15, f"basic_auth_users.prometheus: {NOT_A_HASH}", None),
    "number-password": (3, 15, f"basic_auth_users.prometheus: {NOT_A_HASH}", None),
    "client-ca-without-auth-policy": (
        5,
        19,
        "tls_server_config: client CA's have been configured without a Client Auth Policy",
        "set client_auth_type: RequireAndVerifyClientCert (or VerifyClientCertIfGiven)",
    ),
    "unverified-client-auth": (
        5,
        21,
        "tls_server_config: client_auth_type RequireAnyClientCert accepts a client certificate "
        "nobody verifies",
        "use RequireAndVerifyClientCert with client_ca_file (exporter-toolkit's docs call the "
        "other values insecure)",
    ),
    "verify-without-ca": (
        5,
        21,
        "tls_server_config: client_auth_type RequireAndVerifyClientCert needs client_ca_file",
        "client_ca_file: the CA certificate(s) that sign your clients' certificates",
    ),
    "sans-without-required-cert": (
        7,
        24,
        "tls_server_config: client_allowed_sans requires client_auth_type "
        "RequireAndVerifyClientCert",
        "a client that may come without a certificate has no SAN to match",
    ),
    "unknown-tls-version": (
        5,
        16,
        "tls_server_config.min_version: 'TLS1.3' is not one of the allowed values",
        "did you mean 'TLS13'?",
    ),
    "min-above-max": (
        5,
        16,
        "tls_server_config: min_version TLS13 is above max_version TLS12",
        "lower min_version or raise max_version (TLS10 < TLS11 < TLS12 < TLS13)",
    ),
    "unknown-cipher": (
        5,
        58,
        "tls_server_config.cipher_suites[1]: 'TLS_RSA_WITH_RC4_128_SHA' is not one of the "
        "allowed values",
        None,
    ),
    "two-curves": (
        5,
        22,
        "tls_server_config: netmon can restrict the handshake to one curve, not rank several",
        "list one curve (Python's ssl module has no preference list)",
    ),
    "header-value": (
        4,
        22,
        "http_server_config.headers.X-Frame-Options: 'allow' is not one of the allowed values",
        "one of: deny, sameorigin",
    ),
    "obsolete-tls-version": (
        5,
        16,
        "tls_server_config: min_version TLS10: TLS 1.0 and 1.1 are refused by OpenSSL's security "
        "level here, so netmon cannot honour it",
        "use TLS12 or TLS13 (RFC 8996 deprecates TLS 1.0 and 1.1)",
    ),
    "tls-options-without-cert": (
        3,
        3,
        "tls_server_config needs both cert_file and key_file",
        "add cert_file and key_file, or remove tls_server_config to serve plain HTTP",
    ),
    "cert-without-key": (
        3,
        3,
        "tls_server_config needs both cert_file and key_file",
        "add key_file, or remove tls_server_config to serve plain HTTP",
    ),
    "wrong-shape": (2, 19, "basic_auth_users: expected a mapping, got a list", None),
    "yes-no-boolean": (3, 10, "http_server_config.http2: expected true or false, got 'no'", None),
}


def test_every_corpus_file_has_a_case() -> None:
    assert {p.stem for p in DATA.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_invalid_web_config(rule: str) -> None:
    path = DATA / f"{rule}.yaml"
    line, col, message, hint = CASES[rule]
    web, problems = check_web_config(path)
    assert web is None
    first = problems[0]
    assert (first.file, first.line, first.col, first.message) == (str(path), line, col, message)
    if hint is not None:
        assert first.hint == hint
    with pytest.raises(WebConfigError) as err:
        load_web_config(path)
    assert err.value.problems == problems
    assert isinstance(err.value, InputError) and isinstance(err.value, NetmonError)
    assert str(err.value).startswith(f"{path}:{line}:{col}: error: {message}")


@pytest.mark.parametrize("rule", ["plain-password", "number-password"])
def test_a_password_where_the_hash_goes_is_not_echoed(rule: str) -> None:
    path = DATA / f"{rule}.yaml"
    password = path.read_text().splitlines()[-1].split(":", 1)[1].strip()
    _, problems = check_web_config(path)
    assert problems and all(password not in p.render() for p in problems)


def test_a_valid_config_with_keys_left_empty(tmp_path: Path) -> None:
    """Paths are relative to the file; a key without a value is unset, as exporter-toolkit
    reads it; http_server_config and min_version are accepted (and not used yet)."""
    hashed = bcrypt.hashpw(b"s3cret-pw", bcrypt.gensalt(rounds=4)).decode()
    cfg = tmp_path / "web.yml"
    cfg.write_text(
        "tls_server_config:\n"
        "  cert_file: tls.crt\n"
        "  key_file: /etc/netmon/tls.key\n"
        "  client_auth_type:\n"
        "  client_ca_file: ''\n"
        "  min_version: TLS12\n"
        f"basic_auth_users:\n  prometheus: '{hashed}'\n"
        "http_server_config:\n  http2: true\n"
        "  headers: {X-Frame-Options: deny, X-XSS-Protection: ''}\n"
    )
    web = load_web_config(cfg)
    assert (web.cert_file, web.key_file) == (tmp_path / "tls.crt", Path("/etc/netmon/tls.key"))
    assert web.users == {"prometheus": hashed.encode()}
    assert (web.source, web.cert_at) == (str(cfg), (2, 14))
    cfg.write_text("tls_server_config:\nbasic_auth_users: ~\nhttp_server_config:\n")
    assert load_web_config(cfg) == WebConfig(source=str(cfg))
    cfg.write_text("")
    assert load_web_config(cfg) == WebConfig(source=str(cfg))


def test_a_certificate_that_cannot_be_loaded_is_located(tmp_path: Path) -> None:
    cfg = tmp_path / "web.yml"
    cfg.write_text("# TLS\ntls_server_config:\n  key_file: tls.key\n  cert_file: absent.crt\n")
    web = load_web_config(cfg)
    with pytest.raises(WebConfigError) as err:
        web.ssl_context()
    (problem,) = err.value.problems
    assert (problem.file, problem.line, problem.col) == (str(cfg), 4, 14)
    assert problem.message.startswith("tls_server_config: cannot load certificate: ")


def test_serve_with_an_invalid_web_config_exits_1_with_every_problem(tmp_path: Path) -> None:
    """Refused before anything is probed or bound: every problem as FILE:LINE:COL, no
    traceback, no password."""
    # Were the file accepted by mistake, serve would poll: only the host's own loopback, by ICMP.
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    text = (synth.LAB_SMALL / "inventory.yaml").read_text(encoding="utf-8")
    text = text.replace("lab: true", "lab: false").replace("10.46.", "127.46.")
    text = text.replace("probes: [icmp, snmp, ssh]", "probes: [icmp]")
    assert "10.46." not in text
    (inventory / "inventory.yaml").write_text(text)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)
    web = tmp_path / "web.yml"
    web.write_text(
        "basic_auth_users:\n  prometheus: hunter2-plain\n"
        "tls_server_config: {cert_file: c, keyfile: k}\n"
    )
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "netmon"),
            "serve",
            "-i",
            str(inventory),
            "-c",
            str(cfg),
            "--listen",
            "127.0.0.1:1",
            "--web-config",
            str(web),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    expected = [
        Problem(str(web), 2, 15, f"basic_auth_users.prometheus: {NOT_A_HASH}"),
        # and not also "needs both cert_file and key_file": shape first, as for the inventory
        Problem(str(web), 3, 35, "tls_server_config: unknown key 'keyfile'"),
    ]
    lines = done.stderr.splitlines()
    assert [line for line in lines if line.startswith(str(web))] == [p.render() for p in expected]
    assert lines[-1] == f"netmon: error: invalid web config {web}"
    assert "hunter2" not in done.stderr and "Traceback" not in done.stderr
