"""The SNMP probe: poll what the NOC needs, re-read tables only when they changed, read any
table size within the cycle's budget or over several cycles.

Every cycle, one GET per device (a few when it has many uplinks) reads sysUpTime, the IF-MIB
and LLDP-MIB last-change scalars, and the status, traffic and error counters of its uplinks by
the ifIndex learnt in the last full read. The interface table is walked again only when
ifTableLastChange moved, an uplink vanished or the device restarted (sysUpTime went back); the
LLDP tables when lldpStatsRemTablesLastChangeTime moved, with every interface walk and when
they were never read; and both when the poller asks (every Nth cycle, staggered per device).

Each table is read on its own (docs/probes.md, "Tables"): a table that fails costs what it
holds, not the others and not the device's liveness (the uptime answered, so the device is
up); a table too large for one cycle's `walk_budget_s` is walked on in the next cycles, the
device "discovering" meanwhile. Between reads, what the last read learnt is carried forward:
sysName, interface names, aliases and speeds, and the LLDP neighbours (`lldp_read=True`: the
last-change scalar says they are still current). Counters are only ever this cycle's values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import get_args

from netmon.model import InterfaceState, ProbeResult, TableRead
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
from netmon.probes.snmp import lldp, tables
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
)
from netmon.probes.snmp.mib import (
    CYCLE_SCALARS,
    IF_NUMBER,
    IF_TABLE_LAST_CHANGE,
    LLDP_LAST_CHANGE,
    SCALARS,
    SYS_NAME,
    SYS_UPTIME,
    Malformed,
    as_int,
    as_text,
    interface,
    present,
)
from netmon.probes.snmp.state import LARGE_ROWS, MAX_WALK_CYCLES, Progress, SnmpMemory
from netmon.probes.snmp.tables import Failed
from netmon.probes.snmp.walk import TableWalk, advance
from netmon.yamlspec import Float, Int, Str

NAME = "snmp"
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
    # With a request's own worst case (timeout_s x (retries + 1)) it must fit poll.deadline_s:
    # 3 + 2.4 s in the default 8 s. A 3,271-port table behind snmpsim needs two cycles.
    walk_budget_s: float = setting(
        3.0,
        Float(
            minimum=0.05,
            maximum=60,
            doc="seconds of table walks per device and cycle; a larger table goes on next "
            "cycle (the device reads 'discovering', never down)",
        ),
    )


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
    device = target.device.id
    progress = env.snmp_walks.setdefault(device, Progress())  # kept if the deadline cancels
    until = time.monotonic() + target.settings.walk_budget_s
    read = _Read(env.snmp, wire, target, env.snmp_memory.get(device), progress, until)
    try:
        result = await read.run()
    except Failed as exc:
        return failed(target, NAME, clock, exc.reason, exc.reply.detail)
    except Malformed as exc:
        return failed(target, NAME, clock, "malformed_reply", str(exc))
    finally:
        if progress.idle:
            env.snmp_walks.pop(device, None)
    if read.memory is not None:
        env.snmp_memory[device] = read.memory
    return replace(result, duration_s=clock.elapsed())


def _scalar_int(values: dict[Oid, Value], key: Oid) -> int | None:
    v = values.get(key)
    return as_int(v, "scalar") if v is not None and present(v) else None


def _uptime(values: dict[Oid, Value]) -> int:
    ticks = _scalar_int(values, SYS_UPTIME)
    if ticks is None:
        raise Failed(SnmpReply(error="no_such_object", detail="agent has no sysUpTime.0"))
    return ticks


def _restarted(before: int | None, now: int) -> bool:
    """sysUpTime went back: a restart, unless it wrapped (it was within a day of 2**32)."""
    return before is not None and now < before and before < _TICKS_WRAP - 100 * 86400


class _Read:
    """One cycle of one device. The interface table first (LLDP needs its names), then LLDP."""

    def __init__(
        self,
        client: SnmpClient,
        wire: SnmpTarget,
        target: ProbeTarget[SnmpSettings],
        memory: SnmpMemory | None,
        progress: Progress,
        until: float,
    ) -> None:
        self.client, self.wire, self.target = client, wire, target
        self.memory, self.p, self.until = memory, progress, until
        self.tables: list[TableRead] = []
        self.interfaces: list[InterfaceState] = []  # the uplinks, or the whole table when read
        self.if_complete = False  # the interface table was read to its end in this cycle
        self.notes: list[str] = []
        self.lldp_now: int | None = None
        self.ticks = 0
        self.restarted = False
        self.walked = False  # the interface table was walked (or its walk went on) this cycle

    @property
    def repetitions(self) -> int:
        return self.target.settings.max_repetitions

    async def run(self) -> ProbeResult:
        m, p = self.memory, self.p
        small_full = m is not None and self.target.full and m.if_cycles == 1 and not m.large
        if p.interfaces is None and (m is None or small_full):
            await self._open_with_walk()
        else:
            await self._open_with_get()
        await self._lldp()
        return self._result()

    # --- the first request of the cycle: it alone decides whether the device answered ---

    async def _open_with_walk(self) -> None:
        """No table known (or a small one to re-read): the interface walk's first request
        carries the scalars as non-repeaters, so a CPE's read is one or two requests."""
        m, p = self.memory, self.p
        p.ifx = m.ifx if m else True
        p.large = False
        unchanged = m is not None and m.if_last_change is not None
        w = p.interfaces = self._if_walk(unchanged)
        scalars, failure = await advance(self.client, self.wire, w, 0.0, SCALARS)
        if SYS_UPTIME not in scalars:  # the first request itself failed: nothing answered
            p.interfaces = None
            raise Failed(failure or SnmpReply(error="error", detail="no reply"))
        self._scalars(scalars)
        p.uptime_ticks, p.version = self.ticks, _scalar_int(scalars, IF_TABLE_LAST_CHANGE)
        name = scalars.get(SYS_NAME)
        p.sys_name = as_text(name, "sysName") if name is not None and present(name) else ""
        p.if_number = _scalar_int(scalars, IF_NUMBER)
        if failure is None and not w.done and (p.if_number or 0) > LARGE_ROWS:
            tables.make_large(p, w)
        if failure is None and not w.done:
            _, failure = await advance(self.client, self.wire, w, self.until)
        moved = m is not None and (p.version != m.if_last_change or self.restarted)
        if failure is None and w.done and unchanged and moved:  # changed: walk to the end
            w = p.interfaces = self._if_walk(False)
            _, failure = await advance(self.client, self.wire, w, self.until)
        await self._finish_interfaces(failure)

    async def _open_with_get(self) -> None:
        """A known table (or a walk going on): one GET for the scalars and the uplinks, then
        whatever walks the scalars call for."""
        m, p = self.memory, self.p
        cols = tables.columns(m.ifx if m else True).status
        wanted = [(n, m.if_index[n]) for n in self.target.uplinks if m and n in m.if_index]
        oids: list[Oid] = list(CYCLE_SCALARS)
        if m is None or self.target.full:
            oids += [SYS_NAME, IF_NUMBER]
        oids += [(*col, index) for _, index in wanted for col in cols.values()]
        values = await tables.get(self.client, self.wire, oids)
        self._scalars(values)
        before = m.uptime_ticks if m else p.uptime_ticks if p.interfaces else None
        self.restarted = _restarted(before, self.ticks)
        if self.restarted:  # what was read before the restart is void
            p.interfaces = p.lldp = None
        if m is not None:
            self.interfaces = [
                interface(
                    index,
                    {k: values[(*c, index)] for k, c in cols.items()},
                    name=name,
                    alias=m.aliases.get(index, ""),
                    speed_bps=m.speeds.get(index),
                )
                for name, index in wanted
            ]
            missing = [n for n in self.target.uplinks if n not in m.if_index]
            if missing:
                self.notes.append("uplinks not on the device: " + ", ".join(missing))
        if SYS_NAME in values and present(values[SYS_NAME]):
            p.sys_name = as_text(values[SYS_NAME], "sysName")
        oper = cols["oper"]
        vanished = any(isinstance(values.get((*oper, i)), Special) for _, i in wanted)
        version = _scalar_int(values, IF_TABLE_LAST_CHANGE)
        changed = m is None or version != m.if_last_change or self.restarted or vanished
        if p.interfaces is None and not (changed or self.target.full):
            self.tables.append(TableRead("interfaces", "unchanged"))
            return
        if p.interfaces is None:
            p.ifx, p.large = (m.ifx, m.large) if m else (True, False)
            p.large = p.large or (_scalar_int(values, IF_NUMBER) or 0) > LARGE_ROWS
            p.uptime_ticks, p.version = self.ticks, version
            p.if_number = _scalar_int(values, IF_NUMBER) or p.if_number
            p.interfaces = self._if_walk(unchanged=not changed)
        else:
            p.interfaces.cycles += 1  # resumed: walked in one more cycle
        _, failure = await advance(self.client, self.wire, p.interfaces, self.until)
        await self._finish_interfaces(failure)

    def _scalars(self, values: dict[Oid, Value]) -> None:
        self.ticks = _uptime(values)
        self.lldp_now = _scalar_int(values, LLDP_LAST_CHANGE)
        if self.memory is not None and not self.restarted:
            self.restarted = _restarted(self.memory.uptime_ticks, self.ticks)

    def _if_walk(self, unchanged: bool) -> TableWalk:
        declared = len(self.target.device.interfaces)
        return tables.interface_walk(self.p, self.memory, declared, self.repetitions, unchanged)

    # --- the interface table ---

    async def _finish_interfaces(self, failure: SnmpReply | None) -> None:
        self.walked = True
        p = self.p
        w = p.interfaces
        assert w is not None
        if failure is not None:
            self._if_failed(
                failure.error or "error", failure.detail, keep=failure.error == "timeout"
            )
            return
        if not w.done:
            if w.cycles >= MAX_WALK_CYCLES:
                self._if_failed("timeout", f"not finished after {w.cycles} cycles", keep=False)
                return
            expect = f" of {p.if_number}" if p.if_number else ""
            detail = f"{len(w.rows)}{expect} rows after {w.cycles} cycle(s), {w.requests} requests"
            self.tables.append(TableRead("interfaces", "discovering", detail=detail))
            return
        if p.ifx and not p.fallback and tables.without_ifx(w.rows):
            p.first_rows, p.fallback, p.ifx = w.rows, True, False  # no ifXTable: ifDescr etc.
            cycles = w.cycles
            w = p.interfaces = self._if_walk(False)
            w.cycles = cycles
            _, failure = await advance(self.client, self.wire, w, self.until)
            await self._finish_interfaces(failure)
            return
        rows = w.rows
        if p.fallback:
            rows = {
                k: {**p.first_rows.get(k, {}), **rows.get(k, {})} for k in {*rows, *p.first_rows}
            }
        try:
            found = tables.states(rows)
            if p.large:
                declared = self.target.device.interfaces
                found = await tables.declared_states(self.client, self.wire, p.ifx, found, declared)
        except Malformed as exc:
            self._if_failed("malformed_reply", str(exc), keep=False)
            return
        except Failed as exc:
            self._if_failed(exc.reason, exc.reply.detail, keep=False)
            return
        self._learnt(found, rows, w)
        how = f"{len(found)} rows, {w.requests} requests"
        if w.cycles > 1:
            how += f" over {w.cycles} cycles"
        self.tables.append(TableRead("interfaces", "read", detail=how))

    def _if_failed(self, reason: str, detail: str, keep: bool) -> None:
        """A walk that failed: the table is not read this cycle; a timed-out walk goes on from
        where it stopped next cycle, anything else starts again."""
        p = self.p
        if keep and p.interfaces is not None:
            detail += f" (goes on next cycle after {len(p.interfaces.rows)} rows)"
        else:
            p.interfaces, p.fallback, p.first_rows = None, False, {}
        self.tables.append(TableRead("interfaces", "failed", _reason(reason), detail))

    def _learnt(
        self, found: list[InterfaceState], rows: dict[Oid, dict[str, Value]], w: TableWalk
    ) -> None:
        old, p = self.memory, self.p
        keep = old is not None and not self.restarted
        self.memory = SnmpMemory(
            uptime_ticks=self.ticks,
            sys_name=p.sys_name or (old.sys_name if old else ""),
            if_last_change=p.version,
            lldp_last_change=old.lldp_last_change if old and keep else None,
            if_index={s.name: s.index for s in found if s.index is not None},
            aliases={s.index: s.alias for s in found if s.index is not None and s.alias},
            speeds={s.index: s.speed_bps for s in found if s.index and s.speed_bps is not None},
            if_rows=len(found),
            if_last_rows=tables.last_rows(rows, w.columns),
            ifx=p.ifx,
            if_cycles=w.cycles,
            large=p.large,
            lldp_rows=old.lldp_rows if old else len(self.target.device.interfaces),
            lldp_last_rows=old.lldp_last_rows if old and keep else None,
            neighbours=old.neighbours if old and keep else None,
            lldp=old.lldp if old and keep else None,
            local_rows=old.local_rows if old and keep else {},
            chassis=old.chassis if old and keep else ("", "unknown"),
        )
        p.interfaces, p.fallback, p.first_rows = None, False, {}
        self.interfaces, self.if_complete = found, True

    # --- LLDP ---

    async def _lldp(self) -> None:
        m, p = self.memory, self.p
        if m is None:  # local ports are named by the interface table: LLDP waits for it
            waiting = self.tables[-1].status == "discovering" if self.tables else False
            if waiting:
                self.tables.append(TableRead("lldp", "discovering", detail="after interfaces"))
            return
        moved = self.lldp_now is not None and self.lldp_now != m.lldp_last_change
        if p.lldp is None and not (self.if_complete or m.lldp is None or moved):
            if m.lldp is not None and m.lldp.status in ("failed", "absent"):
                self.tables.append(m.lldp)  # as it stood at its last read (full reads retry)
            else:
                self.tables.append(TableRead("lldp", "unchanged"))
            return
        wanted: tuple[Oid, ...] = ()
        if p.lldp is None:
            unchanged = m.neighbours is not None and not moved and not self.restarted
            unchanged = unchanged and m.lldp_last_change is not None
            p.lldp = tables.lldp_walk(m, self.repetitions, unchanged)
            p.lldp_scalars, wanted = {}, lldp.LOC_SCALARS
        else:
            p.lldp.cycles += 1
        w = p.lldp
        scalars, failure = await advance(self.client, self.wire, w, self.until, wanted)
        p.lldp_scalars.update(scalars)
        if failure is not None:
            self._lldp_failed(failure.error or "error", failure.detail, failure.error == "timeout")
        elif not w.done:
            detail = f"{len(w.rows)} rows after {w.cycles} cycle(s)"
            self.tables.append(TableRead("lldp", "discovering", detail=detail))
        else:
            await self._finish_lldp(w)

    async def _finish_lldp(self, w: TableWalk) -> None:
        m, p = self.memory, self.p
        assert m is not None
        p.lldp = None
        own = lldp.own_chassis(p.lldp_scalars)
        if not w.rows and not own[0] and self.lldp_now is None:
            read = TableRead("lldp", "absent", detail="no LLDP-MIB")
            self.memory = replace(m, neighbours=None, lldp=read, lldp_last_change=None)
            self.tables.append(read)
            return
        try:
            seen, rows, cache = await tables.lldp_neighbours(self.client, self.wire, w, m)
        except Malformed as exc:
            self._lldp_failed("malformed_reply", str(exc), False)
            return
        except Failed as exc:
            self._lldp_failed(exc.reason, exc.reply.detail, False)
            return
        read = TableRead("lldp", "read", detail=f"{len(seen)} neighbours")
        if self.lldp_now is None:
            read = replace(
                read, detail=read.detail + "; no last-change scalar: re-read on full reads"
            )
        self.memory = replace(
            m,
            neighbours=seen,
            lldp=read,
            lldp_last_change=self.lldp_now,
            lldp_rows=rows,
            lldp_last_rows=tables.last_rows(w.rows, lldp.LLDP_COLUMNS),
            local_rows=cache,
            chassis=own if own[0] else m.chassis,
        )
        self.tables.append(read)

    def _lldp_failed(self, reason: str, detail: str, keep: bool) -> None:
        m, p = self.memory, self.p
        assert m is not None
        if not keep:
            p.lldp = None
        read = TableRead("lldp", "failed", _reason(reason), detail)
        # A bad LLDP table costs the neighbours, nothing else; retried at the next full read.
        self.memory = replace(m, neighbours=None, lldp=read, lldp_last_change=self.lldp_now)
        self.tables.append(read)

    # --- the result ---

    def _result(self) -> ProbeResult:
        m, p = self.memory, self.p
        if m is not None:
            self.memory = m = replace(m, uptime_ticks=self.ticks)
        if_read = next((t for t in self.tables if t.table == "interfaces"), None)
        mode = "full read" if self.walked else "targeted"
        if if_read is not None and if_read.status == "discovering":
            mode = "discovering"
        notes = [f"{t.table} {t.status}" + (f": {t.detail}" if t.detail else "")
                 for t in self.tables if t.status not in ("read", "unchanged")]  # fmt: skip
        detail = mode + "".join(f"; {n}" for n in [*notes, *self.notes])
        lldp_table = next((t for t in self.tables if t.table == "lldp"), None)
        current = lldp_table is not None and lldp_table.status in ("read", "unchanged")
        return ProbeResult(
            device=self.target.device.id,
            probe=NAME,
            success=True,
            duration_s=0.0,
            detail=detail,
            sys_name=m.sys_name if m else p.sys_name,
            uptime_s=self.ticks / 100,
            restarted=self.restarted,
            interfaces=tuple(self.interfaces),
            neighbours=(m.neighbours or ()) if m and current else (),
            lldp_read=bool(m and current and m.neighbours is not None),
            tables=tuple(self.tables),
            chassis_id=m.chassis[0] if m else "",
            chassis_id_subtype=m.chassis[1] if m else "unknown",
        )


def _reason(reason: str) -> FailureReason:
    return next((r for r in get_args(FailureReason) if r == reason), "error")


KIND = ProbeKind(
    NAME,
    probe,
    SnmpSettings,
    doc="interfaces, counters and LLDP neighbours over SNMP v2c/v3, polling only what changed",
    port=SNMP_PORT,
    credential="snmp",
)
