"""Shards whose numbers add up: each shard polls only its share of the devices (its own and
the shared infrastructure on their paths), exports only what it owns, and the sum over the
shards of every coverage, cause and blast-radius figure equals one instance's.

The single instance is the oracle: it polls every device. Each shard's snapshot is built from
the results of the devices the shard polls, nothing else, as `netmon serve --shard` does.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from netmon.gen.inventory import national, write
from netmon.inventory import load_inventory
from netmon.model import Inventory, ProbeResult, Snapshot
from netmon.model.shard import Shard
from netmon.topology import Topology
from netmon.topology.shard import Scope, ShardView, shard_sizes
from topology.net import healthy

REPO = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def hue() -> Inventory:
    return load_inventory(REPO / "inventory")


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Inventory:
    out = tmp_path_factory.mktemp("national")
    write(national(provinces=4, per_province=60, pops=4), out)
    return load_inventory(out)


def pops(inv: Inventory) -> list[str]:
    return [d.id for d in inv.devices if d.role == "pop"]


def scenarios(inv: Inventory) -> dict[str, list[ProbeResult]]:
    """Healthy; a PoP dead; a PoP cut off by its two ring links; the upstream devices dead;
    every probe failing."""
    pop = pops(inv)[1]
    ring = [lk.a for lk in inv.links_of_device[pop] if lk.kind != "access"]
    ring += [lk.b for lk in inv.links_of_device[pop] if lk.kind != "access"]
    upstream = {d for s in inv.services for d in s.devices}
    return {
        "healthy": healthy(inv),
        "pop-dead": healthy(inv, dead={pop}),
        "pop-isolated": healthy(inv, down_ifaces={e for e in ring if e.device == pop}),
        "upstream-dead": healthy(inv, dead=upstream),
        "all-failing": healthy(inv, dead={d.id for d in inv.devices}),
    }


def shard_snapshots(
    inv: Inventory, topology: Topology, results: list[ProbeResult], shard: Shard
) -> list[Snapshot]:
    out = []
    for s in shard.siblings():
        view = ShardView(inv, Scope.of(topology, s))
        polled = [r for r in results if r.device in view.scope.polled]
        out.append(view.restrict(topology.snapshot(polled, at=0)))
    return out


def cells(snaps: list[Snapshot]) -> Counter[tuple[str, str, str]]:
    total: Counter[tuple[str, str, str]] = Counter()
    for s in snaps:
        for c in s.coverage.cells:
            total[(c.level, c.group, "total")] += c.total
            total[(c.level, c.group, "reachable")] += c.reachable
        for c in s.coverage.by_service:
            total[("service", c.id, "total")] += c.total
            total[("service", c.id, "reachable")] += c.reachable
    return +total


def causes(snaps: list[Snapshot]) -> Counter[tuple[str, str, str, str]]:
    return Counter(
        (a.id, c.kind, c.id, c.state) for s in snaps for a in s.agencies for c in a.causes
    )


def blast(snaps: list[Snapshot]) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for s in snaps:
        for b in s.current.blast:
            out[(b.element.kind, b.element.id)] += len(b.agencies)
    return +out


@pytest.mark.parametrize("which", ["hue", "country"])
@pytest.mark.parametrize("shard", [Shard(0, 3), Shard(0, 3, "group"), Shard(0, 2, "group")])
def test_sums_over_shards_equal_one_instance(
    which: str, shard: Shard, request: pytest.FixtureRequest
) -> None:
    inv: Inventory = request.getfixturevalue(which)
    topology = Topology(inv)
    for name, results in scenarios(inv).items():
        whole = topology.snapshot(results, at=0)
        parts = shard_snapshots(inv, topology, results, shard)
        assert cells(parts) == cells([whole]), name
        assert causes(parts) == causes([whole]), name
        assert blast(parts) == blast([whole]), name
        assert sorted(a.id for s in parts for a in s.agencies) == sorted(
            a.id for a in whole.agencies
        )
        assert sorted(d.id for s in parts for d in s.devices) == sorted(d.id for d in whole.devices)
        assert sorted(lk.id for s in parts for lk in s.links) == sorted(lk.id for lk in whole.links)
        for part in parts:  # what each exports is what the whole instance says of it
            by_id = whole.agency_by_id
            assert all(a == by_id[a.id] for a in part.agencies), name
            assert all(d == whole.device_by_id[d.id] for d in part.devices), name


def test_every_probe_failing_means_no_shard_reports_a_reachable_agency(hue: Inventory) -> None:
    topology = Topology(hue)
    results = scenarios(hue)["all-failing"]
    for part in shard_snapshots(hue, topology, results, Shard(0, 3)):
        assert part.coverage.total.total > 0
        assert part.coverage.total.reachable == 0


def test_a_group_shard_of_a_country_polls_its_province_not_the_others(
    country: Inventory,
) -> None:
    topology = Topology(country)
    upstream = {d for s in country.services for d in s.devices}
    for s in Shard(0, 8, "group").siblings():
        scope = Scope.of(topology, s)
        provinces = {a.split("-")[0] for a in scope.agencies}
        # Beyond what it owns (a province core has no group: it goes to a shard by its id;
        # the national core's owner owns its uplinks to every province core), only the
        # infrastructure of its own provinces and the national core.
        ends = {e.device for lk in scope.links for e in country.link_by_id[lk].ends()}
        for d in scope.polled - upstream - scope.devices - ends:
            device = country.device_by_id[d]
            assert (device.agency or device.site or "").split("-")[0] in provinces, (s, d)
        assert scope.devices <= scope.polled


def test_every_agency_device_and_link_has_one_owner(country: Inventory) -> None:
    topology = Topology(country)
    for shard in (Shard(0, 5), Shard(0, 5, "group")):
        scopes = [Scope.of(topology, s) for s in shard.siblings()]
        for attr, every in (
            ("agencies", [a.id for a in country.agencies]),
            ("devices", [d.id for d in country.devices]),
            ("links", [lk.id for lk in country.links]),
        ):
            owners = Counter(x for sc in scopes for x in getattr(sc, attr))
            assert owners == Counter(every), attr
        sizes = dict(shard_sizes(country, shard))
        assert sizes == {str(sc.shard): len(sc.agencies) for sc in scopes}


def test_one_view_across_cycles_cuts_as_a_fresh_one(hue: Inventory) -> None:
    """ShardView keeps the shares of unchanged entries between cycles: the same result as a
    new view, whatever the order of the cycles."""
    topology = Topology(hue)
    runs = scenarios(hue)
    kept = ShardView(hue, Scope.of(topology, Shard(1, 3)))
    for name in ("healthy", "pop-dead", "healthy", "pop-isolated", "pop-dead", "all-failing"):
        snap = topology.snapshot(runs[name], at=0)
        fresh = ShardView(hue, Scope.of(topology, Shard(1, 3)))
        assert kept.restrict(snap) == fresh.restrict(snap), name
