"""Checks that span entries and files: ids, references, addresses, cycles, paths to the core.

Runs after every file passed its own shape check; each problem points at the entry and key
where it can be fixed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable
from ipaddress import AddressValueError, IPv4Network

from netmon.errors import Problem
from netmon.inventory.load import Entry, Raw, ipv4, settings_of
from netmon.model import UNKNOWN_PLATFORM, Inventory
from netmon.probes.ssh.platforms import PLATFORMS as SSH_PLATFORMS

# The kernel's rule for interface names: what the lab can create as a veth.
_LINUX_IFNAME = re.compile(r"[A-Za-z0-9_.:-]{1,15}")


def _ids(entries: list[Entry], what: str, problems: list[Problem]) -> dict[str, Entry]:
    seen: dict[str, Entry] = {}
    for e in entries:
        ident = e.data.get("id")
        if ident is None:
            continue
        if ident in seen:
            first = seen[ident]
            problems.append(
                e.problem(
                    "id",
                    f"duplicate {what} id '{ident}'",
                    f"first defined at {first.file}:{first.at('id')[0]}",
                )
            )
        else:
            seen[ident] = e
    return seen


def _ref(
    e: Entry, key: str, value: str, known: Collection[str], what: str, problems: list[Problem]
) -> bool:
    if value in known:  # a dict or set: constant time, this runs once per reference
        return True
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.7)
    hint = (
        f"did you mean '{close[0]}'?"
        if close
        else f"define {what} '{value}' first, or fix the name"
    )
    problems.append(e.problem(key, f"unknown {what} '{value}'", hint))
    return False


def check_references(raw: Raw, credential_names: Iterable[str] | None) -> list[Problem]:
    p: list[Problem] = []
    s = raw.sections
    levels = _ids(s["levels"], "level", p)
    groups = _ids(s["groups"], "group", p)
    services = _ids(s["services"], "service", p)
    sites = _ids(s["sites"], "site", p)
    agencies = _ids(s["agencies"], "agency", p)
    devices = _ids(s["devices"], "device", p)
    _ids(s["links"], "link", p)

    for e in s["agencies"]:
        d = e.data
        _ref(e, "level", d["level"], levels, "level", p)
        _ref(e, "group", d["group"], groups, "group", p)
        if "parent" in d:
            if d["parent"] == d["id"]:
                p.append(
                    e.problem(
                        "parent",
                        f"agency '{d['id']}' is its own parent",
                        "name the agency above it, or remove 'parent'",
                    )
                )
            else:
                _ref(e, "parent", d["parent"], agencies, "agency", p)
        for svc in d.get("services", ()):
            _ref(e, "services", svc, services, "service", p)
    for e in s["sites"]:
        if "group" in e.data:
            _ref(e, "group", e.data["group"], groups, "group", p)
    for e in s["services"]:
        for dev in e.data["devices"]:
            _ref(e, "devices", dev, devices, "device", p)
    _check_devices(raw, sites, agencies, credential_names, p)
    _check_links(raw, devices, p)
    _check_parent_cycles(agencies, p)
    return p


def _check_devices(
    raw: Raw,
    sites: dict[str, Entry],
    agencies: dict[str, Entry],
    credential_names: Iterable[str] | None,
    p: list[Problem],
) -> None:
    meta = raw.meta.data if raw.meta else {}
    network: IPv4Network | None = None
    if "management_network" in meta:
        try:
            network = IPv4Network(meta["management_network"])
        except ValueError as exc:
            assert raw.meta is not None
            p.append(
                raw.meta.problem(
                    "management_network",
                    f"invalid network: {exc}",
                    "write it as an IPv4 CIDR such as 10.46.0.0/16",
                )
            )
    creds = None if credential_names is None else set(credential_names)
    lab = bool(meta.get("lab", False))
    # By the address's int, and the network as ints: IPv4Address hashes through hex() and
    # IPv4Network's `in` is Python code (a fifth of these checks, 30,000 devices at national
    # size).
    mgmt_seen: dict[int, Entry] = {}
    net = None if network is None else (int(network.network_address), int(network.netmask))
    for e in raw.device_groups.values():
        _check_credentials(e, creds, p)
    if raw.defaults:
        _check_credentials(raw.defaults, creds, p)
    for e in raw.sections["devices"]:
        d = e.data
        role = d["role"]
        if "site" in d and _ref(e, "site", d["site"], sites, "site", p) and role == "cpe":
            p.append(
                e.problem(
                    "role",
                    f"device '{d['id']}' is a cpe but sits at a site",
                    "a CPE belongs to an agency: write 'agency: ID' instead of 'site'",
                )
            )
        if (
            "agency" in d
            and _ref(e, "agency", d["agency"], agencies, "agency", p)
            and role != "cpe"
        ):
            p.append(
                e.problem(
                    "role",
                    f"device '{d['id']}' has role {role} but belongs to an agency",
                    "devices of agencies have role cpe",
                )
            )
        for g in d.get("groups", ()):
            _ref(e, "groups", g, raw.device_groups, "device group", p)
        _check_credentials(e, creds, p)
        try:
            addr = ipv4(d["mgmt"])
        except AddressValueError:
            p.append(
                e.problem(
                    "mgmt",
                    f"invalid management address '{d['mgmt']}'",
                    "write a single IPv4 address such as 10.46.16.1 (no prefix length)",
                )
            )
            continue
        number = int(addr)
        first = mgmt_seen.setdefault(number, e)
        if first is not e:
            p.append(
                e.problem(
                    "mgmt",
                    f"management address {addr} is also used by device '{first.data['id']}'",
                    f"see {first.file}:{first.at('mgmt')[0]}",
                )
            )
        if net is not None and (number & net[1]) != net[0]:
            p.append(
                e.problem(
                    "mgmt",
                    f"management address {addr} is outside {network}",
                    "use an address from the inventory's management_network",
                )
            )
        if lab:
            for name in d["interfaces"]:
                if not _LINUX_IFNAME.fullmatch(name):
                    p.append(
                        e.problem(
                            "interfaces",
                            f"interface name '{name}' cannot be created in the lab",
                            "lab inventories use Linux interface names: "
                            "at most 15 characters, no '/' or spaces",
                        )
                    )
        _check_platform(raw, e, p)
        if len(set(d["interfaces"])) != len(d["interfaces"]):
            p.append(
                e.problem(
                    "interfaces",
                    f"device '{d['id']}' lists an interface twice",
                    "list each interface once",
                )
            )


def _check_platform(raw: Raw, e: Entry, p: list[Problem]) -> None:
    """A device probed over SSH needs a platform netmon has commands for: one that names
    none is "other", never taken for linux (its prompt and commands would be guesses)."""
    eff = settings_of(raw, e.data)
    platform = eff.get("platform", UNKNOWN_PLATFORM)
    if "ssh" not in eff.get("probes", ()) or platform in SSH_PLATFORMS:
        return
    what = "names no platform" if "platform" not in eff else f"is a {platform} device"
    key = "platform" if "platform" in e.data else "probes" if "probes" in e.data else "id"
    p.append(
        e.problem(
            key,
            f"device '{e.data['id']}' is probed by ssh but {what}, which netmon has no SSH "
            "commands for",
            f"set platform to one of {', '.join(sorted(SSH_PLATFORMS))} (here, in a device "
            "group or in defaults), or leave ssh out of its probes: SNMP, ICMP and TCP work on "
            "any platform",
        )
    )


def _check_credentials(e: Entry, creds: set[str] | None, p: list[Problem]) -> None:
    refs = e.data.get("credentials", {})
    if creds is None:
        return
    for kind in refs:
        if refs[kind] not in creds:
            close = difflib.get_close_matches(refs[kind], list(creds), n=1, cutoff=0.6)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"define credential set '{refs[kind]}' under credentials: in config.yaml"
            )
            line, col = e.where(refs).get(kind) or e.at("credentials")
            p.append(Problem(e.file, line, col, f"unknown credential set '{refs[kind]}'", hint))


def _check_links(raw: Raw, devices: dict[str, Entry], p: list[Problem]) -> None:
    used: dict[tuple[str, str], Entry] = {}
    # A PoP lists dozens of ports and most links end at one: looked up in a set, made once
    names: dict[str, set[str]] = {}
    for e in raw.sections["links"]:
        d = e.data
        if d["a"]["device"] == d["b"]["device"]:
            p.append(
                e.problem(
                    "b",
                    f"link '{d['id']}' joins device '{d['a']['device']}' to itself",
                    "a link joins two different devices",
                )
            )
        for side in ("a", "b"):
            end = d[side]
            dev = devices.get(end["device"])
            if dev is None:
                line, col = _end_at(e, side, "device")
                close = difflib.get_close_matches(end["device"], list(devices), n=1, cutoff=0.7)
                hint = f"did you mean '{close[0]}'?" if close else "define the device first"
                p.append(Problem(e.file, line, col, f"unknown device '{end['device']}'", hint))
                continue
            ports = names.get(end["device"])
            if ports is None:
                ports = names[end["device"]] = set(dev.data["interfaces"])
            if end["interface"] not in ports:
                line, col = _end_at(e, side, "interface")
                close = difflib.get_close_matches(end["interface"], dev.data["interfaces"], n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"add it to the interfaces of device '{end['device']}' "
                    f"({dev.file}:{dev.at('interfaces')[0]})"
                )
                p.append(
                    Problem(
                        e.file,
                        line,
                        col,
                        f"device '{end['device']}' has no interface '{end['interface']}'",
                        hint,
                    )
                )
                continue
            key = (end["device"], end["interface"])
            if key in used:
                other = used[key]
                line, col = _end_at(e, side, "interface")
                p.append(
                    Problem(
                        e.file,
                        line,
                        col,
                        f"interface {key[0]}:{key[1]} is already used by link '{other.data['id']}'",
                        "one interface carries one link",
                    )
                )
            used.setdefault(key, e)


def _end_at(e: Entry, side: str, key: str) -> tuple[int, int]:
    """Where a link end's key is (or the end itself): asked only for a problem, since reading
    positions can cost (yamlspec/flowlines.py works them out on demand)."""
    keys = e.where(e.data[side])
    return keys[key] if key in keys else e.at(side)


def _check_parent_cycles(agencies: dict[str, Entry], p: list[Problem]) -> None:
    parent = {
        a: e.data["parent"]
        for a, e in agencies.items()
        if "parent" in e.data and e.data["parent"] in agencies and e.data["parent"] != a
    }
    done: set[str] = set()
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in done and node not in path:
            path.append(node)
            node = parent.get(node)
        if node is not None and node in path:
            cycle = path[path.index(node) :]
            e = agencies[cycle[0]]
            p.append(
                e.problem(
                    "parent",
                    "parent cycle: " + " -> ".join([*cycle, cycle[0]]),
                    "an agency cannot be its own ancestor: fix one 'parent'",
                )
            )
        done.update(path)


def unconnected(raw: Raw, cut_off: Collection[str]) -> list[Problem]:
    """A warning for each agency cut_off names: none of its devices has a declared path to a
    core device (unreached(model): the model has every reference resolved, so this comes
    after check_references has found nothing)."""
    if not cut_off:
        return []
    return [
        e.problem(
            "id",
            f"agency '{e.data['id']}' has no declared path to the core",
            "add its CPE device and a link towards a PoP",
            severity="warning",
        )
        for e in raw.sections["agencies"]
        if e.data["id"] in cut_off
    ]


def unreached(inventory: Inventory) -> set[str]:
    """The agencies none of whose devices has a declared path to a core device."""
    neighbours: dict[str, list[str]] = {}
    for lk in inventory.links:
        a, b = lk.a.device, lk.b.device
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    seen = {d.id for d in inventory.devices if d.role == "core"}
    todo = list(seen)
    while todo:
        for nxt in neighbours.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    has_path = {d.agency for d in inventory.devices if d.agency is not None and d.id in seen}
    return {a.id for a in inventory.agencies if a.id not in has_path}
