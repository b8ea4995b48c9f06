"""`netmon poll --once` from the lab's noc against real snmpd + lldpd nodes (tests/data/lab-small).

Every agency's probes succeed over v2c and v3 authPriv; a cut link reads down in the next
cycle; wrong credentials are reported per device, never as a crash.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from lab.labtools import LAB_SMALL, LiveLab, lab_config

pytestmark = pytest.mark.lab


def poll(lab: LiveLab, conf: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("NETMON_LAB_DIR", str(lab.state_dir))  # how the guard finds the lab
    done = lab.noc(
        sys.executable,
        "-c",
        "from netmon.cli import main; main()",
        "poll",
        "--once",
        "-o",
        "json",
        "-i",
        str(LAB_SMALL),
        "-c",
        str(conf),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def results(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for item in [*data["agencies"], *data["infrastructure"]]:
        for p in item["probes"]:
            out[(p["device"], p["probe"])] = p
    return out


@pytest.mark.parametrize("client", ["netmon", "pysnmp"])
def test_every_probe_of_every_agency_succeeds(
    lab: LiveLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    """With either SNMP engine (probes.snmp.client): the same agents, the same answers."""
    data = poll(lab, lab_config(lab, tmp_path, probes={"snmp": {"client": client}}), monkeypatch)
    assert [a["reachable"] for a in data["agencies"]] == [True] * 6
    failed = {k: (p["error"], p["detail"]) for k, p in results(data).items() if not p["success"]}
    assert failed == {}
    probed = {k[1] for k in results(data)}
    assert probed == {"icmp", "snmp", "ssh"}
    # v2c devices (group snmp-v2c) and v3 devices both answered with tables and LLDP
    a = {x["id"]: x for x in data["agencies"]}
    for agency in ("ubnd-phu-vang", "so-tttt"):  # v2c, v3
        assert a[agency]["interfaces"] and a[agency]["neighbours"]


def test_a_cut_link_reads_down_in_the_next_cycle(
    lab: LiveLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = "pop-huong-thuy--cpe-ubnd-phu-bai"
    assert lab.cli("cut", link).returncode == 0
    try:
        time.sleep(1.5)  # the kernel reports the carrier loss within 0.5-0.9 s (FIELD-NOTES)
        data = poll(lab, lab_config(lab, tmp_path), monkeypatch)
    finally:
        lab.cli("restore", link)
    states = {
        (i["device"], i["name"]): i["oper_up"]
        for item in [*data["agencies"], *data["infrastructure"]]
        for i in item["interfaces"]
    }
    ends = [states.get(("pop-huong-thuy", "acc3")), states.get(("cpe-ubnd-phu-bai", "wan0"))]
    assert False in ends, ends


def test_wrong_credentials_are_per_device_failures(
    lab: LiveLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = lab_config(lab, tmp_path, community="not-the-community", auth="not-the-auth-key")
    data = poll(lab, conf, monkeypatch)
    res = results(data)
    v2c = res[("cpe-ubnd-phu-vang", "snmp")]
    v3 = res[("cpe-so-tttt", "snmp")]
    # v2c: snmpd drops a wrong community without a word, so it can only read as a timeout
    assert (v2c["success"], v2c["error"]) == (False, "timeout")
    # v3: a wrong auth key gets a report PDU back (usmStatsWrongDigests)
    assert (v3["success"], v3["error"]) == (False, "authentication")
    assert all(p["success"] for (_, probe), p in res.items() if probe == "icmp")
    assert [a["reachable"] for a in data["agencies"]] == [True] * 6  # ping still answers
