"""Status, exec, the forwarder, the guard, safety refusals and a tidy `down`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from lab.labtools import LAB_SMALL, LiveLab, lab_unavailable, wait_for
from netmon.errors import SafetyError
from netmon.lab.safety import check_no_overlap

pytestmark = pytest.mark.lab


def test_status_json_shape(lab: LiveLab) -> None:
    done = lab.cli("status", "-o", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"lab", "nodes", "links", "deviations", "forwards"}
    assert data["lab"]["up"] is True
    assert {n["name"] for n in data["nodes"]} >= {"noc", "core-1", "pop-phu-vang"}
    for d in data["deviations"]:
        assert set(d) == {"kind", "link", "declared", "actual"}
        if d["kind"] == "missing_link":
            assert d["actual"] is None and d["declared"]["a"]["device"]
        if d["kind"] == "undeclared_link":
            assert d["declared"] is None
    states = {lk["id"]: lk["state"] for lk in data["links"]}
    missing = next(d["link"] for d in data["deviations"] if d["kind"] == "missing_link")
    assert states[missing] == "missing"
    core = next(n for n in data["nodes"] if n["name"] == "core-1")
    assert all(core["daemons"][d] for d in ("snmpd", "lldpd", "sshd"))


def test_exec_runs_in_the_noc_with_cwd_kept_and_no_route_off_the_lab(lab: LiveLab) -> None:
    code = (
        "import os, json; from netmon.lab import running_inside_lab; "
        "print(json.dumps([os.getcwd(), running_inside_lab()]))"
    )
    done = lab.cli("exec", "noc", "--", sys.executable, "-c", code)
    assert done.returncode == 0, done.stderr
    cwd, inside = json.loads(done.stdout)
    assert cwd == str(Path.cwd()) and inside is True
    routes = lab.noc("ip", "-4", "route", "show", "table", "all").stdout
    assert "default" not in routes
    assert lab.noc("fping", "-c1", "-t300", "192.0.2.1", check=False).returncode != 0


def test_the_host_is_outside_the_lab(lab: LiveLab) -> None:
    from netmon.lab import running_inside_lab

    assert running_inside_lab(lab.state_dir) is False


def test_forwarder_reaches_a_service_in_the_noc(lab: LiveLab) -> None:
    server = subprocess.Popen(
        [
            "nsenter",
            f"--net={lab.state_dir / 'ns' / 'noc'}",
            "--",
            sys.executable,
            "-m",
            "http.server",
            str(lab.forward_port),
            "--bind",
            "127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def fetch() -> int:
            try:
                url = f"http://127.0.0.1:{lab.forward_port}/"
                with urllib.request.urlopen(url, timeout=1) as r:
                    return int(r.status)
            except OSError:
                return 0

        assert wait_for(fetch, 10, 0.2) == 200
    finally:
        server.kill()
        server.wait(5)


def test_up_refuses_a_range_overlapping_host_routes() -> None:
    with pytest.raises(SafetyError):
        check_no_overlap(IPv4Network("192.0.2.0/24"))


def lab_inodes(state: Path) -> set[int]:
    raw = json.loads((state / "lab.json").read_text(encoding="utf-8"))
    return set(raw["netns"].values())


def leftovers(state: Path, inodes: set[int]) -> list[str]:
    from netmon.lab.netns import mounts_under, processes_in

    found = [f"mount {m}" for m in mounts_under(state)]
    found += [f"process {p}" for p in processes_in(inodes)]
    if state.exists():
        found.append(f"folder {state}")
    lsns = subprocess.run(
        ["lsns", "-t", "net", "-n", "-o", "NS"], capture_output=True, text=True, check=False
    ).stdout.split()
    found += [f"namespace {ns}" for ns in lsns if int(ns) in inodes]
    return found


def test_down_leaves_nothing_behind_and_cleans_up_after_a_crash(tmp_path: Path) -> None:
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    from netmon.lab import lab_down, lab_up

    state = tmp_path / "lab"
    lab_up(LAB_SMALL, state, agencies=2, forwards=())
    inodes = lab_inodes(state)
    assert len(inodes) >= 5
    # A crash: lab.json lost. `down` still finds everything from the mounts.
    (state / "lab.json").unlink()
    lab_down(state)
    time.sleep(0.2)
    assert leftovers(state, inodes) == []
    lab_down(state)  # idempotent
    assert not state.exists()
