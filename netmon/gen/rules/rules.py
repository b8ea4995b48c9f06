"""Recording and alerting rules: the source of exporters/prometheus/rules/netmon.rules.yml.

Kept in Python (like a monitoring mixin) so the rules, their promtool test cases, the docs
and the dashboards share one list of expressions. Every alert says what broke in English and
Vietnamese (the NOC reads Vietnamese): summary, description and runbook, each with a `_vi`
twin. Templates use only `{{ $labels.x }}`, which the test generator can expand exactly.

Sharding: every join is `on(job, instance, ...)`, so each netmon instance is matched with
itself; coverage is summed over instances, so shards add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Coverage target: below this share of agencies reachable the NOC is told (467 agencies:
# 5 or more cut off).
COVERAGE_TARGET = 0.99
SATURATION = 0.9  # share of capacity over 15 minutes
ERRORS_PER_S = 1.0  # interface errors per second on a link, both ends and directions


@dataclass(frozen=True)
class Recording:
    record: str
    expr: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    for_: str
    severity: str
    summary: str
    summary_vi: str
    description: str
    description_vi: str
    runbook: str
    runbook_vi: str

    def annotations(self) -> dict[str, str]:
        return {
            "summary": self.summary,
            "summary_vi": self.summary_vi,
            "description": self.description,
            "description_vi": self.description_vi,
            "runbook": self.runbook,
            "runbook_vi": self.runbook_vi,
        }


_UTIL = (
    "rate(netmon_link_{d}_bytes_total[5m])"
    " / on(job, instance, link) group_left(kind) netmon_link_capacity_bytes_per_second"
)
RECORDING: tuple[Recording, ...] = (
    Recording("netmon:coverage_agencies:sum", "sum(netmon_coverage_agencies)"),
    Recording("netmon:coverage_reachable_agencies:sum", "sum(netmon_coverage_reachable_agencies)"),
    Recording(
        "netmon:coverage:ratio",
        "netmon:coverage_reachable_agencies:sum / netmon:coverage_agencies:sum",
    ),
    Recording(
        "netmon:coverage_by_level:ratio",
        "sum by (level) (netmon_coverage_reachable_agencies)"
        " / sum by (level) (netmon_coverage_agencies)",
    ),
    Recording(
        "netmon:coverage_by_group:ratio",
        "sum by (group) (netmon_coverage_reachable_agencies)"
        " / sum by (group) (netmon_coverage_agencies)",
    ),
    Recording(
        "netmon:service_coverage:ratio",
        "sum by (service) (netmon_service_coverage_reachable_agencies)"
        " / sum by (service) (netmon_service_coverage_agencies)",
    ),
    Recording(
        "netmon:link_end_utilisation:ratio_rate5m",
        _UTIL.format(d="receive"),
        {"direction": "receive"},
    ),
    Recording(
        "netmon:link_end_utilisation:ratio_rate5m",
        _UTIL.format(d="transmit"),
        {"direction": "transmit"},
    ),
    Recording(
        "netmon:link_utilisation:ratio_rate5m",
        "max by (job, instance, link, kind) (netmon:link_end_utilisation:ratio_rate5m)",
    ),
    Recording(
        "netmon:link_errors:rate5m",
        "sum by (job, instance, link) (rate(netmon_link_receive_errors_total[5m]))"
        " + sum by (job, instance, link) (rate(netmon_link_transmit_errors_total[5m]))",
    ),
)

# A PoP with no path to the core pages, unless it is unreachable behind another failed device
# (in-band management: a core or a PoP in front of it died, and that device explains it).
# Silent behind its own uplinks, it is what the NOC sees failed: it pages.
_POP = (
    'label_replace(label_replace(netmon_device_reachable{role="pop"} == 0'
    ' unless on(job, instance, device) netmon_device_unreachable_cause{cause_kind="device"},'
    ' "cause_id", "$1", "device", "(.*)"), "cause_kind", "device", "", "")'
)
_UPLINK = (
    'label_replace(label_replace(netmon_link_up{kind=~"ring|aggregation"} == 0,'
    ' "cause_id", "$1", "link", "(.*)"), "cause_kind", "link", "", "")'
)

ALERTS: tuple[Alert, ...] = (
    Alert(
        "AgencyUnreachable",
        # The topology's verdict (no working path), not the probes': with out-of-band
        # management a CPE may still answer while its data path is cut. `for:` debounces.
        "(netmon_agency_cut_off_cause == 1)"
        " * on(job, instance, agency) group_left(name) netmon_agency_info",
        "1m",
        "critical",
        "Agency {{ $labels.agency }} is cut off: {{ $labels.cause_kind }} "
        "{{ $labels.cause_id }} is {{ $labels.cause_state }}",
        "Cơ quan {{ $labels.name }} mất kết nối: {{ $labels.cause_kind }} "
        "{{ $labels.cause_id }} ({{ $labels.cause_state }})",
        "{{ $labels.name }} ({{ $labels.agency }}, {{ $labels.group }}) has no working path to "
        "the core. netmon names {{ $labels.cause_kind }} {{ $labels.cause_id }} as the cause. "
        "single_homed={{ $labels.single_homed }}: when true, the agency depends on that element "
        "alone and this alert is inhibited while the element's own alert fires.",
        "{{ $labels.name }} ({{ $labels.agency }}, {{ $labels.group }}) không còn đường nào "
        "tới trung tâm. Nguyên nhân: {{ $labels.cause_kind }} {{ $labels.cause_id }}. "
        "single_homed={{ $labels.single_homed }}: nếu true, cơ quan chỉ đi qua phần tử này và "
        "cảnh báo được gộp vào cảnh báo của phần tử đó.",
        "Check the named element first (PoP, link). If it is up, check the agency's access link "
        "and CPE power with the operator, then `netmon report links` and `/topology.svg`.",
        "Kiểm tra phần tử nêu tên trước (PoP, đường truyền). Nếu phần tử đó vẫn hoạt động, kiểm "
        "tra đường truy nhập và nguồn điện thiết bị đầu cuối của cơ quan với nhà mạng, rồi xem "
        "`netmon report links` và `/topology.svg`.",
    ),
    Alert(
        "PoPDown",
        _POP,
        "1m",
        "critical",
        "PoP {{ $labels.device }} has no path to the core",
        "PoP {{ $labels.device }} mất đường về trung tâm",
        "PoP device {{ $labels.device }} is down or isolated (every uplink cut; with in-band "
        "management it is then silent too: netmon cannot tell a dead PoP from one whose ring "
        "links are all cut). Its single-homed agencies are cut off; their AgencyUnreachable "
        "alerts are inhibited. A PoP unreachable behind another failed device does not page.",
        "Thiết bị PoP {{ $labels.device }} ngừng hoạt động hoặc bị cô lập (mọi đường lên bị "
        "cắt; khi quản lý trong băng, PoP khi đó cũng im lặng: netmon không phân biệt được PoP "
        "hỏng với PoP bị cắt mọi đường vòng). Các cơ quan chỉ nối qua PoP này mất kết nối; "
        "cảnh báo riêng của từng cơ quan được gộp vào cảnh báo này. PoP không tới được do một "
        "thiết bị khác phía trước bị hỏng thì không báo.",
        "Check the PoP's power and its ring links (UplinkDown alerts), call the operator's "
        "NOC for the transmission segment; `netmon report spof` lists the agencies affected.",
        "Kiểm tra nguồn điện PoP và các đường vòng ring (cảnh báo UplinkDown), gọi trung tâm "
        "điều hành của nhà mạng; `netmon report spof` liệt kê các cơ quan bị ảnh hưởng.",
    ),
    Alert(
        "UplinkDown",
        _UPLINK,
        "1m",
        "warning",
        "Backbone link {{ $labels.link }} is down",
        "Đường trục {{ $labels.link }} bị mất",
        "The {{ $labels.kind }} link {{ $labels.link }} is down. The ring may still carry the "
        "traffic; agencies that depended on it alone are reported by AgencyUnreachable.",
        "Đường {{ $labels.kind }} {{ $labels.link }} bị mất. Mạng vòng có thể vẫn chuyển tải "
        "được; cơ quan nào chỉ đi qua đường này sẽ có cảnh báo AgencyUnreachable.",
        "Check both ends' interfaces (`netmon report links`), then the fibre segment with the "
        "operator.",
        "Kiểm tra giao diện ở hai đầu (`netmon report links`), sau đó kiểm tra tuyến cáp quang "
        "với nhà mạng.",
    ),
    Alert(
        "CoverageBelowTarget",
        f"netmon:coverage:ratio < {COVERAGE_TARGET}",
        "5m",
        "warning",
        f"MetroNet coverage is below {COVERAGE_TARGET:.0%}",
        f"Tỷ lệ cơ quan kết nối MetroNet dưới {COVERAGE_TARGET:.0%}",
        "Fewer than the target share of declared agencies are reachable from the core. The "
        "Overview dashboard lists the agencies cut off and their causes.",
        "Số cơ quan kết nối được tới trung tâm thấp hơn mục tiêu. Bảng điều khiển Tổng quan "
        "liệt kê các cơ quan mất kết nối và nguyên nhân.",
        "Open the Overview dashboard, group the agencies cut off by cause and work on the "
        "cause that cuts off most.",
        "Mở bảng điều khiển Tổng quan, nhóm các cơ quan mất kết nối theo nguyên nhân và xử lý "
        "nguyên nhân ảnh hưởng nhiều cơ quan nhất trước.",
    ),
    Alert(
        "SinglePathAgency",
        'netmon_agency_single_path{basis="current"} == 1'
        ' and on(job, instance, agency) netmon_agency_single_path{basis="declared"} == 0',
        "15m",
        "info",
        "Agency {{ $labels.agency }} has lost its redundancy",
        "Cơ quan {{ $labels.agency }} mất dự phòng đường truyền",
        "{{ $labels.agency }} is designed with two paths to the core but now has a single "
        "point of failure: one more fault cuts it off.",
        "{{ $labels.agency }} được thiết kế có hai đường tới trung tâm nhưng hiện chỉ còn một: "
        "thêm một sự cố nữa là mất kết nối.",
        "Find the broken path with `netmon report spof` and schedule its repair.",
        "Tìm đường bị hỏng bằng `netmon report spof` và lên kế hoạch sửa chữa.",
    ),
    Alert(
        "LinkErrors",
        f"netmon:link_errors:rate5m > {ERRORS_PER_S}",
        "10m",
        "warning",
        "Link {{ $labels.link }} has interface errors",
        "Đường truyền {{ $labels.link }} có lỗi giao diện",
        f"More than {ERRORS_PER_S:g} interface error per second on {{{{ $labels.link }}}} "
        "for 10 minutes (both ends, both directions).",
        f"Hơn {ERRORS_PER_S:g} lỗi giao diện mỗi giây trên {{{{ $labels.link }}}} trong 10 "
        "phút (cả hai đầu, cả hai chiều).",
        "Look at the Links dashboard for which end counts the errors; check optics, cabling "
        "and duplex there.",
        "Xem bảng điều khiển Đường truyền để biết đầu nào đếm lỗi; kiểm tra module quang, cáp "
        "và chế độ duplex ở đầu đó.",
    ),
    Alert(
        "LinkSaturated",
        f"netmon:link_utilisation:ratio_rate5m > {SATURATION}",
        "15m",
        "warning",
        "Link {{ $labels.link }} is saturated",
        "Đường truyền {{ $labels.link }} bị quá tải",
        f"Link {{{{ $labels.link }}}} carries more than {SATURATION:.0%} of its declared "
        "capacity in one direction for 15 minutes.",
        f"Đường truyền {{{{ $labels.link }}}} sử dụng hơn {SATURATION:.0%} dung lượng khai "
        "báo theo một chiều trong 15 phút.",
        "Check the Links dashboard for the direction and the agency behind it; plan an upgrade "
        "if it recurs.",
        "Xem bảng điều khiển Đường truyền để biết chiều và cơ quan liên quan; lập kế hoạch "
        "nâng cấp nếu lặp lại.",
    ),
    Alert(
        "ProbeAuthFailing",
        'netmon_probe_failure_reason{probe=~"snmp|ssh", '
        'reason=~"authentication|host_key|not_in_time_window"} == 1'
        " and on(job, instance, device) netmon_device_up == 1",
        "10m",
        "warning",
        "{{ $labels.probe }} on {{ $labels.device }} is refused ({{ $labels.reason }})",
        "{{ $labels.probe }} trên {{ $labels.device }} bị từ chối ({{ $labels.reason }})",
        "{{ $labels.device }} answers, but refuses netmon's {{ $labels.probe }} credentials "
        "or host key, so its interfaces and neighbours are not read.",
        "{{ $labels.device }} vẫn trả lời nhưng từ chối thông tin xác thực {{ $labels.probe }} "
        "hoặc khóa máy chủ của netmon, nên không đọc được giao diện và thiết bị lân cận.",
        "Compare the device's SNMP user / SSH key with config.yaml's credential set; a changed "
        "host key needs checking with the site before known_hosts is updated.",
        "So sánh người dùng SNMP / khóa SSH trên thiết bị với bộ thông tin xác thực trong "
        "config.yaml; khóa máy chủ thay đổi cần xác minh với đơn vị trước khi cập nhật "
        "known_hosts.",
    ),
    Alert(
        "TopologyDrift",
        "netmon_topology_drift > 0",
        "30m",
        "warning",
        "The network differs from the inventory ({{ $labels.kind }})",
        "Mạng thực tế khác với danh mục khai báo ({{ $labels.kind }})",
        "LLDP shows {{ $labels.kind }} differences from the declared links for 30 minutes.",
        "LLDP cho thấy khác biệt loại {{ $labels.kind }} so với các đường khai báo trong 30 phút.",
        "Run `netmon report drift`; fix the inventory (git) or the cabling, whichever is wrong.",
        "Chạy `netmon report drift`; sửa danh mục (git) hoặc đấu nối, tùy bên nào sai.",
    ),
    Alert(
        "NetmonCycleStale",
        "time() - netmon_cycle_last_timestamp_seconds > 3 * netmon_cycle_interval_seconds"
        " or (time() - netmon_start_time_seconds > 3 * netmon_cycle_interval_seconds"
        " unless on(job, instance) netmon_cycle_last_timestamp_seconds)",
        "2m",
        "critical",
        "netmon {{ $labels.instance }} has not finished a poll cycle recently",
        "netmon {{ $labels.instance }} không hoàn thành chu kỳ thăm dò nào gần đây",
        "No cycle ended for three intervals: every figure it serves is stale.",
        "Không có chu kỳ nào kết thúc trong ba khoảng thời gian: mọi số liệu đều đã cũ.",
        "Read netmon's log (journalctl -u netmon); restart it if the poller is stuck.",
        "Đọc nhật ký của netmon (journalctl -u netmon); khởi động lại nếu bộ thăm dò bị treo.",
    ),
    Alert(
        "NetmonDown",
        'up{job=~"netmon.*"} == 0',
        "2m",
        "critical",
        "Prometheus cannot scrape netmon {{ $labels.instance }}",
        "Prometheus không thu thập được số liệu từ netmon {{ $labels.instance }}",
        "The monitor itself is down or unreachable: MetroNet is unwatched.",
        "Bản thân hệ thống giám sát ngừng hoạt động hoặc không truy cập được: MetroNet không "
        "được giám sát.",
        "systemctl status netmon; check its listen address and TLS/basic auth settings.",
        "systemctl status netmon; kiểm tra địa chỉ lắng nghe và cấu hình TLS/basic auth.",
    ),
)
