"""SNMPv3 USM keys (RFC 3414 A.2, RFC 7860, RFC 3826, the AES-192/256 drafts): from a user's
passphrases to the keys one agent engine expects, once per credential set and engine.

- Passphrase to key (Ku): hash a megabyte of the repeated passphrase (RFC 3414 A.2; RFC 7860
  the same with SHA-2). The costly step, so cached per passphrase and hash.
- Localisation (Kul): hash(Ku + engine id + Ku). Cheap; done once per agent engine by the client.
- Authentication: HMAC over the whole message, truncated to 12 bytes (MD5, SHA-1), 16 (SHA-224),
  24 (SHA-256), 32 (SHA-384), 48 (SHA-512).
- Privacy keys are localised with the auth protocol's hash. DES takes 16 bytes (key, pre-IV),
  AES 16/24/32. When the digest is shorter than the cipher's key (MD5 or SHA-1 with AES-192
  or AES-256, SHA-224 with AES-256), the key is extended:
  - Blumenthal (draft-blumenthal-aes-usm-04; net-snmp, gosnmp's AES192/AES256, pysnmp's
    *_BLUMENTHAL): append hash(key so far);
  - Reeder (draft-reeder-snmpv3-usm-3desede-00; Cisco, gosnmp's AES192C/AES256C, pysnmp's
    USM_PRIV_CFB192_AES/USM_PRIV_CFB256_AES, net-snmp's AES-192-C/AES-256-C): append the
    localised key of (key so far) used as a passphrase: a megabyte of hashing per agent.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from netmon.probes.snmp.client import MIN_PASSPHRASE, AuthProtocol, PrivProtocol, SnmpUsm

Cipher = Literal["aes", "des", ""]  # "": no privacy (authNoPriv)

# auth protocol -> (hashlib name, MAC length)
AUTH: dict[AuthProtocol, tuple[str, int]] = {
    "MD5": ("md5", 12),
    "SHA": ("sha1", 12),
    "SHA224": ("sha224", 16),
    "SHA256": ("sha256", 24),
    "SHA384": ("sha384", 32),
    "SHA512": ("sha512", 48),
}
# priv protocol -> (cipher, key bytes, extension when the localised key is too short)
PRIV: dict[PrivProtocol, tuple[Cipher, int, Literal["blumenthal", "reeder"]]] = {
    "DES": ("des", 16, "blumenthal"),  # 8 key + 8 pre-IV: every digest is long enough
    "AES": ("aes", 16, "blumenthal"),  # likewise
    "AES192": ("aes", 24, "blumenthal"),
    "AES192C": ("aes", 24, "reeder"),
    "AES256": ("aes", 32, "blumenthal"),
    "AES256C": ("aes", 32, "reeder"),
}
_MEGABYTE = 1048576


def _password_to_key(password: bytes, hash_name: str) -> bytes:
    stream = (password * (_MEGABYTE // len(password) + 1))[:_MEGABYTE]
    return hashlib.new(hash_name, stream).digest()


@lru_cache(maxsize=64)
def password_key(password: bytes, hash_name: str) -> bytes:
    """RFC 3414 A.2: Ku, once per passphrase and hash. Raises ValueError for a passphrase
    RFC 3414 refuses (the client reports it as an `authentication` failure)."""
    if not password:
        raise ValueError("an SNMPv3 key cannot be empty")
    if len(password) < MIN_PASSPHRASE:
        raise ValueError(
            f"an SNMPv3 passphrase of {len(password)} characters: RFC 3414 11.2 requires at "
            f"least {MIN_PASSPHRASE}"
        )
    return _password_to_key(password, hash_name)


def localize(key: bytes, engine_id: bytes, hash_name: str) -> bytes:
    return hashlib.new(hash_name, key + engine_id + key).digest()


@dataclass(frozen=True)
class Keys:
    """One user's keys localised to one agent engine. The keys stay out of repr (and so out of
    every log line or error that shows a request)."""

    hash_name: str
    mac_len: int
    auth: bytes = field(repr=False)
    priv: bytes = field(default=b"", repr=False)
    cipher: Cipher = ""

    def mac(self, message: bytes) -> bytes:
        return hmac.digest(self.auth, message, self.hash_name)[: self.mac_len]


def _extend(key: bytes, want: int, how: str, engine_id: bytes, hash_name: str) -> bytes:
    while len(key) < want:
        if how == "reeder":
            key += localize(_password_to_key(key, hash_name), engine_id, hash_name)
        else:
            key += hashlib.new(hash_name, key).digest()
    return key[:want]


def keys_for(user: SnmpUsm, engine_id: bytes) -> Keys | None:
    """The user's keys for one agent; None at noAuthNoPriv, no privacy key at authNoPriv."""
    if not user.authenticated:
        return None
    name, mac_len = AUTH[user.auth_protocol]
    auth = localize(password_key(user.auth_key.encode(), name), engine_id, name)
    if not user.private:
        return Keys(name, mac_len, auth)
    cipher, want, how = PRIV[user.priv_protocol]
    priv = localize(password_key(user.priv_key.encode(), name), engine_id, name)
    return Keys(name, mac_len, auth, _extend(priv, want, how, engine_id, name), cipher)
