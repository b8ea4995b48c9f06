"""Recording and alerting rules: the source of exporters/prometheus/rules/netmon.rules.yml.

Kept in Python (like a monitoring mixin) so the rules, their promtool test cases, the docs
and the dashboards share one list of expressions. Every alert says what broke in English and
Vietnamese side by side (the NOC reads Vietnamese): summary and description, each with a `_vi`
twin; label values in the Vietnamese text are words (`vi.say`), never raw English values.
The runbook, in both languages, is the alert's section of docs/alerts.md, and the
`runbook_url` annotation points there (RUNBOOK_BASE + "#" + the alert's name in lower case).

Sharding: every join is `on(job, instance, ...)`, so each netmon instance is matched with
itself; coverage is summed over instances, so shards add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netmon.gen.rules.vi import (
    AUTH_REASON,
    CAUSE_KIND,
    CAUSE_STATE,
    DRIFT_KIND,
    LINK_KIND,
    LOADED_FILE,
    lab,
    say,
    when,
)

# Coverage target: below this share of agencies reachable the NOC is told (467 agencies:
# 5 or more cut off).
COVERAGE_TARGET = 0.99
SATURATION = 0.9  # share of capacity over 15 minutes
ERRORS_PER_S = 1.0  # interface errors per second on a link, both ends and directions
# Where runbook_url points: docs/alerts.md in this repository. A deployment that publishes the
# docs (its git server, an intranet page) regenerates with `--runbook-base URL`.
RUNBOOK_BASE = "docs/alerts.md"


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
    runbook: str  # the steps, in docs/alerts.md (runbook_url points at them)
    runbook_vi: str

    def annotations(self, runbook_base: str = RUNBOOK_BASE) -> dict[str, str]:
        return {
            "summary": self.summary,
            "summary_vi": self.summary_vi,
            "description": self.description,
            "description_vi": self.description_vi,
            "runbook_url": f"{runbook_base}#{self.name.lower()}",
        }


_UTIL = (
    "rate(netmon_link_{d}_bytes_total[5m])"
    " / on(job, instance, link) group_left(kind) netmon_link_capacity_bytes_per_second"
)
RECORDING: tuple[Recording, ...] = (
    # Every instance exports how many agencies each shard of the split owns (a fact of the
    # inventory): one figure per shard, so the total declared holds when a shard stops, and
    # its agencies count as not connected, never as absent (docs/scale.md).
    Recording("netmon:shard_agencies:max", "max by (inventory, shard) (netmon_shard_agencies)"),
    Recording("netmon:coverage_agencies:sum", "sum(netmon:shard_agencies:max)"),
    Recording("netmon:coverage_reachable_agencies:sum", "sum(netmon_coverage_reachable_agencies)"),
    Recording(
        "netmon:coverage_unreported_agencies:sum",
        "netmon:coverage_agencies:sum - (sum(netmon_coverage_agencies) or vector(0))",
    ),
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


def _cause(device: str) -> str:
    """An element's alert labelled as the cause it is (cause_kind, cause_id), so Alertmanager
    can silence the single-homed agencies it cuts off (equal: [cause_kind, cause_id])."""
    return (
        f'label_replace(label_replace({device}, "cause_id", "$1", "device", "(.*)"),'
        ' "cause_kind", "device", "", "")'
    )


# A PoP with no path to the core pages, unless it is unreachable behind another failed device
# (in-band management: a core or a PoP in front of it died, and that device explains it).
# Silent behind its own uplinks, it is what the NOC sees failed: it pages.
_POP = _cause(
    'netmon_device_reachable{role="pop"} == 0'
    ' unless on(job, instance, device) netmon_device_unreachable_cause{cause_kind="device"}'
)
_CORE = _cause('netmon_device_up{role="core"} == 0')
_UPLINK = (
    'label_replace(label_replace(netmon_link_up{kind=~"ring|aggregation"} == 0,'
    ' "cause_id", "$1", "link", "(.*)"), "cause_kind", "link", "", "")'
)
# The district's name on an agency's alert (group_name), from netmon_group_info.
_GROUP_NAME = (
    " * on(job, instance, group) group_left(group_name)"
    ' label_replace(netmon_group_info, "group_name", "$1", "name", "(.*)")'
)
_CAUSE_EN = when(
    "cause_kind",
    "none",
    "no path is declared for it",
    f"{lab('cause_kind')} {lab('cause_id')} is {lab('cause_state')}",
)
_CAUSE_VI = when(
    "cause_kind",
    "none",
    "không có đường kết nối nào được khai báo",
    f"{say('cause_kind', CAUSE_KIND)} {lab('cause_id')} {say('cause_state', CAUSE_STATE)}",
)

ALERTS: tuple[Alert, ...] = (
    Alert(
        "AgencyUnreachable",
        # The topology's verdict (no working path), not the probes': with out-of-band
        # management a CPE may still answer while its data path is cut. `for:` debounces.
        "(netmon_agency_cut_off_cause == 1)"
        " * on(job, instance, agency) group_left(name) netmon_agency_info" + _GROUP_NAME,
        "1m",
        "critical",
        f"{lab('name')} is cut off: {_CAUSE_EN}",
        f"{lab('name')} mất kết nối: {_CAUSE_VI}",
        f"{lab('name')} ({lab('agency')}, {lab('group_name')}) cannot reach an upstream "
        f"service it uses; netmon names the cause: {_CAUSE_EN}."
        + when(
            "cause_kind",
            "none",
            "",
            when(
                "single_homed",
                "true",
                " The agency depends on that element alone: this alert is not sent on its own "
                "while the element's alert (PoPDown, CoreDown, UplinkDown) fires.",
                " The agency has more than one path and all are gone: this alert is always sent.",
            ),
        ),
        f"{lab('name')} ({lab('agency')}, {lab('group_name')}) không kết nối được tới "
        f"một dịch vụ cấp trên mà cơ quan sử dụng; nguyên nhân netmon xác định: {_CAUSE_VI}."
        + when(
            "cause_kind",
            "none",
            "",
            when(
                "single_homed",
                "true",
                " Cơ quan chỉ kết nối qua phần tử này, nên cảnh báo này không được gửi riêng "
                "khi đã có cảnh báo của chính phần tử đó (PoPDown, CoreDown, UplinkDown).",
                " Cơ quan có nhiều đường kết nối và tất cả đều đã mất, nên cảnh báo này luôn "
                "được gửi.",
            ),
        ),
        "1. Work on the element named as the cause first: its own alert (PoPDown, CoreDown, "
        "UplinkDown) says what it is. 2. If that element is up again and the agency is still "
        "cut off, check the agency's access link and the power of its CPE with the telecom "
        "operator. 3. `netmon report links --snapshot` (or the map, /map, searched by the "
        "agency's name) shows its paths.",
        "1. Xử lý trước phần tử được nêu là nguyên nhân: cảnh báo riêng của phần tử đó "
        "(PoPDown, CoreDown, UplinkDown) cho biết đó là gì. 2. Nếu phần tử đó đã hoạt động lại "
        "mà cơ quan vẫn mất kết nối, phối hợp với nhà mạng kiểm tra đường truy nhập và nguồn "
        "điện thiết bị đầu cuối của cơ quan. 3. Xem các đường kết nối của cơ quan bằng "
        "`netmon report links --snapshot` hoặc trên bản đồ (/map, tìm theo tên cơ quan).",
    ),
    Alert(
        "PoPDown",
        _POP,
        "1m",
        "critical",
        f"PoP {lab('device')} has no path to the core",
        f"PoP {lab('device')} mất kết nối về mạng lõi",
        f"PoP {lab('device')} does not answer, or answers but every backbone link towards the "
        "core is down (isolated). The agencies connected through this PoP alone are cut off; "
        "their AgencyUnreachable alerts are not sent on their own while this one fires. With "
        "in-band management a PoP whose every uplink is cut is silent too, so netmon cannot tell "
        "it from a dead one; a PoP unreachable behind another failed device does not page.",
        f"PoP {lab('device')} không phản hồi, hoặc vẫn phản hồi nhưng mọi tuyến trục về mạng "
        "lõi đều mất kết nối (bị cô lập). Các cơ quan chỉ kết nối qua PoP này đều mất kết nối; "
        "cảnh báo AgencyUnreachable của từng cơ quan đó không được gửi riêng trong khi cảnh báo "
        "này còn hiệu lực. Khi quản lý trong băng, PoP bị cắt mọi tuyến trục cũng không phản "
        "hồi, nên netmon không phân biệt được với PoP hỏng; PoP không tới được do một thiết bị "
        "khác phía trước bị hỏng thì không gây cảnh báo.",
        "1. UplinkDown alerts for the same PoP mean it answers but is cut off: call the telecom "
        "operator's NOC for those fibre segments. 2. Without them the PoP itself is silent: "
        "check its power and equipment on site. 3. `netmon report spof` lists the agencies "
        "that depend on it; the map shows them per district.",
        "1. Nếu có cảnh báo UplinkDown của cùng PoP, PoP vẫn hoạt động nhưng bị cô lập: báo "
        "trung tâm điều hành của nhà mạng kiểm tra các tuyến cáp quang đó. 2. Nếu không, chính "
        "PoP không phản hồi: kiểm tra nguồn điện và thiết bị tại trạm. 3. `netmon report spof` "
        "liệt kê các cơ quan phụ thuộc PoP; bản đồ (/map) hiện chúng theo từng khu vực.",
    ),
    Alert(
        "CoreDown",
        _CORE,
        "1m",
        "critical",
        f"Core device {lab('device')} is down",
        f"Thiết bị lõi {lab('device')} không phản hồi",
        f"Every probe of core device {lab('device')} failed. While the other core device "
        "works the network still runs, without redundancy; with both down every agency is "
        "cut off (those alerts are not sent on their own, nor the PoPs' own).",
        f"Mọi lần thăm dò thiết bị lõi {lab('device')} đều thất bại. Nếu thiết bị lõi còn lại "
        "vẫn hoạt động, mạng vẫn chạy nhưng không còn dự phòng; nếu cả hai cùng mất, mọi cơ "
        "quan đều mất kết nối (cảnh báo của từng cơ quan và của các PoP khi đó không được gửi "
        "riêng).",
        "1. Check the core device's power and console in the data centre. 2. Check that the "
        "other core device carries the traffic (CoreDown for it too is a full outage). "
        "3. Restore redundancy before any planned work on the remaining core.",
        "1. Kiểm tra nguồn điện và cổng console của thiết bị lõi tại trung tâm dữ liệu. "
        "2. Kiểm tra thiết bị lõi còn lại có đang chuyển tải lưu lượng không (nếu cả hai cùng có "
        "cảnh báo CoreDown là mất toàn mạng). 3. Khôi phục dự phòng trước khi làm bất kỳ công "
        "việc có kế hoạch nào trên thiết bị lõi còn lại.",
    ),
    Alert(
        "UplinkDown",
        _UPLINK,
        "1m",
        "warning",
        f"Backbone link {lab('link')} ({lab('kind')}) is down",
        f"Tuyến trục {lab('link')} ({say('kind', LINK_KIND)}) mất kết nối",
        f"The {lab('kind')} link {lab('link')} is down. If the rest of the ring is whole, "
        "traffic goes the other way round; agencies that depended on this link alone are "
        "reported by AgencyUnreachable (not sent on their own while this fires).",
        f"Tuyến {say('kind', LINK_KIND)} {lab('link')} mất kết nối. Nếu phần còn lại của "
        "mạch vòng vẫn nguyên vẹn, lưu lượng đi theo hướng còn lại; cơ quan nào chỉ đi qua "
        "tuyến này có cảnh báo AgencyUnreachable (không gửi riêng khi cảnh báo này còn hiệu "
        "lực).",
        "1. `netmon report links --snapshot` shows both ends' interface state. 2. One end "
        "down, the other up: the fibre or the optics; call the operator for the segment. "
        "3. Two links of one ring down isolate the PoPs between them (PoPDown).",
        "1. `netmon report links --snapshot` cho biết trạng thái cổng ở hai đầu. 2. Một đầu "
        "mất, đầu kia còn: lỗi cáp quang hoặc module quang; báo nhà mạng kiểm tra tuyến. "
        "3. Hai tuyến của cùng một mạch vòng cùng mất sẽ cô lập các PoP nằm giữa (PoPDown).",
    ),
    Alert(
        "ServiceUnreachable",
        # An upstream service lost: no agency that uses it reaches it (its attachment at the
        # core is gone). Per instance, so each shard reports its own agencies.
        "(sum by (job, instance, service) (netmon_service_coverage_reachable_agencies) == 0"
        " and sum by (job, instance, service) (netmon_service_coverage_agencies) > 0)"
        " * on(job, instance, service) group_left(name) netmon_service_info",
        "1m",
        "critical",
        f"No agency reaches {lab('name')}",
        f"Không cơ quan nào truy cập được {lab('name')}",
        f"None of the agencies that use {lab('name')} ({lab('service')}) reaches it: its "
        "connection at the core is lost, whatever the state of the agencies' own paths.",
        f"Không cơ quan nào sử dụng {lab('name')} ({lab('service')}) truy cập được dịch vụ "
        "này: kết nối của dịch vụ tại mạng lõi đã mất, bất kể đường kết nối riêng của từng cơ "
        "quan.",
        "1. Check the devices the service is attached to (inventory `services:`) and their "
        "CoreDown alerts. 2. Call the service's provider (the dedicated data network, the "
        "Internet gateway) for their side.",
        "1. Kiểm tra các thiết bị mà dịch vụ gắn vào (mục `services:` của danh mục) và các "
        "cảnh báo CoreDown của chúng. 2. Liên hệ đơn vị cung cấp dịch vụ (mạng truyền số liệu "
        "chuyên dùng, cổng kết nối Internet tập trung) để kiểm tra phía họ.",
    ),
    Alert(
        "CoverageBelowTarget",
        f"netmon:coverage:ratio < {COVERAGE_TARGET}",
        "5m",
        "warning",
        f"MetroNet coverage is below {COVERAGE_TARGET:.0%}",
        f"Tỷ lệ cơ quan kết nối MetroNet dưới {COVERAGE_TARGET:.0%}",
        "Fewer than the target share of declared agencies are connected (reach every "
        "upstream service they use); the agencies of a shard that reports nothing count as "
        "not connected. The Overview dashboard lists the agencies cut off and their causes.",
        "Số cơ quan kết nối được tới các dịch vụ cấp trên thấp hơn mục tiêu; cơ quan thuộc "
        "phân vùng không gửi số liệu được tính là mất kết nối. Bảng giám sát Tổng quan liệt "
        "kê các cơ quan mất kết nối và nguyên nhân.",
        "Open the Overview dashboard (or the map), group the agencies cut off by cause and "
        "work first on the cause that cuts off the most.",
        "Mở bảng giám sát Tổng quan (hoặc bản đồ /map), nhóm các cơ quan mất kết nối theo "
        "nguyên nhân và xử lý trước nguyên nhân làm nhiều cơ quan mất kết nối nhất.",
    ),
    Alert(
        "SinglePathAgency",
        '(netmon_agency_single_path{basis="current"} == 1'
        ' and on(job, instance, agency) netmon_agency_single_path{basis="declared"} == 0)'
        " * on(job, instance, agency) group_left(name) netmon_agency_info",
        "15m",
        "info",
        f"{lab('name')} has lost its redundancy",
        f"{lab('name')} mất dự phòng: chỉ còn một đường kết nối",
        f"{lab('name')} ({lab('agency')}) is designed with two paths to the core but now has "
        "a single point of failure: one more fault cuts it off.",
        f"{lab('name')} ({lab('agency')}) được thiết kế có hai đường về mạng lõi nhưng hiện chỉ "
        "còn một: thêm một sự cố nữa là cơ quan mất kết nối.",
        "Find the broken path with `netmon report spof --snapshot` and schedule its repair.",
        "Tìm đường bị hỏng bằng `netmon report spof --snapshot` và lên kế hoạch sửa chữa.",
    ),
    Alert(
        "LinkErrors",
        f"netmon:link_errors:rate5m > {ERRORS_PER_S}",
        "10m",
        "warning",
        f"Link {lab('link')} has interface errors",
        f"Đường truyền {lab('link')} có lỗi trên cổng",
        f"More than {ERRORS_PER_S:g} interface error per second on {lab('link')} for 10 "
        "minutes (both ends, both directions).",
        f"Hơn {ERRORS_PER_S:g} lỗi mỗi giây trên các cổng của đường truyền {lab('link')} "
        "trong 10 phút (tính cả hai đầu, hai chiều).",
        "The Links dashboard shows which end counts the errors; check the optics, the "
        "cabling and the duplex setting at that end.",
        "Bảng giám sát Đường truyền cho biết đầu nào ghi nhận lỗi; kiểm tra module quang, "
        "cáp và chế độ song công (duplex) ở đầu đó.",
    ),
    Alert(
        "LinkSaturated",
        f"netmon:link_utilisation:ratio_rate5m > {SATURATION}",
        "15m",
        "warning",
        f"Link {lab('link')} is saturated",
        f"Đường truyền {lab('link')} quá tải",
        f"Link {lab('link')} carries more than {SATURATION:.0%} of its declared capacity in "
        "one direction for 15 minutes.",
        f"Đường truyền {lab('link')} sử dụng hơn {SATURATION:.0%} dung lượng khai báo theo "
        "một chiều trong 15 phút.",
        "The Links dashboard shows the direction and the agency behind it; plan an upgrade "
        "with the operator if it recurs.",
        "Bảng giám sát Đường truyền cho biết chiều quá tải và cơ quan liên quan; lập kế hoạch "
        "nâng cấp dung lượng với nhà mạng nếu tình trạng lặp lại.",
    ),
    Alert(
        "ProbeAuthFailing",
        'netmon_probe_failure_reason{probe=~"snmp|ssh", '
        'reason=~"authentication|host_key|not_in_time_window"} == 1'
        " and on(job, instance, device) netmon_device_up == 1",
        "10m",
        "warning",
        f"{lab('device')} refuses netmon's {lab('probe')} ({lab('reason')})",
        f"{lab('device')} từ chối truy cập {lab('probe')} của netmon: {say('reason', AUTH_REASON)}",
        f"{lab('device')} answers, but refuses netmon's {lab('probe')} credentials or host "
        "key, so its interfaces and neighbours are not read.",
        f"Thiết bị {lab('device')} vẫn phản hồi nhưng không chấp nhận truy cập {lab('probe')} "
        f"của netmon ({say('reason', AUTH_REASON)}), nên không đọc được trạng thái cổng và "
        "thiết bị kết nối.",
        "Compare the device's SNMP user or SSH key with the credential set in config.yaml; a "
        "changed host key is checked with the site before known_hosts is updated.",
        "So sánh tài khoản SNMP hoặc khóa SSH trên thiết bị với bộ thông tin xác thực trong "
        "config.yaml; khóa máy chủ thay đổi phải được xác minh với đơn vị quản lý thiết bị trước "
        "khi cập nhật known_hosts.",
    ),
    Alert(
        "ProbeCredentialsUnusable",
        # netmon's own secret is missing or unreadable: nothing is asked of the devices, so
        # this is not the devices refusing anything (ProbeAuthFailing). One alert per probe.
        'count by (job, instance, probe) (netmon_probe_failure_reason{reason="credentials"}'
        " == 1) > 0",
        "5m",
        "warning",
        f"netmon {lab('instance')} cannot use its own {lab('probe')} credentials",
        f"netmon {lab('instance')} không dùng được thông tin xác thực {lab('probe')} của chính "
        "mình",
        f"A secret netmon's {lab('probe')} credential set needs (an environment variable or a "
        "file named in config.yaml) is missing or unreadable, so those devices are not asked "
        "at all. The devices are not at fault.",
        f"Một thông tin bí mật mà bộ thông tin xác thực {lab('probe')} của netmon cần (biến "
        "môi trường hoặc tệp nêu trong config.yaml) bị thiếu hoặc không đọc được, nên netmon "
        "không gửi yêu cầu nào tới các thiết bị đó. Lỗi không nằm ở thiết bị.",
        "Run `netmon validate --secrets` where netmon runs, as its user: it names each "
        "secret that cannot be read and the line of config.yaml that references it. Restore "
        "the file or variable, then reload netmon (SIGHUP).",
        "Chạy `netmon validate --secrets` trên máy chạy netmon, bằng tài khoản của netmon: "
        "lệnh nêu từng thông tin bí mật không đọc được và dòng tương ứng trong config.yaml. "
        "Khôi phục tệp hoặc biến môi trường, rồi nạp lại netmon (SIGHUP).",
    ),
    Alert(
        "TopologyDrift",
        "netmon_topology_drift > 0",
        "30m",
        "warning",
        f"The network differs from the inventory ({lab('kind')})",
        f"Mạng thực tế khác với danh mục khai báo: {say('kind', DRIFT_KIND)}",
        f"LLDP has shown {lab('kind')} differences from the declared links for 30 minutes.",
        f"LLDP cho thấy sai khác so với các đường truyền khai báo trong 30 phút: "
        f"{say('kind', DRIFT_KIND)}.",
        "Run `netmon report drift --snapshot`; fix the inventory (git) or the cabling, "
        "whichever is wrong.",
        "Chạy `netmon report drift --snapshot`; sửa danh mục (git) hoặc sửa đấu nối, tùy bên "
        "nào sai.",
    ),
    Alert(
        "NetmonConfigRejected",
        'label_replace(netmon_config_load_success == 0, "file", "config", "", "")'
        ' or label_replace(netmon_inventory_load_success == 0, "file", "inventory", "", "")',
        "1m",
        "warning",
        f"netmon {lab('instance')} refused to load its {lab('file')}",
        f"netmon {lab('instance')} không nạp được {say('file', LOADED_FILE)}",
        f"The last load of the {lab('file')} (a reload, SIGHUP or /-/reload) was refused: "
        "netmon keeps running with the previous one, so the change made is not in effect.",
        f"Lần nạp {say('file', LOADED_FILE)} gần nhất (nạp lại bằng SIGHUP hoặc /-/reload) "
        "bị từ chối: netmon vẫn chạy với bản trước đó, nên thay đổi vừa thực hiện chưa có "
        "hiệu lực.",
        "Run `netmon validate` on the files netmon reads: it names every error as "
        "FILE:LINE:COL; fix them, then reload again.",
        "Chạy `netmon validate` trên các tệp netmon đọc: lệnh nêu từng lỗi theo dạng "
        "TỆP:DÒNG:CỘT; sửa xong thì nạp lại.",
    ),
    Alert(
        "NetmonCycleStale",
        "time() - netmon_cycle_last_timestamp_seconds > 3 * netmon_cycle_interval_seconds"
        " or (time() - netmon_start_time_seconds > 3 * netmon_cycle_interval_seconds"
        " unless on(job, instance) netmon_cycle_last_timestamp_seconds)",
        "2m",
        "critical",
        f"netmon {lab('instance')} has not finished a poll cycle recently",
        f"netmon {lab('instance')} không hoàn thành chu kỳ thăm dò nào gần đây",
        "No cycle ended for three intervals: every figure it serves is stale.",
        "Không có chu kỳ thăm dò nào kết thúc trong ba chu kỳ liền: mọi số liệu netmon cung "
        "cấp đều đã cũ.",
        "Read netmon's log (journalctl -u netmon); restart it if the poller is stuck.",
        "Đọc nhật ký của netmon (journalctl -u netmon); khởi động lại nếu bộ thăm dò bị treo.",
    ),
    Alert(
        "NetmonShardDown",
        # A shard every other instance knows of (netmon_shard_agencies) that exports nothing
        # itself: stopped, unreachable, or never started. Its agencies are unwatched.
        "netmon:shard_agencies:max"
        " unless on(inventory, shard) max by (inventory, shard) (netmon_shard_info)",
        "1m",
        "critical",
        "netmon shard {{ $labels.shard }} of {{ $labels.inventory }} reports nothing: its "
        "agencies are unwatched",
        "Phân vùng netmon {{ $labels.shard }} của {{ $labels.inventory }} không gửi số liệu: "
        "các cơ quan của nó không được giám sát",
        "No instance exports shard {{ $labels.shard }}, which owns agencies by the inventory. "
        "Its agencies count as not connected in the coverage total "
        "(netmon:coverage_unreported_agencies:sum) until it is back.",
        "Không phiên bản nào xuất số liệu của phân vùng {{ $labels.shard }}, phân vùng sở hữu "
        "một số cơ quan theo danh mục. Các cơ quan này được tính là mất kết nối trong tổng độ "
        "phủ (netmon:coverage_unreported_agencies:sum) cho đến khi phân vùng hoạt động lại.",
        "Find the host of that shard (exporters/prometheus/targets/), systemctl status netmon "
        "there; any host can run it with the same inventory and --shard.",
        "Tìm máy chủ chạy phân vùng đó (exporters/prometheus/targets/), chạy systemctl status "
        "netmon trên máy đó; máy nào cũng chạy được với cùng danh mục và --shard.",
    ),
    Alert(
        "NetmonDown",
        'up{job=~"netmon.*"} == 0',
        "2m",
        "critical",
        f"Prometheus cannot scrape netmon {lab('instance')}",
        f"Prometheus không thu thập được số liệu từ netmon {lab('instance')}",
        "The monitor itself is down or unreachable: MetroNet is not watched.",
        "Chính hệ thống giám sát ngừng hoạt động hoặc không truy cập được: MetroNet đang không "
        "được giám sát.",
        "`systemctl status netmon`; check its listen address and its TLS and basic auth "
        "settings against Prometheus' scrape configuration.",
        "`systemctl status netmon`; đối chiếu địa chỉ lắng nghe, cấu hình TLS và basic auth "
        "của netmon với cấu hình thu thập của Prometheus.",
    ),
)
