"""Synthetic cycles for the exporter's tests and benchmarks: what the probes of a network built
as declared would return, with interface counters, and with chosen devices or interfaces dead.
The inventory is real (tests/data/lab-small or inventory/); only the probe answers are made up.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from netmon.export.state import (
    AgencyDebounce,
    CycleSummary,
    ExportState,
    LoadStatus,
    ServiceFacts,
)
from netmon.inventory import load_inventory
from netmon.model import Endpoint, InterfaceState, Inventory, Neighbour, ProbeResult
from netmon.model.shard import Shard
from netmon.topology import build_snapshot
from netmon.topology.shard import shard_sizes

REPO = Path(__file__).parents[2]
LAB_SMALL = REPO / "tests" / "data" / "lab-small"
FULL = REPO / "inventory"


def inventory(path: Path = LAB_SMALL) -> Inventory:
    return load_inventory(path)


def results(
    inv: Inventory,
    *,
    dead: Iterable[str] = (),
    down_ifaces: Iterable[Endpoint] = (),
    octets: int = 1_000_000,
    auth_failing: Iterable[str] = (),
) -> list[ProbeResult]:
    dead, down = set(dead), set(down_ifaces)
    far_of: dict[Endpoint, Endpoint] = {}
    for lk in inv.links:
        far_of[lk.a], far_of[lk.b] = lk.b, lk.a
    out = []
    for n, d in enumerate(inv.devices):
        if d.id in dead:
            out.append(ProbeResult(d.id, "icmp", False, 1.0, reason="timeout"))
            out.append(ProbeResult(d.id, "snmp", False, 1.0, reason="timeout"))
            continue
        out.append(ProbeResult(d.id, "icmp", True, 0.002, rtt_s=0.001))
        if d.id in auth_failing:
            out.append(ProbeResult(d.id, "snmp", False, 0.01, reason="authentication"))
            continue
        ifaces, nbrs = [], []
        for i, name in enumerate(d.interfaces, start=1):
            end = Endpoint(d.id, name)
            up = end not in down
            ifaces.append(
                InterfaceState(
                    name,
                    i,
                    admin_up=True,
                    oper_up=up,
                    speed_bps=10**9,
                    in_octets=octets * i,
                    out_octets=octets * i * 2,
                    in_errors=i,
                    out_errors=0,
                    in_discards=0,
                    out_discards=i,
                )
            )
            far = far_of.get(end)
            if up and far is not None and far not in down and far.device not in dead:
                peer = inv.device_by_id[far.device]
                nbrs.append(
                    Neighbour(
                        name,
                        chassis_id=f"02:00:00:00:{n // 256:02x}:{n % 256:02x}",
                        chassis_id_subtype="mac_address",
                        port_id=far.interface,
                        port_id_subtype="interface_name",
                        sys_name=peer.id,
                        mgmt_address=str(peer.mgmt),
                    )
                )
        out.append(
            ProbeResult(
                d.id,
                "snmp",
                True,
                0.01,
                sys_name=d.id,
                uptime_s=1000.0,
                interfaces=tuple(ifaces),
                neighbours=tuple(nbrs),
                lldp_read=True,
            )
        )
    return out


def facts(loaded_at: float = 1_700_000_000.0) -> ServiceFacts:
    return ServiceFacts(
        version="test",
        started_at=loaded_at,
        interval_s=30.0,
        deadline_s=25.0,
        down_after=3,
        inventory=LoadStatus(True, loaded_at),
        config=LoadStatus(True, loaded_at),
    )


def state(inv: Inventory, rs: list[ProbeResult], *, failures: int = 0) -> ExportState:
    """An ExportState after one cycle; agencies whose devices all failed count `failures`
    consecutive failed cycles (debounced down at 3)."""
    snap = build_snapshot(inv, rs)
    ok = {r.device for r in rs if r.success}
    agencies = []
    for a in inv.agencies:
        devs = [d.id for d in inv.devices_of_agency[a.id]]
        reach = any(d in ok for d in devs)
        n = 0 if reach else failures
        agencies.append(AgencyDebounce(a.id, reach, n, n >= 3))
    now = time.time()
    cycle = CycleSummary(7, now - 1.5, 1.25, tuple(rs), tuple(agencies), 0)
    # as `netmon serve` says it unsharded: the one shard of one owns every agency
    sizes = shard_sizes(inv, Shard.whole())
    return ExportState(replace(facts(), shard_agencies=sizes), None, None).with_cycle(snap, cycle)
