"""The exporter's two figures (issue 7), on the 467-agency Huế inventory:

    .venv/bin/python bench/exporter.py [--repeat N] [--cycles N] [--scrapers N]

1. /metrics render time: a new state (one PoP down, counters, causes) rendered and encoded
   (what the first scrape after each cycle pays; target < 50 ms), and a scrape served over HTTP
   from the per-state cache (what every other scrape pays).
2. Cycle delay under scraping: the serve loop (poller with fake probes that sleep like a network,
   Topology.snapshot, swap) runs with the HTTP server in one event loop, as in `netmon serve`;
   cycle time is measured with no scraper, then with N scrapers in another process fetching
   /metrics (gzip) back to back. Target: under 10 % slower.

Probe answers are synthetic (tests/export/synth.py), so this measures the exporter, not a
network. Figures on a shared machine are noisy: medians, and run it twice.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

import aiohttp
from export import synth

from netmon.config import Settings
from netmon.export.http import ReloadOutcome, build_app, start_server
from netmon.export.metrics import exposition
from netmon.export.state import CycleSummary, ExportState, StateHolder
from netmon.model import ProbeResult
from netmon.poller import Poller
from netmon.probes import ProbeEnv, ProbeTarget
from netmon.topology import Topology

DEAD = {"pop-a-luoi"}


def render_figures(repeat: int) -> None:
    inv = synth.inventory(synth.FULL)
    states = [
        synth.state(inv, synth.results(inv, dead=DEAD, octets=10**6 * (i + 1)), failures=3)
        for i in range(repeat)
    ]
    times, cpu, sizes = [], [], []
    for st in states:
        t0, c0 = time.perf_counter(), time.process_time()
        body = exposition(st)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        sizes.append(len(body))
    lines = body.count(b"\n") - 2 * body.count(b"# TYPE")
    print(
        f"render+encode, new state, 467 agencies: median {1000 * statistics.median(times):.1f} ms,"
        f" min {1000 * min(times):.1f} ms, CPU median {1000 * statistics.median(cpu):.1f} ms"
        f" ({lines} samples, {sizes[-1] / 1e6:.2f} MB)"
        f"  target < 50 ms"
    )
    asyncio.run(_served(states[-1], repeat))


async def _no_reload() -> ReloadOutcome:
    return ReloadOutcome(False, "bench")


async def _served(state: ExportState, repeat: int) -> None:
    holder = StateHolder(state)
    runner = await start_server(build_app(holder, _no_reload), "127.0.0.1:0")
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}/metrics"
        await (await http.get(url)).read()  # fill the cache
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            await (await http.get(url, headers={"Accept-Encoding": "gzip"})).read()
            times.append(time.perf_counter() - t0)
    await runner.cleanup()
    print(
        f"/metrics over HTTP from the cache (gzip): median {1000 * statistics.median(times):.2f} ms"
    )


def _scrape(port: int, scrapers: int, seconds: float, counts: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    async def one(http: aiohttp.ClientSession, end: float) -> int:
        n = 0
        while time.monotonic() < end:
            r = await http.get(
                f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "gzip"}
            )
            await r.read()
            n += r.status == 200
        return n

    async def main() -> int:
        end = time.monotonic() + seconds
        # Like Prometheus, the scrapers take gzip; they do not decompress here, so that the
        # 2-core machine's second core is not spent on the scrapers' own work.
        async with aiohttp.ClientSession(auto_decompress=False) as http:
            return sum(await asyncio.gather(*(one(http, end) for _ in range(scrapers))))

    asyncio.run(main())


async def _cycles(cycles: int, scrapers: int, every_s: float) -> list[float]:
    inv = synth.inventory(synth.FULL)
    answers = {(r.device, r.probe): r for r in synth.results(inv, dead=DEAD)}
    rnd = random.Random(7)  # noqa: S311 - not crypto

    async def fake(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
        await asyncio.sleep(rnd.uniform(0.005, 0.05))  # a LAN round trip or three
        return answers[(target.device.id, "icmp")]

    settings = Settings(interval_s=1, jitter_s=0, deadline_s=5, concurrency=200)
    poller = Poller(inv, settings, probes={"icmp": fake}, env=ProbeEnv())
    holder = StateHolder(synth.state(inv, list(answers.values())))
    topology = Topology(inv)  # held across cycles, as `netmon serve` holds it
    runner = await start_server(build_app(holder, _no_reload), "127.0.0.1:0")
    port = runner.addresses[0][1]
    proc = None
    if scrapers:
        proc = multiprocessing.Process(target=_scrape, args=(port, scrapers, every_s, 3600))
        proc.start()
        await asyncio.sleep(1.0)
    times = []
    try:
        for _ in range(cycles):
            t0 = time.perf_counter()
            result = await poller.cycle()
            snap = await asyncio.to_thread(topology.snapshot, result.results)
            summary = CycleSummary(
                result.number, result.started_at, result.duration_s, result.results, (), 0
            )
            holder.set(holder.get().with_cycle(snap, summary))
            times.append(time.perf_counter() - t0)
            await asyncio.sleep(0.3)  # scrapes of the new state happen between cycles too
    finally:
        if proc is not None:
            proc.terminate()
            proc.join(10)
        await runner.cleanup()
    return times


def cycle_figures(cycles: int, scrapers: int, intervals: list[float]) -> None:
    base = statistics.median(asyncio.run(_cycles(cycles, 0, 0)))
    print(f"cycle (poll + snapshot + swap), 467 agencies, no scraper: median {base:.3f} s")
    for every_s in intervals:
        lo = statistics.median(asyncio.run(_cycles(cycles, scrapers, every_s)))
        how = f"each every {every_s:g} s" if every_s else "back to back"
        print(
            f"  with {scrapers} concurrent scrapers ({how}): median {lo:.3f} s,"
            f" {100 * (lo / base - 1):+.1f} %  target < +10 %"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--cycles", type=int, default=9)
    parser.add_argument("--scrapers", type=int, default=20)
    parser.add_argument(
        "--scrape-interval",
        type=float,
        action="append",
        help="seconds between one scraper's scrapes; 0: back to back (default: 1 and 0)",
    )
    args = parser.parse_args()
    render_figures(args.repeat)
    cycle_figures(args.cycles, args.scrapers, args.scrape_interval or [1.0, 0.0])


if __name__ == "__main__":
    main()
