"""The LLDP step of a cycle: lldpRemTable with lldpRemManAddrTable (and the device's own chassis
id), read when it changed, with every interface walk, or when never read; resumable like the
interface walk. A bad LLDP table costs the neighbours, nothing else.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from netmon.model import TableRead
from netmon.probes.snmp import lldp, tables
from netmon.probes.snmp.client import Oid
from netmon.probes.snmp.mib import Malformed
from netmon.probes.snmp.tables import Failed
from netmon.probes.snmp.walk import TableWalk, advance

if TYPE_CHECKING:
    from netmon.probes.snmp.read import Read


async def read_lldp(r: Read) -> None:
    m, p = r.memory, r.p
    if m is None:  # local ports are named by the interface table: LLDP waits for it
        waiting = r.tables[-1].status == "discovering" if r.tables else False
        if waiting:
            r.tables.append(TableRead("lldp", "discovering", detail="after interfaces"))
        return
    moved = r.lldp_now is not None and r.lldp_now != m.lldp_last_change
    if p.lldp is None and not (r.if_complete or m.lldp is None or moved):
        if m.lldp is not None and m.lldp.status in ("failed", "absent"):
            r.tables.append(m.lldp)  # as it stood at its last read (full reads retry)
        else:
            r.tables.append(TableRead("lldp", "unchanged"))
        return
    wanted: tuple[Oid, ...] = ()
    if p.lldp is None:
        unchanged = m.neighbours is not None and not moved and not r.restarted
        unchanged = unchanged and m.lldp_last_change is not None
        p.lldp = tables.lldp_walk(m, r.repetitions, unchanged)
        p.lldp_scalars, wanted = {}, lldp.LOC_SCALARS
    else:
        p.lldp.cycles += 1
    w = p.lldp
    scalars, failure = await advance(r.client, r.wire, w, r.until, wanted)
    p.lldp_scalars.update(scalars)
    if failure is not None:
        _failed(r, failure.error or "error", failure.detail, failure.error == "timeout")
    elif not w.done:
        detail = f"{len(w.rows)} rows after {w.cycles} cycle(s)"
        r.tables.append(TableRead("lldp", "discovering", detail=detail))
    else:
        await _finish(r, w)


async def _finish(r: Read, w: TableWalk) -> None:
    m, p = r.memory, r.p
    assert m is not None
    p.lldp = None
    own = lldp.own_chassis(p.lldp_scalars)
    if not w.rows and not own[0] and r.lldp_now is None:
        read = TableRead("lldp", "absent", detail="no LLDP-MIB")
        r.memory = replace(m, neighbours=None, lldp=read, lldp_last_change=None)
        r.tables.append(read)
        return
    try:
        seen, rows, cache = await tables.lldp_neighbours(r.client, r.wire, w, m)
    except Malformed as exc:
        _failed(r, "malformed_reply", str(exc), False)
        return
    except Failed as exc:
        _failed(r, exc.reason, exc.reply.detail, False)
        return
    read = TableRead("lldp", "read", detail=f"{len(seen)} neighbours")
    if r.lldp_now is None:
        read = replace(read, detail=read.detail + "; no last-change scalar: re-read on full reads")
    r.memory = replace(
        m,
        neighbours=seen,
        lldp=read,
        lldp_last_change=r.lldp_now,
        lldp_rows=rows,
        lldp_last_rows=tables.last_rows(w.rows, lldp.LLDP_COLUMNS),
        local_rows=cache,
        chassis=own if own[0] else m.chassis,
    )
    r.tables.append(read)


def _failed(r: Read, reason: str, detail: str, keep: bool) -> None:
    m, p = r.memory, r.p
    assert m is not None
    if not keep:
        p.lldp = None
    read = TableRead("lldp", "failed", tables.reason_of(reason), detail)
    # A bad LLDP table costs the neighbours, nothing else; retried at the next full read.
    r.memory = replace(m, neighbours=None, lldp=read, lldp_last_change=r.lldp_now)
    r.tables.append(read)
