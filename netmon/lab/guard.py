"""Is this process inside the lab? The CLI asks before probing a lab inventory.

The lab records the inode of its noc network namespace in lab.json; a process runs inside
the lab when its own /proc/self/ns/net has that inode. Anything else (the host, another
lab's noc, a lab that is down) is outside, and a lab inventory must not be probed from there:
its addresses could be real ones on a network the host reaches.
"""

from __future__ import annotations

import json
from pathlib import Path

from netmon.errors import SafetyError
from netmon.lab.paths import NOC, LabPaths, resolve_state_dir
from netmon.model import Inventory


def noc_inode(state_dir: Path | None = None) -> int | None:
    paths = LabPaths(resolve_state_dir(state_dir))
    try:
        raw = json.loads(paths.state_file.read_text(encoding="utf-8"))
        return int(raw["netns"][NOC])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running_inside_lab(state_dir: Path | None = None) -> bool:
    """True when this process's network namespace is the lab's noc namespace."""
    ino = noc_inode(state_dir)
    return ino is not None and Path("/proc/self/ns/net").stat().st_ino == ino


def check_probe_allowed(inventory: Inventory, state_dir: Path | None = None) -> None:
    """Raise SafetyError when `inventory` is a lab inventory and this process is not in the lab."""
    if inventory.lab and not running_inside_lab(state_dir):
        raise SafetyError(
            f"{inventory.name!r} is a lab inventory (lab: true): probe it only from inside the "
            "lab, e.g. `netmon lab up` then `netmon lab exec noc -- netmon poll --once`"
        )
