"""`netmon serve`'s service loop with fake probes (no packet leaves the process): cycles are
published whole, reload keeps the old state on bad input, SIGTERM stops a real process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from export import synth
from netmon.cli.serve_cmd import Service
from netmon.config import Settings, load_config
from netmon.export.http import build_app, start_server
from netmon.inventory import load_inventory
from netmon.model import ProbeResult
from netmon.poller import Poller
from netmon.probes import ProbeEnv, ProbeTarget

CONFIG = """poll: {interval_s: 1, jitter_s: 0, deadline_s: 0.5, down_after: 2}
listen: 127.0.0.1:10467
"""


def lab_small_copy(tmp_path: Path, lab: bool = False) -> Path:
    """lab-small with lab: false, so the service may 'probe' it here (the probes are fakes)."""
    folder = tmp_path / "inventory"
    folder.mkdir(exist_ok=True)
    text = (synth.LAB_SMALL / "inventory.yaml").read_text(encoding="utf-8")
    (folder / "inventory.yaml").write_text(text.replace("lab: true", f"lab: {str(lab).lower()}"))
    return folder


class FakeProbes:
    def __init__(self) -> None:
        self.dead: set[str] = set()
        self.seen: set[str] = set()

    async def icmp(self, target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
        self.seen.add(str(target.device.mgmt))
        ok = target.device.id not in self.dead
        return ProbeResult(target.device.id, "icmp", ok, 0.001, reason=None if ok else "timeout")

    def poller(self, inv, settings: Settings, selection) -> Poller:  # type: ignore[no-untyped-def]
        return Poller(inv, settings, selection, probes={"icmp": self.icmp}, env=ProbeEnv())


async def wait_for(cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def test_cycles_publish_and_reload_keeps_old_state_on_bad_input(tmp_path: Path) -> None:
    inv_dir = lab_small_copy(tmp_path)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)
    fakes = FakeProbes()
    fakes.dead = {"pop-phu-vang", "cpe-ubnd-phu-vang", "cpe-ubnd-phu-ho"}
    service = Service(
        inv_dir, cfg, load_inventory(inv_dir), load_config(cfg), make_poller=fakes.poller
    )

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(service.run(stop))
        h = service.holder
        await wait_for(lambda: h.get().facts.cycles >= 2)
        st = h.get()
        assert st.snapshot is not None and st.ready
        assert st.snapshot.agency_by_id["ubnd-phu-ho"].reachable is False
        down = {a.id: a.down for a in st.cycle.agencies} if st.cycle else {}
        assert down["ubnd-phu-ho"] is True  # debounced: 2 cycles in a row
        # a broken inventory: refused, old state kept, metrics say so
        (inv_dir / "inventory.yaml").write_text("agencies: [oops\n")
        outcome = await service.reload()
        assert not outcome.ok and "inventory.yaml" in outcome.message
        f = h.get().facts
        assert (f.reload_failures, f.inventory.ok, f.config.ok) == (1, False, True)
        cycles = f.cycles
        await wait_for(lambda: h.get().facts.cycles > cycles)  # still polling the old one
        # a lab inventory outside the lab: refused by the safety check
        lab_small_copy(tmp_path, lab=True)
        outcome = await service.reload()
        assert not outcome.ok and "lab inventory" in outcome.message
        # a good one: accepted, the poller restarts with it
        lab_small_copy(tmp_path)
        fakes.dead = set()
        outcome = await service.reload()
        assert outcome.ok
        await wait_for(
            lambda: (s := h.get().snapshot) is not None and s.coverage.total.cut_off == 0
        )
        f = h.get().facts
        assert (f.reloads, f.reload_failures, f.inventory.ok) == (3, 2, True)
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(asyncio.wait_for(go(), 60))
    assert all(a.startswith("10.46.") for a in fakes.seen)  # inventory addresses only


class SlowLogins(FakeProbes):
    """And an ssh probe that never gets through (cut by the deadline every cycle), so every
    cycle's quick probes end while its logins still run."""

    async def ssh(self, target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    def poller(self, inv, settings: Settings, selection) -> Poller:  # type: ignore[no-untyped-def]
        probes = {"icmp": self.icmp, "ssh": self.ssh}
        return Poller(inv, settings, selection, probes=probes, env=ProbeEnv())


def test_a_cycle_early_view_swaps_the_snapshot_before_the_cycle_ends(tmp_path: Path) -> None:
    # poller/settle.py: the verdict goes out when the quick probes end; the cycle's own
    # metrics (probe results, cycle counters) only when the cycle does.
    inv_dir = lab_small_copy(tmp_path)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)
    fakes = SlowLogins()
    service = Service(
        inv_dir, cfg, load_inventory(inv_dir), load_config(cfg), make_poller=fakes.poller
    )
    states = []
    publish = service.holder.set

    def spy(state):  # type: ignore[no-untyped-def]
        states.append(state)
        publish(state)

    service.holder.set = spy  # type: ignore[method-assign]

    def unreachable(state) -> bool:  # type: ignore[no-untyped-def]
        snap = state.snapshot
        return snap is not None and snap.agency_by_id["ubnd-phu-ho"].reachable is False

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(service.run(stop))
        await wait_for(lambda: service.holder.get().facts.cycles >= 2)
        fakes.dead = {"pop-phu-vang", "cpe-ubnd-phu-vang", "cpe-ubnd-phu-ho"}
        await wait_for(lambda: unreachable(service.holder.get()))
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(asyncio.wait_for(go(), 60))
    first = next(i for i, st in enumerate(states) if unreachable(st))
    before, early = states[first - 1], states[first]
    assert early.facts.cycles == before.facts.cycles  # not counted as a cycle yet
    assert early.cycle is before.cycle  # probe metrics: still the last complete cycle's
    assert early.snapshot is not before.snapshot


def test_http_reload_endpoint_drives_the_service(tmp_path: Path) -> None:
    inv_dir = lab_small_copy(tmp_path)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)
    fakes = FakeProbes()
    service = Service(
        inv_dir, cfg, load_inventory(inv_dir), load_config(cfg), make_poller=fakes.poller
    )

    async def go() -> None:
        from export.test_http import free_port

        port = free_port()
        app = build_app(service.holder, service.reload, lifecycle=True)
        runner = await start_server(app, f"127.0.0.1:{port}")
        try:
            cfg.write_text("poll: {interval_s: 0}\n")  # invalid: below the minimum
            async with aiohttp.ClientSession() as http:
                r = await http.post(f"http://127.0.0.1:{port}/-/reload")
                assert r.status == 500 and "config.yaml" in await r.text()
                text = await (await http.get(f"http://127.0.0.1:{port}/metrics")).text()
            assert "netmon_config_load_success 0.0" in text
            assert "netmon_reload_failures_total 1.0" in text
        finally:
            await runner.cleanup()

    asyncio.run(asyncio.wait_for(go(), 30))


def test_serve_refuses_a_lab_inventory_outside_the_lab(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)
    netmon = Path(sys.executable).parent / "netmon"
    done = subprocess.run(
        [
            str(netmon),
            "serve",
            "-i",
            str(synth.LAB_SMALL),
            "-c",
            str(cfg),
            "--listen",
            "127.0.0.1:1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "lab inventory" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="ICMP to 127.0.0.0/8 needs root (raw socket)")
def test_sigterm_stops_a_real_serve_process_cleanly(tmp_path: Path) -> None:
    """A non-lab inventory on 127.0.0.0/8 (the host's own loopback), icmp only."""
    inv_dir = tmp_path / "inv"
    inv_dir.mkdir()
    text = (synth.LAB_SMALL / "inventory.yaml").read_text(encoding="utf-8")
    text = text.replace("lab: true", "lab: false").replace("10.46.", "127.46.")
    text = text.replace("management_network: 10.46.0.0/16", "management_network: 127.46.0.0/16")
    text = text.replace("probes: [icmp, snmp, ssh]", "probes: [icmp]")
    (inv_dir / "inventory.yaml").write_text(text)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)
    from export.test_http import free_port

    port = free_port()
    netmon = Path(sys.executable).parent / "netmon"
    proc = subprocess.Popen(
        [
            str(netmon),
            "serve",
            "-i",
            str(inv_dir),
            "-c",
            str(cfg),
            "--listen",
            f"127.0.0.1:{port}",
            "--log-level",
            "debug",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        async def ready() -> str:
            async with aiohttp.ClientSession() as http:
                for _ in range(100):
                    try:
                        if (await http.get(f"http://127.0.0.1:{port}/-/ready")).status == 200:
                            return await (await http.get(f"http://127.0.0.1:{port}/metrics")).text()
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
            raise AssertionError("not ready within 10 s")

        text = asyncio.run(ready())
        assert 'netmon_probe_success{device="core-1",probe="icmp"} 1.0' in text
        proc.send_signal(signal.SIGHUP)  # reload: same files, accepted
        time.sleep(0.5)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert time.monotonic() - t0 < 5
        assert "reloaded" in err and "stopped" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_three_sharded_services_export_shares_that_add_up_to_one(tmp_path: Path) -> None:
    """Three `serve --shard I/3` and one unsharded, fake probes, one PoP dead: each shard polls
    its devices and the infrastructure on their paths, exports only what it owns, and the
    figures of the three add up to the unsharded one's."""
    from netmon.export.metrics import exposition
    from netmon.poller import Shard

    inv_dir = lab_small_copy(tmp_path)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)
    inv = load_inventory(inv_dir)
    pop = next(d.id for d in inv.devices if d.role == "pop")
    fakes = [FakeProbes() for _ in range(4)]
    shards: list[Shard | None] = [Shard(i, 3) for i in range(3)] + [None]
    services = []
    for fake, shard in zip(fakes, shards, strict=True):
        fake.dead = {pop}
        services.append(
            Service(inv_dir, cfg, inv, load_config(cfg), shard, make_poller=fake.poller)
        )

    async def go() -> None:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(s.run(stop)) for s in services]
        for s in services:
            await wait_for(lambda s=s: s.holder.get().facts.cycles >= 2)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)

    asyncio.run(asyncio.wait_for(go(), 60))
    states = [s.holder.get() for s in services]
    *parts, whole = [st.snapshot for st in states]
    assert whole is not None and all(p is not None for p in parts)
    mine = [{a.id for a in p.agencies} for p in parts if p is not None]
    assert sorted(a for m in mine for a in m) == sorted(a.id for a in inv.agencies)
    for field in ("total", "reachable"):
        assert sum(getattr(p.coverage.total, field) for p in parts if p is not None) == getattr(
            whole.coverage.total, field
        )
    assert whole.coverage.total.cut_off > 0  # the dead PoP cut someone off
    # every shard polled the PoP (on its agencies' paths); only its owner exports it
    assert all(str(inv.device_by_id[pop].mgmt) in f.seen for f in fakes)
    owners = [p for p in parts if p is not None and pop in {d.id for d in p.devices}]
    assert len(owners) == 1
    for st, shard in zip(states[:3], shards[:3], strict=True):
        body = exposition(st).decode()
        assert f'netmon_shard_info{{inventory="{inv.name}",shard="{shard}",by="hash"}} 1.0' in body
        for i in range(3):  # every shard's agency count, from every instance
            assert f'netmon_shard_agencies{{inventory="{inv.name}",shard="{i}/3"}}' in body
        probed = {r.device for r in st.cycle.results} if st.cycle else set()
        assert probed <= {d.id for d in st.snapshot.devices} if st.snapshot else False
    whole_body = exposition(states[3]).decode()
    assert f'netmon_shard_info{{inventory="{inv.name}",shard="0/1",by="hash"}} 1.0' in whole_body
