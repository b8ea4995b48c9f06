"""Failure injection on a running lab: cut/restore, freeze/thaw, loss, delay.

Every change is recorded in lab.json, so `lab status` shows it and `down` undoes it all.
- cut LINK: the b end is shut (admin down), so the a end (the PoP side of an access link)
  sees what a cable cut looks like: admin up, oper down. LLDP loses the neighbour on both.
  In-band, restoring writes the b end's permanent neighbour entry again (admin down flushed it).
- freeze NODE: SIGSTOP to every process of the node (a black hole for SNMP, SSH and LLDP;
  the kernel still answers ping). thaw: SIGCONT.
- loss NODE PCT: an nftables rule in the node drops PCT % of what arrives on mgmt0.
- delay NODE MS: nftables redirects SNMP and SSH arriving on mgmt0 to a seeded userspace relay
  in the node that holds each request MS (± jitter) before passing it on. No netem here.
  (In-band, loss and delay match what is addressed to the node's management address instead.)
- power-off NODE: every port of the node goes admin down (its neighbours read oper down, as
  when a device loses power) and every process stops (SIGSTOP; bird is killed, and started
  again at power-on, as a router boots). power-on brings the ports up and the rest back.
- hang NODE: nftables drops everything into, out of and through the node; its ports stay
  lit, so its neighbours read them up (a crashed device). unhang removes the table.
In-band, freeze leaves bird running: a hung agent is not a dead router.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from netmon.errors import LabError
from netmon.lab import netns, render, routing
from netmon.lab.paths import LabPaths
from netmon.lab.plan import Wire
from netmon.lab.state import LabState, load, save

LOSS_TABLE = "netmon_lab_loss"
HANG_TABLE = "netmon_lab_hang"
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
    # In-band, admin down flushed the port's permanent neighbour entry: written again.
    again = [] if cut else routing.neighbours(w.b.device, state.plan, {w.b.interface})
    netns.run(
        _in(paths, w.b.device, "ip", "-batch", "-"),
        stdin="".join(f"{line}\n" for line in [f"link set {w.b.interface} {updown}", *again]),
    )
    if not cut:
        _restore_static_route(paths, state, w.b.device)
    cuts = set(state.injections.cut)
    cuts = cuts | {link} if cut else cuts - {link}
    state = state.with_injections(cut=tuple(sorted(cuts)))
    save(paths, state)
    return state


def _mgmt_match(state: LabState, node: str) -> str:
    """nftables match for traffic to the node's management address, as the mode delivers it."""
    if state.plan.management == "oob":
        return 'iifname "mgmt0"'
    (mine,) = [n for n in state.plan.nodes if n.name == node]
    return f"ip daddr {mine.mgmt}"


def _bird_pid(paths: LabPaths, node: str) -> int | None:
    try:
        return int((paths.node_run(node) / "bird.pid").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def set_frozen(paths: LabPaths, node: str, frozen: bool) -> LabState:
    state = load(paths)
    ino = state.inode(_node(state, node))
    pids = netns.processes_in({ino})
    if frozen:
        pids.pop(_bird_pid(paths, node) or -1, None)
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
            f"  {_mgmt_match(state, node)} numgen random mod 100 < {pct} drop\n }}\n}}\n"
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
            f"  {_mgmt_match(state, node)} udp dport 161 redirect to :{SNMP_RELAY_PORT}\n"
            f"  {_mgmt_match(state, node)} tcp dport 22 redirect to :{SSH_RELAY_PORT}\n }}\n}}\n"
        )
        netns.run(_in(paths, node, "nft", "-f", "-"), stdin=rules)
        delays[node] = (ms, pid)
    state = state.with_injections(delay=tuple((n, d, p) for n, (d, p) in sorted(delays.items())))
    save(paths, state)
    return state


def _ports(state: LabState, node: str) -> list[str]:
    """Every port of the node: data ports, the noc's leg on a core, mgmt0 out of band."""
    (mine,) = [n for n in state.plan.nodes if n.name == node]
    extra = ["mgmt0"] if state.plan.management == "oob" else []
    legs = [leg.interface for leg in routing.legs(state.plan).get(node, [])]
    return list(dict.fromkeys([*mine.ports, *legs, *extra]))


def set_powered_off(paths: LabPaths, node: str, off: bool) -> LabState:
    state = load(paths)
    ino = state.inode(_node(state, node))
    # A cut cable stays cut: its shut end is not brought up with the rest.
    shut = {
        w.b.interface
        for w in state.plan.wires
        if w.id in state.injections.cut and w.b is not None and w.b.device == node
    }
    ports = [p for p in _ports(state, node) if off or p not in shut]
    updown = "down" if off else "up"
    lines = [f"link set {p} {updown}" for p in ports]
    if not off:  # admin down flushed the ports' permanent neighbour entries (routing.py)
        lines += routing.neighbours(node, state.plan, set(ports))
    netns.run(_in(paths, node, "ip", "-batch", "-"), stdin="".join(f"{ln}\n" for ln in lines))
    # bird dies and boots again, as a router does when its power comes back: stopped, it
    # would wake to a backlog of netlink events (its ports, its routes), lose some when the
    # socket buffer overflows, and leave CPEs unrouted until its next interface scan.
    bird = _bird_pid(paths, node)
    pids = netns.processes_in({ino})
    if off and bird in pids:
        netns.signal_all([bird], signal.SIGKILL)
        pids.pop(bird)
    netns.signal_all(pids, signal.SIGSTOP if off else signal.SIGCONT)
    if not off:
        _restore_static_route(paths, state, node)
        if node in routing.routers(state.plan) and (bird is None or bird not in pids):
            conf, run = paths.node_dir(node) / "bird.conf", paths.node_run(node)
            netns.run(_in(paths, node, "sh", "-c", render.bird_command(conf, run)))
    names = set(state.injections.powered_off)
    names = names | {node} if off else names - {node}
    state = state.with_injections(powered_off=tuple(sorted(names)))
    save(paths, state)
    return state


def _restore_static_route(paths: LabPaths, state: LabState, node: str) -> None:
    """A port taken admin down loses the kernel routes through it: a CPE without bird gets its
    static route back when its cable comes up again (bird nodes restore their own)."""
    route = routing.static_route(node, state.plan)
    if route is not None:
        netns.run(_in(paths, node, "ip", "route", "replace", *route.split()))


def set_hung(paths: LabPaths, node: str, hung: bool) -> LabState:
    state = load(paths)
    _node(state, node)
    _drop_table(paths, node, "inet", HANG_TABLE)
    if hung:
        chains = "".join(
            f" chain {hook} {{\n  type filter hook {hook} priority -300; policy drop;\n }}\n"
            for hook in ("input", "forward", "output")
        )
        netns.run(
            _in(paths, node, "nft", "-f", "-"), stdin=f"table inet {HANG_TABLE} {{\n{chains}}}\n"
        )
    names = set(state.injections.hung)
    names = names | {node} if hung else names - {node}
    state = state.with_injections(hung=tuple(sorted(names)))
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
