"""The overview dashboards: coverage and incidents, links.

Every PromQL here (and in detail.py) is run against a real Prometheus by the integration test
(tests/exporters/test_prometheus.py), so a renamed metric breaks a test. Names people read
(districts, levels, services, agencies) are joined from the `*_info` metrics, never slugs.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from netmon.gen.dashboards.panels import (
    bars,
    board,
    label_variable,
    netmon_url_variable,
    q,
    series,
    stat_panel,
    table_panel,
)
from netmon.gen.dashboards.words import (
    AGENCY_BOARD,
    CAUSE_WORDS,
    DRIFT_NAMES,
    LINK_KINDS,
    MAP_AGENCY,
    MAP_DISTRICT,
    display,
    link,
    links_prop,
    organize,
)

# One row per agency and cause, with the agency's and its district's names.
CAUSES = (
    "max by (agency, name, group_name, cause_kind, cause_id, cause_state, single_homed) ("
    "netmon_agency_cut_off_cause * on(job, instance, agency) group_left(name) netmon_agency_info"
    " * on(group) group_left(group_name) max by (group, group_name) ("
    'label_replace(netmon_group_info, "group_name", "$1", "name", "(.*)")))'
)
BY_GROUP = (
    "netmon:coverage_by_group:ratio * on(group) group_left(name)"
    " max by (group, name) (netmon_group_info)"
)
BY_LEVEL = (
    "netmon:coverage_by_level:ratio * on(level) group_left(name)"
    " max by (level, name) (netmon_level_info)"
)
BY_SERVICE = (
    "netmon:service_coverage:ratio * on(service) group_left(name)"
    " max by (service, name) (netmon_service_info)"
)


def overview() -> Dashboard:
    cut = table_panel(
        "Cơ quan mất kết nối và nguyên nhân / Agencies cut off, with cause",
        "Mỗi dòng: một cơ quan và phần tử làm nó mất kết nối; bấm tên cơ quan để xem chi "
        "tiết, bấm nguyên nhân để mở bản đồ. One row per agency and the element cutting it "
        "off; click the agency for its dashboard, the cause for the map.",
        q(CAUSES, instant=True, table_format=True),
    )
    cut = (
        cut.with_transformation(
            organize(
                {
                    "name": "Cơ quan / Agency",
                    "group_name": "Khu vực / District",
                    "cause_kind": "Loại / Kind",
                    "cause_id": "Nguyên nhân / Cause",
                    "cause_state": "Tình trạng / State",
                    "single_homed": "Đường / Paths",
                },
                keep_hidden=("agency",),
            )
        )
        .mappings(CAUSE_WORDS)
        .override_by_name(
            "Cơ quan / Agency",
            links_prop(
                (
                    "Chi tiết cơ quan / Agency dashboard",
                    AGENCY_BOARD.format("${__data.fields.agency}"),
                ),
            ),
        )
        .override_by_name(
            "Nguyên nhân / Cause",
            links_prop(("Bản đồ / Map", MAP_AGENCY.format("${__data.fields.agency}"))),
        )
        .span(24)
        .height(10)
    )
    drift = stat_panel(
        "Sai khác so với khai báo / Drift",
        "Khác biệt giữa khai báo và LLDP, theo loại. Differences between inventory and LLDP.",
        q("sum by (kind) (netmon_topology_drift)", "{{kind}}"),
    ).span(5)
    for kind, name in DRIFT_NAMES.items():
        drift = drift.override_by_name(kind, display(name))
    return (
        board(
            "netmon-overview",
            "MetroNet — Tổng quan kết nối / Connectivity overview",
            "Bao nhiêu cơ quan kết nối được, cơ quan nào mất kết nối và vì sao. "
            "How many agencies are connected, which are not, and why.",
        )
        .with_variable(netmon_url_variable())
        .with_row(Row("Độ phủ / Coverage"))
        .with_panel(
            stat_panel(
                "Cơ quan kết nối / Agencies reachable",
                "Số cơ quan tới được mọi dịch vụ cấp trên mà cơ quan sử dụng, và tổng số khai "
                "báo. Agencies reaching every upstream service they use, and all declared.",
                q("netmon:coverage_reachable_agencies:sum", "kết nối / reachable"),
                q("netmon:coverage_agencies:sum", "khai báo / declared"),
            ).span(8)
        )
        .with_panel(
            stat_panel(
                "Tỷ lệ kết nối / Coverage",
                "Tỷ lệ cơ quan kết nối được. Share of agencies reachable.",
                q("netmon:coverage:ratio", "tỷ lệ / coverage"),
                unit="percentunit",
            )
        )
        .with_panel(
            stat_panel(
                "Cơ quan chỉ có một đường / Single-path agencies",
                "Cơ quan có điểm lỗi đơn hiện tại. Agencies with a single point of failure now.",
                q('sum(netmon_agency_single_path{basis="current"})', "một đường / single path"),
            ).span(5)
        )
        .with_panel(drift)
        .with_panel(
            bars(
                "Theo cấp hành chính / By level",
                "Tỷ lệ kết nối theo cấp. Coverage per administrative level.",
                q(BY_LEVEL, "{{name}}", instant=True),
            )
        )
        .with_panel(
            bars(
                "Theo khu vực / By district",
                "Tỷ lệ kết nối theo khu vực; bấm để mở khu vực trên bản đồ. "
                "Coverage per district; click to open it on the map.",
                q(BY_GROUP, "{{name}}", instant=True),
            ).data_links(
                [
                    link(
                        "Bản đồ khu vực / District map",
                        MAP_DISTRICT.format("${__field.labels.group}"),
                    )
                ]
            )
        )
        .with_panel(
            series(
                "Tỷ lệ kết nối theo thời gian / Coverage over time",
                "Tỷ lệ cơ quan kết nối: tổng và theo dịch vụ (mạng chuyên dùng, Internet). "
                "Share of agencies reachable: all, and per upstream service.",
                q("netmon:coverage:ratio", "tất cả / all"),
                q(BY_SERVICE, "{{name}}"),
                unit="percentunit",
            )
            .min(0)
            .max(1)
        )
        .with_row(Row("Sự cố / Incidents"))
        .with_panel(cut)
        .with_panel(
            table_panel(
                "Điểm lỗi đơn / Single points of failure",
                "Phần tử mà sự cố sẽ cắt nhiều cơ quan nhất (20 phần tử). "
                "Elements whose failure would cut off the most agencies (top 20).",
                q(
                    "topk(20, max by (element_kind, element) (netmon_blast_radius_agencies) > 0)",
                    instant=True,
                    table_format=True,
                ),
            )
            .with_transformation(
                organize(
                    {
                        "element_kind": "Loại / Kind",
                        "element": "Phần tử / Element",
                        "Value": "Số cơ quan bị cắt / Agencies cut off",
                    }
                )
            )
            .mappings(CAUSE_WORDS)
            .span(24)
        )
    )


def links() -> Dashboard:
    sel = 'link=~"$link"'
    return (
        board(
            "netmon-links",
            "MetroNet — Đường truyền / Links",
            "Mức sử dụng, lỗi và trạng thái các đường truyền khai báo. "
            "Utilisation, errors and state of every declared link.",
        )
        .with_variable(
            label_variable(
                "link", "Đường truyền / Link", "label_values(netmon_link_info, link)", multi=True
            )
        )
        .with_panel(
            table_panel(
                "10 đường bận nhất / Top 10 busiest links",
                "Tỷ lệ sử dụng lớn nhất theo một chiều (5 phút). Highest one-way utilisation.",
                q(
                    "topk(10, max by (link, kind) (netmon:link_utilisation:ratio_rate5m))",
                    instant=True,
                    table_format=True,
                ),
                unit="percentunit",
            )
            .with_transformation(
                organize({"link": "Đường / Link", "kind": "Loại / Kind", "Value": "Sử dụng / Used"})
            )
            .mappings(LINK_KINDS)
        )
        .with_panel(
            table_panel(
                "Đường truyền đang mất kết nối / Links down",
                "Các đường khai báo đang mất kết nối. Declared links that are down now.",
                q("max by (link, kind) (netmon_link_up == 0)", instant=True, table_format=True),
            )
            .with_transformation(organize({"link": "Đường / Link", "kind": "Loại / Kind"}))
            .mappings(LINK_KINDS)
        )
        .with_panel(
            series(
                "Mức sử dụng / Utilisation",
                "Lưu lượng chia cho dung lượng khai báo. Traffic over declared capacity.",
                q(f"netmon:link_utilisation:ratio_rate5m{{{sel}}}", "{{link}}"),
                unit="percentunit",
            )
        )
        .with_panel(
            series(
                "Lưu lượng / Traffic",
                "Bit mỗi giây ở mỗi đầu. Bits per second at each end.",
                q(f"rate(netmon_link_receive_bytes_total{{{sel}}}[5m]) * 8", "{{link}} {{end}} in"),
                q(
                    f"rate(netmon_link_transmit_bytes_total{{{sel}}}[5m]) * 8",
                    "{{link}} {{end}} out",
                ),
                unit="bps",
            )
        )
        .with_panel(
            series(
                "Lỗi / Errors",
                "Lỗi giao diện mỗi giây (10 đường nhiều nhất). Interface errors/s, top 10.",
                q("topk(10, netmon:link_errors:rate5m)", "{{link}}"),
                unit="short",
            )
        )
        .with_panel(
            series(
                "Gói bị hủy / Discards",
                "Gói bị hủy mỗi giây. Discards per second.",
                q(f"rate(netmon_link_receive_discards_total{{{sel}}}[5m])", "{{link}} {{end}} in"),
                q(
                    f"rate(netmon_link_transmit_discards_total{{{sel}}}[5m])",
                    "{{link}} {{end}} out",
                ),
                unit="short",
            )
        )
    )
