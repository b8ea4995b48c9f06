"""The web config's TLS settings in exporter-toolkit's words, and the server context they make.

exporter-toolkit (Go) names versions TLS10..TLS13, cipher suites by their IANA names (only those
Go's `tls.CipherSuites()` lists: the secure TLS 1.0-1.2 suites; TLS 1.3's are not configurable,
in Go as in OpenSSL), curves CurveP256/P384/P521 and X25519, and client authentication by Go's
ClientAuthType. Here each becomes what Python's ssl module (OpenSSL) takes. Two things Go does
and OpenSSL through Python cannot are refused at load, never silently dropped (TLS 1.0 and 1.1,
which OpenSSL's security level refuses here, are too):
`RequestClientCert` and `RequireAnyClientCert` (accept a client certificate nobody verifies:
insecure, exporter-toolkit's own docs say so), and more than one curve (Python restricts the
handshake to one curve; it has no preference list).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

VERSIONS: dict[str, ssl.TLSVersion] = {
    "TLS10": ssl.TLSVersion.TLSv1,
    "TLS11": ssl.TLSVersion.TLSv1_1,
    "TLS12": ssl.TLSVersion.TLSv1_2,
    "TLS13": ssl.TLSVersion.TLSv1_3,
}
# Go's tls.CipherSuites() (the secure TLS <= 1.2 suites) -> OpenSSL's names.
# Known to exporter-toolkit, refused here: Debian's OpenSSL (security level 2) will not speak
# them, so accepting them would be a promise netmon cannot keep.
OBSOLETE_VERSIONS = ("TLS10", "TLS11")
CIPHERS: dict[str, str] = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "ECDHE-ECDSA-AES128-SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "ECDHE-ECDSA-AES256-SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "ECDHE-RSA-AES128-SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "ECDHE-RSA-AES256-SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
}
CURVES: dict[str, str] = {
    "CurveP256": "prime256v1",
    "CurveP384": "secp384r1",
    "CurveP521": "secp521r1",
    "X25519": "X25519",
}
CLIENT_AUTH: dict[str, ssl.VerifyMode] = {
    "NoClientCert": ssl.CERT_NONE,
    "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
    "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
}
UNVERIFIED_CLIENT_AUTH = ("RequestClientCert", "RequireAnyClientCert", "RequireClientCert")


@dataclass(frozen=True)
class TlsSettings:
    """tls_server_config, checked. Defaults are exporter-toolkit's."""

    cert_file: Path
    key_file: Path
    min_version: str = "TLS12"
    max_version: str = "TLS13"
    cipher_suites: tuple[str, ...] = ()  # Go names; empty: OpenSSL's defaults
    prefer_server_cipher_suites: bool = True
    curve: str | None = None  # exporter-toolkit name
    client_auth_type: str = "NoClientCert"
    client_ca_file: Path | None = None
    client_allowed_sans: tuple[str, ...] = field(default=())

    def context(self) -> ssl.SSLContext:
        """The server context; ssl.SSLError or OSError when a file cannot be loaded."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = VERSIONS[self.min_version]
        ctx.maximum_version = VERSIONS[self.max_version]
        if self.cipher_suites:
            ctx.set_ciphers(":".join(CIPHERS[c] for c in self.cipher_suites))
        if self.prefer_server_cipher_suites:
            ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
        else:
            ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
        if self.curve is not None:
            ctx.set_ecdh_curve(CURVES[self.curve])
        ctx.load_cert_chain(self.cert_file, self.key_file)
        ctx.verify_mode = CLIENT_AUTH[self.client_auth_type]
        if self.client_ca_file is not None:
            ctx.load_verify_locations(cafile=self.client_ca_file)
        return ctx


def peer_sans(peercert: object) -> list[str]:
    """The Subject Alternative Names of a verified peer certificate (ssl's getpeercert() dict),
    as exporter-toolkit compares them: DNS names, e-mail addresses, IP addresses, URIs."""
    if not isinstance(peercert, dict):
        return []
    wanted = {"DNS", "email", "IP Address", "URI"}
    return [str(v) for k, v in peercert.get("subjectAltName", ()) if k in wanted]
