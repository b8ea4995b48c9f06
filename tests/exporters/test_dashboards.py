"""Dashboards: generated = committed, bilingual titles and help, well-formed targets."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from netmon.gen.dashboards import BOARDS, render_all

REPO = Path(__file__).parents[2]
DIR = REPO / "exporters" / "grafana" / "dashboards"
VI = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def test_committed_dashboards_are_what_the_generator_writes() -> None:
    generated = render_all()
    assert sorted(p.name for p in DIR.glob("*.json")) == sorted(generated)
    for name, text in generated.items():
        assert (DIR / name).read_text(encoding="utf-8") == text, (
            f"{name}: regenerate with python -m netmon.gen.dashboards"
        )


def test_titles_and_help_are_vietnamese_and_english() -> None:
    for name, text in render_all().items():
        board = json.loads(text)
        assert VI & set(board["title"].lower()), name
        for panel in board["panels"]:
            if panel["type"] == "row":
                continue
            title, doc = panel["title"], panel.get("description", "")
            assert " / " in title and VI & set(title.lower()), (name, title)
            assert VI & set(doc.lower()) and len(doc) > 30, (name, title)


def test_targets_have_distinct_ref_ids_and_a_datasource() -> None:
    for name, text in render_all().items():
        for panel in json.loads(text)["panels"]:
            refs = [t["refId"] for t in panel.get("targets", [])]
            assert all(refs) and len(set(refs)) == len(refs), (name, panel["title"])
            for t in panel.get("targets", []):
                assert t["datasource"]["uid"] in ("${datasource}", "${infinity}")


def test_agency_drilldown_has_its_variable_and_topology_uses_node_graph() -> None:
    agency = json.loads(render_all()["netmon-agency.json"])
    names = [v["name"] for v in agency["templating"]["list"]]
    assert "agency" in names
    assert any('agency="$agency"' in t["expr"] for p in agency["panels"] for t in p["targets"])
    topo = json.loads(render_all()["netmon-topology.json"])
    json_graph, prom_graph = sorted(
        (p for p in topo["panels"] if p["type"] == "nodeGraph"),
        key=lambda p: p["datasource"]["type"] == "prometheus",
    )
    assert {t["format"] for t in json_graph["targets"]} == {"node-graph-nodes", "node-graph-edges"}
    # across shards: Prometheus frames named as the panel expects, columns renamed to its fields
    assert {t["refId"] for t in prom_graph["targets"]} == {"nodes", "edges"}
    renamed = prom_graph["transformations"][0]["options"]["renameByName"]
    assert {"id", "source", "target", "mainstat"} <= set(renamed.values())
    assert set(BOARDS) == {
        "netmon-overview",
        "netmon-links",
        "netmon-agency",
        "netmon-topology",
        "netmon-health",
    }


def test_provisioning_points_at_the_dashboards() -> None:
    prov = yaml.safe_load(
        (REPO / "exporters/grafana/provisioning/dashboards/netmon.yml").read_text()
    )
    assert prov["providers"][0]["type"] == "file"
    ds = yaml.safe_load(
        (REPO / "exporters/grafana/provisioning/datasources/netmon.yml").read_text()
    )
    assert {d["type"] for d in ds["datasources"]} == {
        "prometheus",
        "yesoreyeram-infinity-datasource",
    }
