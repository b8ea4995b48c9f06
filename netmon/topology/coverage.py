"""Coverage: agencies reachable per level, group, service and (level, group) cell.

The one place netmon counts them: the reports, /metrics and `netmon inventory show` all read
these counts from the Snapshot.
"""

from __future__ import annotations

from netmon.model import Inventory
from netmon.model.snapshot import AgencyState, Coverage, CoverageCell, CoverageCount


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
