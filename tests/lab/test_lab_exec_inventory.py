"""`lab up --agencies N` then `lab exec noc -- netmon poll`: the lab's N agencies are polled.

Before: the command polled every agency of inventory/ (467 for the Huế inventory), most of
which do not exist in the lab: the noc's neighbour table flooded and SSH ran into the deadline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.labtools import LAB_SMALL, REPO, lab_unavailable
from netmon.inventory import load_inventory

NETMON = str(Path(sys.executable).parent / "netmon")


@pytest.mark.lab
def test_lab_exec_polls_the_agencies_the_lab_replicates(tmp_path: Path) -> None:
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    from netmon.lab import lab_down, lab_up

    full = load_inventory(LAB_SMALL)
    keep = 2
    assert len(full.agencies) > keep
    state = tmp_path / "lab"
    try:
        lab_up(LAB_SMALL, state_dir=state, agencies=keep, forwards=())
        # -i is not given: the lab's own inventory is the default inside the lab
        done = subprocess.run(
            [
                NETMON,
                "lab",
                "exec",
                "noc",
                "--state-dir",
                str(state),
                "--",
                NETMON,
                "poll",
                "--once",
                "-o",
                "json",
                "--probe",
                "icmp",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "NETMON_INVENTORY"},
        )
        assert done.returncode == 0, done.stderr
        polled = [a["id"] for a in json.loads(done.stdout)["agencies"]]
        assert polled == [a.id for a in full.agencies[:keep]]
        assert all(a["reachable"] for a in json.loads(done.stdout)["agencies"])
        # an explicit -i still wins (and is the user's choice)
        explicit = subprocess.run(
            [
                NETMON,
                "lab",
                "exec",
                "noc",
                "--state-dir",
                str(state),
                "--",
                NETMON,
                "inventory",
                "show",
                "-o",
                "json",
                "-i",
                str(LAB_SMALL),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert json.loads(explicit.stdout)["agencies"] == len(full.agencies)
    finally:
        lab_down(state)
