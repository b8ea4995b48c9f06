"""The SnmpClient netmon polls with: one UDP socket, its own BER codec and USM, no pysnmp.

Why (measured with bench/poll.py on the 467-agency lab, docs/probes.md): pysnmp spent 5-6 ms of
CPU per targeted GET (pyasn1 decodes at 130-200 us per varbind here, and a v3 message goes
through its engine's whole dispatch, MP and USM layers), so a cycle of 478 GETs took about
3 CPU-seconds. This client does what a cycle needs and nothing else: GET and GETBULK over v2c
and v3 (authPriv, or a lower level config.yaml allowed), request ids matched in a dict,
retransmission timers on the event loop.

- One socket for every agent, receive buffer 8 MiB or more (the default drops replies with
  100 agents in flight: FIELD-NOTES); replies are matched by id *and* source address.
- Explicit timeout and retries per request; every try has a timer, so a call always ends
  (the outer deadline pysnmp needed is built in: nothing here can hang).
- ICMP errors come back (IP_RECVERR): a port-unreachable ends every request to that agent
  as `refused` at once, a host- or net-unreachable as `unreachable`, instead of a timeout after
  every retry (docs/reliability.md, item 6).
- v3: agents are discovered once (engine id, boots, time) and their keys localised once; an
  authenticated "not in time window" report (the agent restarted) resynchronises and retries;
  every other USM report is an `authentication` failure naming the counter. Each reply is held
  against its request (usm.py: level, engine id, user, MAC, time window) before it is
  decrypted or believed; one that fails is dropped and its reason kept, so the agent's own
  answer can still come, and a request that gets none ends with that reason (`authentication`,
  `not_in_time_window`, `malformed_reply`) instead of `timeout`. The agent's clock is learnt
  only from authenticated messages.
- The adaptive window (window.py) still bounds requests in flight.

`PysnmpClient` (pysnmp_client.py) speaks the same seam through pysnmp; the tests run both
against real snmpd and compare their answers.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from netmon.model.observation import FailureReason
from netmon.probes.snmp import ber, icmp_errors, usm
from netmon.probes.snmp.client import (
    RCVBUF_BYTES,
    Oid,
    SnmpCommunity,
    SnmpReply,
    SnmpTarget,
    SnmpUsm,
    Stats,
    VarBind,
    udp_client_socket,
)
from netmon.probes.snmp.engines import Engines
from netmon.probes.snmp.keys import Keys
from netmon.probes.snmp.reply import Refused, Sent, open_reply
from netmon.probes.snmp.window import Window

_STATUS: dict[int, tuple[FailureReason, str]] = {
    1: ("error", "tooBig: the reply would not fit in one message"),
    2: ("no_such_object", "noSuchName"),
    5: ("error", "genErr from the agent"),
    6: ("authentication", "noAccess"),
    16: ("authentication", "authorizationError"),
}


@dataclass(frozen=True)
class _Raw:
    """A matched, decoded reply (before it is judged)."""

    tag: int
    status: int
    index: int
    varbinds: tuple[VarBind, ...]
    head: usm.Incoming | None = None  # v3: the outer layer (engine boots and time)
    clock: usm.Engine | None = None  # v3: the agent's clock, when this message taught it


class _Slot:
    """One place in the request window, given back once: when the call ends, or as soon as its
    first try times out. A silent agent then holds a place for one timeout, not for every retry:
    it costs no decoding (what the window protects), and 200 black holes must not keep the live
    agents queued until the cycle deadline (docs/reliability.md, item 3)."""

    def __init__(self, window: Window) -> None:
        self.window: Window | None = window

    def release(self) -> None:
        if self.window is not None:
            self.window.release()
            self.window = None


@dataclass
class _Request:
    future: asyncio.Future[_Raw | SnmpReply]
    addr: tuple[str, int]
    build: Callable[[int], bytes]  # request id -> the message to send
    sent: Sent | None  # v3: what the reply is held against; None: v2c
    tries: int
    timeout_s: float
    slot: _Slot
    ids: list[int] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None
    refused: Refused | None = None  # the last reply dropped as not this request's answer


class WireClient:
    """One socket for every agent; create and use it inside one event loop."""

    def __init__(self, rcvbuf_bytes: int = RCVBUF_BYTES) -> None:
        self.stats = Stats()
        # A reply costs this client tens of microseconds, not pysnmp's milliseconds, so the
        # window can start wide: the first cycle (discovery, every table) is latency-bound.
        self.window = Window(start=64, low=16)
        self.loop = asyncio.get_running_loop()
        self.sock = udp_client_socket(rcvbuf_bytes)
        icmp_errors.enable(self.sock)  # a closed or firewalled agent port: "refused" at once
        self.loop.add_reader(self.sock.fileno(), self._readable)
        self._pending: dict[int, _Request] = {}
        self._ids = itertools.count(random.randrange(1, 2**30))  # noqa: S311 - not a secret
        self.engines = Engines()  # v3: each agent's engine id, clock and localised keys
        self.dropped = 0  # datagrams that matched no request (late, duplicate or stray)
        self.refused: Counter[str] = Counter()  # v3 replies dropped by the RFC checks, by reason
        self.retransmits = 0  # tries after the first: loss on the paths (benchmarks, tests)

    @property
    def rcvbuf(self) -> int:
        """The receive buffer the kernel granted (Linux reports twice the usable size)."""
        return int(self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))

    async def aclose(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        for req in list(self._pending.values()):
            self._finish(req, SnmpReply(error="error", detail="client closed"))
        self.sock.close()

    async def get(self, target: SnmpTarget, oids: Sequence[Oid]) -> SnmpReply:
        wanted = tuple(oids)
        return await self._call(target, lambda rid: ber.pdu(ber.GET, rid, wanted))

    async def bulk(
        self,
        target: SnmpTarget,
        non_repeaters: Sequence[Oid],
        repeaters: Sequence[Oid],
        max_repetitions: int,
    ) -> SnmpReply:
        wanted, n = (*non_repeaters, *repeaters), len(non_repeaters)
        return await self._call(
            target, lambda rid: ber.pdu(ber.GETBULK, rid, wanted, n, max_repetitions)
        )

    async def _call(self, target: SnmpTarget, make_pdu: Callable[[int], bytes]) -> SnmpReply:
        self.stats.requests += 1
        await self.window.acquire()
        slot = _Slot(self.window)
        sent = self.loop.time()
        try:
            reply = await self._request(target, make_pdu, slot)
            if reply.error != "timeout":
                self.window.observe(self.loop.time() - sent, target.timeout_s)
        except ValueError as exc:  # a v3 key of netmon's that cannot be used (empty)
            reply = SnmpReply(error="credentials", detail=f"cannot use the v3 keys: {exc}")
        finally:
            slot.release()
        if reply.ok:
            self.stats.varbinds += len(reply.varbinds)
        else:
            self.stats.failures += 1
        return reply

    async def _request(
        self, target: SnmpTarget, make_pdu: Callable[[int], bytes], slot: _Slot
    ) -> SnmpReply:
        auth = target.auth
        if isinstance(auth, SnmpCommunity):
            community = auth.community.encode()
            v2c = lambda rid: ber.v2c_message(community, make_pdu(rid))  # noqa: E731
            raw = await self._send(target, v2c, slot)
            return raw if isinstance(raw, SnmpReply) else _judge(raw)
        addr = (target.host, target.port)
        user = auth.user.encode()
        engine = self.engines.known.get(addr)
        for _ in range(3):  # discovery, then at most one resynchronisation or rediscovery
            if engine is None:
                found = await self._discover(target, slot)
                if isinstance(found, SnmpReply):
                    return found
                engine = self.engines.adopt(addr, found)
            keys = self.engines.keys(auth, engine.engine_id)
            build = self._v3_builder(make_pdu, auth, keys, engine)
            raw = await self._send(target, build, slot, Sent(engine, user, keys))
            if isinstance(raw, SnmpReply):
                if raw.error == "not_in_time_window":
                    self.engines.forget(addr, engine)
                    detail = f"{raw.detail}; the agent is discovered again next time"
                    return SnmpReply(error=raw.error, detail=detail)
                return raw
            if raw.tag != ber.REPORT:
                return _judge(raw)
            code = usm.report_code(raw.varbinds)
            if code == usm.NOT_IN_TIME_WINDOW:  # authenticated: reply.py refuses the others
                engine = raw.clock or engine
                continue
            if code == usm.UNKNOWN_ENGINE_ID:
                # Unauthenticated, so it only sends this request through a new discovery; an
                # engine an authenticated message confirmed stays until another one is.
                engine = None
                continue
            return SnmpReply(error="authentication", detail=usm.REPORTS.get(code, f"report {code}"))
        return SnmpReply(error="authentication", detail="the agent's engine clock keeps moving")

    def _v3_builder(
        self,
        make_pdu: Callable[[int], bytes],
        user: SnmpUsm,
        keys: Keys | None,
        engine: usm.Engine,
    ) -> Callable[[int], bytes]:
        """Each try is a new message: new id, salt and engine time."""
        return lambda rid: usm.secure(rid, make_pdu(rid), user, keys, engine, self.loop.time())

    async def _discover(self, target: SnmpTarget, slot: _Slot) -> usm.Engine | SnmpReply:
        probe = lambda rid: usm.discovery(rid, ber.pdu(ber.GET, rid, ()))  # noqa: E731
        raw = await self._send(target, probe, slot, Sent(None, b"", None))
        if isinstance(raw, SnmpReply):
            return raw
        if raw.head is None or not raw.head.engine_id or raw.tag != ber.REPORT:
            return SnmpReply(error="malformed_reply", detail="discovery reply without engine id")
        h = raw.head
        return usm.Engine(h.engine_id, h.boots, h.time, self.loop.time())

    async def _send(
        self,
        target: SnmpTarget,
        build: Callable[[int], bytes],
        slot: _Slot,
        sent: Sent | None = None,
    ) -> _Raw | SnmpReply:
        future: asyncio.Future[_Raw | SnmpReply] = self.loop.create_future()
        addr = (target.host, target.port)
        req = _Request(future, addr, build, sent, target.retries + 1, target.timeout_s, slot)
        self._transmit(req)
        try:
            return await future
        finally:
            self._finish(req, None)  # cancelled (the cycle deadline): forget the request

    def _transmit(self, req: _Request) -> None:
        rid = next(self._ids) % 0x7FFFFFFF or 1
        try:
            message = req.build(rid)
        except (ber.BerError, ValueError) as exc:  # an OID or key that cannot be encoded
            self._finish(req, SnmpReply(error="error", detail=f"cannot build the request: {exc}"))
            return
        req.ids.append(rid)
        self._pending[rid] = req
        req.tries -= 1
        req.timer = self.loop.call_later(req.timeout_s, self._expired, req)
        for attempt in range(2):
            try:
                self.sock.sendto(message, req.addr)
                return
            except BlockingIOError:
                return  # send buffer full: the timer sends it again
            except OSError as exc:
                if attempt == 0:
                    # The socket may have reported an ICMP error that concerns another agent
                    # (a pending error comes out of the next call on the socket, send
                    # included): hand it to its own requests, then try this one again.
                    self._icmp_errors()
                    continue
                unreachable = exc.errno in icmp_errors.UNREACHABLE
                reason: FailureReason = "unreachable" if unreachable else "error"
                self._finish(req, SnmpReply(error=reason, detail=f"send failed: {exc.strerror}"))

    def _expired(self, req: _Request) -> None:
        if req.future.done():
            return
        if req.tries > 0:
            self.retransmits += 1
            req.slot.release()  # an agent that did not answer costs no decoding: free the place
            self._transmit(req)
            return
        tries = len(req.ids)
        detail = f"no reply within {req.timeout_s:g} s, {tries} tr{'ies' if tries > 1 else 'y'}"
        if req.refused is not None:  # something came, but not the agent's answer: say what
            refused = req.refused
            detail = f"{refused.detail} (no acceptable {detail.removeprefix('no ')})"
            self._finish(req, SnmpReply(error=refused.reason, detail=detail))
            return
        self._finish(req, SnmpReply(error="timeout", detail=detail))

    def _finish(self, req: _Request, value: _Raw | SnmpReply | None) -> None:
        if req.timer is not None:
            req.timer.cancel()
        for rid in req.ids:
            self._pending.pop(rid, None)
        if value is not None and not req.future.done():
            req.future.set_result(value)

    def _readable(self) -> None:
        for _ in range(256):  # then let the loop run timers and other readers
            try:
                data, addr = self.sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                # Nothing to read, yet the loop woke us: an error may wait in the queue whose
                # notice another call already took. Left there, it would wake us forever.
                self._icmp_errors()
                return
            except OSError:
                self._icmp_errors()  # the socket reports a queued ICMP error
                continue
            self._receive(data, addr)

    def _icmp_errors(self) -> None:
        """Finish the requests that an ICMP error answered: a port unreachable means no agent
        listens there (or a firewall rejects), so every request to that address ends now,
        not after all its retries."""
        for addr, reply in icmp_errors.queued(self.sock):
            for req in [r for r in self._pending.values() if r.addr == addr]:
                self._finish(req, reply)

    def _receive(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            version = ber.message_version(data)
            if version == 1:
                rid, at = ber.v2c_request_id(data)
                head = None
            else:
                head = usm.incoming(data)
                rid = head.msg_id
        except ber.BerError:
            self.dropped += 1  # cannot even tell which request it answers
            return
        req = self._pending.get(rid)
        if req is None or req.addr != addr:
            self.dropped += 1
            return
        clock = None
        try:
            if (head is None) != (req.sent is None):
                raise Refused(
                    "authentication",
                    f"an SNMP{'v2c' if head is None else 'v3'} message in answer to an "
                    f"SNMP{'v3' if head is None else 'v2c'} request",
                )
            if head is None:
                tag, _, status, index, vbs = ber.read_pdu(data, at, len(data))
            else:
                assert req.sent is not None
                notion = self.engines.notion(addr, req.sent)
                tag, status, index, vbs, clock = open_reply(
                    data, head, req.sent, notion, self.loop.time()
                )
        except Refused as refused:
            # Not this request's answer (forged, altered, replayed, for someone else): drop it
            # and keep waiting for the agent's; if none comes, the request ends with this.
            self.refused[refused.reason] += 1
            req.refused = refused
            return
        except ber.BerError as exc:
            self._finish(req, SnmpReply(error="malformed_reply", detail=str(exc)))
            return
        if clock is not None:
            self.engines.learn(addr, clock)
        self._finish(req, _Raw(tag, status, index, vbs, head, clock))


def _judge(raw: _Raw) -> SnmpReply:
    if raw.tag == ber.REPORT:
        names = ", ".join(".".join(map(str, k)) for k, _ in raw.varbinds) or "nothing"
        return SnmpReply(error="error", detail=f"the agent sent a report: {names}")
    if raw.status:
        reason, text = _STATUS.get(raw.status, ("error", f"error-status {raw.status}"))
        return SnmpReply(error=reason, detail=f"{text} (at varbind {raw.index})")
    return SnmpReply(raw.varbinds)
