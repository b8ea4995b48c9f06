"""How many SNMP requests may be in flight: adapted to how fast this process decodes replies.

pysnmp is CPU-bound (pyasn1 decoding, FIELD-NOTES). With 200 requests sent at once the replies
all arrive within milliseconds and then wait in the socket while the event loop decodes them
one by one; the last ones wait longer than the timeout, pysnmp declares them lost, retries, and
decodes the late replies for nothing. Measured here: 49 loopback agents, full reads, timeout
0.3 s: 27 false timeouts.

So the window works like TCP congestion control on the round-trip time, which includes the
time a reply waits for this process: it starts small and grows by one per quick reply (slow
start) until a reply takes more than half the timeout; that shrinks it (multiplicatively, at
most once per timeout) and from then on quick replies grow it additively. Agents that
never answer give no round-trip time and so never shrink it: one black hole does not slow the
fleet.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class Window:
    def __init__(self, start: int = 8, low: int = 8, high: int = 1000) -> None:
        self.limit = float(start)
        self.slow_start = True
        self.low, self.high = low, high
        self.in_flight = 0
        self.peak = 0  # most requests in flight at once (benchmarks report it)
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._last_shrink = 0.0

    async def acquire(self) -> None:
        if self.in_flight < int(self.limit) and not self._waiters:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut  # release() hands its slot over: in_flight already counts us
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # we were handed a slot just as we were cancelled: pass it on
            elif fut in self._waiters:  # release() may have dropped it already
                self._waiters.remove(fut)
            raise

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < int(self.limit):
            fut = self._waiters.popleft()
            if not fut.done():
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
                fut.set_result(None)

    def observe(self, rtt_s: float, timeout_s: float) -> None:
        """One reply's round trip, against the timeout it was sent with."""
        now = time.monotonic()
        if rtt_s > timeout_s / 2:
            if now - self._last_shrink > timeout_s:
                self.limit = max(self.low, self.limit * 0.7)
                self._last_shrink = now
                self.slow_start = False
        else:
            step = 1.0 if self.slow_start else 2.0 / self.limit
            self.limit = min(self.high, self.limit + step)
            self._wake()
