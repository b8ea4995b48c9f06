"""The PromQL of availability: one place for the expressions the recording rules record and
the report computes from raw samples where no recorded series covers a stretch of time.

The unit of time is the **minute** `[p - 60 s, p)` for every whole minute `p` (epoch-aligned).
For one minute and one series:

- attempts `a`: scrapes Prometheus tried of netmon's job (`up` is written for each, 1 or 0);
- `k`: samples of the agency's series (present only in the scrapes that succeeded and came
  after netmon's first cycle), `u`: those equal to 1;
- known seconds `60 k / a`, down seconds `60 (k - u) / a`; a minute without attempts (Prometheus
  itself not running) has no value at all: unknown.

Dividing by the attempts rather than assuming a scrape interval keeps a half-scraped minute
half known, whatever interval the operator chose (it must be at most 1 minute, so that every
minute holds an attempt).

Windows: Prometheus 2.x selects `[t - r, t]`, closed at both ends, so `[59999ms] offset 1ms`
evaluated at `p` reads exactly the samples stamped in `[p - 60 s, p)`: consecutive minutes tile
at millisecond resolution and no sample is counted twice. (Prometheus 3 made ranges left-open:
there the same minute is `[1m] offset 1ms`; `MINUTE` below is the one thing to change.)

Subqueries `[R:1m]` evaluate at epoch-aligned whole minutes whatever the time of evaluation,
which is what aligns the recorded minutes and hours to the clock, although Prometheus starts
each rule group at an offset of its own (a hash of its name and file).
"""

from __future__ import annotations

# The minute before an evaluation point p: samples stamped in [p - 60 s, p) (Prometheus 2.x).
MINUTE = "[59999ms] offset 1ms"
# netmon's scrape job(s): the standalone job is `netmon`, the sharded one `netmon-shards`.
UP = 'up{job=~"netmon.*"}'
ON = "on(job, instance) group_left"

# Recorded series (docs/availability.md). Minute series: the sample recorded at t describes
# the minute starting at floor_minute(t - 60 s) - 60 s (see `minute_of`); hourly ones the 60
# minutes ending at floor_minute(t - 60 s) (see `hour_of`).
INSTANCE_KNOWN_1M = "netmon:instance_known_seconds:1m"
AGENCY_DOWN_1M = "netmon:agency_down_seconds:1m"
CAUSE_1M = "netmon:agency_cut_off_cause_seconds:1m"
HOUR_EVALUATED = "netmon:availability:hour_evaluated"
AGENCY_KNOWN_1H = "netmon:agency_known_seconds:1h"
AGENCY_DOWN_1H = "netmon:agency_down_seconds:1h"
SERVICE_KNOWN_1H = "netmon:agency_service_known_seconds:1h"
SERVICE_DOWN_1H = "netmon:agency_service_down_seconds:1h"
AGENCY_INFO_1H = "netmon:agency_info:1h"

# The recording rules read a minute that ended at least a minute ago (`offset 1m`), so a
# scrape still in flight when the rule runs (its samples are stamped when it started) is
# never missed.
RULE_LAG_S = 60


def _attempts() -> str:
    return f"count_over_time({UP}{MINUTE})"


def known(metric: str) -> str:
    """Seconds of the minute in which `metric` had samples (per series)."""
    return f"60 * count_over_time({metric}{MINUTE}) / {ON} {_attempts()}"


def down(metric: str) -> str:
    """Seconds of the minute in which `metric` (a 0/1 gauge) was 0 (per series)."""
    return (
        f"60 * (count_over_time({metric}{MINUTE}) - sum_over_time({metric}{MINUTE}))"
        f" / {ON} {_attempts()}"
    )


def instance_known() -> str:
    """Per netmon instance: seconds of the minute in which it served agencies; 0 when
    Prometheus tried and failed (netmon down, or before its first cycle); absent when
    Prometheus did not try (Prometheus down, or no netmon job)."""
    return (
        f"60 * max by (job, instance) (count_over_time(netmon_agency_up{MINUTE}))"
        f" / on(job, instance) {_attempts()}"
        f" or on(job, instance) 0 * {_attempts()}"
    )


AGENCY_KNOWN = known("netmon_agency_up")
AGENCY_DOWN = down("netmon_agency_up")
SERVICE_KNOWN = known("netmon_agency_service_up")
SERVICE_DOWN = down("netmon_agency_service_up")
CAUSE = known("netmon_agency_cut_off_cause")
INSTANCE_KNOWN = instance_known()


def minutes_sum(expr: str, span_s: int, lag_s: int = 0) -> str:
    """The sum of `expr` over the whole minutes of the `span_s` seconds ending `lag_s` before
    the evaluation time (evaluated at a whole minute E: the minutes of [E - lag - span,
    E - lag)). One-millisecond-short ranges keep the first aligned point out (closed ranges)."""
    offset = f" offset {lag_s}s" if lag_s else ""
    return f"sum_over_time(({expr})[{span_s * 1000 - 1}ms:1m]{offset})"


def minutes_of(expr: str, span_s: int) -> str:
    """A range vector of `expr` at every whole minute point in (E - span, E]: one sample per
    minute [p - 60 s, p), stamped p (instant query at E)."""
    return f"({expr})[{span_s * 1000 - 1}ms:1m]"


def tagged(expr: str, part: str) -> str:
    """`expr` with the label netmon_part=`part`, so several results share one query."""
    return f'label_replace({expr}, "netmon_part", "{part}", "", "")'


def minute_of(t_s: float) -> int:
    """Start of the minute that the minute series' sample stamped `t_s` describes."""
    return (int(t_s) - RULE_LAG_S) // 60 * 60 - 60


def hour_of(t_s: float) -> tuple[int, int]:
    """[start, end) of the 60 minutes that the hourly series' sample stamped `t_s` sums."""
    end = (int(t_s) - RULE_LAG_S) // 60 * 60
    return end - 3600, end
