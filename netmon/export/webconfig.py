"""--web.config.file: TLS and basic auth in the shape of Prometheus' exporter-toolkit.

    tls_server_config:
      cert_file: /etc/netmon/tls.crt
      key_file: /etc/netmon/tls.key
    basic_auth_users:
      prometheus: $2b$12$...   # bcrypt hash, never a password

Only these keys are accepted (an unknown key is an error, as in exporter-toolkit), and a value
that is not a bcrypt hash is refused, so a plain password cannot slip in by mistake.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt
import yaml

_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")
_TOP = {"tls_server_config", "basic_auth_users", "http_server_config"}
_TLS = {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version"}


class WebConfigError(ValueError):
    """The web config is unusable; the message says which key and what to do."""


@dataclass(frozen=True)
class WebConfig:
    cert_file: Path | None = None
    key_file: Path | None = None
    users: dict[str, bytes] = field(default_factory=dict)  # user -> bcrypt hash

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.cert_file is None or self.key_file is None:
            return None
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        except (OSError, ssl.SSLError) as exc:
            raise WebConfigError(f"tls_server_config: cannot load certificate: {exc}") from None
        return ctx


def load_web_config(path: Path) -> WebConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise WebConfigError(f"{path}: cannot read web config: {exc}") from None
    if not isinstance(data, dict):
        raise WebConfigError(f"{path}: expected a mapping at the top")
    unknown = set(data) - _TOP
    if unknown:
        raise WebConfigError(f"{path}: unknown keys {sorted(unknown)} (known: {sorted(_TOP)})")
    tls = data.get("tls_server_config") or {}
    if not isinstance(tls, dict) or set(tls) - _TLS:
        raise WebConfigError(f"{path}: tls_server_config takes {sorted(_TLS)}")
    if tls.get("client_auth_type") or tls.get("client_ca_file"):
        raise WebConfigError(f"{path}: client certificates are not supported yet")
    if bool(tls.get("cert_file")) != bool(tls.get("key_file")):
        raise WebConfigError(f"{path}: tls_server_config needs both cert_file and key_file")
    users = data.get("basic_auth_users") or {}
    if not isinstance(users, dict):
        raise WebConfigError(f"{path}: basic_auth_users maps user names to bcrypt hashes")
    hashes: dict[str, bytes] = {}
    for user, hashed in users.items():
        if not isinstance(hashed, str) or not _BCRYPT.match(hashed):
            # Never echo the value: it may be a password typed where the hash belongs.
            raise WebConfigError(
                f"{path}: basic_auth_users.{user} is not a bcrypt hash "
                "(make one with: htpasswd -nBC 12 USER, or python -c 'import bcrypt; ...')"
            )
        hashes[str(user)] = hashed.encode()
    base = path.parent
    return WebConfig(
        cert_file=base / tls["cert_file"] if tls.get("cert_file") else None,
        key_file=base / tls["key_file"] if tls.get("key_file") else None,
        users=hashes,
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
