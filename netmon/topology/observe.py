"""What the probe results say, folded per device, and LLDP neighbours matched to the inventory.

A device is down when it was probed and every probe failed; never probed is "unknown" (and is
assumed to work: no evidence is not evidence of failure). A link's state comes from the oper
status its two ends report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import NamedTuple

from netmon.model import Endpoint, InterfaceState, Inventory, Link, Neighbour, ProbeResult
from netmon.model.snapshot import Status

# Probes that read device tables (interfaces, LLDP); icmp and tcp only say "it answers".


class Half(NamedTuple):
    """One side's view of an adjacency: local device:interface sees remote device:interface
    (remote interface "" = unresolved). Tuples, not Endpoints: hashed in C, and there are two
    per link (a dataclass hash cost a fifth of the build at 30,000 agencies)."""

    device: str
    interface: str
    remote: str
    remote_interface: str


class Stranger(NamedTuple):
    """An LLDP neighbour that matches no inventory device."""

    device: str
    interface: str
    description: str


class Index:
    """Lookups that depend on the inventory alone (kept with the design, built when needed:
    the declared design has no neighbours to match, so never pays for 30,000 addresses)."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory

    @classmethod
    def of(cls, inventory: Inventory) -> Index:
        return cls(inventory)

    @cached_property
    def by_mgmt(self) -> dict[str, str]:
        return {str(d.mgmt): d.id for d in self.inventory.devices}

    @cached_property
    def by_name(self) -> dict[str, str]:
        return {d.id: d.id for d in self.inventory.devices}

    @cached_property
    def interfaces(self) -> dict[str, frozenset[str]]:
        return {d.id: frozenset(d.interfaces) for d in self.inventory.devices}


@dataclass(frozen=True)
class Observed:
    status: dict[str, Status]
    probes_ok: dict[str, tuple[str, ...]]
    probes_failed: dict[str, tuple[str, ...]]
    interfaces: dict[str, dict[str, InterfaceState]]  # device -> interface name -> state
    lldp_read: frozenset[str]  # devices whose LLDP table was read this cycle
    halves: tuple[Half, ...]
    strangers: tuple[Stranger, ...]

    def interface(self, end: Endpoint) -> InterfaceState | None:
        return self.interfaces.get(end.device, {}).get(end.interface)

    def link_status(self, link: Link) -> Status:
        return self.link_states((link,))[link.id][0]

    def link_states(
        self, links: Iterable[Link]
    ) -> dict[str, tuple[Status, InterfaceState | None, InterfaceState | None]]:
        """Each link's state and what its two ends reported (written flat: 33,000 links)."""
        status, tables = self.status, self.interfaces
        empty: dict[str, InterfaceState] = {}
        out: dict[str, tuple[Status, InterfaceState | None, InterfaceState | None]] = {}
        for lk in links:
            a = tables.get(lk.a.device, empty).get(lk.a.interface)
            b = tables.get(lk.b.device, empty).get(lk.b.interface)
            state: Status = "unknown"
            if status.get(lk.a.device) == "down" or status.get(lk.b.device) == "down":
                state = "down"  # a dead device carries nothing, whatever its neighbour says
            else:
                for x in (a, b):
                    if x is None:
                        continue
                    if x.oper_up is False or x.admin_up is False:
                        state = "down"
                        break
                    if x.oper_up:
                        state = "up"
            out[lk.id] = (state, a, b)
        return out

    def cabled_state(
        self, a: Endpoint, b: Endpoint
    ) -> tuple[Status, InterfaceState | None, InterfaceState | None]:
        """A declared link LLDP sees cabled on other ports (drift wrong_port): its state is
        that of the ports it is on. Down when an end device is down or a seen port says so;
        otherwise up: LLDP frames pass over the cable this cycle. The declared ports, empty,
        say nothing about it (the cable is one finding, the drift, not also a link down)."""
        x, y = (
            self.interface(a) if a.interface else None,
            self.interface(b) if b.interface else None,
        )
        if self.status.get(a.device) == "down" or self.status.get(b.device) == "down":
            return "down", x, y
        if any(e is not None and (e.oper_up is False or e.admin_up is False) for e in (x, y)):
            return "down", x, y
        return "up", x, y


def observe(
    inventory: Inventory, results: Iterable[ProbeResult], index: Index | None = None
) -> Observed:
    index = index or Index.of(inventory)
    known = inventory.device_by_id
    ok: dict[str, list[str]] = {}
    failed: dict[str, list[str]] = {}
    interfaces: dict[str, dict[str, InterfaceState]] = {}
    neighbours: list[tuple[str, Neighbour]] = []
    sys_names: dict[str, str] = {}
    chassis: dict[str, set[str]] = {}  # a device's own LLDP chassis id -> the devices saying so
    lldp_read: set[str] = set()
    for r in results:
        if r.device not in known:
            continue  # the inventory decides what exists; stray results are not ours to judge
        (ok if r.success else failed).setdefault(r.device, []).append(r.probe)
        if not r.success:
            continue
        if r.sys_name:
            sys_names[_short(r.sys_name)] = r.device
        if r.chassis_id:
            chassis.setdefault(r.chassis_id.lower(), set()).add(r.device)
        if r.interfaces:
            table = interfaces.setdefault(r.device, {})
            for i in r.interfaces:
                seen = table.get(i.name)
                table[i.name] = i if seen is None else _fill(seen, i)
        if r.lldp_read:
            # Only then does an empty neighbour list mean "none seen" (drift may judge it);
            # a targeted poll that skipped LLDP says nothing about missing links.
            lldp_read.add(r.device)
        neighbours.extend((r.device, n) for n in r.neighbours)
    status: dict[str, Status] = {}
    for d in inventory.devices:
        status[d.id] = "up" if d.id in ok else "down" if d.id in failed else "unknown"
    # A chassis id two devices claim (a stack, a copied config) names neither: dropped.
    own = {c: next(iter(ds)) for c, ds in chassis.items() if len(ds) == 1}
    matcher = _Matcher(index, sys_names, interfaces, own)
    found = matcher.learn([n for _, n in neighbours])
    halves: dict[Half, None] = {}  # dict as an ordered set: snmp and ssh may report the same
    strangers: dict[Stranger, None] = {}
    for (device, n), direct in zip(neighbours, found, strict=True):
        remote = direct or matcher.by_chassis.get(n.chassis_id.lower())
        if remote is None:
            strangers[Stranger(device, n.local_interface, _describe(n))] = None
        elif remote != device:
            halves[Half(device, n.local_interface, remote, matcher.port(n, remote))] = None
    return Observed(
        status=status,
        probes_ok={k: tuple(v) for k, v in ok.items()},
        probes_failed={k: tuple(v) for k, v in failed.items()},
        interfaces=interfaces,
        lldp_read=frozenset(lldp_read),
        halves=tuple(halves),
        strangers=tuple(strangers),
    )


def _fill(first: InterfaceState, other: InterfaceState) -> InterfaceState:
    """One interface reported by two probes (SNMP and SSH): the first report, with what it
    left unknown taken from the other (SSH has no ifLastChange, SNMP no CDP...)."""
    missing = {
        f.name: getattr(other, f.name)
        for f in fields(first)
        if getattr(first, f.name) is None and getattr(other, f.name) is not None
    }
    return replace(first, **missing) if missing else first


def _describe(n: Neighbour) -> str:
    parts = [
        f"sysName={n.sys_name}" if n.sys_name else "",
        f"chassis={n.chassis_id} ({n.chassis_id_subtype})" if n.chassis_id else "",
        f"port={n.port_id} ({n.port_id_subtype})" if n.port_id else "",
        f"mgmt={n.mgmt_address}" if n.mgmt_address else "",
    ]
    return " ".join(p for p in parts if p)


def _short(name: str) -> str:
    return name.lower().split(".", 1)[0]


class _Matcher:
    """Maps an LLDP neighbour to an inventory device and its port id to an interface name."""

    def __init__(
        self,
        index: Index,
        sys_names: dict[str, str],
        interfaces: dict[str, dict[str, InterfaceState]],
        own_chassis: dict[str, str] | None = None,
    ) -> None:
        self.index = index
        self.sys_names = sys_names
        self.by_chassis: dict[str, str] = {}
        self.own_chassis = own_chassis or {}
        self.interfaces = interfaces

    # Built on the first neighbour to match: a cycle without LLDP (the declared design, an
    # icmp-only poll) never pays for 30,000 addresses (0.09 s at national size).
    @cached_property
    def by_mgmt(self) -> dict[str, str]:
        return self.index.by_mgmt

    @cached_property
    def by_name(self) -> dict[str, str]:
        names = self.index.by_name
        return {**names, **self.sys_names} if self.sys_names else names

    def direct(self, n: Neighbour) -> str | None:
        """Management address first; then the chassis id a polled device gave as its own
        (lldpLocChassisId: the neighbour is that device whatever its sysName says); then
        a network-address chassis id, the sysName, a locally assigned id equal to a name."""
        if n.mgmt_address and n.mgmt_address in self.by_mgmt:
            return self.by_mgmt[n.mgmt_address]
        if n.chassis_id and n.chassis_id.lower() in self.own_chassis:
            return self.own_chassis[n.chassis_id.lower()]
        if n.chassis_id_subtype == "network_address" and n.chassis_id in self.by_mgmt:
            return self.by_mgmt[n.chassis_id]
        if n.sys_name and _short(n.sys_name) in self.by_name:
            return self.by_name[_short(n.sys_name)]
        if n.chassis_id_subtype == "local" and _short(n.chassis_id) in self.by_name:
            return self.by_name[_short(n.chassis_id)]  # a locally assigned id is often the name
        return None

    def learn(self, neighbours: list[Neighbour]) -> list[str | None]:
        """Match each neighbour by address or name; remember the chassis ids (usually MACs) of
        those matched, so a neighbour that sends only its chassis id can still be matched.
        A chassis id claimed by two devices is dropped: guessing would invent adjacencies."""
        found = [self.direct(n) for n in neighbours]
        if all(found):
            return found  # nothing left to match by chassis id alone
        claims: dict[str, set[str]] = {}
        for n, device in zip(neighbours, found, strict=True):
            if device and n.chassis_id:
                claims.setdefault(n.chassis_id.lower(), set()).add(device)
        self.by_chassis = {c: next(iter(ds)) for c, ds in claims.items() if len(ds) == 1}
        return found

    def port(self, n: Neighbour, device: str) -> str:
        """The remote interface name, read according to the port-id subtype; "" if unknown.

        A MAC-address port id is never taken for a name (the classic LLDP decoding trap);
        the port description then names the port when it matches a known interface.
        """
        pid = n.port_id
        if n.port_id_subtype == "interface_name" and pid:
            return pid
        polled = self.interfaces.get(device, {})
        if n.port_id_subtype == "interface_alias":
            for name, state in polled.items():
                if state.alias and state.alias == pid:
                    return name
        if n.port_id_subtype == "local" and pid.isdigit():
            for name, state in polled.items():
                if state.index == int(pid):
                    return name
        declared = self.index.interfaces[device]
        if n.port_id_subtype != "mac_address" and (pid in declared or pid in polled):
            return pid
        if n.port_description in declared or n.port_description in polled:
            return n.port_description
        return ""
