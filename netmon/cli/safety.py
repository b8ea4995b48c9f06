"""The checks every probing command makes before sending a packet.

A lab inventory (lab: true) names addresses that exist only inside the lab's namespaces; outside
the lab the same addresses could belong to a real network the host reaches. So it is probed only
from inside the lab's noc namespace, and refused everywhere else with a message that says why.

Every secret the probes will need must be readable (and a v3 passphrase long enough) before
the first cycle: a variable not exported or a file not yet written is named at its line in
config.yaml, with the credential set, and the command exits 1 instead of polling with devices
that can only fail.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from netmon.config import Settings, secret_problems
from netmon.lab.guard import check_probe_allowed
from netmon.model import Inventory
from netmon.poller import Selection, credential_sets


def ensure_may_probe(inventory: Inventory, *, lab_state_dir: Path | None = None) -> None:
    """Raise SafetyError unless probing `inventory` from this process is allowed."""
    check_probe_allowed(inventory, lab_state_dir)


def unusable_secrets(settings: Settings, inventory: Inventory, selection: Selection) -> list[str]:
    """Every secret the selection's probes need that cannot be used, as FILE:LINE:COL lines."""
    names = credential_sets(inventory, selection)
    return [p.render() for p in secret_problems(settings.credentials, names, unreadable=True)]


def ensure_secrets(settings: Settings, inventory: Inventory, selection: Selection) -> None:
    """Exit 1, naming each, when a secret the selection's probes need cannot be used."""
    problems = unusable_secrets(settings, inventory, selection)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(
            f"netmon: error: {len(problems)} secret(s) cannot be used; nothing was probed "
            "(check them with: netmon validate --secrets)",
            file=sys.stderr,
        )
        raise typer.Exit(1)
