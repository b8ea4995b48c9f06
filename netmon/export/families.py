"""Metric families as plain tuples, and a text-format encoder fast enough for every scrape.

prometheus_client's family objects and `generate_latest` cost about 25 µs per sample here
(name and label validation on every sample): 17,000 samples for 467 agencies took 400 ms.
The collector therefore builds these light families, `encode` writes the Prometheus text
format (0.0.4) directly, and `to_client` converts to prometheus_client families for anyone
who wants a CollectorRegistry (tests compare the two outputs sample by sample).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

Kind = Literal["gauge", "counter"]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Family:
    """`name` is the full sample name (counters include `_total`)."""

    name: str
    kind: Kind
    doc: str
    labels: tuple[str, ...]
    samples: list[tuple[tuple[str, ...], float]] = field(default_factory=list)

    def add(self, values: Sequence[str], value: float) -> None:
        # No checks here (this runs 17,000 times a render): encode() refuses a sample whose
        # label values do not match the label names, the first time it formats that label set.
        self.samples.append((tuple(values), float(value)))


def gauge(name: str, doc: str, labels: Iterable[str] = ()) -> Family:
    return Family(name, "gauge", doc, tuple(labels))


def counter(name: str, doc: str, labels: Iterable[str] = ()) -> Family:
    assert name.endswith("_total"), name
    return Family(name, "counter", doc, tuple(labels))


def _escape(value: str) -> str:
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return value


def _number(value: float) -> str:
    if math.isfinite(value):
        return repr(float(value))
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


# Label sets repeat from one cycle to the next (the inventory changes rarely), so their encoded
# form is kept, per family: one dict lookup by the label values instead of escaping and formatting
# every label on every render (a lookup by (name, values) built and hashed one more tuple per
# sample: 25 % of the encode time, bench/exporter.py).
_PREFIXES: dict[str, dict[tuple[str, ...], str]] = {}
_PREFIXES_MAX = 500_000  # a few inventories' worth; cleared, not evicted one by one
_prefixes_held = 0


def _prefix(f: Family, values: tuple[str, ...]) -> str:
    if len(values) != len(f.labels):
        raise ValueError(f"{f.name}: {len(values)} label values for labels {f.labels}")
    pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in zip(f.labels, values, strict=True))
    return f"{f.name}{{{pairs}}} "


def encode(families: Iterable[Family]) -> bytes:
    global _prefixes_held
    if _prefixes_held > _PREFIXES_MAX:
        _PREFIXES.clear()
        _prefixes_held = 0
    out: list[str] = []
    add = out.append
    isfinite = math.isfinite
    for f in families:
        doc = f.doc.replace("\\", "\\\\").replace("\n", "\\n")
        # prometheus_client's text format names a counter's HELP and TYPE with `_total` too.
        add(f"# HELP {f.name} {doc}\n# TYPE {f.name} {f.kind}\n")
        if not f.labels:
            out.extend(f"{f.name} {_number(v)}\n" for _, v in f.samples)
            continue
        heads = _PREFIXES.get(f.name)
        if heads is None:
            heads = _PREFIXES[f.name] = {}
        get = heads.get
        for values, v in f.samples:
            head = get(values)
            if head is None:
                head = heads[values] = _prefix(f, values)
                _prefixes_held += 1
            add(f"{head}{v!r}\n" if isfinite(v) else f"{head}{_number(v)}\n")
    return "".join(out).encode()


def to_client(families: Iterable[Family]) -> list[Metric]:
    """The same families as prometheus_client objects (slow: for registries and tests)."""
    out: list[Metric] = []
    for f in families:
        m: GaugeMetricFamily | CounterMetricFamily
        if f.kind == "counter":
            m = CounterMetricFamily(f.name, f.doc, labels=list(f.labels))
        else:
            m = GaugeMetricFamily(f.name, f.doc, labels=list(f.labels))
        for values, v in f.samples:
            m.add_metric(list(values), v)
        out.append(m)
    return out
