"""no_cyclic_gc (netmon/yamlspec/reader.py): the collector paused while an inventory is built,
what was built moved to the oldest generation afterwards, nothing kept from collection."""

from __future__ import annotations

import gc
import weakref

from netmon.yamlspec import no_cyclic_gc


class _Node:
    def __init__(self) -> None:
        self.other: object = self


def test_what_was_built_leaves_no_young_collection_to_pay_and_is_still_collected() -> None:
    assert gc.isenabled()
    with no_cyclic_gc():
        assert not gc.isenabled()
        built = [[i] for i in range(50_000)]  # tracked containers, as an inventory is
        cycle = _Node()
        gone = weakref.ref(cycle)
        del cycle  # garbage only a cyclic collection can free
    assert gc.isenabled()
    # the young generation does not hold the 50,000 lists: no collection walks them at once
    assert gc.get_count()[0] < 1_000
    assert gone() is not None  # no young collection walked it on the way out
    gc.collect()
    assert gone() is None  # moved to the oldest generation, not frozen: still collected
    assert len(built) == 50_000


def test_nested_use_leaves_the_collector_to_the_outer_one() -> None:
    with no_cyclic_gc():
        with no_cyclic_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
