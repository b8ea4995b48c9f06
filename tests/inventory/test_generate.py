"""The sample generator: inventory/ is its current output; both inventories load clean."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from netmon.gen.inventory import national, slug
from netmon.gen.inventory.__main__ import main
from netmon.inventory import check_inventory

SHIPPED = Path(__file__).parent.parent.parent / "inventory"


def test_committed_sample_is_the_generators_current_output(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    made = {p.name: p.read_bytes() for p in tmp_path.glob("*.yaml")}
    committed = {p.name: p.read_bytes() for p in SHIPPED.glob("*.yaml")}
    assert sorted(made) == sorted(committed), (
        "regenerate: python -m netmon.gen.inventory --out inventory/"
    )
    stale = [name for name in made if made[name] != committed[name]]
    assert not stale, f"stale: {stale}; regenerate: python -m netmon.gen.inventory --out inventory/"


def test_sample_has_467_agencies_at_three_levels_and_loads_clean() -> None:
    inventory, problems = check_inventory(SHIPPED)
    assert [p.render() for p in problems] == []  # warnings too
    assert inventory is not None and inventory.lab
    levels = Counter(a.level for a in inventory.agencies)
    assert levels == {"province": 50, "district": 137, "commune": 280}
    assert sum(levels.values()) == 467
    # Today's 40 communes, each with its people's committee, spread over the 9 former districts.
    committees = [
        a for a in inventory.agencies if a.level == "commune" and a.id.startswith("ubnd-")
    ]
    assert len(committees) == 40 and len({a.group for a in committees}) == 9
    assert inventory.agency_by_id["ubnd-xa-chan-may-lang-co"].name == "UBND xã Chân Mây – Lăng Cô"


def test_sample_network_is_redundant_where_it_says() -> None:
    inventory, _ = check_inventory(SHIPPED)
    assert inventory is not None
    assert len(inventory.dual_homed) == 47  # about one in ten
    platforms = Counter(d.platform for d in inventory.devices if d.role == "cpe")
    assert platforms["linux"] > platforms["cisco_ios"] > 0 and platforms["huawei_vrp"] > 0
    # Every PoP sits on a ring with two ring links, so one cut never isolates it.
    for pop in (d for d in inventory.devices if d.role == "pop"):
        ring = [lk for lk in inventory.links_of_device[pop.id] if lk.kind == "ring"]
        assert len(ring) == 2, pop.id
    assert all(len(i) <= 15 for d in inventory.devices for i in d.interfaces)
    assert all(len(d.id) <= 30 for d in inventory.devices)


def test_national_generator_loads_without_problems(tmp_path: Path) -> None:
    assert main(["--national", "--provinces", "2", "--out", str(tmp_path)]) == 0
    inventory, problems = check_inventory(tmp_path)
    assert [p.render() for p in problems] == []
    assert inventory is not None and not inventory.lab
    assert len(inventory.agencies) == 2 * 470
    assert len(inventory.dual_homed) == 2 * 47
    assert Counter(d.role for d in inventory.devices) == {"core": 2 + 2, "pop": 2 * 9, "cpe": 940}


def test_national_is_deterministic() -> None:
    assert national(provinces=1, per_province=30) == national(provinces=1, per_province=30)


def test_national_refuses_sizes_its_address_plan_cannot_hold() -> None:
    with pytest.raises(ValueError, match="1-63 provinces"):
        national(provinces=64)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phường Phú Xuân", "phuong-phu-xuan"),
        ("Xã Đan Điền", "xa-dan-dien"),
        ("Chân Mây – Lăng Cô", "chan-may-lang-co"),
        ("Thị ủy", "thi-uy"),
    ],
)
def test_slug_strips_diacritics(text: str, expected: str) -> None:
    assert slug(text) == expected
