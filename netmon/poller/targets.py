"""From inventory and settings to what each probe needs: the poller's side of the layering.

Probes cannot read config.yaml, so this module gives each target its kind's settings (config
over the kind's declared defaults) and any port override, resolves the credential set the kind
needs into the probe-level SnmpAuth or SshAuth (secrets read once, when the poller starts; SSH
with the known_hosts file), and computes each device's uplinks: the interfaces named in the
inventory's links, read every cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from netmon.config import SecretRef, Settings, SnmpV2c, SnmpV3, SshCredential
from netmon.config.credentials import passphrase_problem
from netmon.errors import NetmonError
from netmon.model import Device, Inventory, Management
from netmon.probes import KINDS, ProbeTarget
from netmon.probes.snmp.client import SnmpAuth, SnmpCommunity, SnmpUsm
from netmon.probes.ssh.client import SshAuth


@dataclass(frozen=True)
class Resolved:
    auth: SnmpAuth | None
    problem: str = ""


@dataclass(frozen=True)
class ResolvedSsh:
    auth: SshAuth | None
    problem: str = ""


Resolver = Callable[[Settings, Iterable[str]], Mapping[str, Resolved | ResolvedSsh]]


def resolve_ssh(settings: Settings, names: Iterable[str]) -> dict[str, ResolvedSsh]:
    """Credential set name -> probe-level SSH auth, or the reason it cannot be used. A private
    key is read and checked here, once, so a bad key file is named before any connection."""
    from netmon.probes.ssh.asyncssh_client import key_problem  # asyncssh only when ssh is polled

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
            out[name] = ResolvedSsh(None, f"credential set {name!r}: {_why(exc)}")
            continue
        problem = key_problem(key) if key else ""
        if problem:
            where = cred.private_key.describe() if cred.private_key else ""
            out[name] = ResolvedSsh(None, f"credential set {name!r} ({where}): {problem}")
            continue
        known = str(settings.ssh_known_hosts) if settings.ssh_known_hosts else ""
        out[name] = ResolvedSsh(
            SshAuth(cred.username, private_key=key, password=password, known_hosts=known)
        )
    return out


def _why(exc: NetmonError) -> str:
    """What is wrong, without the FILE:LINE:COL a ConfigError renders (a probe's detail)."""
    problems = getattr(exc, "problems", None)
    return problems[0].message if problems else str(exc)


def _reveal(ref: SecretRef | None) -> str:
    return ref.resolve().reveal() if ref is not None else ""


def _usm(name: str, cred: SnmpV3) -> Resolved:
    """A v3 set as the SNMP client takes it, or why it cannot be used: a passphrase RFC 3414
    refuses is named here, when the secret is read, with where it comes from (never itself)."""
    keys = {"auth_key": cred.auth_key, "priv_key": cred.priv_key}
    values = {key: _reveal(ref) for key, ref in keys.items()}
    for key, ref in keys.items():
        problem = ref and passphrase_problem(name, key, ref, values[key])
        if problem:
            return Resolved(None, problem)
    # config.yaml has checked that the level has what it uses; the rest is unused
    return Resolved(
        SnmpUsm(
            user=cred.user,
            auth_protocol=cred.auth_protocol or "SHA",
            auth_key=values["auth_key"],
            priv_protocol=cred.priv_protocol or "AES",
            priv_key=values["priv_key"],
            level=cred.level,
        )
    )


def resolve_snmp(settings: Settings, names: Iterable[str]) -> dict[str, Resolved]:
    """Credential set name -> probe-level auth, or the reason it cannot be used."""
    out: dict[str, Resolved] = {}
    for name in set(names):
        cred = settings.credentials.get(name)
        try:
            if isinstance(cred, SnmpV2c):
                out[name] = Resolved(SnmpCommunity(cred.community.resolve().reveal()))
            elif isinstance(cred, SnmpV3):
                out[name] = _usm(name, cred)
            else:
                kind = "missing" if cred is None else "not an SNMP credential set"
                out[name] = Resolved(None, f"credential set {name!r} is {kind} in config.yaml")
        except NetmonError as exc:  # a secret file or variable is missing: say which
            out[name] = Resolved(None, f"credential set {name!r}: {_why(exc)}")
    return out


def uplinks(inventory: Inventory, management: Management = "oob") -> dict[str, tuple[str, ...]]:
    """Device id -> the interfaces it reads every cycle.

    Out of band, a link is an uplink for the end that is farther from a core device (in
    declared hops) and for both ends when they are equally far (a ring, core to core). So a
    CPE polls its access link and a PoP its ring and aggregation links, not the dozens of
    access ports that the CPEs at their other end already report every cycle (full reads still
    read them all).

    In-band, the far end falls silent exactly when the link fails (a PoP cut off, a CPE dark):
    then its neighbour's port is the NOC's only view of the link, so both ends read every
    declared link every cycle (at 467 agencies about 500 more ports, a few more GETs per PoP).
    """
    if management == "inband":
        both: dict[str, list[str]] = {d.id: [] for d in inventory.devices}
        for link in inventory.links:
            both[link.a.device].append(link.a.interface)
            both[link.b.device].append(link.b.interface)
        return {k: tuple(v) for k, v in both.items()}
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


# How the credential set a kind needs (ProbeKind.credential) becomes probe-level auth.
RESOLVERS: dict[str, Resolver] = {"snmp": resolve_snmp, "ssh": resolve_ssh}


def build_targets(
    devices: Iterable[Device],
    kinds: Iterable[str],
    settings: Settings,
    inventory: Inventory,
    ports: Mapping[str, int] | None = None,
) -> dict[tuple[str, str], ProbeTarget[Any]]:
    """(device id, probe) -> ProbeTarget for every probe each device lists and `kinds` allows.
    `ports`: a port per kind for every device (tests and the lab's forwarded ports)."""
    kinds = set(kinds)
    devices = list(devices)
    ups = uplinks(inventory, settings.management)
    auth: dict[str, Mapping[str, Resolved | ResolvedSsh]] = {}
    for cred in {KINDS[k].credential for k in kinds}:
        if cred is None:
            continue
        names = [
            name
            for d in devices
            if any(KINDS[k].credential == cred for k in d.probes if k in kinds)
            and (name := getattr(d.credentials, cred))
        ]
        auth[cred] = RESOLVERS[cred](settings, names)
    out: dict[tuple[str, str], ProbeTarget[Any]] = {}
    for d in devices:
        for name in d.probes:
            if name not in kinds:
                continue
            kind = KINDS[name]
            resolved: Resolved | ResolvedSsh = Resolved(None)
            if kind.credential is not None:
                ref = getattr(d.credentials, kind.credential) or ""
                missing = Resolved(None, f"no {kind.credential.upper()} credential")
                resolved = auth[kind.credential].get(ref, missing)
            out[(d.id, name)] = ProbeTarget(
                device=d,
                settings=settings.probe(name),
                port=(ports or {}).get(name),
                uplinks=ups.get(d.id, ()),
                auth=resolved.auth,
                auth_problem=resolved.problem,
            )
    return out
