"""config.yaml: runtime settings and where credentials come from. Never secrets themselves
(credential sets and secret references: credentials.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    secret_problems,
)
from netmon.errors import ConfigError, Problem
from netmon.model import MANAGEMENT_MODES, Management
from netmon.probes import KINDS, ProbeKind, ProbeSettings
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
    "DEFAULT_TIMEZONE",
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
    "secret_problems",
]

DEFAULT_LISTEN = "127.0.0.1:10467"
# A cut uplink must read as down within 15 s (issue 4): the next cycle reads it, so the interval
# plus one cycle's time must stay under 15 s. The deadline leaves 2 s before the next cycle.
DEFAULT_INTERVAL_S = 10.0
DEFAULT_DEADLINE_S = 8.0
# Without a deadline of its own, a short interval gets one that still ends in time.
DEADLINE_SHARE = 0.8
# The time zone availability reports are read in (Huế's): `availability.timezone`.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Every default is here (poll) or in a probe kind's settings class
    (`netmon.probes`: its declaration); config.yaml only overrides them."""

    interval_s: float = DEFAULT_INTERVAL_S
    jitter_s: float = 2.0
    deadline_s: float = DEFAULT_DEADLINE_S
    concurrency: int = 200
    down_after: int = 3
    full_every: int = 10
    # How this netmon reaches the devices: over MetroNet itself (inband) or a separate
    # management network (oob). In-band, a device silent behind a failure is "unreachable",
    # not down (docs/topology.md).
    management: Management = "inband"
    # Per probe kind: a loaded config.yaml has every kind (what it sets over the defaults); a
    # kind missing here runs on its declared defaults, and a plain ProbeSettings is completed
    # with the kind's own (ProbeKind.settings_from).
    probes: dict[str, ProbeSettings] = field(default_factory=dict)
    ssh_known_hosts: Path | None = None
    listen: str = DEFAULT_LISTEN
    credentials: dict[str, Credential] = field(default_factory=dict)
    # The operator's Prometheus that availability reports (/api/availability, and `netmon
    # report availability` without --prometheus) query; None: not configured.
    availability_prometheus: str | None = None
    availability_timezone: str = DEFAULT_TIMEZONE
    source: str = ""

    def probe(self, kind: str) -> ProbeSettings:
        """The settings a probe kind runs with: config.yaml's over the kind's defaults."""
        settings: ProbeSettings = KINDS[kind].settings_from(self.probes.get(kind))
        return settings


def _probe_spec(kind: ProbeKind[Any]) -> Obj:
    return Obj(
        {
            key: Field(
                spec if default is None else replace(spec, doc=f"{spec.doc} (default {default})")
            )
            for key, (spec, default) in kind.config_keys().items()
        },
        doc=kind.doc,
    )


# The spec of config.yaml; its `probes:` section comes from the probe kinds' declarations.
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
                    "management": Field(
                        Str(
                            enum=MANAGEMENT_MODES,
                            doc="how netmon reaches the devices: inband (over MetroNet itself, "
                            "the default) or oob (a separate management network)",
                        )
                    ),
                }
            )
        ),
        "probes": Field(Obj({name: Field(_probe_spec(k)) for name, k in KINDS.items()})),
        "listen": Field(Str(doc="HOST:PORT the exporter binds (default 127.0.0.1:10467)")),
        "ssh": Field(
            Obj({"known_hosts": Field(Str(doc="known_hosts file; host keys are verified"))})
        ),
        "credentials": Field(CREDENTIALS),
        "availability": Field(
            Obj(
                {
                    "prometheus": Field(
                        Str(
                            doc="URL of the Prometheus that availability reports query, e.g. "
                            "http://127.0.0.1:9090 (default: none)"
                        )
                    ),
                    "timezone": Field(
                        Str(doc=f"IANA time zone of the reports (default {DEFAULT_TIMEZONE})")
                    ),
                },
                doc="availability reports: netmon report availability, /api/availability",
            )
        ),
    },
    title="netmon config.yaml",
    doc="netmon runtime settings; see docs/configuration.md",
)


def check_config(
    path: Path, secrets: bool = False, unreadable: bool = False
) -> tuple[Settings | None, list[Problem]]:
    """Every problem of config.yaml, and the Settings when there is no error. `secrets`: also
    read the secrets that can be read now and check what only they show (`netmon validate`);
    `unreadable`: a secret that cannot be read is an error too (`netmon validate --secrets`)."""
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
    if any(p.severity == "error" for p in problems):
        return None, problems
    settings = _build(data, path)
    problems += deadline_problems(settings, data, str(path))
    if secrets:
        found = secret_problems(settings.credentials, unreadable=unreadable)
        if found:
            return None, problems + found
    return settings, problems


def load_config(path: Path, on_warning: Callable[[Problem], None] | None = None) -> Settings:
    """The settings, or ConfigError naming every error; warnings go to `on_warning`."""
    settings, problems = check_config(path)
    if settings is None:
        raise ConfigError(problems)
    for p in problems:
        if on_warning is not None:
            on_warning(p)
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
    return out + _availability_problems(data.get("availability", Mapping()), file)


def _availability_problems(section: Mapping, file: str) -> list[Problem]:
    out: list[Problem] = []
    url = section.get("prometheus")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            line, col = section.at["prometheus"]
            out.append(
                Problem(
                    file,
                    line,
                    col,
                    f"availability.prometheus '{url}' is not an http(s) URL",
                    "for example http://127.0.0.1:9090",
                )
            )
    tz = section.get("timezone")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            line, col = section.at["timezone"]
            out.append(
                Problem(
                    file,
                    line,
                    col,
                    f"availability.timezone '{tz}' is not a time zone",
                    f"an IANA name, for example {DEFAULT_TIMEZONE}",
                )
            )
    return out


def _build(data: Mapping, path: Path) -> Settings:
    """Settings from checked data: only what the file sets; the rest keeps its default."""
    base = path.resolve().parent
    poll: dict[str, Any] = dict(data.get("poll", {}))
    if "deadline_s" not in poll and "interval_s" in poll:
        poll["deadline_s"] = min(DEFAULT_DEADLINE_S, DEADLINE_SHARE * poll["interval_s"])
    known = data.get("ssh", {}).get("known_hosts")
    availability = data.get("availability", {})
    return Settings(
        **poll,
        probes={
            name: replace(kind.settings(), **data.get("probes", {}).get(name, {}))
            for name, kind in KINDS.items()
        },
        ssh_known_hosts=(base / known) if known else None,
        listen=data.get("listen", DEFAULT_LISTEN),
        credentials={
            name: credential(c, base, str(path)) for name, c in data.get("credentials", {}).items()
        },
        availability_prometheus=availability.get("prometheus"),
        availability_timezone=availability.get("timezone", DEFAULT_TIMEZONE),
        source=str(path),
    )


def deadline_problems(settings: Settings, data: Mapping, file: str) -> list[Problem]:
    """Warnings where a device that never answers would outlast the cycle deadline: its probe
    is then cut as "deadline" instead of failing as "timeout" on its own, and its place in the
    concurrency limit is held until the end of the cycle. Located at the probe's timeout_s
    when the file sets it, else at poll.deadline_s or interval_s, else at the top."""
    out: list[Problem] = []
    poll = data.get("poll", Mapping())
    probes = data.get("probes", Mapping())
    for name in KINDS:
        cost = settings.probe(name).silent_device_s
        if cost <= settings.deadline_s:
            continue
        own = probes.get(name, Mapping())
        line, col = next(
            (own.at[k] for k in ("timeout_s", "retries") if k in own),
            next((poll.at[k] for k in ("deadline_s", "interval_s") if k in poll), (1, 1)),
        )
        out.append(
            Problem(
                file,
                line,
                col,
                f"a silent device costs the {name} probe {cost:g} s (timeout_s x (retries + 1)), "
                f"more than poll.deadline_s ({settings.deadline_s:g} s)",
                f"lower probes.{name}.timeout_s or retries, or raise poll.deadline_s: otherwise "
                "the cycle cuts it as 'deadline' before it can fail as 'timeout'",
                "warning",
            )
        )
    return out
