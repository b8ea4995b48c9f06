"""Single points of failure from the dominator tree of the graph rooted at the core.

Element x dominates node v when every path from the core to v passes through x, so x's failure
alone cuts v off. With links as nodes (graph.py) the dominators of an agency are exactly the
devices and links whose single failure cuts it off, and the blast radius of x is the set of
agencies in x's subtree. One pass builds the tree (Cooper, Harvey & Kennedy, "A Simple, Fast
Dominance Algorithm", 2001: iterative, near-linear on graphs shaped like networks); walking
each agency's chain of dominators costs its depth (core, uplink, PoP, access link: a handful).
No all-pairs work anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from netmon.topology.graph import ROOT, Digraph


@dataclass(frozen=True)
class Dominance:
    idom: list[int]  # immediate dominator of each reachable node; -1 when unreachable
    reached: list[bool]

    def chain(self, v: int) -> list[int]:
        """The strict dominators of v, nearest first, without the root."""
        out = []
        x = self.idom[v]
        while x not in (ROOT, -1):
            out.append(x)
            x = self.idom[x]
        return out


def postorder(g: Digraph) -> list[int]:
    """Nodes reachable from the root, in DFS postorder (iterative: no recursion limit)."""
    succ = g.succ
    seen = g.unvisited()
    seen[ROOT] = 1
    out: list[int] = []
    stack = [(ROOT, iter(succ[ROOT]))]
    while stack:
        u, it = stack[-1]
        for v in it:
            if not seen[v]:
                seen[v] = 1
                stack.append((v, iter(succ[v])))
                break
        else:
            stack.pop()
            out.append(u)
    return out


def dominators(g: Digraph) -> Dominance:
    order = postorder(g)
    n = len(g)
    po = [-1] * n
    for i, v in enumerate(order):
        po[v] = i
    idom = [-1] * n
    idom[ROOT] = ROOT
    pred = g.pred

    def meet(b: int) -> int:
        new = -1
        for p in pred[b]:
            if idom[p] == -1:
                continue  # not processed yet (a back edge, first pass)
            if new == -1:
                new = p
                continue
            # Intersect: climb both fingers until they meet (postorder grows upwards).
            x, y = p, new
            while x != y:
                while po[x] < po[y]:
                    x = idom[x]
                while po[y] < po[x]:
                    y = idom[y]
            new = x
        return new

    # First pass in reverse postorder. A node with one predecessor (most of a network: access
    # links, single-homed CPEs) is dominated by it, for good; only the others can change in
    # later passes, so those passes visit only them.
    multi = []
    for b in reversed(order):
        if b == ROOT:
            continue
        ps = pred[b]
        if len(ps) == 1:
            idom[b] = ps[0]
        else:
            multi.append(b)
            idom[b] = meet(b)
    # Later passes alternate direction. Forward only, a correction travels one node per pass
    # backwards around a ring (20 passes for a ring of ten PoPs); a data-flow fixpoint does not
    # depend on the order of visits, only how soon it is reached.
    changed = True
    backwards = True
    while changed:
        changed = False
        for b in reversed(multi) if backwards else multi:
            new = meet(b)
            if idom[b] != new:
                idom[b] = new
                changed = True
        backwards = not backwards
    return Dominance(idom=idom, reached=[p != -1 for p in po])


def blast_sets(g: Digraph, dom: Dominance) -> dict[int, list[str]]:
    """For every node that dominates an agency node: the agencies it would cut off.

    An agency node counts itself (its device failing cuts it off); callers decide whether a
    device that only cuts off its own agency is worth reporting.
    """
    out: dict[int, list[str]] = {}
    for agency, v in g.agency.items():
        if not dom.reached[v]:
            continue
        x = v
        while x != ROOT:
            out.setdefault(x, []).append(agency)
            x = dom.idom[x]
    return out
