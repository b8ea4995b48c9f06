"""The adaptive in-flight window of the SNMP client."""

from __future__ import annotations

import asyncio

from netmon.probes.snmp.window import Window


def test_slow_replies_shrink_it_quick_ones_grow_it() -> None:
    w = Window(start=20, low=8)
    w.observe(0.4, timeout_s=0.5)  # more than half the timeout: the loop is the bottleneck
    assert w.limit == 14
    w.observe(0.4, timeout_s=0.5)  # at most one shrink per timeout
    assert w.limit == 14
    w.observe(0.01, timeout_s=0.5)  # after a shrink: additive growth only
    assert 14 < w.limit < 15
    w2 = Window(start=8)
    for _ in range(10):
        w2.observe(0.01, timeout_s=0.5)  # slow start: one more per quick reply
    assert w2.limit == 18


def test_it_never_lets_more_than_the_limit_in_flight() -> None:
    async def go() -> int:
        w = Window(start=8, low=8)
        peak = 0

        async def one() -> None:
            nonlocal peak
            await w.acquire()
            peak = max(peak, w.in_flight)
            await asyncio.sleep(0.001)
            w.release()

        await asyncio.gather(*(one() for _ in range(100)))
        assert w.in_flight == 0
        return peak

    assert asyncio.run(go()) == 8


def test_a_cancelled_waiter_neither_leaks_a_slot_nor_raises() -> None:
    async def go() -> int:
        w = Window(start=8, low=8)
        for _ in range(8):
            await w.acquire()
        waiter = asyncio.create_task(w.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        w.release()  # hands the slot to the cancelled waiter, which must pass it on
        await asyncio.gather(waiter, return_exceptions=True)
        for _ in range(7):
            w.release()
        return w.in_flight

    assert asyncio.run(go()) == 0
