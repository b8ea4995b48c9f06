"""The Snapshot is immutable and survives a trip through JSON unchanged."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from netmon.model import Snapshot, snapshot_from_json, snapshot_to_json
from netmon.topology import build_snapshot
from topology.net import healthy, metronet
from topology.test_drift import seeded


def busy_snapshot() -> Snapshot:
    """Every kind of value filled: drift, discovered links, causes, interfaces, services cut."""
    inv, results = seeded()
    dead = {r.device for r in results if r.device == "pop-huong-tra"}
    results = [
        r if r.device not in dead else dataclasses.replace(r, success=False, reason="timeout")
        for r in results
    ]
    return build_snapshot(inv, results, at=1764000000.5)


def test_round_trip_is_lossless() -> None:
    snap = busy_snapshot()
    assert snap.drift and snap.discovered and snap.cut_off() and snap.cut_off()[0].causes
    text = snapshot_to_json(snap)
    back = snapshot_from_json(text)
    assert back == snap
    assert snapshot_to_json(back) == text
    assert "Thừa Thiên Huế" in text  # UTF-8, not \\u escapes


def test_declared_design_round_trips_too() -> None:
    snap = build_snapshot(metronet().inventory(), at=0)
    assert snapshot_from_json(snapshot_to_json(snap, indent=2)) == snap


def test_snapshot_is_frozen() -> None:
    snap = build_snapshot(metronet().inventory(), healthy(metronet().inventory()), at=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.at = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.agencies[0].reachable = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("format"), "not a netmon-snapshot/1"),
        (lambda d: d.update(format="netmon-snapshot/0"), "not a netmon-snapshot/1"),
        (lambda d: d["agencies"][0].update(reachable="yes"), "snapshot.agencies[0].reachable"),
        (lambda d: d["links"][0].update(status="flapping"), "snapshot.links[0].status"),
        (lambda d: d["coverage"].pop("total"), "snapshot.coverage"),
        (lambda d: d.update(at="noon"), "snapshot.at: 'noon' is not a float"),
        (lambda d: d.update(devices={}), "snapshot.devices: expected a list"),
        (lambda d: d["links"].insert(1, None), "snapshot.links[1]: expected an object"),
        (
            lambda d: _cut_off(d)["causes"][0].update(state="gone"),
            "snapshot.agencies[*].causes[0].state: 'gone' is not one of ('down', 'isolated')",
        ),
        (
            lambda d: d["declared"]["blast"][1].update(agencies=["a", 7]),
            "snapshot.declared.blast[1].agencies[1]: 7 is not a str",
        ),
    ],
)
def test_a_damaged_file_is_refused_with_where(mutate: object, message: str) -> None:
    data = json.loads(snapshot_to_json(busy_snapshot()))
    mutate(data)  # type: ignore[operator]
    if "[*]" in message:  # the first agency cut off
        at = next(i for i, a in enumerate(data["agencies"]) if a["causes"])
        message = message.replace("[*]", f"[{at}]")
    with pytest.raises(ValueError, match=re.escape(message)):
        snapshot_from_json(json.dumps(data))


def _cut_off(data: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in data["agencies"] if a["causes"])


def test_merged_graph_records_where_each_edge_came_from() -> None:
    from netmon.topology import merged_graph

    snap = busy_snapshot()
    g = merged_graph(snap)
    origins = {k: d["origin"] for _, _, k, d in g.edges(keys=True, data=True)}
    assert {k: v for k, v in origins.items() if k in snap.link_by_id} == {
        lk.id: lk.origin for lk in snap.links
    }
    assert set(origins.values()) == {"declared", "discovered", "both"}
    assert len(origins) == len(snap.links) + len(snap.discovered)
