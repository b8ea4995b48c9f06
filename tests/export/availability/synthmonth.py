"""A synthetic month of netmon's series, with outages known in advance, written as OpenMetrics
for `promtool tsdb create-blocks-from openmetrics`.

November 2025 in Huế (Asia/Ho_Chi_Minh, UTC+7), scraped every minute on the minute, from three
hours before the month to three hours after it. Everything the report must find is in the
tables below; the expected figures are worked out from the same tables, by interval
arithmetic, in test_backfill.py, never from netmon's own output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
JOB = {"job": "netmon", "instance": "127.0.0.1:10467"}


def at(text: str) -> int:
    """Local 'YYYY-MM-DD HH:MM' to UTC seconds."""
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ).timestamp())


MONTH_START, MONTH_END = at("2025-11-01 00:00"), at("2025-12-01 00:00")
DATA_START, DATA_END = MONTH_START - 3 * 3600, MONTH_END + 3 * 3600


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    level: str
    group: str
    services: tuple[str, ...]


AGENCIES = (
    Agency("so-tttt", "Sở Thông tin và Truyền thông", "province", "hue", ("tslcd", "internet")),
    Agency("ubnd-phu-ho", "UBND xã Phú Hồ", "commune", "phu-vang", ("tslcd", "internet")),
    Agency("ubnd-phu-vang", "UBND thị trấn Phú Đa", "commune", "phu-vang", ("tslcd", "internet")),
    Agency("ubnd-huong-tra", "UBND thị xã Hương Trà", "district", "huong-tra", ("tslcd",)),
    Agency("ubnd-a-luoi", "UBND huyện A Lưới", "district", "a-luoi", ("tslcd", "internet")),
)
LEVELS = {"province": "Cấp tỉnh/thành phố", "district": "Cấp huyện", "commune": "Cấp xã"}
GROUPS = {
    "hue": "Thành phố Huế",
    "phu-vang": "Huyện Phú Vang",
    "huong-tra": "Thị xã Hương Trà",
    "a-luoi": "Huyện A Lưới",
}


@dataclass(frozen=True)
class Cut:
    """An agency cut off over [start, end) (local times), for the cause netmon names."""

    agency: str
    start: str
    end: str
    cause: tuple[str, str, str, str]  # kind, id, state, single_homed


_POP = ("device", "pop-phu-vang", "isolated", "true")
CUTS = (
    # the PoP of Phú Vang isolated for 2 h 30 min: both its agencies cut off
    Cut("ubnd-phu-ho", "2025-11-05 09:00", "2025-11-05 11:30", _POP),
    Cut("ubnd-phu-vang", "2025-11-05 09:00", "2025-11-05 11:30", _POP),
    # one access link for 15 min
    Cut(
        "ubnd-phu-vang",
        "2025-11-20 14:10",
        "2025-11-20 14:25",
        ("link", "pop-phu-vang--cpe-ubnd-phu-vang", "down", "true"),
    ),
    # across the start of the month: 3 h, of which 2 h in November
    Cut(
        "ubnd-huong-tra",
        "2025-10-31 23:00",
        "2025-11-01 02:00",
        ("device", "cpe-ubnd-huong-tra", "down", "true"),
    ),
    # across the end of the month: 75 min, of which 30 in November
    Cut(
        "ubnd-huong-tra",
        "2025-11-30 23:30",
        "2025-12-01 00:45",
        ("device", "cpe-ubnd-huong-tra", "down", "true"),
    ),
    # while netmon itself was down (03:00-05:00): seen cut off before and after its gap
    Cut(
        "ubnd-a-luoi",
        "2025-11-12 02:00",
        "2025-11-12 05:30",
        ("link", "core-1--pop-a-luoi", "down", "false"),
    ),
)
# The centralised Internet gateway unreachable for one agency, which stays connected.
SERVICE_CUTS = (("so-tttt", "internet", "2025-11-18 08:00", "2025-11-18 09:00"),)
# netmon down: Prometheus scrapes and fails (up 0, no netmon series).
NETMON_DOWN = (("2025-11-12 03:00", "2025-11-12 05:00"),)
# Prometheus down: nothing at all, not even `up`.
PROMETHEUS_DOWN = (("2025-11-25 10:00", "2025-11-25 10:30"),)


def _inside(t: int, spans: tuple[tuple[str, str], ...]) -> bool:
    return any(a <= t < b for a, b in _epochs(spans))


def _epochs(spans: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    return [(at(a), at(b)) for a, b in spans]


def _labels(**kv: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in kv.items()) + "}"


def write(path: Path) -> int:
    """Writes the OpenMetrics file; returns the number of samples."""
    minutes = range(DATA_START, DATA_END, 60)  # scraped every minute, on the minute
    n = 0
    with path.open("w", encoding="utf-8") as f:

        def family(name: str, series: list[tuple[str, dict[int, float]]]) -> None:
            nonlocal n
            f.write(f"# TYPE {name} gauge\n")
            for labels, values in series:
                f.write("".join(f"{name}{labels} {values[t]:g} {t}\n" for t in sorted(values)))
                n += len(values)

        prom_down, netmon_down = _epochs(PROMETHEUS_DOWN), _epochs(NETMON_DOWN)
        scraped = [t for t in minutes if not any(a <= t < b for a, b in prom_down)]
        served = {t for t in scraped if not any(a <= t < b for a, b in netmon_down)}
        family("up", [(_labels(**JOB), {t: float(t in served) for t in scraped})])
        ups, infos, services, causes = [], [], [], []
        for a in AGENCIES:
            key = {**JOB, "agency": a.id, "level": a.level, "group": a.group}
            cuts = [c for c in CUTS if c.agency == a.id]
            down = {t for c in cuts for t in range(at(c.start), at(c.end), 60) if t in served}
            ups.append((_labels(**key), {t: float(t not in down) for t in served}))
            infos.append((_labels(**key, name=a.name), dict.fromkeys(served, 1.0)))
            for svc in a.services:
                extra = {
                    t
                    for ag, s, x, y in SERVICE_CUTS
                    if (ag, s) == (a.id, svc)
                    for t in range(at(x), at(y), 60)
                }
                values = {t: float(t not in down and t not in extra) for t in served}
                services.append((_labels(**JOB, agency=a.id, service=svc), values))
            for c in cuts:
                kind, cid, state, single = c.cause
                labels = _labels(
                    **key, cause_kind=kind, cause_id=cid, cause_state=state, single_homed=single
                )
                span = range(at(c.start), at(c.end), 60)
                causes.append((labels, {t: 1.0 for t in span if t in served}))
        family("netmon_agency_up", ups)
        family("netmon_agency_info", infos)
        family("netmon_agency_service_up", services)
        family("netmon_agency_cut_off_cause", causes)
        family(
            "netmon_level_info",
            [
                (_labels(**JOB, level=k, name=v), dict.fromkeys(served, 1.0))
                for k, v in LEVELS.items()
            ],
        )
        family(
            "netmon_group_info",
            [
                (_labels(**JOB, group=k, name=v, kind="district"), dict.fromkeys(served, 1.0))
                for k, v in GROUPS.items()
            ],
        )
        f.write("# EOF\n")
    return n
