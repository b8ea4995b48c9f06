"""One `promtool test rules` case per alert: input series, when, and the alerts expected.

Written by hand: the labels each alert must carry, and a time before `for:` has elapsed or a
neighbouring series that must not fire. Expected annotations are the rule's templates with
the expected labels filled in, so a template that names a label the alert does not carry
fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass

J = {"job": "netmon", "instance": "127.0.0.1:10467"}
Labels = dict[str, str]


def sel(metric: str, /, **labels: str) -> str:
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


@dataclass(frozen=True)
class Case:
    alert: str
    series: tuple[tuple[str, str], ...]
    checks: tuple[tuple[str, tuple[Labels, ...]], ...]  # (eval_time, expected alerts' labels)


_HO = {"agency": "ubnd-phu-ho", "level": "commune", "group": "phu-vang"}
_CAUSE = {
    **_HO,
    "cause_kind": "device",
    "cause_id": "pop-phu-vang",
    "cause_state": "isolated",
    "single_homed": "true",
}
_LINK = {"link": "pop-phu-vang--cpe-ubnd-phu-ho"}
_END = {**_LINK, "end": "a", "device": "pop-phu-vang", "interface": "acc3"}
_SO = {"agency": "so-tttt", "level": "province", "group": "phu-vang"}
_SO_CAUSE = {
    **_SO,
    "cause_kind": "link",
    "cause_id": "pop-phu-vang--cpe-so-tttt",
    "cause_state": "down",
    "single_homed": "false",
}
_NEW = {"agency": "tram-y-te-moi", "level": "commune", "group": "phu-vang"}
_NONE_CAUSE = {
    **_NEW,
    "cause_kind": "none",
    "cause_id": "none",
    "cause_state": "down",
    "single_homed": "false",
}
_PV_GROUP = {"group": "phu-vang", "name": "Huyện Phú Vang", "kind": "district"}
_BEHIND_LINK = {
    "device": "pop-phu-vang",
    "role": "pop",
    "cause_kind": "link",
    "cause_id": "core-1--pop-phu-vang",
    "cause_state": "down",
}
_BEHIND_CORE = {
    "device": "pop-phu-loc",
    "role": "pop",
    "cause_kind": "device",
    "cause_id": "core-2",
    "cause_state": "down",
}
_B = {"job": "netmon", "instance": "127.0.0.2:10467"}
_INV = {"inventory": "MetroNet Huế"}
_D = {"job": "netmon", "instance": "127.0.0.4:10467", "inventory": "MetroNet Đà Nẵng"}
_C = {"job": "netmon", "instance": "127.0.0.3:10467"}

CASES: tuple[Case, ...] = (
    Case(
        "AgencyUnreachable",
        (
            # cut off from 1m (the series exists only while the agency is cut off)
            (sel("netmon_agency_cut_off_cause", **J, **_CAUSE), "_ _ 1x8"),
            # dual-homed, both paths gone: a link is named, never inhibited
            (sel("netmon_agency_cut_off_cause", **J, **_SO_CAUSE), "_ _ 1x8"),
            # no path declared at all
            (sel("netmon_agency_cut_off_cause", **J, **_NONE_CAUSE), "_ _ 1x8"),
            (sel("netmon_agency_info", **J, **_HO, name="UBND xã Phú Hồ"), "1x10"),
            (sel("netmon_agency_info", **J, **_SO, name="Sở TTTT"), "1x10"),
            (sel("netmon_agency_info", **J, **_NEW, name="Trạm Y tế xã Mới"), "1x10"),
            (sel("netmon_group_info", **J, **_PV_GROUP), "1x10"),
        ),
        (
            ("1m", ()),
            (
                "2m",
                (
                    {**J, **_CAUSE, "name": "UBND xã Phú Hồ", "group_name": "Huyện Phú Vang"},
                    {**J, **_SO_CAUSE, "name": "Sở TTTT", "group_name": "Huyện Phú Vang"},
                    {
                        **J,
                        **_NONE_CAUSE,
                        "name": "Trạm Y tế xã Mới",
                        "group_name": "Huyện Phú Vang",
                    },
                ),
            ),
        ),
    ),
    Case(
        "PoPDown",
        (
            (sel("netmon_device_reachable", **J, device="pop-phu-vang", role="pop"), "1 0x10"),
            (sel("netmon_device_reachable", **J, device="pop-huong-thuy", role="pop"), "1x10"),
            (sel("netmon_device_reachable", **J, device="cpe-ubnd-phu-ho", role="cpe"), "0x10"),
            # In-band: silent behind its own cut uplinks, it is the failure the NOC sees: pages.
            (sel("netmon_device_unreachable_cause", **J, **_BEHIND_LINK), "_ 1x9"),
            # Silent behind a dead core: the core explains it, no PoPDown for it.
            (sel("netmon_device_reachable", **J, device="pop-phu-loc", role="pop"), "1 0x10"),
            (sel("netmon_device_unreachable_cause", **J, **_BEHIND_CORE), "_ 1x9"),
        ),
        (
            ("1m", ()),
            (
                "1m30s",
                (
                    {
                        **J,
                        "device": "pop-phu-vang",
                        "role": "pop",
                        "cause_kind": "device",
                        "cause_id": "pop-phu-vang",
                    },
                ),
            ),
        ),
    ),
    Case(
        "UplinkDown",
        (
            (sel("netmon_link_up", **J, link="core-1--pop-phu-vang", kind="ring"), "1 0x10"),
            (sel("netmon_link_up", **J, **_LINK, kind="access"), "0x10"),
        ),
        (
            ("1m", ()),
            (
                "2m",
                (
                    {
                        **J,
                        "link": "core-1--pop-phu-vang",
                        "kind": "ring",
                        "cause_kind": "link",
                        "cause_id": "core-1--pop-phu-vang",
                    },
                ),
            ),
        ),
    ),
    Case(
        "CoverageBelowTarget",
        (  # two shards: 467 agencies in all, 10 of the first shard's cut off from 1m
            (sel("netmon_shard_agencies", **J, **_INV, shard="0/2"), "100x20"),
            (sel("netmon_shard_agencies", **J, **_INV, shard="1/2"), "367x20"),
            (sel("netmon_shard_agencies", **_B, **_INV, shard="0/2"), "100x20"),
            (sel("netmon_shard_agencies", **_B, **_INV, shard="1/2"), "367x20"),
            (sel("netmon_coverage_agencies", **J, level="commune", group="phu-vang"), "100x20"),
            (
                sel("netmon_coverage_reachable_agencies", **J, level="commune", group="phu-vang"),
                "100 100 90x18",
            ),
            (sel("netmon_coverage_agencies", **_B, level="province", group="hue"), "367x20"),
            (
                sel("netmon_coverage_reachable_agencies", **_B, level="province", group="hue"),
                "367x20",
            ),
        ),
        (("5m", ()), ("7m", ({},))),
    ),
    Case(
        "SinglePathAgency",
        (
            (sel("netmon_agency_single_path", **J, agency="so-tttt", basis="current"), "0 1x40"),
            (sel("netmon_agency_single_path", **J, agency="so-tttt", basis="declared"), "0x41"),
            (sel("netmon_agency_single_path", **J, **_LINK, basis="current"), "1x41"),
            (sel("netmon_agency_single_path", **J, **_LINK, basis="declared"), "1x41"),
            (sel("netmon_agency_info", **J, **_SO, name="Sở TTTT"), "1x41"),
        ),
        (
            ("10m", ()),
            (
                "16m",
                ({**J, "agency": "so-tttt", "basis": "current", "name": "Sở TTTT"},),
            ),
        ),
    ),
    Case(
        "LinkErrors",
        (
            (sel("netmon_link_receive_errors_total", **J, **_END), "0+120x40"),
            (sel("netmon_link_transmit_errors_total", **J, **_END), "0x40"),
            (sel("netmon_link_receive_errors_total", **J, **{**_END, "link": "ok"}), "0+3x40"),
            (sel("netmon_link_transmit_errors_total", **J, **{**_END, "link": "ok"}), "0x40"),
        ),
        (("15m", ({**J, **_LINK},)),),
    ),
    Case(
        "LinkSaturated",
        (
            (
                sel("netmon_link_capacity_bytes_per_second", **J, **_LINK, kind="access"),
                "12500000x60",
            ),
            (sel("netmon_link_transmit_bytes_total", **J, **_END), "0+360000000x60"),
            (sel("netmon_link_receive_bytes_total", **J, **_END), "0+3600000x60"),
        ),
        (("10m", ()), ("22m", ({**J, **_LINK, "kind": "access"},))),
    ),
    Case(
        "ProbeAuthFailing",
        (
            (
                sel(
                    "netmon_probe_failure_reason",
                    **J,
                    device="cpe-ubnd-phu-bai",
                    probe="snmp",
                    reason="authentication",
                ),
                "1x30",
            ),
            (sel("netmon_device_up", **J, device="cpe-ubnd-phu-bai", role="cpe"), "1x30"),
            (  # SNMPv3 replies outside the time window: a replay, or an agent whose boots latched
                sel(
                    "netmon_probe_failure_reason",
                    **J,
                    device="cpe-so-tttt",
                    probe="snmp",
                    reason="not_in_time_window",
                ),
                "1x30",
            ),
            (sel("netmon_device_up", **J, device="cpe-so-tttt", role="cpe"), "1x30"),
            (  # a dead device's probes fail for every reason: not an auth problem to report
                sel(
                    "netmon_probe_failure_reason",
                    **J,
                    device="cpe-dead",
                    probe="ssh",
                    reason="host_key",
                ),
                "1x30",
            ),
            (sel("netmon_device_up", **J, device="cpe-dead", role="cpe"), "0x30"),
        ),
        (
            (
                "11m",
                (
                    {
                        **J,
                        "device": "cpe-ubnd-phu-bai",
                        "probe": "snmp",
                        "reason": "authentication",
                    },
                    {**J, "device": "cpe-so-tttt", "probe": "snmp", "reason": "not_in_time_window"},
                ),
            ),
        ),
    ),
    Case(
        "TopologyDrift",
        (
            (sel("netmon_topology_drift", **J, kind="missing"), "0 1x70"),
            (sel("netmon_topology_drift", **J, kind="undeclared"), "0x70"),
        ),
        (("20m", ()), ("32m", ({**J, "kind": "missing"},))),
    ),
    Case(
        "CoreDown",
        (
            (sel("netmon_device_up", **J, device="core-1", role="core"), "1 0x10"),
            (sel("netmon_device_up", **J, device="core-2", role="core"), "1x10"),
            (sel("netmon_device_up", **J, device="pop-hue", role="pop"), "0x10"),
        ),
        (
            ("1m", ()),
            (
                "1m30s",
                (
                    {
                        **J,
                        "device": "core-1",
                        "role": "core",
                        "cause_kind": "device",
                        "cause_id": "core-1",
                    },
                ),
            ),
        ),
    ),
    Case(
        "ServiceUnreachable",
        (  # the Internet gateway lost from 30s on; the dedicated network still reached
            (sel("netmon_service_coverage_agencies", **J, service="internet"), "425x10"),
            (sel("netmon_service_coverage_reachable_agencies", **J, service="internet"), "425 0x9"),
            (sel("netmon_service_coverage_agencies", **J, service="tslcd"), "467x10"),
            (sel("netmon_service_coverage_reachable_agencies", **J, service="tslcd"), "466x10"),
            (
                sel("netmon_service_info", **J, service="internet", name="Cổng Internet tập trung"),
                "1x10",
            ),
            (sel("netmon_service_info", **J, service="tslcd", name="Mạng chuyên dùng"), "1x10"),
        ),
        (
            ("1m", ()),
            ("2m", ({**J, "service": "internet", "name": "Cổng Internet tập trung"},)),
        ),
    ),
    Case(
        "ProbeCredentialsUnusable",
        (  # the SNMP secret file vanished: every SNMP probe fails with "credentials"
            (
                sel(
                    "netmon_probe_failure_reason",
                    **J,
                    device="cpe-a",
                    probe="snmp",
                    reason="credentials",
                ),
                "1x20",
            ),
            (
                sel(
                    "netmon_probe_failure_reason",
                    **J,
                    device="cpe-b",
                    probe="snmp",
                    reason="credentials",
                ),
                "1x20",
            ),
            (  # a device refusing netmon is another alert (ProbeAuthFailing)
                sel(
                    "netmon_probe_failure_reason",
                    **J,
                    device="cpe-c",
                    probe="ssh",
                    reason="authentication",
                ),
                "1x20",
            ),
        ),
        (("4m", ()), ("6m", ({**J, "probe": "snmp"},))),
    ),
    Case(
        "NetmonConfigRejected",
        (  # J: a reload of config.yaml refused at 30s; B: its inventory refused; C: fine
            (sel("netmon_config_load_success", **J), "1 0x10"),
            (sel("netmon_inventory_load_success", **J), "1x10"),
            (sel("netmon_config_load_success", **_B), "1x10"),
            (sel("netmon_inventory_load_success", **_B), "0x10"),
            (sel("netmon_config_load_success", **_C), "1x10"),
            (sel("netmon_inventory_load_success", **_C), "1x10"),
        ),
        (
            ("30s", ()),
            ("2m", ({**J, "file": "config"}, {**_B, "file": "inventory"})),
        ),
    ),
    Case(
        "NetmonCycleStale",
        (  # J stopped cycling at 0 s; B cycles every 30 s; C never finished its first cycle
            (sel("netmon_cycle_last_timestamp_seconds", **J), "0x20"),
            (sel("netmon_cycle_interval_seconds", **J), "30x20"),
            (sel("netmon_start_time_seconds", **J), "0x20"),
            (sel("netmon_cycle_last_timestamp_seconds", **_B), "0+30x20"),
            (sel("netmon_cycle_interval_seconds", **_B), "30x20"),
            (sel("netmon_start_time_seconds", **_B), "0x20"),
            (sel("netmon_cycle_interval_seconds", **_C), "30x20"),
            (sel("netmon_start_time_seconds", **_C), "0x20"),
        ),
        (("2m", ()), ("5m", (J, _C))),
    ),
    Case(
        "NetmonShardDown",
        (  # three shards; the third stops at 2m (its series go stale): the others still say
            # it owns 150 agencies
            *(
                (sel("netmon_shard_agencies", **inst, **_INV, shard=f"{i}/3"), f"{n}x20")
                for inst in (J, _B, _C)
                for i, n in enumerate((160, 157, 150))
            ),
            (sel("netmon_shard_info", **J, **_INV, shard="0/3", by="hash"), "1x20"),
            (sel("netmon_shard_info", **_B, **_INV, shard="1/3", by="hash"), "1x20"),
            (sel("netmon_shard_info", **_C, **_INV, shard="2/3", by="hash"), "1 1 1 1 stale"),
            # another inventory's instance, shard 2/3 of its own, does not stand in for it
            (sel("netmon_shard_agencies", **_D, shard="2/3"), "9x20"),
            (sel("netmon_shard_info", **_D, shard="2/3", by="hash"), "1x20"),
        ),
        (("2m30s", ()), ("4m", ({**_INV, "shard": "2/3"},))),
    ),
    Case(
        "NetmonDown",
        (
            (sel("up", **J), "1 0x10"),
            (sel("up", **_B), "1x10"),
        ),
        (("1m", ()), ("3m", (J,))),
    ),
)
