"""The detail dashboards: one agency, the topology (Node Graph), netmon's own health."""

from __future__ import annotations

from grafana_foundation_sdk.builders import nodegraph
from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.builders.dashboard import DatasourceVariable as DsVar
from grafana_foundation_sdk.models.common import BigValueColorMode, BigValueTextMode
from grafana_foundation_sdk.models.dashboard import (
    DataTransformerConfig,
)

from netmon.gen.dashboards.panels import (
    INFINITY,
    PROM,
    Infinity,
    board,
    label_variable,
    netmon_url_variable,
    q,
    series,
    stat_panel,
    states,
    table_panel,
)
from netmon.gen.dashboards.words import (
    BASIS_NAMES,
    CAUSE_WORDS,
    LOADED,
    MAP_AGENCY,
    OK_FAILED,
    SINGLE_PATH,
    UP_DOWN,
    display,
    link,
    organize,
)

# The agency picker shows names and keeps ids: query_result lists the info series, whose
# labels come sorted (agency before name); the regex takes the id as value, the name as text.
AGENCY_PICKER = r'/agency="(?<value>[^"]+)".*[{,]name="(?<text>[^"]+)"/'


def agency() -> Dashboard:
    a = 'agency="$agency"'
    dev = f"on(job, instance, device) group_left(agency) netmon_device_info{{{a}}}"
    cause = (
        f"max by (cause_kind, cause_id, cause_state, single_homed) "
        f"(netmon_agency_cut_off_cause{{{a}}})"
    )
    single = stat_panel(
        "Một đường / Single path",
        "Cơ quan có điểm lỗi đơn không: theo thiết kế và hiện tại. "
        "Whether the agency has a single point of failure: by design and now.",
        q(f"netmon_agency_single_path{{{a}}}", "{{basis}}"),
        unit="none",
    ).mappings(SINGLE_PATH)
    for basis, name in BASIS_NAMES.items():
        single = single.override_by_name(basis, display(name))
    return (
        board(
            "netmon-agency",
            "MetroNet — Chi tiết cơ quan / Agency drill-down",
            "Một cơ quan: kết nối, nguyên nhân, thăm dò, đường truyền. "
            "One agency: reachability, cause, probes, links.",
        )
        .with_variable(
            label_variable(
                "agency",
                "Cơ quan / Agency",
                "query_result(netmon_agency_info)",
                regex=AGENCY_PICKER,
            )
        )
        .with_variable(netmon_url_variable())
        .with_panel(
            stat_panel(
                "Cơ quan / Agency",
                "Tên, khu vực và cấp của cơ quan đang xem; bấm để mở trên bản đồ. "
                "The agency shown, its district and level; click for the map.",
                q(f"netmon_agency_info{{{a}}}", "{{name}}"),
                unit="none",
            )
            .text_mode(BigValueTextMode.NAME)
            .color_mode(BigValueColorMode.NONE)
            .data_links([link("Bản đồ / Map", MAP_AGENCY.format("$agency"))])
            .span(12)
        )
        .with_panel(
            stat_panel(
                "Kết nối / Reachable",
                "Cơ quan có đường tới trung tâm không. Whether the agency reaches the core.",
                q(f"netmon_agency_up{{{a}}}", "kết nối / reachable"),
                unit="none",
            ).mappings(UP_DOWN)
        )
        .with_panel(
            stat_panel(
                "Chu kỳ lỗi liên tiếp / Failed cycles in a row",
                "Số chu kỳ liên tiếp không thăm dò được. Cycles in a row with no answer.",
                q(f"netmon_agency_consecutive_failed_cycles{{{a}}}", "chu kỳ / cycles"),
            )
        )
        .with_panel(single)
        .with_panel(
            stat_panel(
                "Dịch vụ / Services",
                "Truy cập được dịch vụ (mạng chuyên dùng, Internet) không. "
                "Whether it reaches each upstream service.",
                q(
                    f"netmon_agency_service_up{{{a}}} * on(job, instance, service)"
                    " group_left(name) netmon_service_info",
                    "{{name}}",
                ),
                unit="none",
            ).mappings(UP_DOWN)
        )
        .with_panel(
            table_panel(
                "Nguyên nhân / Cause",
                "Phần tử làm cơ quan mất kết nối (không có dòng nào khi cơ quan kết nối). "
                "The element cutting it off (no row while it is reachable).",
                q(cause, instant=True, table_format=True),
            )
            .with_transformation(
                organize(
                    {
                        "cause_kind": "Loại / Kind",
                        "cause_id": "Nguyên nhân / Cause",
                        "cause_state": "Tình trạng / State",
                        "single_homed": "Đường / Paths",
                    }
                )
            )
            .mappings(CAUSE_WORDS)
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
            states(
                "Thăm dò thành công / Probe success",
                "Từng lần thăm dò theo thời gian: xanh thành công, đỏ thất bại. "
                "Each probe over time: green succeeded, red failed.",
                q(f"netmon_probe_success * {dev}", "{{device}} {{probe}}"),
            ).mappings(OK_FAILED)
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
        .with_variable(netmon_url_variable())
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
                unit="none",
            ).mappings(UP_DOWN)
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
                "Nạp danh mục và cấu hình / Inventory and config loaded",
                "Lần nạp gần nhất (khởi động hoặc nạp lại) có thành công không; bị từ chối thì "
                "netmon giữ cấu hình cũ. Whether the last load succeeded (the old state is kept "
                "when it is refused).",
                q("netmon_inventory_load_success", "danh mục / inventory"),
                q("netmon_config_load_success", "cấu hình / config"),
                unit="none",
            ).mappings(LOADED)
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
                unit="s",
            )
        )
        .with_panel(
            series(
                "Số chuỗi mỗi lần thu thập / Samples per scrape",
                "Số mẫu Prometheus nhận mỗi lần lấy /metrics (tăng theo số thiết bị, đường "
                "truyền). Samples in each scrape of /metrics (grows with devices and links).",
                q(f"scrape_samples_scraped{{{job}}}", "{{instance}}"),
                unit="short",
            )
        )
        .with_panel(
            stat_panel(
                "Phiên bản / Version",
                "Phiên bản netmon đang chạy. The netmon version running.",
                q("netmon_build_info", "{{version}}"),
                unit="none",
            )
            .text_mode(BigValueTextMode.NAME)
            .color_mode(BigValueColorMode.NONE)
        )
    )
