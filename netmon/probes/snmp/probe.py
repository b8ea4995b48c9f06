"""The SNMP probe: poll what the NOC needs, re-read tables only when they changed.

Every cycle, one GET per device (a few when it has many uplinks) reads sysUpTime, the IF-MIB
and LLDP-MIB last-change scalars, and the status, traffic and error counters of its uplinks by
the ifIndex learnt in the last full read. The whole interface table is walked again only when
ifTableLastChange moved, an uplink vanished or the device restarted (sysUpTime went back); the
LLDP tables only when lldpStatsRemTablesLastChangeTime moved or the device restarted; and both
when the poller asks (every Nth cycle, staggered per device).

Between reads, what the last full read learnt is carried forward: sysName, interface names,
aliases and speeds, and the LLDP neighbours (`lldp_read=True`: the last-change scalar says
they are still current). Counters are only ever this cycle's values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from netmon.model import InterfaceState, Neighbour, ProbeResult
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
from netmon.probes.snmp.client import (
    SNMP_CLIENTS,
    SNMP_PORT,
    Oid,
    SnmpAuth,
    SnmpClient,
    SnmpReply,
    SnmpTarget,
    Special,
    Value,
    oid_str,
)
from netmon.probes.snmp.mib import (
    CYCLE_SCALARS,
    IF_COLUMNS,
    IF_STATUS_COLUMNS,
    IF_TABLE_LAST_CHANGE,
    LLDP_COLUMNS,
    LLDP_LAST_CHANGE,
    SCALARS,
    SYS_NAME,
    SYS_UPTIME,
    Malformed,
    as_int,
    as_text,
    interface,
    man_address,
    neighbours,
    present,
)
from netmon.probes.snmp.walk import Walked, walk
from netmon.yamlspec import Int, Str

NAME = "snmp"
GET_VARBINDS = 100  # varbinds per GET; more uplinks than fit are split over several GETs
_TICKS_WRAP = 2**32  # sysUpTime is TimeTicks (1/100 s), wrapping after 497 days


@dataclass(frozen=True)
class SnmpSettings(ProbeSettings):
    # Sized for 30 % loss (docs/reliability.md, item 4): a request fails only when six tries
    # in a row are lost (0.3**6); a dead agent costs 2.4 s, inside the cycle deadline.
    timeout_s: float = setting(0.4, TIMEOUT)
    retries: int = setting(5, RETRIES)
    max_repetitions: int = setting(
        25,
        Int(minimum=1, maximum=100, doc="GETBULK rows at first; later sized from the last read"),
    )
    # "netmon": its own codec, a tenth of pysnmp's CPU (docs/probes.md); "pysnmp": the
    # reference implementation, for an agent the own codec does not get along with.
    client: str = setting("netmon", Str(enum=SNMP_CLIENTS, doc="the SNMP engine"))


@dataclass(frozen=True)
class SnmpMemory:
    """What the last successful read of one device taught: enough to poll only the changes."""

    uptime_ticks: int
    sys_name: str
    if_last_change: int | None  # None: the agent has no ifTableLastChange
    lldp_last_change: int | None  # None: the agent has no LLDP-MIB last-change scalar
    if_index: dict[str, int]  # ifName -> ifIndex
    aliases: dict[int, str]
    speeds: dict[int, int]
    if_rows: int
    if_last_rows: dict[str, Oid]  # column -> last row index seen (walks stop there next time)
    lldp_rows: int | None = None
    lldp_last_rows: dict[str, Oid] | None = None
    neighbours: tuple[Neighbour, ...] | None = None  # None: LLDP never read successfully


class _Failed(Exception):  # internal: carries a failed reply out of the helpers
    def __init__(self, reply: SnmpReply) -> None:
        self.reply = reply


async def probe(target: ProbeTarget[SnmpSettings], env: ProbeEnv) -> ProbeResult:
    clock = Clock()
    if env.snmp is None:
        return failed(target, NAME, clock, "error", "no SNMP client in this process")
    auth = target.auth
    if not isinstance(auth, SnmpAuth):
        detail = target.auth_problem or "no SNMP credential set for this device"
        return failed(target, NAME, clock, "authentication", detail)
    wire = SnmpTarget(
        host=target.address,
        auth=auth,
        port=target.port_for(NAME, SNMP_PORT),
        timeout_s=target.timeout_s,
        retries=target.retries,
    )
    memory = env.snmp_memory.get(target.device.id)
    try:
        if memory is None or target.full:
            result, memory = await _full(env.snmp, wire, target, memory, clock)
        else:
            result, memory = await _targeted(env.snmp, wire, target, memory, clock)
    except _Failed as exc:
        reason = exc.reply.error or "error"
        return failed(target, NAME, clock, reason, exc.reply.detail)
    except Malformed as exc:
        return failed(target, NAME, clock, "malformed_reply", str(exc))
    env.snmp_memory[target.device.id] = memory
    return result


def _scalar_int(values: dict[Oid, Value], key: Oid) -> int | None:
    v = values.get(key)
    return as_int(v, "scalar") if v is not None and present(v) else None


def _uptime(values: dict[Oid, Value]) -> int:
    ticks = _scalar_int(values, SYS_UPTIME)
    if ticks is None:
        raise _Failed(SnmpReply(error="no_such_object", detail="agent has no sysUpTime.0"))
    return ticks


def _restarted(before: int, now: int) -> bool:
    """sysUpTime went back: a restart, unless it wrapped (it was within a day of 2**32)."""
    return now < before and before < _TICKS_WRAP - 100 * 86400


async def _walk_interfaces(
    client: SnmpClient,
    wire: SnmpTarget,
    target: ProbeTarget[SnmpSettings],
    memory: SnmpMemory | None,
    changed: bool,
) -> Walked:
    """Scalars (as non-repeaters) and every interface. When the table is known unchanged (the
    agent has ifTableLastChange and it did not move), the walk stops at the last known row; if
    the scalar read in that same walk says the table changed after all, walk again to the end."""
    # First read: guess from the inventory (its interfaces, plus lo and the management port)
    # rather than a large max-repetitions that overshoots far past a CPE's few rows.
    rows = memory.if_rows if memory else len(target.device.interfaces) + 2
    if memory is not None and memory.if_last_change is not None and not changed:
        got = await walk(
            client,
            wire,
            IF_COLUMNS,
            SCALARS,
            rows,
            target.settings.max_repetitions,
            memory.if_last_rows,
        )
        if got.failure is not None:
            raise _Failed(got.failure)
        if _scalar_int(got.scalars, IF_TABLE_LAST_CHANGE) == memory.if_last_change:
            return got
    got = await walk(client, wire, IF_COLUMNS, SCALARS, rows, target.settings.max_repetitions)
    if got.failure is not None:
        raise _Failed(got.failure)
    return got


async def _full(
    client: SnmpClient,
    wire: SnmpTarget,
    target: ProbeTarget[SnmpSettings],
    memory: SnmpMemory | None,
    clock: Clock,
    changed: bool = False,
) -> tuple[ProbeResult, SnmpMemory]:
    """Everything: scalars with the interface table, then LLDP. `changed`: the targeted GET
    already saw the interface table change (or the device restart)."""
    if_walk = await _walk_interfaces(client, wire, target, memory, changed)
    ticks = _uptime(if_walk.scalars)
    restarted = memory is not None and _restarted(memory.uptime_ticks, ticks)
    interfaces = _interfaces(if_walk.rows)
    name = if_walk.scalars.get(SYS_NAME)
    new = SnmpMemory(
        uptime_ticks=ticks,
        sys_name=as_text(name, "sysName") if name is not None and present(name) else "",
        if_last_change=_scalar_int(if_walk.scalars, IF_TABLE_LAST_CHANGE),
        lldp_last_change=_scalar_int(if_walk.scalars, LLDP_LAST_CHANGE),
        if_index={i.name: i.index for i in interfaces if i.index is not None},
        aliases={i.index: i.alias for i in interfaces if i.index is not None and i.alias},
        speeds={i.index: i.speed_bps for i in interfaces if i.index and i.speed_bps is not None},
        if_rows=len(interfaces),
        if_last_rows=_last_rows(if_walk.rows, IF_COLUMNS),
        # sizes the LLDP walk; first read: about one neighbour per declared interface
        lldp_rows=memory.lldp_rows if memory else len(target.device.interfaces),
    )
    lldp_known = (
        memory is not None
        and not restarted
        and memory.neighbours is not None
        and memory.lldp_last_change == new.lldp_last_change
    )
    new, note = await _read_lldp(client, wire, target, new, memory if lldp_known else None)
    result = _result(target, clock, new, ticks, restarted, interfaces)
    return replace(result, detail=f"full read{note}"), new


async def _targeted(
    client: SnmpClient,
    wire: SnmpTarget,
    target: ProbeTarget[SnmpSettings],
    memory: SnmpMemory,
    clock: Clock,
) -> tuple[ProbeResult, SnmpMemory]:
    """One GET for the scalars and the uplinks; walks only what the scalars say has changed."""
    wanted = [(name, memory.if_index[name]) for name in target.uplinks if name in memory.if_index]
    missing = [name for name in target.uplinks if name not in memory.if_index]
    oids: list[Oid] = list(CYCLE_SCALARS)
    for _, index in wanted:
        oids += [(*col, index) for col in IF_STATUS_COLUMNS.values()]
    values: dict[Oid, Value] = {}
    for start in range(0, len(oids), GET_VARBINDS):
        asked = oids[start : start + GET_VARBINDS]
        reply = await client.get(wire, asked)
        if not reply.ok:
            raise _Failed(reply)
        got = [oid for oid, _ in reply.varbinds]
        if got != asked:  # a GET answers exactly what it asked, in order (RFC 3416 4.2.1)
            first = next((o for o, a in zip(got, asked, strict=False) if o != a), None)
            raise _Failed(
                SnmpReply(
                    error="malformed_reply",
                    detail=f"GET answered {len(got)} varbinds for {len(asked)} asked"
                    + (f", {oid_str(first)} not asked" if first else ""),
                )
            )
        values.update(reply.varbinds)
    ticks = _uptime(values)
    restarted = _restarted(memory.uptime_ticks, ticks)
    oper = IF_STATUS_COLUMNS["oper"]
    vanished = any(isinstance(values.get((*oper, i)), Special) for _, i in wanted)
    if_changed = _scalar_int(values, IF_TABLE_LAST_CHANGE) != memory.if_last_change
    if restarted or vanished or if_changed:
        result, memory = await _full(client, wire, target, memory, clock, changed=True)
        return replace(result, restarted=restarted or result.restarted), memory
    interfaces = tuple(
        interface(
            index,
            {k: values[(*col, index)] for k, col in IF_STATUS_COLUMNS.items()},
            name=name,
            alias=memory.aliases.get(index, ""),
            speed_bps=memory.speeds.get(index),
        )
        for name, index in wanted
    )
    lldp_now = _scalar_int(values, LLDP_LAST_CHANGE)
    note = " (uplinks not on the device: " + ", ".join(missing) + ")" if missing else ""
    memory = replace(memory, uptime_ticks=ticks)
    if lldp_now is None:
        memory = replace(memory, lldp_last_change=None, neighbours=None)  # LLDP agent gone
    elif lldp_now != memory.lldp_last_change or memory.neighbours is None:
        memory = replace(memory, lldp_last_change=lldp_now)
        memory, lldp_note = await _read_lldp(client, wire, target, memory, None)
        note += lldp_note
    result = _result(target, clock, memory, ticks, False, interfaces)
    return replace(result, detail=f"targeted{note}"), memory


def _interfaces(rows: dict[Oid, dict[str, Value]]) -> tuple[InterfaceState, ...]:
    out = []
    for suffix, row in sorted(rows.items()):
        if len(suffix) != 1:
            raise Malformed(f"ifTable index {suffix} is not one integer")
        out.append(interface(suffix[0], row))
    return tuple(out)


def _last_rows(rows: dict[Oid, dict[str, Value]], columns: dict[str, Oid]) -> dict[str, Oid]:
    last: dict[str, Oid] = {}
    for suffix in sorted(rows):
        for name in rows[suffix]:
            if name in columns:
                last[name] = suffix
    return last


async def _read_lldp(
    client: SnmpClient,
    wire: SnmpTarget,
    target: ProbeTarget[SnmpSettings],
    memory: SnmpMemory,
    unchanged: SnmpMemory | None,
) -> tuple[SnmpMemory, str]:
    """Walk lldpRemTable and lldpRemManAddrTable together. `unchanged`: the last read, when the
    last-change scalar says the tables are as they were (the walk then stops at its last rows)."""
    if memory.lldp_last_change is None:
        return replace(memory, neighbours=None), " (no LLDP-MIB)"
    stop_at = unchanged.lldp_last_rows if unchanged is not None else None
    rows = unchanged.lldp_rows if unchanged is not None else memory.lldp_rows
    lldp = await walk(
        client, wire, LLDP_COLUMNS, (), rows, target.settings.max_repetitions, stop_at
    )
    if lldp.failure is not None:
        raise _Failed(lldp.failure)
    rem: dict[Oid, dict[str, Value]] = {}
    addrs: dict[Oid, str] = {}
    for suffix, row in lldp.rows.items():
        if "man_addr" in row:
            found = man_address(suffix)
            if found is not None:
                addrs.setdefault(found[0], found[1])
        rest = {k: v for k, v in row.items() if k != "man_addr"}
        if rest:
            rem[suffix] = rest
    names = {i: n for n, i in memory.if_index.items()}
    seen = neighbours(rem, addrs, names)
    return replace(
        memory,
        neighbours=seen,
        lldp_rows=max(len(rem), len(addrs)),
        lldp_last_rows=_last_rows(lldp.rows, LLDP_COLUMNS),
    ), ""


def _result(
    target: ProbeTarget[SnmpSettings],
    clock: Clock,
    memory: SnmpMemory,
    ticks: int,
    restarted: bool,
    interfaces: tuple[InterfaceState, ...],
) -> ProbeResult:
    return ProbeResult(
        device=target.device.id,
        probe=NAME,
        success=True,
        duration_s=clock.elapsed(),
        sys_name=memory.sys_name,
        uptime_s=ticks / 100,
        restarted=restarted,
        interfaces=interfaces,
        neighbours=memory.neighbours or (),
        lldp_read=memory.neighbours is not None,
    )


KIND = ProbeKind(
    NAME,
    probe,
    SnmpSettings,
    doc="interfaces, counters and LLDP neighbours over SNMP v2c/v3, polling only what changed",
    port=SNMP_PORT,
    credential="snmp",
)
