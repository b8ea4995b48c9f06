"""Item 6 through /metrics: a device that stops answering reads netmon_probe_success 0 (reason
timeout) in the very next cycle, although the poller carries its last good answer for topology
for down_after - 1 cycles (poller/carry.py) so the agency does not flap."""

from __future__ import annotations

import asyncio
from pathlib import Path

from export.test_serve import CONFIG, FakeProbes, lab_small_copy, wait_for

from netmon.cli.serve_cmd import Service
from netmon.config import load_config
from netmon.export.metrics import exposition
from netmon.inventory import load_inventory
from reliability.rig import figure, parse

DEVICE, AGENCY = "cpe-ubnd-phu-ho", "ubnd-phu-ho"  # single-homed: its CPE is all it has


def test_item06_silence_is_probe_success_0_at_once_while_topology_waits(tmp_path: Path) -> None:
    inv_dir = lab_small_copy(tmp_path)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)  # down_after 2, interval 1 s
    fakes = FakeProbes()
    service = Service(
        inv_dir, cfg, load_inventory(inv_dir), load_config(cfg), make_poller=fakes.poller
    )
    seen: list[tuple[float, float, float]] = []

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(service.run(stop))
        h = service.holder
        await wait_for(lambda: h.get().facts.cycles >= 2)
        fakes.dead = {DEVICE}
        start = h.get().facts.cycles
        for n in (1, 2):
            await wait_for(lambda n=n: h.get().facts.cycles >= start + n)
            m = parse(exposition(h.get()).decode())
            seen.append(
                (
                    m[f'netmon_probe_success{{device="{DEVICE}",probe="icmp"}}'],
                    m[f'netmon_agency_up{{agency="{AGENCY}",level="commune",group="phu-vang"}}'],
                    m[f'netmon_agency_down{{agency="{AGENCY}"}}'],
                )
            )
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(asyncio.wait_for(go(), 60))
    figure(
        6,
        f"{DEVICE} silent from cycle 3 (down_after 2): (probe_success, agency_up, agency_down) "
        f"in the next two cycles {seen}",
    )
    assert seen[0] == (0.0, 1.0, 0.0)  # the probe failed; topology carries it one cycle
    assert seen[1] == (0.0, 0.0, 1.0)  # debounced down: now the agency is cut off
