"""Drift on the live lab: `netmon report drift -o json` lists exactly the seeded deviations.

The ground truth is what `netmon lab status -o json` says the lab wired differently from the
inventory (one missing, one wrong-port and one undeclared link); the report comes from a real
poll in the noc (snmpd + lldpd on every node), saved as a snapshot and read back by the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lab.labtools import LAB_SMALL, LiveLab, lab_config

pytestmark = pytest.mark.lab
REPORT = ("report", "drift", "-o", "json", "--snapshot")


KINDS = {"missing_link": "missing", "undeclared_link": "undeclared"}  # lab's word -> report's


def _end(e: dict[str, str]) -> str:
    return f"{e['device']}:{e['interface']}"


def expected(status: dict[str, Any]) -> list[tuple[str, str | None, frozenset[str]]]:
    """(kind, declared link id, seen ends) per seeded deviation, in the report's words."""
    out = []
    for d in status["deviations"]:
        seen = frozenset(_end(d["actual"][k]) for k in "ab") if d["actual"] else frozenset()
        kind = KINDS.get(d["kind"], d["kind"])
        out.append((kind, d["link"] if d["declared"] else None, seen))
    return sorted(out, key=repr)


def test_drift_report_lists_exactly_the_seeded_deviations(
    lab: LiveLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETMON_LAB_DIR", str(lab.state_dir))  # how the guard finds the lab
    conf = lab_config(lab, tmp_path)
    snap = tmp_path / "snap.json"
    args = ("poll", "--once", "-o", "json", "-i", str(LAB_SMALL), "-c", str(conf))
    done = lab.noc(
        sys.executable,
        "-c",
        "from netmon.cli import main; main()",
        *args,
        "--save",
        str(snap),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = subprocess.run(
        [sys.executable, "-c", "from netmon.cli import main; main()", *REPORT, str(snap)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert report.returncode == 0, report.stderr
    drift = json.loads(report.stdout)["drift"]
    got = sorted(
        ((d["kind"], d["link"], frozenset(map(_end, d["seen"]))) for d in drift),
        key=repr,
    )
    assert got == expected(lab.status)
    # The missing link is declared but never cabled: it also reads as a link that is down.
    links = {lk["id"]: lk for lk in json.loads(snap.read_text(encoding="utf-8"))["links"]}
    missing = next(d["link"] for d in lab.status["deviations"] if d["kind"] == "missing_link")
    assert links[missing]["status"] == "down"
    # The cable in another port is one finding, the drift: the link works (its state is that
    # of the ports LLDP sees it on), it does not also read as down.
    moved = next(d["link"] for d in lab.status["deviations"] if d["kind"] == "wrong_port")
    assert (links[moved]["drift"], links[moved]["status"]) == ("wrong_port", "up")
