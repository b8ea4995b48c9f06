"""Generators: code that writes committed files, run by hand with `python -m`, never by netmon.

    python -m netmon.gen.rules        Prometheus rules, their promtool tests, docs/alerts.md
    python -m netmon.gen.dashboards   Grafana dashboards (exporters/grafana/dashboards/)
    python -m netmon.gen.inventory    the Huế sample inventory (inventory/), or a national one

A leaf layer: it may import the lower layers, and nothing in netmon imports it
(tests/test_layering.py), so what runs in production is never what writes the files, and a
generator's dependencies (grafana-foundation-sdk, vietnam-provinces) stay out of `netmon serve`.
Tests check that each committed file equals what its generator writes.
"""
