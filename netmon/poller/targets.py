"""From inventory and settings to what each probe needs: the poller's side of the layering.

Probes cannot read config.yaml, so this module resolves credential sets into the probe-level
SnmpAuth values (secrets read once, when the poller starts) and computes each device's uplinks:
the interfaces named in the inventory's links, read every cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from netmon.config import ProbeSettings, Settings, SnmpV2c, SnmpV3
from netmon.errors import NetmonError
from netmon.model import Device, Inventory
from netmon.probes import ProbeTarget
from netmon.probes.snmp_client import SnmpAuth, SnmpCommunity, SnmpUsm


@dataclass(frozen=True)
class Resolved:
    auth: SnmpAuth | None
    problem: str = ""


def resolve_snmp(settings: Settings, names: Iterable[str]) -> dict[str, Resolved]:
    """Credential set name -> probe-level auth, or the reason it cannot be used."""
    out: dict[str, Resolved] = {}
    for name in set(names):
        cred = settings.credentials.get(name)
        try:
            if isinstance(cred, SnmpV2c):
                out[name] = Resolved(SnmpCommunity(cred.community.resolve().reveal()))
            elif isinstance(cred, SnmpV3):
                out[name] = Resolved(
                    SnmpUsm(
                        user=cred.user,
                        auth_protocol=cred.auth_protocol,  # type: ignore[arg-type]
                        auth_key=cred.auth_key.resolve().reveal(),
                        priv_protocol=cred.priv_protocol,  # type: ignore[arg-type]
                        priv_key=cred.priv_key.resolve().reveal(),
                    )
                )
            else:
                kind = "missing" if cred is None else "not an SNMP credential set"
                out[name] = Resolved(None, f"credential set {name!r} is {kind} in config.yaml")
        except NetmonError as exc:  # a secret file or variable is missing: say which
            out[name] = Resolved(None, f"credential set {name!r}: {exc}")
    return out


def uplinks(inventory: Inventory) -> dict[str, tuple[str, ...]]:
    """Device id -> its interfaces towards the core, read every cycle.

    A link is an uplink for the end that is farther from a core device (in declared hops) and
    for both ends when they are equally far (a ring, core to core). So a CPE polls its access
    link and a PoP its ring and aggregation links, not the dozens of access ports that the
    CPEs at their other end already report every cycle (full reads still read them all).
    """
    hops = _hops_from_core(inventory)
    far = len(inventory.devices) + 1  # not connected to a core: treat every link as an uplink
    out: dict[str, list[str]] = {d.id: [] for d in inventory.devices}
    for link in inventory.links:
        a, b = link.a, link.b
        ha, hb = hops.get(a.device, far), hops.get(b.device, far)
        if ha >= hb:
            out[a.device].append(a.interface)
        if hb >= ha:
            out[b.device].append(b.interface)
    return {k: tuple(v) for k, v in out.items()}


def _hops_from_core(inventory: Inventory) -> dict[str, int]:
    neighbours: dict[str, list[str]] = {d.id: [] for d in inventory.devices}
    for link in inventory.links:
        neighbours[link.a.device].append(link.b.device)
        neighbours[link.b.device].append(link.a.device)
    hops = {d.id: 0 for d in inventory.core_devices()}
    frontier = list(hops)
    while frontier:
        nxt = []
        for device in frontier:
            for peer in neighbours[device]:
                if peer not in hops:
                    hops[peer] = hops[device] + 1
                    nxt.append(peer)
        frontier = nxt
    return hops


def build_targets(
    devices: Iterable[Device],
    kinds: Iterable[str],
    settings: Settings,
    inventory: Inventory,
    ports: Mapping[str, int] | None = None,
) -> dict[tuple[str, str], ProbeTarget]:
    """(device id, probe) -> ProbeTarget for every probe each device lists and `kinds` allows."""
    kinds = set(kinds)
    devices = list(devices)
    ups = uplinks(inventory)
    creds = resolve_snmp(
        settings,
        (d.credentials.snmp for d in devices if "snmp" in d.probes and d.credentials.snmp),
    )
    out: dict[tuple[str, str], ProbeTarget] = {}
    for d in devices:
        for kind in d.probes:
            if kind not in kinds:
                continue
            ps = settings.probes.get(kind, ProbeSettings(1.0, 1))
            resolved = creds.get(d.credentials.snmp or "", Resolved(None, "no SNMP credential"))
            out[(d.id, kind)] = ProbeTarget(
                device=d,
                timeout_s=ps.timeout_s,
                retries=ps.retries,
                port=(ports or {}).get(kind),
                uplinks=ups.get(d.id, ()),
                snmp_auth=resolved.auth if kind == "snmp" else None,
                auth_problem=resolved.problem if kind == "snmp" else "",
                max_repetitions=settings.snmp_max_repetitions,
            )
    return out
