"""Coverage: agencies reachable, per level, per group and per service; counts and ratios."""

from __future__ import annotations

from netmon.model import Inventory
from netmon.model.snapshot import AgencyState, Coverage, CoverageCount


def coverage(inventory: Inventory, agencies: tuple[AgencyState, ...]) -> Coverage:
    # Grouped in one pass: a national inventory has hundreds of groups and 30,000 agencies.
    total = [0, 0]
    levels: dict[str, list[int]] = {lv.id: [0, 0] for lv in inventory.levels}
    groups: dict[str, list[int]] = {g.id: [0, 0] for g in inventory.groups}
    services: dict[str, list[int]] = {s.id: [0, 0] for s in inventory.services}
    for a in agencies:
        for counter, ok in (
            (total, a.reachable),
            (levels.setdefault(a.level, [0, 0]), a.reachable),
            (groups.setdefault(a.group, [0, 0]), a.reachable),
        ):
            counter[0] += 1
            counter[1] += ok
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
    )
