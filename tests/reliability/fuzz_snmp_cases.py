"""Item 8, SNMP half: the cases, shared by tests/reliability/test_fuzz.py, test_fuzz_v3.py and
bench/fuzz.py.

The answers are the lab's snmpd recordings (tests/data/snmp/*.walk, served by the recording
fake). For one request of a probe's read (number k), the genuine answer is encoded with pysnmp's
BER encoder (an independent codec), mutated, and handed to the real WireClient as a datagram
arriving for that request; whatever it makes of it goes back to the SNMP probe. Each case must
end as a ProbeResult: success, or a failure with a reason. The requests go to a black hole (a
bound UDP socket on 127.0.0.1 that never answers): no ICMP error ends them before the reply.
"""

from __future__ import annotations

import asyncio
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from probes.snmpd import black_hole
from pyasn1.codec.ber import encoder
from pysnmp.proto import api, rfc1902, rfc1905

from netmon.model import CredentialRefs, Device, ProbeResult
from netmon.probes.base import ProbeEnv, ProbeTarget
from netmon.probes.snmp import probe as snmp
from netmon.probes.snmp.client import (
    Oid,
    SnmpAuth,
    SnmpCommunity,
    SnmpReply,
    SnmpTarget,
    Special,
    Value,
)
from netmon.probes.snmp.fake import FakeAgent, RecordingSnmpClient
from netmon.probes.snmp.probe import SnmpSettings
from netmon.probes.snmp.wire import WireClient

DATA = Path(__file__).parents[1] / "data" / "snmp"
WALKS = sorted(DATA.glob("*.walk"))
V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
# What a mutated reply may legitimately be reported as: a flipped bit can turn error-status 0
# into noAccess (6) or authorizationError (16), which the client reports as "authentication".
REASONS = {"malformed_reply", "timeout", "no_such_object", "error", "authentication"}

_SPECIAL = {
    Special.NO_SUCH_OBJECT: rfc1905.noSuchObject,
    Special.NO_SUCH_INSTANCE: rfc1905.noSuchInstance,
    Special.END_OF_MIB_VIEW: rfc1905.endOfMibView,
}


def asn1(key: Oid, v: Value) -> Any:
    if isinstance(v, Special):
        return _SPECIAL[v]
    if isinstance(v, bytes):
        return rfc1902.OctetString(v)
    if isinstance(v, IPv4Address):
        return rfc1902.IpAddress(v.packed)
    if isinstance(v, tuple):
        return rfc1902.ObjectIdentifier(v)
    if key == SYS_UPTIME:
        return rfc1902.TimeTicks(v)
    if key[:10] in ((1, 3, 6, 1, 2, 1, 31, 1, 1, 1),) and key[10] in (6, 10):
        return rfc1902.Counter64(v)
    if 0 <= v < 2**31:
        return rfc1902.Integer32(v)
    return rfc1902.Counter64(v) if v >= 0 else rfc1902.Integer32(max(v, -(2**31)))


def response_pdu(reply: SnmpReply, rid: int) -> Any:
    pdu = V2C.GetResponsePDU()
    V2C.apiPDU.set_defaults(pdu)
    V2C.apiPDU.set_request_id(pdu, rid)
    V2C.apiPDU.set_varbinds(pdu, [(rfc1902.ObjectName(k), asn1(k, v)) for k, v in reply.varbinds])
    return pdu


def encode(reply: SnmpReply, rid: int) -> bytes:
    msg = V2C.Message()
    V2C.apiMessage.set_defaults(msg)
    V2C.apiMessage.set_community(msg, "fuzz")
    V2C.apiMessage.set_pdu(msg, response_pdu(reply, rid))
    return bytes(encoder.encode(msg))


Ops = list[tuple[int, int, int]]
OPS = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 2**16), st.integers(0, 255)),
    min_size=1, max_size=6,
)  # fmt: skip


def mutate(data: bytes, ops: Ops) -> bytes:
    b = bytearray(data)
    for op, where, value in ops:
        if not b:
            break
        i = where % len(b)
        if op == 0:
            b[i] ^= 1 << (value % 8)  # flip a bit
        elif op == 1:
            b[i] = value  # set a byte (tags, lengths, values)
        elif op == 2:
            b.insert(i, value)
        elif op == 3:
            del b[i]
        elif op == 4:
            del b[i:]  # truncate
        elif op == 5:
            b[i:i] = b[i : i + 1 + value % 32]  # duplicate a slice
        elif op == 6:
            b[i : i + 1] = bytes([0x84, 0x7F, 0xFF, 0xFF, 0xFF])  # a huge long-form length
    return bytes(b)


async def next_request(wire: WireClient, seen: set[int]) -> int | None:
    """The id of the next request the client sends (None if it sends none: it gave up)."""
    for _ in range(64):
        new = [rid for rid in wire._pending if rid not in seen]
        if new:
            seen.add(new[0])
            return new[0]
        await asyncio.sleep(0)
    return None


class FuzzClient:
    """The recording fake answers; request number `k` goes through BER, the mutation and the
    real WireClient's receive path instead (`through_wire`: v2c here, v3 in fuzz_v3_cases)."""

    steps = 1  # messages the client may send for one call: v2c one, v3 up to three

    def __init__(
        self, fake: RecordingSnmpClient, wire: WireClient, k: int, ops: Ops, to: tuple[str, int]
    ) -> None:
        self.fake, self.wire, self.k, self.ops, self.calls = fake, wire, k, ops, 0
        self.to = to  # a black hole: the request goes nowhere, the reply is ours
        self.encode_s = 0.0  # the test's own encoding (pyasn1), left out of netmon's time
        self.auth: SnmpAuth = SnmpCommunity("fuzz")
        self.mutated = False  # request k was made (a read may have fewer requests)

    def answer(self, genuine: SnmpReply, rid: int, step: int) -> bytes | None:
        """The datagram for request `rid`, the client's `step`-th message of this call."""
        t0 = time.perf_counter()
        datagram = mutate(encode(genuine, rid), self.ops) if step == 0 else None
        self.encode_s += time.perf_counter() - t0
        return datagram

    async def through_wire(self, genuine: SnmpReply) -> SnmpReply:
        target = SnmpTarget(self.to[0], self.auth, self.to[1], timeout_s=30.0, retries=0)
        task = asyncio.ensure_future(self.wire.get(target, [SYS_UPTIME]))
        seen: set[int] = set()
        for step in range(self.steps):  # v3: discovery, a resynchronisation, the answer
            rid = await next_request(self.wire, seen)
            datagram = None if rid is None else self.answer(genuine, rid, step)
            if datagram is None:
                break
            self.wire._receive(datagram, self.to)
            await asyncio.sleep(0)
            if task.done():
                return task.result()
        task.cancel()  # dropped as unmatched: the real client would time out
        await asyncio.gather(task, return_exceptions=True)
        return SnmpReply(error="timeout", detail="no reply (the mutated datagram was dropped)")

    async def get(self, target: SnmpTarget, oids: Sequence[Oid]) -> SnmpReply:
        return await self._maybe(await self.fake.get(target, oids))

    async def bulk(
        self, target: SnmpTarget, nr: Sequence[Oid], r: Sequence[Oid], m: int
    ) -> SnmpReply:
        return await self._maybe(await self.fake.bulk(target, nr, r, m))

    async def _maybe(self, genuine: SnmpReply) -> SnmpReply:
        n, self.calls = self.calls, self.calls + 1
        if n != self.k or not genuine.ok:
            return genuine
        self.mutated = True
        return await self.through_wire(genuine)


def device(name: str) -> Device:
    return Device(
        id=name, role="cpe", mgmt=IPv4Address("127.0.0.1"), platform="linux",
        probes=("snmp",), credentials=CredentialRefs(snmp="x"),
        interfaces=("wan0", "wan1", "core1", "pop2"), agency="a",
    )  # fmt: skip


def probe_target(name: str, full: bool) -> ProbeTarget:
    return ProbeTarget(
        device=device(name), settings=SnmpSettings(timeout_s=0.5, retries=0),
        uplinks=("wan0", "core1"), auth=SnmpCommunity("fuzz"), full=full,
    )  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str  # the recording (tests/data/snmp/<name>.walk)
    full: bool  # a full read, or a targeted one (after what a full read taught)
    k: int  # which request of the read is answered through the wire (modulo their number)
    ops: Ops
    extra: int = 0  # for v3 cases: which message of the exchange is mutated, and how


class Runner:
    """One event loop, one WireClient and one black hole for many cases; use as a context."""

    client = FuzzClient

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.agents = {w.stem: FakeAgent.from_file(w) for w in WALKS}
        self.memories: dict[str, Any] = {}
        self.requests: dict[tuple[str, bool], int] = {}  # (walk, full read): requests it makes
        self._hole = black_hole("127.0.0.1", 0)

    def __enter__(self) -> Runner:
        sock: socket.socket = self._hole.__enter__()
        self.to = sock.getsockname()
        self.wire = self.loop.run_until_complete(_open())
        for name in self.agents:  # what a first full read teaches, for the targeted cases
            env = ProbeEnv(snmp=RecordingSnmpClient({"127.0.0.1": self.agents[name]}))
            r = self.loop.run_until_complete(snmp.probe(probe_target(name, True), env))
            assert r.success, r.detail
            self.memories[name] = env.snmp_memory[name]
            for full in (True, False):  # how many requests each read makes, unmutated
                fake = RecordingSnmpClient({"127.0.0.1": self.agents[name]})
                counter = self.client(fake, self.wire, -1, [], self.to)
                env = ProbeEnv(snmp=counter)
                env.snmp_memory[name] = self.memories[name]
                r = self.loop.run_until_complete(snmp.probe(probe_target(name, full), env))
                assert r.success and counter.calls, (name, full, r.detail)
                self.requests[(name, full)] = counter.calls
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.run_until_complete(self.wire.aclose())
        self.loop.close()
        self._hole.__exit__(None, None, None)

    def fuzz_client(self, case: Case) -> FuzzClient:
        fake = RecordingSnmpClient({"127.0.0.1": self.agents[case.name]})
        k = case.k % self.requests[(case.name, case.full)]  # a request the read does make
        return self.client(fake, self.wire, k, case.ops, self.to)

    def run(self, case: Case) -> tuple[str, float]:
        """(outcome, netmon's seconds): "ok", a failure reason, or "exception: ..." (a bug)."""
        client = self.fuzz_client(case)
        env = ProbeEnv(snmp=client)
        if not case.full:
            env.snmp_memory[case.name] = self.memories[case.name]
        t0 = time.perf_counter()
        try:
            r = self.loop.run_until_complete(snmp.probe(probe_target(case.name, case.full), env))
        except Exception as exc:  # a probe must never raise: reported, judged by the caller
            where = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"exception: {type(exc).__name__} in {Path(where.filename).name}:{where.name}"
            return key, time.perf_counter() - t0 - client.encode_s
        seconds = time.perf_counter() - t0 - client.encode_s
        if not isinstance(r, ProbeResult) or not (r.success or (r.reason in REASONS and r.detail)):
            return f"exception: not a reported result: {r!r:.120}", seconds
        if not client.mutated:
            return "untouched (the read made fewer than k+1 requests)", seconds
        return "ok" if r.success else str(r.reason), seconds


async def _open() -> WireClient:
    return WireClient()


def generate(n: int, names: Sequence[str], each: Callable[[Case], None], extra: int = 0) -> None:
    """Calls `each` on n seeded cases (hypothesis, derandomized: the same n cases every run);
    `extra` > 0 also draws Case.extra from 0..extra-1."""
    shape = settings(
        max_examples=n, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    common = (st.sampled_from(sorted(names)), st.booleans(), st.integers(0, 4), OPS)

    @shape
    @given(*common)
    def v2c(name: str, full: bool, k: int, ops: Ops) -> None:
        each(Case(name, full, k, ops))

    @shape
    @given(*common, st.integers(0, max(extra - 1, 0)))
    def v3(name: str, full: bool, k: int, ops: Ops, x: int) -> None:
        each(Case(name, full, k, ops, x))

    v3() if extra else v2c()
