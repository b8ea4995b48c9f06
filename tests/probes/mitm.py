"""A man in the middle on loopback for the SNMPv3 attack tests: a UDP proxy between a client and
a real agent, in the test's own event loop, that can alter, forge, hold back or replay what the
agent answers.

Messages are taken apart and put together with pyasn1 (pysnmp's types), keys come from pysnmp's
own key localisation, MACs from the standard library's hmac and AES from `cryptography`: none
of it is netmon's code, so a forgery here is what another implementation would produce. The
proxy knows the user's passphrases only for the attacks that need a key holder (a downgrade, a
foreign engine id or user name under a valid MAC, a replay with altered boots); the others
(altered MAC or ciphertext, unsigned reports, a v2c answer) need nothing but the wire.

Network safety: loopback only (asserted).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from pyasn1.codec.ber import decoder, encoder
from pyasn1.type import namedtype, univ
from pysnmp.proto import api, rfc1902, rfc1905
from pysnmp.proto.mpmod.rfc3412 import HeaderData, ScopedPDU
from pysnmp.proto.secmod.rfc3414 import localkey
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
USM_STATS = (1, 3, 6, 1, 6, 3, 15, 1, 1)
NOT_IN_TIME_WINDOW, UNKNOWN_ENGINE_ID = 2, 4


class _Message(univ.Sequence):  # type: ignore[misc]
    """SNMPv3Message with msgData as encoded (plaintext ScopedPDU or the encrypted octets)."""

    componentType = namedtype.NamedTypes(  # pyasn1's way
        namedtype.NamedType("msgVersion", univ.Integer()),
        namedtype.NamedType("msgGlobalData", HeaderData()),
        namedtype.NamedType("msgSecurityParameters", univ.OctetString()),
        namedtype.NamedType("msgData", univ.Any()),
    )


@dataclass(frozen=True)
class V3:
    """An SNMPv3 message, field by field; `data` is msgData as encoded (a TLV)."""

    msg_id: int
    flags: int
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    auth: bytes
    priv: bytes
    data: bytes


def parse(datagram: bytes) -> V3:
    msg, _ = decoder.decode(datagram, asn1Spec=_Message())
    head = msg["msgGlobalData"]
    sec, _ = decoder.decode(bytes(msg["msgSecurityParameters"]), asn1Spec=UsmSecurityParameters())
    return V3(
        int(head["msgID"]),
        bytes(head["msgFlags"])[0],
        bytes(sec["msgAuthoritativeEngineId"]),
        int(sec["msgAuthoritativeEngineBoots"]),
        int(sec["msgAuthoritativeEngineTime"]),
        bytes(sec["msgUserName"]),
        bytes(sec["msgAuthenticationParameters"]),
        bytes(sec["msgPrivacyParameters"]),
        bytes(msg["msgData"]),
    )


def encode(m: V3) -> bytes:
    sec = UsmSecurityParameters()
    for name, value in (
        ("msgAuthoritativeEngineId", m.engine_id), ("msgAuthoritativeEngineBoots", m.boots),
        ("msgAuthoritativeEngineTime", m.time), ("msgUserName", m.user),
        ("msgAuthenticationParameters", m.auth), ("msgPrivacyParameters", m.priv),
    ):  # fmt: skip
        sec[name] = value
    msg = _Message()
    msg["msgVersion"] = 3
    head = msg["msgGlobalData"]
    head["msgID"], head["msgMaxSize"] = m.msg_id, 65507
    head["msgFlags"], head["msgSecurityModel"] = bytes([m.flags]), 3
    msg["msgSecurityParameters"] = encoder.encode(sec)
    msg["msgData"] = univ.Any(m.data)
    return bytes(encoder.encode(msg))


@dataclass(frozen=True)
class KeyHolder:
    """Someone who knows a SHA/AES user's passphrases (RFC 3414 A.2 via pysnmp)."""

    auth_pass: str
    priv_pass: str

    def auth_key(self, engine_id: bytes) -> bytes:
        key = localkey.password_to_key_sha(self.auth_pass.encode(), univ.OctetString(engine_id))
        return bytes(key)

    def priv_key(self, engine_id: bytes) -> bytes:
        key = localkey.password_to_key_sha(self.priv_pass.encode(), univ.OctetString(engine_id))
        return bytes(key)[:16]

    def sign(self, m: V3, engine_id: bytes | None = None) -> bytes:
        """The message with a valid HMAC-SHA-96 under the keys of `engine_id` (default: the
        message's own engine id)."""
        blank = encode(replace(m, auth=bytes(12)))
        key = self.auth_key(engine_id or m.engine_id)
        return encode(replace(m, auth=hmac.digest(key, blank, hashlib.sha1)[:12]))

    def decrypt(self, m: V3) -> bytes:
        """The plaintext scoped PDU (TLV) of an authPriv message."""
        ciphertext, _ = decoder.decode(m.data, asn1Spec=univ.OctetString())
        iv = m.boots.to_bytes(4, "big") + m.time.to_bytes(4, "big") + m.priv
        dec = Cipher(algorithms.AES(self.priv_key(m.engine_id)), CFB(iv)).decryptor()
        return dec.update(bytes(ciphertext)) + dec.finalize()


def flip(data: bytes, at: int) -> bytes:
    """One bit changed at byte `at` (negative: from the end)."""
    b = bytearray(data)
    b[at] ^= 0x01
    return bytes(b)


def report(msg_id: int, engine_id: bytes, boots: int, time: int, user: bytes, code: int) -> bytes:
    """An unsigned, unencrypted USM report (what an agent sends for discovery and errors)."""
    pdu = rfc1905.ReportPDU()
    V2C.apiPDU.set_defaults(pdu)
    V2C.apiPDU.set_request_id(pdu, msg_id)
    counter = (rfc1902.ObjectName((*USM_STATS, code, 0)), rfc1902.Counter32(9))
    V2C.apiPDU.set_varbinds(pdu, [counter])
    scoped = ScopedPDU()
    scoped["contextEngineId"] = engine_id
    scoped["contextName"] = b""
    scoped["data"].setComponentByType(pdu.tagSet, pdu, verifyConstraints=False, matchTags=False)
    data = bytes(encoder.encode(scoped))
    return encode(V3(msg_id, 0, engine_id, boots, time, user, b"", b"", data))


def v2c_response(request_id: int, varbinds: list[tuple[tuple[int, ...], Any]]) -> bytes:
    """A plain SNMPv2c response (anyone can send one) with the given request id."""
    pdu = V2C.GetResponsePDU()
    V2C.apiPDU.set_defaults(pdu)
    V2C.apiPDU.set_request_id(pdu, request_id)
    V2C.apiPDU.set_varbinds(pdu, varbinds)
    msg = V2C.Message()
    V2C.apiMessage.set_defaults(msg)
    V2C.apiMessage.set_community(msg, "forged")
    V2C.apiMessage.set_pdu(msg, pdu)
    return bytes(encoder.encode(msg))


Tamper = Callable[[bytes], list[bytes]]


class Proxy:
    """client -> proxy -> agent, and back through `tamper` (reply -> datagrams sent to the
    client instead, in order). With `forward` False the agent never sees requests and `answer`
    (request -> datagrams) speaks for it. Keeps every request and every genuine reply."""

    def __init__(self, agent: tuple[str, int]) -> None:
        assert agent[0].startswith("127."), "loopback only"
        self.agent = agent
        self.tamper: Tamper = lambda reply: [reply]
        self.forward = True
        self.answer: Tamper = lambda request: []
        self.requests: list[bytes] = []
        self.replies: list[bytes] = []
        self.client: tuple[str, int] | None = None
        self.front: asyncio.DatagramTransport | None = None
        self.back: asyncio.DatagramTransport | None = None

    @property
    def address(self) -> tuple[str, int]:
        assert self.front is not None
        host, port = self.front.get_extra_info("sockname")[:2]
        return str(host), int(port)

    async def start(self) -> Proxy:
        loop = asyncio.get_running_loop()
        self.front, _ = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_client), local_addr=("127.0.0.1", 0)
        )
        self.back, _ = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_agent), local_addr=("127.0.0.1", 0)
        )
        return self

    def close(self) -> None:
        for side in (self.front, self.back):
            if side is not None:
                side.close()

    def _from_client(self, data: bytes, addr: tuple[str, int]) -> None:
        self.client = addr
        self.requests.append(data)
        if self.forward:
            assert self.back is not None
            self.back.sendto(data, self.agent)
        else:
            self._to_client(self.answer(data))

    def _from_agent(self, data: bytes, addr: tuple[str, int]) -> None:
        self.replies.append(data)
        self._to_client(self.tamper(data))

    def _to_client(self, datagrams: list[bytes]) -> None:
        assert self.front is not None and self.client is not None
        for datagram in datagrams:
            self.front.sendto(datagram, self.client)


class _Side(asyncio.DatagramProtocol):
    def __init__(self, receive: Callable[[bytes, tuple[str, int]], None]) -> None:
        self.receive = receive

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.receive(data, addr)
