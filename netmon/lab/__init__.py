"""The lab: a live replica of a lab inventory in network namespaces, with real daemons.

What the CLI (and tests, and benchmarks) call. docs/lab.md describes the lab for people.
"""

from __future__ import annotations

from pathlib import Path

from netmon.errors import LabError
from netmon.inventory import load_inventory
from netmon.lab import inject
from netmon.lab.demo_inventory import write_subset
from netmon.lab.drift import build_plan
from netmon.lab.forward import DEFAULT_FORWARDS
from netmon.lab.guard import check_probe_allowed, running_inside_lab
from netmon.lab.lifecycle import UpRequest, down, up
from netmon.lab.paths import LabPaths, resolve_state_dir
from netmon.lab.plan import DaemonMode, LabPlan, subset
from netmon.lab.state import LabState
from netmon.lab.status import status_json
from netmon.model import MANAGEMENT_MODES, Management

__all__ = [
    "DEFAULT_FORWARDS",
    "MANAGEMENT_MODES",
    "LabPaths",
    "LabPlan",
    "LabState",
    "Management",
    "check_probe_allowed",
    "inject",
    "lab_down",
    "lab_up",
    "plan_lab",
    "resolve_state_dir",
    "running_inside_lab",
    "status_json",
]


def plan_lab(
    inventory_dir: Path,
    *,
    agencies: int | None = None,
    daemons: DaemonMode = "full",
    seed: int = 46,
    deviations: int = 1,
    lldp_interval: int | None = None,
    management: Management = "inband",
) -> LabPlan:
    inv = subset(load_inventory(inventory_dir), agencies)
    return build_plan(
        inv,
        seed=seed,
        deviations=deviations,
        daemons=daemons,
        lldp_interval=lldp_interval,
        management=management,
    )


def lab_up(
    inventory_dir: Path,
    state_dir: Path | None = None,
    *,
    agencies: int | None = None,
    daemons: DaemonMode = "full",
    seed: int = 46,
    deviations: int = 1,
    lldp_interval: int | None = None,
    forwards: tuple[int, ...] = DEFAULT_FORWARDS,
    management: Management = "inband",
) -> LabState:
    plan = plan_lab(
        inventory_dir,
        agencies=agencies,
        daemons=daemons,
        seed=seed,
        deviations=deviations,
        lldp_interval=lldp_interval,
        management=management,
    )
    paths = LabPaths(resolve_state_dir(state_dir))
    source = inventory_dir.absolute()
    if agencies is not None and 0 <= agencies < len(load_inventory(inventory_dir).agencies):
        # The lab replicates part of the inventory: netmon run inside it (`lab exec`) must
        # poll that part, not agencies that do not exist here (the whole inventory flooded the
        # noc's neighbour table and ran SSH into the deadline). Refused if a lab is up.
        if paths.state_file.exists():
            raise LabError(f"a lab is already up in {paths.root}: run `netmon lab down` first")
        write_subset(inventory_dir, agencies, paths.inventory, command="netmon lab up")
        source = paths.inventory
    return up(UpRequest(plan, str(source), forwards), paths)


def lab_down(state_dir: Path | None = None) -> int:
    return down(LabPaths(resolve_state_dir(state_dir)))
