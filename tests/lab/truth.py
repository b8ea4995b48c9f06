"""The ground truth of a lab failure, computed without netmon's topology code.

Plain breadth-first searches over the inventory's declared devices and links (the lab is
built with no seeded deviations, so its cables are exactly these). Node names are this
module's own ("root", "d:ID", "l:ID", "a:ID"). Nothing here imports netmon.topology.

Two questions, answered independently of each other:

1. The data plane: which devices answer the noc. In-band, a search from the core devices
   (the noc is cabled to each) over uncut links through working devices, never through a
   CPE (CPEs do not forward in the lab); out-of-band, every device not powered off or hung.
2. The NOC's view, by the rule of docs/topology.md: links an answering end reports down,
   silent devices down or unreachable, agencies cut off, and the cause of each: the failed
   element nearest the core on its dominator chain, else the first failures on each broken
   path, with the hierarchical rules (a link into a down device names the device; every
   path dying on links into one device, not the agency's own, names that device isolated).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from netmon.model import Inventory

Cause = tuple[str, str, str]  # (kind, id, state), as netmon's Cause


@dataclass(frozen=True)
class Failure:
    """What a case breaks in the lab: links cut, devices powered off, devices hung."""

    cut: frozenset[str] = frozenset()
    off: frozenset[str] = frozenset()
    hung: frozenset[str] = frozenset()


@dataclass
class Design:
    role: dict[str, str]
    links: dict[str, tuple[str, str]]
    agencies: dict[str, tuple[str, ...]]
    cores: tuple[str, ...]
    succ: dict[str, list[str]] = field(default_factory=dict)
    pred: dict[str, list[str]] = field(default_factory=dict)
    # node -> the elements (device and link nodes) whose removal cuts it off, core side first
    dom: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, inv: Inventory) -> Design:
        d = cls(
            role={x.id: x.role for x in inv.devices},
            links={lk.id: (lk.a.device, lk.b.device) for lk in inv.links},
            agencies={a.id: tuple(x.id for x in inv.devices_of_agency[a.id]) for a in inv.agencies},
            cores=tuple(x.id for x in inv.devices if x.role == "core"),
        )
        for a, b in d.links.values():
            assert "cpe" not in (d.role[a], d.role[b]) or d.role[a] != d.role[b], (
                "a CPE cabled to a CPE: the lab routes no such chain"
            )
        d._arcs()
        d._dominators()
        return d

    def transit(self, u: str, v: str) -> bool:
        """Traffic may go from device u to device v: u forwards, or it goes down to a CPE."""
        return self.role[u] != "cpe" or self.role[v] == "cpe"

    def agency_node(self, agency: str) -> str:
        devs = self.agencies[agency]
        return f"d:{devs[0]}" if len(devs) == 1 else f"a:{agency}"

    def _arcs(self) -> None:
        arcs: list[tuple[str, str]] = [("root", f"d:{c}") for c in self.cores]
        for lk, (a, b) in self.links.items():
            for u, v in ((a, b), (b, a)):
                if self.transit(u, v):
                    arcs += [(f"d:{u}", f"l:{lk}"), (f"l:{lk}", f"d:{v}")]
        for agency, devs in self.agencies.items():
            if len(devs) > 1:
                arcs += [(f"d:{x}", f"a:{agency}") for x in devs]
        nodes = {n for arc in arcs for n in arc} | {f"d:{x}" for x in self.role}
        self.succ = {n: [] for n in nodes}
        self.pred = {n: [] for n in nodes}
        for u, v in arcs:
            self.succ[u].append(v)
            self.pred[v].append(u)

    def search(self, blocked: set[str]) -> set[str]:
        seen, queue = {"root"}, deque(["root"])
        while queue:
            for v in self.succ[queue.popleft()]:
                if v not in seen and v not in blocked:
                    seen.add(v)
                    queue.append(v)
        return seen

    def _dominators(self) -> None:
        """By brute force: remove each element, see what the root no longer reaches."""
        everything = self.search(set())
        depth = {"root": 0}
        queue = deque(["root"])
        while queue:
            u = queue.popleft()
            for v in self.succ[u]:
                if v not in depth:
                    depth[v] = depth[u] + 1
                    queue.append(v)
        self.dom = {n: [] for n in self.succ}
        for e in sorted(n for n in everything if n.startswith(("d:", "l:"))):
            for n in everything - self.search({e}):
                self.dom[n].append(e)
        for chain in self.dom.values():
            chain.sort(key=lambda e: depth[e])


@dataclass
class Truth:
    answering: set[str]  # devices that answer the noc
    cut_off: dict[str, set[Cause]]  # agency -> expected causes (by the rule)
    status: dict[str, str]  # silent devices: down or unreachable
    behind: dict[str, set[Cause]]  # unreachable devices -> causes
    physically_cut: set[str]  # agencies with no device the noc can reach over MetroNet


def answering(d: Design, f: Failure, management: str) -> set[str]:
    """Devices that answer the noc: in-band those MetroNet carries its packets to;
    out-of-band every device not powered off or hung (its management port is elsewhere)."""
    if management == "oob":
        return set(d.role) - f.off - f.hung
    return data_plane(d, f)


def data_plane(d: Design, f: Failure) -> set[str]:
    """Devices the noc reaches over MetroNet: from the core devices (the noc is cabled to
    each), over uncut links, into working devices, never on through a CPE."""
    dead = f.off | f.hung
    seen = {c for c in d.cores if c not in dead}
    queue = deque(sorted(seen))
    while queue:
        u = queue.popleft()
        if d.role[u] == "cpe":
            continue  # a CPE forwards nothing
        for lk, (a, b) in d.links.items():
            if u not in (a, b) or lk in f.cut:
                continue
            v = b if u == a else a
            if v not in seen and v not in dead:
                seen.add(v)
                queue.append(v)
    return seen


def truth(d: Design, f: Failure, management: str) -> Truth:
    up = answering(d, f, management)
    # Links an answering end reports down: cut, or the far end powered off (dark port).
    seen_down = {
        lk
        for lk, (a, b) in d.links.items()
        if (lk in f.cut or a in f.off or b in f.off) and (a in up or b in up)
    }
    silent = set(d.role) - up
    status: dict[str, str] = {}
    view = d.search({f"d:{x}" for x in silent} | {f"l:{lk}" for lk in seen_down})
    for x in silent:
        if management == "oob" or x in d.cores:
            status[x] = "down"
            continue
        upstream = any(
            f"d:{u}" in view and lk not in seen_down and d.transit(u, x)
            for lk, (a, b) in d.links.items()
            if x in (a, b)
            for u in ((b if x == a else a),)
        )
        status[x] = "down" if upstream else "unreachable"
    down = {x for x, s in status.items() if s == "down"}
    link_down = seen_down | {lk for lk, (a, b) in d.links.items() if a in down or b in down}
    reached = d.search({f"d:{x}" for x in down} | {f"l:{lk}" for lk in link_down})
    state = {x: status.get(x, "up") for x in d.role}

    def explain(node: str, own: Iterable[str]) -> set[Cause]:
        for x in [*d.dom[node], *([node] if node.startswith("a:") else [])]:
            if x in reached:
                continue
            kind, name = x[0], x[2:]
            if kind == "d" and state[name] == "down":
                return {("device", name, "down")}
            if kind == "l" and any(p in reached for p in d.pred[x]):
                return _causes(d, {x}, reached, state, set(own))
            return _causes(d, _first(d, x, reached), reached, state, set(own))
        return set()

    cut_off = {
        a: explain(d.agency_node(a), devs)
        for a, devs in d.agencies.items()
        if not any(f"d:{x}" in reached for x in devs)
    }
    behind = {x: explain(f"d:{x}", [x]) for x, s in status.items() if s == "unreachable"}
    carried = data_plane(d, f)
    physically = {a for a, devs in d.agencies.items() if not set(devs) & carried}
    return Truth(up, cut_off, status, behind, physically)


def _first(d: Design, x: str, reached: set[str]) -> set[str]:
    """The unreached nodes, on the paths into x through unreached nodes, with a reached
    predecessor: where each broken path first fails."""
    seen, queue, out = {x}, deque([x]), set()
    while queue:
        v = queue.popleft()
        if any(p in reached for p in d.pred[v]):
            out.add(v)
        for p in d.pred[v]:
            if p not in reached and p not in seen:
                seen.add(p)
                queue.append(p)
    return out


def _causes(
    d: Design, first: set[str], reached: set[str], state: dict[str, str], own: set[str]
) -> set[Cause]:
    found: set[Cause] = set()
    far_ends: set[str] = set()
    for y in first:
        kind, name = y[0], y[2:]
        if kind == "d":
            found.add(("device", name, "down" if state[name] == "down" else "isolated"))
            continue
        a, b = d.links[name]
        far = b if f"d:{a}" in reached else a
        if state[far] == "down":
            found.add(("device", far, "down"))
        else:
            found.add(("link", name, "down"))
            far_ends.add(far)
    links = [c for c in found if c[0] == "link"]
    if len(links) > 1 and len(links) == len(found) and len(far_ends) == 1:
        (far,) = far_ends
        if far not in own:
            return {("device", far, "isolated")}
    return found
