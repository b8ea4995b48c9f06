"""config.yaml: runtime settings and where credentials come from. Never secrets themselves
(credential sets and secret references: credentials.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from netmon.config.credentials import (
    CREDENTIALS,
    Credential,
    Secret,
    SecretRef,
    SnmpV2c,
    SnmpV3,
    SshCredential,
    credential,
    credential_problems,
)
from netmon.errors import ConfigError, Problem
from netmon.yamlspec import (
    ROOT,
    Checker,
    Field,
    Float,
    Int,
    Mapping,
    Obj,
    Str,
    read_yaml,
)

__all__ = [
    "DEFAULT_LISTEN",
    "SPEC",
    "ConfigError",
    "Credential",
    "ProbeSettings",
    "Secret",
    "SecretRef",
    "Settings",
    "SnmpV2c",
    "SnmpV3",
    "SshCredential",
    "check_config",
    "load_config",
]

DEFAULT_LISTEN = "127.0.0.1:10467"


@dataclass(frozen=True)
class ProbeSettings:
    timeout_s: float
    retries: int


# A cut uplink must read as down within 15 s (issue 4): the next cycle reads it, so the interval
# plus one cycle's time must stay under 15 s. The deadline leaves 2 s before the next cycle.
DEFAULT_INTERVAL_S = 10.0
# The SNMP engine: "netmon" (its own codec, 10x less CPU: docs/probes.md) or "pysnmp" (the
# reference implementation, for an agent the own codec does not get along with).
SNMP_CLIENTS = ("netmon", "pysnmp")
DEFAULT_DEADLINE_S = 8.0


@dataclass(frozen=True)
class Settings:
    interval_s: float = DEFAULT_INTERVAL_S
    jitter_s: float = 2.0
    deadline_s: float = DEFAULT_DEADLINE_S
    concurrency: int = 200
    down_after: int = 3
    full_every: int = 10
    probes: dict[str, ProbeSettings] = field(default_factory=dict)
    snmp_max_repetitions: int = 25
    snmp_client: str = "netmon"  # see SNMP_CLIENTS
    ssh_known_hosts: Path | None = None
    ssh_concurrency: int = 20
    ssh_keepalive_s: float = 15.0
    listen: str = DEFAULT_LISTEN
    credentials: dict[str, Credential] = field(default_factory=dict)
    source: str = ""


_PROBE = Obj(
    {
        "timeout_s": Field(Float(minimum=0.01, maximum=120)),
        "retries": Field(Int(minimum=0, maximum=10)),
    }
)
SPEC = Obj(
    {
        "poll": Field(
            Obj(
                {
                    "interval_s": Field(
                        Float(minimum=1, maximum=86400, doc="seconds between cycles")
                    ),
                    "jitter_s": Field(Float(minimum=0, maximum=3600)),
                    "deadline_s": Field(
                        Float(minimum=0.5, maximum=86400, doc="a cycle never runs longer")
                    ),
                    "concurrency": Field(Int(minimum=1, maximum=10000)),
                    "down_after": Field(
                        Int(minimum=1, maximum=100, doc="consecutive failures before down")
                    ),
                    "full_every": Field(
                        Int(minimum=1, maximum=10000, doc="full table re-read every N cycles")
                    ),
                }
            )
        ),
        "probes": Field(
            Obj(
                {
                    "icmp": Field(_PROBE),
                    "tcp": Field(_PROBE),
                    "snmp": Field(
                        Obj(
                            {
                                **_PROBE.fields,
                                "max_repetitions": Field(Int(minimum=1, maximum=100)),
                                "client": Field(Str(enum=SNMP_CLIENTS)),
                            }
                        )
                    ),
                    "ssh": Field(
                        Obj(
                            {
                                **_PROBE.fields,
                                "concurrency": Field(Int(minimum=1, maximum=1000)),
                                "keepalive_s": Field(Float(minimum=1, maximum=3600)),
                            }
                        )
                    ),
                }
            )
        ),
        "listen": Field(Str(doc="HOST:PORT the exporter binds (default 127.0.0.1:10467)")),
        "ssh": Field(
            Obj({"known_hosts": Field(Str(doc="known_hosts file; host keys are verified"))})
        ),
        "credentials": Field(CREDENTIALS),
    },
    title="netmon config.yaml",
    doc="netmon runtime settings; see docs/configuration.md",
)


def check_config(path: Path) -> tuple[Settings | None, list[Problem]]:
    """Every problem of config.yaml, and the Settings when there is no error."""
    root, problems = read_yaml(path, str(path))
    if problems:
        return None, problems
    checker = Checker(str(path), reject_secret_keys=False)
    data = checker.check(root, SPEC, ROOT) if root is not None else Mapping()
    problems = checker.problems
    if not isinstance(data, Mapping):
        return None, problems
    problems += _cross_checks(data, str(path))
    problems += credential_problems(data.get("credentials", Mapping()), str(path))
    if problems:
        return None, problems
    return _build(data, path, problems), problems


def load_config(path: Path) -> Settings:
    settings, problems = check_config(path)
    if settings is None:
        raise ConfigError(problems)
    return settings


def _cross_checks(data: Mapping, file: str) -> list[Problem]:
    out: list[Problem] = []
    poll = data.get("poll", {})
    if "deadline_s" in poll and poll["deadline_s"] >= poll.get("interval_s", DEFAULT_INTERVAL_S):
        line, col = poll.at["deadline_s"]
        out.append(
            Problem(
                file,
                line,
                col,
                "poll.deadline_s must be shorter than poll.interval_s",
                "a cycle must end before the next one starts",
            )
        )
    if "listen" in data:
        host, _, port = data["listen"].rpartition(":")
        ok = port.isdigit() and 0 < int(port) < 65536
        try:
            ip_address(host.strip("[]"))
        except ValueError:
            ok = False
        if not ok:
            line, col = data.at["listen"]
            out.append(
                Problem(
                    file,
                    line,
                    col,
                    f"listen '{data['listen']}' is not HOST:PORT",
                    f"for example {DEFAULT_LISTEN}",
                )
            )
    return out


def _build(data: Mapping, path: Path, problems: list[Problem]) -> Settings:
    base = path.resolve().parent
    poll: dict[str, Any] = data.get("poll", {})
    probes_raw: dict[str, Any] = data.get("probes", {})
    # Retries sized for 30 % loss on a path (docs/reliability.md, item 4): a probe fails only when
    # every try is lost, 0.3**5 for ICMP and 0.3**6 for each SNMP request; a dead agent still
    # costs only timeout x tries (2.5 s, 2.4 s), well inside the 8 s cycle deadline.
    defaults = {"icmp": (0.5, 4), "tcp": (1.0, 1), "snmp": (0.4, 5), "ssh": (5.0, 0)}
    probes = {
        name: ProbeSettings(
            probes_raw.get(name, {}).get("timeout_s", t), probes_raw.get(name, {}).get("retries", r)
        )
        for name, (t, r) in defaults.items()
    }
    ssh_probe = probes_raw.get("ssh", {})
    known = data.get("ssh", {}).get("known_hosts")
    interval = poll.get("interval_s", DEFAULT_INTERVAL_S)
    return Settings(
        interval_s=interval,
        jitter_s=poll.get("jitter_s", 2.0),
        # Without a deadline of its own, a short interval gets one that still ends in time.
        deadline_s=poll.get("deadline_s", min(DEFAULT_DEADLINE_S, 0.8 * interval)),
        concurrency=poll.get("concurrency", 200),
        down_after=poll.get("down_after", 3),
        full_every=poll.get("full_every", 10),
        probes=probes,
        snmp_max_repetitions=probes_raw.get("snmp", {}).get("max_repetitions", 25),
        snmp_client=probes_raw.get("snmp", {}).get("client", "netmon"),
        ssh_known_hosts=(base / known) if known else None,
        ssh_concurrency=ssh_probe.get("concurrency", 20),
        ssh_keepalive_s=ssh_probe.get("keepalive_s", 15.0),
        listen=data.get("listen", DEFAULT_LISTEN),
        credentials={name: credential(c, base) for name, c in data.get("credentials", {}).items()},
        source=str(path),
    )
