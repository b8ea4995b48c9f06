"""Declared versus discovered: which declared links LLDP confirms, and every difference.

Only what was observed is judged. A declared link is "missing" when
- both its ends were polled and their LLDP tables read, it is not down, and LLDP does not show
  it (something else is plugged in, or LLDP is off), or
- it is down and has been down ever since the agent at an end started (ifLastChange 0, no end
  administratively down, no end ever reported up): declared but never cabled or never brought up.
A link that went down while watched is a link state, not drift (alerting on it twice would page
twice). Undeclared links and unknown neighbours need only the side that saw them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from netmon.model import Endpoint, InterfaceState, Inventory, Link
from netmon.model.snapshot import Drift, DriftKind, Origin, SeenLink, Status
from netmon.topology.graph import Edge
from netmon.topology.observe import Half, Observed

End = tuple[str, str]  # (device, interface): tuples hash in C, Endpoints in Python
Pair = tuple[End, End]


@dataclass(frozen=True)
class DriftResult:
    origin: dict[str, Origin]  # declared link id -> declared / both
    link_drift: dict[str, DriftKind]  # declared link id -> its drift, if any
    seen_edges: tuple[Edge, ...]  # adjacencies LLDP shows that no declared link explains
    discovered: tuple[SeenLink, ...]
    drift: tuple[Drift, ...]


def _pair(x: End, y: End) -> Pair:
    return (x, y) if x <= y else (y, x)


def merge_halves(halves: tuple[Half, ...]) -> list[Pair]:
    """Adjacencies seen from one side or both, each once. A side that could not resolve the far
    port is completed by the other side's view when there is exactly one to take."""
    full: dict[Pair, None] = {}
    partial: dict[tuple[str, str], list[End]] = defaultdict(list)
    for h in halves:
        if h.remote_interface:
            full[_pair((h.device, h.interface), (h.remote, h.remote_interface))] = None
        else:
            partial[(h.device, h.remote)].append((h.device, h.interface))
    if not partial:
        return list(full)
    known = {(e[0], o[0]) for x, y in full for e, o in ((x, y), (y, x))}
    known_ends = {e for pair in full for e in pair}
    for (a, b), locals_ in partial.items():
        for local in locals_:
            if local in known_ends and (a, b) in known:
                continue  # the other side already told us the whole adjacency
            back = partial.get((b, a), [])
            far = back[0] if len(back) == 1 and len(locals_) == 1 else (b, "")
            full[_pair(local, far)] = None
    return list(full)


def _ends(link: Link) -> frozenset[End]:
    return frozenset(((link.a.device, link.a.interface), (link.b.device, link.b.interface)))


def _matches(link: Link, pair: Pair) -> bool:
    ends = _ends(link)
    x, y = pair
    if x[1] and y[1]:
        return ends == {x, y}
    known, other = (x, y) if x[1] else (y, x)
    return known in ends and other[0] in (link.a.device, link.b.device) and known != other


class LinkIndex:
    """Declared links by their two ends and by their two devices. Built on first use (the
    declared design never needs them); kept by the Topology of the inventory."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory

    @cached_property
    def exact(self) -> dict[frozenset[End], Link]:
        return {_ends(lk): lk for lk in self.inventory.links}

    @cached_property
    def by_devices(self) -> dict[frozenset[str], list[Link]]:
        out: dict[frozenset[str], list[Link]] = defaultdict(list)
        for lk in self.inventory.links:
            out[frozenset((lk.a.device, lk.b.device))].append(lk)
        return dict(out)  # a plain dict: a lookup must never add to it


def _endpoint(e: End) -> Endpoint:
    return Endpoint(e[0], e[1])


LinkStates = dict[str, tuple[Status, InterfaceState | None, InterfaceState | None]]


def never_up(a: InterfaceState | None, b: InterfaceState | None) -> bool:
    """The ends that were read say the port has been down since their agent started: at least
    one end read ifLastChange 0, none changed since, none is up or shut on purpose. (A targeted
    poll may read an end without ifLastChange: it neither confirms nor contradicts.)"""
    ends = [x for x in (a, b) if x is not None]
    return (
        any(x.last_change_s == 0 for x in ends)
        and all(x.last_change_s in (None, 0) for x in ends)
        and all(x.oper_up is False and x.admin_up is not False for x in ends)
    )


def compare(
    inventory: Inventory, observed: Observed, links: LinkStates, index: LinkIndex
) -> DriftResult:
    never = [k for k, (s, a, b) in links.items() if s == "down" and never_up(a, b)]
    if not (observed.halves or observed.strangers or observed.lldp_read or never):
        # Nothing seen by LLDP (the declared design, or ICMP only): nothing to judge.
        return DriftResult(dict.fromkeys(inventory.link_by_id, "declared"), {}, (), (), ())
    pairs = merge_halves(observed.halves)
    exact, by_devices = index.exact, index.by_devices
    seen: set[str] = set()
    unmatched: dict[frozenset[str], list[Pair]] = defaultdict(list)
    for pair in pairs:
        hit = exact.get(frozenset(pair)) if pair[0][1] and pair[1][1] else None
        key = frozenset((pair[0][0], pair[1][0]))
        if hit is None or hit.id in seen:
            hit = next(
                (lk for lk in by_devices.get(key, ()) if lk.id not in seen and _matches(lk, pair)),
                None,
            )
        if hit is None:
            unmatched[key].append(pair)
        else:
            seen.add(hit.id)
    drift: list[Drift] = []
    link_drift: dict[str, DriftKind] = {}
    edges: list[Edge] = []
    discovered: list[SeenLink] = []
    for key, leftovers in unmatched.items():
        unseen = [lk for lk in by_devices.get(key, ()) if lk.id not in seen]
        for pair in sorted(leftovers, key=lambda p: -_shared(unseen, p)):
            x, y = _endpoint(pair[0]), _endpoint(pair[1])
            if unseen:  # the two devices are cabled, only not where the inventory says
                lk = max(unseen, key=lambda k: _shared([k], pair))
                unseen.remove(lk)
                seen.add(lk.id)
                link_drift[lk.id] = "wrong_port"
                seen_ends = (x, y) if x.device == lk.a.device else (y, x)
                drift.append(Drift("wrong_port", lk.id, (lk.a, lk.b), seen_ends))
                edges.append(Edge(lk.id, seen_ends[0].device, seen_ends[1].device, declared=False))
            else:
                discovered.append(SeenLink(x, y))
                drift.append(Drift("undeclared", None, (), (x, y)))
                edges.append(Edge(f"{x}--{y}", x.device, y.device, declared=False))
    read, never_ids = observed.lldp_read, frozenset(never)
    for lk in inventory.links:
        if lk.id in seen:
            continue
        if lk.id in never_ids or (
            links[lk.id][0] != "down" and lk.a.device in read and lk.b.device in read
        ):
            link_drift[lk.id] = "missing"
            drift.append(Drift("missing", lk.id, (lk.a, lk.b), ()))
    for s in observed.strangers:
        local = Endpoint(s.device, s.interface)
        drift.append(Drift("unknown_neighbour", None, (), (local,), s.description))
    origin: dict[str, Origin] = {
        lk.id: "both" if lk.id in seen else "declared" for lk in inventory.links
    }
    drift.sort(key=lambda d: (d.kind, d.link or "", [str(e) for e in d.seen]))
    return DriftResult(origin, link_drift, tuple(edges), tuple(discovered), tuple(drift))


def _shared(links: list[Link], pair: Pair) -> int:
    """How many ends a seen adjacency shares with the best of some declared links."""
    return max((len(_ends(lk) & set(pair)) for lk in links), default=0)
