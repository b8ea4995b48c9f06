"""Turn an inventory into the lab's wiring, with seeded deviations from it (field reality).

Three kinds, each chosen with random.Random(seed) so the same seed gives the same lab:
- wrong_port: a declared access link whose PoP/core end is plugged into another port;
- missing_link: a declared access link with no cable (both ports exist, carrier down);
  preferably one of a dual-homed agency, so the agency stays reachable;
- undeclared_link: a single-homed CPE cabled to a second PoP, on new ports at both ends.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from netmon.errors import LabError
from netmon.lab import routing
from netmon.lab.paths import NOC
from netmon.lab.plan import (
    MAX_IFNAME,
    DaemonMode,
    Deviation,
    LabPlan,
    Node,
    Wire,
    check_lab_inventory,
    noc_address,
)
from netmon.model import Endpoint, Inventory, Link, Management


@dataclass
class _Ports:
    """Ports per device as the lab will create them, growing as deviations add some."""

    by_device: dict[str, list[str]]

    def spare(self, device: str, like: str) -> str:
        """A port name on `device` no link uses: `like`'s prefix with the next free number."""
        used = set(self.by_device[device])
        prefix = re.sub(r"\d+$", "", like) or "p"
        for n in range(1, 1000):
            name = f"{prefix}{n}"
            if len(name) > MAX_IFNAME:
                name = f"p{n}"
            if name not in used:
                self.by_device[device].append(name)
                return name
        raise LabError(f"{device}: no free port name for a seeded deviation")


def build_plan(
    inv: Inventory,
    *,
    seed: int = 46,
    deviations: int = 1,
    daemons: DaemonMode = "full",
    lldp_interval: int | None = None,
    management: Management = "inband",
) -> LabPlan:
    network = check_lab_inventory(inv)
    rng = random.Random(seed)  # noqa: S311 (seeded on purpose: reproducible labs)
    ports = _Ports({d.id: list(d.interfaces) for d in inv.devices})
    role = {d.id: d.role for d in inv.devices}
    wires: dict[str, Wire] = {lk.id: Wire(lk.id, lk.a, lk.b) for lk in inv.links}
    found: list[Deviation] = []
    access = [lk for lk in inv.links if lk.kind == "access"]
    # CPEs already part of a deviation: one deviation per agency keeps the ground truth simple.
    touched: set[str] = set()

    def free(candidates: list[Link]) -> list[Link]:
        return [lk for lk in candidates if not {lk.a.device, lk.b.device} & touched]

    for _ in range(deviations):
        dual = {a for a in inv.dual_homed}
        dual_links = [lk for lk in access if any(_agency(inv, e.device) in dual for e in lk.ends())]
        pick = free(dual_links) or free(access)
        if pick:
            lk = rng.choice(pick)
            wires[lk.id] = Wire(lk.id, lk.a, None)
            wires[lk.id + "/b"] = Wire(lk.id, lk.b, None)
            touched.update(e.device for e in lk.ends() if role[e.device] == "cpe")
            found.append(Deviation("missing_link", lk.id, (lk.a, lk.b), None))
        pick = free(access)
        if pick:
            lk = rng.choice(pick)
            a, b = (lk.a, lk.b) if role[lk.a.device] != "cpe" else (lk.b, lk.a)
            moved = Endpoint(a.device, ports.spare(a.device, a.interface))
            wires[lk.id] = Wire(lk.id, moved, b)
            # The declared port stays on the device, empty.
            wires[_spare_id(a)] = Wire(_spare_id(a), a, None, declared=False)
            touched.update(e.device for e in lk.ends() if role[e.device] == "cpe")
            found.append(Deviation("wrong_port", lk.id, (lk.a, lk.b), (moved, b)))
        extra = _undeclared(inv, rng, ports, touched, len(found))
        if extra is not None:
            wires[extra.id] = extra
            assert extra.b is not None
            found.append(Deviation("undeclared_link", extra.id, None, (extra.a, extra.b)))
    _add_spare_ports(inv, ports, wires)
    # ifSpeed follows the cable: a moved cable keeps its capacity, a new one gets 1 Gb/s.
    capacity = {lk.id: lk.capacity_bps for lk in inv.links}
    speeds = {
        (e.device, e.interface): capacity.get(w.id, 1_000_000_000)
        for w in wires.values()
        for e in (w.a, w.b)
        if e is not None and (w.declared or w.b is not None)
    }
    nodes = tuple(
        Node(
            d.id,
            d.role,
            d.mgmt,
            tuple(ports.by_device[d.id]),
            tuple((p, speeds[(d.id, p)]) for p in ports.by_device[d.id] if (d.id, p) in speeds),
        )
        for d in inv.devices
    )
    if lldp_interval is None:
        # 1 s costs about a core at 470 nodes (FIELD-NOTES); small labs want fast convergence.
        lldp_interval = 1 if len(nodes) <= 60 else 30
    noc = Node(NOC, "noc", noc_address(inv, network), ())
    transfer = None
    if management == "inband":
        used = {d.mgmt for d in inv.devices} | {noc.mgmt}
        n_cables = sum(1 for w in wires.values() if w.b is not None) + len(inv.core_devices())
        transfer = routing.transfer_block(network, used, n_cables)
    return LabPlan(
        name=inv.name,
        network=network,
        noc=noc,
        nodes=nodes,
        wires=tuple(wires.values()),
        deviations=tuple(found),
        seed=seed,
        daemons=daemons,
        lldp_interval=lldp_interval,
        management=management,
        transfer=transfer,
    )


def _agency(inv: Inventory, device: str) -> str | None:
    return inv.device_by_id[device].agency


def _undeclared(
    inv: Inventory, rng: random.Random, ports: _Ports, touched: set[str], n: int
) -> Wire | None:
    """Cable a single-homed CPE to a PoP it is not declared on."""
    pops = [d.id for d in inv.devices if d.role == "pop"]
    cpes = [
        d.id
        for d in inv.devices
        if d.role == "cpe" and d.id not in touched and len(inv.links_of_device[d.id]) == 1
    ]
    rng.shuffle(cpes)
    for cpe in cpes:
        (home,) = inv.links_of_device[cpe]
        others = [p for p in pops if p not in (home.a.device, home.b.device)]
        if not others:
            continue
        pop = rng.choice(others)
        own = home.a if home.a.device == cpe else home.b
        far = home.b if home.a.device == cpe else home.a
        touched.add(cpe)
        a = Endpoint(pop, ports.spare(pop, far.interface))
        b = Endpoint(cpe, ports.spare(cpe, own.interface))
        return Wire(f"undeclared-{n}", a, b, declared=False)
    return None


def _add_spare_ports(inv: Inventory, ports: _Ports, wires: dict[str, Wire]) -> None:
    """Declared interfaces no link uses still exist on the device, with no cable."""
    cabled = {(e.device, e.interface) for w in wires.values() for e in (w.a, w.b) if e}
    for d in inv.devices:
        for port in ports.by_device[d.id]:
            if (d.id, port) not in cabled:
                end = Endpoint(d.id, port)
                wires[_spare_id(end)] = Wire(_spare_id(end), end, None, declared=False)


def _spare_id(end: Endpoint) -> str:
    return f"spare:{end.device}:{end.interface}"
