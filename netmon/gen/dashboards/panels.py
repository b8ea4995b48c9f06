"""Small helpers over grafana-foundation-sdk's typed builders, so each dashboard reads as a list
of panels. Titles are Vietnamese first, English after a slash; descriptions likewise.

The Infinity query type (yesoreyeram-infinity-datasource, for the Node Graph) is not in the
SDK: `InfinityQuery` implements the SDK's Dataquery variant so it serialises the same way.
"""

from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.builders import (
    bargauge,
    common,
    prometheus,
    stat,
    statetimeline,
    table,
    timeseries,
)
from grafana_foundation_sdk.builders.dashboard import (
    Dashboard,
    DatasourceVariable,
    QueryVariable,
    TextBoxVariable,
)
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import prometheus as pm
from grafana_foundation_sdk.models.dashboard import (
    DataSourceRef,
    VariableHide,
    VariableRefresh,
    VariableSort,
)

PROM = DataSourceRef(type_val="prometheus", uid="${datasource}")
INFINITY = DataSourceRef(type_val="yesoreyeram-infinity-datasource", uid="${infinity}")


def prom_variable() -> DatasourceVariable:
    return DatasourceVariable("datasource").label("Nguồn dữ liệu / Data source").type("prometheus")


def label_variable(
    name: str, label: str, query: str, *, multi: bool = False, regex: str = ""
) -> QueryVariable:
    """A variable from Prometheus; `regex` with (?<value>) and (?<text>) groups shows one
    label (a name) while the dashboard uses another (the id)."""
    v = (
        QueryVariable(name)
        .label(label)
        .datasource(PROM)
        .query(query)
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .hide(VariableHide.DONT_HIDE)
        .sort(VariableSort.ALPHABETICAL_CASE_INSENSITIVE_ASC)
    )
    if regex:
        v = v.regex(regex)
    if multi:
        v = v.multi(True).include_all(True).all_value(".*")
    return v


def netmon_url_variable() -> TextBoxVariable:
    """Where netmon serves its map (data links open it)."""
    return (
        TextBoxVariable("netmon_url")
        .label("netmon URL (bản đồ / map)")
        .default_value("http://127.0.0.1:10467")
    )


def q(expr: str, legend: str = "", *, instant: bool = False, table_format: bool = False) -> Any:
    query = prometheus.Dataquery().expr(expr).datasource(PROM)
    if legend:
        query = query.legend_format(legend)
    if instant:
        query = query.instant()
    if table_format:
        query = query.format(pm.PromQueryFormat.TABLE)
    return query


def stat_panel(title: str, doc: str, *queries: Any, unit: str = "short") -> stat.Panel:
    p = stat.Panel().title(title).description(doc).unit(unit).datasource(PROM)
    p = p.reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]))
    for i, query in enumerate(queries):
        p = p.with_target(query.ref_id(chr(ord("A") + i)))
    return p.height(5).span(6)


def bars(title: str, doc: str, query: Any, unit: str = "percentunit") -> bargauge.Panel:
    p = bargauge.Panel().title(title).description(doc).unit(unit).datasource(PROM)
    p = p.min(0).max(1) if unit == "percentunit" else p
    return (
        p.with_target(query.ref_id("A"))
        .display_mode(cm.BarGaugeDisplayMode.BASIC)
        .height(9)
        .span(12)
    )


def series(title: str, doc: str, *queries: Any, unit: str = "short") -> timeseries.Panel:
    p = timeseries.Panel().title(title).description(doc).unit(unit).datasource(PROM)
    for i, query in enumerate(queries):
        p = p.with_target(query.ref_id(chr(ord("A") + i)))
    return p.height(9).span(12)


def table_panel(title: str, doc: str, query: Any, unit: str = "short") -> table.Panel:
    p = table.Panel().title(title).description(doc).datasource(PROM).unit(unit)
    p = p.with_target(query.ref_id("A"))
    return p.height(9).span(12)


def states(title: str, doc: str, *queries: Any) -> statetimeline.Panel:
    """0/1 over time as coloured bands (with value mappings), not a line between 0 and 1."""
    p = statetimeline.Panel().title(title).description(doc).datasource(PROM).unit("none")
    for i, query in enumerate(queries):
        p = p.with_target(query.ref_id(chr(ord("A") + i)))
    return p.height(8).span(12)


class InfinityQuery(cogvariants.Dataquery):
    """A yesoreyeram-infinity-datasource query reading JSON from netmon's HTTP API."""

    def __init__(self, ref_id: str, url: str, fmt: str) -> None:
        self.ref_id, self.url, self.fmt = ref_id, url, fmt

    def to_json(self) -> dict[str, object]:
        return {
            "refId": self.ref_id,
            "datasource": INFINITY.to_json(),
            "type": "json",
            "source": "url",
            "parser": "backend",
            "format": self.fmt,  # node-graph-nodes / node-graph-edges: the panel's frames
            "url": self.url,
            "url_options": {"method": "GET"},
            "root_selector": "",
            "columns": [],
        }


class Infinity(cogbuilder.Builder[cogvariants.Dataquery]):
    def __init__(self, ref_id: str, url: str, fmt: str) -> None:
        self._query = InfinityQuery(ref_id, url, fmt)

    def build(self) -> cogvariants.Dataquery:
        return self._query


TAGS = ["netmon", "metronet"]


def board(uid: str, title: str, doc: str) -> Dashboard:
    return (
        Dashboard(title)
        .uid(uid)
        .description(doc)
        .tags(TAGS)
        .time("now-6h", "now")
        .refresh("30s")
        .timezone("browser")
        .readonly()
        .with_variable(prom_variable())
    )
