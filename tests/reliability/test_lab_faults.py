"""Faults injected into the live lab (real snmpd, lldpd, sshd in namespaces), observed by a
poller running in the lab's noc (drive.py): items 4 (loss), 5 (delay, jitter, reordering),
6 (frozen agent, link down, reject) and 12 (SNMPv3 authPriv; lower levels only when allowed).
"""

from __future__ import annotations

import itertools
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from lab.labtools import LAB_SMALL, LiveLab

from netmon.config import ConfigError, load_config
from netmon.lab.inject import set_cut, set_delay, set_frozen, set_loss
from netmon.lab.paths import LabPaths
from reliability.rig import Driver, by_key, figure, lab_config, lab_inventory

pytestmark = pytest.mark.lab


def devices(lab: LiveLab) -> list[str]:
    return [n["name"] for n in lab.status["nodes"] if n["name"] != "noc"]


@pytest.fixture(scope="module")
def lossy(lab: LiveLab, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """20 cycles with 30 % loss on every node's management port, netmon's default retries."""
    tmp = tmp_path_factory.mktemp("loss")
    paths, nodes = LabPaths(lab.state_dir), devices(lab)
    conf = lab_config(lab, tmp)  # no probes section: netmon's default timeouts and retries
    settings = load_config(conf)
    inv = lab_inventory(tmp / "inv")  # icmp + snmp (ssh: the SSH suite's job)
    for n in nodes:
        set_loss(paths, n, 30)
    try:
        with Driver(lab, inv, conf) as d:
            cycles = [d.cycle() for _ in range(20)]
    finally:
        for n in nodes:
            set_loss(paths, n, 0)
    results = [r for c in cycles for r in c["results"]]
    per_probe: dict[str, Counter[bool]] = {}
    for r in results:
        per_probe.setdefault(r["probe"], Counter())[r["success"]] += 1
    ok = sum(r["success"] for r in results)
    downs = sorted({a for c in cycles for a in c["down"]})
    defaults = {k: (v.timeout_s, v.retries) for k, v in settings.probes.items()}
    figure(
        4,
        f"30 % loss on all {len(nodes)} nodes, 20 cycles, defaults {defaults}: "
        f"{ok}/{len(results)} probes ok ({100 * ok / len(results):.2f} %); per probe "
        + ", ".join(f"{p} {c[True]}/{c[True] + c[False]}" for p, c in sorted(per_probe.items()))
        + f"; agencies ever down: {downs or 'none'}; cycle max "
        f"{max(c['duration_s'] for c in cycles):.2f} s",
    )
    return cycles


def test_item04_thirty_percent_loss_no_false_down(lossy: list[dict[str, Any]]) -> None:
    assert [c["down"] for c in lossy] == [[]] * 20
    results = [r for c in lossy for r in c["results"]]
    assert {r["reason"] for r in results if not r["success"]} <= {"timeout"}


def test_item04_thirty_percent_loss_99_percent_succeed(lossy: list[dict[str, Any]]) -> None:
    results = [r for c in lossy for r in c["results"]]
    assert sum(r["success"] for r in results) / len(results) >= 0.99


def test_item05_delay_and_jitter_never_match_a_reply_to_the_wrong_request(
    lab: LiveLab, tmp_path: Path
) -> None:
    paths, nodes = LabPaths(lab.state_dir), devices(lab)
    # jitter as large as the delay reorders replies; 300 +- 300 ms against a 0.5 s timeout
    # also makes pysnmp retry while the first reply is still on its way.
    delays = {n: (300, 300) if i % 2 else (80, 80) for i, n in enumerate(nodes)}
    for n, (ms, jitter) in delays.items():
        set_delay(paths, n, ms, jitter)
    try:
        with Driver(lab, lab_inventory(tmp_path / "inv"), lab_config(lab, tmp_path)) as d:
            cycles = [d.cycle() for _ in range(8)]
    finally:
        for n in nodes:
            set_delay(paths, n, 0)
    snmp = [r for c in cycles for r in c["results"] if r["probe"] == "snmp"]
    ok = [r for r in snmp if r["success"]]
    wrong = [(r["device"], r["sys_name"]) for r in ok if r["sys_name"] != r["device"]]
    uptimes: dict[str, list[float]] = {}
    for r in ok:
        uptimes.setdefault(r["device"], []).append(r["uptime_s"])
    backwards = [d for d, u in uptimes.items() if any(b < a for a, b in itertools.pairwise(u))]
    figure(
        5,
        f"delay 80+-80 / 300+-300 ms on {len(nodes)} nodes, 8 cycles: {len(ok)}/{len(snmp)} "
        f"SNMP probes ok, replies matched to the wrong device {len(wrong)}, uptime going "
        f"backwards {len(backwards)}",
    )
    assert wrong == [] and backwards == []
    assert len(ok) >= 0.9 * len(snmp)  # delay is not loss: nearly all answer


REJECT_TABLE = "netmon_test_reject"


def reject(lab: LiveLab, node: str, on: bool) -> None:
    """ICMP port/host unreachable and TCP reset from the node's firewall."""
    netns = ["nsenter", f"--net={lab.state_dir / 'ns' / node}", "--"]
    subprocess.run([*netns, "nft", "delete", "table", "inet", REJECT_TABLE],
                   capture_output=True, check=False)  # fmt: skip
    if on:
        rules = (
            f"table inet {REJECT_TABLE} {{\n chain input {{\n"
            "  type filter hook input priority filter - 10; policy accept;\n"
            '  iifname "mgmt0" udp dport 161 reject with icmp type port-unreachable\n'
            '  iifname "mgmt0" tcp dport 22 reject with tcp reset\n'
            '  iifname "mgmt0" icmp type echo-request reject with icmp type host-unreachable\n'
            " }\n}\n"
        )
        subprocess.run([*netns, "nft", "-f", "-"], input=rules, text=True, check=True)


# Devices and a link the lab's seeded deviations (seed 46) leave alone.
FROZEN, REJECTING = "cpe-ubnd-phu-bai", "cpe-ubnd-huong-thuy"
CUT = (
    "pop-huong-thuy--cpe-ubnd-thuy-phu",
    ("pop-huong-thuy", "acc4"),
    ("cpe-ubnd-thuy-phu", "wan0"),
)


def _oper(res: dict[tuple[str, str], Any]) -> dict[tuple[str, str], bool | None]:
    return {e: res[(e[0], "snmp")]["oper"].get(e[1]) for e in (CUT[1], CUT[2])}


def test_item06_frozen_link_down_and_reject_each_reported_as_what_it_is(
    lab: LiveLab, tmp_path: Path
) -> None:
    paths = LabPaths(lab.state_dir)
    inv = lab_inventory(tmp_path / "inv", "[icmp, snmp, tcp]")
    conf = lab_config(lab, tmp_path)
    budgets = {k: v.timeout_s * (v.retries + 1) for k, v in load_config(conf).probes.items()}
    link, end_a, end_b = CUT
    with Driver(lab, inv, conf) as d:
        d.cycle()  # first cycle: full reads, v3 engine discovery
        clean = by_key(d.cycle())
        assert all(r["success"] for r in clean.values()), [
            r for r in clean.values() if not r["success"]
        ]
        set_frozen(paths, FROZEN, True)
        reject(lab, REJECTING, True)
        set_cut(paths, link, True)
        cut_at = time.monotonic()
        try:
            time.sleep(1.5)  # the kernel reports the carrier loss in 0.5-0.9 s (FIELD-NOTES)
            faulty = by_key(d.cycle())
            # snmpd caches ifTable for a few seconds, at either end: the cut may show a cycle
            # later
            cut_cycles, cut_seen = 1, faulty
            while (
                _oper(cut_seen)[end_b] is not False or _oper(cut_seen)[end_a] is True
            ) and cut_cycles < 5:
                time.sleep(1)
                cut_seen, cut_cycles = by_key(d.cycle()), cut_cycles + 1
            cut_s = time.monotonic() - cut_at
        finally:
            set_frozen(paths, FROZEN, False)
            reject(lab, REJECTING, False)
            set_cut(paths, link, False)
        recovered = by_key(d.cycle())
        up_cycles, up_seen = 1, recovered
        while _oper(up_seen)[end_b] is not True and up_cycles < 5:
            time.sleep(1)
            up_seen, up_cycles = by_key(d.cycle()), up_cycles + 1
    seen: dict[str, Any] = {
        f"{dev}/{p}": (r["success"], r["reason"], round(r["duration_s"], 2))
        for (dev, p), r in faulty.items()
        if dev in (FROZEN, REJECTING)
    }
    oper = _oper(cut_seen)
    figure(
        6,
        f"budgets timeout x (retries+1) {budgets}; frozen and rejecting: {seen}; cut link "
        f"{link} oper_up {oper} after {cut_cycles} cycle(s), {cut_s:.1f} s, up again after "
        f"{up_cycles} cycle(s); next cycle all ok: "
        f"{all(r['success'] for r in recovered.values())}",
    )
    # frozen: the kernel still answers ping and completes TCP handshakes; SNMP is silent
    assert seen[f"{FROZEN}/snmp"][:2] == (False, "timeout")
    assert seen[f"{FROZEN}/icmp"][0] is True
    # rejected: a TCP reset is "refused", an ICMP host-unreachable answer is "unreachable",
    # an ICMP port-unreachable to SNMP is "refused" too, on the first try (no retry budget)
    assert seen[f"{REJECTING}/tcp"][:2] == (False, "refused")
    assert seen[f"{REJECTING}/icmp"][:2] == (False, "unreachable")
    assert seen[f"{REJECTING}/snmp"][:2] == (False, "refused")
    assert seen[f"{REJECTING}/snmp"][2] < budgets["snmp"] / 2
    # link down: the probes still succeed (management is out of band) and say oper down. The
    # PoP end is an access port, read only in full reads (targets.uplinks): None = not read.
    assert oper[end_b] is False and oper[end_a] in (False, None)
    for (dev, p), r in faulty.items():
        if not r["success"]:
            assert r["duration_s"] <= budgets[p] + 0.5, (dev, p, r)
    # recovered on the next cycle
    assert all(r["success"] for r in recovered.values()), [
        r for r in recovered.values() if not r["success"]
    ]
    assert _oper(up_seen)[end_b] is True


def test_item12_snmpv3_authpriv_and_lower_levels_only_when_allowed(
    lab: LiveLab, tmp_path: Path
) -> None:
    with Driver(lab, lab_inventory(tmp_path / "inv"), lab_config(lab, tmp_path)) as d:
        d.cycle()
        res = by_key(d.cycle())
    text = (LAB_SMALL / "inventory.yaml").read_text(encoding="utf-8")
    v2c = {"cpe-ubnd-phu-vang", "cpe-ubnd-huong-thuy"}  # device group snmp-v2c
    assert all(f"{{id: {d}," in text for d in v2c)
    v3 = [dev for (dev, p) in res if p == "snmp" and dev not in v2c]
    assert len(v3) == 8 and all(res[(dev, "snmp")]["success"] for dev in v3)
    # the lab's snmpd serves the v3 user at authPriv only: noAuthNoPriv and authNoPriv refused
    mgmt = next(n["mgmt"] for n in lab.status["nodes"] if n["name"] == v3[0])
    levels = {}
    for level, extra in (
        ("noAuthNoPriv", []),
        ("authNoPriv", ["-a", "SHA", "-A", lab.secret("snmp-auth-key")]),
    ):
        done = lab.noc(
            "snmpget", "-v3", "-l", level, "-u", "netmon", *extra, "-t", "0.5", "-r", "0",
            mgmt, "1.3.6.1.2.1.1.5.0", check=False,
        )  # fmt: skip
        levels[level] = done.returncode
        assert done.returncode != 0
    # netmon asks below authPriv only where config.yaml allows it for the set
    weak = yaml.safe_load(lab_config(lab, tmp_path / "weak").read_text(encoding="utf-8"))
    weak["credentials"]["lab-snmp-v3"] = {
        "snmp_v3": {"user": "netmon", "security_level": "noAuthNoPriv"}
    }
    refused = tmp_path / "weak" / "refused.yaml"
    refused.write_text(yaml.safe_dump(weak), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(refused)
    weak["credentials"]["lab-snmp-v3"]["snmp_v3"]["allow_insecure"] = True
    allowed = tmp_path / "weak" / "allowed.yaml"
    allowed.write_text(yaml.safe_dump(weak), encoding="utf-8")
    with Driver(lab, lab_inventory(tmp_path / "inv2"), allowed) as d:
        asked = by_key(d.cycle())
    # ... and the lab's agents, which serve the user at authPriv only, refuse it
    denied = {
        (asked[(dev, "snmp")]["reason"], asked[(dev, "snmp")]["detail"].split(" (")[0])
        for dev in v3
    }
    assert denied == {("authentication", "authorizationError")}
    assert all(asked[(dev, "snmp")]["success"] for dev in v2c)
    figure(
        12,
        f"v3 authPriv (SHA/AES) devices ok: {len(v3)}/{len(v3)}; snmpget exit codes at lower "
        f"levels {levels}; noAuthNoPriv without allow_insecure: "
        f"{str(err.value).splitlines()[0][:150]}; with it, the lab's agents answer {denied}",
    )
