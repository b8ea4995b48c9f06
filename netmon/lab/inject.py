"""Failure injection on a running lab: cut/restore, freeze/thaw, loss, delay.

Every change is recorded in lab.json, so `lab status` shows it and `down` undoes it all.
- cut LINK: the b end is shut (admin down), so the a end (the PoP side of an access link)
  sees what a cable cut looks like: admin up, oper down. LLDP loses the neighbour on both.
- freeze NODE: SIGSTOP to every process of the node (a black hole for SNMP, SSH and LLDP;
  the kernel still answers ping). thaw: SIGCONT.
- loss NODE PCT: an nftables rule in the node drops PCT % of what arrives on mgmt0.
- delay NODE MS: nftables redirects SNMP and SSH arriving on mgmt0 to a seeded userspace relay
  in the node that holds each request MS (± jitter) before passing it on. No netem here.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from netmon.errors import LabError
from netmon.lab import netns
from netmon.lab.paths import LabPaths
from netmon.lab.plan import Wire
from netmon.lab.state import LabState, load, save

LOSS_TABLE = "netmon_lab_loss"
DELAY_TABLE = "netmon_lab_delay"
# Where the relay listens inside the node; nftables redirects udp 161 and tcp 22 there.
SNMP_RELAY_PORT = 16161
SSH_RELAY_PORT = 16022


def _in(paths: LabPaths, node: str, *cmd: str) -> list[str]:
    return ["nsenter", f"--net={paths.netns(node)}", "--", *cmd]


def _node(state: LabState, node: str) -> str:
    state.inode(node)  # raises a clear error for an unknown node
    if node == state.plan.noc.name:
        raise LabError("the noc is where netmon runs: inject failures into devices, not the noc")
    return node


def find_wire(state: LabState, link: str) -> Wire:
    wires = [w for w in state.plan.wires if w.id == link]
    if not wires:
        raise LabError(f"no link {link!r} in this lab (see `netmon lab status`)")
    cabled = [w for w in wires if w.b is not None]
    if not cabled:
        raise LabError(
            f"link {link!r} has no cable in the lab (a seeded missing_link or spare port)"
        )
    return cabled[0]


def set_cut(paths: LabPaths, link: str, cut: bool) -> LabState:
    state = load(paths)
    w = find_wire(state, link)
    assert w.b is not None
    updown = "down" if cut else "up"
    netns.run(_in(paths, w.b.device, "ip", "link", "set", w.b.interface, updown))
    cuts = set(state.injections.cut)
    cuts = cuts | {link} if cut else cuts - {link}
    state = state.with_injections(cut=tuple(sorted(cuts)))
    save(paths, state)
    return state


def set_frozen(paths: LabPaths, node: str, frozen: bool) -> LabState:
    state = load(paths)
    ino = state.inode(_node(state, node))
    pids = netns.processes_in({ino})
    if not pids:
        raise LabError(f"{node} has no processes to {'freeze' if frozen else 'thaw'}")
    netns.signal_all(pids, signal.SIGSTOP if frozen else signal.SIGCONT)
    names = set(state.injections.frozen)
    names = names | {node} if frozen else names - {node}
    state = state.with_injections(frozen=tuple(sorted(names)))
    save(paths, state)
    return state


def set_loss(paths: LabPaths, node: str, pct: int) -> LabState:
    if not 0 <= pct <= 100:
        raise LabError("loss is a percentage: 0 to 100")
    state = load(paths)
    _node(state, node)
    _drop_table(paths, node, "inet", LOSS_TABLE)
    if pct:
        rules = (
            f"table inet {LOSS_TABLE} {{\n chain input {{\n"
            "  type filter hook input priority filter; policy accept;\n"
            f'  iifname "mgmt0" numgen random mod 100 < {pct} drop\n }}\n}}\n'
        )
        netns.run(_in(paths, node, "nft", "-f", "-"), stdin=rules)
    loss = {n: p for n, p in state.injections.loss if n != node}
    if pct:
        loss[node] = pct
    state = state.with_injections(loss=tuple(sorted(loss.items())))
    save(paths, state)
    return state


def set_delay(paths: LabPaths, node: str, ms: int, jitter_ms: int = 0) -> LabState:
    if not 0 <= ms <= 60_000 or not 0 <= jitter_ms <= ms:
        raise LabError("delay is 0 to 60000 ms, and jitter at most the delay")
    state = load(paths)
    _node(state, node)
    _drop_table(paths, node, "ip", DELAY_TABLE)
    delays = {n: (d, pid) for n, d, pid in state.injections.delay}
    if node in delays:
        _stop_relay(delays.pop(node)[1])
    if ms:
        seed = state.plan.seed * 1_000_003 + sum(map(ord, node))
        pid = _start_relay(paths, node, ms, jitter_ms, seed)
        rules = (
            f"table ip {DELAY_TABLE} {{\n chain pre {{\n"
            "  type nat hook prerouting priority dstnat; policy accept;\n"
            f'  iifname "mgmt0" udp dport 161 redirect to :{SNMP_RELAY_PORT}\n'
            f'  iifname "mgmt0" tcp dport 22 redirect to :{SSH_RELAY_PORT}\n }}\n}}\n'
        )
        netns.run(_in(paths, node, "nft", "-f", "-"), stdin=rules)
        delays[node] = (ms, pid)
    state = state.with_injections(delay=tuple((n, d, p) for n, (d, p) in sorted(delays.items())))
    save(paths, state)
    return state


def _drop_table(paths: LabPaths, node: str, family: str, table: str) -> None:
    listing = netns.run(_in(paths, node, "nft", "list", "tables"))
    if f"table {family} {table}" in listing:
        netns.run(_in(paths, node, "nft", "delete", "table", family, table))


def _start_relay(paths: LabPaths, node: str, ms: int, jitter_ms: int, seed: int) -> int:
    # Run by path: the relay needs only the standard library, and importing the netmon
    # package first would cost half a second of start-up.
    script = Path(__file__).parent / "procs" / "relay.py"
    log = (paths.node_dir(node) / "relay.log").open("ab")
    with log:
        proc = subprocess.Popen(
            _in(
                paths,
                node,
                sys.executable,
                "-I",
                str(script),
                "--delay-ms",
                str(ms),
                "--jitter-ms",
                str(jitter_ms),
                "--seed",
                str(seed),
                "--udp-port",
                str(SNMP_RELAY_PORT),
                "--tcp-port",
                str(SSH_RELAY_PORT),
            ),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    netns.wait_listening(SNMP_RELAY_PORT, proc)
    return proc.pid


def _stop_relay(pid: int) -> None:
    """Kill the relay and wait (bounded) until it is gone, so its port is free again."""
    netns.signal_all([pid], signal.SIGKILL)
    end = time.monotonic() + 3.0
    while Path(f"/proc/{pid}/fd").exists() and time.monotonic() < end:
        time.sleep(0.01)
