"""The ssh probe against the lab's real OpenSSH sshd + lldpd (tests/data/lab-small), from the noc.

With SNMP switched off for some agencies (an nftables rule in their node drops udp/161, as at a
site that lets only ICMP and SSH from the NOC through), SSH alone yields their interfaces and
LLDP neighbours, and the topology built from SSH results equals the one built from SNMP results.
A frozen sshd (SIGSTOP) fails its probe with the probe's own timeout.

Why not SIGSTOP snmpd: lldpd is snmpd's AgentX subagent, and blocks on the AgentX socket once a
stopped snmpd stops reading it, so `lldpcli` over SSH hangs too: that froze LLDP, not just SNMP.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from lab.labtools import LAB_SMALL, LiveLab, lab_config, wait_for

pytestmark = pytest.mark.lab

NETMON = str(Path(sys.executable).parent / "netmon")
SNMP_OFF = ("cpe-so-tttt", "cpe-ubnd-phu-bai")  # one dual-homed agency, one single-homed


def config(lab: LiveLab, folder: Path, ssh_timeout: float = 3.0) -> Path:
    poll = {"interval_s": 20, "deadline_s": 15}
    return lab_config(lab, folder, poll=poll, probes={"ssh": {"timeout_s": ssh_timeout}})


def poll(lab: LiveLab, conf: Path, probes: tuple[str, ...], save: Path) -> dict[str, Any]:
    """`netmon lab exec noc -- netmon poll --once -o json --probe ...`, as a person runs it."""
    args = [a for p in probes for a in ("--probe", p)]
    done = lab.cli(
        "exec", "noc", "--", NETMON, "poll", "--once", "-o", "json", *args,
        "-i", str(LAB_SMALL), "-c", str(conf), "--save", str(save),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def results(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (p["device"], p["probe"]): p
        for item in [*data["agencies"], *data["infrastructure"]]
        for p in item["probes"]
    }


def topology(save: Path) -> dict[str, Any]:
    """What the topology concluded: link states and origins, discovered links, drift."""
    snap = json.loads(save.read_text(encoding="utf-8"))
    return {
        "links": sorted(
            (lk["id"], lk["status"], lk["origin"], lk["drift"]) for lk in snap["links"]
        ),
        "discovered": sorted(json.dumps(d, sort_keys=True) for d in snap["discovered"]),
        "drift": sorted(json.dumps(d, sort_keys=True) for d in snap["drift"]),
        "reachable": sorted(a["id"] for a in snap["agencies"] if a["reachable"]),
    }


def without_last_change(view: dict[str, Any]) -> dict[str, Any]:
    """`view` minus the "missing" drift only ifLastChange can show (on links that are down)."""
    down = {lk[0] for lk in view["links"] if lk[1] == "down"}

    def never_up(kind: str | None, link: str | None) -> bool:
        return kind == "missing" and link in down

    return {
        **view,
        "links": [(i, st, o, None if never_up(d, i) else d) for i, st, o, d in view["links"]],
        "drift": [
            d for d in view["drift"] if not never_up(json.loads(d)["kind"], json.loads(d)["link"])
        ],
    }


SNMP_OFF_TABLE = "netmon_test_snmp_off"


@contextmanager
def snmp_dropped(lab: LiveLab, nodes: tuple[str, ...]) -> Iterator[None]:
    rules = (
        f"table inet {SNMP_OFF_TABLE} {{\n chain input {{\n"
        "  type filter hook input priority filter; policy accept;\n"
        '  iifname "mgmt0" udp dport 161 drop\n }\n}\n'
    )

    def nft(node: str, *args: str, stdin: str | None = None) -> None:
        ns = f"--net={lab.state_dir / 'ns' / node}"
        subprocess.run(["nsenter", ns, "--", "nft", *args], input=stdin, text=True, check=True)

    for node in nodes:
        nft(node, "-f", "-", stdin=rules)
    try:
        yield
    finally:
        for node in nodes:
            nft(node, "delete", "table", "inet", SNMP_OFF_TABLE)


@contextmanager
def stopped(pids: list[int]) -> Iterator[None]:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def test_ssh_alone_yields_what_snmp_does_and_the_same_topology(
    lab: LiveLab, tmp_path: Path
) -> None:
    conf = config(lab, tmp_path)

    def snmp_view() -> dict[str, Any]:
        poll(lab, conf, ("icmp", "snmp"), tmp_path / "snmp.json")
        return topology(tmp_path / "snmp.json")

    # LLDP settles within a few seconds of a fresh lab: wait until two SNMP reads agree
    wait_for(lambda: snmp_view() == snmp_view(), timeout=20, interval=1)
    by_snmp = snmp_view()
    with snmp_dropped(lab, SNMP_OFF):
        mixed = poll(lab, conf, ("icmp", "snmp", "ssh"), tmp_path / "mixed.json")
        ssh_only = poll(lab, conf, ("icmp", "ssh"), tmp_path / "ssh.json")
    res = results(mixed)
    devices = {d for d, _ in res}
    for device in SNMP_OFF:
        assert res[(device, "snmp")]["error"] == "timeout"
        assert res[(device, "ssh")]["success"], res[(device, "ssh")]["detail"]
    assert all(res[(d, "ssh")]["success"] for d in devices), [
        p["detail"] for p in res.values() if not p["success"] and p["probe"] == "ssh"
    ]
    items = {i["id"]: i for i in [*mixed["agencies"], *mixed["infrastructure"]]}
    for agency in ("so-tttt", "ubnd-phu-bai"):
        names = {i["name"] for i in items[agency]["interfaces"]}
        assert {"wan0", "lo", "mgmt0"} <= names
        assert items[agency]["neighbours"], agency
    # the topology cannot tell where its facts came from
    assert topology(tmp_path / "mixed.json") == by_snmp
    # A declared link that was never cabled is told from a cut by IF-MIB ifLastChange, which
    # no SSH command here reports: over SSH alone it is a link that is down, not drift.
    assert topology(tmp_path / "ssh.json") == without_last_change(by_snmp) != by_snmp
    assert by_snmp["discovered"] and by_snmp["drift"]  # the seeded deviations are in both
    # `--probe ssh` output shows every device's LLDP neighbours, matched to the inventory
    seen = {
        (n["device"], n["local_interface"], n["sys_name"])
        for item in [*ssh_only["agencies"], *ssh_only["infrastructure"]]
        for n in item["neighbours"]
    }
    assert ("core-1", "core2", "core-2") in seen and len(seen) >= 2 * 10


def test_ssh_and_snmp_report_the_same_interfaces_and_neighbours(
    lab: LiveLab, tmp_path: Path
) -> None:
    data = poll(lab, config(lab, tmp_path), ("snmp", "ssh"), tmp_path / "both.json")

    def view(probe: str) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
        ok = {d for (d, p), r in results(data).items() if p == probe and r["success"]}
        items = [*data["agencies"], *data["infrastructure"]]
        ifs = {
            (i["device"], i["name"], i["admin_up"], i["oper_up"])
            for item in items
            for i in item["interfaces"]
            if i["device"] in ok
        }
        keys = ("device", "local_interface", "chassis_id", "chassis_id_subtype", "port_id")
        more = ("port_id_subtype", "sys_name", "mgmt_address")
        ns = {
            tuple(n[k] for k in keys + more)
            for item in items
            for n in item["neighbours"]
            if n["device"] in ok
        }
        return ifs, ns

    # both probes' results are mixed per device in the JSON: every pair appears twice
    ifs, ns = view("ssh")
    assert len(ifs) == len({(d, n) for d, n, _, _ in ifs})  # no interface disagrees on state
    assert len(ns) == len({n[:3] for n in ns})  # no neighbour is described two ways


def test_every_linux_node_reports_its_own_name_and_uptime_over_ssh(
    lab: LiveLab, tmp_path: Path
) -> None:
    """`cat /proc/sys/kernel/hostname /proc/uptime`: each node's own name (its UTS namespace)
    as sys_name, and an uptime, as SNMP's sysName and sysUpTime."""
    data = poll(lab, config(lab, tmp_path), ("ssh",), tmp_path / "ssh.json")
    ssh = {d: r for (d, p), r in results(data).items() if p == "ssh"}
    uptime = {
        u["device"]: u["uptime_s"]
        for item in [*data["agencies"], *data["infrastructure"]]
        for u in item.get("uptime", [])
    }
    nodes = {n["name"] for n in lab.status["nodes"] if n["role"] != "noc"}
    assert set(ssh) == nodes  # every node is linux in the lab, probed over SSH
    for device, r in ssh.items():
        assert r["success"], (device, r["detail"])
        assert r["sys_name"] == device, (device, r)
        assert isinstance(uptime[device], float) and uptime[device] > 0, (device, uptime)


def test_a_frozen_sshd_fails_within_the_probe_timeout(lab: LiveLab, tmp_path: Path) -> None:
    conf = config(lab, tmp_path, ssh_timeout=1.5)
    frozen = "cpe-ubnd-phu-ho"
    with stopped([lab.node(frozen)["daemons"]["sshd"]]):
        data = poll(lab, conf, ("ssh",), tmp_path / "frozen.json")
    res = results(data)
    r = res[(frozen, "ssh")]
    # "timeout" is the probe's own 1.5 s budget; the cycle deadline (15 s) would say "deadline"
    assert (r["success"], r["error"]) == (False, "timeout"), r
    assert all(p["success"] for (d, _), p in res.items() if d != frozen)
    print(f"frozen sshd: {r['error']} after {r['duration_s']:.2f} s: {r['detail']}")
