"""Item 8, SNMPv3: mutated authPriv (SHA/AES) replies through the real WireClient's USM path;
shared by tests/reliability/test_fuzz_v3.py and bench/fuzz.py.

Each call to the wire is a whole v3 exchange with a fresh client: the discovery report (engine
id, boots, time), optionally a "not in time window" report (authenticated, not encrypted: the
client resynchronises and sends again), then the response, encrypted and authenticated. The
messages are built with pyasn1 and pysnmp's own USM pieces (key localisation, HMAC-SHA-96,
AES-CFB128), from the passwords netmon's WireClient is given: an encoder independent of
netmon's snmp/usm.py. One message of the exchange is mutated (Case.extra: which and where):
- inner: the scoped PDU before it is encrypted and authenticated (netmon's MAC check passes and
  its decoder meets the damage after decryption);
- whole: the message before the MAC is computed (an agent that authenticates garbage);
- wire: the finished datagram (damage on the way: the MAC check must catch it).
"""

from __future__ import annotations

import functools
import time
from typing import Any

from pyasn1.codec.ber import encoder
from pyasn1.type import namedtype, univ
from pysnmp.proto import rfc1902, rfc1905
from pysnmp.proto.error import ProtocolError
from pysnmp.proto.mpmod.rfc3412 import HeaderData, ScopedPDU
from pysnmp.proto.secmod.rfc3414 import localkey
from pysnmp.proto.secmod.rfc3414.auth.hmacsha import HmacSha
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters
from pysnmp.proto.secmod.rfc3826.priv.aes import Aes

from netmon.probes.snmp.client import SnmpReply, SnmpUsm
from netmon.probes.snmp.wire import WireClient
from reliability.fuzz_snmp_cases import V2C, FuzzClient, Runner, _open, mutate, response_pdu

USER = SnmpUsm("fuzz", "SHA", "fuzz-auth-pass", "AES", "fuzz-priv-pass")
ENGINE_ID = bytes.fromhex("80001f888056a1b2c3d4e5f60718293a")
BOOTS, TIME = 7, 123_456
MESSAGES = ("discovery", "window", "response")  # which message of the exchange is mutated
STAGES = ("inner", "whole", "wire")
EXTRA = len(MESSAGES) * len(STAGES)  # Case.extra = message * len(STAGES) + stage
USM_STATS = (1, 3, 6, 1, 6, 3, 15, 1, 1)
NOT_IN_TIME_WINDOW, UNKNOWN_ENGINE_ID = 2, 4
FLAG_AUTH, FLAG_PRIV = 0x01, 0x02


def describe(extra: int) -> str:
    return f"{MESSAGES[extra // len(STAGES)]} mutated {STAGES[extra % len(STAGES)]}"


class _Message(univ.Sequence):  # type: ignore[misc]
    """SNMPv3Message with msgData as encoded (plaintext ScopedPDU or the encrypted octets)."""

    componentType = namedtype.NamedTypes(  # pyasn1's way
        namedtype.NamedType("msgVersion", univ.Integer()),
        namedtype.NamedType("msgGlobalData", HeaderData()),
        namedtype.NamedType("msgSecurityParameters", univ.OctetString()),
        namedtype.NamedType("msgData", univ.Any()),
    )


@functools.cache
def keys() -> tuple[Any, Any]:
    """(auth, priv) localised to ENGINE_ID, by pysnmp (RFC 3414 A.2; AES-128 with SHA-1)."""
    auth = localkey.password_to_key_sha(USER.auth_key.encode(), univ.OctetString(ENGINE_ID))
    priv = localkey.password_to_key_sha(USER.priv_key.encode(), univ.OctetString(ENGINE_ID))
    return auth, univ.OctetString(priv.asOctets()[:16])


def scoped(pdu: Any) -> bytes:
    s = ScopedPDU()
    s["contextEngineId"] = ENGINE_ID
    s["contextName"] = b""
    s["data"].setComponentByType(pdu.tagSet, pdu, verifyConstraints=False, matchTags=False)
    return bytes(encoder.encode(s))


def report(rid: int, counter: int) -> Any:
    pdu = rfc1905.ReportPDU()
    V2C.apiPDU.set_defaults(pdu)
    V2C.apiPDU.set_request_id(pdu, rid)
    oid = rfc1902.ObjectName((*USM_STATS, counter, 0))
    V2C.apiPDU.set_varbinds(pdu, [(oid, rfc1902.Counter32(1))])
    return pdu


def message(rid: int, flags: int, data: bytes, user: bytes, boots: int, clock: int) -> bytes:
    """The whole message, `data` being the scoped PDU (plain) or its encryption (priv)."""
    auth = bytes(12) if flags & FLAG_AUTH else b""
    sec = UsmSecurityParameters()
    for name, value in (
        ("msgAuthoritativeEngineId", ENGINE_ID), ("msgAuthoritativeEngineBoots", boots),
        ("msgAuthoritativeEngineTime", clock), ("msgUserName", user),
        ("msgAuthenticationParameters", auth), ("msgPrivacyParameters", b""),
    ):  # fmt: skip
        sec[name] = value
    salt = b""
    if flags & FLAG_PRIV:
        cipher, salt_ = Aes().encrypt_data(keys()[1], (boots, clock, None), data)
        data, salt = bytes(encoder.encode(univ.OctetString(cipher))), bytes(salt_)
        sec["msgPrivacyParameters"] = salt
    msg = _Message()
    msg["msgVersion"] = 3
    head = msg["msgGlobalData"]
    head["msgID"], head["msgMaxSize"] = rid, 65507
    head["msgFlags"], head["msgSecurityModel"] = bytes([flags]), 3
    msg["msgSecurityParameters"] = encoder.encode(sec)
    msg["msgData"] = univ.Any(data)
    return bytes(encoder.encode(msg))


def authenticate(whole: bytes) -> bytes:
    try:
        return bytes(HmacSha().authenticate_outgoing_message(keys()[0], whole))
    except ProtocolError:  # the mutation hid the MAC's place: the damage goes out unsigned
        return whole


class V3FuzzClient(FuzzClient):
    """Answers each message of a v3 exchange; Case.extra says which one is mutated, and how."""

    steps = 3
    extra = 0

    def exchange(self) -> tuple[str, ...]:
        which = MESSAGES[self.extra // len(STAGES)]
        return ("discovery", "window", "response") if which == "window" else MESSAGES[::2]

    def answer(self, genuine: SnmpReply, rid: int, step: int) -> bytes | None:
        t0 = time.perf_counter()
        try:
            return self._answer(genuine, rid, step)
        finally:
            self.encode_s += time.perf_counter() - t0

    def _answer(self, genuine: SnmpReply, rid: int, step: int) -> bytes | None:
        plan = self.exchange()
        if step >= len(plan):
            return None
        kind, stage = plan[step], STAGES[self.extra % len(STAGES)]
        hit = kind == MESSAGES[self.extra // len(STAGES)]
        change = (lambda b: mutate(b, self.ops)) if hit else (lambda b: b)
        if kind == "discovery":  # unauthenticated report: engine id, boots, time
            inner = scoped(report(rid, UNKNOWN_ENGINE_ID))
            whole = message(rid, 0, change(inner) if stage == "inner" else inner, b"", BOOTS, TIME)
            return change(whole) if stage != "inner" else whole
        if kind == "window":  # authenticated, not encrypted; the clock moved on
            inner = scoped(report(rid, NOT_IN_TIME_WINDOW))
            data = change(inner) if stage == "inner" else inner
            whole = message(rid, FLAG_AUTH, data, USER.user.encode(), BOOTS, TIME + 500)
        else:
            inner = scoped(response_pdu(genuine, rid))
            data = change(inner) if stage == "inner" else inner
            flags = FLAG_AUTH | FLAG_PRIV
            # later than the window report: the clock an authenticated message showed goes on
            whole = message(rid, flags, data, USER.user.encode(), BOOTS, TIME + 501)
        signed = authenticate(change(whole) if stage == "whole" else whole)
        return change(signed) if stage == "wire" else signed


class V3Runner(Runner):
    """A fresh WireClient per case: every exchange starts with discovery."""

    client = V3FuzzClient

    def fuzz_client(self, case: Any) -> FuzzClient:
        self.loop.run_until_complete(self.wire.aclose())
        self.wire = self.loop.run_until_complete(_open())
        client = super().fuzz_client(case)
        assert isinstance(client, V3FuzzClient)
        client.auth, client.extra = USER, case.extra
        return client


__all__ = ["EXTRA", "USER", "V3Runner", "WireClient", "describe"]
