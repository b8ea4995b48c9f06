"""The one shape every probe has (blackbox_exporter style), and how a probe kind is declared.

    async def probe(target: ProbeTarget[S], env: ProbeEnv) -> ProbeResult

A probe never raises for anything a device does: failures are ProbeResults with a reason.

A probe kind is declared once, as a `ProbeKind` in its own module: its name, the probe, its
settings (a `ProbeSettings` subclass whose field defaults are *the* defaults), its standard
port (which gives the inventory a `<name>_port` key per device) and the credential set it
needs. config.yaml's `probes:` section, the inventory's `probes:` list and port keys, the
poller's targets and the JSON Schemas are all derived from the declarations in
`netmon.probes.KINDS`, so a new kind is its module plus one line there.

`ProbeEnv` holds what must exist once per process and event loop (the SNMP engine, the ICMP
socket), what the SNMP probe remembers between cycles to poll only what changed (and the
walks of large tables it goes on with), and the last uptime the SSH probe read per device (to
tell a restart).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from netmon.model import Device, ProbeResult
from netmon.model.observation import FailureReason
from netmon.probes.snmp.client import SnmpAuth, SnmpClient
from netmon.probes.ssh.client import SshAuth, SshClient
from netmon.yamlspec import Float, Int, Str

if TYPE_CHECKING:
    from netmon.probes.icmp import Pinger
    from netmon.probes.snmp.state import Progress, SnmpMemory

SettingSpec = Str | Int | Float
TIMEOUT = Float(minimum=0.01, maximum=120, doc="seconds one try waits for an answer")
RETRIES = Int(minimum=0, maximum=10, doc="tries after the first when one times out")


def setting(default: Any, spec: SettingSpec) -> Any:
    """A field of a settings class that config.yaml may set under `probes.<kind>.<name>`."""
    return field(default=default, metadata={"spec": spec})


@dataclass(frozen=True)
class ProbeSettings:
    """What every probe kind has. A kind with more subclasses it and redeclares these fields
    with its own defaults; fields made with `setting()` are config keys, others are filled in
    by netmon (e.g. the SSH known_hosts file, a top-level config key)."""

    timeout_s: float = setting(1.0, TIMEOUT)
    retries: int = setting(1, RETRIES)
    # None: poll.concurrency. A kind whose probes are expensive for the devices (SSH logins)
    # sets a lower default of its own.
    concurrency: int | None = setting(
        None,
        Int(
            minimum=1, maximum=10000, doc="probes of this kind at once (default: poll.concurrency)"
        ),
    )

    @property
    def silent_device_s(self) -> float:
        """What a device that never answers costs one probe: every try waits its timeout.
        `netmon validate` checks it against poll.deadline_s."""
        return self.timeout_s * (self.retries + 1)


S = TypeVar("S", bound=ProbeSettings)
Auth = SnmpAuth | SshAuth
CredentialKind = Literal["snmp", "ssh"]


@dataclass(frozen=True)
class ProbeTarget(Generic[S]):
    """One device as one probe sees it in one cycle; built by the poller from inventory and
    settings (probes cannot read config: layering)."""

    device: Device
    settings: S
    port: int | None = None  # an override for this run (tests, forwarded lab ports): see port_for
    uplinks: tuple[str, ...] = ()  # interfaces named in the inventory's links: read every cycle
    auth: Auth | None = None  # the resolved credential set the kind needs (snmp, ssh)
    auth_problem: str = ""  # why `auth` is missing (credential not resolvable), for the result
    full: bool = False  # the poller asks for a full re-read this cycle (every Nth cycle)

    @property
    def address(self) -> str:
        return str(self.device.mgmt)

    def port_for(self, kind: str, standard: int) -> int:
        """The port to probe: this target's override, else the device's `<kind>_port` from the
        inventory, else the kind's standard port."""
        return self.port or self.device.port(kind) or standard

    @property
    def timeout_s(self) -> float:
        return self.settings.timeout_s

    @property
    def retries(self) -> int:
        return self.settings.retries


@dataclass
class ProbeEnv:
    """Shared per process and loop. Created and closed by the poller."""

    snmp: SnmpClient | None = None
    pinger: Pinger | None = None
    snmp_memory: dict[str, SnmpMemory] = field(default_factory=dict)
    snmp_walks: dict[str, Progress] = field(default_factory=dict)  # reads not finished yet
    ssh: SshClient | None = None  # None: the ssh probe opens the asyncssh client on first use
    ssh_uptime: dict[str, float] = field(default_factory=dict)  # device -> last SSH uptime_s


Probe = Callable[[ProbeTarget[Any], ProbeEnv], Awaitable[ProbeResult]]


@dataclass(frozen=True)
class ProbeKind(Generic[S]):
    """A probe kind, declared once in its module (see the module docstring)."""

    name: str
    probe: Callable[[ProbeTarget[S], ProbeEnv], Awaitable[ProbeResult]]
    settings: type[S]
    doc: str  # one line for --help, docs and the JSON Schema
    port: int | None = None  # its standard port; the inventory may set `<name>_port` per device
    credential: CredentialKind | None = None  # the credential set a device must name for it
    # False for a kind that logs in to each device (ssh): slow, so a cycle whose quick probes
    # have ended publishes what they saw without waiting for it (poller/settle.py).
    quick: bool = True

    @property
    def port_key(self) -> str | None:
        """The inventory key for this kind's port on one device, if it has a port."""
        return f"{self.name}_port" if self.port is not None else None

    def settings_from(self, given: ProbeSettings | None) -> S:
        """This kind's settings from what config gave: its own class as is; the common part
        alone (a plain ProbeSettings) completed with this kind's defaults; None: defaults."""
        if given is None:
            return self.settings()
        if isinstance(given, self.settings):
            return given
        common = {f.name: getattr(given, f.name) for f in fields(ProbeSettings)}
        return replace(self.settings(), **common)

    def config_keys(self) -> dict[str, tuple[SettingSpec, Any]]:
        """The keys config.yaml takes under `probes.<name>`: spec and default of each."""
        out: dict[str, tuple[SettingSpec, Any]] = {}
        for f in fields(self.settings):
            if "spec" in f.metadata:
                out[f.name] = (f.metadata["spec"], None if f.default is MISSING else f.default)
        return out


class Clock:
    """Duration of one probe (monotonic)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def failed(
    target: ProbeTarget[Any], probe: str, clock: Clock, reason: FailureReason, detail: str
) -> ProbeResult:
    return ProbeResult(
        device=target.device.id,
        probe=probe,
        success=False,
        duration_s=clock.elapsed(),
        reason=reason,
        detail=detail,
    )
