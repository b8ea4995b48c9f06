"""What the lab will build, decided before anything is touched: nodes, wires, deviations.

Pure functions from an Inventory to a LabPlan, so the plan can be tested without root and
`lab status` can report the ground truth from the same values `up` used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv4Network
from typing import Literal

from netmon.errors import LabError
from netmon.lab.paths import NOC, SWITCH
from netmon.model import Endpoint, Inventory, Management

DaemonMode = Literal["full", "snmp"]
DeviationKind = Literal["wrong_port", "undeclared_link", "missing_link"]
MAX_IFNAME = 15  # IFNAMSIZ - 1: what the kernel accepts


@dataclass(frozen=True)
class Node:
    """One network namespace: a device of the inventory, or the noc."""

    name: str
    role: str  # core, pop, cpe or noc
    mgmt: IPv4Address
    ports: tuple[str, ...]  # data interfaces the lab creates (declared and deviation-added)
    speeds: tuple[tuple[str, int], ...] = ()  # port -> bit/s, reported as IF-MIB ifSpeed

    @property
    def mac(self) -> str:
        """A stable, locally administered MAC for mgmt0, so static neighbour entries work."""
        return "02:4e:" + ":".join(f"{b:02x}" for b in self.mgmt.packed)


@dataclass(frozen=True)
class Wire:
    """A veth pair. `b is None`: a port with no cable (its peer sits down in the switch)."""

    id: str  # the declared link's id, or `undeclared-N`
    a: Endpoint
    b: Endpoint | None
    declared: bool = True


@dataclass(frozen=True)
class Deviation:
    """Field reality that differs from the inventory on purpose: the ground truth of drift."""

    kind: DeviationKind
    link: str
    declared: tuple[Endpoint, Endpoint] | None
    actual: tuple[Endpoint, Endpoint] | None


@dataclass(frozen=True)
class LabPlan:
    name: str
    network: IPv4Network
    noc: Node
    nodes: tuple[Node, ...]  # devices only, in inventory order
    wires: tuple[Wire, ...]
    deviations: tuple[Deviation, ...]
    seed: int
    daemons: DaemonMode
    lldp_interval: int
    management: Management = "oob"
    # inband: the block the cables' /31s come from (routing.transfer_block); oob: None.
    transfer: IPv4Network | None = None

    def all_nodes(self) -> tuple[Node, ...]:
        return (self.noc, *self.nodes)


def subset(inv: Inventory, agencies: int | None) -> Inventory:
    """The first N agencies with the devices and links they need to reach a core.

    Kept: every core device, the CPEs of the first N agencies, the PoPs those CPEs are
    cabled to, and the infrastructure devices on a path from those PoPs to a core.
    """
    if agencies is None or agencies >= len(inv.agencies):
        return inv
    if agencies < 0:
        raise LabError("--agencies must be 0 or more")
    kept_agencies = {a.id for a in inv.agencies[:agencies]}
    keep = {d.id for d in inv.devices if d.role == "core" or d.agency in kept_agencies}
    infra = {d.id for d in inv.devices if d.role != "cpe"}
    frontier = [
        peer.device
        for d in list(keep)
        for lk in inv.links_of_device[d]
        for peer in lk.ends()
        if peer.device in infra and peer.device not in keep
    ]
    keep.update(frontier)
    # Breadth first from the kept PoPs over infrastructure links; then walk back from each core
    # reached, so the PoPs in between (a ring) come along. Bounded by the number of devices.
    parents: dict[str, str | None] = {p: None for p in frontier}
    queue = list(frontier)
    while queue:
        cur = queue.pop(0)
        for lk in inv.links_of_device[cur]:
            for nxt in (lk.a.device, lk.b.device):
                if nxt in infra and nxt not in parents:
                    parents[nxt] = cur
                    queue.append(nxt)
    for core in (d.id for d in inv.devices if d.role == "core"):
        node: str | None = core
        while node is not None and node in parents:
            keep.add(node)
            node = parents[node]
    devices = tuple(d for d in inv.devices if d.id in keep)
    links = tuple(lk for lk in inv.links if lk.a.device in keep and lk.b.device in keep)
    sites = {d.site for d in devices if d.site}
    return replace(
        inv,
        agencies=tuple(a for a in inv.agencies if a.id in kept_agencies),
        devices=devices,
        links=links,
        sites=tuple(s for s in inv.sites if s.id in sites),
        services=tuple(
            replace(s, devices=tuple(d for d in s.devices if d in keep)) for s in inv.services
        ),
    )


def noc_address(inv: Inventory, network: IPv4Network) -> IPv4Address:
    """The highest host address of the management network that no device uses."""
    used = {d.mgmt for d in inv.devices}
    for offset in range(2, 258):
        candidate = network.broadcast_address - offset + 1
        if candidate not in used and candidate in network:
            return candidate
    raise LabError(f"no free address for the noc at the top of {network}")


def check_lab_inventory(inv: Inventory) -> IPv4Network:
    """Refuse inventories the lab cannot replicate faithfully; return the management network."""
    if inv.management_network is None:
        raise LabError(
            "the inventory has no management_network: the lab needs one to address nodes"
        )
    names = {d.id for d in inv.devices}
    if NOC in names or SWITCH in names:
        raise LabError(f"a device is named {NOC!r}: that name is the lab's own noc namespace")
    for d in inv.devices:
        for port in (*d.interfaces, "mgmt0"):
            if len(port) > MAX_IFNAME or "/" in port or " " in port:
                raise LabError(f"{d.id}: interface {port!r} is not a valid Linux name")
        for reserved in ("mgmt0", "noc"):
            if reserved in d.interfaces:
                raise LabError(
                    f"{d.id}: interface name {reserved} is reserved for the lab's management legs"
                )
        if d.mgmt not in inv.management_network:
            raise LabError(f"{d.id}: {d.mgmt} is outside {inv.management_network}")
    return inv.management_network
