"""`netmon report ...` as a user runs it: data on stdout, exit codes, saved snapshots."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from netmon.inventory import load_inventory
from netmon.model import snapshot_to_json
from netmon.topology import build_snapshot
from topology.net import healthy

REPO = Path(__file__).parent.parent.parent
SMALL = REPO / "tests" / "data" / "lab-small"
NETMON = str(Path(sys.executable).parent / "netmon")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NETMON, "report", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "160"},
    )


def test_coverage_json_counts_every_agency_of_the_inventory() -> None:
    inv = load_inventory(SMALL)
    out = run("coverage", "-o", "json", "--inventory", str(SMALL))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["total"]["total"] == len(inv.agencies) == data["total"]["reachable"]
    by_group = Counter(a.group for a in inv.agencies)
    assert {g["id"]: g["total"] for g in data["by_group"]} == dict(by_group)


def test_spof_json_lists_each_single_point_of_failure_with_its_blast_radius() -> None:
    out = run("spof", "-o", "json", "--inventory", str(SMALL))
    assert out.returncode == 0, out.stderr
    spofs = json.loads(out.stdout)["declared"]["single_points_of_failure"]
    assert spofs and all(s["blast_radius"] == len(s["agencies"]) > 0 for s in spofs)
    assert [s["blast_radius"] for s in spofs] == sorted(
        (s["blast_radius"] for s in spofs), reverse=True
    )


@pytest.fixture(scope="module")
def cut_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lab-small with its first PoP dead, saved the way `poll --once --save` will save it."""
    inv = load_inventory(SMALL)
    pop = next(d.id for d in inv.devices if d.role == "pop")
    path = tmp_path_factory.mktemp("snap") / "snapshot.json"
    path.write_text(
        snapshot_to_json(build_snapshot(inv, healthy(inv, dead={pop}), at=0)), encoding="utf-8"
    )
    return path


def test_coverage_check_exits_1_only_when_agencies_are_cut_off(cut_snapshot: Path) -> None:
    assert run("coverage", "--check", "--inventory", str(SMALL)).returncode == 0
    out = run("coverage", "--check", "--snapshot", str(cut_snapshot))
    assert out.returncode == 1 and "cut off" in out.stderr
    assert "Cut off" in out.stdout
    assert run("coverage", "--snapshot", str(cut_snapshot)).returncode == 0


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")
def test_svg_from_a_saved_snapshot(cut_snapshot: Path) -> None:
    out = run("topology", "-o", "svg", "--snapshot", str(cut_snapshot))
    assert out.returncode == 0, out.stderr
    assert out.stdout.lstrip().startswith("<?xml") and "</svg>" in out.stdout


def test_usage_errors_exit_2_and_bad_files_exit_1(tmp_path: Path) -> None:
    out = run("coverage", "-o", "svg", "--inventory", str(SMALL))
    assert out.returncode == 2 and "'svg' is not one of 'table', 'json'" in out.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    out = run("drift", "--snapshot", str(bad))
    assert out.returncode == 1 and "not a netmon snapshot" in out.stderr
    assert "Traceback" not in out.stderr
    out = run("links", "--snapshot", str(tmp_path / "absent.json"))
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr


def test_topology_json_is_a_snapshot_the_reports_can_load(tmp_path: Path) -> None:
    out = run("topology", "-o", "json", "--inventory", str(SMALL))
    assert out.returncode == 0, out.stderr
    saved = tmp_path / "snap.json"
    saved.write_text(out.stdout, encoding="utf-8")
    again = run("coverage", "-o", "json", "--snapshot", str(saved))
    assert again.returncode == 0, again.stderr
    direct = run("coverage", "-o", "json", "--inventory", str(SMALL))
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k != "at"}  # noqa: E731
    assert strip(again.stdout) == strip(direct.stdout)
