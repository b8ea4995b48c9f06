"""A seeded userspace delay relay, run inside one lab node (this kernel has no netem).

nftables in the node redirects SNMP (udp 161) and SSH (tcp 22) arriving on mgmt0 to this
relay, which holds every request `delay ± jitter` ms (random.Random(seed): the same seed gives
the same delays) and passes it to the real daemon on 127.0.0.1. Answers go back at once, so a
request-answer round trip grows by about the delay. Replies leave from the redirected socket,
so conntrack rewrites them back to port 161/22: the client sees nothing unusual.

Run as `python netmon/lab/procs/relay.py --delay-ms MS [--jitter-ms J] [--seed S]
--udp-port P --tcp-port P`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import socket

MAX_UDP_PEERS = 4096  # bounded: old client mappings are dropped beyond this


class Delays:
    def __init__(self, ms: int, jitter_ms: int, seed: int) -> None:
        self.ms, self.jitter, self.rng = ms, jitter_ms, random.Random(seed)  # noqa: S311 (seeded on purpose: reproducible labs)

    def next_s(self) -> float:
        return max(0.0, self.ms + self.rng.uniform(-self.jitter, self.jitter)) / 1000.0


class UdpRelay:
    """Plain non-blocking sockets on the event loop: no task per datagram, nothing to await."""

    def __init__(self, delays: Delays, port: int) -> None:
        self.delays, self.loop = delays, asyncio.get_running_loop()
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind(("0.0.0.0", port))  # noqa: S104 (inside a lab node only)
        self.front.setblocking(False)
        self.peers: dict[tuple[str, int], socket.socket] = {}
        self.loop.add_reader(self.front, self._request)

    def _request(self) -> None:
        with contextlib.suppress(BlockingIOError):
            data, client = self.front.recvfrom(65535)
            self.loop.call_later(self.delays.next_s(), self._forward, data, client)

    def _forward(self, data: bytes, client: tuple[str, int]) -> None:
        up = self.peers.get(client)
        if up is None:
            if len(self.peers) >= MAX_UDP_PEERS:
                _, oldest = self.peers.popitem()
                self.loop.remove_reader(oldest)
                oldest.close()
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.connect(("127.0.0.1", 161))
            up.setblocking(False)
            self.peers[client] = up
            self.loop.add_reader(up, self._answer, up, client)
        with contextlib.suppress(OSError):
            up.send(data)

    def _answer(self, up: socket.socket, client: tuple[str, int]) -> None:
        # Sent from the redirected socket: conntrack turns the source back into port 161.
        with contextlib.suppress(OSError):
            self.front.sendto(up.recv(65535), client)


async def _tcp(delays: Delays, port: int) -> asyncio.Server:
    async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", 22)
        except OSError:
            w.close()
            return

        async def upstream() -> None:
            # Each chunk is held; due times never go backwards, so the byte stream keeps order.
            due = 0.0
            loop = asyncio.get_running_loop()
            with contextlib.suppress(OSError):
                while data := await r.read(65536):
                    due = max(due, loop.time() + delays.next_s())
                    await asyncio.sleep(due - loop.time())
                    uw.write(data)
                    await uw.drain()
            uw.close()

        async def downstream() -> None:
            with contextlib.suppress(OSError):
                while data := await ur.read(65536):
                    w.write(data)
                    await w.drain()
            w.close()

        await asyncio.gather(upstream(), downstream())

    return await asyncio.start_server(handle, "0.0.0.0", port)  # noqa: S104 (in a lab node)


async def _main(args: argparse.Namespace) -> None:
    delays = Delays(args.delay_ms, args.jitter_ms, args.seed)
    server = await _tcp(delays, args.tcp_port)
    UdpRelay(delays, args.udp_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--delay-ms", type=int, required=True)
    p.add_argument("--jitter-ms", type=int, default=0)
    p.add_argument("--seed", type=int, default=46)
    p.add_argument("--udp-port", type=int, required=True)
    p.add_argument("--tcp-port", type=int, required=True)
    asyncio.run(_main(p.parse_args()))
