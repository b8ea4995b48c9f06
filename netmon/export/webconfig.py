"""--web-config: TLS, client certificates, basic auth and headers, as exporter-toolkit has them.

    tls_server_config:
      cert_file: /etc/netmon/tls.crt
      key_file: /etc/netmon/tls.key
      min_version: TLS13                       # TLS10..TLS13; default TLS12
      client_auth_type: RequireAndVerifyClientCert
      client_ca_file: /etc/netmon/clients-ca.crt
      client_allowed_sans: [prometheus.noc.example]
    basic_auth_users:
      prometheus: $2b$12$...   # bcrypt hash, never a password
    http_server_config:
      headers: {Strict-Transport-Security: max-age=31536000}

Read like config.yaml, through netmon's strict reader and spec checker (yamlspec): duplicate
keys, unknown keys (with "did you mean") and wrong types are refused, each at FILE:LINE:COL.
Only exporter-toolkit's names are accepted (it refuses unknown keys too); a key without a
value counts as absent, as exporter-toolkit (Go) reads it. A value that is not a bcrypt hash is
refused without being quoted, so a plain password cannot slip in by mistake, nor into a log.
Every accepted key is honoured (tls.py says how each maps onto OpenSSL); what netmon cannot do
as Go does is refused at its line, never ignored. netmon serves HTTP/1.1: `http2` is accepted
(a client asking for HTTP/2 gets HTTP/1.1, as from any HTTP/1.1 server).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from netmon.errors import Problem, WebConfigError
from netmon.export.tls import (
    CIPHERS,
    CLIENT_AUTH,
    CURVES,
    OBSOLETE_VERSIONS,
    UNVERIFIED_CLIENT_AUTH,
    VERSIONS,
    TlsSettings,
)
from netmon.yamlspec import (
    ROOT,
    Bool,
    Checker,
    Field,
    ListOf,
    MapOf,
    Mapping,
    Obj,
    Str,
    read_yaml,
)

__all__ = [
    "SPEC",
    "WebConfig",
    "WebConfigError",
    "check_web_config",
    "load_web_config",
]

_PATH = Str(doc="a file, relative to this one", max_len=4096)
_HASH = Str(
    doc="a bcrypt hash",
    pattern=r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}",
    pattern_hint="write the hash, never the password: htpasswd -nBC 12 USER prints USER:HASH",
    secret=True,
)
# The headers exporter-toolkit lets a web config add, with the values it allows.
_HEADERS = {
    "Content-Security-Policy": Str(max_len=4096),
    "X-Frame-Options": Str(enum=("deny", "sameorigin")),
    "X-Content-Type-Options": Str(enum=("nosniff",)),
    "X-XSS-Protection": Str(max_len=4096),
    "Strict-Transport-Security": Str(max_len=4096),
}
_CLIENT_AUTH_TYPES = (*CLIENT_AUTH, *UNVERIFIED_CLIENT_AUTH)
SPEC = Obj(
    {
        "tls_server_config": Field(
            Obj(
                {
                    "cert_file": Field(_PATH),
                    "key_file": Field(_PATH),
                    "client_auth_type": Field(
                        Str(enum=_CLIENT_AUTH_TYPES, doc="Go's ClientAuthType (NoClientCert)")
                    ),
                    "client_ca_file": Field(_PATH),
                    "client_allowed_sans": Field(ListOf(Str(doc="an exact DNS, IP, e-mail, URI"))),
                    "min_version": Field(Str(enum=tuple(VERSIONS), doc="default TLS12")),
                    "max_version": Field(Str(enum=tuple(VERSIONS), doc="default TLS13")),
                    "cipher_suites": Field(ListOf(Str(enum=tuple(CIPHERS)))),
                    "prefer_server_cipher_suites": Field(Bool(doc="default true")),
                    "curve_preferences": Field(ListOf(Str(enum=tuple(CURVES)))),
                }
            )
        ),
        "basic_auth_users": Field(MapOf(_HASH, doc="user name -> bcrypt hash")),
        "http_server_config": Field(
            Obj(
                {
                    "http2": Field(Bool(doc="accepted; netmon serves HTTP/1.1")),
                    "headers": Field(Obj({h: Field(spec) for h, spec in _HEADERS.items()})),
                }
            )
        ),
    },
    title="netmon web config (exporter-toolkit format)",
)


@dataclass(frozen=True)
class WebConfig:
    tls: TlsSettings | None = None
    users: dict[str, bytes] = field(default_factory=dict)  # user -> bcrypt hash
    headers: dict[str, str] = field(default_factory=dict)  # added to every response
    # Where cert_file was written, so a certificate that cannot be loaded is located too.
    source: str = ""
    cert_at: tuple[int, int] = (0, 0)

    @property
    def cert_file(self) -> Path | None:
        return self.tls.cert_file if self.tls else None

    @property
    def key_file(self) -> Path | None:
        return self.tls.key_file if self.tls else None

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.tls is None:
            return None
        try:
            return self.tls.context()
        except (OSError, ssl.SSLError) as exc:
            problem = Problem(
                self.source or "web config",
                *self.cert_at,
                f"tls_server_config: cannot load certificate: {exc}",
                "cert_file, key_file, client_ca_file: PEM files netmon can read, the key "
                "matching the cert",
            )
            raise WebConfigError([problem]) from None


def check_web_config(path: Path) -> tuple[WebConfig | None, list[Problem]]:
    """Every problem of the web config, and the WebConfig when there is none."""
    root, problems = read_yaml(path, str(path))
    if problems:
        return None, problems
    checker = Checker(str(path), reject_secret_keys=False)
    data = checker.check(_without_empty(root), SPEC, ROOT) if root is not None else Mapping()
    problems = checker.problems
    if problems or not isinstance(data, Mapping):
        # Shape first, as for the inventory: a misspelt key_file is one problem, not also a
        # "needs both cert_file and key_file".
        return None, problems
    tls: Mapping = data.get("tls_server_config", Mapping())
    problems = tls_problems(tls, str(path))
    if problems:
        return None, problems
    users: dict[str, str] = data.get("basic_auth_users", {})
    base = path.parent
    settings = None
    if "cert_file" in tls:
        settings = TlsSettings(
            cert_file=base / tls["cert_file"],
            key_file=base / tls["key_file"],
            min_version=tls.get("min_version", "TLS12"),
            max_version=tls.get("max_version", "TLS13"),
            cipher_suites=tuple(tls.get("cipher_suites", ())),
            prefer_server_cipher_suites=tls.get("prefer_server_cipher_suites", True),
            curve=next(iter(tls.get("curve_preferences", ())), None),
            client_auth_type=tls.get("client_auth_type", "NoClientCert"),
            client_ca_file=base / tls["client_ca_file"] if "client_ca_file" in tls else None,
            client_allowed_sans=tuple(tls.get("client_allowed_sans", ())),
        )
    return WebConfig(
        tls=settings,
        users={user: hashed.encode() for user, hashed in users.items()},
        headers=dict(data.get("http_server_config", {}).get("headers", {})),
        source=str(path),
        cert_at=tls.at.get("cert_file", (0, 0)),
    ), []


def tls_problems(tls: Mapping, file: str) -> list[Problem]:
    """What spans keys of tls_server_config: the combinations exporter-toolkit refuses, and
    the two things OpenSSL (through Python) cannot do as Go does."""

    def at(key: str, message: str, hint: str) -> Problem:
        line, col = tls.at.get(key, (tls.line, tls.col))
        return Problem(file, line, col, f"tls_server_config: {message}", hint)

    out: list[Problem] = []
    if ("cert_file" in tls) != ("key_file" in tls) or (tls and "cert_file" not in tls):
        missing = {
            (True, False): "key_file",
            (False, True): "cert_file",
            (False, False): "cert_file and key_file",
        }[("cert_file" in tls, "key_file" in tls)]
        out.append(
            Problem(
                file,
                tls.line,
                tls.col,
                "tls_server_config needs both cert_file and key_file",
                f"add {missing}, or remove tls_server_config to serve plain HTTP",
            )
        )
    auth = tls.get("client_auth_type", "NoClientCert")
    if auth in UNVERIFIED_CLIENT_AUTH:
        out.append(
            at(
                "client_auth_type",
                f"client_auth_type {auth} accepts a client certificate nobody verifies",
                "use RequireAndVerifyClientCert with client_ca_file (exporter-toolkit's docs "
                "call the other values insecure)",
            )
        )
    elif "client_ca_file" in tls and auth == "NoClientCert":
        out.append(
            at(
                "client_ca_file",
                "client CA's have been configured without a Client Auth Policy",
                "set client_auth_type: RequireAndVerifyClientCert (or VerifyClientCertIfGiven)",
            )
        )
    elif auth != "NoClientCert" and "client_ca_file" not in tls:
        out.append(
            at(
                "client_auth_type",
                f"client_auth_type {auth} needs client_ca_file",
                "client_ca_file: the CA certificate(s) that sign your clients' certificates",
            )
        )
    if "client_allowed_sans" in tls and auth != "RequireAndVerifyClientCert":
        out.append(
            at(
                "client_allowed_sans",
                "client_allowed_sans requires client_auth_type RequireAndVerifyClientCert",
                "a client that may come without a certificate has no SAN to match",
            )
        )
    for key in ("min_version", "max_version"):
        if tls.get(key) in OBSOLETE_VERSIONS:
            out.append(
                at(
                    key,
                    f"{key} {tls[key]}: TLS 1.0 and 1.1 are refused by OpenSSL's security level "
                    "here, so netmon cannot honour it",
                    "use TLS12 or TLS13 (RFC 8996 deprecates TLS 1.0 and 1.1)",
                )
            )
    versions = list(VERSIONS)
    low, high = tls.get("min_version", "TLS12"), tls.get("max_version", "TLS13")
    if versions.index(low) > versions.index(high):
        out.append(
            at(
                "min_version",
                f"min_version {low} is above max_version {high}",
                "lower min_version or raise max_version (TLS10 < TLS11 < TLS12 < TLS13)",
            )
        )
    if len(tls.get("curve_preferences", ())) > 1:
        out.append(
            at(
                "curve_preferences",
                "netmon can restrict the handshake to one curve, not rank several",
                "list one curve (Python's ssl module has no preference list)",
            )
        )
    return out


def load_web_config(path: Path) -> WebConfig:
    web, problems = check_web_config(path)
    if web is None:
        raise WebConfigError(problems)
    return web


def _without_empty(node: Node) -> Node:
    """The tree without keys whose value is empty (nothing, ~ or ''): exporter-toolkit reads
    them as unset. Not inside basic_auth_users, where an empty hash is a mistake to report."""
    if not isinstance(node, MappingNode):
        return node
    pairs = [
        (key, value if key.value == "basic_auth_users" else _without_empty(value))
        for key, value in node.value
        if not _empty(value)
    ]
    return MappingNode(node.tag, pairs, node.start_mark, node.end_mark, node.flow_style)


def _empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and (
        node.tag == "tag:yaml.org,2002:null"
        or (node.tag == "tag:yaml.org,2002:str" and not node.value)
    )
