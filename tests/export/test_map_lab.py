"""The map with the live lab: `netmon serve` in the lab's noc (real daemons, real polling),
Chromium on the host through the lab's forwarder. The map shows what /api/snapshot says, and
when a PoP's uplinks are cut in the lab, the PoP shows as the cause of its agencies' cut-off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from lab.labtools import LAB_SMALL, LiveLab, lab_config

from export.browser import browser_missing, chromium, wait_until
from export.test_map_browser import SHOTS, nodes, open_map

pytestmark = [
    pytest.mark.lab,
    pytest.mark.slow,
    pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing())),
]
POP = "pop-phu-vang"
UPLINKS = ("core-1--pop-phu-vang", "pop-phu-vang--pop-huong-thuy")


def get(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (the lab's forwarder)
            return json.load(r) if url.endswith("snapshot") else r.read()
    except (urllib.error.URLError, OSError):
        return None


def test_the_map_shows_the_labs_snapshot_and_a_cut_pop(lab: LiveLab, tmp_path: Path) -> None:
    conf = lab_config(
        lab,
        tmp_path,
        poll={"interval_s": 2.0, "jitter_s": 0, "deadline_s": 1.5, "down_after": 2},
        probes={"snmp": {"timeout_s": 0.3, "retries": 2}, "icmp": {"timeout_s": 0.3, "retries": 1}},
    )
    base = f"http://127.0.0.1:{lab.forward_port}"
    serve = subprocess.Popen(
        [
            "nsenter",
            f"--net={lab.state_dir / 'ns' / 'noc'}",
            "--",
            sys.executable,
            "-c",
            "from netmon.cli import main; main()",
            "serve",
            "-i",
            str(LAB_SMALL),
            "-c",
            str(conf),
            "--listen",
            f"127.0.0.1:{lab.forward_port}",
        ],
        env=dict(os.environ, NETMON_LAB_DIR=str(lab.state_dir)),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("w"),
    )
    cut: list[str] = []
    try:
        wait_until(lambda: get(f"{base}/-/ready"), 120, (tmp_path / "serve.log").read_text())
        with chromium(tmp_path / "profile") as browser:
            open_map(browser, base)
            snap = get(f"{base}/api/snapshot")
            assert snap["probed"] is True
            cov = browser.execute_script(
                "const c = document.getElementById('coverage');"
                "return [+c.dataset.reachable, +c.dataset.total]"
            )
            assert cov[1] == snap["coverage"]["total"]["total"] == len(snap["agencies"])
            districts = {n["ref"]: (n["reachable"], n["total"]) for n in nodes(browser, "district")}
            assert {g["id"]: g["total"] for g in snap["coverage"]["by_group"]} == {
                g: t for g, (_, t) in districts.items()
            }
            for link in UPLINKS:
                done = lab.cli("cut", link)
                assert done.returncode == 0, done.stderr
                cut.append(link)

            def pop_is_cause() -> dict[str, Any] | None:
                s = get(f"{base}/api/snapshot")
                hit = s and [a for a in s["agencies"] if any(c["id"] == POP for c in a["causes"])]
                return s if hit else None

            wait_until(pop_is_cause, 90, "netmon never named the PoP as a cause")

            def drawn() -> dict[str, Any] | None:
                # the node and the snapshot the page drew it from, read at once
                now = json.loads(
                    browser.execute_script(
                        "return JSON.stringify({nodes: netmonMap.nodes(),"
                        " agencies: netmonMap.state.snap.agencies})"
                    )
                )
                pop = next((n for n in now["nodes"] if n.get("ref") == POP), None)
                return now if pop and "cause" in pop["classes"] else None

            now = wait_until(drawn, 40, "the map did not show the PoP as the cause")
            pop = next(n for n in now["nodes"] if n.get("ref") == POP)
            assert pop["state"] in ("isolated", "down")
            victims = [a for a in now["agencies"] if any(c["id"] == POP for c in a["causes"])]
            assert pop["cause"] == len(victims) > 0
            screenshot = SHOTS / "map-lab-cut-pop.png"
            SHOTS.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(screenshot))
    finally:
        for link in cut:
            lab.cli("restore", link)
        serve.terminate()
        try:
            serve.wait(timeout=15)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait(timeout=5)
