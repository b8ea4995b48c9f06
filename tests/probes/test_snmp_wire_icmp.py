"""ICMP errors on the WireClient's socket (IP_RECVERR): a port nobody listens on is `refused` at
once, without retries; the error is handed to the requests for that address only, even when it
surfaces from a send to another agent; a silent agent is still a timeout.

Real sockets on loopback and a real snmpd: the kernel answers a datagram to a closed UDP port
with ICMP port-unreachable, which is what a firewall's reject sends too (the lab's version of
this, with nftables, is tests/reliability/test_lab_faults.py, item 6).
"""

from __future__ import annotations

import asyncio
import errno
import socket

import pytest

from netmon.probes.snmp import icmp_errors
from netmon.probes.snmp.client import SnmpAuth, SnmpCommunity, SnmpReply, SnmpTarget, SnmpUsm
from netmon.probes.snmp.icmp_errors import _EXTENDED_ERR
from netmon.probes.snmp.mib import SYS_NAME
from netmon.probes.snmp.wire import WireClient
from probes.snmpd import (
    AUTH_KEY,
    COMMUNITY,
    PRIV_KEY,
    USER,
    Snmpd,
    black_hole,
    free_udp_port,
)

V2C = SnmpCommunity(COMMUNITY)
V3 = SnmpUsm(USER, "SHA", AUTH_KEY, "AES", PRIV_KEY)


def _target(port: int, auth: SnmpAuth = V2C, host: str = "127.0.0.1") -> SnmpTarget:
    return SnmpTarget(host, auth, port=port, timeout_s=0.5, retries=3)


@pytest.mark.parametrize("auth", [V2C, V3], ids=["v2c", "v3"])
def test_a_closed_port_is_refused_without_retries(auth: SnmpAuth) -> None:
    closed = free_udp_port()

    async def run() -> tuple[list[SnmpReply], int, int]:
        client = WireClient()
        try:
            replies = await asyncio.gather(
                *(client.get(_target(closed, auth), [SYS_NAME]) for _ in range(5))
            )
            return list(replies), client.retransmits, len(client._pending)
        finally:
            await client.aclose()

    replies, retransmits, pending = asyncio.run(run())
    assert {r.error for r in replies} == {"refused"}
    assert f"port {closed} unreachable (ICMP from 127.0.0.1)" in replies[0].detail
    assert (retransmits, pending) == (0, 0)  # refused on the first try: no retry was sent


def test_an_error_is_given_to_its_own_agent_only(agent: Snmpd) -> None:
    """Refused and live agents polled together, then the harder case: the ICMP error waits on
    the socket while the client does not read, so it surfaces from the next send, which goes
    to the live agent. That send must still go out, and the error reach the closed port's
    request."""
    closed = free_udp_port()

    async def run() -> tuple[list[SnmpReply], SnmpReply, SnmpReply]:
        client = WireClient()
        try:
            mixed = await asyncio.gather(
                *(
                    client.get(_target(agent.port if i % 2 else closed), [SYS_NAME])
                    for i in range(20)
                )
            )
            fd = client.sock.fileno()
            client.loop.remove_reader(fd)  # nobody reads: the error stays pending
            lost = asyncio.ensure_future(client.get(_target(closed), [SYS_NAME]))
            await asyncio.sleep(0.1)  # the kernel has answered with port-unreachable
            assert not lost.done()
            live = asyncio.ensure_future(client.get(_target(agent.port), [SYS_NAME]))
            await asyncio.sleep(0.01)  # the live request's send met the pending error
            client.loop.add_reader(fd, client._readable)
            return list(mixed), await lost, await live
        finally:
            await client.aclose()

    mixed, lost, live = asyncio.run(run())
    assert [r.error for r in mixed] == [None if i % 2 else "refused" for i in range(20)]
    assert all(r.varbinds == ((SYS_NAME, b"loopback-agent"),) for r in mixed[1::2])
    assert lost.error == "refused"
    assert (live.error, live.varbinds) == (None, ((SYS_NAME, b"loopback-agent"),))


def test_a_silent_agent_is_still_a_timeout() -> None:
    port = free_udp_port()

    async def run() -> SnmpReply:
        client = WireClient()
        try:
            t = SnmpTarget("127.0.0.1", V2C, port=port, timeout_s=0.1, retries=1)
            return await client.get(t, [SYS_NAME])
        finally:
            await client.aclose()

    with black_hole("127.0.0.1", port):
        reply = asyncio.run(run())
    assert reply.error == "timeout" and "2 tries" in reply.detail


def _err(code: int, offender: str = "10.46.0.1") -> bytes:
    return (
        _EXTENDED_ERR.pack(code, 2, 3, 3, 0, 0, 0)
        + b"\x02\x00\x00\x00"
        + socket.inet_aton(offender)
    )


@pytest.mark.parametrize(
    ("err", "verdict"),
    [
        (_err(errno.ECONNREFUSED), "refused"),
        (_err(errno.EHOSTUNREACH), "unreachable"),
        (_err(errno.ENETUNREACH), "unreachable"),
        (_err(errno.EMSGSIZE), None),  # path MTU: the retries deal with it
        (_err(errno.ECONNREFUSED)[:20], None),  # cut short: not believed
        (b"", None),
    ],
    ids=["port", "host", "net", "mtu", "short", "empty"],
)
def test_icmp_verdicts(err: bytes, verdict: str | None) -> None:
    reply = icmp_errors.verdict(err, 161)
    assert (reply.error if reply else None) == verdict
    if reply is not None:
        assert "ICMP from 10.46.0.1" in reply.detail
