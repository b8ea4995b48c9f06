"""What the demo reads while it plays: netmon, Prometheus and Alertmanager over HTTP.

Everything goes to 127.0.0.1 on the host, where the lab's forwarder carries it into the noc.
Every call has a timeout; a service that does not answer yet reads as "nothing yet", so the
waiting loops in demo.py decide how long to wait, not this module.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from netmon.errors import LabError
from netmon.model import Snapshot, snapshot_from_json

TIMEOUT_S = 5.0


def get(url: str) -> tuple[int, bytes]:
    """(status, body); status 0 when nothing answered (refused, reset, timed out)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as r:  # noqa: S310 - 127.0.0.1, built here
            return int(r.status), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (OSError, ValueError):
        return 0, b""


@dataclass(frozen=True)
class Netmon:
    url: str

    def ready(self) -> bool:
        return get(f"{self.url}/-/ready")[0] == 200

    def snapshot(self) -> Snapshot:
        status, body = get(f"{self.url}/api/snapshot")
        if status != 200:
            raise LabError(f"{self.url}/api/snapshot answered {status or 'nothing'}")
        return snapshot_from_json(body.decode("utf-8"))


@dataclass(frozen=True)
class Prometheus:
    url: str

    def ready(self) -> bool:
        return get(f"{self.url}/-/ready")[0] == 200

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector of `expr`; empty when Prometheus does not answer (yet)."""
        status, body = get(f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        if status != 200:
            return []
        data = json.loads(body)
        result: list[dict[str, Any]] = data.get("data", {}).get("result", [])
        return result

    def scalar(self, expr: str) -> float | None:
        got = self.query(expr)
        return float(got[0]["value"][1]) if got else None

    def firing(self, alert: str, **labels: str) -> list[dict[str, str]]:
        """Label sets of the firing alerts `alert` whose labels include `labels`."""
        match = "".join(f',{k}="{v}"' for k, v in labels.items())
        rows = self.query(f'ALERTS{{alertname="{alert}",alertstate="firing"{match}}}')
        return [r["metric"] for r in rows]

    def coverage(self) -> tuple[int, int] | None:
        """(reachable, declared) agencies, summed over netmon's coverage cells."""
        reach = self.scalar("sum(netmon_coverage_reachable_agencies)")
        total = self.scalar("sum(netmon_coverage_agencies)")
        if reach is None or total is None:
            return None
        return int(reach), int(total)


@dataclass(frozen=True)
class Alertmanager:
    url: str

    def ready(self) -> bool:
        return get(f"{self.url}/-/ready")[0] == 200

    def alerts(self) -> list[dict[str, Any]]:
        status, body = get(f"{self.url}/api/v2/alerts")
        if status != 200:
            return []
        rows: list[dict[str, Any]] = json.loads(body)
        return rows

    def states(
        self, pop: str, links: tuple[str, ...], agencies: set[str]
    ) -> dict[str, dict[str, int]]:
        """alertname -> {state: count} (active, suppressed) for the incident's alerts: PoPDown
        for `pop`, UplinkDown for `links`, AgencyUnreachable for `agencies` (counted once per
        agency: netmon sends one per element that cuts an agency off)."""
        seen: dict[str, dict[str, set[str]]] = {}
        for a in self.alerts():
            labels = a.get("labels", {})
            name = labels.get("alertname", "?")
            ours = (
                (name == "PoPDown" and labels.get("device") == pop)
                or (name == "UplinkDown" and labels.get("link") in links)
                or (name == "AgencyUnreachable" and labels.get("agency") in agencies)
            )
            if ours:
                state = a.get("status", {}).get("state", "unknown")
                key = labels.get("agency") or a.get("fingerprint", "")
                seen.setdefault(name, {}).setdefault(state, set()).add(key)
        return {n: {st: len(keys) for st, keys in by.items()} for n, by in seen.items()}
