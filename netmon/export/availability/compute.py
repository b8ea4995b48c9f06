"""From what the queries returned to the report: figures per agency, level, group, service and
for the selection; outages joined across unknown minutes, with their causes; netmon's gaps.

Availability = up time / known time. Known time is the time netmon's samples cover (a minute
half-scraped is half known); the rest of the period is unknown and counts neither way.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from netmon.export.availability.client import PrometheusClient
from netmon.export.availability.fetch import AgencyKey, CauseKey, Collected, collect
from netmon.model.availability import (
    ZERO,
    AgencyAvailability,
    AvailabilityReport,
    CauseShare,
    Cell,
    Figures,
    Gap,
    Outage,
    Period,
    ServiceFigures,
    Sources,
)


@dataclass(frozen=True)
class Selection:
    """What the operator asked to see, and in which order to list levels and groups (the
    inventory's order where the caller knows it; by id otherwise)."""

    level: str | None = None
    group: str | None = None
    threshold: float = 99.5
    level_order: tuple[str, ...] = ()
    group_order: tuple[str, ...] = ()


async def availability(
    client: PrometheusClient, period: Period, selection: Selection
) -> AvailabilityReport:
    began = time.perf_counter()
    data = await collect(client, period.start, period.end)
    sources = Sources(
        client.url, data.recorded_s, data.raw_s, client.stats.queries, time.perf_counter() - began
    )
    return build(data, period, selection, sources)


def build(
    data: Collected, period: Period, sel: Selection, sources: Sources, now: float | None = None
) -> AvailabilityReport:
    span = float(period.seconds)
    agencies = []
    for a in sorted((set(data.agency) | set(data.known)) - {""}):
        level, group = data.agency.get(a, ("", ""))
        if (sel.level and level != sel.level) or (sel.group and group != sel.group):
            continue
        figures = Figures(span, data.known.get(a, 0.0), data.down.get(a, 0.0))
        services = tuple(
            ServiceFigures(svc, Figures(span, known, data.svc_down.get((ag, svc), 0.0)))
            for (ag, svc), known in sorted(data.svc_known.items())
            if ag == a
        )
        agencies.append(
            AgencyAvailability(
                a,
                data.names.get(a, a),
                level,
                group,
                figures,
                services,
                tuple(outages(data, a, period)),
            )
        )
    t = sel.threshold
    levels = _cells(agencies, lambda x: x.level, data.level_names, sel.level_order, t)
    groups = _cells(agencies, lambda x: x.group, data.group_names, sel.group_order, t)
    return AvailabilityReport(
        period=period,
        generated_at=time.time() if now is None else now,
        threshold=t,
        level=sel.level,
        group=sel.group,
        total=_cell("total", "MetroNet", agencies, t),
        levels=levels,
        groups=groups,
        services=_service_cells(agencies, t),
        agencies=tuple(agencies),
        gaps=tuple(gaps(data, period)),
        sources=sources,
    )


def _cell(id_: str, name: str, members: Sequence[AgencyAvailability], t: float) -> Cell:
    figures = sum((a.figures for a in members), ZERO)
    return Cell(
        id_,
        name,
        len(members),
        figures,
        full=sum(1 for a in members if a.figures.known_s > 0 and a.figures.down_s == 0),
        below=sum(1 for a in members if _below(a.figures, t)),
        outages=sum(len(a.outages) for a in members),
    )


def _below(f: Figures, threshold: float) -> bool:
    a = f.availability
    return a is not None and a < threshold


def _cells(
    agencies: Sequence[AgencyAvailability],
    key: Callable[[AgencyAvailability], str],
    names: dict[str, str],
    order: tuple[str, ...],
    t: float,
) -> tuple[Cell, ...]:
    members: dict[str, list[AgencyAvailability]] = defaultdict(list)
    for a in agencies:
        members[key(a)].append(a)
    rank = {k: i for i, k in enumerate(order)}
    ids = sorted(members, key=lambda k: (rank.get(k, len(rank)), k))
    return tuple(_cell(k, names.get(k, k), members[k], t) for k in ids)


def _service_cells(agencies: Sequence[AgencyAvailability], t: float) -> tuple[Cell, ...]:
    by: dict[str, list[tuple[AgencyAvailability, Figures]]] = defaultdict(list)
    for a in agencies:
        for s in a.services:
            by[s.service].append((a, s.figures))
    out = []
    for svc in sorted(by):
        figs = [f for _, f in by[svc]]
        out.append(
            Cell(
                svc,
                svc,
                len(figs),
                sum(figs, ZERO),
                full=sum(1 for f in figs if f.known_s > 0 and f.down_s == 0),
                below=sum(1 for f in figs if _below(f, t)),
                outages=0,
            )
        )
    return tuple(out)


def outages(data: Collected, agency: AgencyKey, period: Period) -> Iterable[Outage]:
    """Runs of down minutes, joined across minutes netmon did not see at all. The minute data
    spans one minute beyond the period on each side, which tells `before` and `after`."""
    down = data.down_minutes.get(agency, {})
    if not down:
        return
    scraped = data.scraped.get(data.instance_of.get(agency, ""), {})
    minutes = sorted(down)
    run = [minutes[0]]
    for m in minutes[1:]:
        between = range(run[-1] + 60, m, 60)
        if all(scraped.get(x, 0.0) == 0.0 for x in between):
            run.append(m)  # contiguous, or only unknown minutes in between
        else:
            yield _outage(data, agency, run, scraped, period)
            run = [m]
    yield _outage(data, agency, run, scraped, period)


def _outage(
    data: Collected,
    agency: AgencyKey,
    run: list[int],
    scraped: dict[int, float],
    period: Period,
) -> Outage:
    first, last = run[0], run[-1] + 60
    start, end = max(first, period.start), min(last, period.end)
    inside = range(start, end, 60)
    down = data.down_minutes[agency]
    causes = []
    for key, minutes in data.causes.get(agency, {}).items():
        seconds = sum(v for m, v in minutes.items() if start <= m < end)
        if seconds > 0:
            causes.append(_share(key, seconds))
    causes.sort(key=lambda c: (-c.seconds, c.kind, c.id))
    return Outage(
        agency=agency,
        start=start,
        end=end,
        down_s=sum(down.get(m, 0.0) for m in inside),
        unknown_s=sum(60.0 - min(60.0, scraped.get(m, 0.0)) for m in inside),
        causes=tuple(causes),
        before=first < period.start,
        after=last > period.end,
        open_start=first >= period.start and scraped.get(first - 60, 0.0) == 0.0,
        open_end=last <= period.end and scraped.get(last, 0.0) == 0.0,
    )


def _share(key: CauseKey, seconds: float) -> CauseShare:
    kind, id_, state, single = key
    return CauseShare(kind, id_, state, single == "true", seconds)


def gaps(data: Collected, period: Period) -> Iterable[Gap]:
    """Per netmon instance, the stretches of the period with minutes not fully scraped, split
    where it changes between "Prometheus tried, netmon did not answer" and "no data at all"."""
    for instance in sorted(data.scraped):
        scraped = data.scraped[instance]
        run: _Run | None = None
        for m in range(period.start, period.end, 60):
            v = scraped.get(m)
            if v is not None and v >= 60.0:
                if run is not None:
                    yield run.gap(instance)
                run = None
                continue
            tried, missing = v is not None, 60.0 - (v or 0.0)
            if run is not None and run.tried == tried:
                run.end, run.unknown = m + 60, run.unknown + missing
            else:
                if run is not None:
                    yield run.gap(instance)
                run = _Run(m, m + 60, missing, tried)
        if run is not None:
            yield run.gap(instance)


@dataclass
class _Run:
    start: int
    end: int
    unknown: float
    tried: bool

    def gap(self, instance: str) -> Gap:
        return Gap(instance, self.start, self.end, self.unknown, self.tried)
