"""Why an agency is cut off: the failed elements nearest to the core on its broken paths.

Walk back from the agency along the paths the network offers (declared and discovered links,
failed ones included) through everything the core cannot reach now; where that walk meets the
reachable part, the element it stands on is the first failure on that path. Computed for all
unreachable nodes at once (a fixpoint over the unreachable region), so a province-wide outage
costs one pass, not one search per agency.

Hierarchical cause (DESIGN.md, Alerting in FIELD-NOTES.md): a link that is down because the
device at its far end is down is reported as that device; a device that still answers but
whose every uplink is down is reported as that device, "isolated". So the single-homed agencies
behind a PoP name the PoP, and one page goes out, not fifty.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from netmon.model.snapshot import Cause, Status
from netmon.topology.graph import (
    Node,
    attributes,
    device_node,
    element_of,
    predecessors,
    successors,
)


def frontier(merged: Any, reached: Collection[Node]) -> dict[Node, frozenset[Node]]:
    """For every node the core cannot reach: the first failed nodes on the paths leading to it.

    merged: the nx.DiGraph with failed elements still in; reached: what the core reaches now.
    """
    succ, pred = successors(merged), predecessors(merged)
    out: dict[Node, frozenset[Node]] = {}
    queue: list[Node] = []
    for v in succ:
        if v not in reached and any(p in reached for p in pred[v]):
            out[v] = frozenset((v,))
            queue.append(v)
    # Forward through the unreachable region, growing sets until nothing changes (cycles,
    # such as a ring of PoPs cut off together, need a second pass; trees need one).
    changed = True
    while changed:
        changed = False
        for u in queue:
            mine = out[u]
            for v in succ[u]:
                if v in reached:
                    continue
                had = out.get(v)
                if had is None:
                    out[v] = mine
                    queue.append(v)
                    changed = True
                elif not mine <= had:
                    out[v] = had | mine
                    changed = True
    return out


def explain(
    merged: Any,
    chain: list[Node],
    first: Mapping[Node, frozenset[Node]],
    reached: Collection[Node],
    device_status: Mapping[str, Status],
    own_devices: tuple[str, ...],
) -> tuple[Cause, ...]:
    """The cause for one cut-off agency, given its chain of dominators in the declared design
    (core side first, ending with the agency's own node).

    The first element of the chain the core cannot reach explains the cut alone when it failed
    itself (a PoP down, an uplink down): every path went through it. Only when it did not (a
    dual-homed agency, a PoP isolated by several cuts) are the first failures on each of its
    broken paths reported. Without this step a PoP down would share the blame with every other
    failed PoP that the ring could have detoured through.
    """
    pred = predecessors(merged)
    for x in chain:
        if x in reached:
            continue
        kind, name = element_of(x)
        if kind == "device" and device_status[name] == "down":
            return (Cause("device", name, "down"),)
        if kind == "link" and any(p in reached for p in pred[x]):
            return causes(merged, frozenset((x,)), reached, device_status, own_devices)
        return causes(merged, first.get(x, frozenset()), reached, device_status, own_devices)
    return ()


def causes(
    merged: Any,
    first_failures: frozenset[Node],
    reached: Collection[Node],
    device_status: Mapping[str, Status],
    own_devices: tuple[str, ...],
) -> tuple[Cause, ...]:
    found: set[Cause] = set()
    isolated_by: set[str] = set()  # for each failed link: its end the core cannot reach
    nodes = attributes(merged)
    for n in first_failures:
        kind, name = element_of(n)
        if kind == "device":
            found.add(
                Cause("device", name, "down" if device_status[name] == "down" else "isolated")
            )
            continue
        ends = nodes[n]
        far = ends["b"] if device_node(ends["a"]) in reached else ends["a"]
        if device_status[far] == "down":
            found.add(Cause("device", far, "down"))
        else:
            found.add(Cause("link", name, "down"))
            isolated_by.add(far)
    links = [c for c in found if c.kind == "link"]
    if links and len(links) == len(found) and len(isolated_by) == 1:
        (far,) = isolated_by
        if far not in own_devices and len(links) > 1:
            # Every path dies on a link into the same device: that device is cut off as a
            # whole (e.g. a PoP with both ring uplinks down), so name it.
            return (Cause("device", far, "isolated"),)
    return tuple(sorted(found, key=lambda c: (c.kind, c.id)))
