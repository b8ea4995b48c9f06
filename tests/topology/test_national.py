"""The national synthetic inventory: connected means reaching the upstream services.

Each province has a core router of its own (role core) and the services attach at the national
core pair. With the national core dead every province core still answers, and no agency is
connected; the national core is the single point of failure of the whole country.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netmon.gen.inventory import national, write
from netmon.inventory import load_inventory
from netmon.model import Cause, Inventory, snapshot_to_json
from netmon.topology import build_snapshot
from topology.net import healthy

NETMON = str(Path(sys.executable).parent / "netmon")
PROVINCES, PER_PROVINCE = 3, 40


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("national")
    write(national(provinces=PROVINCES, per_province=PER_PROVINCE, pops=4), out)
    return out


@pytest.fixture(scope="module")
def inv(folder: Path) -> Inventory:
    return load_inventory(folder)


def national_core(inv: Inventory) -> set[str]:
    """The devices every service attaches at, read from the inventory."""
    return {d for s in inv.services for d in s.devices}


def report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NETMON, "report", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_province_cores_carry_no_service(inv: Inventory) -> None:
    cores = {d.id for d in inv.core_devices()}
    assert national_core(inv) < cores  # the premise: more core devices than service ones


def test_national_core_dead_means_nobody_is_connected(inv: Inventory, tmp_path: Path) -> None:
    dead = national_core(inv)
    snap = build_snapshot(inv, healthy(inv, dead=dead), at=0)
    assert snap.coverage.total.total == len(inv.agencies)
    assert snap.coverage.total.reachable == 0
    assert all(c.reachable == 0 for c in snap.coverage.by_service)
    assert all(c.reachable == 0 for c in snap.coverage.cells)
    # the province cores still answer, and are not what is blamed
    for a in snap.agencies:
        assert set(a.causes) == {Cause("device", d, "down") for d in dead}, a.id
    saved = tmp_path / "snap.json"
    saved.write_text(snapshot_to_json(snap), encoding="utf-8")
    out = report("coverage", "--check", "--snapshot", str(saved), "-o", "json")
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert data["total"]["reachable"] == 0
    assert {s["id"]: s["reachable"] for s in data["by_service"]} == {s.id: 0 for s in inv.services}


def test_healthy_national_network_is_all_connected(inv: Inventory, tmp_path: Path) -> None:
    snap = build_snapshot(inv, healthy(inv), at=0)
    assert snap.coverage.total.reachable == len(inv.agencies)
    saved = tmp_path / "snap.json"
    saved.write_text(snapshot_to_json(snap), encoding="utf-8")
    assert report("coverage", "--check", "--snapshot", str(saved)).returncode == 0


def test_one_province_core_dead_cuts_only_its_province(inv: Inventory) -> None:
    province = inv.core_devices()[-1]  # a province's core (the national pair come first)
    assert province.id not in national_core(inv)
    snap = build_snapshot(inv, healthy(inv, dead={province.id}), at=0)
    prefix = province.id.split("-")[0] + "-"
    cut = {a.id for a in snap.cut_off()}
    assert cut == {a.id for a in inv.agencies if a.id.startswith(prefix)}


def test_spof_report_names_the_national_core_site(folder: Path, inv: Inventory) -> None:
    out = report("spof", "-o", "json", "--inventory", str(folder))
    assert out.returncode == 0, out.stderr
    spofs = json.loads(out.stdout)["declared"]["single_points_of_failure"]
    by_element = {(s["kind"], s["id"]): s for s in spofs}
    sites = {inv.device_by_id[d].site for d in national_core(inv)}
    assert len(sites) == 1
    (site,) = sites
    assert by_element[("site", site)]["blast_radius"] == len(inv.agencies)
    assert (spofs[0]["kind"], spofs[0]["id"]) == ("site", site)  # the largest of all
    # each province core carries its own province, and is a SPOF of each of its agencies
    for core in (d for d in inv.core_devices() if d.id not in national_core(inv)):
        assert core.site is not None
        entry = by_element[("site", core.site)]
        assert entry["blast_radius"] == PER_PROVINCE
    snap = build_snapshot(inv)
    for a in snap.agencies:
        assert any(e.kind == "device" and e.id.endswith("-core") for e in a.spofs_declared)
