"""The CLI's rough edges of issue 19, each with the test that shows it gone.

--version, shell completion, only the formats a report has, a drawing per report, JSON Lines
for several poll cycles, reasons never cut short, no cryptography warnings, a nornir export
nornir loads, a design that says it is one. (`lab exec` polling the lab's own agencies is in
tests/lab/test_lab_exec_inventory.py: it needs a lab.)
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from rich.console import Console
from topology.test_snapshot_json import busy_snapshot

from netmon.export.report import FORMATS_OF, VIEWS
from netmon.model import ProbeResult, snapshot_to_json
from netmon.poller import CycleResult
from netmon.poller.debounce import AgencyStatus

REPO = Path(__file__).parent.parent
DATA = REPO / "tests" / "data"
NETMON = str(Path(sys.executable).parent / "netmon")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NETMON, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
    )


def test_version_is_the_installed_packages() -> None:
    out = run("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"netmon {version('netmon')} (Python ")
    assert out.stderr == ""


def _complete(words: str) -> set[str]:
    """What bash completion offers for the last word of `words` (typer's protocol)."""
    parts = words.split(" ")
    out = run(
        env={
            "_NETMON_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
        }
    )
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_shell_completion_is_offered_and_completes_commands_and_formats() -> None:
    # typer detects the shell from the process tree (the word after the flag is not read):
    # run it from bash, as a user does (bash execs a lone command: "&& true" keeps bash the
    # parent); a test run whose parent shell is gone would find none.
    script = subprocess.run(
        ["bash", "-c", f"{NETMON} --show-completion && true"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert script.returncode == 0 and "_NETMON_COMPLETE" in script.stdout, script.stderr
    assert "report" in _complete("netmon rep")
    assert _complete("netmon report ") >= {"coverage", "spof", "drift", "links", "topology"}
    # completion offers exactly the formats each report accepts
    assert _complete("netmon report coverage -o ") == {"table", "json"}
    assert _complete("netmon report topology -o ") == set(FORMATS_OF["topology"])


def _offered(view: str) -> set[str]:
    """The formats `report VIEW --help` lists for -o."""
    out = run("report", view, "--help")
    assert out.returncode == 0, out.stderr
    match = re.search(r"-o, --output <([a-z|]+)>", out.stdout)
    assert match, out.stdout
    return set(match.group(1).split("|"))


@pytest.mark.parametrize("view", VIEWS)
def test_each_report_offers_the_formats_it_has_and_accepts_every_one(
    view: str, tmp_path: Path
) -> None:
    offered = _offered(view)
    assert offered == set(FORMATS_OF[view])
    snap = tmp_path / "snap.json"
    snap.write_text(snapshot_to_json(busy_snapshot()), encoding="utf-8")
    for fmt in sorted(offered):
        if fmt == "svg" and shutil.which("dot") is None:
            continue
        out = run("report", view, "-o", fmt, "--snapshot", str(snap))
        assert out.returncode == 0, (view, fmt, out.stderr)
        assert out.stdout.strip()
    for fmt in {"table", "json", "dot", "graphml", "svg"} - offered:
        out = run("report", view, "-o", fmt, "--snapshot", str(snap))
        assert out.returncode == 2, (view, fmt)
        assert "Traceback" not in out.stderr


def test_spof_drift_links_and_topology_draw_four_different_pictures(tmp_path: Path) -> None:
    snap = busy_snapshot()
    path = tmp_path / "snap.json"
    path.write_text(snapshot_to_json(snap), encoding="utf-8")
    dots = {v: run("report", v, "-o", "dot", "--snapshot", str(path)).stdout for v in VIEWS[1:]}
    assert len(set(dots.values())) == 4, "two reports printed the same drawing"
    # spof: every PoP that is a single point of failure, with its blast radius
    declared = {b.element: len(b.agencies) for b in snap.declared.spofs}
    pops = [e for e in declared if e.kind == "site" and e.id.startswith("pop")]
    assert pops
    for e in pops:
        assert f"điểm lỗi đơn: {declared[e]} cơ quan" in dots["spof"], e
    # drift: every drifted link, and nothing about coverage
    assert snap.drift
    for d in snap.drift:
        if d.link:
            assert d.link in dots["drift"], d.link
    assert "cơ quan kết nối\\n" not in dots["drift"].split("\n", 3)[-1]
    # links: backbone capacities
    backbone = [lk for lk in snap.links if lk.kind != "access"]
    assert backbone
    assert all(
        f"{lk.capacity_bps / 1e9:g} Gbit/s" in dots["links"] for lk in backbone if lk.capacity_bps
    )


@needs_dot
def test_topology_pages_link_the_overview_and_every_district(tmp_path: Path) -> None:
    snap = busy_snapshot()
    path = tmp_path / "snap.json"
    path.write_text(snapshot_to_json(snap), encoding="utf-8")
    out = run(
        "report", "topology", "-o", "svg", "--snapshot", str(path), "--out-dir", str(tmp_path / "p")
    )
    assert out.returncode == 0, out.stderr
    overview = (tmp_path / "p" / "topology.svg").read_text(encoding="utf-8")
    for g in snap.groups:
        page = tmp_path / "p" / "topology" / f"{g.id}.svg"
        assert f'href="topology/{g.id}.svg"' in overview
        assert 'href="../topology.svg"' in page.read_text(encoding="utf-8")
    one = run("report", "topology", "-o", "svg", "--snapshot", str(path), "-d", snap.groups[0].id)
    assert one.returncode == 0 and snap.groups[0].name in one.stdout
    bad = run("report", "topology", "-o", "svg", "--snapshot", str(path), "-d", "no-such")
    assert bad.returncode == 2 and "no district 'no-such'" in bad.stderr
    assert run("report", "topology", "-d", snap.groups[0].id).returncode == 2  # table: no pages


def test_a_design_report_says_it_is_not_measured(tmp_path: Path) -> None:
    design = run("report", "coverage", "-i", str(DATA / "lab-small"))
    assert design.returncode == 0, design.stderr
    assert "declared design" in design.stderr
    assert design.stdout.startswith("DECLARED DESIGN, NOT MEASURED")
    assert "Coverage (declared design)" in design.stdout
    path = tmp_path / "snap.json"
    path.write_text(snapshot_to_json(busy_snapshot()), encoding="utf-8")
    live = run("report", "coverage", "--snapshot", str(path))
    assert live.returncode == 0, live.stderr
    assert "declared design" not in live.stderr + live.stdout
    assert "DECLARED DESIGN" not in live.stdout


@needs_dot
def test_a_design_drawing_is_grey_and_titled_as_a_design() -> None:
    import xml.etree.ElementTree as ET

    design = run("report", "topology", "-o", "svg", "-i", str(DATA / "lab-small")).stdout
    assert "THIẾT KẾ KHAI BÁO" in design
    svg = "{http://www.w3.org/2000/svg}"
    fills = {
        shape.get("fill")
        for g in ET.fromstring(design).iter(f"{svg}g")  # noqa: S314 (our own output)
        if g.get("class") == "node" and g.findtext(f"{svg}title") != "legend"
        for shape in g.iter()
        if shape.tag in (f"{svg}polygon", f"{svg}path")
    }
    assert fills and not fills & {"#d7f0d4", "#f6c4c4", "#e06666"}  # no live green nor red


# --- poll -------------------------------------------------------------------------------------

INVENTORY = """\
inventory: {name: loopback, lab: false, management_network: 127.0.0.0/8}
levels: [{id: commune, name: Cấp xã}]
groups: [{id: g, name: G, kind: district}]
sites: [{id: pop, name: PoP, role: pop, group: g}]
defaults: {platform: linux, probes: [tcp]}
agencies:
  - {id: a1, name: Một, level: commune, group: g}
devices:
  - {id: pop-1, role: pop, site: pop, mgmt: 127.0.0.1, interfaces: [p1], tcp_port: PORT}
  - {id: cpe-1, role: cpe, agency: a1, mgmt: 127.0.0.2, interfaces: [lo], tcp_port: PORT}
links:
  - {id: l1, a: {device: pop-1, interface: p1}, b: {device: cpe-1, interface: lo},
     kind: access, capacity_mbps: 100}
"""
CONFIG = "poll: {interval_s: 1, deadline_s: 0.9}\nprobes: {tcp: {timeout_s: 0.3, retries: 0}}\n"


@pytest.fixture
def loopback(tmp_path: Path) -> Path:
    """An inventory whose TCP probes hit a loopback port nobody listens on (refused).
    127.0.0.2 answers on loopback like 127.0.0.1 (the whole /8 is local)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: refused from then on
    (tmp_path / "inventory").mkdir()
    text = INVENTORY.replace("PORT", str(port))
    (tmp_path / "inventory" / "net.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_several_poll_cycles_print_json_lines_one_cycle_a_line(loopback: Path) -> None:
    out = run("poll", "--cycles", "2", "-o", "json", cwd=loopback)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 2, out.stdout
    docs = [json.loads(line) for line in lines]
    first = docs[0]["cycle"]["number"]
    assert [d["cycle"]["number"] for d in docs] == [first, first + 1]
    assert all(d["agencies"][0]["id"] == "a1" for d in docs)
    once = run("poll", "--once", "-o", "json", cwd=loopback)
    assert once.returncode == 0, once.stderr
    assert "number" in json.loads(once.stdout)["cycle"]  # one document, indented
    assert len(once.stdout.splitlines()) > 1
    assert "Warning" not in out.stderr + once.stderr


def test_poll_table_never_cuts_a_reason_short() -> None:
    from netmon.cli.poll_cmd import table
    from netmon.inventory import load_inventory

    inv = load_inventory(DATA / "base.yaml")
    agency = inv.agencies[0]
    device = inv.devices_of_agency[agency.id][0].id
    results = (
        ProbeResult(device, "icmp", True, 0.01),
        ProbeResult(device, "snmp", False, 0.3, reason="authentication"),
        ProbeResult(device, "ssh", False, 0.3, reason="not_in_time_window"),
    )
    cycle = CycleResult(
        1, 0.0, 0.5, results, (AgencyStatus(agency.id, True, 0, False),), 0, 0, results
    )
    for width in (80, 100, 140):
        buf = Console(width=width, record=True, file=io.StringIO())
        buf.print(table(inv, cycle))
        text = buf.export_text()
        assert "snmp:authentication" in text, text
        assert "ssh:not_in_time_window" in text, text
        assert "…" not in text


def test_importing_the_ssh_probe_prints_no_cryptography_warnings() -> None:
    code = "import netmon.probes.ssh.asyncssh_client, netmon.probes.ssh.shell, netmon.cli.poll_cmd"
    out = subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""


def test_other_warnings_still_show() -> None:
    """Only asyncssh's DSA warnings are silenced, not warnings in general."""
    code = (
        "import warnings, netmon.probes.ssh.lib\n"
        "from cryptography.utils import CryptographyDeprecationWarning\n"
        "warnings.warn('something else', CryptographyDeprecationWarning)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "something else" in out.stderr


# --- nornir -----------------------------------------------------------------------------------


def test_nornir_export_loads_in_nornir(tmp_path: Path) -> None:
    from nornir.plugins.inventory.simple import SimpleInventory

    from netmon.inventory import load_inventory

    out = run(
        "inventory",
        "export",
        "-f",
        "nornir",
        "-i",
        str(DATA / "base.yaml"),
        "--out-dir",
        str(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    loaded = SimpleInventory(
        host_file=str(tmp_path / "hosts.yaml"),
        group_file=str(tmp_path / "groups.yaml"),
        defaults_file=str(tmp_path / "defaults.yaml"),
    ).load()
    inv = load_inventory(DATA / "base.yaml")
    assert set(loaded.hosts) == {d.id for d in inv.devices}
    for d in inv.devices:
        host = loaded.hosts[d.id]
        assert host.hostname == str(d.mgmt) and host.platform == d.platform
        assert {g.name for g in host.groups} == {*d.groups, f"role_{d.role}"}
        assert host["role"] == d.role  # data reachable through nornir's lookup
    missing = run("inventory", "export", "-f", "nornir", "-i", str(DATA / "base.yaml"))
    assert missing.returncode == 2 and "--out-dir" in missing.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("--help",),
        ("validate",),
        ("inventory", "show"),
        ("inventory", "export"),
        ("inventory", "schema"),
        ("poll",),
        ("serve",),
        ("demo",),
        ("lab", "up"),
        ("lab", "down"),
        ("lab", "status"),
        ("lab", "exec"),
        ("lab", "cut"),
        *[("report", v) for v in VIEWS],
    ],
)
def test_help_teaches_with_examples(command: tuple[str, ...]) -> None:
    out = run(*command, *(() if command == ("--help",) else ("--help",)))
    assert out.returncode == 0, out.stderr
    assert "Example" in out.stdout, command
