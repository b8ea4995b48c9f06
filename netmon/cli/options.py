"""Options several commands share. A module of its own, light to import: a command's module
is imported only when it runs (COMMANDS), and `report spof` should not pay for the config
and probe modules `validate` needs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# NETMON_INVENTORY: `netmon lab exec` sets it to the inventory the lab replicates.
InventoryOpt = Annotated[
    Path,
    typer.Option(
        "--inventory",
        "-i",
        help="inventory folder (every *.yaml in it)",
        envvar="NETMON_INVENTORY",
    ),
]
ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="runtime settings file")]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="read every inventory file afresh, without the cache of checked files "
        "($XDG_CACHE_HOME/netmon/inventory; also NETMON_NO_CACHE=1)",
    ),
]
