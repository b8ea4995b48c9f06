"""Generate inventories: the Huế sample committed in inventory/, and a synthetic national one.

The sample must come out byte for byte the same on every run (a test regenerates it), so all
of it is fixed tables and fixed rules: no randomness, no clock. The names of Huế's 40 current
communes are read from the `vietnam-provinces` package, so a renamed unit shows up as a diff.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

from netmon.errors import NetmonError
from netmon.gen.inventory.tables import (
    COMMUNE_BODIES,
    COMMUNES,
    CREDENTIALS,
    DEFAULTS,
    DEVICE_GROUPS,
    DISTRICT_BODIES,
    DISTRICTS,
    ETHNIC,
    GENERATED,
    LEVELS,
    PROVINCE,
    RINGS,
    SERVICES,
    Item,
)
from netmon.gen.inventory.yamltext import _doc


@dataclass
class Body:
    """An agency and what its CPE needs: access capacity, and whether it has a second link."""

    agency: Item
    mbps: int = 100
    dual: bool = False


def slug(text: str) -> str:
    """ASCII id from Vietnamese text: diacritics stripped, đ -> d, '-' between words."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "-".join(
        re.sub(r"[^a-z0-9]+", " ", plain.encode("ascii", "ignore").decode().lower()).split()
    )


def _rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines()]


def _agency(id_: str, name: str, level: str, group: str, parent: str = "", *flags: str) -> Item:
    """flags: "t" keeps the agency on the dedicated network only (no Internet service)."""
    item: Item = {"id": id_, "name": name, "level": level, "group": group}
    item.update({"parent": parent} if parent else {})
    item.update({"services": ["tslcd"]} if "t" in flags else {})
    return item


def _device(id_: str, role: str, at: str, mgmt: object, ports: list[str]) -> Item:
    """A core or PoP router at site `at`, or a CPE of agency `at`."""
    where = "agency" if role == "cpe" else "site"
    return {"id": id_, "role": role, where: at, "mgmt": str(mgmt), "interfaces": ports}


def communes() -> dict[str, list[str]]:
    """Huế's communes per former district, as in running text ("phường Phú Xuân")."""
    try:
        from vietnam_provinces.lookup import WARD_MAPPING
    except ImportError as exc:
        raise NetmonError(
            "the Huế sample needs the names of communes from the package 'vietnam-provinces': "
            "pip install 'netmon[generate]'"
        ) from exc
    table = [(d, name) for d, names in _rows(COMMUNES) for name in names.split(", ")]
    found = {w.name.split(" ", 1)[1]: w for w in WARD_MAPPING.values() if w.province_code == 46}
    placed = {name for _, name in table}
    if unplaced := sorted(w.name for name, w in found.items() if name not in placed):
        raise NetmonError(f"communes to add to COMMUNES: {', '.join(unplaced)}")
    if gone := sorted(placed - set(found)):
        raise NetmonError(f"communes vietnam-provinces no longer has: {', '.join(gone)}")
    out: dict[str, list[str]] = {row[0]: [] for row in _rows(DISTRICTS)}
    for d, name in table:  # in the table's order: A Lưới 1 before A Lưới 2, whatever the codes
        out[d].append(f"{found[name].division_type.value} {name}")
    return out


def _bodies(d: str, kind: str, name: str, units: list[str]) -> list[Body | str]:
    """The agencies of one former district (in Huế the provincial ones first); str: a heading."""
    out: list[Body | str] = []
    if d == "hue":
        out.append("Cấp tỉnh/thành phố: các cơ quan ở trung tâm Huế, nối qua PoP Huế")
        for id_, title, parent, flags in _rows(PROVINCE):
            agency = _agency(id_, title, "province", d, parent, *flags)
            out.append(Body(agency, 1000, "d" in flags))
    which = " (cấp huyện)" if d == "hue" else ""  # the old city, not today's province-level city
    unit, ubnd = f"{kind.lower()} {name}{which}", f"ubnd-{d}"
    party = {"Thành phố": "Thành ủy", "Thị xã": "Thị ủy", "Huyện": "Huyện ủy"}[kind]
    where = {"all", "town" if kind != "Huyện" else "rural", "ethnic" if d in ETHNIC else ""}
    out.append(f"Cấp huyện: {kind} {name} (đến 6/2025)")
    out.append(Body(_agency(ubnd, f"UBND {unit}", "district", d, "ubnd-thanh-pho"), 1000, True))
    party_name = f"{party} {name}{which}"
    out.append(
        Body(_agency(f"{slug(party)}-{d}", party_name, "district", d, "thanh-uy"), dual=True)
    )
    for prefix, title, parent, only in _rows(DISTRICT_BODIES):
        if only in where:
            parent = parent.replace("*", ubnd)
            out.append(Body(_agency(f"{prefix}-{d}", f"{title} {unit}", "district", d, parent)))
    for commune in units:
        ubnd = f"ubnd-{slug(commune)}"
        out.append(f"Cấp xã: {commune}")
        # Urban wards have fibre from two directions: their UBND is dual-homed.
        agency = _agency(ubnd, f"UBND {commune}", "commune", d, "ubnd-thanh-pho")
        out.append(Body(agency, dual=d == "hue"))
        for prefix, title, parent, flags in _rows(COMMUNE_BODIES):
            id_, parent = f"{prefix}-{slug(commune)}", parent.replace("*", ubnd)
            out.append(Body(_agency(id_, f"{title} {commune}", "commune", d, parent, *flags)))
    return out


@dataclass
class Pop:
    """A PoP router; access ports are numbered as links arrive: accN own agencies, bkpN backups."""

    id: str
    acc: int = 0
    bkp: int = 0

    def port(self, backup: bool = False) -> str:
        if backup:
            self.bkp += 1
            return f"bkp{self.bkp}"
        self.acc += 1
        return f"acc{self.acc}"

    def device(self, mgmt: IPv4Address) -> Item:
        ports = [f"acc{i}" for i in range(1, self.acc + 1)]
        ports += [f"bkp{i}" for i in range(1, self.bkp + 1)]
        return _device(self.id, "pop", self.id, mgmt, ["ring-w", "ring-e", *ports])


def _link(a: str, ai: str, b: str, bi: str, kind: str, mbps: int) -> Item:
    ends = {"a": {"device": a, "interface": ai}, "b": {"device": b, "interface": bi}}
    return {"id": f"{a}--{b}", **ends, "kind": kind, "capacity_mbps": mbps}


def _ring(nodes: Sequence[str], start: tuple[str, str], end: tuple[str, str]) -> list[Item]:
    """Links start -> each node (in on ring-w, out on ring-e) -> end."""
    west = [start, *((n, "ring-e") for n in nodes)]
    east = [*((n, "ring-w") for n in nodes), end]
    return [_link(*w, *e, "ring", 10_000) for w, e in zip(west, east, strict=True)]


Home = tuple[Body, Pop, Pop]  # an agency, its PoP, and the PoP of its second link if dual-homed


def _cpes(homes: Iterable[Home], name: str, addrs: list[IPv4Address]) -> list[list[Item]]:
    """[devices, links]: one CPE per agency on its PoP, dual-homed ones also on the backup."""
    devices: list[Item] = []
    links: list[Item] = []
    for n, (body, pop, backup) in enumerate(homes, 1):
        cpe, ports = f"cpe-{name}-{n:03d}", ["wan0", "wan1"] if body.dual else ["wan0"]
        devices.append(_device(cpe, "cpe", str(body.agency["id"]), addrs[n - 1], ports))
        # Fleets come from several procurement rounds; a fixed rule keeps the mix stable.
        vendor = {0: ["cpe-cisco"], 4: ["cpe-huawei"]}.get(n % 7, [])
        if vendor:
            v2c = ["snmp-v2c"] if body.agency["level"] == "commune" else []
            devices[-1]["groups"] = vendor + v2c
        links.append(_link(pop.id, pop.port(), cpe, "wan0", "access", body.mbps))
        if body.dual:
            links.append(_link(backup.id, backup.port(True), cpe, "wan1", "access", body.mbps))
    return [devices, links]


def _network(
    header: str,
    meta: Item,
    groups: list[Item],
    sites: list[Item],
    devices: list[Item],
    links: list[Item],
) -> str:
    """The file with the inventory section and what both inventories share."""
    return _doc(
        header,
        [
            ("inventory", meta),
            ("levels", [{"id": i, "name": n} for i, n in LEVELS]),
            ("groups", groups),
            (
                "services",
                [{"id": i, "name": n, "devices": ["core-1", "core-2"]} for i, n in SERVICES],
            ),
            ("sites", sites),
            ("defaults", {**DEFAULTS, "credentials": CREDENTIALS}),
            ("device_groups", DEVICE_GROUPS),
            ("devices", devices),
            ("links", links),
        ],
    )


def hue() -> dict[str, str]:
    """The 467-agency sample of Huế: file name -> YAML text, the same on every run."""
    units, districts = communes(), _rows(DISTRICTS)
    made = GENERATED.format("--out inventory/", "tests/inventory/test_generate.py checks it")
    pops = {row[0]: Pop(f"pop-{row[0]}") for row in districts}
    files: dict[str, str] = {}
    for k, (d, kind, name, _, backup) in enumerate(districts):
        entries = _bodies(d, kind, name, units[d])
        bodies = [b for b in entries if isinstance(b, Body)]
        if len(bodies) > 254:
            raise NetmonError(f"{d}: {len(bodies)} agencies do not fit one /24")
        # The plan: CPE n of the k-th former district is 10.46.(16+k).n.
        addrs = [IPv4Address(f"10.46.{16 + k}.{n}") for n in range(1, len(bodies) + 1)]
        devices, links = _cpes(((b, pops[d], pops[backup]) for b in bodies), d, addrs)
        cidr = f"10.46.{16 + k}.0/24"
        head = f"""MetroNet Huế: agencies of the former {kind.lower()} {name}, their CPEs ({cidr})
and access links to pop-{d}; the wan1 of a dual-homed CPE goes to pop-{backup}.
{made}"""
        agencies = [b if isinstance(b, str) else b.agency for b in entries]
        sections = [("agencies", agencies), ("devices", devices), ("links", links)]
        files[f"agencies-{d}.yaml"] = _doc(head, sections)
    ring = "core2", "ring-n", "ring-s"
    devices = [_device(f"core-{i}", "core", "core", f"10.46.0.1{i}", list(ring)) for i in (1, 2)]
    devices[1]["interfaces"] = ["core1", *ring[1:]]
    devices += [pop.device(IPv4Address("10.46.1.11") + k) for k, pop in enumerate(pops.values())]
    links = [_link("core-1", "core2", "core-2", "core1", "ring", 10_000)]
    for r, nodes in RINGS.items():
        pop_ids = [f"pop-{n}" for n in nodes.split()]
        links += _ring(pop_ids, ("core-1", f"ring-{r}"), ("core-2", f"ring-{r}"))
    sites: list[Item] = [{"id": "core", "name": "Trung tâm dữ liệu thành phố Huế", "role": "core"}]
    sites[0].update(group="hue", location={"lat": 16.463, "lon": 107.585})
    for d, _, name, seat, _ in districts:
        lat, lon = (float(x) for x in seat.split())
        sites.append({"id": f"pop-{d}", "name": f"PoP {name}", "role": "pop", "group": d})
        sites[-1]["location"] = {"lat": lat, "lon": lon}
    groups: list[Item] = [
        {"id": d, "name": f"{k} {n}", "kind": "district"} for d, k, n, *_ in districts
    ]
    head = f"""MetroNet Huế: the backbone. core-1 and core-2 in the data centre; two rings of PoPs
close on them: north ({RINGS["n"]}),
south ({RINGS["s"]}).
Management: cores 10.46.0.11-12, PoPs 10.46.1.11-19 and the CPEs of the k-th former district
(k = 0..8 in the order of groups below) in 10.46.(16+k).0/24; agencies are in agencies-*.yaml.
{made}"""
    meta: Item = {"name": "MetroNet Huế", "lab": True, "management_network": "10.46.0.0/16"}
    files["network.yaml"] = _network(head, meta, groups, sites, devices, links)
    return dict(sorted(files.items()))


def national(provinces: int = 63, per_province: int = 470, pops: int = 9) -> dict[str, str]:
    """A synthetic national inventory (63 x 470 = 29,610 agencies) for scale benchmarks.

    A national core pair; per province a core with an uplink to each and a ring of PoPs;
    agencies spread over the PoPs, one in ten dual-homed to the next PoP of the ring.
    Management: one /18 of 10.64.0.0/12 per province. Names are synthetic.
    """
    if not (1 <= provinces <= 63 and 1 <= per_province <= 16_000 and 1 <= pops <= 200):
        raise ValueError("national() takes 1-63 provinces, 1-16000 agencies a province, 1-200 PoPs")
    args = f"--national --provinces {provinces} --per-province {per_province} --pops {pops}"
    made, files = GENERATED.format(args, "synthetic, for benchmarks"), {}
    for p in range(1, provinces + 1):
        code, base = f"p{p:02d}", IPv4Address("10.64.0.0") + p * 16_384
        core, ring = f"{code}-core", [Pop(f"{code}-pop{j}") for j in range(1, pops + 1)]
        homes: list[Home] = []
        first: dict[int, str] = {}  # the first agency on each PoP is the parent of the others
        for i in range(per_province):
            j, aid, share = i * pops // per_province, f"{code}-a{i + 1:04d}", i * 10 // per_province
            level = "province" if share < 1 else "district" if share < 4 else "commune"
            parent = first.setdefault(j, aid) if level != "province" else f"{code}-a0001"
            name = f"Cơ quan {i + 1} – tỉnh {p:02d}"
            agency = _agency(aid, name, level, f"{code}-d{j + 1}", "" if parent == aid else parent)
            homes.append((Body(agency, dual=i % 10 == 5), ring[j], ring[(j + 1) % pops]))
        # Skip addresses ending in .0 and .255: 254 CPEs per /24 of the province's block.
        addrs = [base + 256 * (1 + i // 254) + 1 + i % 254 for i in range(per_province)]
        devices, links = _cpes(homes, code, addrs)
        devices[:0] = [_device(core, "core", core, base + 11, ["nc1", "nc2", "ring-w", "ring-e"])]
        devices[1:1] = [pop.device(base + 20 + j) for j, pop in enumerate(ring, 1)]
        uplinks = [_link(f"core-{n}", code, core, f"nc{n}", "aggregation", 10_000) for n in (1, 2)]
        links[:0] = uplinks + _ring([pop.id for pop in ring], (core, "ring-w"), (core, "ring-e"))
        groups = [
            {"id": f"{code}-d{j}", "name": f"Tỉnh {p:02d} – khu vực {j}", "kind": "district"}
            for j in range(1, pops + 1)
        ]
        sites = [{"id": core, "name": f"Lõi tỉnh {p:02d}", "role": "core"}]
        sites += [
            {"id": pop.id, "name": f"PoP {pop.id}", "role": "pop", "group": f"{code}-d{j}"}
            for j, pop in enumerate(ring, 1)
        ]
        agencies = [body.agency for body, _, _ in homes]
        files[f"province-{p:02d}.yaml"] = _doc(
            f"Synthetic province {p:02d}.\n{made}",
            [
                ("groups", groups),
                ("sites", sites),
                ("agencies", agencies),
                ("devices", devices),
                ("links", links),
            ],
        )
    ports = [f"p{p:02d}" for p in range(1, provinces + 1)]
    nc = [
        _device(f"core-{i}", "core", "national-core", f"10.64.0.1{i}", [f"core{3 - i}", *ports])
        for i in (1, 2)
    ]
    links = [_link("core-1", "core2", "core-2", "core1", "ring", 100_000)]
    site: Item = {"id": "national-core", "name": "Trung tâm dữ liệu quốc gia", "role": "core"}
    meta: Item = {"name": "MetroNet quốc gia (tổng hợp)", "lab": False}
    meta["management_network"] = "10.64.0.0/12"
    head = f"Synthetic national MetroNet: the national core.\n{made}"
    files["network.yaml"] = _network(head, meta, [], [site], nc, links)
    return dict(sorted(files.items()))


def write(files: dict[str, str], folder: Path) -> list[Path]:
    """Write the files; returns the other *.yaml files there (the loader reads those too)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
    return sorted(p for p in folder.glob("*.yaml") if p.name not in files)
