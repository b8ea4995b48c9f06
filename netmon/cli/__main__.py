"""`python -m netmon.cli` runs the netmon command."""

from netmon.cli import main

main()
