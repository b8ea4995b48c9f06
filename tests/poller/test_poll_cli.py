"""`netmon poll --once` as a user runs it, against real snmpd agents on loopback port 161."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from probes.snmpd import COMMUNITY, black_hole, snmpd, snmpd_missing

REPO = Path(__file__).parents[2]
NETMON = str(Path(sys.executable).parent / "netmon")
AGENTS = ["127.0.0.21", "127.0.0.22", "127.0.0.23"]
SILENT = "127.0.0.24"  # a socket that never answers: SNMP times out, ICMP still answers

INVENTORY = """\
inventory: {name: loopback, lab: false, management_network: 127.0.0.0/8}
levels: [{id: commune, name: Cấp xã}]
groups: [{id: g, name: G, kind: district}]
sites: [{id: pop, name: PoP, role: pop}]
defaults: {platform: linux, probes: [icmp, snmp], credentials: {snmp: loop}}
agencies:
  - {id: a1, name: Một, level: commune, group: g}
  - {id: a2, name: Hai, level: commune, group: g}
  - {id: a3, name: Ba, level: commune, group: g}
  - {id: a4, name: Bốn, level: commune, group: g}
devices:
  - {id: pop-1, role: pop, site: pop, mgmt: 127.0.0.21, interfaces: [p1, p2, p3, p4],
     probes: []}
  - {id: cpe-1, role: cpe, agency: a1, mgmt: 127.0.0.22, interfaces: [lo]}
  - {id: cpe-2, role: cpe, agency: a2, mgmt: 127.0.0.23, interfaces: [lo]}
  - {id: cpe-3, role: cpe, agency: a3, mgmt: 127.0.0.24, interfaces: [lo]}
  - {id: cpe-4, role: cpe, agency: a4, mgmt: 127.0.0.25, interfaces: [lo], probes: [icmp]}
links:
  - {id: l1, a: {device: pop-1, interface: p1}, b: {device: cpe-1, interface: lo},
     kind: access, capacity_mbps: 100}
  - {id: l2, a: {device: pop-1, interface: p2}, b: {device: cpe-2, interface: lo},
     kind: access, capacity_mbps: 100}
"""
CONFIG = """\
poll: {interval_s: 10, deadline_s: 5, concurrency: 50, down_after: 2}
probes: {snmp: {timeout_s: 0.3, retries: 1}, icmp: {timeout_s: 0.3, retries: 1}}
credentials:
  loop: {snmp_v2c: {community: {env: NETMON_TEST_COMMUNITY}}}
"""

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="binds snmpd to port 161: needs root")


def netmon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NETMON, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NETMON_TEST_COMMUNITY": COMMUNITY},
    )


@pytest.fixture
def setup(tmp_path: Path) -> Path:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "net.yaml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


@needs_root
@pytest.mark.skipif(snmpd_missing() is not None, reason=str(snmpd_missing()))
def test_poll_once_json(setup: Path) -> None:
    with snmpd(setup / "snmpd", AGENTS[1:], port=161), black_hole(SILENT, 161):
        done = netmon("poll", "--once", "-o", "json", "--save", "snap.json", cwd=setup)
    assert done.returncode == 0, done.stderr
    snapshot = json.loads((setup / "snap.json").read_text(encoding="utf-8"))
    assert snapshot["format"].startswith("netmon-snapshot/")
    data = json.loads(done.stdout)
    agencies = {a["id"]: a for a in data["agencies"]}
    assert list(agencies) == ["a1", "a2", "a3", "a4"]
    a1 = agencies["a1"]
    assert a1["reachable"] is True and a1["down"] is False
    assert {(p["probe"], p["success"], p["error"]) for p in a1["probes"]} == {
        ("icmp", True, None),
        ("snmp", True, None),
    }
    assert all(isinstance(p["duration_s"], float) for p in a1["probes"])
    assert [p.get("sys_name") for p in a1["probes"] if p["probe"] == "snmp"] == ["loopback-agent"]
    lo = next(i for i in a1["interfaces"] if i["name"] == "lo")
    assert lo["oper_up"] is True and lo["in_octets"] >= 0
    assert a1["neighbours"] == []
    # a3: ping answers, SNMP does not: reachable, and the SNMP failure says why
    a3 = {p["probe"]: p for p in agencies["a3"]["probes"]}
    assert agencies["a3"]["reachable"] is True
    assert (a3["snmp"]["success"], a3["snmp"]["error"]) == (False, "timeout")
    assert "answers ping: wrong community" in a3["snmp"]["detail"]
    assert [p["probe"] for p in agencies["a4"]["probes"]] == ["icmp"]
    assert data["infrastructure"] == []  # pop-1 has no probes
    assert COMMUNITY not in done.stdout + done.stderr


@needs_root
@pytest.mark.skipif(snmpd_missing() is not None, reason=str(snmpd_missing()))
def test_poll_selects_agencies_and_probes(setup: Path) -> None:
    with snmpd(setup / "snmpd", AGENTS[1:], port=161):
        done = netmon(
            "poll", "--once", "-o", "json", "--agency", "a2", "--probe", "snmp", cwd=setup
        )
    assert done.returncode == 0, done.stderr
    (a2,) = json.loads(done.stdout)["agencies"]
    assert a2["id"] == "a2" and [p["probe"] for p in a2["probes"]] == ["snmp"]


def test_unknown_agency_is_a_usage_error(setup: Path) -> None:
    done = netmon("poll", "--once", "--agency", "nope", cwd=setup)
    assert done.returncode == 2 and "unknown agency: nope" in done.stderr


def test_a_lab_inventory_is_refused_outside_the_lab(tmp_path: Path) -> None:
    done = netmon(
        "poll",
        "--once",
        "-i",
        str(REPO / "tests/data/lab-small"),
        "-c",
        str(REPO / "config.yaml"),
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "lab inventory" in done.stderr and "Traceback" not in done.stderr
