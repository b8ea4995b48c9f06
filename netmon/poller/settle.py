"""A cycle's early view: published once its quick probes have ended, before its slow ones do.

Why: whether each agency is connected is settled by the quick probes (ICMP, SNMP, TCP): a
silent device has used up every try within about 2.5 s (icmp 0.5 s x 5, snmp 0.4 s x 6).
SSH logs in to each device, 20 at a time. In the 467-agency lab (348 devices with SSH) the
logins alone ran every cycle to its deadline (8 s), and a silent device holds its SSH slot for
the whole 5 s timeout. Publishing only at the end of the cycle put the deadline on top of the
interval: a PoP cut read "cut off" up to 17 s later (bench/inband_cut.py).

So when a cycle's quick probes have all ended and slow ones still run, the poller hands its
consumer an early CycleResult (`complete=False`), provided the quick answers say something got
worse since the last complete cycle: a probe that answered then is silent now, a carried result
goes through, or a device reports a port down that it did not. A cut shows as one of these
(in-band the devices behind it fall silent, and the ports in front of it read down); a cycle in
which nothing got worse costs no second snapshot. Recovery waits for the complete cycle: routes
come back piecewise over a few seconds, so a device may fail its quick probes at the start of
the cycle and answer its SSH login later in it, and an early view would blame it ("down", its
upstream answering again) for what the complete cycle shows recovered (seen in the demo's
availability report: 46 agencies given a CPE as a second cause).

Before that, a device that fell silent this cycle may have been cut only just before it: the
ports of its neighbours, read at the start of the cycle, can still say up, because an agent
serves interface states from a cache (net-snmp's lagged 0.4-2.3 s in the lab under load), and
the cut would then show a whole interval later. So once the quick probes have ended (a silent
device has used up its tries: 2.5 s or more into the cycle), the answering neighbours of the
devices that fell silent have their ports read once more (`recheck`), and that read stands for
the cycle when it answers. A cycle in which no device fell silent reads nothing more.

A slow probe still running counts as unanswered in the early view, and is carried (carry.py)
like a timeout: a device that answered SSH last cycle keeps its SSH facts, and a silent device
is judged as the complete cycle judges it when its login times out too. Carry and debounce are
previewed, not advanced: the complete cycle advances them once, as before, so the tolerance to
loss (down_after cycles in a row) is the same.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

from netmon.model import Inventory, ProbeResult
from netmon.poller.outcome import Plan, Task
from netmon.probes import KINDS, ProbeTarget

RUNNING_DETAIL = "still running when the cycle's quick probes had ended (its early view)"


def is_quick(kind: str) -> bool:
    """Kinds the early view waits for: all but those declared slow (ProbeKind.quick)."""
    declared = KINDS.get(kind)
    return declared is None or declared.quick


def linked(inventory: Inventory) -> dict[str, frozenset[str]]:
    """device -> the devices at the other end of its declared links."""
    out: dict[str, set[str]] = {}
    for lk in inventory.links:
        out.setdefault(lk.a.device, set()).add(lk.b.device)
        out.setdefault(lk.b.device, set()).add(lk.a.device)
    return {d: frozenset(others) for d, others in out.items()}


def recheck(
    plan: Plan, silent: Collection[str], links: Mapping[str, frozenset[str]]
) -> dict[Task, tuple[ProbeTarget[Any], str]]:
    """The reads to do again: of the devices linked to one that fell silent, each quick probe
    that answered with ports (SNMP), as a targeted read. By the task whose result it replaces."""
    near = {n for d in silent for n in links.get(d, ())} - set(silent)
    out: dict[Task, tuple[ProbeTarget[Any], str]] = {}
    for task, (target, kind) in plan.items():
        if target.device.id not in near or not is_quick(kind) or not task.done():
            continue
        if task.cancelled() or task.exception() is not None:
            continue
        r = task.result()
        if r.success and r.interfaces:
            again = replace(target, full=False) if target.full else target
            out[task] = (again, kind)
    return out


def running(device: str, kind: str, elapsed_s: float) -> ProbeResult:
    """What a slow probe still under way stands for in the early view: no answer yet."""
    return ProbeResult(device, kind, False, elapsed_s, reason="deadline", detail=RUNNING_DETAIL)


Seen = tuple[bool, bool, frozenset[str]]


def _seen(fresh: ProbeResult, believed: ProbeResult) -> Seen:
    """Answered, believed after carry, and the ports the device reports not up."""
    down = frozenset(i.name for i in believed.interfaces if i.oper_up is False)
    return fresh.success, believed.success, down


class Flips:
    """What each quick probe said at the last complete cycle (`_seen`). Slow probes are left
    out: which logins the deadline cuts varies from cycle to cycle, and would make every
    cycle look changed."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], Seen] = {}
        self._answered: frozenset[str] = frozenset()  # devices a quick probe reached

    def worse(self, pairs: Iterable[tuple[ProbeResult, ProbeResult]]) -> bool:
        """Whether any (fresh, believed) pair says something got worse than at the last
        complete cycle: silent after an answer, a carried result gone through, a port newly
        down. False before the first complete cycle: there is nothing to be early about."""
        seen = self._seen
        for f, v in pairs:
            before = seen.get((f.device, f.probe)) if is_quick(f.probe) else None
            if before is None:
                continue
            answered, believed, down = _seen(f, v)
            if (before[0] and not answered) or (before[1] and not believed) or down - before[2]:
                return True
        return False

    def record(self, pairs: Iterable[tuple[ProbeResult, ProbeResult]]) -> None:
        self._seen = {(f.device, f.probe): _seen(f, v) for f, v in pairs if is_quick(f.probe)}
        self._answered = frozenset(d for (d, _), (ok, _, _) in self._seen.items() if ok)

    def fell_silent(self, fresh: Iterable[ProbeResult]) -> set[str]:
        """Devices a quick probe reached at the last complete cycle and none of this cycle's
        quick probes (`fresh`, all of them ended) did."""
        ok: dict[str, bool] = {}
        for r in fresh:
            if is_quick(r.probe):
                ok[r.device] = ok.get(r.device, False) or r.success
        return {d for d, now in ok.items() if not now and d in self._answered}
