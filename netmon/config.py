"""config.yaml: runtime settings and where credentials come from. Never secrets themselves.

Secrets are referenced as {env: VAR} or {file: PATH} (relative paths from the config file's
folder) and read only when a probe needs them; `Secret` prints as <secret> everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from netmon.errors import ConfigError, Problem
from netmon.yamlspec import (
    ROOT,
    Checker,
    Field,
    Float,
    Int,
    MapOf,
    Mapping,
    Obj,
    Str,
    read_yaml,
)

DEFAULT_LISTEN = "127.0.0.1:10467"
_ID = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"


class Secret:
    """A secret read from the environment or a file; never shown in repr, str or logs."""

    __slots__ = ("_source", "_value")

    def __init__(self, value: str, source: str = "") -> None:
        self._value = value
        self._source = source

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class SecretRef:
    """Where a secret comes from: an environment variable or a file."""

    env: str | None = None
    file: Path | None = None

    def describe(self) -> str:
        return f"environment variable {self.env}" if self.env else f"file {self.file}"

    def resolve(self) -> Secret:
        """Read the secret now; ConfigError with what to do when it is not there."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(
                    [
                        Problem(
                            "config",
                            0,
                            0,
                            f"environment variable {self.env} is not set",
                            f"export {self.env}=... before starting netmon",
                        )
                    ]
                )
            return Secret(value, self.describe())
        assert self.file is not None
        try:
            return Secret(self.file.read_text(encoding="utf-8").strip(), self.describe())
        except OSError as exc:
            raise ConfigError(
                [
                    Problem(
                        str(self.file),
                        0,
                        0,
                        f"cannot read secret file: {exc.strerror}",
                        "create the file (mode 0600), or for the lab run 'netmon lab up' first",
                    )
                ]
            ) from None


@dataclass(frozen=True)
class SnmpV2c:
    community: SecretRef


@dataclass(frozen=True)
class SnmpV3:
    user: str
    auth_protocol: str
    auth_key: SecretRef
    priv_protocol: str
    priv_key: SecretRef


@dataclass(frozen=True)
class SshCredential:
    username: str
    private_key: SecretRef | None = None
    password: SecretRef | None = None


Credential = SnmpV2c | SnmpV3 | SshCredential


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


_SECRET = Obj(
    {"env": Field(Str(pattern=r"[A-Za-z_][A-Za-z0-9_]*")), "file": Field(Str())},
    one_of=("env", "file"),
    secret_ref=True,
    doc="where a secret comes from: {env: VAR} or {file: PATH}",
)
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
        "credentials": Field(
            MapOf(
                Obj(
                    {
                        "snmp_v2c": Field(Obj({"community": Field(_SECRET, required=True)})),
                        "snmp_v3": Field(
                            Obj(
                                {
                                    "user": Field(Str(), required=True),
                                    "auth_protocol": Field(
                                        Str(enum=("sha", "sha256", "sha512")), required=True
                                    ),
                                    "auth_key": Field(_SECRET, required=True),
                                    "priv_protocol": Field(
                                        Str(enum=("aes", "aes256")), required=True
                                    ),
                                    "priv_key": Field(_SECRET, required=True),
                                }
                            )
                        ),
                        "ssh": Field(
                            Obj(
                                {
                                    "username": Field(Str(), required=True),
                                    "private_key": Field(_SECRET),
                                    "password": Field(_SECRET),
                                }
                            )
                        ),
                    },
                    one_of=("snmp_v2c", "snmp_v3", "ssh"),
                ),
                key_pattern=_ID,
            )
        ),
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


def _ref(data: Mapping | None, base: Path) -> SecretRef | None:
    if data is None:
        return None
    if "env" in data:
        return SecretRef(env=data["env"])
    path = Path(data["file"])
    return SecretRef(file=path if path.is_absolute() else base / path)


def _credential(data: Mapping, base: Path) -> Credential:
    if "snmp_v2c" in data:
        c = _ref(data["snmp_v2c"]["community"], base)
        assert c is not None
        return SnmpV2c(c)
    if "snmp_v3" in data:
        v3 = data["snmp_v3"]
        auth, priv = _ref(v3["auth_key"], base), _ref(v3["priv_key"], base)
        assert auth is not None and priv is not None
        return SnmpV3(v3["user"], v3["auth_protocol"], auth, v3["priv_protocol"], priv)
    ssh = data["ssh"]
    return SshCredential(
        ssh["username"], _ref(ssh.get("private_key"), base), _ref(ssh.get("password"), base)
    )


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
        credentials={name: _credential(c, base) for name, c in data.get("credentials", {}).items()},
        source=str(path),
    )
