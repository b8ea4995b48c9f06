"""A real Prometheus scrapes netmon's HTTP server and evaluates the shipped rules; every PromQL
expression of the dashboards and rules is run against it.

The server renders Snapshots built by netmon.topology from the full 467-agency inventory and
synthetic probe answers (tests/export/synth.py: one PoP and the CPEs behind it dead, one SNMP
credential refused, counters growing each second), because this test must not depend on the
lab; tests/exporters/test_lab_alerts.py does the same against the live lab.
"""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path

import pytest
import yaml
from export import synth

from exporters.promlab import REPO, RULES, netmon_server, prometheus
from netmon.export.state import ExportState
from netmon.gen.dashboards.check import check
from netmon.model import Inventory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed"),
]
DASHBOARDS = REPO / "exporters" / "grafana" / "dashboards"
DEAD_POP = "pop-a-luoi"


@cache
def _inv() -> Inventory:
    return synth.inventory(synth.FULL)


def _behind(inv: Inventory, pop: str) -> set[str]:
    """CPEs whose only links go to `pop`."""
    out = set()
    for d in inv.devices:
        if d.role == "cpe":
            peers = {
                lk.a.device if lk.b.device == d.id else lk.b.device
                for lk in inv.links_of_device[d.id]
            }
            if peers == {pop}:
                out.add(d.id)
    return out


def state(step: int) -> ExportState:
    inv = _inv()
    dead = {DEAD_POP} | _behind(inv, DEAD_POP)
    rs = synth.results(inv, dead=dead, octets=1_000_000 * (step + 1), auth_failing={"pop-hue"})
    return synth.state(inv, rs, failures=3)


def dashboard_exprs() -> list[tuple[str, str]]:
    out = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                if "expr" in target:
                    out.append((f"{path.stem}: {panel['title']}", target["expr"]))
    return out


def rule_exprs() -> tuple[list[str], list[tuple[str, str]]]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    # The availability groups read minutes that ended a minute ago, at least: they are run
    # against a real Prometheus by tests/export/availability/test_backfill.py instead.
    rules = [
        r for g in groups if not g["name"].startswith("netmon-availability") for r in g["rules"]
    ]
    return [r["expr"] for r in rules if "record" in r], [
        (r["alert"], r["expr"]) for r in rules if "alert" in r
    ]


def _metric_names(expr: str) -> set[str]:
    names = set(re.findall(r"\b(netmon[:_][a-z0-9_:]*[a-z0-9_])", expr))
    return {n for n in names if not n.endswith(":")}


def test_extraction_finds_every_panel_and_rule() -> None:
    exprs = dashboard_exprs()
    # the topology board: its whole-network graph from Prometheus, one netmon's from JSON
    assert len(exprs) >= 37 and len({p.split(":")[0] for p, _ in exprs}) == 5
    recording, alerts = rule_exprs()
    assert len(recording) == 12 and len(alerts) == 16


def test_every_dashboard_and_rule_expression_returns_data(tmp_path: Path) -> None:
    with netmon_server(state) as target, prometheus(tmp_path, target) as prom:
        assert prom.wait('up{job="netmon"} == 1'), "Prometheus did not scrape netmon"
        # rate() needs two scrapes of growing counters in its window; utilisation then exists
        assert prom.wait("netmon:link_utilisation:ratio_rate5m", timeout=60)
        assert prom.wait("netmon:link_errors:rate5m", timeout=30)
        # The checker operators run against a live Prometheus (the demo's): the drill-down is
        # tried on an agency cut off (its cause panel has data) and on a healthy one (its
        # traffic panels have data); each panel must evaluate and show data for one.
        outcomes = check(prom.url)
        assert len(outcomes) == len(dashboard_exprs())
        empty = [f"{o.board}: {o.panel}: {o.expr} {o.error}" for o in outcomes if not o.series]
        recording, alerts = rule_exprs()
        empty += [f"recording: {e}" for e in recording if not prom.query(e)]
        assert empty == []
        # Alert expressions fire only on failure: each must evaluate, and name only metrics
        # that exist; those this state breaks must return data.
        missing = []
        for name, expr in alerts:
            prom.query(expr)
            for metric in _metric_names(expr):
                if not prom.query(f"count({metric})"):
                    missing.append(f"{name}: {metric}")
        assert missing == []
        for alert in ("AgencyUnreachable", "PoPDown", "ProbeAuthFailing", "UplinkDown"):
            expr = dict(alerts)[alert]
            assert prom.query(expr), f"{alert} should match this state"
        pending = prom.wait('ALERTS{alertname="AgencyUnreachable"}', timeout=30)
        assert {s["metric"]["cause_id"] for s in pending} == {DEAD_POP}
        assert {s["metric"]["single_homed"] for s in pending} == {"true"}
        assert len(pending) == len(_behind(_inv(), DEAD_POP))
        coverage = prom.query("netmon:coverage_agencies:sum")
        assert float(coverage[0]["value"][1]) == 467
