"""SNMPv3 messages with the User-based Security Model (RFC 3412, 3414): what netmon sends (a
discovery, requests at the user's level) and the outer layer of what comes back, read without
keys. How a reply is held against its request: reply.py; keys: keys.py; ciphers: privacy.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from netmon.probes.snmp import privacy
from netmon.probes.snmp.ber import (
    BerError,
    header,
    integer,
    octets,
    read_int,
    read_octets,
    tlv,
)
from netmon.probes.snmp.client import SnmpUsm, VarBind
from netmon.probes.snmp.keys import Keys

_SEQ = 0x30
FLAG_AUTH, FLAG_PRIV, FLAG_REPORTABLE = 0x01, 0x02, 0x04
MAX_INT32 = 2**31 - 1  # engine boots at this value: the engine is latched (RFC 3414 2.2.2)
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


@dataclass(frozen=True)
class Engine:
    """What netmon knows of one agent's engine: its id, and its clock (boots, time) as of `at`
    (the client's monotonic clock). `authenticated`: the clock came from an authenticated
    message; until then it is the discovery report's hint and no time window applies."""

    engine_id: bytes
    boots: int
    time: int
    at: float
    authenticated: bool = False

    def now(self, clock: float) -> int:
        return min(self.time + int(clock - self.at), MAX_INT32)


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
    if keys.cipher:
        salt, cipher = privacy.encrypt(keys, boots, now, scoped)
        flags, data = flags | FLAG_PRIV, octets(cipher)
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
    if not (0 <= boots <= MAX_INT32 and 0 <= time <= MAX_INT32):  # RFC 3414: 0..2^31-1
        raise BerError(f"engine boots {boots} or time {time} out of range")
    tag, ds, de = header(buf, se, e)
    return Incoming(msg_id, flags[0], engine_id, boots, time, user, (ms, me), salt, (tag, ds, de))


def report_code(varbinds: tuple[VarBind, ...]) -> int:
    """The usmStats counter a report names (0: not a USM report)."""
    for key, _ in varbinds:
        if key[: len(USM_STATS)] == USM_STATS and len(key) == len(USM_STATS) + 2:
            return key[len(USM_STATS)]
    return 0
