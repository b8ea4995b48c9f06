"""The exception tree, readable in one docstring.

NetmonError                     root: anything netmon reports to a person on purpose
├── InputError                  input a person wrote is wrong; carries Problems (file:line:col)
│   ├── InventoryError          the inventory folder
│   ├── ConfigError             config.yaml
│   └── WebConfigError          --web-config (TLS and basic auth, exporter-toolkit's format)
├── RenderError                 a report cannot be drawn (graphviz missing, slow or failing)
├── LabError                    the network-namespace lab cannot do what was asked
├── SafetyError                 refusing to send traffic somewhere it must not go
└── PrometheusError             the operator's Prometheus cannot answer a report's queries

Every message says what is wrong and what to do. The CLI prints them and exits 1; nothing else
in netmon turns them into tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about input, located at FILE:LINE:COL (1-based; 0 when unknown)."""

    file: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: Severity = "error"

    def render(self) -> str:
        head = f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head


class NetmonError(Exception):
    """Root of everything netmon raises on purpose."""


class InputError(NetmonError):
    """Input written by a person is invalid; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        first = errors[0].render() if errors else "invalid input"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class InventoryError(InputError):
    """The inventory folder is invalid."""


class ConfigError(InputError):
    """config.yaml is invalid."""


class WebConfigError(InputError):
    """The web config (--web-config) is invalid or names a certificate that cannot be used."""


class RenderError(NetmonError):
    """A renderer cannot run (graphviz missing, layout failed); the message says what to do."""


class LabError(NetmonError):
    """The lab cannot do what was asked (not root, ranges overlap, a daemon missing...)."""


class SafetyError(NetmonError):
    """Refused: the traffic asked for could leave the machine or hit a real network."""


class PrometheusError(NetmonError):
    """Prometheus (asked for an availability report) is unreachable, too slow, refuses a
    query or answers something that is not its API: the message says which, and where."""
