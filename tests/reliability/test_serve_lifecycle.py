"""A real `netmon serve` process over the loopback copy of lab-small: item 11 (secrets stay
out of logs, /metrics, JSON, repr and errors), item 14 (reload with a broken inventory) and
item 16 (SIGTERM in the middle of a cycle, then back within one cycle).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from probes.snmpd import snmpd_missing

from netmon.config import ConfigError, load_config
from netmon.lab.demo_stack import port_free
from reliability.rig import LIFECYCLE_PREFIX, SECRETS, figure, get, loopback_fleet, serve

pytestmark = [
    pytest.mark.skipif(snmpd_missing() is not None, reason=str(snmpd_missing())),
    pytest.mark.skipif(os.geteuid() != 0, reason="binds UDP port 161 on loopback, pings: root"),
]
LITERAL = "Literal-Secret-In-Yaml-42"


def test_item11_and_item14_secrets_stay_out_and_a_broken_reload_keeps_serving(
    tmp_path: Path,
) -> None:
    with (
        loopback_fleet(tmp_path, prefix=LIFECYCLE_PREFIX) as fleet,
        serve(fleet, "--log-level", "debug", "--enable-lifecycle") as s,
    ):
        s.wait_ready()
        before = s.wait_cycles(2)
        assert before["netmon_inventory_load_success"] == 1.0
        good_inv = (fleet.inventory / "inventory.yaml").read_text(encoding="utf-8")
        good_conf = fleet.config.read_text(encoding="utf-8")
        # item 14: a broken inventory, by SIGHUP; then a config with a literal secret, by POST
        (fleet.inventory / "inventory.yaml").write_text(good_inv + "agencies: [oops\n")
        s.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        after = s.wait_cycles(before["netmon_cycles_total"] + 2)
        ready = get(s.url + "/-/ready")[0]
        (fleet.inventory / "inventory.yaml").write_text(good_inv)
        fleet.config.write_text(
            good_conf.replace(f"{{file: {fleet.folder / 'secrets' / 'community'}}}", f"{LITERAL!r}")
        )
        reload_status, reload_text = _post(s.url + "/-/reload")
        fleet.config.write_text(good_conf)
        outputs = {
            "/metrics": get(s.url + "/metrics")[1],
            "/api/snapshot": get(s.url + "/api/snapshot")[1],
            "/topology/nodes.json": get(s.url + "/topology/nodes.json")[1],
            "/topology/edges.json": get(s.url + "/topology/edges.json")[1],
            "POST /-/reload (literal secret)": reload_text,
        }
        final_status, _ = _post(s.url + "/-/reload")
        assert s.stop() == 0
        outputs["debug log"] = s.stderr()
    # item 14
    old = 'netmon_probe_success{device="core-1",probe="icmp"}'
    figure(
        14,
        f"broken inventory by SIGHUP: inventory_load_success "
        f"{after['netmon_inventory_load_success']:.0f}, reload_failures_total "
        f"{after['netmon_reload_failures_total']:.0f}, cycles went on "
        f"{before['netmon_cycles_total']:.0f} -> {after['netmon_cycles_total']:.0f}, "
        f"/-/ready {ready}, old inventory still probed ({old} = {after[old]:.0f}); "
        f"literal-secret config by POST: HTTP {reload_status}; "
        f"good files again: HTTP {final_status}",
    )
    assert after["netmon_inventory_load_success"] == 0.0
    assert after["netmon_config_load_success"] == 1.0
    assert after["netmon_reload_failures_total"] == 1.0
    assert after["netmon_cycles_total"] >= before["netmon_cycles_total"] + 2
    assert ready == 200 and after[old] == 1.0
    assert reload_status == 500 and "literal secret refused" in reload_text
    assert final_status == 200
    # item 11
    secrets = {**SECRETS, "literal": LITERAL}
    leaks = {
        where: sorted(name for name, value in secrets.items() if value in text)
        for where, text in outputs.items()
    }
    log = outputs["debug log"]
    figure(
        11,
        f"secrets searched in {', '.join(f'{w} ({len(t)} B)' for w, t in outputs.items())}: "
        f"leaks {({w: n for w, n in leaks.items() if n}) or 'none'}; debug log lines "
        f"{log.count(chr(10))}, DEBUG lines {log.count(' DEBUG ')}",
    )
    assert all(not names for names in leaks.values()), leaks
    assert " DEBUG " in log and "Traceback" not in log


def test_item11_secrets_out_of_repr_and_errors_and_literal_refused(tmp_path: Path) -> None:
    from reliability.rig import config_text, write_secrets

    secrets = write_secrets(tmp_path / "secrets")
    conf = tmp_path / "config.yaml"
    conf.write_text(config_text(secrets), encoding="utf-8")
    settings = load_config(conf)
    resolved = [
        ref.resolve()
        for c in settings.credentials.values()
        for ref in vars(c).values()
        if hasattr(ref, "resolve")
    ]
    texts = [repr(settings), str(settings), *map(repr, resolved), *map(str, resolved)]
    assert {r.reveal() for r in resolved} >= {SECRETS["community"], SECRETS["auth"]}
    # a literal secret in YAML: refused, and the message does not repeat it
    conf.write_text(
        config_text(secrets).replace(f"{{file: {secrets / 'auth'}}}", LITERAL), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as err:
        load_config(conf)
    texts.append(str(err.value))
    assert "literal secret refused" in str(err.value)
    for text in texts:
        assert not any(v in text for v in [*SECRETS.values(), LITERAL]), text


def _post(url: str) -> tuple[int, str]:
    import asyncio

    import aiohttp

    async def go() -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.post(url) as r:
            return r.status, await r.text()

    return asyncio.run(go())


def test_item16_sigterm_mid_cycle_then_back_within_one_cycle(tmp_path: Path) -> None:
    # black holes cost 1 s x 2 tries: a cycle lasts about 2 s of every 4
    with loopback_fleet(
        tmp_path, prefix=LIFECYCLE_PREFIX, interval=4, deadline=3, snmp_timeout=1.0
    ) as fleet:
        with serve(fleet) as s:
            s.wait_ready()
            m = s.wait_cycles(1)
            n = m["netmon_cycles_total"]
            while (m := s.metrics())["netmon_cycles_total"] == n:
                time.sleep(0.05)
            duration = m["netmon_cycle_duration_seconds"]
            # the next cycle starts interval - duration after this one ended: 0.5 s into it
            next_start = m["netmon_cycle_last_timestamp_seconds"] + 4 - duration
            time.sleep(max(0.0, next_start + 0.5 - time.time()))
            into = time.time() - next_start
            t0 = time.monotonic()
            code = s.stop(signal.SIGTERM)
            exit_s = time.monotonic() - t0
            log = s.stderr()
            port = s.port
        released = port_free(port)
        with serve(fleet, port=port) as again:
            ready_s = again.wait_ready()
            first = again.metrics()
            assert again.stop() == 0
    figure(
        16,
        f"SIGTERM {into:.2f} s into a cycle (cycles last {duration:.2f} s): exit {code} in "
        f"{exit_s:.2f} s, traceback {'Traceback' in log}, port released {released}; restarted: "
        f"ready after {ready_s:.2f} s with {first['netmon_cycles_total']:.0f} cycle "
        f"(interval 4 s, deadline 3 s)",
    )
    assert 0 < into < duration  # the signal did land mid-cycle
    assert code == 0 and "Traceback" not in log and "stopped" in log
    assert released
    assert first["netmon_cycles_total"] == 1.0  # ready with the first cycle: back within one
