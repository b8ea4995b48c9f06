"""The shipped Prometheus and Alertmanager files: generated = committed, and the real tools
(promtool, amtool, alertmanager) accept them and behave as the docs say."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from netmon.gen.rules import ALERTS, CASES, alerts_markdown, expand, rules_yaml
from netmon.gen.rules import tests_yaml as rule_tests_yaml

REPO = Path(__file__).parents[2]
VI = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
PROM = REPO / "exporters" / "prometheus"
RULES = PROM / "rules"
AM = REPO / "exporters" / "alertmanager" / "alertmanager.yml"

needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None, reason="no promtool")


def test_committed_files_are_what_the_generator_writes() -> None:
    hint = "regenerate: python -m netmon.gen.rules"
    assert (RULES / "netmon.rules.yml").read_text(encoding="utf-8") == rules_yaml(), hint
    assert (RULES / "netmon.rules.test.yml").read_text(encoding="utf-8") == rule_tests_yaml(), hint
    assert (REPO / "docs" / "alerts.md").read_text(encoding="utf-8") == alerts_markdown(), hint


def test_every_alert_is_bilingual_and_tested() -> None:
    wanted = {
        "AgencyUnreachable",
        "PoPDown",
        "UplinkDown",
        "CoverageBelowTarget",
        "SinglePathAgency",
        "LinkErrors",
        "LinkSaturated",
        "ProbeAuthFailing",
        "TopologyDrift",
        "NetmonCycleStale",
        "NetmonShardDown",
        "NetmonDown",
        # issue 19: a core device down, an upstream service lost, a config or inventory
        # reload refused, netmon's own secret unusable (not the device refusing it)
        "CoreDown",
        "ServiceUnreachable",
        "NetmonConfigRejected",
        "ProbeCredentialsUnusable",
    }
    assert {a.name for a in ALERTS} == wanted
    assert {c.alert for c in CASES} == wanted
    for a in ALERTS:
        ann = a.annotations()
        for key in ("summary", "description"):
            assert ann[key] and ann[f"{key}_vi"] and ann[key] != ann[f"{key}_vi"], (a.name, key)
        assert a.runbook and a.runbook_vi and a.runbook != a.runbook_vi, a.name
        assert "runbook" not in ann and "runbook_vi" not in ann  # a link, not free text
    for c in CASES:  # each case expects at least one alert and checks a quiet moment or series
        assert any(expected for _, expected in c.checks), c.alert
        assert len(c.checks) > 1 or len(c.series) > 2, c.alert


def test_agency_unreachable_carries_its_cause() -> None:
    rules = yaml.safe_load(rules_yaml())
    alert = next(
        r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "AgencyUnreachable"
    )
    assert "netmon_agency_cut_off_cause" in alert["expr"]
    case = next(c for c in CASES if c.alert == "AgencyUnreachable")
    fired = [labels for _, expected in case.checks for labels in expected]
    assert fired and all({"cause_kind", "cause_id", "single_homed"} <= set(x) for x in fired)


# Closed label values netmon writes (in English) and the words the Vietnamese text uses.
CLOSED = ("cause_kind", "cause_state", "single_homed", "kind", "reason", "file", "role")


def _rendered() -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """(alert, labels, annotations as Prometheus renders them) for every alert each case fires."""
    by_name = {a.name: a for a in ALERTS}
    return [
        (c.alert, labels, {k: expand(v, labels) for k, v in by_name[c.alert].annotations().items()})
        for c in CASES
        for _, expected in c.checks
        for labels in expected
    ]


def test_vietnamese_text_never_shows_a_raw_english_label_value() -> None:
    rendered = _rendered()
    assert {a for a, _, _ in rendered} == {a.name for a in ALERTS}  # every alert fires once
    seen: set[str] = set()
    for alert, labels, ann in rendered:
        for key in ("summary_vi", "description_vi"):
            text = ann[key]
            assert "{{" not in text and VI & set(text.lower()), (alert, key, text)
            for label in CLOSED:
                value = labels.get(label)
                if value:
                    seen.add(label)
                    # a word on its own; part of an identifier or a path (pop-hue, inventory/)
                    # is a name, not the label's value
                    found = re.search(rf"(?<![\w./-]){re.escape(value)}(?![\w./-])", text)
                    assert not found, (alert, key, label, value, text)
    assert {"cause_kind", "cause_state", "single_homed", "kind", "reason", "file"} <= seen


def test_runbook_urls_point_at_each_alerts_section() -> None:
    doc = (REPO / "docs" / "alerts.md").read_text(encoding="utf-8")
    anchors = {h.strip().lower() for h in re.findall(r"^## (.+)$", doc, re.M)}
    for a in ALERTS:
        url = a.annotations()["runbook_url"]
        page, _, anchor = url.partition("#")
        assert page == "docs/alerts.md" and anchor in anchors, url
        section = doc.split(f"## {a.name}\n", 1)[1].split("\n## ", 1)[0]
        assert a.runbook in section and a.runbook_vi in section, a.name
    custom = rules_yaml("https://git.example/netmon/docs/alerts.md")
    assert "runbook_url: https://git.example/netmon/docs/alerts.md#coredown" in custom


def _run(*cmd: str, cwd: Path | None = None) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@needs_promtool
def test_promtool_check_rules_and_test_rules() -> None:
    assert "SUCCESS" in _run("promtool", "check", "rules", str(RULES / "netmon.rules.yml"))
    assert "SUCCESS" in _run("promtool", "test", "rules", "netmon.rules.test.yml", cwd=RULES)


@needs_promtool
def test_promtool_test_rules_can_fail(tmp_path: Path) -> None:
    """A wrong expectation must fail: the test above proves something."""
    shutil.copy(RULES / "netmon.rules.yml", tmp_path)
    broken = rule_tests_yaml().replace("cause_id: pop-phu-vang", "cause_id: pop-elsewhere", 1)
    assert broken != rule_tests_yaml()
    (tmp_path / "t.yml").write_text(broken, encoding="utf-8")
    done = subprocess.run(
        ["promtool", "test", "rules", "t.yml"], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert done.returncode != 0


@needs_promtool
@pytest.mark.parametrize(
    "name",
    [
        "prometheus.yml",
        "prometheus-sharded.yml",
        "prometheus-regional.yml",
        "prometheus-global.yml",
    ],
)
def test_promtool_check_config(name: str) -> None:
    assert "SUCCESS" in _run("promtool", "check", "config", str(PROM / name))


@pytest.mark.skipif(shutil.which("amtool") is None, reason="no amtool")
def test_amtool_check_config() -> None:
    assert "SUCCESS" in _run("amtool", "check-config", str(AM))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _alert(name: str, **labels: str) -> dict[str, object]:
    return {"labels": {"alertname": name, **labels}, "annotations": {"summary": name}}


needs_alertmanager = pytest.mark.skipif(
    shutil.which("prometheus-alertmanager") is None, reason="prometheus-alertmanager not installed"
)


def _inhibited(tmp_path: Path, alerts: list[dict[str, object]], key: str) -> dict[str, str]:
    """Post `alerts` to a real Alertmanager with the shipped config; each alert's state
    (active, suppressed) by the label `key` (or its alertname)."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            "prometheus-alertmanager",
            f"--config.file={AM}",
            f"--storage.path={tmp_path}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/api/v2/alerts"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        req = urllib.request.Request(
            url, json.dumps(alerts).encode(), {"Content-Type": "application/json"}
        )
        urllib.request.urlopen(req, timeout=5)  # noqa: S310 - 127.0.0.1
        state: dict[str, str] = {}
        for _ in range(50):  # inhibition is computed asynchronously
            got = json.load(urllib.request.urlopen(url, timeout=5))
            state = {
                a["labels"].get(key, a["labels"]["alertname"]): a["status"]["state"] for a in got
            }
            if len(state) == len(alerts) and "suppressed" in state.values():
                break
            time.sleep(0.1)
        return state
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@needs_alertmanager
def test_alertmanager_inhibits_single_homed_agencies_behind_a_down_pop(tmp_path: Path) -> None:
    cause = {"cause_kind": "device", "cause_id": "pop-phu-vang"}
    alerts = [
        _alert("PoPDown", device="pop-phu-vang", **cause),
        _alert("AgencyUnreachable", agency="ubnd-phu-ho", single_homed="true", **cause),
        _alert("AgencyUnreachable", agency="ubnd-phu-vang", single_homed="true", **cause),
        _alert("AgencyUnreachable", agency="so-tttt", single_homed="false", **cause),
        _alert(
            "AgencyUnreachable",
            agency="ubnd-x",
            single_homed="true",
            cause_kind="device",
            cause_id="pop-huong-thuy",
        ),
    ]
    assert _inhibited(tmp_path, alerts, "agency") == {
        "PoPDown": "active",
        "ubnd-phu-ho": "suppressed",
        "ubnd-phu-vang": "suppressed",
        "so-tttt": "active",  # dual-homed: never inhibited by one PoP
        "ubnd-x": "active",  # behind another PoP
    }


@needs_alertmanager
def test_a_core_device_down_pages_once_for_its_netmon(tmp_path: Path) -> None:
    a = {"job": "netmon", "instance": "10.0.0.1:10467"}
    b = {"job": "netmon", "instance": "10.0.0.2:10467"}
    core = {"cause_kind": "device", "cause_id": "core-1"}
    alerts = [
        _alert("CoreDown", key="core", device="core-1", **core, **a),
        _alert(
            "PoPDown", key="pop-a", device="pop-hue", cause_kind="device", cause_id="pop-hue", **a
        ),
        _alert("UplinkDown", key="ring-a", link="core-1--pop-hue", **a),
        _alert("PoPDown", key="pop-b", device="pop-x", cause_kind="device", cause_id="pop-x", **b),
        _alert("AgencyUnreachable", key="agency", single_homed="true", **core, **a),
    ]
    assert _inhibited(tmp_path, alerts, "key") == {
        "core": "active",
        "pop-a": "suppressed",  # behind the core that is down
        "ring-a": "suppressed",
        "pop-b": "active",  # another netmon's PoP
        "agency": "suppressed",  # single-homed on the core
    }
