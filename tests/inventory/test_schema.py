"""The committed JSON Schemas are generated from the specs the validator uses, and current."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from netmon.config import SPEC as CONFIG_SPEC
from netmon.inventory.format import FILE
from netmon.yamlspec import json_schema

REPO = Path(__file__).parent.parent.parent
SCHEMAS = REPO / "inventory" / "schema"


@pytest.mark.parametrize(
    ("name", "spec"), [("inventory.schema.json", FILE), ("config.schema.json", CONFIG_SPEC)]
)
def test_committed_schema_is_current(name: str, spec: object) -> None:
    committed = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    generated = json_schema(spec)  # type: ignore[arg-type]
    assert committed == {"$schema": "https://json-schema.org/draft/2020-12/schema", **generated}, (
        f"regenerate: netmon inventory schema{' --config' if 'config' in name else ''} "
        f"> inventory/schema/{name}"
    )


def test_cli_prints_the_same_schema() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "netmon.cli", "inventory", "schema"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == json.loads((SCHEMAS / "inventory.schema.json").read_text())


def test_yaml_files_carry_the_modeline() -> None:
    files = [
        *REPO.glob("inventory/*.yaml"),
        *REPO.glob("tests/data/**/*.yaml"),
        REPO / "config.yaml",
    ]
    for path in files:
        first = path.read_text(encoding="utf-8", errors="replace").splitlines()[0]
        if "Invalid on purpose" in first:
            continue
        match = re.match(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{path}: first line must be the yaml-language-server modeline"
        assert (path.parent / match.group(1)).resolve().is_file(), f"{path}: schema path wrong"


def test_schema_rejects_what_the_checker_rejects() -> None:
    """Spot-check the generated schema: unknown keys and the enums are closed."""
    schema = json_schema(FILE)
    agency = schema["properties"]["agencies"]["items"]
    assert agency["additionalProperties"] is False
    assert set(agency["required"]) == {"id", "name", "level", "group"}
    device = schema["properties"]["devices"]["items"]
    assert device["properties"]["role"]["enum"] == ["core", "pop", "cpe"]
