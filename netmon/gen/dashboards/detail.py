"""The detail dashboards: one agency, the topology (Node Graph), netmon's own health."""

from __future__ import annotations

from grafana_foundation_sdk.builders import nodegraph
from grafana_foundation_sdk.builders.dashboard import Dashboard, TextBoxVariable
from grafana_foundation_sdk.builders.dashboard import DatasourceVariable as DsVar
from grafana_foundation_sdk.models.dashboard import (
    DataTransformerConfig,
    RangeMap,
    RegexMap,
    SpecialValueMap,
    ValueMap,
    ValueMappingResult,
)

from netmon.gen.dashboards.panels import (
    INFINITY,
    PROM,
    Infinity,
    board,
    label_variable,
    q,
    series,
    stat_panel,
    table_panel,
)


def _up_down() -> list[ValueMap | RangeMap | RegexMap | SpecialValueMap]:
    return [
        ValueMap(
            options={
                "1": ValueMappingResult(text="Có / up", color="green"),
                "0": ValueMappingResult(text="Mất / down", color="red"),
            }
        )
    ]


def agency() -> Dashboard:
    a = 'agency="$agency"'
    dev = f"on(job, instance, device) group_left(agency) netmon_device_info{{{a}}}"
    return (
        board(
            "netmon-agency",
            "MetroNet — Chi tiết cơ quan / Agency drill-down",
            "Một cơ quan: kết nối, nguyên nhân, thăm dò, đường truyền. "
            "One agency: reachability, cause, probes, links.",
        )
        .with_variable(
            label_variable("agency", "Cơ quan / Agency", "label_values(netmon_agency_info, agency)")
        )
        .with_panel(
            stat_panel(
                "Kết nối / Reachable",
                "Cơ quan có đường tới trung tâm không. Whether the agency reaches the core.",
                q(f"netmon_agency_up{{{a}}}", "{{agency}}"),
            ).mappings(_up_down())
        )
        .with_panel(
            stat_panel(
                "Chu kỳ lỗi liên tiếp / Failed cycles in a row",
                "Số chu kỳ liên tiếp không thăm dò được. Cycles in a row with no answer.",
                q(f"netmon_agency_consecutive_failed_cycles{{{a}}}", "{{agency}}"),
            )
        )
        .with_panel(
            stat_panel(
                "Một đường / Single path",
                "1: có điểm lỗi đơn. 1: has a single point of failure.",
                q(f"netmon_agency_single_path{{{a}}}", "{{basis}}"),
            )
        )
        .with_panel(
            stat_panel(
                "Dịch vụ / Services",
                "Truy cập được dịch vụ (TSLCD, Internet). Reaches each upstream service.",
                q(f"netmon_agency_service_up{{{a}}}", "{{service}}"),
            ).mappings(_up_down())
        )
        .with_panel(
            table_panel(
                "Nguyên nhân / Cause",
                "Phần tử gây mất kết nối (nếu có). The element cutting it off, if any.",
                q(f"netmon_agency_cut_off_cause{{{a}}}", instant=True, table_format=True),
            )
        )
        .with_panel(
            series(
                "Thời gian thăm dò / Probe duration",
                "Thời gian mỗi lần thăm dò. How long each probe took.",
                q(f"netmon_probe_duration_seconds * {dev}", "{{device}} {{probe}}"),
                unit="s",
            )
        )
        .with_panel(
            series(
                "Thăm dò thành công / Probe success",
                "1 thành công, 0 thất bại. 1 success, 0 failure.",
                q(f"netmon_probe_success * {dev}", "{{device}} {{probe}}"),
            )
        )
        .with_panel(
            series(
                "Lưu lượng đường truy nhập / Access link traffic",
                "Bit mỗi giây ở các đầu thuộc cơ quan. Bits per second at the agency's ends.",
                q(f"rate(netmon_link_receive_bytes_total[5m]) * 8 * {dev}", "{{link}} in"),
                q(f"rate(netmon_link_transmit_bytes_total[5m]) * 8 * {dev}", "{{link}} out"),
                unit="bps",
            )
        )
    )


def topology() -> Dashboard:
    base = "${netmon_url}"
    graph = (
        nodegraph.Panel()
        .datasource(INFINITY)
        .description(
            "Thiết bị và đường truyền, tô màu theo trạng thái; nét đứt: LLDP thấy nhưng chưa "
            "khai báo. Devices and links coloured by state; dashed: seen by LLDP, not declared."
        )
        .title("Sơ đồ chi tiết của một netmon / One netmon's detailed topology")
        .with_target(Infinity("nodes", f"{base}/topology/nodes.json", "node-graph-nodes"))
        .with_target(Infinity("edges", f"{base}/topology/edges.json", "node-graph-edges"))
        .height(22)
        .span(24)
    )
    return (
        board(
            "netmon-topology",
            "MetroNet — Sơ đồ mạng / Topology",
            "Sơ đồ toàn mạng từ Prometheus (mọi phân vùng), và sơ đồ chi tiết của một netmon "
            "qua Infinity. The whole network from Prometheus (every shard), and one netmon's "
            "detailed graph from its JSON through the Infinity datasource.",
        )
        .with_panel(_across_shards())
        .with_variable(DsVar("infinity").label("Infinity").type("yesoreyeram-infinity-datasource"))
        .with_variable(
            TextBoxVariable("netmon_url")
            .label("netmon URL")
            .default_value("http://127.0.0.1:10467")
        )
        .with_panel(graph)
    )


# Every device and link is exported by exactly one shard (its owner), so the union over the
# instances is the whole network, and `max by` only drops the job and instance labels.
NODES_EXPR = "max by (device, role) (netmon_device_reachable)"
EDGES_EXPR = (
    "max by (link, a_device, b_device) (netmon_link_info"
    " * on(job, instance, link) group_left netmon_link_up)"
)


def _across_shards() -> nodegraph.Panel:
    """The Node Graph panel fed by Prometheus: frames with refId nodes and edges, their label
    columns renamed to the fields the panel reads (id, source, target, mainstat)."""
    rename = DataTransformerConfig(
        id_val="organize",
        options={
            "renameByName": {
                "device": "id",
                "role": "subtitle",
                "link": "id",
                "a_device": "source",
                "b_device": "target",
                "Value": "mainstat",
            },
            "excludeByName": {"Time": True},
        },
    )
    return (
        nodegraph.Panel()
        .title("Toàn mạng, mọi phân vùng / Whole network, every shard")
        .description(
            "Thiết bị (1: có đường từ lõi dịch vụ) và đường truyền (1: hoạt động) do các netmon "
            "sở hữu xuất ra. Devices (1: a path from where the services attach) and links "
            "(1: up), as each owner exports them."
        )
        .datasource(PROM)
        .with_target(q(NODES_EXPR, instant=True, table_format=True).ref_id("nodes"))
        .with_target(q(EDGES_EXPR, instant=True, table_format=True).ref_id("edges"))
        .with_transformation(rename)
        .height(22)
        .span(24)
    )


def health() -> Dashboard:
    job = 'job=~"netmon.*"'
    return (
        board(
            "netmon-health",
            "netmon — Tình trạng hệ thống giám sát / Self-health",
            "Bản thân netmon: chu kỳ, tải lại cấu hình, thăm dò lỗi. "
            "netmon itself: cycles, reloads, failing probes.",
        )
        .with_panel(
            stat_panel(
                "Đang chạy / Up",
                "Prometheus thu thập được từ netmon. Prometheus can scrape netmon.",
                q(f"up{{{job}}}", "{{instance}}"),
            ).mappings(_up_down())
        )
        .with_panel(
            stat_panel(
                "Chu kỳ gần nhất / Last cycle age",
                "Số giây từ khi chu kỳ gần nhất kết thúc. Seconds since the last cycle ended.",
                q("time() - netmon_cycle_last_timestamp_seconds", "{{instance}}"),
                unit="s",
            )
        )
        .with_panel(
            stat_panel(
                "Tải danh mục / Inventory loaded",
                "1: lần tải gần nhất thành công. 1: last load succeeded.",
                q("netmon_inventory_load_success", "inventory"),
                q("netmon_config_load_success", "config"),
            ).mappings(_up_down())
        )
        .with_panel(
            stat_panel(
                "Tải lại lỗi (1 giờ) / Reload failures (1h)",
                "Lần tải lại bị từ chối. Reloads refused (the old state was kept).",
                q("increase(netmon_reload_failures_total[1h])", "{{instance}}"),
            )
        )
        .with_panel(
            series(
                "Thời gian chu kỳ / Cycle duration",
                "So với hạn chót của chu kỳ. Against the cycle deadline.",
                q("netmon_cycle_duration_seconds", "{{instance}}"),
                q("netmon_cycle_deadline_seconds", "deadline {{instance}}"),
                unit="s",
            )
        )
        .with_panel(
            series(
                "Thăm dò lỗi / Failing probes",
                "Số thăm dò lỗi theo loại và lý do. Failing probes by kind and reason.",
                q("sum by (probe, reason) (netmon_probe_failure_reason)", "{{probe}} {{reason}}"),
                q("increase(netmon_cycle_deadline_overruns_total[1h])", "deadline overruns/h"),
            )
        )
        .with_panel(
            series(
                "Thời gian thu thập / Scrape duration",
                "Thời gian Prometheus lấy /metrics. How long scraping /metrics takes.",
                q(f"scrape_duration_seconds{{{job}}}", "{{instance}}"),
                q(f"scrape_samples_scraped{{{job}}} / 10000", "samples/10k {{instance}}"),
                unit="s",
            )
        )
        .with_panel(
            stat_panel(
                "Phiên bản / Version",
                "Phiên bản netmon đang chạy. The netmon version running.",
                q("netmon_build_info", "{{version}}"),
            )
        )
    )
