"""The inventory as every stage sees it: frozen, validated, settings already inherited.

The YAML format (inventory/README.md) is richer for people (defaults, groups, several files);
by the time data reaches these types every reference has been checked and every device
carries its effective settings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from ipaddress import IPv4Address, IPv4Network
from typing import Literal

# What a device runs, named as netmiko and ntc-templates name it. SNMP, ICMP and TCP work on
# any; the SSH probe has commands and parsers for some (netmon/probes/ssh/platforms.py).
# "other": a device netmon has no SSH commands for, and what a device that names no platform
# is (never taken for linux: the ssh probe refuses it, `netmon validate` says so).
PLATFORMS: tuple[str, ...] = (
    "linux",
    "cisco_ios",
    "cisco_nxos",
    "arista_eos",
    "juniper_junos",
    "huawei_vrp",
    "hp_comware",
    "hp_procurve",
    "ruijie_os",
    "mikrotik_routeros",
    "zte_zxros",
    "other",
)
UNKNOWN_PLATFORM = "other"

SiteRole = Literal["core", "pop"]
DeviceRole = Literal["core", "pop", "cpe"]
LinkKind = Literal["access", "aggregation", "ring"]
# SNMPv3 USM security levels (RFC 3414), strongest first; config.yaml and the SNMP clients share it.
SnmpSecurityLevel = Literal["authPriv", "authNoPriv", "noAuthNoPriv"]
SNMP_SECURITY_LEVELS: tuple[SnmpSecurityLevel, ...] = ("authPriv", "authNoPriv", "noAuthNoPriv")
# How the NOC reaches the devices' management addresses: over MetroNet itself (in-band), or over
# a separate management network (out-of-band). Decides what a silent device means (topology).
Management = Literal["inband", "oob"]
MANAGEMENT_MODES: tuple[Management, ...] = ("inband", "oob")
SITE_ROLES: tuple[SiteRole, ...] = ("core", "pop")
DEVICE_ROLES: tuple[DeviceRole, ...] = ("core", "pop", "cpe")
LINK_KINDS: tuple[LinkKind, ...] = ("access", "aggregation", "ring")


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class Level:
    """An administrative level (province, district, commune...): data, not code."""

    id: str
    name: str


@dataclass(frozen=True)
class Group:
    """A grouping of agencies and sites, such as a district or an area."""

    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class Service:
    """An upstream service agencies reach through the core, attached at one or more devices."""

    id: str
    name: str
    devices: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    """A MetroNet site: the provincial core or a PoP."""

    id: str
    name: str
    role: SiteRole
    group: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    level: str
    group: str
    parent: str | None = None
    services: tuple[str, ...] = ()
    location: Location | None = None


@dataclass(frozen=True)
class CredentialRefs:
    """Names of credential sets defined in config.yaml; never the secrets themselves."""

    snmp: str | None = None
    ssh: str | None = None


@dataclass(frozen=True)
class Device:
    """A device with its effective settings (defaults -> groups -> device already applied)."""

    id: str
    role: DeviceRole
    mgmt: IPv4Address
    platform: str
    probes: tuple[str, ...]
    credentials: CredentialRefs
    interfaces: tuple[str, ...]
    site: str | None = None
    agency: str | None = None
    groups: tuple[str, ...] = ()
    # (probe kind, port) where the inventory sets `<kind>_port`; other kinds use their standard
    # port (the probe kinds are declared in netmon.probes, which the model cannot import).
    ports: tuple[tuple[str, int], ...] = ()

    def port(self, kind: str) -> int | None:
        """The port the inventory sets for a probe kind on this device, if any."""
        return next((p for k, p in self.ports if k == kind), None)


@dataclass(frozen=True)
class Endpoint:
    device: str
    interface: str

    def __str__(self) -> str:
        return f"{self.device}:{self.interface}"


@dataclass(frozen=True)
class Link:
    id: str
    a: Endpoint
    b: Endpoint
    kind: LinkKind
    capacity_bps: int

    def ends(self) -> tuple[Endpoint, Endpoint]:
        return (self.a, self.b)


@dataclass(frozen=True)
class Inventory:
    """The whole validated inventory. Lookups by id are built once, lazily."""

    name: str
    lab: bool
    management_network: IPv4Network | None
    levels: tuple[Level, ...]
    groups: tuple[Group, ...]
    services: tuple[Service, ...]
    sites: tuple[Site, ...]
    agencies: tuple[Agency, ...]
    devices: tuple[Device, ...]
    links: tuple[Link, ...]
    source: str = field(default="", compare=False)

    @cached_property
    def agency_by_id(self) -> dict[str, Agency]:
        return {a.id: a for a in self.agencies}

    @cached_property
    def device_by_id(self) -> dict[str, Device]:
        return {d.id: d for d in self.devices}

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    @cached_property
    def link_by_id(self) -> dict[str, Link]:
        return {lk.id: lk for lk in self.links}

    @cached_property
    def devices_of_agency(self) -> dict[str, tuple[Device, ...]]:
        out: dict[str, list[Device]] = {a.id: [] for a in self.agencies}
        for d in self.devices:
            if d.agency is not None:
                out[d.agency].append(d)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def links_of_device(self) -> dict[str, tuple[Link, ...]]:
        out: dict[str, list[Link]] = {d.id: [] for d in self.devices}
        for lk in self.links:
            out[lk.a.device].append(lk)
            out[lk.b.device].append(lk)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def dual_homed(self) -> tuple[str, ...]:
        """Agencies whose devices have two or more declared links (redundancy is two links)."""
        # Link ends counted in C (links_of_device's 30,000 tuples cost `inventory show` 0.1 s)
        ends = Counter(lk.a.device for lk in self.links)
        ends.update(lk.b.device for lk in self.links)
        mine = self.devices_of_agency
        return tuple(a.id for a in self.agencies if sum(ends[d.id] for d in mine[a.id]) >= 2)

    def core_devices(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.role == "core")
