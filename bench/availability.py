"""A 30-day availability report for the 467 agencies of the Huế inventory against a real
Prometheus holding a backfilled month (issue 20; target: at most 5 s).

    .venv/bin/python bench/availability.py [--repeat N] [--keep]

What the Prometheus holds is what a month of `netmon serve` with the shipped rules leaves:
the hourly recorded series (every agency, every agency and service, names), the minute
series (scrape coverage, downtime and causes in the minutes they exist), raw samples where
the report reads them (the month's first and last hours, levels' and groups' names all
month, by 30-s scrape), and a month of outages: a PoP isolated for 2 h 30 (105 agencies),
an hour of netmon downtime, and 60 single-agency cuts. The recorded series are written
directly, as the rules would (tests/export/availability checks the rules themselves on real
samples); a full month of raw samples for 467 agencies would take promtool tens of minutes to
backfill, and the report never reads them.

The TSDB is built once into var/bench-availability/ (about a minute) and reused. Printed:
the report's wall time in-process (median and worst of N), the command end to end (Python
start, inventory for the order of levels, the queries, the table), queries and load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from export.availability import promtsdb

from netmon.export.availability import promql as q
from netmon.export.availability.client import PrometheusClient
from netmon.export.availability.compute import Selection, availability
from netmon.export.availability.period import make_period
from netmon.inventory import load_inventory

REPO = Path(__file__).parents[1]
DATA = REPO / "var" / "bench-availability"
VERSION = "1"  # bump when the data below changes
MONTH = "2025-11"
START, END = 1761930000, 1764522000  # 2025-11-01 and 2025-12-01 00:00 in Asia/Ho_Chi_Minh
OFFSET = 1234.567  # the hourly group's evaluation offset Prometheus would pick
JOB = 'job="netmon",instance="127.0.0.1:10467"'
TARGET_S = 5.0


def _labels(**kv: str) -> str:
    return ",".join(f'{k}="{v}"' for k, v in kv.items())


def write_month(path: Path) -> int:
    inv = load_inventory(REPO / "inventory")
    rng = random.Random(20)  # noqa: S311 - synthetic outages, not secrets
    agencies = inv.agencies
    # outages: minute -> down seconds, per agency; causes alike
    down: dict[str, dict[int, float]] = defaultdict(dict)
    causes: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    behind_pop = [a for a in agencies if a.group == "hue"][:105]
    pop_start = START + 5 * 86400 + 9 * 3600
    for a in behind_pop:
        for m in range(pop_start, pop_start + 150 * 60, 60):
            down[a.id][m] = 60.0
            causes[a.id, 'cause_kind="device",cause_id="pop-hue",cause_state="isolated"'][m] = 60.0
    for _ in range(60):
        a = rng.choice(agencies)
        s = START + rng.randrange(0, 30 * 1440 - 300) * 60
        for m in range(s, s + rng.randrange(2, 240) * 60, 60):
            down[a.id][m] = 60.0
            kind = f'cause_kind="link",cause_id="access-{a.id}",cause_state="down"'
            causes[a.id, kind][m] = 60.0
    netmon_down = set(range(START + 12 * 86400 + 3 * 3600, START + 12 * 86400 + 4 * 3600, 60))
    lines: list[str] = []
    data_start, data_end = START - 3 * 3600, END + 3 * 3600
    hours = [OFFSET + data_start + k * 3600 for k in range((data_end - data_start) // 3600)]

    def hour_minutes(h: float) -> range:
        a, b = q.hour_of(h)
        return range(a, b, 60)

    # hourly recorded series
    lines += [f"{q.HOUR_EVALUATED} 1 {h:.3f}" for h in hours]
    for a in agencies:
        key = _labels(agency=a.id, level=a.level, group=a.group)
        known, dn = [], []
        for h in hours:
            mins = hour_minutes(h)
            k = 60.0 * sum(1 for m in mins if m not in netmon_down)
            d = sum(down[a.id].get(m, 0.0) for m in mins if m not in netmon_down)
            known.append(f"{q.AGENCY_KNOWN_1H}{{{JOB},{key}}} {k:g} {h:.3f}")
            if d:
                dn.append(f"{q.AGENCY_DOWN_1H}{{{JOB},{key}}} {d:g} {h:.3f}")
            for svc in a.services:
                lines.append(
                    f'{q.SERVICE_KNOWN_1H}{{{JOB},agency="{a.id}",service="{svc}"}} {k:g} {h:.3f}'
                )
                if d:
                    lines.append(
                        f'{q.SERVICE_DOWN_1H}{{{JOB},agency="{a.id}",service="{svc}"}} '
                        f"{d:g} {h:.3f}"
                    )
            lines.append(f'{q.AGENCY_INFO_1H}{{{JOB},{key},name="{a.name}"}} 1 {h:.3f}')
        lines += known + dn
    # minute recorded series: stamped two minutes after the minute they describe
    minutes = range(data_start, data_end, 60)
    for m in minutes:
        v = 0.0 if m in netmon_down else 60.0
        lines.append(f"{q.INSTANCE_KNOWN_1M}{{{JOB}}} {v:g} {m + 125}")
    for a in agencies:
        key = _labels(agency=a.id, level=a.level, group=a.group)
        for m, v in sorted(down[a.id].items()):
            if m not in netmon_down:
                lines.append(f"{q.AGENCY_DOWN_1M}{{{JOB},{key}}} {v:g} {m + 125}")
    for (agency, cause), series in causes.items():
        a = inv.agency_by_id[agency]
        key = _labels(agency=agency, level=a.level, group=a.group)
        for m, v in sorted(series.items()):
            if m not in netmon_down:
                lines.append(
                    f'{q.CAUSE_1M}{{{JOB},{key},{cause},single_homed="true"}} {v:g} {m + 125}'
                )
    # raw samples where the report reads them: the month's edges (every 30 s), names all month
    edges = [t for t in range(data_start, data_end, 30) if t < START + 7200 or t >= END - 7200]
    raw: dict[str, list[str]] = defaultdict(list)
    for t in edges:
        raw["up"].append(f"up{{{JOB}}} 1 {t}")
        for a in agencies:
            key = _labels(agency=a.id, level=a.level, group=a.group)
            up = 0 if down[a.id].get(t // 60 * 60) else 1
            raw["netmon_agency_up"].append(f"netmon_agency_up{{{JOB},{key}}} {up} {t}")
            raw["netmon_agency_info"].append(
                f'netmon_agency_info{{{JOB},{key},name="{a.name}"}} 1 {t}'
            )
            for svc in a.services:
                raw["netmon_agency_service_up"].append(
                    f'netmon_agency_service_up{{{JOB},agency="{a.id}",service="{svc}"}} {up} {t}'
                )
    for t in range(data_start, data_end, 30):
        for lv in inv.levels:
            raw["netmon_level_info"].append(
                f'netmon_level_info{{{JOB},level="{lv.id}",name="{lv.name}"}} 1 {t}'
            )
        for g in inv.groups:
            raw["netmon_group_info"].append(
                f'netmon_group_info{{{JOB},group="{g.id}",name="{g.name}",kind="{g.kind}"}} 1 {t}'
            )
    with path.open("w", encoding="utf-8") as f:
        f.write("\n".join(_by_family(lines)) + "\n")
        for name, rows in raw.items():
            f.write(f"# TYPE {name} gauge\n" + "\n".join(_sorted(rows)) + "\n")
        f.write("# EOF\n")
    return len(lines) + sum(len(r) for r in raw.values())


def _sorted(rows: list[str]) -> list[str]:
    """OpenMetrics wants each series' samples together, in time order."""
    by: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for r in rows:
        series, _, t = r.rpartition(" ")
        by[series.rpartition(" ")[0]].append((float(t), r))
    return [r for s in by.values() for _, r in sorted(s)]


def _by_family(lines: list[str]) -> list[str]:
    fams: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        if line.startswith("#"):
            continue
        fams[line.split("{")[0].split(" ")[0]].append(line)
    out = []
    for name, rows in fams.items():
        out.append(f"# TYPE {name} gauge")
        out += _sorted(rows)
    return out


def ensure_tsdb() -> Path:
    data = DATA / "data"
    stamp = DATA / "version"
    if stamp.exists() and stamp.read_text() == VERSION and data.is_dir():
        return data
    subprocess.run(["rm", "-rf", str(DATA)], check=True)
    DATA.mkdir(parents=True)
    om = DATA / "month.om"
    t0 = time.perf_counter()
    n = write_month(om)
    t1 = time.perf_counter()
    promtsdb.blocks_from_openmetrics(om, data)
    om.unlink()
    print(
        f"built the TSDB: {n:,} samples written in {t1 - t0:.0f} s, "
        f"backfilled in {time.perf_counter() - t1:.0f} s",
        file=sys.stderr,
    )
    stamp.write_text(VERSION)
    return data


async def once(url: str) -> tuple[float, int, int, int]:
    period = make_period(None, None, MONTH, "Asia/Ho_Chi_Minh", now=2e9)
    t0 = time.perf_counter()
    async with PrometheusClient(url) as client:
        r = await availability(client, period, Selection())
    return time.perf_counter() - t0, r.sources.queries, len(r.agencies), len(r.outages())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = ensure_tsdb()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with promtsdb.prometheus(data, DATA / "prometheus.log") as url:
        asyncio.run(once(url))  # Prometheus opens its blocks on the first query
        runs = [asyncio.run(once(url)) for _ in range(args.repeat)]
        exe = Path(sys.executable).parent / "netmon"
        t0 = time.perf_counter()
        done = subprocess.run(
            [
                str(exe),
                "report",
                "availability",
                "-c",
                "/nonexistent.yaml",
                "-p",
                url,
                "--month",
                MONTH,
                "-o",
                "html",
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        cli = time.perf_counter() - t0
        assert done.returncode == 0, done.stderr
    times = [r[0] for r in runs]
    _, queries, agencies, outages = runs[0]
    print(f"30-day report, {agencies} agencies, {outages} outages, {queries} queries")
    print(
        f"  in-process: median {statistics.median(times):.2f} s, worst {max(times):.2f} s "
        f"(of {len(times)})"
    )
    print(f"  command end to end (-o html, {len(done.stdout) // 1024} KiB): {cli:.2f} s")
    met = max(max(times), cli) <= TARGET_S
    print(f"  target: at most {TARGET_S:g} s: {'met' if met else 'MISSED'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
