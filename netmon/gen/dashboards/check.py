"""Run every dashboard query against a Prometheus: does each one evaluate, and return data?

    python -m netmon.gen.dashboards.check http://127.0.0.1:9090     (the demo's, for one)

Variables are filled as a person would pick them: `$agency` with an agency cut off if there
is one (its cause panel has rows) and with a reachable one (its traffic panels have data),
`$link` with all links, `${datasource}` with the one Prometheus. A panel passes when its query
returns data for one of the agencies tried. Exit 0 when every query evaluates and returns data,
1 otherwise; one line per query on stdout.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from netmon.gen.dashboards import render_all


@dataclass(frozen=True)
class Outcome:
    board: str
    panel: str
    expr: str
    series: int
    error: str = ""


def queries() -> list[tuple[str, str, str]]:
    """(board, panel title, expression) for every PromQL target of every dashboard."""
    out = []
    for name, text in sorted(render_all().items()):
        for panel in json.loads(text)["panels"]:
            for target in panel.get("targets", []):
                if "expr" in target:
                    out.append((name.removesuffix(".json"), panel["title"], target["expr"]))
    return out


class Prom:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def query(self, expr: str) -> tuple[list[dict[str, Any]], str]:
        """(result, error); the error is Prometheus' own message."""
        data = urllib.parse.urlencode({"query": expr}).encode()
        request = urllib.request.Request(f"{self.url}/api/v1/query", data=data)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310 (an operator's URL)
                body = json.load(r)
        except urllib.error.HTTPError as exc:
            body = json.load(exc)
        if body.get("status") != "success":
            return [], f"{body.get('errorType')}: {body.get('error')}"
        result: list[dict[str, Any]] = body["data"]["result"]
        return result, ""


def agencies(prom: Prom) -> list[str]:
    """One agency cut off (if any) and one reachable."""
    cut, _ = prom.query("max by (agency) (netmon_agency_cut_off_cause)")
    ok, _ = prom.query("max by (agency) (netmon_agency_up == 1)")
    picked = [s["metric"]["agency"] for s in cut[:1]] + [s["metric"]["agency"] for s in ok[:1]]
    return picked or ["none"]


def fill(expr: str, agency: str) -> str:
    for name, value in (
        ("${datasource}", ""),
        ("$link", ".*"),
        ("$agency", agency),
        ("$__rate_interval", "1m"),
    ):
        expr = expr.replace(name, value)
    return expr


def check(url: str) -> list[Outcome]:
    prom = Prom(url)
    picks = agencies(prom)
    out = []
    for board, panel, expr in queries():
        best = Outcome(board, panel, expr, 0)
        for agency in picks if "$agency" in expr else picks[:1]:
            result, error = prom.query(fill(expr, agency))
            if error:
                best = Outcome(board, panel, expr, 0, error)
                break
            if len(result) > best.series:
                best = Outcome(board, panel, expr, len(result))
        out.append(best)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    outcomes = check(argv[0])
    for o in outcomes:
        verdict = "ERROR " + o.error if o.error else "EMPTY" if not o.series else f"{o.series:5d}"
        print(f"{verdict:>7}  {o.board}: {o.panel}")
    bad = [o for o in outcomes if o.error or not o.series]
    print(
        f"{len(outcomes) - len(bad)}/{len(outcomes)} queries returned data"
        + (f"; {len(bad)} did not" if bad else ""),
        file=sys.stderr,
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
