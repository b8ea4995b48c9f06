"""ICMP and TCP probes on loopback (real sockets), and the pinger's reply matching."""

from __future__ import annotations

import asyncio
import socket
import struct
from ipaddress import IPv4Address

from netmon.model import CredentialRefs, Device, ProbeResult
from netmon.probes import PROBES, ProbeEnv, ProbeSettings, ProbeTarget
from netmon.probes.env import close_env, open_env
from netmon.probes.icmp import Pinger, checksum, echo_request


def device(address: str, tcp_port: int = 22) -> Device:
    return Device(
        id=f"d-{address}",
        role="cpe",
        mgmt=IPv4Address(address),
        platform="linux",
        probes=("icmp", "tcp"),
        credentials=CredentialRefs(),
        interfaces=(),
        agency="a",
        ports=(("tcp", tcp_port),),
    )


def run(kind: str, targets: list[ProbeTarget]) -> list[ProbeResult]:
    async def go() -> list[ProbeResult]:
        env = open_env([kind])
        try:
            return list(await asyncio.gather(*(PROBES[kind](t, env) for t in targets)))
        finally:
            await close_env(env)

    return asyncio.run(go())


def test_one_socket_pings_many_loopback_addresses() -> None:
    targets = [
        ProbeTarget(device=device(f"127.0.0.{i}"), settings=ProbeSettings(timeout_s=1.0, retries=1))
        for i in range(1, 60)
    ]
    results = run("icmp", targets)
    assert all(r.success and r.rtt_s is not None and r.rtt_s > 0 for r in results), [
        (r.device, r.reason) for r in results if not r.success
    ]
    assert [r.device for r in results] == [t.device.id for t in targets]


def test_echo_request_checksum_verifies() -> None:
    packet = echo_request(0x1234, 7)
    assert checksum(packet) == 0  # a packet with its checksum in place sums to zero
    assert struct.unpack("!BBHHH", packet[:8])[3:] == (0x1234, 7)


def test_a_reply_from_the_wrong_host_or_identifier_is_not_taken() -> None:
    async def go() -> tuple[bool, bool, bool]:
        pinger = Pinger()
        try:
            fut: asyncio.Future[object] = asyncio.get_running_loop().create_future()
            pinger._pending[9] = ("127.0.0.9", 0.0, fut)  # type: ignore[assignment]
            ip = bytes([0x45]) + bytes(19)
            reply = bytearray(echo_request(pinger.ident, 9))
            reply[0] = 0  # echo reply
            wrong_id = bytearray(reply)
            wrong_id[4:6] = struct.pack("!H", (pinger.ident + 1) & 0xFFFF)
            pinger._handle(ip + bytes(wrong_id), "127.0.0.9", 1.0)
            after_wrong_id = fut.done()
            pinger._handle(ip + bytes(reply), "127.0.0.8", 1.0)  # right id, wrong source
            after_wrong_host = fut.done()
            pinger._handle(ip + bytes(reply), "127.0.0.9", 1.0)
            return after_wrong_id, after_wrong_host, fut.done()
        finally:
            pinger.close()

    assert asyncio.run(go()) == (False, False, True)


def test_tcp_connects_and_tells_refused_apart() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    open_port = listener.getsockname()[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]  # bound, not listening: connections are refused
    try:
        ok, refused = run(
            "tcp",
            [
                ProbeTarget(
                    device=device("127.0.0.1", open_port),
                    settings=ProbeSettings(timeout_s=1.0, retries=0),
                ),
                ProbeTarget(
                    device=device("127.0.0.1", closed_port),
                    settings=ProbeSettings(timeout_s=1.0, retries=2),
                ),
            ],
        )
    finally:
        listener.close()
        closed.close()
    assert ok.success and ok.rtt_s is not None
    assert (refused.success, refused.reason) == (False, "refused")


def test_probes_without_their_shared_resource_fail_as_values() -> None:
    t = ProbeTarget(device=device("127.0.0.1"), settings=ProbeSettings(timeout_s=0.1, retries=0))
    r = asyncio.run(PROBES["icmp"](t, ProbeEnv()))
    assert (r.success, r.reason) == (False, "error")
