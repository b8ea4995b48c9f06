"""The overview dashboards: coverage and incidents, links.

Every PromQL here (and in detail.py) is run against a real Prometheus by the integration test
(tests/exporters/test_prometheus.py), so a renamed metric breaks a test."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from netmon.gen.dashboards.panels import (
    bars,
    board,
    label_variable,
    q,
    series,
    stat_panel,
    table_panel,
)

_CAUSE = (
    "netmon_agency_cut_off_cause * on(job, instance, agency) group_left(name) netmon_agency_info"
)


def overview() -> Dashboard:
    return (
        board(
            "netmon-overview",
            "MetroNet — Tổng quan kết nối / Connectivity overview",
            "Bao nhiêu cơ quan kết nối được, cơ quan nào mất kết nối và vì sao. "
            "How many agencies are connected, which are not, and why.",
        )
        .with_row(Row("Độ phủ / Coverage"))
        .with_panel(
            stat_panel(
                "Cơ quan kết nối / Agencies reachable",
                "Số cơ quan có đường tới trung tâm trên tổng số khai báo (467). "
                "Agencies with a working path to the core, out of all declared.",
                q("netmon:coverage_reachable_agencies:sum", "kết nối / reachable"),
                q("netmon:coverage_agencies:sum", "khai báo / declared"),
            ).span(8)
        )
        .with_panel(
            stat_panel(
                "Tỷ lệ kết nối / Coverage",
                "Tỷ lệ cơ quan kết nối được. Share of agencies reachable.",
                q("netmon:coverage:ratio", "coverage"),
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
        .with_panel(
            stat_panel(
                "Sai khác so với khai báo / Drift",
                "Khác biệt giữa khai báo và LLDP. Differences between inventory and LLDP.",
                q("sum by (kind) (netmon_topology_drift)", "{{kind}}"),
            ).span(5)
        )
        .with_panel(
            bars(
                "Theo cấp hành chính / By level",
                "Tỷ lệ kết nối theo cấp. Coverage per administrative level.",
                q("netmon:coverage_by_level:ratio", "{{level}}", instant=True),
            )
        )
        .with_panel(
            bars(
                "Theo huyện / By district",
                "Tỷ lệ kết nối theo huyện (nhóm). Coverage per district (group).",
                q("netmon:coverage_by_group:ratio", "{{group}}", instant=True),
            )
        )
        .with_panel(
            series(
                "Độ phủ theo thời gian / Coverage over time",
                "Số cơ quan kết nối được theo thời gian. Agencies reachable over time.",
                q("netmon:coverage_reachable_agencies:sum", "kết nối / reachable"),
                q("netmon:service_coverage:ratio * 100", "% {{service}}"),
            )
        )
        .with_row(Row("Sự cố / Incidents"))
        .with_panel(
            table_panel(
                "Cơ quan mất kết nối và nguyên nhân / Agencies cut off, with cause",
                "Mỗi dòng: một cơ quan và phần tử gây mất kết nối. "
                "One row per agency and the element that cuts it off.",
                q(_CAUSE, instant=True, table_format=True),
            )
        )
        .with_panel(
            table_panel(
                "Điểm lỗi đơn / Single points of failure",
                "Phần tử mà sự cố sẽ cắt nhiều cơ quan nhất. "
                "Elements whose failure would cut off the most agencies.",
                q("topk(20, netmon_blast_radius_agencies > 0)", instant=True, table_format=True),
            )
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
                    "topk(10, netmon:link_utilisation:ratio_rate5m)",
                    instant=True,
                    table_format=True,
                ),
            )
        )
        .with_panel(
            table_panel(
                "Đường truyền đang mất / Links down",
                "Các đường khai báo đang mất. Declared links that are down now.",
                q("netmon_link_up == 0", instant=True, table_format=True),
            )
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
            )
        )
    )
