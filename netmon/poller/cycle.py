"""The poller: cycles of every probe of every device, bounded in concurrency and in time.

A cycle starts one task per (device, probe), each behind its probe kind's semaphore, and waits
for them until the cycle deadline; whatever is still running then is cancelled and reported as
reason "deadline", so a cycle never overruns whatever the devices do. A probe that raises (a
bug, not a device) becomes reason "error" for that probe only. When the quick probes end before
the slow ones (SSH logins) and something got worse, the cycle's early view goes out first
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
from netmon.poller.outcome import Plan, Task, hint, outcome, reporter
from netmon.poller.settle import Flips, is_quick, linked, recheck, running
from netmon.poller.shard import stable_hash
from netmon.poller.targets import build_targets
from netmon.probes import KINDS, PROBES, Probe, ProbeEnv, ProbeTarget
from netmon.probes.env import close_env, open_env
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
        self._linked = linked(inventory)
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
                task.add_done_callback(reporter(on_result))
            plan[task] = (t, kind)
        # A task's newer read, when the quick probes found devices fallen silent (settle.py).
        again = await self._quick(plan, t0) if plan else {}
        if on_settled is not None and plan:
            early = self._early(plan, again, t0, started, number, full_reads)
            if early is not None:
                await on_settled(early)
        left = max(0.0, deadline - (time.monotonic() - t0))
        tasks = [again.get(task, task) for task in plan]
        _, pending = await asyncio.wait(tasks, timeout=left) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        if pending:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_CANCEL_GRACE_S):
                    await asyncio.gather(*pending, return_exceptions=True)
        results = hint(
            tuple(outcome(again.get(task, task), *plan[task], deadline) for task in plan), plan
        )
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

    async def _quick(self, plan: Plan, t0: float) -> dict[Task, Task]:
        """Wait (within the deadline) for the quick probes; if devices fell silent, read the
        ports of their answering neighbours once more (settle.recheck says why). Returns the
        new reads that answered, by the task they replace."""
        left = self.settings.deadline_s - (time.monotonic() - t0)
        quick = [task for task, (_, kind) in plan.items() if is_quick(kind)]
        if not quick or left <= 0:
            return {}
        await asyncio.wait(quick, timeout=left)
        if not all(task.done() for task in quick):
            return {}
        silent = self._flips.fell_silent(outcome(task, *plan[task], 0.0) for task in quick)
        redo = recheck(plan, silent, self._linked)
        if not redo:
            return {}
        again = {old: asyncio.create_task(self._one(t, kind)) for old, (t, kind) in redo.items()}
        left = self.settings.deadline_s - (time.monotonic() - t0)
        await asyncio.wait(again.values(), timeout=max(0.0, left))
        for task in again.values():
            task.cancel()  # no-op when done: a read the deadline would cut is not worth one
        return {
            old: new
            for old, new in again.items()
            if new.done()
            and not new.cancelled()
            and new.exception() is None
            and new.result().success
        }

    def _early(
        self,
        plan: Plan,
        again: Mapping[Task, Task],
        t0: float,
        started: float,
        number: int,
        full_reads: int,
    ) -> CycleResult | None:
        """The cycle's early view once its quick probes have ended while slow ones still run,
        if the quick answers say something got worse since the last complete cycle; else None."""
        tasks = {task: again.get(task, task) for task in plan}
        quick = [task for task, (_, kind) in plan.items() if is_quick(kind)]
        if not all(tasks[task].done() for task in quick) or all(t.done() for t in tasks.values()):
            return None  # the deadline came first, or nothing slow to be early about
        deadline, elapsed = self.settings.deadline_s, time.monotonic() - t0
        fresh = hint(
            tuple(
                outcome(tasks[task], t, kind, deadline)
                if tasks[task].done()
                else running(t.device.id, kind, elapsed)
                for task, (t, kind) in plan.items()
            ),
            plan,
        )
        view = self._carry.apply(fresh, commit=False)
        answered = [
            (f, v) for task, f, v in zip(plan, fresh, view, strict=True) if tasks[task].done()
        ]
        if not self._flips.worse(answered):
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
