"""What the dashboards show instead of raw values and label columns: value mappings (0/1 and
netmon's closed label values in Vietnamese words), column names, and links between boards.

The label values mapped here are closed lists in netmon's code (cause kinds and states, link
kinds, drift kinds, bases): names that come from the inventory (agencies, districts, levels,
services) are never written here, they are joined from the `*_info` metrics.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import DashboardLink
from grafana_foundation_sdk.models.dashboard import (
    DataTransformerConfig,
    DynamicConfigValue,
    RangeMap,
    RegexMap,
    SpecialValueMap,
    ValueMap,
    ValueMappingResult,
)

Mappings = list[ValueMap | RangeMap | RegexMap | SpecialValueMap]

GREEN, RED, ORANGE, BLUE, GREY = "green", "red", "orange", "blue", "text"


def mapping(values: dict[str, tuple[str, str]]) -> Mappings:
    """value -> (text, colour)."""
    return [
        ValueMap(
            options={
                k: ValueMappingResult(text=text, color=colour, index=i)
                for i, (k, (text, colour)) in enumerate(values.items())
            }
        )
    ]


UP_DOWN = mapping({"1": ("kết nối / up", GREEN), "0": ("mất kết nối / down", RED)})
OK_FAILED = mapping({"1": ("thành công / ok", GREEN), "0": ("thất bại / failed", RED)})
LOADED = mapping({"1": ("nạp được / loaded", GREEN), "0": ("bị từ chối / refused", RED)})
SINGLE_PATH = mapping(
    {"1": ("một đường (điểm lỗi đơn) / single path", ORANGE), "0": ("hai đường / two paths", GREEN)}
)
# Closed label values of netmon_agency_cut_off_cause, netmon_link_info and netmon_topology_drift.
CAUSE_WORDS = mapping(
    {
        "device": ("thiết bị / device", GREY),
        "link": ("đường truyền / link", GREY),
        "none": ("không có đường khai báo / no declared path", RED),
        "down": ("mất kết nối / down", RED),
        "isolated": ("bị cô lập / isolated", ORANGE),
        "true": ("chỉ một đường / single-homed", ORANGE),
        "false": ("hai đường / dual-homed", GREEN),
    }
)
LINK_KINDS = mapping(
    {
        "ring": ("mạch vòng / ring", BLUE),
        "aggregation": ("tập trung / aggregation", BLUE),
        "access": ("truy nhập / access", GREY),
    }
)
DRIFT_NAMES = {
    "missing": "thiếu so với khai báo / missing",
    "undeclared": "chưa khai báo / undeclared",
    "wrong_port": "sai cổng / wrong port",
    "unknown_neighbour": "thiết bị lạ / unknown neighbour",
}
BASIS_NAMES = {"current": "hiện tại / now", "declared": "thiết kế / design"}


def organize(rename: dict[str, str], *, keep_hidden: tuple[str, ...] = ()) -> DataTransformerConfig:
    """Show only the columns of `rename`, in its order and with its names. `keep_hidden`
    columns stay in the data (data links use them) but are not shown."""
    order = {name: i for i, name in enumerate([*rename, *keep_hidden])}
    return DataTransformerConfig(
        id_val="organize",
        options={
            "excludeByName": {"Time": True, "__name__": True, "job": True, "instance": True}
            | dict.fromkeys(keep_hidden, True),
            "indexByName": order,
            "renameByName": rename,
            "includeByName": dict.fromkeys([*rename, *keep_hidden], True),
        },
    )


def display(name: str) -> list[DynamicConfigValue]:
    return [DynamicConfigValue(id_val="displayName", value=name)]


def link(title: str, url: str) -> DashboardLink:
    return DashboardLink(title).url(url)


def links_prop(*items: tuple[str, str]) -> list[DynamicConfigValue]:
    """A field's data links (an override's property)."""
    return [
        DynamicConfigValue(
            id_val="links", value=[{"title": t, "url": u, "targetBlank": False} for t, u in items]
        )
    ]


# Where the data links go. ${netmon_url}: the netmon serving the map (a dashboard variable).
AGENCY_BOARD = (
    "/d/netmon-agency/?var-agency={}&${{__url_time_range}}&var-datasource=${{datasource}}"
)
MAP_AGENCY = "${{netmon_url}}/map#/agency/{}"
MAP_DISTRICT = "${{netmon_url}}/map#/district/{}"
