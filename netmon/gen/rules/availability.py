"""The availability recording rules (issue 20) and their `promtool test rules` cases.

Two groups of their own, apart from netmon's coverage and alerting rules:

- `netmon-availability`, every minute: what the outage list needs at minute resolution, kept
  sparse (a series exists only in minutes with downtime or a cause), plus one dense series per
  netmon instance saying how much of each minute it was scraped.
- `netmon-availability-hourly`, every hour: known and down seconds per agency, per agency and
  service, and summed per level, group, service and for the whole network; a month is then 720
  samples per series instead of 86,400 raw ones.

The expressions come from `netmon.export.availability.promql`, which the report also uses for
stretches of time no recorded series covers; docs/availability.md explains the arithmetic.
Every expression reads raw series only (never another rule's output), so `promtool tsdb
create-blocks-from rules` can backfill them in one pass and the order of evaluation inside a
group does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass

from netmon.export.availability import promql as q
from netmon.gen.rules.rules import Recording


@dataclass(frozen=True)
class Group:
    name: str
    interval: str
    rules: tuple[Recording, ...]


def _hour(expr: str) -> str:
    return q.minutes_sum(expr, 3600, q.RULE_LAG_S)


def _minute(expr: str) -> str:
    return q.minutes_sum(expr, 60, q.RULE_LAG_S)


def _by(labels: str, expr: str) -> str:
    return f"sum by ({labels}) ({expr})" if labels else f"sum({expr})"


_AGGREGATES = tuple(
    Recording(f"netmon:{who}_{what}_seconds:1h", _by(by, _hour(expr)))
    for who, by, known, down in (
        ("level", "level", q.AGENCY_KNOWN, q.AGENCY_DOWN),
        ("group", "group", q.AGENCY_KNOWN, q.AGENCY_DOWN),
        ("service", "service", q.SERVICE_KNOWN, q.SERVICE_DOWN),
        ("network", "", q.AGENCY_KNOWN, q.AGENCY_DOWN),
    )
    for what, expr in (("known", known), ("down", down))
)

GROUPS: tuple[Group, ...] = (
    Group(
        "netmon-availability",
        "1m",
        (
            Recording(q.INSTANCE_KNOWN_1M, _minute(q.INSTANCE_KNOWN)),
            Recording(q.AGENCY_DOWN_1M, _minute(q.AGENCY_DOWN) + " > 0"),
            Recording(q.CAUSE_1M, _minute(q.CAUSE)),
        ),
    ),
    Group(
        "netmon-availability-hourly",
        "1h",
        (
            # A heartbeat: tells the report which hours the group was evaluated in, so an
            # hour without it is computed from raw samples instead of counted as unknown.
            Recording(q.HOUR_EVALUATED, "vector(1)"),
            Recording(q.AGENCY_KNOWN_1H, _hour(q.AGENCY_KNOWN)),
            Recording(q.AGENCY_DOWN_1H, _hour(q.AGENCY_DOWN) + " > 0"),
            Recording(q.SERVICE_KNOWN_1H, _hour(q.SERVICE_KNOWN)),
            Recording(q.SERVICE_DOWN_1H, _hour(q.SERVICE_DOWN) + " > 0"),
            Recording(
                q.AGENCY_INFO_1H,
                "group by (job, instance, agency, level, group, name)"
                f" (last_over_time(netmon_agency_info[1h] offset {q.RULE_LAG_S}s))",
            ),
            *_AGGREGATES,
        ),
    ),
)


# --- promtool test rules cases (series every 30 s, rules evaluated every 30 s) -------------

J = {"job": "netmon", "instance": "127.0.0.1:10467"}
_A = {"agency": "ubnd-phu-ho", "level": "commune", "group": "phu-vang"}
_B = {"agency": "so-tttt", "level": "province", "group": "hue"}
_CAUSE = {
    "cause_kind": "device",
    "cause_id": "pop-phu-vang",
    "cause_state": "isolated",
    "single_homed": "true",
}


def _sel(metric: str, **labels: str) -> str:
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def _labels(**labels: str) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _at(
    record: str, when: str, expected: tuple[tuple[dict[str, str], float], ...]
) -> dict[str, object]:
    """The value the rule recorded at `when` itself (`[1s]`: a query at `when` would
    otherwise see an earlier sample through Prometheus' 5-minute lookback; last_over_time
    keeps the metric name in Prometheus 2.42)."""
    return {
        "expr": f"last_over_time({record}[1s])",
        "eval_time": when,
        "exp_samples": [
            {"labels": _labels(__name__=record, **lb), "value": v} for lb, v in expected
        ],
    }


def _vals(*runs: tuple[str, int]) -> str:
    """Series values, run by run: ("1", 4) is four samples of 1, ("_", 2) two missing."""
    return " ".join(" ".join([v] * n) for v, n in runs)


# Minute case, by 30-s scrape: netmon answers 0-4:30, is down 5:00-6:30 (up 0, no agency
# series), answers again from 7:00. Agency A is cut off 2:00-3:30 (4 scrapes) by pop-phu-vang;
# agency B misses one scrape at 8:00 (one of the two in that minute: 30 s down).
_MINUTE_CASE: dict[str, object] = {
    "interval": "30s",
    "input_series": [
        {"series": _sel("up", **J), "values": _vals(("1", 10), ("0", 4), ("1", 16))},
        {
            "series": _sel("netmon_agency_up", **J, **_A),
            "values": _vals(("1", 4), ("0", 4), ("1", 2), ("_", 4), ("1", 16)),
        },
        {
            "series": _sel("netmon_agency_up", **J, **_B),
            "values": _vals(("1", 10), ("_", 4), ("1", 2), ("0", 1), ("1", 13)),
        },
        {
            "series": _sel("netmon_agency_cut_off_cause", **J, **_A, **_CAUSE),
            "values": _vals(("_", 4), ("1", 4)),
        },
    ],
    "promql_expr_test": [
        # at 4m the rule records the minute [2m, 3m): A down both scrapes
        _at(q.AGENCY_DOWN_1M, "4m", (({**J, **_A}, 60.0),)),
        _at(q.AGENCY_DOWN_1M, "3m30s", ()),  # [1m, 2m): nobody down, nothing recorded
        _at(q.CAUSE_1M, "5m", (({**J, **_A, **_CAUSE}, 60.0),)),
        _at(q.AGENCY_DOWN_1M, "10m", (({**J, **_B}, 30.0),)),  # [8m, 9m): one of two scrapes
        _at(q.INSTANCE_KNOWN_1M, "6m", ((J, 60.0),)),  # [4m, 5m): answered
        _at(q.INSTANCE_KNOWN_1M, "7m", ((J, 0.0),)),  # [5m, 6m): scraped, failed: known 0
        _at(q.INSTANCE_KNOWN_1M, "8m30s", ((J, 0.0),)),  # [6m, 7m): 6:00, 6:30 failed
        _at(q.INSTANCE_KNOWN_1M, "9m", ((J, 60.0),)),  # [7m, 8m): answered again
    ],
}

_SVC_A = {"agency": _A["agency"]}
_SVC_B = {"agency": _B["agency"]}

# Hourly case, 75 minutes by 30-s scrape: netmon is down during minutes [40, 45); agency A is
# cut off during minutes [10, 25) and so loses TSLCD (it keeps no Internet then either: the
# service series follows the agency); B is never cut off. The sample recorded at 61m sums
# the minutes [0, 60): 55 known minutes (3300 s) each, 15 down (900 s) for A.
_HOUR_CASE: dict[str, object] = {
    "interval": "30s",
    "input_series": [
        {"series": _sel("up", **J), "values": _vals(("1", 80), ("0", 10), ("1", 60))},
        {
            "series": _sel("netmon_agency_up", **J, **_A),
            "values": _vals(("1", 20), ("0", 30), ("1", 30), ("_", 10), ("1", 60)),
        },
        {
            "series": _sel("netmon_agency_service_up", **J, **_SVC_A, service="tslcd"),
            "values": _vals(("1", 20), ("0", 30), ("1", 30), ("_", 10), ("1", 60)),
        },
        {
            "series": _sel("netmon_agency_service_up", **J, **_SVC_A, service="internet"),
            "values": _vals(("1", 20), ("0", 30), ("1", 30), ("_", 10), ("1", 60)),
        },
        {
            "series": _sel("netmon_agency_up", **J, **_B),
            "values": _vals(("1", 80), ("_", 10), ("1", 60)),
        },
        {
            "series": _sel("netmon_agency_service_up", **J, **_SVC_B, service="tslcd"),
            "values": _vals(("1", 80), ("_", 10), ("1", 60)),
        },
        {
            "series": _sel("netmon_agency_info", **J, **_A, name="UBND xã Phú Hồ"),
            "values": _vals(("1", 80), ("_", 10), ("1", 60)),
        },
        {
            "series": _sel("netmon_agency_info", **J, **_B, name="Sở TTTT"),
            "values": _vals(("1", 80), ("_", 10), ("1", 60)),
        },
    ],
    "promql_expr_test": [
        _at(q.HOUR_EVALUATED, "61m", (({}, 1.0),)),
        _at(q.AGENCY_KNOWN_1H, "61m", (({**J, **_A}, 3300.0), ({**J, **_B}, 3300.0))),
        _at(q.AGENCY_DOWN_1H, "61m", (({**J, **_A}, 900.0),)),
        _at(
            q.SERVICE_KNOWN_1H,
            "61m",
            (
                ({**J, **_SVC_A, "service": "internet"}, 3300.0),
                ({**J, **_SVC_A, "service": "tslcd"}, 3300.0),
                ({**J, **_SVC_B, "service": "tslcd"}, 3300.0),
            ),
        ),
        _at(
            q.SERVICE_DOWN_1H,
            "61m",
            (
                ({**J, **_SVC_A, "service": "internet"}, 900.0),
                ({**J, **_SVC_A, "service": "tslcd"}, 900.0),
            ),
        ),
        _at(
            q.AGENCY_INFO_1H,
            "61m",
            (({**J, **_A, "name": "UBND xã Phú Hồ"}, 1.0), ({**J, **_B, "name": "Sở TTTT"}, 1.0)),
        ),
        _at(
            "netmon:level_known_seconds:1h",
            "61m",
            (({"level": "commune"}, 3300.0), ({"level": "province"}, 3300.0)),
        ),
        _at(
            "netmon:level_down_seconds:1h",
            "61m",
            (({"level": "commune"}, 900.0), ({"level": "province"}, 0.0)),
        ),
        _at(
            "netmon:group_down_seconds:1h",
            "61m",
            (({"group": "hue"}, 0.0), ({"group": "phu-vang"}, 900.0)),
        ),
        _at(
            "netmon:service_known_seconds:1h",
            "61m",
            (({"service": "internet"}, 3300.0), ({"service": "tslcd"}, 6600.0)),
        ),
        _at(
            "netmon:service_down_seconds:1h",
            "61m",
            (({"service": "internet"}, 900.0), ({"service": "tslcd"}, 900.0)),
        ),
        _at("netmon:network_known_seconds:1h", "61m", (({}, 6600.0),)),
        _at("netmon:network_down_seconds:1h", "61m", (({}, 900.0),)),
    ],
}

TESTS: tuple[dict[str, object], ...] = (_MINUTE_CASE, _HOUR_CASE)


def rule_groups() -> list[dict[str, object]]:
    """The groups as they go in netmon.rules.yml."""
    return [
        {
            "name": g.name,
            "interval": g.interval,
            "rules": [{"record": r.record, "expr": r.expr} for r in g.rules],
        }
        for g in GROUPS
    ]


def markdown() -> list[str]:
    """The section of docs/alerts.md that lists these rules."""
    lines = [
        "",
        "## Availability recording rules",
        "",
        "Groups `netmon-availability` (every minute) and `netmon-availability-hourly` (every",
        "hour), read by `netmon report availability` and `/api/availability`; the arithmetic is",
        "in `docs/availability.md`.",
        "",
        "| group | record | expression |",
        "|---|---|---|",
    ]
    for g in GROUPS:
        for r in g.rules:
            lines.append(f"| {g.name} | `{r.record}` | `{r.expr.replace('|', chr(92) + '|')}` |")
    return lines
