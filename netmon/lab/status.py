"""`lab status`: the lab as built (nodes, links, seeded deviations) and as it is now.

The JSON shape is documented in docs/lab.md; its `deviations` are the ground truth that
netmon's drift report is checked against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netmon.lab import netns
from netmon.lab.paths import LabPaths
from netmon.lab.state import LabState, deviation_json, load

DAEMONS = ("snmpd", "lldpd", "sshd", "bird")


def _pid(run: Path, daemon: str) -> int | None:
    try:
        pid = int((run / f"{daemon}.pid").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


def status_json(paths: LabPaths) -> dict[str, Any]:
    if not paths.state_file.exists():
        return {
            "lab": {"up": False, "state_dir": str(paths.root)},
            "nodes": [],
            "links": [],
            "deviations": [],
            "forwards": [],
        }
    s = load(paths)
    return _build(s, paths)


def _build(s: LabState, paths: LabPaths) -> dict[str, Any]:
    p, inj = s.plan, s.injections
    alive = netns.processes_in({ino for _, ino in s.netns})
    per_ns: dict[int, int] = {}
    for ino in alive.values():
        per_ns[ino] = per_ns.get(ino, 0) + 1
    loss, delay = dict(inj.loss), {n: ms for n, ms, _ in inj.delay}
    nodes = []
    for n in p.all_nodes():
        run = paths.node_run(n.name)
        if n.role != "noc":
            daemons = {d: _pid(run, d) for d in DAEMONS}
        else:
            daemons = {"bird": _pid(run, "bird")} if p.management == "inband" else {}
        nodes.append(
            {
                "name": n.name,
                "role": n.role,
                "mgmt": str(n.mgmt),
                "mac": n.mac,
                "ports": list(n.ports),
                "processes": per_ns.get(s.inode(n.name), 0),
                "daemons": daemons,
                "frozen": n.name in inj.frozen,
                "powered_off": n.name in inj.powered_off,
                "hung": n.name in inj.hung,
                "loss_pct": loss.get(n.name, 0),
                "delay_ms": delay.get(n.name, 0),
            }
        )
    links = []
    seen: set[str] = set()
    for w in p.wires:
        if w.id.startswith("spare:") or w.id in seen:
            continue
        seen.add(w.id)
        state = "missing" if w.b is None else ("cut" if w.id in inj.cut else "up")
        links.append(
            {
                "id": w.id,
                "declared": w.declared,
                "state": state,
                "a": {"device": w.a.device, "interface": w.a.interface},
                "b": None if w.b is None else {"device": w.b.device, "interface": w.b.interface},
            }
        )
    return {
        "lab": {
            "up": s.status == "up",
            "status": s.status,
            "name": p.name,
            "state_dir": str(paths.root),
            "inventory": s.inventory,
            "network": str(p.network),
            "noc": str(p.noc.mgmt),
            "seed": p.seed,
            "daemons": p.daemons,
            "lldp_interval_s": p.lldp_interval,
            "management": p.management,
            "transfer": None if p.transfer is None else str(p.transfer),
        },
        "nodes": nodes,
        "links": links,
        "deviations": [deviation_json(d) for d in p.deviations],
        "forwards": [
            {"host": f"127.0.0.1:{port}", "noc": f"127.0.0.1:{port}", "pid": pid}
            for port, pid in s.forwards
        ],
    }
