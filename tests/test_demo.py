"""`netmon demo`, as a person runs it: the whole incident end to end on a small lab, Ctrl-C and
SIGTERM in the middle, the message without root; and the systemd unit the repository ships.

After every demo nothing may remain: no namespace file mounted under its state folder, no
process naming the folder on its command line, no folder.
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lab.labtools import LAB_SMALL, lab_unavailable
from typer.testing import CliRunner

from netmon.cli import build_app

REPO = Path(__file__).parent.parent
UNIT = REPO / "exporters" / "systemd" / "netmon.service"
DEMO_TIMEOUT_S = 240  # the small demo takes about 45 s; this only bounds a hang


def _demo_argv(state: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from netmon.cli import main; main()",
        "demo",
        "--inventory",
        str(LAB_SMALL),
        "--state-dir",
        str(state),
    ]


def _leftovers(state: Path) -> list[str]:
    """What a demo left behind under `state`: mounts, processes, the folder."""
    found = []
    with Path("/proc/self/mountinfo").open(encoding="utf-8") as f:
        found += [f"mount: {line.split()[4]}" for line in f if str(state) in line]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(state) in cmdline:
            found.append(f"process {proc.name}: {cmdline[:200]}")
    if state.exists():
        found.append(f"folder {state}: {sorted(p.name for p in state.iterdir())}")
    return found


def _needs_lab() -> None:
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    for tool in ("prometheus", "prometheus-alertmanager"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: apt-get install prometheus prometheus-alertmanager")


@pytest.mark.lab
@pytest.mark.slow
def test_demo_plays_the_incident_and_leaves_nothing(tmp_path: Path) -> None:
    _needs_lab()
    state = tmp_path / "var" / "demo"  # like var/lab in a fresh clone: var/ is the demo's too
    done = subprocess.run(
        _demo_argv(state), cwd=REPO, capture_output=True, text=True, timeout=DEMO_TIMEOUT_S
    )
    out, err = done.stdout, done.stderr
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in out + err
    # The coverage report of the first cycle, and where to look.
    assert re.search(r"│ total\s+│ MetroNet lab-small\s+│\s+6 │\s+6 │\s+0 │", out), out
    for where in ("/map", "/topology.svg", "/alerts", "Alertmanager    http://127.0.0.1:"):
        assert where in out
    # The incident: which PoP, coverage dropping, the PoP named as the cause, both alerts.
    pop = re.search(r"Incident: cutting (pop-[a-z-]+) off the backbone", out)
    assert pop, out
    name = pop.group(1)
    drop = re.search(r"coverage \(netmon_coverage_\*, via Prometheus\): 6/6 -> (\d+)/6", out)
    assert drop and int(drop.group(1)) < 6, out
    assert re.search(rf"\n    device {name} isolated: [1-9]\d* agencies \(ubnd-", out), out
    # In-band (the demo's default): the PoP and its CPEs fall silent, and none is called down.
    assert "over the lab's cables (in-band, OSPF)" in out + err, err
    assert re.search(r"devices silent behind the cut: [1-9]\d* unreachable", out), out
    assert "devices down (netmon_device_up 0): 0" in out, out
    assert f"PoPDown for {name}: firing" in out
    assert "AgencyUnreachable: firing" in out and "for all" in out, out
    inhibited = r"Alertmanager: AgencyUnreachable (\d+ active, )?[1-9]\d* suppressed"
    assert re.search(inhibited, out), out
    assert "; PoPDown 1 active" in out, out
    # Recovery: every agency back, none of the incident's alerts still firing.
    assert "recovery: coverage back to 6/6" in out, out
    assert "the incident's alerts stopped firing" in out, out
    # The same incident in the availability report, measured from the demo's Prometheus.
    avail = re.search(r"\n  .*: 6 agencies, ([\d.]+) % available, (\d+) outages", out)
    assert avail and float(avail.group(1)) < 100 and int(avail.group(2)) >= 1, out
    assert re.search(rf"\n    device {name} isolated: [1-9]\d* outages of ", out), out
    assert "full report: netmon report availability -p http://127.0.0.1:" in out, out
    assert "Timings: lab up" in out
    assert _leftovers(state) == []
    assert not state.parent.exists()  # the folder it created for the state folder, too


@pytest.mark.lab
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_demo_interrupted_tears_everything_down(tmp_path: Path, sig: signal.Signals) -> None:
    _needs_lab()
    state = tmp_path / "demo"
    proc = subprocess.Popen(
        _demo_argv(state), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    seen = ""
    try:
        # Interrupt once the lab is up and the services run: the most to clean up.
        sel = selectors.DefaultSelector()
        sel.register(proc.stderr, selectors.EVENT_READ)
        end = time.monotonic() + 120
        while "started in the noc" not in seen and time.monotonic() < end:
            if sel.select(timeout=1):
                line = proc.stderr.readline()
                if not line:
                    break
                seen += line
        assert "started in the noc" in seen, seen
        assert _leftovers(state), "the demo should be running here"
        proc.send_signal(sig)
        _, rest = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, seen + rest
    assert f"interrupted ({sig.name})" in rest, rest
    assert "Traceback" not in seen + rest
    assert _leftovers(state) == []


def test_demo_without_root_says_why_and_what_instead(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    state = tmp_path / "demo"
    result = CliRunner().invoke(build_app(["demo"]), ["demo", "--state-dir", str(state)])
    assert result.exit_code == 1, result.output
    text = result.stderr
    assert "needs root, and this is uid 1000" in text
    assert "network namespace" in text and "snmpd" in text  # why
    assert "sudo make demo" in text  # what to run instead, as root
    assert "netmon validate" in text and "netmon report spof" in text  # or without root
    assert result.stdout == ""
    assert not state.exists()


def _unit_for_verify(folder: Path, text: str) -> Path:
    """The unit with its ExecStart program moved to an existing stub: verify checks that the
    program exists, and /opt/netmon is not installed on a test machine. Nothing else changes."""
    stub = folder / "netmon"
    stub.write_text("#!/bin/sh\n", encoding="utf-8")
    stub.chmod(0o755)
    assert "ExecStart=/opt/netmon/bin/netmon " in text
    unit = folder / "netmon.service"
    unit.write_text(text.replace("ExecStart=/opt/netmon/bin/netmon ", f"ExecStart={stub} "))
    return unit


def _verify(unit: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_unit_verifies_cleanly(tmp_path: Path) -> None:
    text = UNIT.read_text(encoding="utf-8")
    good = _verify(_unit_for_verify(tmp_path, text))
    assert good.returncode == 0 and (good.stdout + good.stderr).strip() == "", good
    # The same check on a broken copy must complain (an unknown key is only a warning).
    broken = tmp_path / "broken"
    broken.mkdir()
    bad = _verify(_unit_for_verify(broken, text.replace("ProtectSystem=", "ProtectSystm=")))
    assert "Unknown key 'ProtectSystm'" in bad.stdout + bad.stderr


def test_systemd_unit_has_the_hardening_production_md_describes() -> None:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    assert settings["ExecStart"][0].split()[1] == "serve"
    assert settings["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert settings["DynamicUser"] == ["yes"]
    assert settings["NoNewPrivileges"] == ["yes"]
    assert settings["ProtectSystem"] == ["strict"]
    assert settings["AmbientCapabilities"] == ["CAP_NET_RAW"]
    assert settings["CapabilityBoundingSet"] == ["CAP_NET_RAW"]
    creds = {v.split(":")[0] for v in settings["LoadCredential"]}
    assert creds == {"snmp-community", "snmp-auth-key", "snmp-priv-key", "ssh-key"}


def test_demo_rules_shorten_only_the_waits() -> None:
    from netmon.errors import LabError
    from netmon.lab.demo_stack import demo_rules

    shipped = (REPO / "exporters" / "prometheus" / "rules" / "netmon.rules.yml").read_text()
    demo = demo_rules(shipped)
    assert shipped.count("for: 1m") == demo.count("for: 10s") > 0
    assert "for: 1m" not in demo and "interval: 30s" not in demo
    assert demo.count("interval: 5s") == shipped.count("interval: 30s")
    # Everything else (expressions, labels, annotations) is the shipped rules' text.
    assert demo.count("expr:") == shipped.count("expr:")
    assert demo.count("\n") == shipped.count("\n") + 1  # the header line
    with pytest.raises(LabError, match="changed shape"):
        demo_rules(shipped.replace("for: 1m", "for: 2m"))


def test_demo_subset_inventory_is_a_valid_inventory_of_n_agencies(tmp_path: Path) -> None:
    from netmon.inventory import load_inventory
    from netmon.lab.demo_inventory import write_subset

    full = load_inventory(REPO / "inventory")
    inv = write_subset(REPO / "inventory", 6, tmp_path)
    assert [a.id for a in inv.agencies] == [a.id for a in full.agencies[:6]]
    assert inv.lab and inv.management_network == full.management_network
    ids = {a.id for a in inv.agencies}
    assert all(a.parent is None or a.parent in ids for a in inv.agencies)
    assert {d.role for d in inv.devices} == {"core", "pop", "cpe"}
    assert "first 6 agencies" in inv.name
