"""SNMP messages in BER, by hand: the few shapes netmon sends and receives, nothing else.

Why not pyasn1 (pysnmp's codec): it decodes at 130-200 us per varbind on the project's machine
(bench/poll.py prints the figure), so a targeted cycle of 478 agents spent most of its CPU
there. SNMP needs eight universal and application types and three context tags; a decoder of
just those, working on offsets into one bytes object, costs a few us per varbind.

Decoding is strict and bounded: every length is checked against its container, and anything
else raises `BerError`, which the client turns into a `malformed_reply` for that device only.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Address

from netmon.probes.snmp.client import Oid, Special, Value, VarBind

GET, RESPONSE, GETBULK, REPORT = 0xA0, 0xA2, 0xA5, 0xA8
_INT, _OCTETS, _NULL, _OID, _SEQ = 0x02, 0x04, 0x05, 0x06, 0x30
_IPADDR, _OPAQUE = 0x40, 0x44
_UNSIGNED = frozenset({0x41, 0x42, 0x43, 0x46, 0x47})  # Counter32, Gauge32, TimeTicks, Counter64
_SPECIAL = {
    0x80: Special.NO_SUCH_OBJECT,
    0x81: Special.NO_SUCH_INSTANCE,
    0x82: Special.END_OF_MIB_VIEW,
}


class BerError(ValueError):
    """The bytes are not an SNMP message of the shape netmon expects."""


# -- encoding ---------------------------------------------------------------------------------


def length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes((tag,)) + length(len(body)) + body


def integer(v: int) -> bytes:
    return tlv(_INT, v.to_bytes(v.bit_length() // 8 + 1, "big", signed=True))


def octets(v: bytes) -> bytes:
    return tlv(_OCTETS, v)


@lru_cache(maxsize=8192)
def null_varbind(o: Oid) -> bytes:
    """(OID, NULL) as a request varbind. Cached: the same uplink OIDs are asked every cycle
    (bounded: the cache forgets the walk cursors that are asked once)."""
    if len(o) < 2 or o[0] > 2:
        raise BerError(f"cannot encode OID {o}")
    body = bytearray((o[0] * 40 + o[1],)) if o[0] < 2 else bytearray()
    subs = o[2:] if o[0] < 2 else (o[1] + 80, *o[2:])
    for sub in subs:
        if sub < 0x80:
            body.append(sub)
            continue
        chunk = [sub & 0x7F]
        sub >>= 7
        while sub:
            chunk.append(0x80 | (sub & 0x7F))
            sub >>= 7
        body.extend(reversed(chunk))
    return tlv(_SEQ, tlv(_OID, bytes(body)) + b"\x05\x00")


def pdu(kind: int, request_id: int, oids: tuple[Oid, ...], a: int = 0, b: int = 0) -> bytes:
    """A GET (a = b = 0) or GETBULK (a = non-repeaters, b = max-repetitions) PDU."""
    vbs = b"".join([null_varbind(o) for o in oids])
    return tlv(kind, integer(request_id) + integer(a) + integer(b) + tlv(_SEQ, vbs))


def v2c_message(community: bytes, body: bytes) -> bytes:
    return tlv(_SEQ, b"\x02\x01\x01" + octets(community) + body)


# -- decoding ---------------------------------------------------------------------------------


def header(buf: bytes, pos: int, end: int, tag: int | None = None) -> tuple[int, int, int]:
    """The TLV at `pos`: (tag, content start, content end), all within `end`."""
    if pos + 2 > end:
        raise BerError("truncated")
    t = buf[pos]
    if tag is not None and t != tag:
        raise BerError(f"expected tag 0x{tag:02x}, got 0x{t:02x} at byte {pos}")
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or pos + k > end:
            raise BerError(f"bad length at byte {pos - 1}")
        n = int.from_bytes(buf[pos : pos + k], "big")
        pos += k
    if pos + n > end:
        raise BerError(f"length {n} runs past its container at byte {pos}")
    return t, pos, pos + n


def read_int(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    _, s, e = header(buf, pos, end, _INT)
    if s == e:
        raise BerError("empty INTEGER")
    return int.from_bytes(buf[s:e], "big", signed=True), e


def read_octets(buf: bytes, pos: int, end: int) -> tuple[bytes, int]:
    _, s, e = header(buf, pos, end, _OCTETS)
    return buf[s:e], e


def decode_oid(b: bytes) -> Oid:
    if not b:
        raise BerError("empty OID")
    first = b[0]
    if b.isascii():  # every sub-identifier below 128: one byte each (the common case)
        head = (first // 40, first % 40) if first < 80 else (2, first - 80)
        return (*head, *b[1:])
    subs: list[int] = []
    sub = 0
    for byte in b:
        sub = (sub << 7) | (byte & 0x7F)
        if not byte & 0x80:
            subs.append(sub)
            sub = 0
    if b[-1] & 0x80:
        raise BerError("OID ends inside a sub-identifier")
    first = subs[0]
    head = (first // 40, first % 40) if first < 80 else (2, first - 80)
    return (*head, *subs[1:])


def _value(t: int, raw: bytes) -> Value:
    if t == _INT:
        if not raw or len(raw) > 9:  # Integer32 (a 64-bit value at most, padded)
            raise BerError(f"bad INTEGER value of {len(raw)} bytes")
        return int.from_bytes(raw, "big", signed=True)
    if t in _UNSIGNED:
        if not raw or len(raw) > 9:
            raise BerError(f"bad unsigned value of {len(raw)} bytes")
        return int.from_bytes(raw, "big")
    if t in (_OCTETS, _OPAQUE):
        return raw
    if t == _OID:
        return decode_oid(raw)
    if t == _IPADDR:
        if len(raw) != 4:
            raise BerError(f"IpAddress of {len(raw)} bytes")
        return IPv4Address(raw)
    special = _SPECIAL.get(t)
    if special is not None:
        return special
    raise BerError(f"unexpected value type 0x{t:02x}")


def varbinds(buf: bytes, pos: int, end: int) -> tuple[VarBind, ...]:
    _, pos, end = header(buf, pos, end, _SEQ)
    out: list[VarBind] = []
    while pos < end:
        _, s, vend = header(buf, pos, end, _SEQ)
        _, s, e = header(buf, s, vend, _OID)
        key = decode_oid(buf[s:e])
        t, s, e = header(buf, e, vend)
        if e != vend:
            raise BerError("trailing bytes in a varbind")
        out.append((key, _value(t, buf[s:e])))
        pos = vend
    return tuple(out)


def read_pdu(buf: bytes, pos: int, end: int) -> tuple[int, int, int, int, tuple[VarBind, ...]]:
    """(PDU tag, request-id, error-status, error-index, varbinds)."""
    t, s, e = header(buf, pos, end)
    if t not in (RESPONSE, REPORT):
        raise BerError(f"unexpected PDU type 0x{t:02x}")
    rid, s = read_int(buf, s, e)
    status, s = read_int(buf, s, e)
    index, s = read_int(buf, s, e)
    if status:
        # The status is the answer; the varbinds only echo the request, with NULL values
        # (net-snmp), which are no value netmon reads: not decoded.
        return t, rid, status, index, ()
    return t, rid, status, index, varbinds(buf, s, e)


def v2c_request_id(buf: bytes) -> tuple[int, int]:
    """(request-id, where the PDU starts) of a v2c message, before decoding its varbinds."""
    _, s, e = header(buf, 0, len(buf), _SEQ)
    version, s = read_int(buf, s, e)
    if version != 1:
        raise BerError(f"SNMP version {version} where v2c (1) was expected")
    _, s = read_octets(buf, s, e)
    _, ps, pe = header(buf, s, e)
    rid, _ = read_int(buf, ps, pe)
    return rid, s


def message_version(buf: bytes) -> int:
    _, s, e = header(buf, 0, len(buf), _SEQ)
    return read_int(buf, s, e)[0]
