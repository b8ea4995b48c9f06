"""Read an inventory folder: every file checked, sections joined, references resolved.

`check_inventory` returns every problem in one run (what `netmon validate` prints);
`load_inventory` is the same, raising InventoryError when there is any error; `load_then`
also makes something of the inventory (a snapshot) while its last checks finish.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, field
from ipaddress import IPv4Address, IPv4Network
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from netmon.errors import InventoryError, Problem
from netmon.inventory.cache import InventoryCache
from netmon.inventory.fork import Forked
from netmon.inventory.format import FILE, PORT_KEYS
from netmon.inventory.place import Placer
from netmon.inventory.split import (
    PositionElsewhere,
    Read,
    ToRead,
    read_files,
    worth_splitting,
)
from netmon.model import (
    UNKNOWN_PLATFORM,
    Agency,
    CredentialRefs,
    Device,
    Endpoint,
    Group,
    Inventory,
    Level,
    Link,
    Location,
    Service,
    Site,
)
from netmon.yamlspec import ROOT, Checker, Mapping, no_cyclic_gc, parse_yaml, read_bytes
from netmon.yamlspec.fast import read_checked

# A dotted quad of decimal octets without leading zeros: what IPv4Address accepts in the usual
# spelling, read here as an int (IPv4Address(int) is 5x cheaper than its own parser). Anything
# else goes to IPv4Address(text), which accepts or refuses it with its own message.
_DOTTED_QUAD = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])",
    re.ASCII,
)


def _ipv4(text: str) -> IPv4Address:
    if _DOTTED_QUAD.fullmatch(text):
        a, b, c, d = map(int, text.split("."))
        return IPv4Address((a << 24) | (b << 16) | (c << 8) | d)
    return IPv4Address(text)


# Parsed once for the checks and again for the model: cached, since ipaddress's parser costs
# about 6 us an address (0.4 s for the two passes over a national inventory without it).
ipv4 = functools.lru_cache(maxsize=65536)(_ipv4)

LIST_SECTIONS = ("levels", "groups", "services", "sites", "agencies", "devices", "links")


class Entry(NamedTuple):
    """One checked item of a list section, with the file it came from. A NamedTuple, not a
    frozen dataclass: 94,000 of them at national size are made twice as fast (0.02 s).
    placer: where its data is when it was read without positions (place.py)."""

    file: str
    data: Mapping
    placer: Placer | None = None

    def where(self, data: Any = None) -> Any:
        """The positions of the keys (or items) of data, this entry's or a container in it."""
        return self._placed(self.data if data is None else data).at

    def at(self, key: str | None = None) -> tuple[int, int]:
        found = self._placed(self.data)
        keys = found.at
        if key is not None and key in keys:
            return keys[key]  # type: ignore[no-any-return]
        return found.line, found.col

    def problem(
        self, key: str | None, message: str, hint: str = "", severity: str = "error"
    ) -> Problem:
        line, col = self.at(key)
        return Problem(
            self.file, line, col, message, hint, "warning" if severity == "warning" else "error"
        )

    def _placed(self, data: Any) -> Any:
        if placed(data):
            return data
        if self.placer is None:
            raise PositionElsewhere
        return self.placer.placed(self.file, data)


def placed(data: Any) -> bool:
    """Whether checked data carries its positions: not when it was read in another process
    (split.py) or taken from the cache (cache.py), which keep it plain."""
    return isinstance(data, Mapping)


@dataclass
class Raw:
    """The folder's files, checked one by one and joined by section."""

    meta: Entry | None = None
    sections: dict[str, list[Entry]] = field(default_factory=lambda: {s: [] for s in LIST_SECTIONS})
    defaults: Entry | None = None
    device_groups: dict[str, Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # settings_of, once per device (the checks and the model both ask): id(device data) -> it
    settings: dict[int, dict[str, Any]] = field(default_factory=dict)
    # defaults and device groups merged, once per list of groups: most devices share a few
    bases: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)
    # each file's checked result
    read: dict[str, Read] = field(default_factory=dict)
    # where data read without positions is, when a problem asks (place.py)
    placer: Placer | None = None

    @property
    def elsewhere(self) -> set[str]:
        """The files whose data has no positions (read in another process, or taken from the
        cache: plain dicts and lists)."""
        return {n for n, (_, data) in self.read.items() if data is not None and not placed(data)}

    def here(self) -> dict[str, Read]:
        """The files read here, with their positions."""
        return {name: r for name, r in self.read.items() if name not in self.elsewhere}


def inventory_files(folder: Path) -> list[Path]:
    """The files of an inventory: every *.yaml of a folder, in name order; or one file."""
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


T = TypeVar("T")
# What to make of a checked inventory (load_then), begun before its checks have all ended.
Then = Callable[[Inventory], object]


def check_inventory(
    folder: Path,
    credential_names: Iterable[str] | None = None,
    cache: InventoryCache | None = None,
    split: bool | None = None,
    keep: list[object] | None = None,
) -> tuple[Inventory | None, list[Problem]]:
    """Every problem of the folder, and the Inventory when there is no error.

    credential_names: the credential sets config.yaml defines; None skips that check.
    cache: where checked files are kept by content (cache.py); None reads every file.
    split: use a second core (split.py); None when the inventory is large (1 MB of YAML) and
    no other thread runs. The results are the same either way.
    keep: a process that ends at once, without freeing (the CLI's one-off commands), passes a
    list to leave the data read there instead of freeing it here (0.02 s at national size).
    """
    with no_cyclic_gc():
        inventory, problems, _ = _check_inventory(
            folder, credential_names, cache, split, None, keep
        )
    return inventory, problems


def _check_inventory(
    folder: Path,
    credential_names: Iterable[str] | None,
    cache: InventoryCache | None,
    split: bool | None,
    then: Then | None,
    keep: list[object] | None,
) -> tuple[Inventory | None, list[Problem], object]:
    names = None if credential_names is None else tuple(credential_names)
    files = _read_bytes(folder)
    result_key = None
    keyed = (
        []
        if cache is None
        else [(str(path), cache.key(content)) for path, content, _ in files if content is not None]
    )
    if cache is not None and files and len(keyed) == len(files):  # every file could be read
        result_key = cache.folder_key(folder, keyed, names)
        found = cache.get_result(result_key[1])
        if found is not None:
            inventory, problems = found
            return inventory, problems, _made(inventory, then)
    store = None
    if cache is not None and result_key is not None:
        store = functools.partial(cache.write_result, *result_key)
    # Through the checking child, when there is one (cache.py: queued_writes)
    hand_over = cache if cache is not None and cache.background else None
    two = worth_splitting(sum(len(content or b"") for _, content, _ in files), split)
    raw = read_folder(folder, cache, files, two)
    try:
        # A problem in data read without positions (in a child, or from the cache) is placed
        # by reading its file again (place.py), here or in the checking child.
        done = _checked(raw, names, str(folder), two, then, store, hand_over)
    except PositionElsewhere:
        # A problem the Placer could not place: the files read here are kept, the others read
        # again without the cache, and the checks run again, as a cold run on one core.
        raw = read_folder(folder, None, files, False, raw.here())
        done = _checked(raw, names, str(folder), False, then, None, None)
    if keep is not None:
        keep.append(raw)
    if cache is not None:
        if result_key is not None and not done.stored:
            cache.put_result(*result_key, done.inventory, done.problems)
        cache.write_queued()
    return done.inventory, done.problems, done.made


def _made(inventory: Inventory | None, then: Then | None) -> object:
    return then(inventory) if then is not None and inventory is not None else None


class Checked(NamedTuple):
    inventory: Inventory | None
    problems: list[Problem]
    made: object  # what then() made of the inventory
    stored: bool  # the result is written to the cache already (by the checking child)


def _checked(
    raw: Raw,
    names: tuple[str, ...] | None,
    source: str,
    split: bool,
    then: Then | None,
    store: Callable[[Inventory, list[Problem]], None] | None,
    hand_over: InventoryCache | None,
) -> Checked:
    """The references checked and, when no error, the model built and then(model) made: at
    once in two processes for a large inventory, the checks in a child that sends back their
    problems while this process builds the model and makes then(). With then() (a report: its
    analysis keeps this process busy for a second), the child has time for more: it builds
    the model too, finds the agencies with no path to the core, and once it has replied stores
    that model with its warnings (store: the cache's write, 0.4 s of pickling), so that the
    report's process need not. What then() made of an inventory the checks refuse is dropped.
    hand_over: a cache whose queued entries (the files read here) the child writes first
    (cache.py)."""
    from netmon.inventory.checks import check_references, unconnected, unreached

    if any(p.severity == "error" for p in raw.problems):
        return Checked(None, raw.problems, None, False)
    mine: list[tuple[list[str], Inventory]] = []  # in the child: its model, agencies cut off

    def checks() -> Any:
        found = _problems_elsewhere(raw, names)
        if then is None or found != []:
            return found, None
        model = build(raw, source)
        cut_off = sorted(unreached(model))
        mine.append((cut_off, model))
        return found, cut_off

    store_own = None
    if then is not None and store is not None:  # raw.problems: warnings at most, by now
        store_own = functools.partial(_store_own_model, raw, mine, store)
    # Once it has replied, the child writes the entries of the files read here (a cache's
    # queue), then its own model: this process drops its queue when the child replies.
    writes = hand_over.queued_writes() if split and hand_over is not None else None
    after = [f for f in (writes, store_own) if f is not None]
    child = (
        Forked.start(checks, then=functools.partial(_each, after) if after else None)
        if split
        else None
    )
    if child is None:
        refs = check_references(raw, names)
        problems = raw.problems + refs
        if any(p.severity == "error" for p in problems):
            return Checked(None, problems, None, False)
        model = build(raw, source)
        problems += [] if refs else unconnected(raw, unreached(model))
        return Checked(model, problems, _made(model, then), False)
    made, cut_off_here = None, None
    try:  # not yet checked: broken references may break the build, or what then() makes
        inventory, failure = build(raw, source), None
        made = _made(inventory, then)
        if then is None:  # meanwhile, while the child (the slower) checks
            cut_off_here = sorted(unreached(inventory))
    except Exception as exc:
        inventory, failure = None, exc
    except BaseException:  # interrupted: the checks are not wanted
        child.stop()
        raise
    reply = child.result()
    if reply is not None and writes is not None and hand_over is not None:
        hand_over.handed_over()
    found, cut_off = reply or (None, None)
    if found == "elsewhere":
        raise PositionElsewhere
    refs = check_references(raw, names) if found is None else [Problem(*p) for p in found]
    problems = raw.problems + refs
    if any(p.severity == "error" for p in problems):
        return Checked(None, problems, None, False)
    if failure is not None:
        raise failure  # a clean inventory the model cannot take: a bug, as without the child
    assert inventory is not None
    if not refs:
        if cut_off is None:  # the child did not look (no then()), or failed
            cut_off = sorted(unreached(inventory)) if cut_off_here is None else cut_off_here
        problems += unconnected(raw, cut_off)
    stored = store_own is not None and found == []
    return Checked(inventory, problems, made, stored)


def _each(steps: Sequence[Callable[[], object]]) -> None:
    for step in steps:
        step()


def _store_own_model(
    raw: Raw,
    mine: list[tuple[list[str], Inventory]],
    store: Callable[[Inventory, list[Problem]], None],
) -> None:
    """In the checking child, once it has replied: its own model stored, with the warnings
    this process finds too (the files' own, the agencies cut off: placed here, place.py).
    Its own model, built after the fork: the report's process then touches only memory pages
    of its own, not ones it would have to copy while this child lives (20,000 faults, 0.1 s
    at national size)."""
    from netmon.inventory.checks import unconnected

    if not mine:
        return
    cut_off, model = mine[0]
    try:
        warnings = raw.problems + unconnected(raw, cut_off)
    except PositionElsewhere:
        return  # not stored: the next run does the work again
    store(model, warnings)


def _problems_elsewhere(raw: Raw, names: tuple[str, ...] | None) -> Any:
    """In the child: the reference checks' problems, as marshal can send them."""
    from netmon.inventory.checks import check_references

    try:
        found = check_references(raw, names)
    except PositionElsewhere:
        return "elsewhere"
    return [astuple(p) for p in found]


def _read_bytes(folder: Path) -> list[tuple[Path, bytes | None, list[Problem]]]:
    """Every file of the folder with its bytes (None when it cannot be read, with why)."""
    if not folder.exists():
        return []
    return [(path, *read_bytes(path, str(path))) for path in inventory_files(folder)]


def load_inventory(
    folder: Path,
    credential_names: Iterable[str] | None = None,
    cache: InventoryCache | None = None,
) -> Inventory:
    inventory, problems = check_inventory(folder, credential_names, cache)
    if inventory is None:
        raise InventoryError(problems)
    return inventory


def load_then(
    folder: Path,
    then: Callable[[Inventory], T],
    credential_names: Iterable[str] | None = None,
    cache: InventoryCache | None = None,
    split: bool | None = None,
    keep: list[object] | None = None,
) -> T:
    """then(load_inventory(folder, ...)), begun before the last checks end: a large inventory's
    reference checks run in a child (split.py) while this process builds the model, and end
    after it, by 0.05-0.3 s at national size; then() (a snapshot's analysis, 1 s) fills that
    wait. Raises InventoryError as load_inventory does, whatever then() made or raised: what
    it made of an inventory the checks refuse is dropped. split, keep: as check_inventory's."""
    with no_cyclic_gc():
        inventory, problems, made = _check_inventory(
            folder, credential_names, cache, split, then, keep
        )
    if inventory is None:
        raise InventoryError(problems)
    return cast(T, made)


def read_folder(
    folder: Path,
    cache: InventoryCache | None = None,
    files: list[tuple[Path, bytes | None, list[Problem]]] | None = None,
    split: bool | None = False,
    taken: dict[str, Read] | None = None,
) -> Raw:
    """Every file checked and joined; files: as _read_bytes gave them, when already read.

    split: whether part of the files may be read in a child process (split.py; None decides
    by size). taken: files already read by this process, by name (not read again)."""
    raw = Raw()
    if not folder.exists():
        raw.problems.append(
            Problem(
                str(folder),
                0,
                0,
                "inventory folder not found",
                "pass --inventory DIR, or run from the repository root",
            )
        )
        return raw
    if files is None:
        files = _read_bytes(folder)
    if not files:
        raw.problems.append(Problem(str(folder), 0, 0, "no *.yaml files in the inventory folder"))
        return raw
    todo = [(str(path), content, problems) for path, content, problems in files]
    done = dict(taken or {})
    done.update(read_files([f for f in todo if f[0] not in done], _read_one, cache, split))
    try:
        _join_files(raw, todo, done)
    except PositionElsewhere:  # joining found a problem in data without positions: read it here
        done.update((f[0], _read_one(*f, None)) for f in todo if f[0] in raw.elsewhere)
        raw = Raw()
        _join_files(raw, todo, done)
    if raw.meta is None and not any(p.severity == "error" for p in raw.problems):
        raw.problems.append(
            Problem(
                str(folder),
                0,
                0,
                "no file has an 'inventory:' section",
                "add 'inventory: {name: ...}' to one file",
            )
        )
    return raw


def _join_files(raw: Raw, files: list[ToRead], read: dict[str, Read]) -> None:
    raw.read.update(read)  # first: what joining needs to place a problem (raw.elsewhere)
    raw.placer = Placer(raw.read, {name: content for name, content, _ in files}, check_file)
    for name, _, _ in files:
        problems, data = read[name]
        raw.problems.extend(problems)
        if data is not None:
            _join_file(name, data, raw)


def _read_one(
    name: str, content: bytes | None, problems: list[Problem], cache: InventoryCache | None
) -> Read:
    """One file's checked result, from the cache when it has it; problems: reading its bytes'."""
    if content is None:
        return problems, None
    key = cache.key(content) if cache is not None else ""
    found = cache.get(key, name) if cache is not None else None
    if found is not None:
        return found
    found = check_file(content, name)
    if cache is not None:
        cache.put(key, name, *found)
    return found


def check_file(content: bytes, name: str) -> tuple[list[Problem], Mapping | None]:
    """One file on its own: its problems, and its checked data when it is a mapping. What it
    returns depends on the bytes (and the name the problems carry) alone: see cache.py.

    A file in the plain shape with no problem is read by the fast reader (yamlspec/fast.py);
    any other goes through the full reader, which words its problems."""
    fast = read_checked(content, FILE)
    if fast is not None:
        return [], fast
    root, problems = parse_yaml(content, name)
    if root is None:
        return problems, None
    checker = Checker(name)
    data = checker.check(root, FILE, ROOT)
    problems += checker.problems
    return problems, data if isinstance(data, Mapping) else None


def _join_file(name: str, data: dict[str, Any], raw: Raw) -> None:
    """Add one checked file to the folder's sections; what only the whole folder can tell
    (a second inventory section, a device group defined twice) is found here."""
    placer = raw.placer
    for section in LIST_SECTIONS:
        items = data.get(section, ())
        raw.sections[section].extend(map(Entry._make, zip(repeat(name), items, repeat(placer))))
    if "inventory" in data:
        here = Entry(name, data["inventory"], placer)
        if raw.meta is not None:
            line, col = here.at()
            raw.problems.append(
                Problem(
                    name,
                    line,
                    col,
                    f"second 'inventory:' section (first in {raw.meta.file})",
                    "keep one inventory section for the whole folder",
                )
            )
        else:
            raw.meta = here
    if "defaults" in data:
        here = Entry(name, data["defaults"], placer)
        if raw.defaults is not None:
            raw.problems.append(
                here.problem(
                    None,
                    f"second 'defaults:' section (first in {raw.defaults.file})",
                    "merge them into one",
                )
            )
        else:
            raw.defaults = here
    groups = data.get("device_groups", Mapping())
    for gid, settings in groups.items():
        if gid in raw.device_groups:
            line, col = Entry(name, groups, placer).where()[gid]
            raw.problems.append(
                Problem(
                    name,
                    line,
                    col,
                    f"duplicate device group '{gid}'",
                    f"first defined in {raw.device_groups[gid].file}",
                )
            )
        else:
            raw.device_groups[gid] = Entry(name, settings, placer)


def settings_of(raw: Raw, device: Mapping) -> dict[str, Any]:
    """Effective settings: device over its groups (last listed wins) over defaults.

    Kept in raw for the next caller: do not change what it returns."""
    found = raw.settings.get(id(device))
    if found is None:
        found = raw.settings[id(device)] = _settings_of(raw, device)
    return found


def _settings_of(raw: Raw, device: Mapping) -> dict[str, Any]:
    groups = tuple(device.get("groups", ()))
    base = raw.bases.get(groups)
    if base is None:
        # a group that does not exist is reported by the reference checks; skipped here
        layers = [raw.defaults.data] if raw.defaults else []
        layers += [raw.device_groups[g].data for g in groups if g in raw.device_groups]
        base = raw.bases[groups] = _merged({"credentials": {}}, layers)
    if "credentials" not in device and _SETTING_KEYS.isdisjoint(device):
        return base  # most devices set nothing of their own: shared (nobody changes it)
    return _merged({**base, "credentials": dict(base["credentials"])}, [device])


_SETTING_KEYS = frozenset(("platform", "probes", *PORT_KEYS))


def _merged(out: dict[str, Any], layers: list[Mapping]) -> dict[str, Any]:
    """Settings of later layers over earlier ones; credentials merged key by key."""
    for layer in layers:
        for key in ("platform", "probes", *PORT_KEYS):
            if key in layer:
                out[key] = layer[key]
        out["credentials"].update(layer.get("credentials", {}))
    return out


def _location(data: Mapping) -> Location | None:
    loc = data.get("location")
    return Location(loc["lat"], loc["lon"]) if loc else None


def build(raw: Raw, source: str) -> Inventory:
    """Turn checked, reference-clean raw data into the frozen model."""
    s = raw.sections
    meta = raw.meta.data if raw.meta else Mapping()
    all_services = tuple(e.data["id"] for e in s["services"])
    devices = []
    # what a device's settings give, once per settings (most devices share theirs)
    given: dict[int, tuple[str, tuple[str, ...], CredentialRefs, tuple[tuple[str, int], ...]]]
    given = {}
    for e in s["devices"]:
        d = e.data
        eff = settings_of(raw, d)
        found = given.get(id(eff))
        if found is None:
            found = given[id(eff)] = (
                eff.get("platform", UNKNOWN_PLATFORM),
                tuple(eff.get("probes", ("icmp",))),
                CredentialRefs(**eff["credentials"]),
                tuple((kind, eff[key]) for key, kind in PORT_KEYS.items() if key in eff),
            )
        platform, probes, credentials, ports = found
        devices.append(
            Device(
                id=d["id"],
                role=d["role"],
                mgmt=ipv4(d["mgmt"]),
                platform=platform,
                probes=probes,
                credentials=credentials,
                interfaces=tuple(d["interfaces"]),
                site=d.get("site"),
                agency=d.get("agency"),
                groups=tuple(d.get("groups", ())),
                ports=ports,
            )
        )
    net = meta.get("management_network")
    return Inventory(
        name=meta.get("name", ""),
        lab=bool(meta.get("lab", False)),
        management_network=IPv4Network(net) if net else None,
        levels=tuple(Level(e.data["id"], e.data["name"]) for e in s["levels"]),
        groups=tuple(Group(e.data["id"], e.data["name"], e.data["kind"]) for e in s["groups"]),
        services=tuple(
            Service(e.data["id"], e.data["name"], tuple(e.data["devices"])) for e in s["services"]
        ),
        sites=tuple(
            Site(
                e.data["id"], e.data["name"], e.data["role"], e.data.get("group"), _location(e.data)
            )
            for e in s["sites"]
        ),
        agencies=tuple(
            Agency(
                id=e.data["id"],
                name=e.data["name"],
                level=e.data["level"],
                group=e.data["group"],
                parent=e.data.get("parent"),
                services=tuple(e.data.get("services", all_services)),
                location=_location(e.data),
            )
            for e in s["agencies"]
        ),
        devices=tuple(devices),
        links=tuple(
            Link(
                id=e.data["id"],
                a=Endpoint(e.data["a"]["device"], e.data["a"]["interface"]),
                b=Endpoint(e.data["b"]["device"], e.data["b"]["interface"]),
                kind=e.data["kind"],
                capacity_bps=e.data["capacity_mbps"] * 1_000_000,
            )
            for e in s["links"]
        ),
        source=source,
    )
