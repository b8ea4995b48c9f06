"""The interface and LLDP tables of one device: how their walks start, and what their rows
become once complete. The probe (probe.py) decides when each is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import get_args

from netmon.model import InterfaceState, Neighbour
from netmon.model.observation import FailureReason
from netmon.probes.snmp import lldp
from netmon.probes.snmp.client import Oid, SnmpClient, SnmpReply, SnmpTarget, Value, oid_str
from netmon.probes.snmp.mib import IF32, IFX, IfColumns, Malformed, interface, unique_names
from netmon.probes.snmp.state import Progress, SnmpMemory
from netmon.probes.snmp.walk import TableWalk

GET_VARBINDS = 100  # varbinds per GET; more are split over several GETs


class Failed(Exception):  # internal: carries a failed reply out of the helpers
    def __init__(self, reply: SnmpReply) -> None:
        self.reply = reply

    @property
    def reason(self) -> FailureReason:
        return self.reply.error or "error"


async def get(client: SnmpClient, wire: SnmpTarget, oids: Sequence[Oid]) -> dict[Oid, Value]:
    """GET these OIDs (split at GET_VARBINDS); Failed when a GET fails or is answered with
    other OIDs than asked (a GET answers exactly what it asked, in order: RFC 3416 4.2.1)."""
    values: dict[Oid, Value] = {}
    for start in range(0, len(oids), GET_VARBINDS):
        asked = list(oids[start : start + GET_VARBINDS])
        reply = await client.get(wire, asked)
        if not reply.ok:
            raise Failed(reply)
        got = [o for o, _ in reply.varbinds]
        if got != asked:
            first = next((o for o, a in zip(got, asked, strict=False) if o != a), None)
            detail = f"GET answered {len(got)} varbinds for {len(asked)} asked"
            if first:
                detail += f", {oid_str(first)} not asked"
            raise Failed(SnmpReply(error="malformed_reply", detail=detail))
        values.update(reply.varbinds)
    return values


def reason_of(reason: str) -> FailureReason:
    """A failed reply's reason as a FailureReason (anything unknown is "error")."""
    return next((r for r in get_args(FailureReason) if r == reason), "error")


def columns(ifx: bool) -> IfColumns:
    return IFX if ifx else IF32


def interface_walk(
    p: Progress, memory: SnmpMemory | None, declared: int, repetitions: int, unchanged: bool
) -> TableWalk:
    """The interface walk for what `p` says (ifXTable or not, large or not). Sized by the last
    read, or at first by the inventory (its interfaces, plus lo and the management port)
    rather than a large max-repetitions that overshoots far past a CPE's few rows. A table
    known unchanged stops at its last known rows."""
    cols = columns(p.ifx)
    wanted = cols.rows if p.large else cols.full
    if p.fallback:  # the second pass: only what ifTable has instead of ifXTable
        wanted = {k: v for k, v in wanted.items() if k in cols.identity or "octets" in k}
    rows = len(p.first_rows) if p.fallback else memory.if_rows if memory else declared + 2
    stop_at = memory.if_last_rows if memory is not None and unchanged else None
    return TableWalk(wanted, rows, repetitions, stop_at)


def make_large(p: Progress, w: TableWalk) -> None:
    """A table found large after the first request: the rest is walked for its rows' identity
    and state only (the counters of the rows already read are dropped: the declared ones are
    read by ifIndex at the end, the others are not used)."""
    p.large = True
    keep = columns(p.ifx).rows
    w.drop([n for n in w.columns if n not in keep])
    for row in w.rows.values():
        for name in [n for n in row if n not in keep]:
            del row[name]


def without_ifx(rows: Mapping[Oid, dict[str, Value]]) -> bool:
    """A first pass with no ifXTable column in any row: the agent has ifTable alone."""
    identity = IFX.identity.keys()
    return bool(rows) and not any(k in identity for row in rows.values() for k in row)


def states(rows: Mapping[Oid, dict[str, Value]]) -> list[InterfaceState]:
    """Rows (index = one ifIndex) -> interfaces, two rows with one name kept apart."""
    out = []
    for suffix, row in sorted(rows.items()):
        if len(suffix) != 1:
            raise Malformed(f"ifTable index {oid_str(suffix)} is not one integer")
        out.append(interface(suffix[0], row))
    return unique_names(out)


async def declared_states(
    client: SnmpClient,
    wire: SnmpTarget,
    ifx: bool,
    found: list[InterfaceState],
    declared: Sequence[str],
) -> list[InterfaceState]:
    """A large table's declared interfaces read again by ifIndex, with their counters: the
    walk took their status one or more cycles ago and skipped their counters."""
    cols = columns(ifx).declared
    names = set(declared)
    wanted = {s.index: s for s in found if s.name in names and s.index is not None}
    if not wanted:
        return found
    values = await get(client, wire, [(*c, i) for i in wanted for c in cols.values()])
    fresh = {
        s.name: interface(
            i, {k: values[(*c, i)] for k, c in cols.items()}, s.name, s.alias, s.speed_bps
        )
        for i, s in wanted.items()
    }
    return [fresh.get(s.name, s) for s in found]


def lldp_walk(memory: SnmpMemory, repetitions: int, unchanged: bool) -> TableWalk:
    """lldpRemTable and lldpRemManAddrTable together; a table known unchanged (its last-change
    scalar did not move) stops at its last known rows. First read: about one neighbour per
    declared interface."""
    stop_at = memory.lldp_last_rows if unchanged else None
    return TableWalk(dict(lldp.LLDP_COLUMNS), memory.lldp_rows, repetitions, stop_at)


async def lldp_neighbours(
    client: SnmpClient, wire: SnmpTarget, w: TableWalk, memory: SnmpMemory
) -> tuple[tuple[Neighbour, ...], int, dict[Oid, Value]]:
    """A complete LLDP walk -> (neighbours, rows, the local-port rows now known). The local
    ports are asked once per port number (lldpLocPortTable, cached) or per MikroTik
    neighbour (its interface, never cached: the numbers change with the neighbours)."""
    rem: dict[Oid, dict[str, Value]] = {}
    for suffix, row in w.rows.items():
        rest = {k: v for k, v in row.items() if k != "man_addr"}
        if rest:
            rem[suffix] = rest
    size = lldp.shape(rem)
    addrs: dict[Oid, str] = {}
    for suffix, row in w.rows.items():
        if "man_addr" in row and (found := lldp.man_address(suffix, size)) is not None:
            addrs.setdefault(found[0], found[1])
    known = dict(memory.local_rows)
    ask = [k for k in lldp.local_keys(rem, size) if size == 1 or k not in known]
    if ask:
        known.update(await get(client, wire, ask))
    local = lldp.local_interfaces(rem, size, known, memory.names, memory.aliases)
    mikrotik = lldp.MTXR_NEIGHBOR_INTERFACE
    cache = {k: v for k, v in known.items() if k[: len(mikrotik)] != mikrotik}
    return lldp.neighbours(rem, addrs, local), max(len(rem), len(addrs)), cache


def last_rows(rows: Mapping[Oid, dict[str, Value]], cols: Mapping[str, Oid]) -> dict[str, Oid]:
    """Each column's last row index (a walk of an unchanged table stops there)."""
    last: dict[str, Oid] = {}
    for suffix in sorted(rows):
        for name in rows[suffix]:
            if name in cols:
                last[name] = suffix
    return last
