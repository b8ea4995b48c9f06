"""bench/poll: netmon's poller and prometheus-snmp-exporter on the same lab agents, side by side.

Run from the repository root as root, with a lab up (snmp daemons are enough):

    netmon lab up -i inventory --daemons snmp --state-dir /tmp/nmlab467 --forward 19467
    .venv/bin/python bench/poll.py --state-dir /tmp/nmlab467 [-i inventory] [--cycles 5]

The script re-runs itself inside the lab's noc namespace (the only place lab addresses exist),
then measures, for every device the inventory probes with SNMP:

- netmon targeted cycles (uplinks, sysUpTime, last-change scalars: what runs every cycle),
  netmon forced full reads (every IF-MIB and LLDP column), and one ICMP cycle of every node;
- snmp_exporter walking the same columns, at max_repetitions 25 and 5.

For each: cycle wall time, poller CPU s, varbinds, CPU us per varbind, poller CPU ms per agency
per cycle, agent CPU (every snmpd and lldpd of the lab) in total and per agency, then the ratios.
Medians of --cycles runs. Figures depend on the machine and its load: print, never assert.

It also prints, first, what one varbind costs to decode with pyasn1 (pysnmp's codec) and with
netmon's own (snmp/ber.py), so figures from different machines compare; then the SNMP window's peak,
the burst test (every device at once, no retries: lost replies), and the ICMP cycle. --profile N
runs one more targeted cycle under cProfile and prints the top N functions by own time; --soak N
(or bench/poll_memory.py) measures memory over N more cycles.

Figures of 2026-12-01 (load average 26-33 on the 2 shared cores; docs/probes.md has the table):
netmon targeted 0.38 s wall / 0.22 CPU-s (0.47 ms per agency; snmp_exporter at its best: 4.0),
agent CPU 0.62 ms per agency; full rediscovery 0.99 s / 0.62 CPU-s; first cycle 1.35 s / 0.84
CPU-s; ICMP 0.05-0.07 s; 478 GETs in flight: 0 lost; decoding 1.8-3.1 us per varbind (pyasn1:
119-151 us).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TICK = os.sysconf("SC_CLK_TCK")
IF = "1.3.6.1.2.1.2.2.1."
IFX = "1.3.6.1.2.1.31.1.1.1."
REM = "1.0.8802.1.1.2.1.4.1.1."
IF_INDEX = [{"labelname": "ifIndex", "type": "gauge"}]
REM_INDEX = [
    {"labelname": "lldpRemTimeMark", "type": "gauge"},
    {"labelname": "lldpRemLocalPortNum", "type": "gauge"},
    {"labelname": "lldpRemIndex", "type": "gauge"},
]
# The same information netmon reads: (name, oid, type, indexes). Chassis and port ids are
# octet strings: lldpd sends MAC addresses, which the exporter rejects as text (FIELD-NOTES).
METRICS = [
    ("sysUpTime", "1.3.6.1.2.1.1.3", "gauge", []),
    ("sysName", "1.3.6.1.2.1.1.5", "DisplayString", []),
    ("ifName", IFX + "1", "DisplayString", IF_INDEX),
    ("ifAlias", IFX + "18", "DisplayString", IF_INDEX),
    ("ifAdminStatus", IF + "7", "gauge", IF_INDEX),
    ("ifOperStatus", IF + "8", "gauge", IF_INDEX),
    ("ifHighSpeed", IFX + "15", "gauge", IF_INDEX),
    ("ifHCInOctets", IFX + "6", "counter", IF_INDEX),
    ("ifHCOutOctets", IFX + "10", "counter", IF_INDEX),
    ("ifInErrors", IF + "14", "counter", IF_INDEX),
    ("ifOutErrors", IF + "20", "counter", IF_INDEX),
    ("ifInDiscards", IF + "13", "counter", IF_INDEX),
    ("ifOutDiscards", IF + "19", "counter", IF_INDEX),
    ("lldpRemChassisIdSubtype", REM + "4", "gauge", REM_INDEX),
    ("lldpRemChassisId", REM + "5", "OctetString", REM_INDEX),
    ("lldpRemPortIdSubtype", REM + "6", "gauge", REM_INDEX),
    ("lldpRemPortId", REM + "7", "OctetString", REM_INDEX),
    ("lldpRemPortDesc", REM + "8", "DisplayString", REM_INDEX),
    ("lldpRemSysName", REM + "9", "DisplayString", REM_INDEX),
    (
        "lldpRemManAddrIfSubtype",
        "1.0.8802.1.1.2.1.4.2.1.3",
        "gauge",
        [*REM_INDEX, {"labelname": "lldpRemManAddr", "type": "InetAddress"}],
    ),
]


def exporter_config(secrets: Path) -> dict[str, object]:
    """snmp.yml (0.21 format): modules v2c_<mr> and v3_<mr> for max_repetitions 25 and 5."""
    metrics = [
        {"name": n, "oid": o, "type": t, **({"indexes": ix} if ix else {})}
        for n, o, t, ix in METRICS
    ]
    auths = {
        "v2c": {"community": (secrets / "snmp-community").read_text().strip()},
        "v3": {
            "username": "netmon",
            "security_level": "authPriv",
            "password": (secrets / "snmp-auth-key").read_text().strip(),
            "auth_protocol": "SHA",
            "priv_protocol": "AES",
            "priv_password": (secrets / "snmp-priv-key").read_text().strip(),
        },
    }
    return {
        f"{v}_{mr}": {
            "walk": [o for _, o, _, _ in METRICS],
            "metrics": metrics,
            "version": 2 if v == "v2c" else 3,
            "max_repetitions": mr,
            "retries": 3,
            "timeout": "2s",
            "auth": auth,
        }
        for v, auth in auths.items()
        for mr in (25, 5)
    }


class Exporter:
    """prometheus-snmp-exporter in this (noc) namespace, on 127.0.0.1, stopped by PID."""

    def __init__(self, secrets: Path, folder: Path, port: int) -> None:
        self.config = folder / "snmp.yml"
        self.config.write_text(json.dumps(exporter_config(secrets)), encoding="utf-8")
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Exporter:
        self.proc = subprocess.Popen(
            [
                "prometheus-snmp-exporter",
                f"--config.file={self.config}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=error",
            ],
            stdout=subprocess.DEVNULL,
        )
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("snmp_exporter did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def cpu_s(self) -> float:
        assert self.proc is not None
        return cpu_of([self.proc.pid])

    def scrape(self, target: str, module: str) -> tuple[int, bool]:
        url = f"http://127.0.0.1:{self.port}/snmp?target={target}&module={module}"
        try:
            body = urllib.request.urlopen(url, timeout=30).read().decode()
        except OSError:
            return 0, False
        pdus = sum(
            float(line.rsplit(" ", 1)[1])
            for line in body.splitlines()
            if line.startswith("snmp_scrape_pdus_returned")
        )
        return int(pdus), "snmp_scrape_pdus_returned" in body

    def scrape_all(self, targets: list[tuple[str, str]], maxrep: int) -> tuple[int, int]:
        """Every target once, 128 scrapes at a time; (varbinds, failed scrapes)."""
        with ThreadPoolExecutor(max_workers=128) as pool:
            done = list(pool.map(lambda t: self.scrape(t[0], f"{t[1]}_{maxrep}"), targets))
        return sum(v for v, _ in done), sum(not ok for _, ok in done)


@dataclass
class Figures:
    name: str
    wall_s: float
    cpu_s: float
    varbinds: int
    agent_cpu_s: float
    failures: int = 0

    def row(self, agencies: int) -> str:
        us_vb = self.cpu_s / self.varbinds * 1e6 if self.varbinds else float("nan")
        return (
            f"{self.name:<34} {self.wall_s:8.2f} {self.cpu_s:8.2f} {self.varbinds:9d} "
            f"{us_vb:8.1f} {self.cpu_s / agencies * 1e3:9.2f} {self.agent_cpu_s:8.2f} "
            f"{self.agent_cpu_s / agencies * 1e3:9.2f} {self.failures:5d}"
        )


HEADER = (
    f"{'poller':<34} {'wall s':>8} {'cpu s':>8} {'varbinds':>9} {'us/vb':>8} "
    f"{'ms/agency':>9} {'agent s':>8} {'agent ms':>9} {'fail':>5}"
)


def lab_inodes(state_dir: Path) -> set[int]:
    return {p.stat().st_ino for p in (state_dir / "ns").iterdir()}


def agent_pids(state_dir: Path) -> list[int]:
    """snmpd and lldpd processes living in the lab's namespaces."""
    inodes = lab_inodes(state_dir)
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if comm in ("snmpd", "lldpd") and (entry / "ns" / "net").stat().st_ino in inodes:
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def cpu_of(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError):
            continue
    return total / TICK


def write_config(state_dir: Path, folder: Path) -> Path:
    s = state_dir / "secrets"
    path = folder / "config.yaml"
    path.write_text(
        "poll: {interval_s: 10, deadline_s: 8, concurrency: 200}\n"  # the shipped defaults
        "probes: {snmp: {timeout_s: 0.5, retries: 3}, icmp: {timeout_s: 1, retries: 2}}\n"
        "credentials:\n"
        f"  lab-snmp-v2c: {{snmp_v2c: {{community: {{file: {s}/snmp-community}}}}}}\n"
        "  lab-snmp-v3:\n"
        "    snmp_v3: {user: netmon, auth_protocol: sha, priv_protocol: aes,\n"
        f"      auth_key: {{file: {s}/snmp-auth-key}}, priv_key: {{file: {s}/snmp-priv-key}}}}\n"
        "  lab-ssh: {ssh: {username: netmon, private_key: {file: /nonexistent}}}\n",
        encoding="utf-8",
    )
    return path


async def bench_netmon(args: argparse.Namespace, conf: Path, pids: list[int]) -> list[Figures]:
    from netmon.cli.safety import ensure_may_probe
    from netmon.config import load_config
    from netmon.inventory import load_inventory
    from netmon.poller import Poller, Selection
    from netmon.probes.snmp.wire import WireClient

    inv = load_inventory(args.inventory)
    ensure_may_probe(inv, lab_state_dir=args.state_dir)
    settings = load_config(conf)
    poller = Poller(inv, settings, Selection(probes=("snmp",)))
    client = poller.env.snmp
    assert isinstance(client, WireClient)
    print(f"netmon: {len(poller.targets)} SNMP devices, rcvbuf {client.rcvbuf} B", file=sys.stderr)

    async def measure(name: str, full: bool) -> Figures:
        vb0, fail0 = client.stats.varbinds, client.stats.failures
        a0, c0, w0 = cpu_of(pids), time.process_time(), time.monotonic()
        result = await poller.cycle(full=full)
        wall, cpu = time.monotonic() - w0, time.process_time() - c0
        bad = [r for r in result.results if not r.success]
        return Figures(
            name,
            wall,
            cpu,
            client.stats.varbinds - vb0,
            cpu_of(pids) - a0,
            len(bad) + client.stats.failures - fail0,
        )

    out = [await measure("netmon first cycle (discovery)", True)]
    targeted = [await measure("netmon targeted", False) for _ in range(args.cycles)]
    if args.profile:
        await profile(poller, args.profile)
    full = [await measure("netmon full rediscovery", True) for _ in range(args.cycles)]
    out += [median(targeted), median(full)]
    print(
        f"netmon: SNMP window peak {client.window.peak} requests in flight, limit now "
        f"{client.window.limit:.0f}; {client.stats.failures} failed requests in all",
        file=sys.stderr,
    )
    await burst(poller, client)
    if args.soak:
        rss0 = rss_mb()
        for n in range(args.soak):
            await poller.cycle()
            if n == 9:
                rss0 = rss_mb()  # after warm-up
        print(
            f"netmon soak: {args.soak} cycles, RSS {rss0:.1f} -> {rss_mb():.1f} MB "
            f"(growth after 10 warm-up cycles: {rss_mb() - rss0:+.1f} MB)",
            file=sys.stderr,
        )
    await poller.aclose()

    icmp = Poller(inv, settings, Selection(probes=("icmp",)))
    walls = []
    for _ in range(args.cycles):
        w0 = time.monotonic()
        r = await icmp.cycle()
        walls.append(time.monotonic() - w0)
        ok = sum(x.success for x in r.results)
    await icmp.aclose()
    print(
        f"netmon icmp: {ok}/{len(r.results)} nodes answered, cycle wall "
        f"{statistics.median(walls) * 1e3:.1f} ms (median of {len(walls)})",
        file=sys.stderr,
    )
    out.append(Figures("netmon icmp (all nodes)", statistics.median(walls), 0, 0, 0))
    return out


async def profile(poller: Any, top: int) -> None:
    """One more targeted cycle under cProfile: where the CPU goes (printed, top N by own time)."""
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    await poller.cycle(full=False)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue(), file=sys.stderr)


async def burst(poller: Any, client: Any) -> None:
    """Every device at once, no window, no retries: does the 4 MiB+ receive buffer keep every
    reply with hundreds in flight? (FIELD-NOTES: the default buffer lost 11 % at 100.)"""
    from netmon.probes.snmp.client import SnmpTarget
    from netmon.probes.snmp.mib import SYS_UPTIME
    from netmon.probes.snmp.window import Window

    saved, client.window = client.window, Window(start=10_000, low=10_000, high=10_000)
    targets = [
        SnmpTarget(t.address, t.auth, timeout_s=5.0, retries=0)
        for (_, kind), t in poller.targets.items()
        if kind == "snmp" and t.auth is not None
    ]
    replies = await asyncio.gather(*(client.get(t, [SYS_UPTIME]) for t in targets))
    lost = sum(not r.ok for r in replies)
    print(
        f"netmon burst: {len(targets)} GETs in flight at once (peak {client.window.peak}), "
        f"retries 0: {lost} lost replies",
        file=sys.stderr,
    )
    client.window = saved


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def median(runs: list[Figures]) -> Figures:
    return Figures(
        f"{runs[0].name} (median of {len(runs)})"[:34],
        statistics.median(r.wall_s for r in runs),
        statistics.median(r.cpu_s for r in runs),
        int(statistics.median(r.varbinds for r in runs)),
        statistics.median(r.agent_cpu_s for r in runs),
        max(r.failures for r in runs),
    )


def bench_exporter(args: argparse.Namespace, pids: list[int], tmp: Path) -> list[Figures]:
    from netmon.inventory import load_inventory

    inv = load_inventory(args.inventory)
    targets = [
        (str(d.mgmt), "v2c" if d.credentials.snmp == "lab-snmp-v2c" else "v3")
        for d in inv.devices
        if "snmp" in d.probes
    ]
    out = []
    with Exporter(args.state_dir / "secrets", tmp, port=args.exporter_port) as exporter:
        for maxrep in (25, 5):
            exporter.scrape_all(targets, maxrep)  # warm-up (v3 discovery)
            runs = []
            for _ in range(args.cycles):
                a0, c0, w0 = cpu_of(pids), exporter.cpu_s(), time.monotonic()
                varbinds, failures = exporter.scrape_all(targets, maxrep)
                runs.append(
                    Figures(
                        f"snmp_exporter max_repetitions {maxrep}",
                        time.monotonic() - w0,
                        exporter.cpu_s() - c0,
                        varbinds,
                        cpu_of(pids) - a0,
                        failures,
                    )
                )
            out.append(median(runs))
    return out


def _response_92() -> bytes:
    """A v2c response of 92 Counter64 varbinds (ifHCInOctets), encoded by pyasn1."""
    from pyasn1.codec.ber import encoder
    from pysnmp.proto import api

    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = p.GetResponsePDU()
    p.apiPDU.set_defaults(pdu)
    oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6)
    p.apiPDU.set_varbinds(pdu, [((*oid, i), p.Counter64(10**9 + i)) for i in range(92)])
    msg = p.Message()
    p.apiMessage.set_defaults(msg)
    p.apiMessage.set_community(msg, "public")
    p.apiMessage.set_pdu(msg, pdu)
    return bytes(encoder.encode(msg))


def calibrate() -> float:
    """pyasn1's decode cost per varbind on this machine (a 92-varbind v2c response), so that
    figures from different machines and library versions can be compared."""
    from pyasn1.codec.ber import decoder
    from pysnmp.proto import api

    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    wire = _response_92()
    runs = 50
    c0 = time.process_time()
    for _ in range(runs):
        decoder.decode(wire, asn1Spec=p.Message())
    return (time.process_time() - c0) / runs / 92 * 1e6


def calibrate_wire() -> float:
    """The same 92-varbind response through netmon's own decoder (snmp/ber.py)."""
    from netmon.probes.snmp import ber as snmp_ber

    wire = _response_92()
    runs = 500
    c0 = time.process_time()
    for _ in range(runs):
        _, at = snmp_ber.v2c_request_id(wire)
        snmp_ber.read_pdu(wire, at, len(wire))
    return (time.process_time() - c0) / runs / 92 * 1e6


def inside(args: argparse.Namespace) -> None:
    from netmon.inventory import load_inventory

    agencies = len(load_inventory(args.inventory).agencies)
    import pyasn1
    import pysnmp

    print(
        f"pysnmp {pysnmp.__version__}, pyasn1 {pyasn1.__version__}: decoding costs "
        f"{calibrate():.0f} us per varbind here (FIELD-NOTES measured 74-84 us per varbind for "
        "all of pysnmp's work); netmon's own decoder (snmp/ber.py): "
        f"{calibrate_wire():.1f} us per varbind",
        file=sys.stderr,
    )
    pids = agent_pids(args.state_dir)
    print(f"lab: {len(pids)} snmpd/lldpd processes, {agencies} agencies", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        conf = write_config(args.state_dir, Path(tmp))
        rows = asyncio.run(bench_netmon(args, conf, pids))
        if not args.skip_exporter:
            rows += bench_exporter(args, pids, Path(tmp))
    print(HEADER)
    for r in rows:
        print(r.row(agencies))
    by = {r.name.split(" (")[0]: r for r in rows}
    targeted = by["netmon targeted"]
    exporters = [r for r in rows if r.name.startswith("snmp_exporter")]
    if exporters:
        best = min(exporters, key=lambda r: r.cpu_s)
        print(
            f"\nratios, netmon targeted / {best.name}: CPU {targeted.cpu_s / best.cpu_s:.2f}, "
            f"wall {targeted.wall_s / best.wall_s:.2f}, "
            f"agent CPU {targeted.agent_cpu_s / max(best.agent_cpu_s, 1e-9):.2f}"
        )
        full = by["netmon full rediscovery"]
        print(
            f"ratios, netmon full / {best.name}: CPU {full.cpu_s / best.cpu_s:.2f}, "
            f"wall {full.wall_s / best.wall_s:.2f}, "
            f"agent CPU {full.agent_cpu_s / max(best.agent_cpu_s, 1e-9):.2f}"
        )
    if args.json:
        print(json.dumps([r.__dict__ for r in rows]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--state-dir", type=Path, required=True, help="the lab's state folder")
    p.add_argument("-i", "--inventory", type=Path, default=REPO / "inventory")
    p.add_argument("--cycles", type=int, default=3)
    p.add_argument("--exporter-port", type=int, default=19116)
    p.add_argument("--skip-exporter", action="store_true")
    p.add_argument("--soak", type=int, default=0, help="then N more cycles: memory growth")
    p.add_argument("--json", action="store_true")
    p.add_argument("--profile", type=int, default=0, help="cProfile a targeted cycle: top N")
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    args.state_dir = args.state_dir.resolve()
    args.inventory = args.inventory.resolve()
    if args.inside:
        inside(args)
        return
    # Into the noc: the lab's addresses exist only there (network safety).
    cmd = [
        "nsenter",
        f"--net={args.state_dir / 'ns' / 'noc'}",
        "--",
        sys.executable,
        __file__,
        "--inside",
        *sys.argv[1:],
    ]
    env = {**os.environ, "NETMON_LAB_DIR": str(args.state_dir)}
    sys.exit(subprocess.run(cmd, env=env, check=False).returncode)


if __name__ == "__main__":
    main()
