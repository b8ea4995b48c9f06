"""lab.json: what `up` built, and what has been injected since. The marker `down` trusts.

Written atomically (temporary file + rename) so a crash never leaves half a file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from netmon.errors import LabError
from netmon.lab.paths import LabPaths
from netmon.lab.plan import DaemonMode, Deviation, DeviationKind, LabPlan, Node, Wire
from netmon.model import Endpoint

VERSION = 1


@dataclass(frozen=True)
class Injections:
    cut: tuple[str, ...] = ()
    frozen: tuple[str, ...] = ()
    loss: tuple[tuple[str, int], ...] = ()  # node -> percent
    powered_off: tuple[str, ...] = ()
    hung: tuple[str, ...] = ()
    delay: tuple[tuple[str, int, int], ...] = ()  # node -> (ms, relay pid)


@dataclass(frozen=True)
class LabState:
    plan: LabPlan
    status: str  # "starting" while up runs, then "up"
    inventory: str
    netns: tuple[tuple[str, int], ...] = ()  # node -> namespace inode
    forwards: tuple[tuple[int, int], ...] = ()  # host 127.0.0.1 port -> forwarder pid
    injections: Injections = field(default_factory=Injections)

    def inode(self, node: str) -> int:
        for name, ino in self.netns:
            if name == node:
                return ino
        raise LabError(f"no node {node!r} in this lab (see `netmon lab status`)")

    def with_injections(self, **changes: Any) -> LabState:
        return replace(self, injections=replace(self.injections, **changes))


def _end(e: Endpoint | None) -> dict[str, str] | None:
    return None if e is None else {"device": e.device, "interface": e.interface}


def _pair(p: tuple[Endpoint, Endpoint] | None) -> dict[str, Any] | None:
    return None if p is None else {"a": _end(p[0]), "b": _end(p[1])}


def deviation_json(d: Deviation) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "link": d.link,
        "declared": _pair(d.declared),
        "actual": _pair(d.actual),
    }


def to_json(s: LabState) -> dict[str, Any]:
    p = s.plan
    return {
        "version": VERSION,
        "status": s.status,
        "inventory": s.inventory,
        "name": p.name,
        "network": str(p.network),
        "seed": p.seed,
        "daemons": p.daemons,
        "lldp_interval": p.lldp_interval,
        "management": p.management,
        "transfer": None if p.transfer is None else str(p.transfer),
        "noc": {"name": p.noc.name, "mgmt": str(p.noc.mgmt)},
        "nodes": [
            {
                "name": n.name,
                "role": n.role,
                "mgmt": str(n.mgmt),
                "ports": list(n.ports),
                "speeds": [list(x) for x in n.speeds],
            }
            for n in p.nodes
        ],
        "wires": [
            {"id": w.id, "a": _end(w.a), "b": _end(w.b), "declared": w.declared} for w in p.wires
        ],
        "deviations": [deviation_json(d) for d in p.deviations],
        "netns": dict(s.netns),
        "forwards": {str(k): v for k, v in s.forwards},
        "injections": {
            "cut": list(s.injections.cut),
            "frozen": list(s.injections.frozen),
            "loss": dict(s.injections.loss),
            "powered_off": list(s.injections.powered_off),
            "hung": list(s.injections.hung),
            "delay": {n: [ms, pid] for n, ms, pid in s.injections.delay},
        },
    }


def _ep(d: dict[str, str] | None) -> Endpoint | None:
    return None if d is None else Endpoint(d["device"], d["interface"])


def _pair_from(d: dict[str, Any] | None) -> tuple[Endpoint, Endpoint] | None:
    if d is None:
        return None
    a, b = _ep(d["a"]), _ep(d["b"])
    assert a is not None and b is not None
    return (a, b)


def from_json(d: dict[str, Any]) -> LabState:
    if d.get("version") != VERSION:
        raise LabError("lab.json was written by another netmon version: run `netmon lab down`")
    noc = Node(d["noc"]["name"], "noc", IPv4Address(d["noc"]["mgmt"]), ())
    nodes = tuple(
        Node(
            n["name"],
            n["role"],
            IPv4Address(n["mgmt"]),
            tuple(n["ports"]),
            tuple((p, int(b)) for p, b in n["speeds"]),
        )
        for n in d["nodes"]
    )
    wires = []
    for w in d["wires"]:
        a = _ep(w["a"])
        assert a is not None
        wires.append(Wire(w["id"], a, _ep(w["b"]), w["declared"]))
    devs = tuple(
        Deviation(_kind(x["kind"]), x["link"], _pair_from(x["declared"]), _pair_from(x["actual"]))
        for x in d["deviations"]
    )
    daemons: DaemonMode = "snmp" if d["daemons"] == "snmp" else "full"
    plan = LabPlan(
        d["name"],
        IPv4Network(d["network"]),
        noc,
        nodes,
        tuple(wires),
        devs,
        d["seed"],
        daemons,
        d["lldp_interval"],
        # lab.json written before in-band management existed: the management bridge.
        "inband" if d.get("management") == "inband" else "oob",
        IPv4Network(d["transfer"]) if d.get("transfer") else None,
    )
    inj = d["injections"]
    return LabState(
        plan=plan,
        status=d["status"],
        inventory=d["inventory"],
        netns=tuple((k, int(v)) for k, v in d["netns"].items()),
        forwards=tuple((int(k), int(v)) for k, v in d["forwards"].items()),
        injections=Injections(
            cut=tuple(inj["cut"]),
            frozen=tuple(inj["frozen"]),
            loss=tuple((k, int(v)) for k, v in inj["loss"].items()),
            powered_off=tuple(inj.get("powered_off", ())),
            hung=tuple(inj.get("hung", ())),
            delay=tuple((k, int(v[0]), int(v[1])) for k, v in inj["delay"].items()),
        ),
    )


def _kind(k: str) -> DeviationKind:
    if k == "wrong_port":
        return "wrong_port"
    if k == "undeclared_link":
        return "undeclared_link"
    return "missing_link"


def save(paths: LabPaths, s: LabState) -> None:
    tmp = paths.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(to_json(s), indent=1) + "\n", encoding="utf-8")
    tmp.replace(paths.state_file)


def load(paths: LabPaths) -> LabState:
    try:
        raw = json.loads(paths.state_file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LabError(f"no lab is up in {paths.root} (run `netmon lab up`)") from exc
    except (OSError, ValueError) as exc:
        raise LabError(f"{paths.state_file} is unreadable ({exc}): run `netmon lab down`") from exc
    return from_json(raw)
