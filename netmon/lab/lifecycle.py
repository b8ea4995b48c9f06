"""`lab up` and `lab down`: build the replica in parallel, and take it all away again.

up: plan -> files -> namespaces -> veths (one `ip -batch`) -> every node's start script in
parallel (daemons start concurrently: one node at a time took 58 s at 467 agencies).
down: kill every process in the lab's namespaces, unmount, delete the folder. It works from
what is on disk and mounted, so it also cleans up after a crash, and twice is harmless.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from netmon.errors import LabError, NetmonError
from netmon.lab import converge, creds, netns, render, routing, safety
from netmon.lab.forward import start_forwarders
from netmon.lab.paths import NOC, SWITCH, LabPaths
from netmon.lab.plan import LabPlan
from netmon.lab.state import LabState, load, save

# Node start-up is process creation bound; a few per core keeps both cores busy (at 467
# agencies the CPUs are saturated with 8: 16 workers measured no faster).
WORKERS = max(4, 4 * (os.cpu_count() or 1))
STATE_ENTRIES = {
    "lab.json",
    "lab.tmp",
    "secrets",
    "ssh",
    "etc",
    "ns",
    "nodes",
    "forward.log",
    "inventory",  # the subset `up --agencies N` replicates (lab_up writes it)
}


@dataclass(frozen=True)
class UpRequest:
    plan: LabPlan
    inventory: str
    forwards: tuple[int, ...] = ()


def up(req: UpRequest, paths: LabPaths) -> LabState:
    plan = req.plan
    safety.require_root()
    safety.require_tools(with_sshd=plan.daemons == "full", with_bird=plan.management == "inband")
    safety.check_no_overlap(plan.network)
    if plan.transfer is not None:
        safety.check_no_overlap(plan.transfer)
    if paths.state_file.exists():
        raise LabError(f"a lab is already up in {paths.root}: run `netmon lab down` first")
    if netns.mounts_under(paths.root):
        down(paths)  # leftovers of a crashed lab
    state = LabState(plan=plan, status="starting", inventory=req.inventory)
    paths.root.mkdir(parents=True, exist_ok=True)
    save(paths, state)
    clock = _Phases()
    try:
        _write_files(plan, paths)
        clock("files")
        names = [n.name for n in plan.all_nodes()] + [SWITCH]
        netns.ensure_private_dir(paths.ns_dir)
        netns.create_mount_template(paths.mount_template, paths.etc, paths.ns_dir)
        netns.create_netns([paths.netns(n) for n in names], WORKERS)
        inodes = tuple((n, netns.inode(paths.netns(n))) for n in names)
        clock("namespaces")
        host_batch, switch_batch = render.host_ip_batch(plan)
        netns.run(["ip", "-batch", "-"], stdin=host_batch, cwd=paths.ns_dir, timeout=120)
        netns.run(
            _in(
                paths,
                SWITCH,
                "sh",
                "-c",
                "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; ip -batch -",
            ),
            stdin=switch_batch,
        )
        clock("veths")
        netns.parallel(
            (
                _in(paths, n.name, "sh", str(paths.node_dir(n.name) / "net.sh"))
                for n in plan.all_nodes()
            ),
            WORKERS,
        )
        clock("addresses")
        if plan.management == "inband":
            # Every bird first, all at once (a few ms of CPU each): their adjacencies form
            # while the other daemons start, instead of after the last of them.
            netns.parallel((_bird(paths, n) for n in sorted(routing.routers(plan))), WORKERS)
            clock("routers")
        # Each device node: its network namespace, a mount namespace copied from the template
        # (small: no namespace files; /etc/passwd and group bound), its own uts namespace.
        netns.parallel(
            (
                _in(
                    paths,
                    n.name,
                    "unshare",
                    "--mount",
                    "--uts",
                    "--propagation",
                    "private",
                    "sh",
                    str(paths.node_dir(n.name) / "start.sh"),
                    mount=paths.mount_template,
                )
                for n in plan.nodes
            ),
            WORKERS,
        )
        clock("daemons")
        if plan.management == "inband":
            converge.wait_routes(paths, plan)
            clock("routing")
        state = LabState(plan=plan, status="up", inventory=req.inventory, netns=inodes)
        save(paths, state)
        forwards = start_forwarders(paths, req.forwards)
        state = LabState(
            plan=plan, status="up", inventory=req.inventory, netns=inodes, forwards=forwards
        )
        save(paths, state)
    except (NetmonError, OSError, KeyboardInterrupt):
        print("netmon lab: start-up failed, taking the partial lab down", file=sys.stderr)
        down(paths)
        raise
    return state


class _Phases:
    """Prints how long each start-up phase took when NETMON_LAB_TIMING is set."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.on = bool(os.environ.get("NETMON_LAB_TIMING"))

    def __call__(self, phase: str) -> None:
        now = time.monotonic()
        if self.on:
            print(f"netmon lab: {phase} {now - self.last:.2f} s", file=sys.stderr)
        self.last = now


def _in(paths: LabPaths, node: str, *cmd: str, mount: Path | None = None) -> list[str]:
    """`cmd` in the node's network namespace (and in the mount namespace `mount` if given)."""
    mnt = [f"--mount={mount}"] if mount is not None else []
    return ["nsenter", f"--net={paths.netns(node)}", *mnt, "--", *cmd]


def _write_files(plan: LabPlan, paths: LabPaths) -> None:
    secrets = creds.new_snmp_secrets()
    creds.write_snmp_secrets(paths, secrets)
    paths.ssh.mkdir(parents=True, exist_ok=True)
    client = creds.write_client_key(paths)
    (paths.ssh / "sshd_config").write_text(render.sshd_config(paths), encoding="utf-8")
    paths.etc.mkdir(exist_ok=True)
    passwd, group = render.passwd_and_group()
    (paths.etc / "passwd").write_text(passwd, encoding="utf-8")
    (paths.etc / "group").write_text(group, encoding="utf-8")
    known: list[str] = []
    noc_dir = paths.node_dir(NOC)
    noc_dir.mkdir(parents=True, exist_ok=True)
    (noc_dir / "ip.batch").write_text(render.node_ip_batch(plan.noc, plan), encoding="utf-8")
    (noc_dir / "net.sh").write_text(render.net_script(plan.noc, paths, plan), encoding="utf-8")
    routers = routing.routers(plan)
    if plan.noc.name in routers:
        paths.node_run(NOC).mkdir(parents=True, exist_ok=True)
        (noc_dir / "bird.conf").write_text(
            routing.bird_conf(plan.noc, plan, noc_dir / "bird.log"), encoding="utf-8"
        )
    for node in plan.nodes:
        d = paths.node_dir(node.name)
        (d / "run" / "sshd").mkdir(parents=True, exist_ok=True)  # sshd's privsep chroot
        (d / "snmp").mkdir(exist_ok=True)
        (d / "snmpd.conf").write_text(render.snmpd_conf(node, secrets), encoding="utf-8")
        # lldpd hands its -O file to lldpcli running unprivileged: keep it in the node's /run,
        # readable whatever the permissions of the folders above the state folder.
        (d / "run" / "lldpd.conf").write_text(render.lldpd_conf(node, plan.lldp_interval), "utf-8")
        (d / "run" / "authorized_keys").write_text(client.public_line + "\n", encoding="utf-8")
        (d / "ip.batch").write_text(render.node_ip_batch(node, plan), encoding="utf-8")
        (d / "net.sh").write_text(render.net_script(node, paths, plan), encoding="utf-8")
        if node.name in routers:
            (d / "bird.conf").write_text(
                routing.bird_conf(node, plan, d / "bird.log"), encoding="utf-8"
            )
        (d / "start.sh").write_text(render.start_script(node, plan, paths), encoding="utf-8")
        if plan.daemons == "full":
            pair = creds.new_keypair(f"root@{node.name}")
            creds.write_secret(d / "ssh_host_ed25519_key", pair.private_openssh)
            known.append(f"{node.mgmt} {pair.public_line.rsplit(' ', 1)[0]}")
    paths.known_hosts.write_text("\n".join(known) + "\n", encoding="utf-8")


def _bird(paths: LabPaths, node: str) -> list[str]:
    """A node's bird, in its network namespace only: its config, log, pid file and control
    socket are in the node's folder (`run/` is the device node's /run, so `lab exec NODE
    birdc` finds the socket), where `lab status` and `lab down` find them."""
    conf = paths.node_dir(node) / "bird.conf"
    return _in(paths, node, "sh", "-c", render.bird_command(conf, paths.node_run(node)))


def lab_inodes(paths: LabPaths) -> set[int]:
    """Namespace inodes of the lab: from lab.json, and from whatever is still mounted."""
    found: set[int] = set()
    with contextlib.suppress(LabError):  # no or broken lab.json: the mounts below still tell
        found.update(ino for _, ino in load(paths).netns)
    for point in netns.mounts_under(paths.ns_dir):
        if point != paths.ns_dir.absolute():
            found.add(netns.inode(point))
    return found


def down(paths: LabPaths) -> int:
    """Take the lab away; returns how many processes were killed. Idempotent."""
    if not paths.root.exists():
        return 0
    safety.require_root()
    inodes = lab_inodes(paths)
    if Path("/proc/self/ns/net").stat().st_ino in inodes:
        raise LabError("`lab down` cannot run inside the lab: run it from the host")
    killed = netns.kill_namespaces(inodes)
    netns.umount_all(netns.mounts_under(paths.root))
    if netns.mounts_under(paths.root):
        raise LabError(f"mounts under {paths.root} could not be removed")
    _remove_state(paths.root)
    return killed


def _remove_state(root: Path) -> None:
    """Delete what the lab wrote; a folder holding anything else is left with that in it."""
    for entry in root.iterdir():
        if entry.name not in STATE_ENTRIES:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    try:
        root.rmdir()
    except OSError:
        print(f"netmon lab: left {root} (it holds files the lab did not write)", file=sys.stderr)
