"""The availability report: what `netmon report availability` and `/api/availability` show.

Times are UTC epoch seconds on whole minutes; the time zone the operator reads them in travels
with the period (`Period.tz`). Seconds are agency-seconds: a level of 50 agencies over a
30-day month has 50 x 2,592,000 s of period.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    start: int  # UTC epoch seconds, a whole minute, included
    end: int  # excluded
    tz: str  # IANA name the operator reads times in, e.g. Asia/Ho_Chi_Minh
    label: str  # how the operator asked for it: "2025-11", "2025-11-01 – 2025-11-15"
    clipped: bool = False  # the end asked for was in the future: the period ends now

    @property
    def seconds(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Figures:
    """Time of one agency (or the sum over several): known = netmon saw it, down = of that,
    cut off; the rest of the period is unknown (netmon was not running or not scraped)."""

    period_s: float
    known_s: float
    down_s: float

    @property
    def up_s(self) -> float:
        return self.known_s - self.down_s

    @property
    def unknown_s(self) -> float:
        return max(0.0, self.period_s - self.known_s)

    @property
    def availability(self) -> float | None:
        """Up time / known time, as a percentage; None when nothing was known."""
        return 100.0 * self.up_s / self.known_s if self.known_s > 0 else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.period_s + other.period_s, self.known_s + other.known_s, self.down_s + other.down_s
        )


ZERO = Figures(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class CauseShare:
    """One element netmon named as cutting the agency off during an outage, and for how long
    (several may share an outage: a link, then the PoP behind it)."""

    kind: str  # device, link, none
    id: str
    state: str  # down, isolated
    single_homed: bool
    seconds: float

    def text(self) -> str:
        if self.kind == "none":
            return "no declared path"
        return f"{self.kind} {self.id} {self.state}"


@dataclass(frozen=True)
class Outage:
    """A run of minutes in which the agency was cut off, joined across minutes netmon did not
    see (unknown) when it was cut off on both sides. Clipped to the period."""

    agency: str
    start: int
    end: int
    down_s: float  # measured downtime inside [start, end)
    unknown_s: float  # time inside [start, end) netmon did not see
    causes: tuple[CauseShare, ...]
    before: bool  # already cut off when the period began
    after: bool  # still cut off when the period ended
    open_start: bool  # netmon was not watching just before: it may have begun earlier
    open_end: bool  # netmon was not watching just after: it may have lasted longer

    @property
    def duration_s(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class ServiceFigures:
    service: str
    figures: Figures


@dataclass(frozen=True)
class AgencyAvailability:
    id: str
    name: str
    level: str
    group: str
    figures: Figures
    services: tuple[ServiceFigures, ...]
    outages: tuple[Outage, ...]


@dataclass(frozen=True)
class Cell:
    """A level, a group, a service or the whole selection."""

    id: str
    name: str
    agencies: int
    figures: Figures
    full: int  # agencies at 100 % (over their known time)
    below: int  # agencies under the threshold
    outages: int


@dataclass(frozen=True)
class Gap:
    """A stretch in which netmon's data is missing for an instance: `scraped` when Prometheus
    tried and netmon did not answer (netmon down or before its first cycle), otherwise
    Prometheus itself has nothing (it was not running, or not scraping netmon)."""

    instance: str
    start: int
    end: int
    unknown_s: float
    scraped: bool


@dataclass(frozen=True)
class Sources:
    """Where the figures came from, for the reader's trust and the operator's tuning."""

    prometheus: str
    recorded_s: int  # seconds of the period summed from the hourly recorded series
    raw_s: int  # seconds computed from raw samples (no recorded hour covered them)
    queries: int
    elapsed_s: float


@dataclass(frozen=True)
class AvailabilityReport:
    period: Period
    generated_at: float
    threshold: float  # percent; agencies below it are listed
    level: str | None  # the selection asked for (--level, --group)
    group: str | None
    total: Cell
    levels: tuple[Cell, ...]
    groups: tuple[Cell, ...]
    services: tuple[Cell, ...]
    agencies: tuple[AgencyAvailability, ...]
    gaps: tuple[Gap, ...]
    sources: Sources

    def below(self) -> tuple[AgencyAvailability, ...]:
        """Agencies under the threshold, worst first."""
        out = [
            a
            for a in self.agencies
            if a.figures.availability is not None and a.figures.availability < self.threshold
        ]
        return tuple(sorted(out, key=lambda a: (a.figures.availability or 0.0, a.id)))

    def unknown_agencies(self) -> tuple[AgencyAvailability, ...]:
        """Agencies netmon never saw in the period."""
        return tuple(a for a in self.agencies if a.figures.availability is None)

    def outages(self) -> tuple[Outage, ...]:
        """Every outage, in time order."""
        return tuple(sorted((o for a in self.agencies for o in a.outages), key=_by_time))

    def longest(self, n: int = 10) -> tuple[Outage, ...]:
        return tuple(sorted(self.outages(), key=lambda o: (-o.duration_s, *_by_time(o)))[:n])


def _by_time(o: Outage) -> tuple[int, str]:
    return (o.start, o.agency)
