"""`lab exec NODE -- CMD`: the command line that runs CMD inside a node, cwd preserved.

The noc has only its own network namespace (its files are the host's, so netmon run there
finds config.yaml and var/lab like anywhere else). A device node also has its own mount and
uts namespaces (private /run, hostname): those are entered through one of its daemons.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from netmon.errors import LabError
from netmon.lab import netns
from netmon.lab.paths import ENV_INVENTORY, ENV_STATE_DIR, NOC, LabPaths
from netmon.lab.state import load


def exec_argv(paths: LabPaths, node: str, cmd: list[str]) -> list[str]:
    if not cmd:
        raise LabError("nothing to run: `netmon lab exec NODE -- CMD...`")
    state = load(paths)
    ino = state.inode(node)
    if node == NOC:
        return ["nsenter", f"--net={paths.netns(NOC)}", "--", *cmd]
    own_mnt = Path("/proc/self/ns/mnt").stat().st_ino
    for pid in sorted(netns.processes_in({ino})):
        try:
            if Path(f"/proc/{pid}/ns/mnt").stat().st_ino != own_mnt:
                return [
                    "nsenter",
                    "-t",
                    str(pid),
                    "--net",
                    "--mount",
                    "--uts",
                    f"--wd={Path.cwd()}",
                    "--",
                    *cmd,
                ]
        except OSError:
            continue
    # No daemon left to lend its mount namespace: the network namespace alone still works.
    return ["nsenter", f"--net={paths.netns(node)}", "--", *cmd]


def exec_env(paths: LabPaths) -> dict[str, str]:
    """The environment for CMD: it finds this lab (guard, status) wherever it runs, and the
    inventory the lab replicates (the default of netmon's --inventory; -i still wins)."""
    env = dict(os.environ, **{ENV_STATE_DIR: str(paths.root)})
    with contextlib.suppress(LabError):  # no lab here: exec_argv says so
        env[ENV_INVENTORY] = load(paths).inventory
    return env
