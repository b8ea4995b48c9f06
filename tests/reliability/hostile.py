"""A hostile SNMPv2c agent on a loopback address: answers every request, with the request's own
id, but with what a broken or malicious device sends. Raw UDP; replies are built with pysnmp's
message encoders (v2c), so the bytes are what a real agent's BER looks like.

Runs in a thread, so the poller's event loop sees it as it would see a remote device.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api, rfc1902, rfc1905

V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SYS_NAME = (1, 3, 6, 1, 2, 1, 1, 5, 0)
IF_TABLE = (1, 3, 6, 1, 2, 1, 2, 2, 1)

Reply = Callable[[Any, Any], bytes | None]  # (request message, request PDU) -> datagram


def respond(msg: Any, varbinds: list[tuple[Any, Any]], status: int = 0, index: int = 0) -> bytes:
    rsp = V2C.apiMessage.get_response(msg)
    pdu = V2C.apiMessage.get_pdu(rsp)
    V2C.apiPDU.set_varbinds(pdu, varbinds)
    V2C.apiPDU.set_error_status(pdu, status)
    V2C.apiPDU.set_error_index(pdu, index)
    return bytes(encoder.encode(rsp))


def requested(pdu: Any) -> list[tuple[int, ...]]:
    return [tuple(o) for o, _ in V2C.apiPDU.get_varbinds(pdu)]


def _uptime_then(msg: Any, pdu: Any, value: Callable[[tuple[int, ...]], Any]) -> bytes:
    """sysUpTime answered properly (so the probe gets past it), every other OID with `value`;
    GETBULK repeaters answered one row past their column, like an agent would."""
    out = []
    for o in requested(pdu):
        if o == SYS_UPTIME:
            out.append((rfc1902.ObjectName(o), rfc1902.TimeTicks(12345)))
        else:
            nxt = o if o[-1] == 0 or len(o) > 11 else (*o, 1)
            out.append((rfc1902.ObjectName(nxt), value(o)))
    return respond(msg, out)


BEHAVIOURS: dict[str, Reply] = {
    # not BER at all
    "garbage": lambda msg, pdu: os.urandom(200),
    # BER, but a value of the wrong type for every OID: sysUpTime as text, counters as text
    "wrong_types": lambda msg, pdu: respond(
        msg,
        [
            (rfc1902.ObjectName(o), rfc1902.OctetString(b"\xff\xfe not a number"))
            for o in requested(pdu)
        ],
    ),
    # past sysUpTime, wrong types: an interface table of text where integers belong
    "wrong_types_in_table": lambda msg, pdu: _uptime_then(
        msg, pdu, lambda o: rfc1902.OctetString(b"eth\xff")
    ),
    "no_such_object": lambda msg, pdu: respond(
        msg, [(rfc1902.ObjectName(o), rfc1905.noSuchObject) for o in requested(pdu)]
    ),
    "end_of_mib_view": lambda msg, pdu: respond(
        msg, [(rfc1902.ObjectName(o), rfc1905.endOfMibView) for o in requested(pdu)]
    ),
    # a reply as large as UDP allows: ~30 KB of sysName and 1,500 junk varbinds
    "huge": lambda msg, pdu: respond(
        msg,
        [(rfc1902.ObjectName(SYS_UPTIME), rfc1902.TimeTicks(1))]
        + [(rfc1902.ObjectName(SYS_NAME), rfc1902.OctetString(b"x" * 30000))]
        + [(rfc1902.ObjectName((*IF_TABLE, 2, i)), rfc1902.OctetString(b"y")) for i in range(1500)],
    ),
    "gen_err": lambda msg, pdu: respond(msg, [], status=5, index=1),
    # a well-formed reply to someone else's request: must be ignored (reads as timeout)
    "wrong_request_id": lambda msg, pdu: _other_id(msg),
}


def _other_id(msg: Any) -> bytes:
    rsp = V2C.apiMessage.get_response(msg)
    pdu = V2C.apiMessage.get_pdu(rsp)
    V2C.apiPDU.set_request_id(pdu, (int(V2C.apiPDU.get_request_id(pdu)) + 7) % 2**31)
    V2C.apiPDU.set_varbinds(pdu, [(rfc1902.ObjectName(SYS_UPTIME), rfc1902.TimeTicks(1))])
    return bytes(encoder.encode(rsp))


class HostileAgent:
    def __init__(self, address: str, port: int, behaviour: str | Reply) -> None:
        assert address.startswith("127."), "loopback only"
        self.reply = BEHAVIOURS[behaviour] if isinstance(behaviour, str) else behaviour
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.sock.settimeout(0.1)
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.requests += 1
            try:
                msg, _ = decoder.decode(data, asn1Spec=V2C.Message())
                pdu = V2C.apiMessage.get_pdu(msg)
                out = self.reply(msg, pdu)
            except Exception:  # noqa: S112 - not v2c (a v3 discovery, say): stay silent
                continue
            if out:
                self.sock.sendto(out, peer)

    def __enter__(self) -> HostileAgent:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@contextmanager
def silent_sockets(addresses: list[str], port: int) -> Iterator[list[socket.socket]]:
    """UDP sockets that receive and never answer (probes.snmpd.black_hole, many at once)."""
    socks = []
    try:
        for a in addresses:
            assert a.startswith("127.")
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((a, port))
            socks.append(s)
        yield socks
    finally:
        for s in socks:
            s.close()
