"""Shards that add up, on the 467-agency lab, aggregated by real Prometheus federation.

In the lab's noc: three `netmon serve --shard I/3` and one unsharded `netmon serve` poll the
live 467-agency lab (snmpd and lldpd in every node), and a regional Prometheus
(exporters/prometheus/prometheus-regional.yml) scrapes all four. On the host, a global
Prometheus (prometheus-global.yml) federates the shards' job only and evaluates the shipped
rules. The unsharded instance is the oracle: every coverage and cause figure summed over the
shards in PromQL must equal its own, in steady state and with a PoP cut off; with one shard
killed, NetmonShardDown fires, its agencies count as unreported, and the figures of the
agencies the other shards own still equal the oracle's.

Prints the wall time of each phase. One lab for the module (about 3 GB, a minute of CPU).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from lab.labtools import LiveLab, free_port, lab_config, lab_unavailable

from exporters.promlab import RULES, Prometheus
from netmon.inventory import load_inventory
from netmon.model import Inventory
from netmon.model.shard import Shard

pytestmark = [
    pytest.mark.lab,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed"),
]
REPO = Path(__file__).parents[2]
PROM_DIR = REPO / "exporters" / "prometheus"
POP = "pop-phu-vang"
RING = ("pop-quang-dien--pop-phu-vang", "pop-phu-vang--core-2")  # both of its ring links
SHARDS = 3
# Scrape, federation and rule evaluation interval, and the poll interval: short, with room for
# four netmon and two Prometheus on a shared 2-core machine (a 15,000-series scrape of the
# unsharded instance must fit its timeout at a load average of 20).
STEP = "4s"
POLL_S = 8.0
SHARD_DOWN_FOR = "10s"  # NetmonShardDown's for: (1m as shipped; its promtool case tests that)
SETTLE_S = 240.0


def _t0() -> float:
    return time.monotonic()


@dataclass
class Stack:
    lab: LiveLab
    inv: Inventory
    regional: Prometheus  # the four instances, as scraped
    global_: Prometheus  # the shards only, federated, with the rules
    shards: list[subprocess.Popen[bytes]]
    logs: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    from netmon.lab import lab_down, lab_up

    tmp = tmp_path_factory.mktemp("shards")
    state = tmp / "lab"
    port = free_port()
    procs: list[subprocess.Popen[bytes]] = []
    started = _t0()
    try:
        # Cabled exactly as declared (no seeded deviation): what a cut cuts off follows from
        # the inventory alone, so the test can say which agencies, independently of netmon.
        up = lab_up(
            REPO / "inventory",
            state,
            daemons="snmp",
            deviations=0,
            lldp_interval=30,
            forwards=(port,),
        )
        print(f"\n467 lab up: {_t0() - started:.0f} s")
        ((port, _),) = up.forwards  # the lab picks another port when this one was taken since
        lab = LiveLab(state, port)
        inventory = _inventory_without_ssh(tmp / "inventory")
        conf = lab_config(
            lab,
            tmp,
            poll={"interval_s": POLL_S, "jitter_s": 0, "deadline_s": POLL_S - 1, "down_after": 2},
            probes={"snmp": {"timeout_s": 0.5, "retries": 2}, "icmp": {"timeout_s": 0.5}},
        )
        ports = [19101 + i for i in range(SHARDS + 1)]  # the noc's own loopback
        for i, p in enumerate(ports):
            shard = ["--shard", f"{i}/{SHARDS}"] if i < SHARDS else []
            procs.append(_in_noc(lab, _serve(inventory, conf, p, shard), tmp / f"serve-{i}.log"))
        regional = _regional(lab, tmp / "regional", ports, procs)
        global_ = _global(tmp / "global", port, procs)
        yield Stack(lab, load_inventory(inventory), regional, global_, procs[:SHARDS], tmp)
    finally:
        for proc in reversed(procs):
            _stop(proc)
        started = _t0()
        lab_down(state)
        print(f"467 lab down: {_t0() - started:.0f} s")


def _inventory_without_ssh(folder: Path) -> Path:
    """The Huế inventory as it is, but polled with icmp and snmp only: the lab runs without
    sshd here (3 GB less, and what is compared is coverage and causes, not SSH)."""
    shutil.copytree(REPO / "inventory", folder, ignore=shutil.ignore_patterns("schema", "*.md"))
    net = folder / "network.yaml"
    text = net.read_text(encoding="utf-8")
    assert "probes: [icmp, snmp, ssh]" in text
    net.write_text(text.replace("probes: [icmp, snmp, ssh]", "probes: [icmp, snmp]"), "utf-8")
    return folder


def _serve(inventory: Path, conf: Path, port: int, shard: list[str]) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from netmon.cli import main; main()",
        "serve",
        "-i",
        str(inventory),
        "-c",
        str(conf),
        "--listen",
        f"127.0.0.1:{port}",
        *shard,
    ]


def _in_noc(lab: LiveLab, cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NETMON_LAB_DIR=str(lab.state_dir))
    return subprocess.Popen(
        ["nsenter", f"--net={lab.state_dir / 'ns' / 'noc'}", "--", *cmd],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def _prometheus_cmd(folder: Path, listen: str) -> list[str]:
    exe = shutil.which("prometheus")
    assert exe
    return [
        exe,
        f"--config.file={folder / 'prometheus.yml'}",
        f"--storage.tsdb.path={folder / 'data'}",
        f"--web.listen-address={listen}",
    ]


def _regional(
    lab: LiveLab, folder: Path, ports: list[int], procs: list[subprocess.Popen[bytes]]
) -> Prometheus:
    """The shipped regional config, its intervals shortened, the shards as its file_sd
    targets, and a second job for the unsharded instance (the oracle; never federated)."""
    folder.mkdir()
    conf = yaml.safe_load((PROM_DIR / "prometheus-regional.yml").read_text(encoding="utf-8"))
    conf["global"].update(scrape_interval=STEP, scrape_timeout=STEP)
    (folder / "targets").mkdir()
    shards = [{"targets": [f"127.0.0.1:{p}" for p in ports[:SHARDS]]}]
    (folder / "targets" / "netmon-shards.yml").write_text(yaml.safe_dump(shards))
    (job,) = conf["scrape_configs"]
    job["file_sd_configs"][0].update(files=[str(folder / "targets" / "netmon-shards.yml")])
    job["file_sd_configs"][0]["refresh_interval"] = "5s"
    single = {
        "job_name": "netmon-single",
        "static_configs": [{"targets": [f"127.0.0.1:{ports[-1]}"]}],
    }
    conf["scrape_configs"].append(single)
    (folder / "prometheus.yml").write_text(yaml.safe_dump(conf))
    listen = f"127.0.0.1:{lab.forward_port}"  # in the noc; the lab forwards the host's port
    procs.append(_in_noc(lab, _prometheus_cmd(folder, listen), folder / "prometheus.log"))
    return _ready(Prometheus(f"http://127.0.0.1:{lab.forward_port}"), procs[-1], folder)


def _global(folder: Path, regional_port: int, procs: list[subprocess.Popen[bytes]]) -> Prometheus:
    """The shipped global config on the host: federates the regional Prometheus, runs the
    shipped rules (evaluated every STEP; NetmonShardDown's for: shortened)."""
    folder.mkdir()
    conf = yaml.safe_load((PROM_DIR / "prometheus-global.yml").read_text(encoding="utf-8"))
    conf["global"].update(scrape_interval=STEP, scrape_timeout=STEP, evaluation_interval=STEP)
    conf.pop("alerting")
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    for group in rules["groups"]:
        group["interval"] = STEP
        for rule in group["rules"]:
            if rule.get("alert") == "NetmonShardDown":
                rule["for"] = SHARD_DOWN_FOR
    (folder / "netmon.rules.yml").write_text(yaml.safe_dump(rules, allow_unicode=True))
    conf["rule_files"] = [str(folder / "netmon.rules.yml")]
    regions = folder / "netmon-regions.yml"
    regions.write_text(yaml.safe_dump([{"targets": [f"127.0.0.1:{regional_port}"]}]))
    (job,) = conf["scrape_configs"]
    job["file_sd_configs"][0].update(files=[str(regions)], refresh_interval="5s")
    (folder / "prometheus.yml").write_text(yaml.safe_dump(conf))
    port = free_port()
    log = (folder / "prometheus.log").open("w")
    procs.append(
        subprocess.Popen(
            _prometheus_cmd(folder, f"127.0.0.1:{port}"), stdout=log, stderr=subprocess.STDOUT
        )
    )
    return _ready(Prometheus(f"http://127.0.0.1:{port}"), procs[-1], folder)


def _ready(prom: Prometheus, proc: subprocess.Popen[bytes], folder: Path) -> Prometheus:
    last: Exception | None = None
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{prom.url}/-/ready", timeout=5):  # noqa: S310 - 127.0.0.1
                return prom
        except Exception as exc:  # not up yet: refused, or 503 while starting
            last = exc
            assert proc.poll() is None, (folder / "prometheus.log").read_text()
            time.sleep(0.2)
    raise AssertionError(f"Prometheus in {folder} not ready at {prom.url}: {last!r}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the figures ----------------------------------------------------------------------------

# name -> PromQL over the instances it is run on; `{sel}` narrows to some of them.
FIGURES = {
    "declared": "sum(netmon_coverage_agencies{sel})",
    "connected": "sum(netmon_coverage_reachable_agencies{sel})",
    "cells": "sum by (level, group) (netmon_coverage_reachable_agencies{sel})",
    "services": "sum by (service) (netmon_service_coverage_reachable_agencies{sel})",
    "services_declared": "sum by (service) (netmon_service_coverage_agencies{sel})",
    "causes": "count by (cause_kind, cause_id, cause_state) (netmon_agency_cut_off_cause{sel})",
    "cut_off": "count by (agency) (netmon_agency_cut_off_cause{sel})",
    "blast": "sum by (element_kind, element) (netmon_blast_radius_agencies{sel})",
}
# The same by agency, for a subset of agencies (the single instance's own per-agency series).
BY_AGENCY = {
    "connected": "sum(netmon_agency_up{sel})",
    "cells": "sum by (level, group) (netmon_agency_up{sel})",
    "causes": FIGURES["causes"],
    "cut_off": FIGURES["cut_off"],
}


def read(prom: Prometheus, queries: dict[str, str], sel: str) -> dict[str, dict[str, float]]:
    out = {}
    for name, expr in queries.items():
        rows = prom.query(expr.replace("{sel}", "{" + sel + "}" if sel else ""))
        out[name] = {
            ",".join(f"{k}={v}" for k, v in sorted(r["metric"].items())): float(r["value"][1])
            for r in rows
        }
    return out


def settle(
    what: str,
    figures: Callable[[], tuple[dict[str, Any], dict[str, Any]]],
    ready: Callable[[dict[str, Any]], bool],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Poll until the oracle's figures show the state (`ready`) and the shards' sums equal
    them; the instances poll on their own clocks, so a moment where one has read a change
    and another not yet is expected. Returns the last pair either way."""
    started = _t0()
    summed, single = figures()
    while _t0() - started < SETTLE_S:
        if ready(single) and summed == single:
            break
        time.sleep(1)
        summed, single = figures()
    print(f"{what}: settled in {_t0() - started:.0f} s")
    return summed, single


def diagnose(stack: Stack) -> str:
    """What the Prometheus servers and the instances said, for a failure message."""
    ups = stack.regional.query("up")
    lines = [f"regional up: {[(u['metric']['instance'], u['value'][1]) for u in ups]}"]
    for log in sorted(stack.logs.glob("serve-*.log")):
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-3:]
        lines.append(f"{log.name}: " + " | ".join(tail))
    return "\n".join(lines)


def cut_agencies(single: dict[str, Any]) -> set[str]:
    return {k.removeprefix("agency=") for k in single["cut_off"]}


def behind(inv: Inventory, pop: str) -> set[str]:
    """Agencies every link of whose devices ends at `pop`: cut off when it is."""
    out = set()
    for a in inv.agencies:
        peers = {
            lk.a.device if lk.b.device == d.id else lk.b.device
            for d in inv.devices_of_agency[a.id]
            for lk in inv.links_of_device[d.id]
        }
        if peers == {pop}:
            out.add(a.id)
    return out


def test_shards_add_up_in_steady_state_with_a_pop_cut_and_with_a_shard_killed(
    stack: Stack,
) -> None:
    g, r, inv = stack.global_, stack.regional, stack.inv
    t = _t0()
    assert g.wait('count(up{job="netmon-shards"} == 1) == 3', timeout=120)
    assert r.wait('up{job="netmon-single"} == 1', timeout=60)
    assert g.wait("netmon_cycles_total > 1", timeout=120), (stack.logs / "serve-0.log").read_text()

    def figures() -> tuple[dict[str, Any], dict[str, Any]]:
        return read(g, FIGURES, ""), read(r, FIGURES, 'job="netmon-single"')

    # steady state: all 467 declared once, and every figure equal
    summed, single = settle("steady state", figures, lambda s: bool(s["declared"]))
    assert summed == single, diagnose(stack)
    assert single["declared"] == {"": float(len(inv.agencies))}
    declared = g.wait("netmon:coverage_agencies:sum", timeout=30)  # the rules' first round
    assert declared and float(declared[0]["value"][1]) == len(inv.agencies)
    baseline = cut_agencies(single)
    print(f"steady: {single['connected']} connected of {single['declared']}, cut {baseline}")

    # a PoP cut off: both ring links cut
    cut: list[str] = []
    try:
        for link in RING:
            assert stack.lab.cli("cut", link).returncode == 0
            cut.append(link)
        expected = baseline | behind(inv, POP)
        summed, single = settle("PoP cut", figures, lambda s: cut_agencies(s) == expected)
        assert cut_agencies(single) == expected, diagnose(stack)
        assert summed == single, diagnose(stack)
        pop_causes = {k: v for k, v in single["causes"].items() if f"cause_id={POP}" in k}
        assert sum(pop_causes.values()) >= len(behind(inv, POP))
        print(f"PoP cut: {single['connected']} connected, causes {single['causes']}")

        # one shard killed (with the PoP still cut): the alert, and the others still right
        dead = Shard(SHARDS - 1, SHARDS)
        alive = sorted(a.id for a in inv.agencies if not dead.owns_agency(a))
        lost = len(inv.agencies) - len(alive)
        stack.shards[dead.index].kill()
        stack.shards[dead.index].wait(timeout=10)
        killed = _t0()
        firing = g.wait('ALERTS{alertname="NetmonShardDown", alertstate="firing"}', timeout=120)
        print(f"NetmonShardDown firing {_t0() - killed:.0f} s after the kill")
        assert [s["metric"]["shard"] for s in firing] == [str(dead)]
        unreported = g.query("netmon:coverage_unreported_agencies:sum")
        assert float(unreported[0]["value"][1]) == lost
        assert float(g.query("netmon:coverage_agencies:sum")[0]["value"][1]) == len(inv.agencies)
        mine = 'agency=~"' + "|".join(alive) + '"'

        def live_figures() -> tuple[dict[str, Any], dict[str, Any]]:
            return read(g, BY_AGENCY, ""), read(r, BY_AGENCY, f'job="netmon-single",{mine}')

        summed, single = settle("shard killed", live_figures, lambda s: bool(s["cells"]))
        assert summed == single, diagnose(stack)
        print(f"shard {dead} killed: {lost} agencies unreported, the others equal the oracle")
    finally:
        for link in cut:
            stack.lab.cli("restore", link)
    print(f"test body: {_t0() - t:.0f} s")
