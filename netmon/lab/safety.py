"""Checks before the lab touches anything: root, tools, and no overlap with the host's network.

A lab range that overlaps a host route could shadow real destinations (here: the resolver at
10.255.255.53) from inside a namespace, or send lab traffic to a real network: refuse.
"""

from __future__ import annotations

import json
import os
import shutil
from ipaddress import IPv4Address, IPv4Network, ip_network
from pathlib import Path

from netmon.errors import LabError, SafetyError
from netmon.lab.netns import run

TOOLS = ("ip", "nsenter", "unshare", "mount", "umount", "nft", "snmpd", "lldpd", "lldpcli")


def require_root() -> None:
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, mounts): run it as root")


def require_tools(with_sshd: bool, with_bird: bool = False) -> None:
    routing = ("bird", "fping") if with_bird else ()
    wanted = (*TOOLS, *(("sshd",) if with_sshd else ()), *routing)
    missing = [t for t in wanted if shutil.which(t, path=_path()) is None]
    if missing:
        raise LabError(
            f"missing programs: {', '.join(missing)} "
            "(Debian: apt-get install snmpd lldpd openssh-server nftables iproute2 bird2 fping)"
        )


def _path() -> str:
    # sshd and friends live in /usr/sbin, which a non-login PATH may lack.
    return os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


def host_networks() -> list[IPv4Network]:
    """Every IPv4 prefix the host routes to (all tables, default routes aside) or owns."""
    found: list[IPv4Network] = []
    for route in json.loads(run(["ip", "-j", "-4", "route", "show", "table", "all"]) or "[]"):
        dst = route.get("dst", "")
        if dst and dst != "default":
            found.append(IPv4Network(dst if "/" in dst else dst + "/32", strict=False))
    for link in json.loads(run(["ip", "-j", "-4", "addr", "show"]) or "[]"):
        for addr in link.get("addr_info", []):
            found.append(IPv4Network(f"{addr['local']}/{addr['prefixlen']}", strict=False))
    return found


def resolvers(resolv_conf: Path = Path("/etc/resolv.conf")) -> list[IPv4Address]:
    out: list[IPv4Address] = []
    try:
        text = resolv_conf.read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            try:
                out.append(IPv4Address(parts[1]))
            except ValueError:
                continue  # an IPv6 resolver cannot collide with an IPv4 lab range
    return out


def check_no_overlap(lab: IPv4Network) -> None:
    for net in host_networks():
        if net.overlaps(lab):
            raise SafetyError(
                f"the lab's management network {lab} overlaps the host's {net}: "
                "choose another management_network for the lab inventory"
            )
    for ns in resolvers():
        if ns in lab:
            raise SafetyError(f"the host's resolver {ns} is inside the lab's network {lab}")
    if lab.overlaps(ip_network("127.0.0.0/8")) or lab.overlaps(ip_network("0.0.0.0/8")):
        raise SafetyError(f"{lab} is not a usable lab management network")
