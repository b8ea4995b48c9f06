"""Long-running helper processes the lab starts (`python -m netmon.lab.procs.NAME`).

Nothing imports these modules: they run in their own process, inside a lab namespace.
"""
