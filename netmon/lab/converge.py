"""Waiting for the in-band lab's routing: the noc has a route to every device it should reach.

`lab up` returns only then, so the first poll of an in-band lab does not find devices
"silent" that are merely waiting for OSPF adjacencies (a few seconds with hello 1 s).
"""

from __future__ import annotations

import json
import subprocess
import time
from ipaddress import IPv4Address, IPv4Network

from netmon.errors import LabError
from netmon.lab import netns, routing
from netmon.lab.paths import NOC, LabPaths
from netmon.lab.plan import LabPlan

CONVERGE_TIMEOUT_S = 120.0  # OSPF converges in seconds; a machine under load needs more


def noc_routes(paths: LabPaths) -> list[IPv4Network]:
    """The destinations in the noc's main routing table."""
    raw = netns.run(["nsenter", f"--net={paths.netns(NOC)}", "--", "ip", "-j", "-4", "route"])
    out = []
    for r in json.loads(raw or "[]"):
        dst = r.get("dst", "")
        if dst and dst != "default":
            out.append(IPv4Network(dst if "/" in dst else dst + "/32", strict=False))
    return out


def missing_routes(paths: LabPaths, want: set[IPv4Address]) -> set[IPv4Address]:
    have = noc_routes(paths)
    return {a for a in want if not any(a in net for net in have)}


def silent(paths: LabPaths, want: set[IPv4Address]) -> set[IPv4Address]:
    """Of `want`, the addresses that do not answer a ping from the noc (fping, 478 addresses
    1 ms apart, up to three tries: a loaded machine loses the odd ping)."""
    done = subprocess.run(
        [
            *("nsenter", f"--net={paths.netns(NOC)}", "--", "fping", "-a", "-q"),
            *("-i", "1", "-t", "500", "-r", "2", *map(str, sorted(want))),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return want - {IPv4Address(a) for a in done.stdout.split()}


def wait_routes(paths: LabPaths, plan: LabPlan, timeout_s: float = CONVERGE_TIMEOUT_S) -> float:
    """Seconds until the noc routes to every device the cables connect to a core and each of
    them answers it (the way back converges on its own); a LabError naming the first few
    missing addresses after `timeout_s`."""
    want = routing.expected_routes(plan)
    start = time.monotonic()
    end = start + timeout_s
    while True:
        missing = missing_routes(paths, want)
        if not missing:
            missing = silent(paths, want)
        if not missing:
            return time.monotonic() - start
        if time.monotonic() > end:
            shown = ", ".join(str(a) for a in sorted(missing)[:5])
            raise LabError(
                f"in-band routing did not converge within {timeout_s:.0f} s: the noc has no "
                f"route to, or no answer from, {len(missing)} devices ({shown} ...); see "
                "nodes/*/bird.log"
            )
        time.sleep(0.2)
