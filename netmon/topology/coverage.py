"""Coverage: agencies connected per level, group, service and (level, group) cell.

The one place netmon counts connected agencies: the reports and /metrics read these counts
from the Snapshot. (`netmon inventory show` counts agencies per level and group from the
inventory alone: the same totals, and no design to analyse.)
"""

from __future__ import annotations

from netmon.model import Inventory
from netmon.model.snapshot import AgencyState, Coverage, CoverageCell, CoverageCount


def connected(upstream: bool, uses: tuple[str, ...], cut: tuple[str, ...]) -> bool:
    """Whether an agency is connected: THE definition, used for coverage, `--check`,
    netmon_agency_up, the alerts and the single points of failure alike.

    An agency is connected when it reaches every upstream service it uses (the government
    data network, the centralised Internet gateway: `services:`, by default all of them).
    Every one, not one of them: an agency whose document exchange rides the data network is
    not served by the Internet gateway alone. An agency that uses no service is connected
    when it reaches the upstream devices (graph.upstream: where the services attach, or the
    core when the inventory declares none). Never "reaches a device with role core": a
    province's own core router has that role and carries no service.

    upstream: the agency is reached from the upstream devices; uses: the services it uses;
    cut: those it cannot reach now.
    """
    return not cut if uses else upstream


def coverage(inventory: Inventory, agencies: tuple[AgencyState, ...]) -> Coverage:
    # Grouped in one pass: a national inventory has hundreds of groups and 30,000 agencies.
    total = [0, 0]
    levels: dict[str, list[int]] = {lv.id: [0, 0] for lv in inventory.levels}
    groups: dict[str, list[int]] = {g.id: [0, 0] for g in inventory.groups}
    services: dict[str, list[int]] = {s.id: [0, 0] for s in inventory.services}
    cells: dict[tuple[str, str], list[int]] = {}
    for a in agencies:
        for counter in (
            total,
            levels.setdefault(a.level, [0, 0]),
            groups.setdefault(a.group, [0, 0]),
            cells.setdefault((a.level, a.group), [0, 0]),
        ):
            counter[0] += 1
            counter[1] += a.reachable
        for s in a.services:
            counter = services.setdefault(s, [0, 0])
            counter[0] += 1
            counter[1] += s not in a.services_cut

    def counts(names: dict[str, str], seen: dict[str, list[int]]) -> tuple[CoverageCount, ...]:
        return tuple(CoverageCount(k, names.get(k, k), n, ok) for k, (n, ok) in seen.items())

    return Coverage(
        total=CoverageCount("total", inventory.name, total[0], total[1]),
        by_level=counts({lv.id: lv.name for lv in inventory.levels}, levels),
        by_group=counts({g.id: g.name for g in inventory.groups}, groups),
        by_service=counts({s.id: s.name for s in inventory.services}, services),
        cells=tuple(CoverageCell(lv, g, n, ok) for (lv, g), (n, ok) in sorted(cells.items())),
    )
