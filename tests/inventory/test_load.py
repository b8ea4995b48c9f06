"""What the loader builds: inherited settings, joined files, the model the other stages get."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from netmon.inventory import check_inventory, load_inventory
from netmon.model import CredentialRefs

DATA = Path(__file__).parent.parent / "data"


def test_settings_inherit_defaults_then_groups_then_device() -> None:
    inv = load_inventory(DATA / "base.yaml")
    core = inv.device_by_id["core-1"]  # defaults only
    assert (core.platform, core.probes) == ("linux", ("icmp", "snmp", "ssh"))
    assert core.credentials == CredentialRefs(snmp="lab-snmp-v3", ssh="lab-ssh")
    cisco = inv.device_by_id["cpe-2"]  # group cpe-cisco overrides platform and probes
    assert (cisco.platform, cisco.probes) == ("cisco_ios", ("icmp", "snmp"))
    v2c = inv.device_by_id["cpe-3"]  # group cpe-v2c overrides one credential, keeps the other
    assert v2c.credentials == CredentialRefs(snmp="lab-snmp-v2c", ssh="lab-ssh")


def test_device_overrides_its_groups(tmp_path: Path) -> None:
    text = (DATA / "base.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    groups: [cpe-cisco]", "    groups: [cpe-cisco]\n    platform: huawei_vrp"
    )
    (tmp_path / "inv.yaml").write_text(text, encoding="utf-8")
    assert load_inventory(tmp_path).device_by_id["cpe-2"].platform == "huawei_vrp"


def test_model_values() -> None:
    inv = load_inventory(DATA / "base.yaml")
    assert inv.lab and str(inv.management_network) == "10.46.0.0/16"
    assert inv.device_by_id["cpe-1"].mgmt == IPv4Address("10.46.16.1")
    assert inv.link_by_id["core-1--core-2"].capacity_bps == 10_000_000_000
    assert inv.dual_homed == ("ubnd-thanh-pho",)
    # services default to all the inventory declares; an agency may name a subset
    assert inv.agency_by_id["so-tttt"].services == ("tslcd", "internet")
    assert inv.agency_by_id["ubnd-phu-vang"].services == ("tslcd",)
    assert inv.agency_by_id["ubnd-thanh-pho"].name == "Ủy ban nhân dân thành phố Huế"
    assert [d.id for d in inv.core_devices()] == ["core-1", "core-2"]


def test_sections_join_across_files(tmp_path: Path) -> None:
    text = (DATA / "base.yaml").read_text(encoding="utf-8")
    head, agencies_and_rest = text.split("agencies:\n", 1)
    agencies, rest = agencies_and_rest.split("devices:\n", 1)
    (tmp_path / "1-network.yaml").write_text(head + "devices:\n" + rest, encoding="utf-8")
    (tmp_path / "2-agencies.yaml").write_text("agencies:\n" + agencies, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not yaml: ignored", encoding="utf-8")
    split = load_inventory(tmp_path)
    whole = load_inventory(DATA / "base.yaml")
    assert split == whole


def test_second_inventory_section_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text((DATA / "base.yaml").read_text(encoding="utf-8"))
    (tmp_path / "b.yaml").write_text("inventory: {name: again}\n")
    inv, problems = check_inventory(tmp_path)
    assert inv is None
    assert [(Path(p.file).name, p.line, p.col, p.message) for p in problems] == [
        ("b.yaml", 1, 12, f"second 'inventory:' section (first in {tmp_path / 'a.yaml'})")
    ]


def test_empty_folder_and_empty_file(tmp_path: Path) -> None:
    _, problems = check_inventory(tmp_path)
    assert [p.message for p in problems] == ["no *.yaml files in the inventory folder"]
    (tmp_path / "empty.yaml").write_text("")
    _, problems = check_inventory(tmp_path)
    assert [p.message for p in problems] == ["no file has an 'inventory:' section"]


def test_empty_section_reads_as_empty_list(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("inventory: {name: x}\nagencies:\nlinks:\n")
    inv, problems = check_inventory(tmp_path)
    assert problems == [] and inv is not None and inv.agencies == ()


def _base(tmp_path: Path, old: str, new: str, lab: bool = True) -> Path:
    text = (DATA / "base.yaml").read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    if not lab:
        text = text.replace("  lab: true\n", "")
    (tmp_path / "inv.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_interface_names_as_vendors_write_them(tmp_path: Path) -> None:
    """Ruijie and H3C write `GigabitEthernet 1/1/1` (a space), Huawei `25GE1/0/1`; the SNMP
    probe names the second of two interfaces called lo0 `lo0 (ifIndex 4179)`."""
    names = ["GigabitEthernet 1/1/1", "25GE1/0/1", "lo0 (ifIndex 4179)", "ge-0/0/0.100"]
    quoted = ", ".join(f'"{n}"' for n in names)
    folder = _base(
        tmp_path,
        "    interfaces: [wan0]\n    groups: [cpe-cisco]",
        f"    interfaces: [wan0, {quoted}]\n    groups: [cpe-cisco]",
        lab=False,
    )
    assert load_inventory(folder).device_by_id["cpe-2"].interfaces == ("wan0", *names)


@pytest.mark.parametrize("name", [" wan0", "wan0 ", "wan\t0", "", "x" * 129])
def test_interface_names_without_leading_trailing_or_control_characters(
    tmp_path: Path, name: str
) -> None:
    folder = _base(
        tmp_path,
        "    interfaces: [wan0]\n    groups: [cpe-cisco]",
        f'    interfaces: [wan0, "{name}"]\n    groups: [cpe-cisco]',
        lab=False,
    )
    _, problems = check_inventory(folder)
    assert problems and "interfaces[1]" in problems[0].message, problems


def test_a_device_that_names_no_platform_is_other_never_linux(tmp_path: Path) -> None:
    folder = _base(
        tmp_path, "  platform: linux\n  probes: [icmp, snmp, ssh]", "  probes: [icmp, snmp]"
    )
    inv = load_inventory(folder)
    assert inv.device_by_id["core-1"].platform == "other"
    assert inv.device_by_id["cpe-2"].platform == "cisco_ios"  # its group names one


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        # no platform anywhere, ssh in the defaults: every device without one is refused
        ("  platform: linux\n", "", "names no platform"),
        # Ruijie: ntc-templates has no parser for its CLI, so netmon sends it nothing
        ("  platform: linux\n", "  platform: ruijie_os\n", "is a ruijie_os device"),
    ],
)
def test_ssh_needs_a_platform_netmon_has_commands_for(
    tmp_path: Path, old: str, new: str, words: str
) -> None:
    _, problems = check_inventory(_base(tmp_path, old, new))
    first = problems[0]
    assert f"device 'core-1' is probed by ssh but {words}" in first.message
    assert "set platform to one of" in (first.hint or "") and "linux" in (first.hint or "")
    assert first.file.endswith("inv.yaml") and first.line > 1


@pytest.mark.parametrize("where", ["shipped", "national"])
def test_dual_homed_agencies_have_two_links_or_more(where: str, tmp_path: Path) -> None:
    from netmon.gen.inventory import national, write

    folder = Path(__file__).parents[2] / "inventory"
    if where == "national":
        folder = tmp_path / "national"
        write(national(provinces=2, per_province=60, pops=3), folder)
    inv = load_inventory(folder)
    links = {a.id: 0 for a in inv.agencies}
    for d in inv.devices:
        if d.agency is not None:
            links[d.agency] += sum(d.id in (lk.a.device, lk.b.device) for lk in inv.links)
    assert inv.dual_homed == tuple(a for a, n in links.items() if n >= 2)
    assert 0 < len(inv.dual_homed) < len(inv.agencies)
