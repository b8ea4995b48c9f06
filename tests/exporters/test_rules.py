"""The shipped Prometheus and Alertmanager files: generated = committed, and the real tools
(promtool, amtool, alertmanager) accept them and behave as the docs say."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from netmon.gen.rules import ALERTS, CASES, alerts_markdown, rules_yaml
from netmon.gen.rules import tests_yaml as rule_tests_yaml

REPO = Path(__file__).parents[2]
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
    }
    assert {a.name for a in ALERTS} == wanted
    assert {c.alert for c in CASES} == wanted
    for a in ALERTS:
        ann = a.annotations()
        for key in ("summary", "description", "runbook"):
            assert ann[key] and ann[f"{key}_vi"] and ann[key] != ann[f"{key}_vi"], (a.name, key)
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


@pytest.mark.skipif(
    shutil.which("prometheus-alertmanager") is None, reason="prometheus-alertmanager not installed"
)
def test_alertmanager_inhibits_single_homed_agencies_behind_a_down_pop(tmp_path: Path) -> None:
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
        req = urllib.request.Request(
            url, json.dumps(alerts).encode(), {"Content-Type": "application/json"}
        )
        urllib.request.urlopen(req, timeout=5)  # noqa: S310 - 127.0.0.1
        state: dict[str, str] = {}
        for _ in range(50):  # inhibition is computed asynchronously
            got = json.load(urllib.request.urlopen(url, timeout=5))
            state = {
                a["labels"].get("agency", a["labels"]["alertname"]): a["status"]["state"]
                for a in got
            }
            if len(state) == 5 and "suppressed" in state.values():
                break
            time.sleep(0.1)
        assert state == {
            "PoPDown": "active",
            "ubnd-phu-ho": "suppressed",
            "ubnd-phu-vang": "suppressed",
            "so-tttt": "active",  # dual-homed: never inhibited by one PoP
            "ubnd-x": "active",  # behind another PoP
        }
    finally:
        proc.terminate()
        proc.wait(timeout=10)
