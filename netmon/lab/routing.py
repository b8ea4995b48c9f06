"""In-band management: the noc reaches every device over the lab's own cables, routed by bird.

Why: a metro network has no side cable to each of its 467 sites. The NOC reaches a CPE over
MetroNet itself, so when a PoP dies every device behind it goes silent. The lab reproduces
that (`--management inband`, the default) instead of giving each node a management bridge.

Addressing, all inside the inventory's management_network (which `up` checks against the
host's routes, so no lab route can shadow a real one):
- each device's management address is a /32 on its loopback, the noc's too, and the source of
  what the node sends (bird installs its routes with it as preferred source);
- each cable (veth pair) gets a /31 from a transfer block: the highest aligned block of the
  management network that holds no management address. The /31s are not announced (only the
  loopbacks are), and each end has a fixed MAC (02:4e: + its address) and a permanent
  neighbour entry for the other end, so no cable needs ARP (below);
- the noc is cabled to every core device (`upN` in the noc, `noc` in the core): the NOC sits
  in the core data centre, and netmon's graph starts at the core site.

Routing (bird 2, OSPFv2, one area, point-to-point interfaces, hello 1 s / dead 4 s so a cut
converges in a few seconds): on core and PoP devices, on CPEs with two or more cables, and in
the noc. A CPE with one cable runs no daemon: a static route for the management network via
its PoP, and the PoP a static route to the CPE's address (`check link`: withdrawn when the
cable goes dark) that it exports into OSPF.

Why the /31s are hidden: bird announces the /31 of a cable that has no neighbour yet as a stub
network, so a cable coming back changed the router LSA twice within a second (cable up, then
the neighbour Full), and OSPF lets a router re-originate its LSA only every 5 s
(MinLSInterval): a restored cable carried traffic again only 6-7 s later. Without the stubs
the LSA changes once, when the neighbour is Full (about 1 s: two hellos).

Why permanent neighbour entries: the kernel's neighbour table is shared by every namespace on
the machine, with a garbage-collection limit of 1024 entries (gc_thresh3, settable only in the
host's namespace). The 467 lab's 526 cables need about 1,050 entries by themselves, so the
table sat at its limit: about 2,000 entries evicted and resolved again every 10 s, and new
ones refused now and then (table_fulls in /proc/net/stat/arp_cache), worse with a second lab
up. Permanent entries are exempt from that limit and need no ARP. Admin-down flushes them
with the rest: inject.py writes them again when it brings a port back up.

CPEs and the noc never forward (ip_forward 0): a CPE is not a transit router, as netmon's
graph says. Cables to a CPE or the noc cost 1000 against 10 for the backbone, so OSPF
chooses a path through one only when nothing else is left, and that path then ends there, as
it does in netmon's graph. No default route anywhere: nothing routes off the lab.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

from netmon.errors import LabError
from netmon.lab.plan import LabPlan, Node, Wire
from netmon.model import Endpoint

HELLO_S = 1
DEAD_S = 4  # 3 s flapped adjacencies on a machine at load 100
# A lost database-description packet is sent again after this (bird's default 5 s made a
# restored cable wait that long now and then).
RETRANSMIT_S = 2  # bird refuses less than 2
NETLINK_RX_BUFFER = 8 << 20  # bytes (the kernel's default: net.core.rmem_default, 208 KiB)
BACKBONE_COST = 10
# Far above any detour round the ring (a dozen backbone hops): a path through a CPE or the noc
# is only ever the last one, and it dies there (neither forwards).
STUB_COST = 1000
NOC_LEG_PREFIX = "up"
CORE_LEG = "noc"
RESERVED_PORTS = (CORE_LEG,)


@dataclass(frozen=True)
class Leg:
    """One end of a routed cable: this node's interface, its /31 address, the far end's."""

    interface: str
    address: IPv4Address
    peer: IPv4Address
    peer_node: str


def transfer_block(plan_network: IPv4Network, used: set[IPv4Address], cables: int) -> IPv4Network:
    """The highest aligned block of the network big enough for `cables` /31s holding no
    management address (so a cable address never collides with a device's)."""
    need = max(4, 1 << (2 * cables - 1).bit_length())
    prefix = 32 - (need.bit_length() - 1)
    if prefix < plan_network.prefixlen:
        raise LabError(f"{plan_network} is too small for {cables} cable subnets")
    blocks = list(plan_network.subnets(new_prefix=prefix))
    for block in reversed(blocks):
        if not any(a in block for a in used):
            return block
    raise LabError(f"no free /{prefix} in {plan_network} for the lab's cable subnets")


def cables(plan: LabPlan) -> list[tuple[str, str, str, str]]:
    """(node a, interface a, node b, interface b) of every routed cable, in address order:
    the cabled wires, then the noc's legs to the core devices."""
    out = [(w.a.device, w.a.interface, b.device, b.interface) for w, b in _cabled(plan.wires)]
    cores = [n.name for n in plan.nodes if n.role == "core"]
    out += [(plan.noc.name, f"{NOC_LEG_PREFIX}{i}", c, CORE_LEG) for i, c in enumerate(cores)]
    return out


def _cabled(wires: tuple[Wire, ...]) -> list[tuple[Wire, Endpoint]]:
    return [(w, w.b) for w in wires if w.b is not None]


# The last plan's legs and routers: every node's files ask for them (478 nodes, 528 cables:
# recomputed per node, writing the files took 5 s instead of under 1). Keyed by identity,
# holding the plan so the id cannot be reused while cached.
_MEMO: dict[str, tuple[LabPlan, object]] = {}


def legs(plan: LabPlan) -> dict[str, list[Leg]]:
    """node -> its routed cable ends. Cable i is transfer[2i] (a end) and transfer[2i+1]."""
    hit = _MEMO.get("legs")
    if hit is not None and hit[0] is plan:
        return hit[1]  # type: ignore[return-value]
    out = _legs(plan)
    _MEMO["legs"] = (plan, out)
    return out


def _legs(plan: LabPlan) -> dict[str, list[Leg]]:
    if plan.transfer is None:
        return {}
    out: dict[str, list[Leg]] = {n.name: [] for n in plan.all_nodes()}
    base = int(plan.transfer.network_address)
    for i, (a, ia, b, ib) in enumerate(cables(plan)):
        x, y = IPv4Address(base + 2 * i), IPv4Address(base + 2 * i + 1)
        out[a].append(Leg(ia, x, y, b))
        out[b].append(Leg(ib, y, x, a))
    return out


def routers(plan: LabPlan) -> set[str]:
    """Nodes that run bird: the noc, core and PoP devices, CPEs with two or more cables.
    None out of band: the management bridge needs no routing."""
    if plan.management != "inband":
        return set()
    ends = legs(plan)
    return {n.name for n in plan.all_nodes() if n.role != "cpe" or len(ends.get(n.name, ())) >= 2}


def _cost(plan: LabPlan, a: str, b: str) -> int:
    role = {a: "", b: ""}
    for n in plan.all_nodes():
        if n.name in role:
            role[n.name] = n.role
    return STUB_COST if {role[a], role[b]} & {"cpe", "noc"} else BACKBONE_COST


def mac(address: IPv4Address) -> str:
    """The fixed, locally administered MAC of the cable end holding `address`."""
    return "02:4e:" + ":".join(f"{b:02x}" for b in address.packed)


def ip_batch(node: Node, plan: LabPlan) -> str:
    """Loopback address, cable ends (MAC, address, the neighbour entry of the far end), and
    for a CPE without bird its one static route."""
    lines = ["link set lo up", f"addr add {node.mgmt}/32 dev lo"]
    mine = legs(plan).get(node.name, [])
    lines += [f"link set {leg.interface} address {mac(leg.address)}" for leg in mine]
    lines += [f"link set {p} up" for p in node.ports]
    lines += [f"link set {leg.interface} up" for leg in mine if leg.interface not in node.ports]
    lines += [f"addr add {leg.address}/31 dev {leg.interface}" for leg in mine]
    lines += neighbours(node.name, plan)
    route = static_route(node.name, plan)
    if route is not None:
        lines.append(f"route add {route}")
    return "\n".join(lines) + "\n"


def neighbours(node: str, plan: LabPlan, interfaces: Collection[str] | None = None) -> list[str]:
    """`ip` batch lines: the permanent neighbour entry of the far end of each of the node's
    cables (those on `interfaces` only, if given)."""
    return [
        f"neigh replace {leg.peer} lladdr {mac(leg.peer)} dev {leg.interface} nud permanent"
        for leg in legs(plan).get(node, [])
        if interfaces is None or leg.interface in interfaces
    ]


def static_route(node: str, plan: LabPlan) -> str | None:
    """`ip route` arguments of a CPE without bird (one cable): the lab's network via its PoP,
    from its management address. None for every other node."""
    mine = legs(plan).get(node, [])
    if plan.transfer is None or node in routers(plan) or len(mine) != 1:
        return None
    src = next(n.mgmt for n in plan.all_nodes() if n.name == node)
    return f"{plan.network} via {mine[0].peer} dev {mine[0].interface} src {src}"


def sysctls(node: Node, plan: LabPlan) -> list[str]:
    """Forwarding only where the design allows transit; loose reverse-path checks (a
    dual-homed CPE's answer may leave by the other cable); routes over a dark cable ignored."""
    forward = 1 if node.role in ("core", "pop") else 0
    values = {
        "net/ipv4/ip_forward": forward,
        "net/ipv4/conf/all/rp_filter": 0,
        "net/ipv4/conf/default/rp_filter": 0,
        "net/ipv4/conf/all/ignore_routes_with_linkdown": 1,
        "net/ipv4/conf/default/ignore_routes_with_linkdown": 1,
    }
    return [f"echo {v} > /proc/sys/{k}" for k, v in values.items()]


def bird_conf(node: Node, plan: LabPlan, log: Path) -> str:
    """bird 2 configuration of a routing node (see the module docstring)."""
    mine = legs(plan)[node.name]
    routed = routers(plan)
    ospf = [leg for leg in mine if leg.peer_node in routed]
    static = [leg for leg in mine if leg.peer_node not in routed]
    mgmt = {n.name: n.mgmt for n in plan.all_nodes()} if static else {}
    lines = [
        f"# bird of lab node {node.name} (generated by netmon lab, in-band management)",
        f'log "{log}" {{ warning, error, fatal }};',
        f"router id {node.mgmt};",
        # Link changes arrive by netlink at once; the scan is the safety net behind them.
        "protocol device { scan time 10; }",
        # The loopback is the node's source address: the /31s are not announced. A PoP
        # coming back installs or drops some 500 routes in every router at once, and the
        # kernel's echo of them overflowed the netlink socket's default buffer ("Kernel
        # dropped some netlink messages"): an interface event lost with them waits for the
        # next scan (10 s).
        "protocol kernel {",
        f"  netlink rx buffer {NETLINK_RX_BUFFER};",
        f"  ipv4 {{ import none; export filter {{ krt_prefsrc = {node.mgmt}; accept; }}; }};",
        "}",
    ]
    if static:
        lines.append("protocol static cpes {")
        lines.append("  ipv4;")
        lines.append("  check link yes;")
        lines += [f"  route {mgmt[leg.peer_node]}/32 via {leg.peer};" for leg in static]
        lines.append("}")
    lines += [
        "protocol ospf v2 metronet {",
        "  ipv4 { import all; export where source = RTS_STATIC; };",
        "  area 0 {",
        f"    stubnet {node.mgmt}/32;",
        # No stub networks for the cables' /31s (the module docstring says why).
        f"    stubnet {plan.transfer} {{ hidden; summary; }};",
    ]
    for leg in ospf:
        lines.append(
            f'    interface "{leg.interface}" {{ type ptp; hello {HELLO_S}; dead {DEAD_S}; '
            f"retransmit {RETRANSMIT_S}; "
            f"cost {_cost(plan, node.name, leg.peer_node)}; }};"
        )
    lines += ["  };", "}", ""]
    return "\n".join(lines)


def expected_routes(plan: LabPlan) -> set[IPv4Address]:
    """The management addresses the noc should have a route to once OSPF has converged: the
    devices the cables connect to a core without passing through a CPE (breadth first)."""
    role = {n.name: n.role for n in plan.all_nodes()}
    ends = legs(plan)
    mgmt = {n.name: n.mgmt for n in plan.nodes}
    seen = {n.name for n in plan.nodes if n.role == "core"}
    queue = sorted(seen)
    while queue:
        cur = queue.pop()
        if role[cur] == "cpe":
            continue  # no transit through a CPE
        for leg in ends[cur]:
            if leg.peer_node not in seen and leg.peer_node in mgmt:
                seen.add(leg.peer_node)
                queue.append(leg.peer_node)
    return {mgmt[n] for n in seen}
