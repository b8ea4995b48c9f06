"""Which ports each device reads every cycle, out of band and in-band."""

from __future__ import annotations

from pathlib import Path

from netmon.inventory import load_inventory
from netmon.poller.targets import uplinks

LAB_SMALL = Path(__file__).parents[1] / "data" / "lab-small"


def test_out_of_band_each_link_is_read_from_its_end_farther_from_the_core() -> None:
    ups = uplinks(load_inventory(LAB_SMALL), "oob")
    assert ups["pop-phu-vang"] == ("core1", "pop2")  # its access ports: the CPEs report them
    assert ups["core-1"] == ("core2",)  # its PoP reports the link between them
    assert ups["cpe-so-tttt"] == ("wan0", "wan1")


def test_in_band_both_ends_read_every_link_a_silent_end_cannot_report() -> None:
    inv = load_inventory(LAB_SMALL)
    ups = uplinks(inv, "inband")
    assert set(ups["pop-phu-vang"]) >= {"core1", "pop2", "acc1", "acc2", "acc3"}
    assert set(ups["core-1"]) == {"core2", "pop1"}
    for lk in inv.links:
        for end in lk.ends():
            assert end.interface in ups[end.device]
