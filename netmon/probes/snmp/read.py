"""One SNMP cycle of one device: the first request (it alone decides whether the device
answered), the interface table, and the result. LLDP is read_lldp.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from netmon.model import InterfaceState, ProbeResult, TableRead
from netmon.probes.base import ProbeTarget
from netmon.probes.snmp import tables
from netmon.probes.snmp.client import Oid, SnmpClient, SnmpReply, SnmpTarget, Special, Value
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
from netmon.probes.snmp.read_lldp import read_lldp
from netmon.probes.snmp.state import LARGE_ROWS, MAX_WALK_CYCLES, Progress, SnmpMemory
from netmon.probes.snmp.tables import Failed
from netmon.probes.snmp.walk import TableWalk, advance

if TYPE_CHECKING:
    from netmon.probes.snmp.probe import SnmpSettings

NAME = "snmp"
_TICKS_WRAP = 2**32  # sysUpTime is TimeTicks (1/100 s), wrapping after 497 days


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


class Read:
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
        await read_lldp(self)
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
        self.tables.append(TableRead("interfaces", "failed", tables.reason_of(reason), detail))

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

    # --- the result ---

    def _result(self) -> ProbeResult:
        m, p = self.memory, self.p
        if m is not None:
            self.memory = m = replace(m, uptime_ticks=self.ticks)
        if not p.idle:  # a walk goes on: the next cycle tells a restart from this uptime
            p.uptime_ticks = self.ticks
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
