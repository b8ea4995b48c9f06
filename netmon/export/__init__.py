"""Exports: what the running service shows, rendered from the latest state, never probing.

- `state`: the one immutable ExportState (latest Snapshot, last cycle, the service's facts).
- `metrics` (with `metrics_links`, `metrics_service`, `families`): the Prometheus collector.
- `http`: the HTTP server (/metrics, /topology.svg, Node Graph JSON via `nodegraph`, health,
  reload), with TLS and basic auth from `webconfig`.
- `report/`: the report renderers (table, JSON, DOT, GraphML, SVG) for the CLI and HTTP.

The files generated from Python (rules, dashboards) are written by `netmon.gen`, not here.
"""
