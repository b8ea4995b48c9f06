"""--web.config.file: TLS and basic auth in the shape of Prometheus' exporter-toolkit.

    tls_server_config:
      cert_file: /etc/netmon/tls.crt
      key_file: /etc/netmon/tls.key
    basic_auth_users:
      prometheus: $2b$12$...   # bcrypt hash, never a password

Read like config.yaml, through netmon's strict reader and spec checker (yamlspec): duplicate
keys, unknown keys (with "did you mean") and wrong types are refused, each at FILE:LINE:COL.
Only exporter-toolkit's names are accepted (it refuses unknown keys too); a key without a
value counts as absent, as exporter-toolkit (Go) reads it. A value that is not a bcrypt hash is
refused without being quoted, so a plain password cannot slip in by mistake, nor into a log.
min_version and http_server_config are checked and not used yet (TLS 1.2 is always the minimum).
"""

from __future__ import annotations

import hashlib
import hmac
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt
from yaml.nodes import MappingNode, Node, ScalarNode

from netmon.errors import Problem, WebConfigError
from netmon.yamlspec import ROOT, Bool, Checker, Field, MapOf, Mapping, Obj, Str, read_yaml

__all__ = [
    "SPEC",
    "BasicAuth",
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
_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "X-XSS-Protection",
    "Strict-Transport-Security",
)
SPEC = Obj(
    {
        "tls_server_config": Field(
            Obj(
                {
                    "cert_file": Field(_PATH),
                    "key_file": Field(_PATH),
                    "client_auth_type": Field(Str()),
                    "client_ca_file": Field(_PATH),
                    "min_version": Field(Str()),
                }
            )
        ),
        "basic_auth_users": Field(MapOf(_HASH, doc="user name -> bcrypt hash")),
        "http_server_config": Field(
            Obj(
                {
                    "http2": Field(Bool()),
                    "headers": Field(Obj({h: Field(Str(max_len=4096)) for h in _HEADERS})),
                }
            )
        ),
    },
    title="netmon web config (exporter-toolkit format)",
)
_CLIENT_CERTS = ("client_auth_type", "client_ca_file")


@dataclass(frozen=True)
class WebConfig:
    cert_file: Path | None = None
    key_file: Path | None = None
    users: dict[str, bytes] = field(default_factory=dict)  # user -> bcrypt hash
    # Where cert_file was written, so a certificate that cannot be loaded is located too.
    source: str = ""
    cert_at: tuple[int, int] = (0, 0)

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.cert_file is None or self.key_file is None:
            return None
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        except (OSError, ssl.SSLError) as exc:
            problem = Problem(
                self.source or "web config",
                *self.cert_at,
                f"tls_server_config: cannot load certificate: {exc}",
                "cert_file and key_file: PEM files netmon can read, the key matching the cert",
            )
            raise WebConfigError([problem]) from None
        return ctx


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
    for key in _CLIENT_CERTS:
        if key in tls.at:
            problems.append(
                Problem(
                    str(path),
                    *tls.at[key],
                    f"tls_server_config.{key}: client certificates are not supported yet",
                    f"remove {' and '.join(_CLIENT_CERTS)}",
                )
            )
            break
    if ("cert_file" in tls.at) != ("key_file" in tls.at):
        missing = "key_file" if "cert_file" in tls.at else "cert_file"
        problems.append(
            Problem(
                str(path),
                tls.line,
                tls.col,
                "tls_server_config needs both cert_file and key_file",
                f"add {missing}, or remove tls_server_config to serve plain HTTP",
            )
        )
    if problems:
        return None, problems
    users: dict[str, str] = data.get("basic_auth_users", {})
    return WebConfig(
        cert_file=path.parent / tls["cert_file"] if "cert_file" in tls else None,
        key_file=path.parent / tls["key_file"] if "key_file" in tls else None,
        users={user: hashed.encode() for user, hashed in users.items()},
        source=str(path),
        cert_at=tls.at.get("cert_file", (0, 0)),
    ), []


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


class BasicAuth:
    """Checks user and password against bcrypt hashes.

    bcrypt costs about 0.2 s by design; Prometheus sends the same credentials every scrape, so
    a success is remembered by a keyed digest (never the password itself), as exporter-toolkit
    does. Failures are never cached, so a wrong guess always pays the full bcrypt cost.
    """

    def __init__(self, users: dict[str, bytes]) -> None:
        self.users = users
        self._key = bcrypt.gensalt()  # per-process key for the cache digests
        self._ok: set[bytes] = set()

    def check(self, user: str, password: str) -> bool:
        hashed = self.users.get(user)
        if hashed is None:
            return False
        digest = hmac.new(self._key, f"{user}\0{password}".encode(), hashlib.sha256).digest()
        if digest in self._ok:
            return True
        if bcrypt.checkpw(password.encode(), hashed):
            if len(self._ok) < 1000:
                self._ok.add(digest)
            return True
        return False
