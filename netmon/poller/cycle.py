"""The poller: cycles of every probe of every device, bounded in concurrency and in time.

A cycle starts one task per (device, probe), each behind its probe kind's semaphore, and waits
for them until the cycle deadline; whatever is still running then is cancelled and reported as
reason "deadline", so a cycle never overruns whatever the devices do. A probe that raises (a
bug, not a device) becomes reason "error" for that probe only. When the quick probes end before
the slow ones (SSH logins) and changed something, the cycle's early view goes out first
(settle.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from netmon.config import Settings
from netmon.model import Device, Inventory, ProbeResult
from netmon.poller.carry import Carry
from netmon.poller.debounce import AgencyStatus, Debounce, reachable_now
from netmon.poller.settle import Flips, is_quick, running
from netmon.poller.shard import stable_hash
from netmon.poller.targets import build_targets
from netmon.probes import KINDS, PROBES, Probe, ProbeEnv, ProbeTarget, close_env, open_env
from netmon.probes.snmp.client import SnmpCommunity
from netmon.probes.snmp.probe import SnmpSettings

_CANCEL_GRACE_S = 1.0  # how long cancelled probes get to unwind before the cycle returns anyway


@dataclass(frozen=True)
class CycleResult:
    number: int
    started_at: float  # Unix time
    duration_s: float
    # What topology should believe: unanswered probes carry their last good result until
    # debounced down (carry.py). `fresh` is what this cycle's probes themselves returned.
    results: tuple[ProbeResult, ...]
    agencies: tuple[AgencyStatus, ...]
    full_reads: int  # devices whose tables the poller asked to re-read this cycle
    cut_by_deadline: int
    fresh: tuple[ProbeResult, ...] = ()
    # False for a cycle's early view (settle.py): slow probes still running count as unanswered.
    complete: bool = True


@dataclass(frozen=True)
class Selection:
    """Which part of the inventory this poller probes."""

    agencies: tuple[str, ...] = ()  # empty: every agency and every site device
    probes: tuple[str, ...] = ()  # empty: every probe each device lists
    # A shard's devices (topology.shard.Scope.polled: its own and the shared infrastructure on
    # their paths); None: every device. Only the agencies with a device here are debounced.
    devices: frozenset[str] | None = None


def selected(inventory: Inventory, selection: Selection) -> tuple[list[Device], set[str]]:
    """The devices a selection probes, and the probe kinds it asks of them."""
    devices = [
        d
        for d in inventory.devices
        if (not selection.agencies or d.agency in selection.agencies)
        and (selection.devices is None or d.id in selection.devices)
    ]
    kinds = set(selection.probes) if selection.probes else {k for d in devices for k in d.probes}
    return devices, kinds


def credential_sets(inventory: Inventory, selection: Selection = Selection()) -> set[str]:
    """The credential sets a selection's probes need: what must resolve before polling."""
    devices, kinds = selected(inventory, selection)
    out: set[str] = set()
    for d in devices:
        for kind in kinds.intersection(d.probes):
            cred = KINDS[kind].credential if kind in KINDS else None
            name = getattr(d.credentials, cred) if cred else None
            if name:
                out.add(name)
    return out


class Poller:
    """Create inside the event loop that runs it (the SNMP engine and ICMP socket live there)."""

    def __init__(
        self,
        inventory: Inventory,
        settings: Settings,
        selection: Selection = Selection(),
        *,
        probes: Mapping[str, Probe] = PROBES,
        env: ProbeEnv | None = None,
        ports: Mapping[str, int] | None = None,
    ) -> None:
        self.inventory = inventory
        self.settings = settings
        self.probes = probes
        devices, wanted = selected(inventory, selection)
        self.skipped = tuple(sorted(k for k in wanted if k not in probes))
        kinds = [k for k in wanted if k in probes]
        self.targets: dict[tuple[str, str], ProbeTarget[Any]] = build_targets(
            devices, kinds, settings, inventory, ports
        )
        # Credential sets that cannot be used (a missing secret, a passphrase RFC 3414 refuses):
        # their devices fail with `authentication` every cycle; poll and serve name them once.
        self.credential_problems = tuple(
            sorted({t.auth_problem for t in self.targets.values() if t.auth_problem})
        )
        ids = {d.id for d in devices}
        self.devices_of = {
            a.id: [d.id for d in inventory.devices_of_agency[a.id] if d.id in ids]
            for a in inventory.agencies
            if not selection.agencies or a.id in selection.agencies
        }
        if selection.devices is not None:
            self.devices_of = {a: ds for a, ds in self.devices_of.items() if ds}
        self._own_env = env is None
        if env is None:
            snmp = settings.probe("snmp")
            env = open_env(kinds, snmp.client if isinstance(snmp, SnmpSettings) else "netmon")
        self.env = env
        self._limits = {
            k: asyncio.Semaphore(settings.probe(k).concurrency or settings.concurrency)
            for k in kinds
        }
        self._debounce = Debounce(settings.down_after)
        self._carry = Carry(settings.down_after)
        self._flips = Flips()
        self._number = 0

    async def aclose(self) -> None:
        if self._own_env:
            await close_env(self.env)

    def _full(self, device: str, number: int) -> bool:
        """Every full_every cycles per device, staggered by a stable hash so the full reads of
        a large fleet spread over the cycles instead of landing on one."""
        return (number + stable_hash(device)) % self.settings.full_every == 0

    async def _one(self, target: ProbeTarget[Any], kind: str) -> ProbeResult:
        async with self._limits[kind]:
            return await self.probes[kind](target, self.env)

    async def cycle(
        self,
        full: bool | None = None,
        on_result: Callable[[ProbeResult], None] | None = None,
        on_settled: Callable[[CycleResult], Awaitable[None]] | None = None,
    ) -> CycleResult:
        """One cycle. `full`: True re-reads every table, False none, None the staggered plan.
        `on_settled` gets the cycle's early view, when there is one (settle.py)."""
        number = self._number
        self._number += 1
        started, t0 = time.time(), time.monotonic()
        deadline = self.settings.deadline_s
        plan: dict[asyncio.Task[ProbeResult], tuple[ProbeTarget[Any], str]] = {}
        full_reads = 0
        for (device, kind), target in self.targets.items():
            wants_full = self._full(device, number) if full is None else full
            full_reads += kind == "snmp" and wants_full
            t = replace(target, full=wants_full) if kind == "snmp" else target
            task = asyncio.create_task(self._one(t, kind))
            if on_result is not None:
                task.add_done_callback(_reporter(on_result))
            plan[task] = (t, kind)
        if on_settled is not None and plan:
            early = await self._early(plan, t0, started, number, full_reads)
            if early is not None:
                await on_settled(early)
        left = max(0.0, deadline - (time.monotonic() - t0))
        _, pending = await asyncio.wait(plan, timeout=left) if plan else (set(), set())
        for task in pending:
            task.cancel()
        if pending:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_CANCEL_GRACE_S):
                    await asyncio.gather(*pending, return_exceptions=True)
        results = _hint(tuple(_outcome(task, *plan[task], deadline) for task in plan), plan)
        agencies = self._debounce.update(reachable_now(self.devices_of, results))
        view = self._carry.apply(results)
        self._flips.record(zip(results, view, strict=True))
        return CycleResult(
            number=number,
            started_at=started,
            duration_s=time.monotonic() - t0,
            results=view,
            agencies=agencies,
            full_reads=full_reads,
            cut_by_deadline=len(pending),
            fresh=results,
        )

    async def _early(
        self,
        plan: Mapping[asyncio.Task[ProbeResult], tuple[ProbeTarget[Any], str]],
        t0: float,
        started: float,
        number: int,
        full_reads: int,
    ) -> CycleResult | None:
        """The cycle's early view once its quick probes have ended while slow ones still run,
        if the quick answers changed something since the last complete cycle; else None."""
        deadline = self.settings.deadline_s
        quick = [task for task, (_, kind) in plan.items() if is_quick(kind)]
        if not quick or len(quick) == len(plan):
            return None  # nothing quick to be early with, or nothing slow to be early about
        await asyncio.wait(quick, timeout=max(0.0, deadline - (time.monotonic() - t0)))
        if not all(task.done() for task in quick) or all(task.done() for task in plan):
            return None
        elapsed = time.monotonic() - t0
        fresh = _hint(
            tuple(
                _outcome(task, t, kind, deadline)
                if task.done()
                else running(t.device.id, kind, elapsed)
                for task, (t, kind) in plan.items()
            ),
            plan,
        )
        view = self._carry.apply(fresh, commit=False)
        answered = [(f, v) for task, f, v in zip(plan, fresh, view, strict=True) if task.done()]
        if not self._flips.changed(answered):
            return None
        now = reachable_now(self.devices_of, [f for f, _ in answered])
        return CycleResult(
            number=number,
            started_at=started,
            duration_s=elapsed,
            results=view,
            agencies=self._debounce.update(now, commit=False),
            full_reads=full_reads,
            cut_by_deadline=0,
            fresh=fresh,
            complete=False,
        )

    async def run(
        self,
        on_cycle: Callable[[CycleResult], Awaitable[None]],
        stop: asyncio.Event,
        cycles: int | None = None,
        on_settled: Callable[[CycleResult], Awaitable[None]] | None = None,
    ) -> None:
        """Cycle every interval_s until `stop` (or `cycles` cycles), after a random start offset
        of up to jitter_s so that shards and restarted instances do not poll in lockstep.
        on_settled: see cycle()."""
        await _wait(stop, random.uniform(0, self.settings.jitter_s))  # noqa: S311 - not crypto
        next_start = time.monotonic()
        done = 0
        while not stop.is_set() and (cycles is None or done < cycles):
            await on_cycle(await self.cycle(on_settled=on_settled))
            done += 1
            next_start += self.settings.interval_s
            now = time.monotonic()
            if next_start < now:  # a slow consumer: skip the missed slots, never burst
                next_start = now
            await _wait(stop, next_start - now)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max(0.0, seconds))


def _reporter(
    on_result: Callable[[ProbeResult], None],
) -> Callable[[asyncio.Task[ProbeResult]], None]:
    def report(task: asyncio.Task[ProbeResult]) -> None:
        if not task.cancelled() and task.exception() is None:
            on_result(task.result())

    return report


def _hint(
    results: tuple[ProbeResult, ...],
    plan: Mapping[asyncio.Task[ProbeResult], tuple[ProbeTarget[Any], str]],
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


def _outcome(
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
