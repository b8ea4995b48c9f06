"""The failures the ground-truth tests inject, chosen from the inventory's shape, and the
inventory they run on (the 467 agencies, or a few agencies per PoP for CI)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.truth import Design, Failure
from netmon.inventory.load import read_folder


@dataclass(frozen=True)
class Case:
    name: str
    failure: Failure


def write_picked(source: Path, folder: Path, per_pop: int, dual: int) -> Path:
    """Every core and PoP device and ring link of `source`, and for each PoP its first
    `per_pop` single-homed agencies, plus the first `dual` dual-homed agencies: a lab with
    the whole ring and every kind of agency at a tenth of the size."""
    raw = read_folder(source)
    devices = [dict(e.data) for e in raw.sections["devices"]]
    links = [dict(e.data) for e in raw.sections["links"]]
    ends: dict[str, list[str]] = {}
    for lk in links:
        for end, other in (("a", "b"), ("b", "a")):
            ends.setdefault(lk[end]["device"], []).append(lk[other]["device"])
    keep_agencies: list[str] = []
    taken: dict[str, int] = {}
    duals = 0
    for dev in devices:
        agency = dev.get("agency")
        if dev["role"] != "cpe" or agency is None:
            continue
        pops = ends.get(dev["id"], [])
        if len(pops) == 1 and taken.get(pops[0], 0) < per_pop:
            taken[pops[0]] = taken.get(pops[0], 0) + 1
            keep_agencies.append(agency)
        elif len(pops) > 1 and duals < dual:
            duals += 1
            keep_agencies.append(agency)
    kept = set(keep_agencies)
    devs = [d for d in devices if d["role"] != "cpe" or d.get("agency") in kept]
    ids = {d["id"] for d in devs}
    doc: dict[str, Any] = {
        "inventory": {**dict(raw.meta.data), "name": "MetroNet ground truth"} if raw.meta else {},
        "levels": [dict(e.data) for e in raw.sections["levels"]],
        "groups": [dict(e.data) for e in raw.sections["groups"]],
        "services": [dict(e.data) for e in raw.sections["services"]],
        "sites": [dict(e.data) for e in raw.sections["sites"]],
        "defaults": dict(raw.defaults.data) if raw.defaults else {},
        "device_groups": {k: dict(v.data) for k, v in raw.device_groups.items()},
        "agencies": [
            {k: v for k, v in dict(e.data).items() if k != "parent"}
            for e in raw.sections["agencies"]
            if e.data["id"] in kept
        ],
        "devices": devs,
        "links": [lk for lk in links if lk["a"]["device"] in ids and lk["b"]["device"] in ids],
    }
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, ensure_ascii=False, indent=1, default=str)
    (folder / "inventory.yaml").write_text(text + "\n", encoding="utf-8")
    return folder


def cases(d: Design) -> list[Case]:
    """About 30 failures, singly and in pairs, named after what they break."""
    pops = [x for x, r in d.role.items() if r == "pop"]
    ring = [lk for lk, (a, b) in d.links.items() if "cpe" not in (d.role[a], d.role[b])]
    core_link = next(
        lk for lk in ring if d.role[d.links[lk][0]] == d.role[d.links[lk][1]] == "core"
    )
    ring_of = {p: [lk for lk in ring if p in d.links[lk]] for p in pops}
    access = {lk: ab for lk, ab in d.links.items() if lk not in ring}
    cpe_links: dict[str, list[str]] = {}
    for lk, (a, b) in access.items():
        cpe = a if d.role[a] == "cpe" else b
        cpe_links.setdefault(cpe, []).append(lk)
    single = {c: lks[0] for c, lks in cpe_links.items() if len(lks) == 1}
    dual = sorted(c for c, lks in cpe_links.items() if len(lks) == 2)

    def pop_of(lk: str) -> str:
        a, b = d.links[lk]
        return a if d.role[a] == "pop" else b

    by_size = sorted(pops, key=lambda p: (-sum(pop_of(lk) == p for lk in single.values()), p))
    behind = {p: sorted(c for c, lk in single.items() if pop_of(lk) == p) for p in pops}
    c1, c2 = sorted(d.cores)[:2]
    p = by_size
    between = [lk for lk in ring if lk != core_link and not {c1, c2} & set(d.links[lk])]
    at_core = {c: [lk for lk in ring if lk != core_link and c in d.links[lk]] for c in (c1, c2)}
    dual_pops = {x: [pop_of(lk) for lk in cpe_links[x]] for x in dual}
    # Round the ring from the first core: its links in order (a segment is two cuts apart).
    walk, here = [at_core[c1][0]], c1
    for _ in range(len(ring)):
        a, b = d.links[walk[-1]]
        here = b if here == a else a
        nxt = [lk for lk in ring_of.get(here, []) if lk != walk[-1]]
        if d.role[here] == "core" or not nxt:
            break
        walk.append(nxt[0])
    f = Failure
    out = [
        Case(f"pop hung {p[0]}", f(hung=frozenset({p[0]}))),
        Case(f"pop powered off {p[1]}", f(off=frozenset({p[1]}))),
        Case(f"pop hung {p[2]}", f(hung=frozenset({p[2]}))),
        Case(f"pop powered off {p[3]}", f(off=frozenset({p[3]}))),
        Case(f"ring link {between[0]}", f(cut=frozenset({between[0]}))),
        Case(f"ring link {at_core[c1][0]}", f(cut=frozenset({at_core[c1][0]}))),
        Case(f"both ring links of {p[4]}", f(cut=frozenset(ring_of[p[4]]))),
        Case(f"both ring links of {p[0]}", f(cut=frozenset(ring_of[p[0]]))),
        Case(f"ring segment: {walk[0]} and {walk[2]}", f(cut=frozenset({walk[0], walk[2]}))),
        Case(f"core link {core_link}", f(cut=frozenset({core_link}))),
        Case(f"core hung {c1}", f(hung=frozenset({c1}))),
        Case(f"core powered off {c2}", f(off=frozenset({c2}))),
        Case("both cores hung", f(hung=frozenset({c1, c2}))),
        Case(f"cpe powered off {behind[p[5]][0]}", f(off=frozenset({behind[p[5]][0]}))),
        Case(f"cpe hung {behind[p[6]][0]}", f(hung=frozenset({behind[p[6]][0]}))),
        Case(f"access link {single[behind[p[7]][0]]}", f(cut=frozenset({single[behind[p[7]][0]]}))),
        Case(f"dual-homed {dual[0]}: both paths", f(cut=frozenset(cpe_links[dual[0]]))),
        Case(f"dual-homed {dual[0]}: one path", f(cut=frozenset(cpe_links[dual[0]][:1]))),
        Case(f"dual-homed {dual[1]}: first PoP hung", f(hung=frozenset(dual_pops[dual[1]][:1]))),
        Case(f"dual-homed {dual[1]}: both PoPs powered off", f(off=frozenset(dual_pops[dual[1]]))),
        Case(
            f"behind: {p[1]} hung, then {behind[p[1]][0]} powered off",
            f(hung=frozenset({p[1]}), off=frozenset({behind[p[1]][0]})),
        ),
        Case(
            f"behind: ring links of {p[2]} cut, {behind[p[2]][0]} hung",
            f(cut=frozenset(ring_of[p[2]]), hung=frozenset({behind[p[2]][0]})),
        ),
        Case(
            f"behind: {p[3]} powered off, {single[behind[p[3]][0]]} cut",
            f(off=frozenset({p[3]}), cut=frozenset({single[behind[p[3]][0]]})),
        ),
        Case(
            f"pair: {p[5]} powered off and {between[0]} cut",
            f(off=frozenset({p[5]}), cut=frozenset({between[0]})),
        ),
        Case(
            f"pair: {c1} hung and {at_core[c2][0]} cut",
            f(hung=frozenset({c1}), cut=frozenset({at_core[c2][0]})),
        ),
        Case(f"pair: {p[6]} and {p[7]} hung", f(hung=frozenset({p[6], p[7]}))),
        Case(
            f"pair: {p[8]} powered off, {dual[0]} one path cut",
            f(off=frozenset({p[8]}), cut=frozenset(cpe_links[dual[0]][:1])),
        ),
        Case(f"pop powered off {p[0]}", f(off=frozenset({p[0]}))),
        Case(f"pop hung {p[8]}", f(hung=frozenset({p[8]}))),
        Case(f"both ring links of {p[7]}", f(cut=frozenset(ring_of[p[7]]))),
    ]
    return out
