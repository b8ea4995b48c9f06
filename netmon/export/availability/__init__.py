"""Availability over time, measured from Prometheus (issue 20).

- `promql`: the expressions (shared with the recording rules that `netmon.gen.rules` writes);
- `period`: dates in the operator's time zone → a UTC period of whole minutes;
- `client`: Prometheus' HTTP API, every call bounded;
- `plan`: which stretches of the period recorded hourly series cover, which need raw samples;
- `fetch`: the queries; `compute`: figures, outages, causes and gaps → `AvailabilityReport`.

It reads nothing but Prometheus: not the inventory, not the topology (the agencies, levels and
groups are the labels netmon exported).
"""
