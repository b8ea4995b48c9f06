"""The ICMP probe: echo request/reply with round-trip time, many targets on one socket.

FIELD-NOTES measured one raw socket for all 470 lab nodes at 6 ms (icmplib's async multiping:
70 ms; fping: 0.5-4.8 s), so a Pinger owns one socket per process, matches replies to requests
by identifier and sequence number, and never spawns a process. Many agency sites answer only
ping, so this probe stands on its own.

Raw sockets need root (or CAP_NET_RAW); without them the kernel's unprivileged ICMP datagram
sockets are used when net.ipv4.ping_group_range allows.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netmon.model import ProbeResult
from netmon.model.observation import FailureReason
from netmon.probes.base import (
    RETRIES,
    TIMEOUT,
    Clock,
    ProbeEnv,
    ProbeKind,
    ProbeSettings,
    ProbeTarget,
    failed,
    setting,
)

if TYPE_CHECKING:
    import asyncio

NAME = "icmp"
_ECHO_REQUEST, _ECHO_REPLY, _UNREACHABLE = 8, 0, 3
_PAYLOAD = b"netmon-probe-pad"  # 16 bytes: small, recognisable in a capture


@dataclass(frozen=True)
class IcmpSettings(ProbeSettings):
    # Sized for 30 % loss on a path (docs/reliability.md, item 4): a ping fails only when five
    # tries in a row are lost (0.3**5); a dead host costs 2.5 s, inside the cycle deadline.
    timeout_s: float = setting(0.5, TIMEOUT)
    retries: int = setting(4, RETRIES)


@dataclass(frozen=True)
class Echo:
    rtt_s: float | None
    reason: FailureReason | None = None
    detail: str = ""


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return int(~total & 0xFFFF)


def echo_request(ident: int, seq: int) -> bytes:
    head = struct.pack("!BBHHH", _ECHO_REQUEST, 0, 0, ident, seq)
    csum = checksum(head + _PAYLOAD)
    return struct.pack("!BBHHH", _ECHO_REQUEST, 0, csum, ident, seq) + _PAYLOAD


class Pinger:
    """One ICMP socket for every target; create and use inside one event loop."""

    def __init__(self) -> None:
        import asyncio  # here, not at the top: the registry's imports stay light (__init__.py)

        self.loop = asyncio.get_running_loop()
        try:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            self.raw = True
        except PermissionError:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
            self.raw = False
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self.ident = os.getpid() & 0xFFFF
        self._seq = 0
        self._pending: dict[int, tuple[str, float, asyncio.Future[Echo]]] = {}
        self.loop.add_reader(self.sock.fileno(), self._readable)

    def close(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()
        for _, _, fut in self._pending.values():
            if not fut.done():
                fut.cancel()
        self._pending.clear()

    def _next_seq(self) -> int:
        for _ in range(0x10000):
            self._seq = (self._seq + 1) & 0xFFFF
            if self._seq not in self._pending:
                return self._seq
        raise RuntimeError("65536 pings in flight")

    async def ping(self, host: str, timeout_s: float, retries: int) -> Echo:
        last = Echo(None, "timeout", f"no echo reply in {retries + 1} tries of {timeout_s} s")
        for _ in range(retries + 1):
            echo = await self._once(host, timeout_s)
            if echo.rtt_s is not None or echo.reason != "timeout":
                return echo
        return last

    async def _once(self, host: str, timeout_s: float) -> Echo:
        import asyncio

        seq = self._next_seq()
        fut: asyncio.Future[Echo] = self.loop.create_future()
        self._pending[seq] = (host, time.monotonic(), fut)
        try:
            self.sock.sendto(echo_request(self.ident, seq), (host, 0))
            return await asyncio.wait_for(fut, timeout_s)
        except TimeoutError:
            return Echo(None, "timeout", f"no echo reply within {timeout_s} s")
        except OSError as exc:
            unreachable = exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN)
            return Echo(None, "unreachable" if unreachable else "error", exc.strerror or str(exc))
        finally:
            self._pending.pop(seq, None)

    def _readable(self) -> None:
        for _ in range(256):  # drain what is there, bounded so one burst cannot starve the loop
            try:
                data, (src, _) = self.sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self._handle(data, src, time.monotonic())

    def _handle(self, data: bytes, src: str, now: float) -> None:
        if self.raw:
            if len(data) < 20:
                return
            data = data[(data[0] & 0x0F) * 4 :]  # skip the IP header
        if len(data) < 8:
            return
        kind, _, _, ident, seq = struct.unpack("!BBHHH", data[:8])
        if kind == _ECHO_REPLY:
            # Unprivileged sockets get their identifier rewritten by the kernel: seq decides.
            if self.raw and ident != self.ident:
                return
            entry = self._pending.get(seq)
            if entry is not None and entry[0] == src and not entry[2].done():
                entry[2].set_result(Echo(now - entry[1]))
        elif kind == _UNREACHABLE and self.raw and len(data) >= 36:
            inner = data[8:]
            inner = inner[(inner[0] & 0x0F) * 4 :]
            if len(inner) >= 8:
                _, _, _, ident, seq = struct.unpack("!BBHHH", inner[:8])
                entry = self._pending.get(seq)
                if ident == self.ident and entry is not None and not entry[2].done():
                    entry[2].set_result(Echo(None, "unreachable", f"ICMP unreachable from {src}"))


async def probe(target: ProbeTarget[IcmpSettings], env: ProbeEnv) -> ProbeResult:
    clock = Clock()
    if env.pinger is None:
        return failed(target, NAME, clock, "error", "no ICMP socket in this process")
    echo = await env.pinger.ping(target.address, target.timeout_s, target.retries)
    if echo.rtt_s is None:
        return failed(target, NAME, clock, echo.reason or "error", echo.detail)
    return ProbeResult(
        device=target.device.id,
        probe=NAME,
        success=True,
        duration_s=clock.elapsed(),
        rtt_s=echo.rtt_s,
    )


KIND = ProbeKind(
    NAME, probe, IcmpSettings, doc="echo request/reply: is the device there, and its round trip"
)
