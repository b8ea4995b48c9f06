"""A lab inventory is refused outside the lab, with a message that says why and what to do."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from netmon.cli.safety import ensure_may_probe
from netmon.errors import SafetyError
from netmon.inventory import load_inventory

BASE = Path(__file__).parent / "data" / "base.yaml"


def test_lab_inventory_refused_outside_the_lab(tmp_path: Path) -> None:
    inventory = load_inventory(BASE)
    assert inventory.lab
    with pytest.raises(SafetyError) as caught:
        ensure_may_probe(inventory, lab_state_dir=tmp_path / "no-lab-here")
    message = str(caught.value)
    assert "lab inventory (lab: true)" in message
    assert "netmon lab exec noc -- netmon poll --once" in message


def test_real_inventory_allowed(tmp_path: Path) -> None:
    inventory = dataclasses.replace(load_inventory(BASE), lab=False)
    ensure_may_probe(inventory, lab_state_dir=tmp_path / "no-lab-here")
