"""A small builder for hand-made inventories and probe results (no YAML, no loader)."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address

from netmon.model import (
    Agency,
    CredentialRefs,
    Device,
    Endpoint,
    Group,
    InterfaceState,
    Inventory,
    Level,
    Link,
    Neighbour,
    ProbeResult,
    Service,
    Site,
)


@dataclass
class Net:
    """Devices get interfaces on demand, named after the device at the other end."""

    name: str = "MetroNet test"
    levels: list[Level] = field(
        default_factory=lambda: [Level("province", "Cấp tỉnh"), Level("commune", "Cấp xã")]
    )
    groups: dict[str, Group] = field(default_factory=dict)
    sites: list[Site] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    devices: dict[str, dict[str, object]] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)

    def _device(
        self, id: str, role: str, site: str | None = None, agency: str | None = None
    ) -> None:
        n = len(self.devices) + 1
        self.devices[id] = {
            "role": role,
            "site": site,
            "agency": agency,
            "interfaces": [],
            "mgmt": IPv4Address(f"10.46.{n // 250}.{n % 250 + 1}"),
        }

    def group(self, id: str, name: str) -> str:
        self.groups[id] = Group(id, name, "district")
        return id

    def core(self, id: str = "core-1", site: str = "core") -> str:
        if not any(s.id == site for s in self.sites):
            self.sites.append(Site(site, "Trung tâm dữ liệu tỉnh", "core"))
        self._device(id, "core", site=site)
        return id

    def pop(self, id: str, group: str, site: str | None = None) -> str:
        site = site or id
        if not any(s.id == site for s in self.sites):
            self.sites.append(Site(site, f"PoP {self.groups[group].name}", "pop", group))
        self._device(id, "pop", site=site)
        return id

    def agency(
        self,
        id: str,
        name: str,
        group: str,
        *uplinks: str,
        level: str = "commune",
        devices: int = 1,
    ) -> str:
        """An agency with `devices` CPEs; uplinks are shared round-robin between them."""
        self.agencies.append(
            Agency(id, name, level, group, services=tuple(s.id for s in self.services))
        )
        cpes = [f"cpe-{id}" if devices == 1 else f"cpe-{id}-{i}" for i in range(devices)]
        for cpe in cpes:
            self._device(cpe, "cpe", agency=id)
        for i, up in enumerate(uplinks):
            self.link(up, cpes[i % devices], kind="access")
        return id

    def service(self, id: str, name: str, *devices: str) -> str:
        self.services.append(Service(id, name, tuple(devices)))
        return id

    def port(self, device: str, peer: str) -> str:
        ifaces: list[str] = self.devices[device]["interfaces"]  # type: ignore[assignment]
        base = f"to-{peer}"[:15]
        name = base if base not in ifaces else f"{base[:12]}-{len(ifaces)}"
        ifaces.append(name)
        return name

    def link(self, a: str, b: str, kind: str = "ring", id: str | None = None) -> str:
        lid = id or f"{a}--{b}"
        if any(lk.id == lid for lk in self.links):
            lid = f"{lid}-{len(self.links)}"
        self.links.append(
            Link(
                lid, Endpoint(a, self.port(a, b)), Endpoint(b, self.port(b, a)), kind, 1_000_000_000
            )
        )  # type: ignore[arg-type]
        return lid

    def inventory(self) -> Inventory:
        devices = tuple(
            Device(
                id,
                d["role"],
                d["mgmt"],
                "linux",
                ("icmp", "snmp"),  # type: ignore[arg-type]
                CredentialRefs("lab-snmp"),
                tuple(d["interfaces"]),  # type: ignore[arg-type]
                site=d["site"],
                agency=d["agency"],
            )  # type: ignore[arg-type]
            for id, d in self.devices.items()
        )
        return Inventory(
            self.name,
            True,
            None,
            tuple(self.levels),
            tuple(self.groups.values()),
            tuple(self.services),
            tuple(self.sites),
            tuple(self.agencies),
            devices,
            tuple(self.links),
        )


def healthy(
    inv: Inventory,
    *,
    lldp: bool = True,
    down_ifaces: set[Endpoint] = frozenset(),
    dead: set[str] = frozenset(),
    skip: set[Link] = frozenset(),
) -> list[ProbeResult]:
    """What the probes of a network built exactly as declared would return.

    down_ifaces read oper down (and LLDP loses the neighbour there); dead devices fail every
    probe; links in `skip` are left out of LLDP entirely (for drift tests to replace).
    """
    by_end = {}
    for lk in inv.links:
        if lk in skip:
            continue
        by_end[lk.a] = lk.b
        by_end[lk.b] = lk.a
    out = []
    for d in inv.devices:
        if d.id in dead:
            out.append(ProbeResult(d.id, "icmp", False, 1.0, reason="timeout"))
            out.append(ProbeResult(d.id, "snmp", False, 1.0, reason="timeout"))
            continue
        ifaces = []
        neighbours = []
        for i, name in enumerate(d.interfaces, start=1):
            end = Endpoint(d.id, name)
            up = end not in down_ifaces
            ifaces.append(InterfaceState(name, index=i, oper_up=up, admin_up=True))
            far = by_end.get(end)
            if (
                lldp
                and up
                and far is not None
                and far not in down_ifaces
                and far.device not in dead
            ):
                peer = inv.device_by_id[far.device]
                neighbours.append(
                    Neighbour(
                        name,
                        chassis_id=f"02:00:00:00:00:{len(out):02x}",
                        chassis_id_subtype="mac_address",
                        port_id=far.interface,
                        port_id_subtype="interface_name",
                        sys_name=peer.id,
                        mgmt_address=str(peer.mgmt),
                    )
                )
        out.append(ProbeResult(d.id, "icmp", True, 0.001, rtt_s=0.001))
        out.append(
            ProbeResult(
                d.id,
                "snmp",
                True,
                0.01,
                sys_name=d.id,
                interfaces=tuple(ifaces),
                neighbours=tuple(neighbours),
                lldp_read=True,
            )
        )
    return out


def metronet() -> Net:
    """Core, two PoPs in a ring with it, single-homed, dual-homed and two-CPE agencies."""
    net = Net()
    net.group("phu-vang", "Huyện Phú Vang")
    net.group("huong-tra", "Thị xã Hương Trà")
    core = net.core()
    net.service("tslcd", "Mạng truyền số liệu chuyên dùng", core)
    a = net.pop("pop-phu-vang", "phu-vang")
    b = net.pop("pop-huong-tra", "huong-tra")
    net.link(core, a, id="core-1--pop-phu-vang")
    net.link(a, b, id="pop-phu-vang--pop-huong-tra")
    net.link(b, core, id="pop-huong-tra--core-1")
    net.agency("ubnd-phu-thuan", "UBND xã Phú Thuận", "phu-vang", a)
    net.agency("ubnd-phu-an", "UBND xã Phú An", "phu-vang", a)
    net.agency("ubnd-huong-van", "UBND phường Hương Vân", "huong-tra", b)
    net.agency("so-tttt", "Sở Thông tin và Truyền thông", "phu-vang", a, b, level="province")
    net.agency(
        "ubnd-tinh", "UBND tỉnh Thừa Thiên Huế", "huong-tra", a, b, level="province", devices=2
    )
    return net
