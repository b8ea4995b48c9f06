"""What each probe task of a cycle comes to: its result, or the failure that stands for it.

Task = one (device, probe) of a cycle (cycle.py). A task the deadline cut, or one that raised
(a bug, not a device), still becomes a ProbeResult: failure is a value, never an exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from netmon.model import ProbeResult
from netmon.probes import ProbeTarget
from netmon.probes.snmp.client import SnmpCommunity

Task = asyncio.Task[ProbeResult]
Plan = Mapping[Task, tuple[ProbeTarget[Any], str]]


def reporter(
    on_result: Callable[[ProbeResult], None],
) -> Callable[[asyncio.Task[ProbeResult]], None]:
    def report(task: asyncio.Task[ProbeResult]) -> None:
        if not task.cancelled() and task.exception() is None:
            on_result(task.result())

    return report


def hint(
    results: tuple[ProbeResult, ...],
    plan: Plan,
) -> tuple[ProbeResult, ...]:
    """An SNMP timeout from a device that answered ping this cycle says more than a timeout: the
    agent is there but silent, which for v2c is what a wrong community looks like (snmpd drops
    it without a word) and for v3 a wrong privacy key or an ACL."""
    pinged = {r.device for r in results if r.probe == "icmp" and r.success}
    versions = {
        t.device.id: "v2c" if isinstance(t.auth, SnmpCommunity) else "v3"
        for t, kind in plan.values()
        if kind == "snmp"
    }
    out = []
    for r in results:
        if r.probe == "snmp" and r.reason == "timeout" and r.device in pinged:
            why = (
                "wrong community or an ACL (v2c has no authentication error on the wire)"
                if versions.get(r.device) == "v2c"
                else "wrong privacy key, an ACL, or the agent is down"
            )
            r = replace(r, detail=f"{r.detail}; the device answers ping: {why}")
        out.append(r)
    return tuple(out)


def outcome(
    task: asyncio.Task[ProbeResult], target: ProbeTarget[Any], kind: str, deadline: float
) -> ProbeResult:
    if task.done() and not task.cancelled():
        exc = task.exception()
        if exc is None:
            return task.result()
        detail = f"probe raised {type(exc).__name__}: {exc}"
        return ProbeResult(target.device.id, kind, False, 0.0, reason="error", detail=detail)
    return ProbeResult(
        target.device.id,
        kind,
        False,
        deadline,
        reason="deadline",
        detail=f"not finished when the cycle deadline ({deadline} s) was reached",
    )
