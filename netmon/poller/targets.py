"""From inventory and settings to what each probe needs: the poller's side of the layering.

Probes cannot read config.yaml, so this module resolves credential sets into the probe-level
SnmpAuth and SshAuth values (secrets read once, when the poller starts), passes the SSH
settings (known_hosts, keepalive) on, and computes each device's uplinks: the interfaces named
in the inventory's links, read every cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from netmon.config import ProbeSettings, SecretRef, Settings, SnmpV2c, SnmpV3, SshCredential
from netmon.errors import NetmonError
from netmon.model import Device, Inventory
from netmon.probes import ProbeTarget
from netmon.probes.snmp_client import SnmpAuth, SnmpCommunity, SnmpUsm
from netmon.probes.ssh_client import SshAuth


@dataclass(frozen=True)
class Resolved:
    auth: SnmpAuth | None
    problem: str = ""


@dataclass(frozen=True)
class ResolvedSsh:
    auth: SshAuth | None
    problem: str = ""


def resolve_ssh(settings: Settings, names: Iterable[str]) -> dict[str, ResolvedSsh]:
    """Credential set name -> probe-level SSH auth, or the reason it cannot be used. A private
    key is read and checked here, once, so a bad key file is named before any connection."""
    from netmon.probes.ssh_asyncssh import key_problem  # asyncssh only when ssh is polled

    out: dict[str, ResolvedSsh] = {}
    for name in set(names):
        cred = settings.credentials.get(name)
        if not isinstance(cred, SshCredential):
            kind = "missing" if cred is None else "not an SSH credential set"
            out[name] = ResolvedSsh(None, f"credential set {name!r} is {kind} in config.yaml")
            continue
        if cred.private_key is None and cred.password is None:
            out[name] = ResolvedSsh(
                None, f"credential set {name!r} has neither private_key nor password"
            )
            continue
        try:
            key = cred.private_key.resolve().reveal() if cred.private_key else ""
            password = cred.password.resolve().reveal() if cred.password else ""
        except NetmonError as exc:  # a secret file or variable is missing: say which
            out[name] = ResolvedSsh(None, f"credential set {name!r}: {exc}")
            continue
        problem = key_problem(key) if key else ""
        if problem:
            where = cred.private_key.describe() if cred.private_key else ""
            out[name] = ResolvedSsh(None, f"credential set {name!r} ({where}): {problem}")
            continue
        out[name] = ResolvedSsh(SshAuth(cred.username, private_key=key, password=password))
    return out


def _reveal(ref: SecretRef | None) -> str:
    return ref.resolve().reveal() if ref is not None else ""


def resolve_snmp(settings: Settings, names: Iterable[str]) -> dict[str, Resolved]:
    """Credential set name -> probe-level auth, or the reason it cannot be used."""
    out: dict[str, Resolved] = {}
    for name in set(names):
        cred = settings.credentials.get(name)
        try:
            if isinstance(cred, SnmpV2c):
                out[name] = Resolved(SnmpCommunity(cred.community.resolve().reveal()))
            elif isinstance(cred, SnmpV3):
                # config.yaml has checked that the level has what it uses; the rest is unused
                out[name] = Resolved(
                    SnmpUsm(
                        user=cred.user,
                        auth_protocol=cred.auth_protocol or "sha",  # type: ignore[arg-type]
                        auth_key=_reveal(cred.auth_key),
                        priv_protocol=cred.priv_protocol or "aes",  # type: ignore[arg-type]
                        priv_key=_reveal(cred.priv_key),
                        level=cred.level,
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
    ssh_names = [d.credentials.ssh for d in devices if "ssh" in d.probes and d.credentials.ssh]
    ssh_creds = resolve_ssh(settings, ssh_names) if "ssh" in kinds else {}
    known_hosts = str(settings.ssh_known_hosts) if settings.ssh_known_hosts else ""
    out: dict[tuple[str, str], ProbeTarget] = {}
    for d in devices:
        for kind in d.probes:
            if kind not in kinds:
                continue
            ps = settings.probes.get(kind, ProbeSettings(1.0, 1))
            resolved = creds.get(d.credentials.snmp or "", Resolved(None, "no SNMP credential"))
            ssh = ssh_creds.get(d.credentials.ssh or "", ResolvedSsh(None, "no SSH credential"))
            problem = {"snmp": resolved.problem, "ssh": ssh.problem}.get(kind, "")
            out[(d.id, kind)] = ProbeTarget(
                device=d,
                timeout_s=ps.timeout_s,
                retries=ps.retries,
                port=(ports or {}).get(kind),
                uplinks=ups.get(d.id, ()),
                snmp_auth=resolved.auth if kind == "snmp" else None,
                auth_problem=problem,
                max_repetitions=settings.snmp_max_repetitions,
                ssh_auth=ssh.auth if kind == "ssh" else None,
                ssh_known_hosts=known_hosts if kind == "ssh" else "",
                ssh_keepalive_s=settings.ssh_keepalive_s,
            )
    return out
