"""SNMPv3 USM (RFC 3414, 3826, 7860) for the messages netmon sends: authPriv and discovery.

Keys: the password is hashed into a key once per credential set (RFC 3414 A.2, a megabyte of
hashing), then localised per agent engine id (one more hash: cheap). Authentication is HMAC
over the whole message with the auth parameters zeroed, truncated (SHA-1: 12 bytes, SHA-256:
24, SHA-512: 48). Privacy is AES in CFB-128 with the IV made of the authoritative engine's
boots and time and a 64-bit salt; AES-256 keys are extended as net-snmp and pysnmp do
(Blumenthal draft: the localised key followed by its hash).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.decrepit.ciphers.modes import CFB  # cryptography >= 43: "decrepit"
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from netmon.probes.snmp.ber import (
    REPORT,
    BerError,
    header,
    integer,
    octets,
    read_int,
    read_octets,
    read_pdu,
    tlv,
)
from netmon.probes.snmp.client import SnmpUsm, VarBind

_SEQ = 0x30
_HASH = {"sha": "sha1", "sha256": "sha256", "sha512": "sha512"}
_MAC_LEN = {"sha": 12, "sha256": 24, "sha512": 48}
_KEY_LEN = {"aes": 16, "aes256": 32}
FLAG_AUTH, FLAG_PRIV, FLAG_REPORTABLE = 0x01, 0x02, 0x04
_MAX_INT32 = 2**31 - 1
MAX_SIZE = integer(65507)

# usmStats counters an agent reports instead of answering (1.3.6.1.6.3.15.1.1.N.0)
USM_STATS = (1, 3, 6, 1, 6, 3, 15, 1, 1)
NOT_IN_TIME_WINDOW, UNKNOWN_ENGINE_ID = 2, 4
REPORTS = {
    1: "unsupported security level (usmStatsUnsupportedSecLevels)",
    2: "not in time window (usmStatsNotInTimeWindows)",
    3: "unknown user name (usmStatsUnknownUserNames)",
    4: "unknown engine id (usmStatsUnknownEngineIDs)",
    5: "wrong digest: the auth key is wrong (usmStatsWrongDigests)",
    6: "decryption error: the privacy key is wrong (usmStatsDecryptionErrors)",
}


@lru_cache(maxsize=64)
def password_key(password: bytes, hash_name: str) -> bytes:
    """RFC 3414 A.2: hash a megabyte of the repeated password (once per credential set)."""
    if not password:
        raise ValueError("an SNMPv3 key cannot be empty")
    stream = (password * (1048576 // len(password) + 1))[:1048576]
    h = hashlib.new(hash_name, stream)
    return h.digest()


def localize(key: bytes, engine_id: bytes, hash_name: str) -> bytes:
    return hashlib.new(hash_name, key + engine_id + key).digest()


@dataclass(frozen=True)
class Keys:
    """One user's keys localised to one agent engine."""

    hash_name: str
    mac_len: int
    auth: bytes
    priv: bytes

    def mac(self, message: bytes) -> bytes:
        return hmac.new(self.auth, message, self.hash_name).digest()[: self.mac_len]


def keys_for(user: SnmpUsm, engine_id: bytes) -> Keys | None:
    """The user's keys for one agent; None at noAuthNoPriv, no privacy key at authNoPriv."""
    if not user.authenticated:
        return None
    name = _HASH[user.auth_protocol]
    auth = localize(password_key(user.auth_key.encode(), name), engine_id, name)
    if not user.private:
        return Keys(name, _MAC_LEN[user.auth_protocol], auth, b"")
    priv = localize(password_key(user.priv_key.encode(), name), engine_id, name)
    want = _KEY_LEN[user.priv_protocol]
    while len(priv) < want:  # AES-256 with SHA-1: extend (Blumenthal)
        priv += hashlib.new(name, priv).digest()
    return Keys(name, _MAC_LEN[user.auth_protocol], auth, priv[:want])


_salt = itertools.count(random.getrandbits(63))


def _aes(key: bytes, boots: int, time: int, salt: bytes) -> Cipher[CFB]:
    iv = boots.to_bytes(4, "big") + time.to_bytes(4, "big") + salt
    return Cipher(algorithms.AES(key), CFB(iv))


@dataclass(frozen=True)
class Engine:
    """What discovery learnt about one agent: its engine id, and its clock at `at` (monotonic)."""

    engine_id: bytes
    boots: int
    time: int
    at: float

    def now(self, clock: float) -> int:
        return min(self.time + int(clock - self.at), 2**31 - 1)


def _message(flags: int, msg_id: int, sec_params: bytes, data: bytes) -> bytes:
    glob = tlv(_SEQ, integer(msg_id) + MAX_SIZE + octets(bytes((flags,))) + b"\x02\x01\x03")
    return tlv(_SEQ, b"\x02\x01\x03" + glob + octets(sec_params) + data)


def discovery(msg_id: int, pdu: bytes) -> bytes:
    """Unauthenticated, reportable, empty engine id: the agent answers with a report that
    carries its engine id, boots and time."""
    sec = tlv(_SEQ, octets(b"") + b"\x02\x01\x00\x02\x01\x00" + octets(b"") * 3)
    return _message(FLAG_REPORTABLE, msg_id, sec, tlv(_SEQ, octets(b"") + octets(b"") + pdu))


def secure(
    msg_id: int, pdu: bytes, user: SnmpUsm, keys: Keys | None, engine: Engine, clock: float
) -> bytes:
    """A request at the user's level: encrypted and authenticated (authPriv), authenticated
    (authNoPriv), or plain (noAuthNoPriv; keys None)."""
    boots, now = engine.boots, engine.now(clock)
    scoped = tlv(_SEQ, octets(engine.engine_id) + octets(b"") + pdu)
    head = octets(engine.engine_id) + integer(boots) + integer(now) + octets(user.user.encode())
    if keys is None:
        sec = tlv(_SEQ, head + octets(b"") + octets(b""))
        return _message(FLAG_REPORTABLE, msg_id, sec, scoped)
    flags, data, salt = FLAG_AUTH | FLAG_REPORTABLE, scoped, b""
    if keys.priv:
        salt = (next(_salt) & (2**64 - 1)).to_bytes(8, "big")
        enc = _aes(keys.priv, boots, now, salt).encryptor()
        flags, data = flags | FLAG_PRIV, octets(enc.update(scoped) + enc.finalize())
    tail = octets(salt)
    sec = tlv(_SEQ, head + octets(bytes(keys.mac_len)) + tail)
    msg = _message(flags, msg_id, sec, data)
    # The zeroed auth parameters, counted from the end: the data, then the salt, come last.
    at = len(msg) - len(data) - len(tail) - keys.mac_len
    return msg[:at] + keys.mac(msg) + msg[at + keys.mac_len :]


@dataclass(frozen=True)
class Incoming:
    """A v3 message's outer layer, decoded without keys."""

    msg_id: int
    flags: int
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    mac_at: tuple[int, int]  # where the auth parameters are in the message
    salt: bytes
    data: tuple[int, int, int]  # tag, start, end of msgData (plain scoped PDU or ciphertext)


def incoming(buf: bytes) -> Incoming:
    _, s, e = header(buf, 0, len(buf), _SEQ)
    version, s = read_int(buf, s, e)
    if version != 3:
        raise BerError(f"SNMP version {version} where v3 (3) was expected")
    _, gs, ge = header(buf, s, e, _SEQ)
    msg_id, p = read_int(buf, gs, ge)
    _, p = read_int(buf, p, ge)
    flags, p = read_octets(buf, p, ge)
    model, _ = read_int(buf, p, ge)
    if model != 3 or len(flags) != 1:
        raise BerError("not a USM message")
    _, ss, se = header(buf, ge, e, 0x04)
    _, p, pe = header(buf, ss, se, _SEQ)
    engine_id, p = read_octets(buf, p, pe)
    boots, p = read_int(buf, p, pe)
    time, p = read_int(buf, p, pe)
    user, p = read_octets(buf, p, pe)
    _, ms, me = header(buf, p, pe, 0x04)
    salt, _ = read_octets(buf, me, pe)
    if not (0 <= boots <= _MAX_INT32 and 0 <= time <= _MAX_INT32):  # RFC 3414: 0..2^31-1
        raise BerError(f"engine boots {boots} or time {time} out of range")
    tag, ds, de = header(buf, se, e)
    return Incoming(msg_id, flags[0], engine_id, boots, time, user, (ms, me), salt, (tag, ds, de))


def skip_context(buf: bytes, start: int, end: int) -> int:
    """From the content of a scoped PDU, past contextEngineID and contextName: the PDU."""
    _, s = read_octets(buf, start, end)
    _, s = read_octets(buf, s, end)
    return s


def open_message(buf: bytes, msg: Incoming, keys: Keys) -> tuple[bytes, int, int]:
    """Check the MAC, decrypt when encrypted: (bytes, start, end) of the scoped PDU's content.
    Raises BerError when either fails. (Agents send some reports, "not in time window" among
    them, authenticated but not encrypted.)"""
    ms, me = msg.mac_at
    if me - ms != keys.mac_len:
        raise BerError("auth parameters of the wrong length")
    expected = keys.mac(buf[:ms] + bytes(keys.mac_len) + buf[me:])
    if not hmac.compare_digest(expected, buf[ms:me]):
        raise BerError("reply failed authentication (wrong auth key, or not from the agent)")
    tag, ds, de = msg.data
    if not msg.flags & FLAG_PRIV:
        if tag != _SEQ:
            raise BerError("plain scoped PDU expected")
        return buf, ds, de
    if tag != 0x04 or len(msg.salt) != 8:
        raise BerError("encrypted data expected")
    dec = _aes(keys.priv, msg.boots, msg.time, msg.salt).decryptor()
    plain = dec.update(buf[ds:de]) + dec.finalize()
    _, start, end = header(plain, 0, len(plain), _SEQ)
    return plain, start, end


def open_reply(
    data: bytes, head: Incoming, keys: Keys | None
) -> tuple[int, int, int, tuple[VarBind, ...]]:
    """(PDU tag, error-status, error-index, varbinds) of a v3 reply: authenticated and
    decrypted, or an unauthenticated report (discovery, wrong key, unknown user). A response
    comes unauthenticated only to a noAuthNoPriv request (keys None)."""
    if head.flags & FLAG_AUTH:
        if keys is None:
            raise BerError("authenticated reply to an unauthenticated request")
        plain, start, end = open_message(data, head, keys)
        start = skip_context(plain, start, end)
    else:  # reports (discovery, wrong key, unknown user), or answers at noAuthNoPriv
        tag, ds, de = head.data
        if tag != 0x30:
            raise BerError("unauthenticated reply with encrypted data")
        plain, start, end = data, skip_context(data, ds, de), de
    tag, _, status, index, vbs = read_pdu(plain, start, end)
    if not head.flags & FLAG_AUTH and tag != REPORT and keys is not None:
        raise BerError("unauthenticated response to an authenticated request")
    return tag, status, index, vbs


def report_code(varbinds: tuple[VarBind, ...]) -> int:
    """The usmStats counter a report names (0: not a USM report)."""
    for key, _ in varbinds:
        if key[: len(USM_STATS)] == USM_STATS and len(key) == len(USM_STATS) + 2:
            return key[len(USM_STATS)]
    return 0
