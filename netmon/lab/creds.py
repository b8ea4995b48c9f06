"""Secrets generated per lab and handed to netmon through files config.yaml names.

Secret files hold the secret exactly: no trailing newline, mode 0600. SSH keys are ed25519,
written in OpenSSH format with `cryptography` (a dependency of asyncssh): generating 470 host
keys in-process takes milliseconds, where 470 ssh-keygen runs would take seconds.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from netmon.lab.paths import LabPaths

_ALPHABET = string.ascii_letters + string.digits
# What config.yaml's credential sets reference, relative to the state folder.
COMMUNITY_FILE = "snmp-community"
AUTH_KEY_FILE = "snmp-auth-key"
PRIV_KEY_FILE = "snmp-priv-key"
SNMP_USER = "netmon"
SSH_USER = "netmon"


@dataclass(frozen=True)
class SnmpSecrets:
    community: str
    auth_key: str
    priv_key: str

    def __repr__(self) -> str:  # never print secrets by accident
        return "SnmpSecrets(<redacted>)"


@dataclass(frozen=True)
class KeyPair:
    private_openssh: bytes
    public_line: str  # "ssh-ed25519 AAAA..."


def token(length: int = 24) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_snmp_secrets() -> SnmpSecrets:
    # net-snmp wants passphrases of at least 8 characters; 24 alphanumerics is plenty.
    return SnmpSecrets(token(20), token(24), token(24))


@functools.cache
def snmp_master_key(passphrase: str) -> str:
    """The SHA-1 master key (Ku) of a USM passphrase (RFC 3414 A.2.2), as 0x-hex.

    snmpd derives it itself from `createUser ... SHA PASSPHRASE`: 1 MB of SHA-1 per key, two
    keys per node, 17 ms of CPU per node (9 CPU-seconds at 467 agencies). Handed the master
    key (`-m`), it only localizes it to its engine id. Computed once per lab (cached).
    """
    raw = passphrase.encode()
    size = 1 << 20
    # SHA-1 because the protocol says so (usmHMACSHAAuthProtocol), not for new security.
    data = (raw * (size // len(raw) + 1))[:size]
    return "0x" + hashlib.sha1(data, usedforsecurity=False).hexdigest()


def new_keypair(comment: str = "") -> KeyPair:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    line = public.decode() + (f" {comment}" if comment else "")
    return KeyPair(private, line)


def write_secret(path: Path, content: str | bytes) -> None:
    """Create the file 0600 from the start: the secret is never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = content.encode() if isinstance(content, str) else content
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def read_snmp_secrets(paths: LabPaths) -> SnmpSecrets:
    def read(name: str) -> str:
        return (paths.secrets / name).read_text(encoding="utf-8")

    return SnmpSecrets(read(COMMUNITY_FILE), read(AUTH_KEY_FILE), read(PRIV_KEY_FILE))


def write_snmp_secrets(paths: LabPaths, s: SnmpSecrets) -> None:
    write_secret(paths.secrets / COMMUNITY_FILE, s.community)
    write_secret(paths.secrets / AUTH_KEY_FILE, s.auth_key)
    write_secret(paths.secrets / PRIV_KEY_FILE, s.priv_key)


def write_client_key(paths: LabPaths) -> KeyPair:
    pair = new_keypair("netmon@lab")
    write_secret(paths.client_key, pair.private_openssh)
    (paths.ssh / "id_ed25519.pub").write_text(pair.public_line + "\n", encoding="utf-8")
    (paths.ssh / "authorized_keys").write_text(pair.public_line + "\n", encoding="utf-8")
    return pair


def config_credentials(paths: LabPaths) -> str:
    """config.yaml lines (`ssh:` and `credentials:`) that point netmon at this lab's secret files,
    under the credential-set names lab inventories use. Paths only: no secret is in the text."""
    s = paths.secrets
    return (
        f"ssh: {{known_hosts: {paths.known_hosts}}}\n"
        "credentials:\n"
        f"  lab-snmp-v2c: {{snmp_v2c: {{community: {{file: {s / COMMUNITY_FILE}}}}}}}\n"
        "  lab-snmp-v3:\n"
        "    snmp_v3: {user: netmon, auth_protocol: sha, priv_protocol: aes,\n"
        f"      auth_key: {{file: {s / AUTH_KEY_FILE}}},\n"
        f"      priv_key: {{file: {s / PRIV_KEY_FILE}}}}}\n"
        f"  lab-ssh: {{ssh: {{username: netmon, private_key: {{file: {paths.client_key}}}}}}}\n"
    )
