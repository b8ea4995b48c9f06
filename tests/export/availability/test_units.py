"""The parts of the availability report that need no Prometheus: the plan of recorded hours
and raw stretches, periods in a time zone, outages joined across unknown minutes, gaps."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from netmon.export.availability import plan
from netmon.export.availability.compute import gaps, outages
from netmon.export.availability.fetch import Collected
from netmon.export.availability.period import PeriodError, make_period
from netmon.export.availability.promql import hour_of, minute_of

NOW = datetime(2026, 12, 6, tzinfo=UTC).timestamp()
H = 3600


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_what_a_recorded_sample_describes() -> None:
    # evaluated 1234.567 s into an hour: the 60 minutes ending at the whole minute a minute back
    t = utc("2025-11-01T10:20:34") + 0.567
    assert hour_of(t) == (utc("2025-11-01T09:19:00"), utc("2025-11-01T10:19:00"))
    # a minute sample stamped t: the minute that ended between one and two minutes before t
    assert minute_of(utc("2025-11-01T10:02:00")) == utc("2025-11-01T10:00:00")
    assert minute_of(utc("2025-11-01T10:02:59.999")) == utc("2025-11-01T10:00:00")


def stamps(first: int, n: int, offset: float = 1234.567) -> list[float]:
    return [first + offset + k * H for k in range(n)]


def test_plan_takes_the_hours_inside_and_leaves_the_edges_to_raw_samples() -> None:
    start, end = utc("2025-11-01T00:00:00"), utc("2025-11-03T00:00:00")
    runs, gaps_ = plan.plan_hours(stamps(start - 3 * H, 60), start, end)
    assert len(runs) == 1
    run = runs[0]
    assert (run.start, run.end) == (utc("2025-11-01T00:19:00"), utc("2025-11-02T23:19:00"))
    assert gaps_ == [(start, run.start), (run.end, end)]
    assert sum(b - a for a, b in gaps_) + run.end - run.start == end - start


def test_plan_around_a_missed_evaluation_and_a_new_offset() -> None:
    start, end = utc("2025-11-01T00:00:00"), utc("2025-11-02T00:00:00")
    s = stamps(start - H, 10)
    del s[5]  # one hour not evaluated
    # the rules file moved: from here the group runs 30 minutes later in each hour
    s += stamps(start + 9 * H, 20, offset=1234.567 + 1800)
    runs, gaps_ = plan.plan_hours(s, start, end)
    covered = [(r.start, r.end) for r in runs]
    assert all(b - a >= H for a, b in covered)
    for (_, b), (a, _) in itertools.pairwise(covered):
        assert a >= b  # no hour counted twice
    assert sum(b - a for a, b in covered) + sum(b - a for a, b in gaps_) == end - start
    # a run never spans a stamp it does not take (its range query would add it)
    taken = {t for r in runs for t in s if r.first <= t <= r.last}
    assert all(hour_of(t)[0] >= start and hour_of(t)[1] <= end for t in taken)
    assert len(taken) == sum((r.end - r.start) // H for r in runs)


def test_chunks_and_minute_gaps() -> None:
    assert plan.chunks([(0, 200_000)]) == [(0, 86400), (86400, 172800), (172800, 200_000)]
    covered = {m for m in range(0, 6000, 60) if m not in (600, 660, 3000)}
    # 600-720 and 3000 are less than an hour apart: one query
    assert plan.minute_gaps(covered, 0, 6000) == [(600, 3060)]
    assert plan.minute_gaps(covered, 0, 6000, join_s=60) == [(600, 720), (3000, 3060)]


def test_periods_in_the_operators_time_zone() -> None:
    p = make_period(None, None, "2025-11", "Asia/Ho_Chi_Minh", NOW)
    assert (p.start, p.end) == (utc("2025-10-31T17:00:00"), utc("2025-11-30T17:00:00"))
    assert make_period("2025-11-01", "2025-11", None, "Asia/Ho_Chi_Minh", NOW).end == p.end
    q = make_period("2025-11-10T08:00", "2025-11-10T12:30", None, "Asia/Ho_Chi_Minh", NOW)
    assert q.seconds == 4 * H + 1800
    # daylight saving: October 2025 in Berlin has 31 days and one hour
    assert make_period(None, None, "2025-10", "Europe/Berlin", NOW).seconds == 31 * 86400 + H
    live = make_period(None, None, "2026-12", "Asia/Ho_Chi_Minh", NOW)
    assert live.clipped and live.end == (int(NOW) - 15) // 60 * 60
    for args, message in (
        (("2025-11-31", "2025-12-01", None), "not a date of the calendar"),
        (("2025-12-01", "2025-11-01", None), "the period is empty"),
        (("2025-11-01", None, None), "give both --from and --to"),
        (("2025-11-01", "2025-12-01", "2025-11"), "not both"),
        ((None, None, "11/2025"), "write YYYY-MM"),
        (("2027-01-01", "2027-02-01", None), "starts in the future"),
        (("2020-01-01", "2025-01-01", None), "longer than 400 days"),
    ):
        with pytest.raises(PeriodError, match=message):
            make_period(*args, "Asia/Ho_Chi_Minh", NOW)
    with pytest.raises(PeriodError, match="unknown time zone"):
        make_period(None, None, "2025-11", "Asia/Hue", NOW)


def collected(down: dict[int, float], scraped: dict[int, float]) -> Collected:
    c = Collected()
    c.down_minutes["a"] = down
    c.scraped["netmon/x"] = scraped
    c.instance_of["a"] = "netmon/x"
    return c


def test_outages_join_across_unknown_minutes_only() -> None:
    period = make_period("2025-11-01T00:00", "2025-11-01T02:00", None, "UTC", NOW)
    m0 = period.start
    minutes = range(m0 - 60, period.end + 60, 60)
    scraped = {m: 60.0 for m in minutes}
    for m in range(m0 + 20 * 60, m0 + 30 * 60, 60):
        scraped[m] = 0.0  # netmon did not answer 00:20-00:30
    down = {m: 60.0 for m in range(m0 + 10 * 60, m0 + 20 * 60, 60)}
    down |= {m: 60.0 for m in range(m0 + 30 * 60, m0 + 35 * 60, 60)}  # cut off on both sides
    down |= {m: 30.0 for m in range(m0 + 50 * 60, m0 + 52 * 60, 60)}  # seen up in between
    got = list(outages(collected(down, scraped), "a", period))
    assert [(o.start - m0, o.end - m0, o.down_s, o.unknown_s) for o in got] == [
        (600, 2100, 900.0, 600.0),
        (3000, 3120, 60.0, 0.0),
    ]
    # netmon blind just after: the outage may have lasted longer
    blind = dict(scraped) | {m0 + 52 * 60: 0.0}
    last = list(outages(collected(down, blind), "a", period))[-1]
    assert last.open_end and not last.open_start


def test_outages_clipped_to_the_period() -> None:
    period = make_period("2025-11-01T00:00", "2025-11-01T01:00", None, "UTC", NOW)
    m0 = period.start
    scraped = {m: 60.0 for m in range(m0 - 60, period.end + 60, 60)}
    down = {m: 60.0 for m in range(m0 - 60, m0 + 300, 60)}
    down |= {m: 60.0 for m in range(period.end - 120, period.end + 60, 60)}
    first, last = outages(collected(down, scraped), "a", period)
    assert (first.start, first.down_s, first.before, first.after) == (m0, 300.0, True, False)
    assert (last.end, last.down_s, last.before, last.after) == (period.end, 120.0, False, True)


def test_gaps_say_who_was_missing() -> None:
    period = make_period("2025-11-01T00:00", "2025-11-01T01:00", None, "UTC", NOW)
    m0 = period.start
    scraped = {m: 60.0 for m in range(m0, period.end, 60)}
    scraped[m0 + 600] = 30.0  # one of two scrapes failed
    scraped[m0 + 660] = 0.0  # netmon down
    for m in range(m0 + 1200, m0 + 1500, 60):
        del scraped[m]  # Prometheus down
    got = [
        (g.start - m0, g.end - m0, g.unknown_s, g.scraped)
        for g in gaps(collected({}, scraped), period)
    ]
    assert got == [(600, 720, 90.0, True), (1200, 1500, 300.0, False)]


def test_an_agency_down_all_the_time_is_below_any_threshold() -> None:
    from netmon.export.availability.compute import Selection, build
    from netmon.model.availability import Sources

    period = make_period("2025-11-01T00:00", "2025-11-01T01:00", None, "UTC", NOW)
    c = Collected()
    for a, level in (("dead", "commune"), ("fine", "commune"), ("unseen", "province")):
        c.agency[a] = (level, "g")
    c.known["dead"], c.down["dead"] = 3600.0, 3600.0
    c.known["fine"] = 3600.0
    r = build(c, period, Selection(threshold=99.5), Sources("http://p", 0, 3600, 1, 0.1), now=0)
    assert [a.id for a in r.below()] == ["dead"]  # 0 %, not mistaken for "nothing known"
    assert [a.id for a in r.unknown_agencies()] == ["unseen"]
    commune = next(c for c in r.levels if c.id == "commune")
    assert (commune.below, commune.full, commune.figures.availability) == (1, 1, 50.0)
    assert r.total.figures.unknown_s == 3600.0  # the unseen agency's hour
