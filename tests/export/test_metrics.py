"""The collector on hand-made cycles over real inventories: values, causes, counts, format."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from export import synth
from netmon.export.families import Family, encode, gauge
from netmon.export.metrics import Exposition, SnapshotCollector, render
from netmon.export.state import ExportState, StateHolder
from netmon.model import Endpoint, TableRead

PV = "pop-phu-vang"
# A dead PoP and the CPEs behind it that have no other way to answer.
PV_DEAD = {PV, "cpe-ubnd-phu-vang", "cpe-ubnd-phu-ho"}


def registry(state: ExportState) -> CollectorRegistry:
    reg = CollectorRegistry()  # never the global one: tests must not see each other's metrics
    reg.register(SnapshotCollector(StateHolder(state)))
    return reg


@pytest.fixture(scope="module")
def pop_down() -> CollectorRegistry:
    inv = synth.inventory()
    return registry(synth.state(inv, synth.results(inv, dead=PV_DEAD), failures=3))


def test_single_homed_agency_behind_a_dead_pop_names_the_pop(pop_down: CollectorRegistry) -> None:
    v = pop_down.get_sample_value
    labels = {"agency": "ubnd-phu-ho", "level": "commune", "group": "phu-vang"}
    assert v("netmon_agency_up", labels) == 0
    cause = {**labels, "cause_kind": "device", "cause_id": PV, "cause_state": "down"}
    assert v("netmon_agency_cut_off_cause", {**cause, "single_homed": "true"}) == 1
    assert v("netmon_agency_down", {"agency": "ubnd-phu-ho"}) == 1
    assert v("netmon_agency_consecutive_failed_cycles", {"agency": "ubnd-phu-ho"}) == 3


def test_dual_homed_agency_stays_up_and_has_no_cause(pop_down: CollectorRegistry) -> None:
    v = pop_down.get_sample_value
    assert (
        v("netmon_agency_up", {"agency": "so-tttt", "level": "province", "group": "phu-vang"}) == 1
    )
    text = generate_latest(pop_down).decode()
    assert 'netmon_agency_cut_off_cause{agency="so-tttt"' not in text
    # and it has become single-path now that one of its two PoPs is gone
    assert v("netmon_agency_single_path", {"agency": "so-tttt", "basis": "current"}) == 1
    assert v("netmon_agency_single_path", {"agency": "so-tttt", "basis": "declared"}) == 0


def test_coverage_cells_add_up_to_the_snapshot_totals() -> None:
    inv = synth.inventory(synth.FULL)
    st = synth.state(inv, synth.results(inv, dead={"pop-a-luoi", "pop-nam-dong"}))
    assert st.snapshot is not None
    families = {f.name: f for f in render(st)}
    declared = sum(v for _, v in families["netmon_coverage_agencies"].samples)
    reachable = sum(v for _, v in families["netmon_coverage_reachable_agencies"].samples)
    assert declared == st.snapshot.coverage.total.total == 467
    assert reachable == st.snapshot.coverage.total.reachable < 467
    by_level = {c.id: c.reachable for c in st.snapshot.coverage.by_level}
    for level, n in by_level.items():
        cells = families["netmon_coverage_reachable_agencies"].samples
        assert sum(v for (lv, _g), v in cells if lv == level) == n


def test_probe_failures_and_link_counters() -> None:
    inv = synth.inventory()
    rs = synth.results(
        inv, auth_failing={"cpe-ubnd-phu-bai"}, down_ifaces={Endpoint(PV, "acc3")}, octets=500
    )
    reg = registry(synth.state(inv, rs))
    v = reg.get_sample_value
    bad = {"device": "cpe-ubnd-phu-bai", "probe": "snmp"}
    assert v("netmon_probe_success", bad) == 0
    assert v("netmon_probe_failure_reason", {**bad, "reason": "authentication"}) == 1
    assert v("netmon_probe_success", {"device": "cpe-ubnd-phu-bai", "probe": "icmp"}) == 1
    end = {"link": "core-1--pop-phu-vang", "end": "b", "device": PV, "interface": "core1"}
    assert v("netmon_link_receive_bytes_total", end) == 500  # core1 is PV's interface 1
    assert v("netmon_link_transmit_bytes_total", end) == 1000
    assert v("netmon_link_transmit_discards_total", end) == 1
    cut = {"link": "pop-phu-vang--cpe-ubnd-phu-ho", "kind": "access"}
    assert v("netmon_link_up", cut) == 0
    assert v("netmon_link_capacity_bytes_per_second", cut) == 100e6 / 8
    assert (
        v("netmon_agency_up", {"agency": "ubnd-phu-ho", "level": "commune", "group": "phu-vang"})
        == 0
    )


def test_a_device_still_discovering_is_up_and_a_failed_table_is_not_a_failed_probe() -> None:
    """A PoP whose 3,271-port table takes several cycles answers every cycle: success 1,
    discovering 1, its agencies reachable; a device whose LLDP table is broken keeps its
    interfaces and says which table failed and why."""
    inv = synth.inventory()
    rs = synth.results(inv)
    cpe = next(d for d in inv.devices if d.agency is not None)
    busy = [
        TableRead("interfaces", "discovering", detail="1200 of 3271 rows after 1 cycle(s)"),
        TableRead("lldp", "discovering", detail="after interfaces"),
    ]
    broken = [TableRead("interfaces", "read"), TableRead("lldp", "failed", "malformed_reply")]
    out = []
    for r in rs:
        if r.device == cpe.id:  # SNMP only, and nothing read yet
            if r.probe == "snmp":
                out.append(replace(r, interfaces=(), neighbours=(), tables=tuple(busy)))
        elif r.device == PV and r.probe == "snmp":
            out.append(replace(r, neighbours=(), lldp_read=False, tables=tuple(broken)))
        else:
            out.append(r)
    v = registry(synth.state(inv, out)).get_sample_value
    mine = {"device": cpe.id, "probe": "snmp"}
    assert (v("netmon_probe_success", mine), v("netmon_probe_discovering", mine)) == (1, 1)
    agency = inv.agency_by_id[cpe.agency or ""]
    where = {"agency": agency.id, "level": agency.level, "group": agency.group}
    assert v("netmon_agency_up", where) == 1
    pv = {"device": PV, "probe": "snmp"}
    assert (v("netmon_probe_success", pv), v("netmon_probe_discovering", pv)) == (1, 0)
    assert v("netmon_probe_table_failed", {**pv, "table": "lldp", "reason": "malformed_reply"}) == 1
    assert (
        v("netmon_probe_table_failed", {**pv, "table": "interfaces", "reason": "malformed_reply"})
        is None
    )


def test_before_the_first_cycle_only_the_service_speaks() -> None:
    reg = registry(ExportState(synth.facts()))
    assert reg.get_sample_value("netmon_inventory_load_success") == 1
    assert reg.get_sample_value("netmon_cycles_total") == 0
    text = generate_latest(reg).decode()
    assert "netmon_agency_up" not in text and "netmon_probe_success" not in text


def test_reload_failure_is_a_metric() -> None:
    st = ExportState(synth.facts())
    bad = replace(
        st.facts,
        reloads=2,
        reload_failures=1,
        inventory=replace(st.facts.inventory, ok=False, error="x.yaml:1:1: broken"),
    )
    reg = registry(replace(st, facts=bad))
    assert reg.get_sample_value("netmon_inventory_load_success") == 0
    assert reg.get_sample_value("netmon_reload_failures_total") == 1
    assert "broken" not in generate_latest(reg).decode()  # errors go to logs, not labels


def test_fast_encoder_says_what_prometheus_client_says() -> None:
    inv = synth.inventory()
    st = synth.state(inv, synth.results(inv, dead={PV}), failures=3)
    ours = text_string_to_metric_families(encode(render(st)).decode())
    theirs = text_string_to_metric_families(generate_latest(registry(st)).decode())
    flat = lambda fams: sorted(  # noqa: E731
        (s.name, tuple(sorted(s.labels.items())), s.value) for f in fams for s in f.samples
    )
    a, b = flat(ours), flat(theirs)
    assert a == b and len(a) > 300


def test_label_values_are_escaped() -> None:
    f = gauge("netmon_test_info", "help with \\ and\nnewline", ["name"])
    f.add(['say "hi" \\ bye\nnow'], 1)
    fams = list(text_string_to_metric_families(encode([f]).decode()))
    assert fams[0].samples[0].labels["name"] == 'say "hi" \\ bye\nnow'


def test_wrong_label_count_is_refused() -> None:
    f = Family("netmon_x", "gauge", "x", ("a", "b"))
    f.add(["only-one"], 1)
    with pytest.raises(ValueError, match="label values"):
        encode([f])


def test_exposition_is_rendered_once_per_state() -> None:
    inv = synth.inventory()
    holder = StateHolder(synth.state(inv, synth.results(inv)))
    exp = Exposition(holder)
    first = exp.body()
    assert exp.body() is first  # cached: a scrape costs nothing between cycles
    holder.set(synth.state(inv, synth.results(inv, dead={PV})))
    assert exp.body() != first


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_promtool_check_metrics_is_clean_for_467_agencies() -> None:
    inv = synth.inventory(synth.FULL)
    st = synth.state(
        inv, synth.results(inv, dead={"pop-hue"}, auth_failing={"pop-a-luoi"}), failures=3
    )
    body = encode(render(st))
    done = subprocess.run(
        ["promtool", "check", "metrics"], input=body, capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert b"netmon_agency_cut_off_cause{" in body


def test_every_metric_is_documented() -> None:
    inv = synth.inventory()
    rs = synth.results(inv, dead=PV_DEAD, auth_failing={"cpe-ubnd-phu-bai"})
    doc = (synth.REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    for family in render(synth.state(inv, rs, failures=3)):
        assert f"`{family.name}`" in doc, f"{family.name} missing from docs/metrics.md"
        for label in family.labels:
            assert label in doc, (family.name, label)
