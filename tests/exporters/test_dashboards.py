"""Dashboards: generated = committed, bilingual titles and help, well-formed targets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

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


# --- what NOC staff read: value mappings, names, units, panel ids, data links -----------------


def _boards() -> dict[str, dict[str, Any]]:
    return {n.removesuffix(".json"): json.loads(t) for n, t in render_all().items()}


def _exprs(panel: dict[str, Any]) -> list[str]:
    return [t["expr"] for t in panel.get("targets", []) if "expr" in t]


def _boolean_metrics() -> set[str]:
    """The 0/1 metrics, as docs/metrics.md describes them ("1 if ...", "1 while ...")."""
    doc = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(netmon_[a-z_]+)` \| gauge \|[^|]*\| 1 (?:if|while|once) ", doc, re.M)
    return {*rows, "up"}


def test_every_panel_has_its_own_id() -> None:
    for name, board in _boards().items():
        ids = [p.get("id") for p in board["panels"]]
        assert all(isinstance(i, int) and i > 0 for i in ids), (name, ids)
        assert len(set(ids)) == len(ids), (name, ids)


def test_panels_of_0_1_metrics_show_words_not_numbers() -> None:
    booleans = _boolean_metrics()
    assert {"netmon_agency_up", "netmon_probe_success", "netmon_config_load_success"} <= booleans
    checked = 0
    for name, board in _boards().items():
        for panel in board["panels"]:
            exprs = _exprs(panel)
            # a 0/1 series shown as such (a sum or count of them is a number of things)
            heads = {re.match(r"(netmon_[a-z_]+|up)\b", e) for e in exprs}
            metrics = {m.group(0) for m in heads if m}
            if not metrics & booleans:
                continue
            mappings = panel["fieldConfig"]["defaults"].get("mappings", [])
            words = {k: v["text"] for m in mappings for k, v in m.get("options", {}).items()}
            assert {"0", "1"} <= set(words), (name, panel["title"])
            assert all(" / " in w for w in words.values()), (name, panel["title"], words)
            checked += 1
    assert checked >= 6


def test_closed_label_values_are_all_mapped() -> None:
    import typing
    from typing import get_args

    from netmon.gen.dashboards.words import CAUSE_WORDS, DRIFT_NAMES, LINK_KINDS
    from netmon.model.inventory import LinkKind
    from netmon.model.snapshot import DRIFT_KINDS, Cause, CauseState

    causes = set(CAUSE_WORDS[0].options or {})
    kinds = set(get_args(typing.get_type_hints(Cause)["kind"]))
    assert kinds == {"device", "link"}
    assert kinds | {"none"} | set(get_args(CauseState)) | {"true", "false"} <= causes
    assert set(get_args(LinkKind)) == set(LINK_KINDS[0].options or {})
    assert set(DRIFT_KINDS) == set(DRIFT_NAMES)


def test_names_people_read_are_names_not_ids() -> None:
    for name, board in _boards().items():
        for panel in board["panels"]:
            for t in panel.get("targets", []):
                legend = t.get("legendFormat", "")
                for label in ("group", "level", "agency", "service"):
                    assert "{{" + label + "}}" not in legend, (name, panel["title"], legend)
            if panel["type"] == "table":
                (org,) = [x for x in panel["transformations"] if x["id"] == "organize"]
                shown = org["options"]["renameByName"]
                assert shown and all(" / " in v for v in shown.values()), (name, panel["title"])
                assert {"job", "instance", "__name__"} <= set(org["options"]["excludeByName"])


def test_the_agency_picker_shows_names_and_keeps_ids() -> None:
    from export import synth

    from netmon.export.metrics import exposition

    board = _boards()["netmon-agency"]
    (var,) = [v for v in board["templating"]["list"] if v["name"] == "agency"]
    assert "query_result(netmon_agency_info)" in str(var["query"])
    # Grafana applies the regex to query_result's lines: `name{labels} value timestamp`, labels
    # sorted. Build those lines from the real exposition and apply the same regex.
    inv = synth.inventory()
    text = exposition(synth.state(inv, synth.results(inv))).decode()
    lines = []
    for line in text.splitlines():
        if line.startswith("netmon_agency_info{"):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
            labels |= {"instance": "127.0.0.1:10467", "job": "netmon"}
            body = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            lines.append(f"netmon_agency_info{{{body}}} 1 1700000000000")
    pattern = var["regex"].strip("/").replace("(?<", "(?P<")
    picked = {m["value"]: m["text"] for m in (re.search(pattern, ln) for ln in lines) if m}
    assert picked == {a.id: a.name for a in inv.agencies}


def test_units_are_set_and_never_mixed() -> None:
    for name, board in _boards().items():
        for panel in board["panels"]:
            if panel["type"] in ("row", "nodeGraph"):
                continue
            unit = panel["fieldConfig"]["defaults"].get("unit")
            assert unit, (name, panel["title"])
            exprs = _exprs(panel)
            ratios = [e for e in exprs if ":ratio" in e]
            assert not ratios or len(ratios) == len(exprs), (name, panel["title"])  # 0-1 or not
            if ratios:
                assert unit == "percentunit", (name, panel["title"])
            for e in exprs:
                assert not re.search(r"/ ?\d{3,}\b", e), (name, panel["title"], e)  # no magic scale


def test_the_overview_links_to_the_agency_dashboard_and_the_map() -> None:
    boards = _boards()
    overview = boards["netmon-overview"]
    urls = []
    for panel in overview["panels"]:
        defaults = panel.get("fieldConfig", {}).get("defaults", {})
        urls += [link["url"] for link in defaults.get("links", [])]
        for override in panel.get("fieldConfig", {}).get("overrides", []):
            for prop in override["properties"]:
                if prop["id"] == "links":
                    urls += [link["url"] for link in prop["value"]]
    to_agency = [u for u in urls if u.startswith("/d/")]
    assert to_agency and all(u.split("/")[2] in boards for u in to_agency)
    assert all("var-agency=${__data.fields.agency}" in u for u in to_agency)
    to_map = [u for u in urls if "/map#/" in u]
    assert {u.split("/map#/")[1].split("/")[0] for u in to_map} == {"agency", "district"}
    for board in (overview, boards["netmon-agency"]):
        assert "netmon_url" in [v["name"] for v in board["templating"]["list"]]
    # the fields the links use are in the table's data (hidden, not dropped)
    (cut,) = [p for p in overview["panels"] if "cut off" in p["title"]]
    (org,) = cut["transformations"]
    assert org["options"]["includeByName"].get("agency") is True
