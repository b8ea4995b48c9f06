"""`netmon validate`: every problem of the inventory and config.yaml in one run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from netmon.cli import leave_to_exit, left_to_exit
from netmon.cli.options import ConfigOpt, InventoryOpt, NoCacheOpt
from netmon.config import check_config
from netmon.errors import Problem
from netmon.inventory import check_inventory
from netmon.inventory.cache import InventoryCache


def report(problems: list[Problem]) -> tuple[int, int]:
    """Print problems, one per line plus hint; return (errors, warnings)."""
    for p in problems:
        print(p.render())
    errors = sum(p.severity == "error" for p in problems)
    return errors, len(problems) - errors


def validate(
    inventory: InventoryOpt = Path("inventory"),
    config: ConfigOpt = Path("config.yaml"),
    secrets: Annotated[
        bool,
        typer.Option(
            "--secrets",
            help="also read every secret config.yaml references (env variables, files): one "
            "that cannot be read is an error. Run it where netmon runs, as its user",
        ),
    ] = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Check the inventory and config.yaml together; print every problem as FILE:LINE:COL.

    Secrets are never printed. Without --secrets, those that can be read are checked (a v3
    passphrase under 8 characters) and those that cannot are not an error (a CI checkout has
    none); with --secrets every one must resolve, as poll and serve require at start-up.
    Exit code 0 when valid (warnings allowed), 1 when anything is wrong.

    Each inventory file's checked content is cached by its sha256 under
    $XDG_CACHE_HOME/netmon/inventory (default ~/.cache/netmon/inventory): only the files that
    changed since the last run are parsed again, and the problems printed are the same with
    or without the cache. --no-cache or NETMON_NO_CACHE=1 reads every file afresh.

    Examples:
      netmon validate
      netmon validate --inventory tests/data/lab-small --config config.yaml
      sudo -u netmon netmon validate --secrets   # on the monitoring host, before a restart
      netmon validate --no-cache
    """
    problems: list[Problem] = []
    names: list[str] | None = None
    if config.exists():
        settings, config_problems = check_config(config, secrets=True, unreadable=secrets)
        problems += config_problems
        names = list(settings.credentials) if settings else None
    else:
        problems.append(
            Problem(
                str(config),
                0,
                0,
                "config file not found",
                "pass --config FILE, or run from the repository root",
            )
        )
    inv, inv_problems = check_inventory(
        inventory,
        names,
        # files' entries only: pickling the model would hold validate up (cache.py)
        InventoryCache.default(no_cache, background=True, models=False),
        keep=left_to_exit(),
    )
    leave_to_exit(inv)  # freeing a national model costs 0.02 s; the process ends at once
    problems += inv_problems
    errors, warnings = report(problems)
    if inv is not None and not errors:
        print(
            f"ok: {len(inv.agencies)} agencies, {len(inv.devices)} devices, "
            f"{len(inv.links)} links, {warnings} warning(s)",
            file=sys.stderr,
        )
        raise typer.Exit(0)
    print(f"invalid: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    raise typer.Exit(1)
