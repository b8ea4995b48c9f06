"""The one check every probing command makes before sending a packet.

A lab inventory (lab: true) names addresses that exist only inside the lab's namespaces; outside
the lab the same addresses could belong to a real network the host reaches. So it is probed only
from inside the lab's noc namespace, and refused everywhere else with a message that says why.
"""

from __future__ import annotations

from pathlib import Path

from netmon.lab.guard import check_probe_allowed
from netmon.model import Inventory


def ensure_may_probe(inventory: Inventory, *, lab_state_dir: Path | None = None) -> None:
    """Raise SafetyError unless probing `inventory` from this process is allowed."""
    check_probe_allowed(inventory, lab_state_dir)
