"""`netmon inventory show|export|schema`: the inventory for people and for other tools."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from netmon.cli.options import InventoryOpt
from netmon.config import SPEC as CONFIG_SPEC
from netmon.inventory import load_inventory
from netmon.inventory.cache import InventoryCache
from netmon.inventory.export import FOLDERS, FORMATS, summary
from netmon.inventory.format import FILE
from netmon.yamlspec import json_schema

app = typer.Typer(help="Show, export and describe the inventory.", no_args_is_help=True)


class Output(StrEnum):
    table = "table"
    json = "json"


class ExportFormat(StrEnum):
    json = "json"
    nornir = "nornir"
    ansible = "ansible"
    file_sd = "file_sd"


@app.command()
def show(
    inventory: InventoryOpt = Path("inventory"),
    output: Annotated[Output, typer.Option("--output", "-o")] = Output.table,
) -> None:
    """Counts by level, group and platform; devices, links, dual-homed agencies.

    \b
    Examples:
      netmon inventory show
      netmon inventory show -o json | jq .by_group
    """
    inv = load_inventory(inventory, cache=InventoryCache.default(background=True))
    data = summary(inv)
    if output is Output.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = Console()
    head = Table(title=f"{data['name']}{' (lab)' if data['lab'] else ''}", show_header=False)
    for key in ("agencies", "sites", "devices", "links", "dual_homed"):
        head.add_row(key.replace("_", "-"), str(data[key]))
    head.add_row("services", ", ".join(data["services"]))
    console.print(head)
    for title, key in (
        ("by level", "by_level"),
        ("by group", "by_group"),
        ("by platform", "by_platform"),
        ("links by kind", "by_link_kind"),
    ):
        table = Table(title=title)
        table.add_column(title.split()[-1])
        table.add_column("count", justify="right")
        for name, count in data[key].items():
            label = data["level_names"].get(name, name) if key == "by_level" else name
            table.add_row(f"{label} ({name})" if label != name else name, str(count))
        console.print(table)


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="output format")],
    inventory: InventoryOpt = Path("inventory"),
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            file_okay=False,
            help="nornir only (required): write hosts.yaml, groups.yaml, defaults.yaml there",
        ),
    ] = None,
) -> None:
    """The inventory for another tool: json, Ansible YAML or Prometheus file_sd targets
    (management addresses with bounded labels) on stdout; nornir's SimpleInventory (three
    files) into --out-dir.

    \b
    Examples:
      netmon inventory export -f file_sd > targets/metronet.json
      netmon inventory export -f ansible > hosts.yml
      netmon inventory export -f nornir --out-dir nornir/
        then in Python: InitNornir(inventory={"plugin": "SimpleInventory", "options":
        {"host_file": "nornir/hosts.yaml", "group_file": "nornir/groups.yaml",
        "defaults_file": "nornir/defaults.yaml"}})
    """
    if fmt.value in FOLDERS:
        if out_dir is None:
            raise typer.BadParameter(
                f"{fmt.value} is several files: add --out-dir DIR", param_hint="--out-dir"
            )
        files = FOLDERS[fmt.value](
            load_inventory(inventory, cache=InventoryCache.default(background=True))
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out_dir / name).write_text(text, encoding="utf-8")
        print(f"wrote {', '.join(files)} to {out_dir}", file=sys.stderr)
        return
    if out_dir is not None:
        raise typer.BadParameter(f"{fmt.value} goes to stdout", param_hint="--out-dir")
    print(
        FORMATS[fmt.value](load_inventory(inventory, cache=InventoryCache.default(background=True)))
    )


@app.command()
def schema(
    config: Annotated[
        bool, typer.Option("--config", help="the schema of config.yaml instead")
    ] = False,
) -> None:
    """Print the JSON Schema of an inventory file (what editors validate against).

    Examples (regenerate the committed copies):
      netmon inventory schema > inventory/schema/inventory.schema.json
      netmon inventory schema --config > inventory/schema/config.schema.json
    """
    spec = CONFIG_SPEC if config else FILE
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", **json_schema(spec)}
    print(json.dumps(doc, ensure_ascii=False, indent=2))
