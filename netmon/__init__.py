"""netmon: inventory, reachability and topology monitor for the MetroNet NOC."""

__version__ = "0.1.0"
