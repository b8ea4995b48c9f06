"""Load and validate the inventory folder; export it to other tools."""

from netmon.inventory.load import check_inventory, load_inventory, load_then

__all__ = ["check_inventory", "load_inventory", "load_then"]
