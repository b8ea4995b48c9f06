"""One invalid file per rule, each checked against its exact first message, line and column.

Files live in tests/data/invalid/ (inventories) and tests/data/invalid-config/ (config.yaml);
each is the valid tests/data/base.yaml (or an empty config) with one mistake.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netmon.config import check_config
from netmon.errors import Problem
from netmon.inventory import check_inventory

DATA = Path(__file__).parent.parent / "data"
CREDENTIALS = ("lab-snmp-v2c", "lab-snmp-v3", "lab-ssh")

# rule -> (line, col, message, hint or None when not checked)
INVENTORY_CASES: dict[str, tuple[int, int, str, str | None]] = {
    "yaml-syntax": (
        9,
        5,
        "YAML syntax error: while parsing a flow mapping did not find expected ',' or '}'",
        None,
    ),
    "duplicate-key": (32, 5, "duplicate key 'level' (first at line 30)", None),
    "unknown-key": (42, 5, "agencies[2]: unknown key 'parnet'", "did you mean 'parent'?"),
    "missing-required": (33, 5, "agencies[1]: missing required key 'level'", None),
    "wrong-type": (
        94,
        131,
        "links[7].capacity_mbps: expected a whole number, got text 'fast'",
        None,
    ),
    "yes-no-boolean": (
        12,
        48,
        "groups[1].kind: 'no' would be read by YAML as a boolean, not as text",
        'quote it: "no"',
    ),
    "boolean-trap": (5, 8, "inventory.lab: expected true or false, got 'yes'", None),
    "octal-number": (
        92,
        131,
        "links[5].capacity_mbps: '01000' would be read by YAML as an octal number",
        "write it without the leading zero: 1000",
    ),
    "octal-text": (
        33,
        9,
        "agencies[1].id: '0101' would be read by YAML as an octal number, not as text",
        'quote it: "0101"',
    ),
    "empty-value": (34, 10, "agencies[1].name: value is empty", None),
    "bad-id": (33, 9, "agencies[1].id: 'Sở-TTTT' is not valid here", None),
    "unknown-enum": (
        77,
        11,
        "devices[6].role: 'cep' is not one of the allowed values",
        "did you mean 'cpe'?",
    ),
    "unknown-probe": (
        22,
        18,
        "defaults.probes[1]: 'snpm' is not one of the allowed values",
        "did you mean 'snmp'?",
    ),
    "wrong-shape": (14, 3, "services: expected a list, got a mapping", None),
    "site-and-agency": (
        76,
        5,
        "devices[6]: needs exactly one of 'site' or 'agency', has 'site' and 'agency'",
        None,
    ),
    "two-documents": (7, 1, "more than one YAML document in the file", None),
    "anchor-alias": (25, 14, "anchor '&x' is not supported", None),
    "alias-bomb": (3, 5, "anchor '&a0' is not supported", None),
    "deep-nesting": (2, 1008, "nesting deeper than 32 levels", None),
    "deep-nesting-block": (34, 65, "nesting deeper than 32 levels", None),
    "not-utf8": (2, 30, "file is not valid UTF-8", None),
    "literal-secret": (
        81,
        5,
        "devices[6]: literal secret 'community' does not belong in this file",
        None,
    ),
    "duplicate-id": (33, 9, "duplicate agency id 'ubnd-thanh-pho'", None),
    "unknown-level": (40, 12, "unknown level 'comune'", "did you mean 'commune'?"),
    "unknown-site": (62, 11, "unknown site 'pop-phuvang'", "did you mean 'pop-phu-vang'?"),
    "unknown-device": (94, 77, "unknown device 'cpe-9'", "did you mean 'cpe-3'?"),
    "unknown-interface": (94, 95, "device 'cpe-2' has no interface 'wan1'", "did you mean 'wan0'?"),
    "unknown-credential": (
        26,
        33,
        "unknown credential set 'lab-snmp-v2'",
        "did you mean 'lab-snmp-v2c'?",
    ),
    "unknown-device-group": (81, 13, "unknown device group 'cpe-v3c'", "did you mean 'cpe-v2c'?"),
    "malformed-mgmt": (79, 11, "invalid management address '10.46.16.300'", None),
    "duplicate-mgmt": (
        79,
        11,
        "management address 10.46.16.2 is also used by device 'cpe-2'",
        None,
    ),
    "mgmt-outside-network": (79, 11, "management address 10.47.16.3 is outside 10.46.0.0/16", None),
    "self-link": (92, 68, "link 'pop-hue--cpe-1' joins device 'pop-hue' to itself", None),
    "interface-used-twice": (
        94,
        58,
        "interface pop-hue:acc1 is already used by link 'pop-hue--cpe-1'",
        None,
    ),
    "parent-cycle": (32, 13, "parent cycle: ubnd-thanh-pho -> so-tttt -> ubnd-thanh-pho", None),
    "own-parent": (37, 13, "agency 'so-tttt' is its own parent", None),
    "cpe-at-site": (77, 11, "device 'cpe-3' is a cpe but sits at a site", None),
    "lab-interface-name": (74, 17, "interface name 'Gi0/0' cannot be created in the lab", None),
}

CONFIG_CASES: dict[str, tuple[int, int, str]] = {
    "literal-community": (
        5,
        18,
        "credentials.lab-snmp-v2c.snmp_v2c.community: literal secret refused",
    ),
    "literal-ssh-password": (6, 17, "credentials.lab-ssh.ssh.password: literal secret refused"),
    "unknown-key": (3, 3, "poll: unknown key 'intervall_s'"),
    "deadline-after-interval": (4, 15, "poll.deadline_s must be shorter than poll.interval_s"),
    "bad-listen": (2, 9, "listen '0.0.0.0:http' is not HOST:PORT"),
    "env-and-file": (
        5,
        18,
        "credentials.lab-snmp-v2c.snmp_v2c.community: needs exactly one of "
        "'env' or 'file', has 'env' and 'file'",
    ),
    "two-kinds": (
        4,
        5,
        "credentials.mixed: needs exactly one of 'snmp_v2c' or 'snmp_v3' or "
        "'ssh', has 'snmp_v2c' and 'ssh'",
    ),
    "wrong-type": (3, 16, "poll.concurrency: expected a whole number, got text 'lots'"),
    "v3-bad-protocol": (
        6,
        22,
        "credentials.v3.snmp_v3.auth_protocol: 'SHA-256' is not one of the allowed values",
    ),
    "v3-level-not-allowed": (
        6,
        23,
        "credentials.old-cpe.snmp_v3.security_level: noAuthNoPriv is refused unless allowed: "
        "anyone on the path can read and forge these SNMP messages",
    ),
    "v3-missing-keys": (5, 7, "credentials.v3.snmp_v3: authPriv needs priv_protocol, priv_key"),
    "v3-unused-key": (10, 17, "credentials.old-cpe.snmp_v3.priv_key is not used at authNoPriv"),
    "v3-allow-at-authpriv": (
        6,
        23,
        "credentials.v3.snmp_v3.allow_insecure: true has no effect at authPriv",
    ),
}


def _first_error(problems: list[Problem]) -> Problem:
    errors = [p for p in problems if p.severity == "error"]
    assert errors, f"expected an error, got {problems}"
    return errors[0]


def test_every_corpus_file_has_a_case() -> None:
    files = {p.stem for p in (DATA / "invalid").glob("*.yaml")} - {"warn-no-path-to-core"}
    assert files == set(INVENTORY_CASES)
    assert {p.stem for p in (DATA / "invalid-config").glob("*.yaml")} == set(CONFIG_CASES)


def test_base_is_valid() -> None:
    inv, problems = check_inventory(DATA / "base.yaml", CREDENTIALS)
    assert problems == []
    assert inv is not None and len(inv.agencies) == 3


@pytest.mark.parametrize("rule", sorted(INVENTORY_CASES))
def test_invalid_inventory(rule: str) -> None:
    path = DATA / "invalid" / f"{rule}.yaml"
    line, col, message, hint = INVENTORY_CASES[rule]
    inv, problems = check_inventory(path, CREDENTIALS)
    assert inv is None
    first = _first_error(problems)
    assert (first.file, first.line, first.col, first.message) == (str(path), line, col, message)
    if hint is not None:
        assert first.hint == hint
    assert first.hint, "every problem says what to do"


def test_no_path_to_core_is_a_warning() -> None:
    path = DATA / "invalid" / "warn-no-path-to-core.yaml"
    inv, problems = check_inventory(path, CREDENTIALS)
    assert inv is not None
    assert [(p.severity, p.line, p.message) for p in problems] == [
        ("warning", 38, "agency 'ubnd-phu-vang' has no declared path to the core")
    ]


@pytest.mark.parametrize("rule", sorted(CONFIG_CASES))
def test_invalid_config(rule: str) -> None:
    path = DATA / "invalid-config" / f"{rule}.yaml"
    line, col, message = CONFIG_CASES[rule]
    settings, problems = check_config(path)
    assert settings is None
    first = _first_error(problems)
    assert (first.file, first.line, first.col, first.message) == (str(path), line, col, message)


@pytest.mark.parametrize("rule", ["literal-community", "literal-ssh-password"])
def test_literal_secret_is_not_echoed(rule: str) -> None:
    text = (DATA / "invalid-config" / f"{rule}.yaml").read_text()
    secret = text.split(":")[-1].strip()
    _, problems = check_config(DATA / "invalid-config" / f"{rule}.yaml")
    assert all(secret not in p.render() for p in problems)


def test_every_problem_in_one_run(tmp_path: Path) -> None:
    """Several independent mistakes in a folder are all reported, across files."""
    base = (DATA / "base.yaml").read_text()
    (tmp_path / "a.yaml").write_text(base.replace("level: commune", "level: comune", 1))
    extra = (
        "agencies:\n  - {id: so-tttt, name: Trùng, level: province, group: hue}\n"
        "  - {id: x-1, name: X, level: province, group: hue, parent: nobody}\n"
    )
    (tmp_path / "b.yaml").write_text(extra)
    _, problems = check_inventory(tmp_path, CREDENTIALS)
    got = {(Path(p.file).name, p.message) for p in problems if p.severity == "error"}
    assert got == {
        ("a.yaml", "unknown level 'comune'"),
        ("b.yaml", "duplicate agency id 'so-tttt'"),
        ("b.yaml", "unknown agency 'nobody'"),
    }


def test_oversized_file_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("inventory: {name: big}\n" + "# padding\n" * 900_000)
    _, problems = check_inventory(big)
    assert [(p.line, p.message.split(";")[1].strip()) for p in problems] == [
        (1, "the limit is 8388608")
    ]
