"""Credential sets of config.yaml: where each secret comes from, never the secret itself.

Secrets are referenced as {env: VAR} or {file: PATH} (relative paths from the config file's
folder) and read only when a probe needs them; `Secret` prints as <secret> everywhere.

SNMPv3 runs at authPriv unless a set says otherwise *and* says `allow_insecure: true`: below
authPriv anyone on the path reads the replies (authNoPriv) or forges them too (noAuthNoPriv),
so a weaker level is a decision someone wrote down, which `grep allow_insecure` finds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from netmon.errors import ConfigError, Problem
from netmon.model import SNMP_SECURITY_LEVELS as LEVELS
from netmon.model import SnmpSecurityLevel as SecurityLevel
from netmon.probes.snmp.client import (
    AUTH_PROTOCOLS,
    MIN_PASSPHRASE,
    PRIV_PROTOCOLS,
    AuthProtocol,
    PrivProtocol,
)
from netmon.yamlspec import Bool, Field, MapOf, Mapping, Obj, Str

ID = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"
# The keys each level uses; every other protocol or key in the set is a mistake.
_USES = {
    "authPriv": ("auth_protocol", "auth_key", "priv_protocol", "priv_key"),
    "authNoPriv": ("auth_protocol", "auth_key"),
    "noAuthNoPriv": (),
}
_KEYS = _USES["authPriv"]


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
    """Where a secret comes from: an environment variable or a file; and where config.yaml
    says so (`source`, `at`), so a secret that cannot be read is named at that line."""

    env: str | None = None
    file: Path | None = None
    source: str = field(default="config.yaml", compare=False)
    at: tuple[int, int] = field(default=(0, 0), compare=False)

    def describe(self) -> str:
        return f"environment variable {self.env}" if self.env else f"file {self.file}"

    def resolve(self) -> Secret:
        """Read the secret now; ConfigError, located at the reference, when it is not there."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if not value:
                raise self._unreadable(
                    f"environment variable {self.env} is not set",
                    f"export {self.env}=... before starting netmon",
                )
            return Secret(value, self.describe())
        assert self.file is not None
        try:
            return Secret(self.file.read_text(encoding="utf-8").strip(), self.describe())
        except OSError as exc:
            raise self._unreadable(
                f"cannot read secret file {self.file}: {exc.strerror}",
                "create the file (mode 0600) or fix the path; for the lab run 'netmon lab up'",
            ) from None

    def _unreadable(self, message: str, hint: str) -> ConfigError:
        return ConfigError([Problem(self.source, *self.at, message, hint)])


@dataclass(frozen=True)
class SnmpV2c:
    community: SecretRef


@dataclass(frozen=True)
class SnmpV3:
    """USM user. Below authPriv, the unused protocols and keys are None (checked on load)."""

    user: str
    auth_protocol: AuthProtocol | None
    auth_key: SecretRef | None
    priv_protocol: PrivProtocol | None
    priv_key: SecretRef | None
    level: SecurityLevel = "authPriv"


@dataclass(frozen=True)
class SshCredential:
    username: str
    private_key: SecretRef | None = None
    password: SecretRef | None = None


Credential = SnmpV2c | SnmpV3 | SshCredential


SECRET = Obj(
    {"env": Field(Str(pattern=r"[A-Za-z_][A-Za-z0-9_]*")), "file": Field(Str())},
    one_of=("env", "file"),
    secret_ref=True,
    doc="where a secret comes from: {env: VAR} or {file: PATH}",
)
SNMP_V3 = Obj(
    {
        "user": Field(Str(), required=True),
        "security_level": Field(
            Str(enum=LEVELS, doc="authPriv (default); lower levels need allow_insecure: true")
        ),
        "allow_insecure": Field(
            Bool(doc="true accepts a security_level below authPriv for this set")
        ),
        "auth_protocol": Field(
            Str(
                enum=AUTH_PROTOCOLS,
                ignore_case=True,
                doc="snmp_exporter's names, any case (docs/configuration.md lists who uses which)",
            )
        ),
        "auth_key": Field(SECRET),
        "priv_protocol": Field(
            Str(
                enum=PRIV_PROTOCOLS,
                ignore_case=True,
                doc="AES192/AES256 extend keys as net-snmp does, AES192C/AES256C as Cisco does",
            )
        ),
        "priv_key": Field(SECRET),
    }
)
CREDENTIALS = MapOf(
    Obj(
        {
            "snmp_v2c": Field(Obj({"community": Field(SECRET, required=True)})),
            "snmp_v3": Field(SNMP_V3),
            "ssh": Field(
                Obj(
                    {
                        "username": Field(Str(), required=True),
                        "private_key": Field(SECRET),
                        "password": Field(SECRET),
                    }
                )
            ),
        },
        one_of=("snmp_v2c", "snmp_v3", "ssh"),
    ),
    key_pattern=ID,
)


def credential_problems(sets: Mapping, file: str) -> list[Problem]:
    """What the schema alone cannot say: each v3 set has exactly what its level uses, and a
    level below authPriv was allowed on purpose."""
    out: list[Problem] = []
    for name, cred in sets.items():
        v3 = cred.get("snmp_v3") if isinstance(cred, Mapping) else None
        if not isinstance(v3, Mapping):
            continue
        where = f"credentials.{name}.snmp_v3"
        level = v3.get("security_level", "authPriv")
        line, col = v3.at.get("security_level", (v3.line, v3.col))
        if level != "authPriv" and v3.get("allow_insecure") is not True:
            exposed = "read" if level == "authNoPriv" else "read and forge"
            out.append(
                Problem(
                    file, line, col,
                    f"{where}.security_level: {level} is refused unless allowed: anyone on "
                    f"the path can {exposed} these SNMP messages",
                    "use authPriv; if this device cannot, add 'allow_insecure: true' to the "
                    "set to accept it knowingly",
                )
            )  # fmt: skip
        if level == "authPriv" and v3.get("allow_insecure") is True:
            line, col = v3.at["allow_insecure"]
            out.append(
                Problem(
                    file, line, col,
                    f"{where}.allow_insecure: true has no effect at authPriv",
                    "remove it, so that it marks only the sets that are really weaker",
                )
            )  # fmt: skip
        missing = [k for k in _USES[level] if k not in v3]
        if missing:
            out.append(
                Problem(
                    file, v3.line, v3.col,
                    f"{where}: {level} needs {', '.join(missing)}",
                    f"{level} uses {', '.join(_USES[level]) or 'no protocol and no key'}",
                )
            )  # fmt: skip
        for key in (k for k in _KEYS if k in v3 and k not in _USES[level]):
            line, col = v3.at[key]
            out.append(
                Problem(
                    file, line, col,
                    f"{where}.{key} is not used at {level}",
                    "remove it, or set security_level to a level that uses it",
                )
            )  # fmt: skip
    return out


def ref(data: Mapping | None, base: Path, source: str) -> SecretRef | None:
    if data is None:
        return None
    at = (data.line, data.col)
    if "env" in data:
        return SecretRef(env=data["env"], source=source, at=at)
    path = Path(data["file"])
    return SecretRef(file=path if path.is_absolute() else base / path, source=source, at=at)


def credential(data: Mapping, base: Path, source: str) -> Credential:
    """One checked credential set (credential_problems found nothing) as a Credential; its
    secret references remember where `source` (config.yaml) wrote them."""
    if "snmp_v2c" in data:
        c = ref(data["snmp_v2c"]["community"], base, source)
        assert c is not None
        return SnmpV2c(c)
    if "snmp_v3" in data:
        v3 = data["snmp_v3"]
        return SnmpV3(
            v3["user"],
            v3.get("auth_protocol"),
            ref(v3.get("auth_key"), base, source),
            v3.get("priv_protocol"),
            ref(v3.get("priv_key"), base, source),
            v3.get("security_level", "authPriv"),
        )
    ssh = data["ssh"]
    return SshCredential(
        ssh["username"],
        ref(ssh.get("private_key"), base, source),
        ref(ssh.get("password"), base, source),
    )


def secret_refs(cred: Credential) -> list[tuple[str, SecretRef]]:
    """(key, reference) of every secret a credential set names."""
    keys: dict[str, SecretRef | None]
    if isinstance(cred, SnmpV2c):
        keys = {"community": cred.community}
    elif isinstance(cred, SnmpV3):
        keys = {"auth_key": cred.auth_key, "priv_key": cred.priv_key}
    else:
        keys = {"private_key": cred.private_key, "password": cred.password}
    return [(k, r) for k, r in keys.items() if r is not None]


def passphrase_problem(name: str, key: str, ref: SecretRef, value: str) -> str | None:
    """Why a resolved v3 passphrase cannot be used (RFC 3414 11.2), naming the credential set and
    where the secret comes from, never the secret; None when it can."""
    if len(value) >= MIN_PASSPHRASE:
        return None
    return (
        f"credential set {name!r}: {key} from {ref.describe()}: {len(value)} character"
        f"{'' if len(value) == 1 else 's'}, RFC 3414 requires at least {MIN_PASSPHRASE}"
    )


def secret_problems(
    credentials: dict[str, Credential], names: Iterable[str] | None = None, *, unreadable: bool
) -> list[Problem]:
    """What only the secrets themselves show, for the credential sets `names` (default: all),
    each at the line of its reference in config.yaml, never the secret: a v3 passphrase RFC 3414
    refuses (of the secrets that can be read now); with `unreadable`, also every secret that
    cannot be read (poll and serve at start-up, `netmon validate --secrets`). Plain
    `netmon validate` runs where the secrets may not be (a CI checkout): not its business."""
    out: list[Problem] = []
    for name in sorted(set(credentials if names is None else names)):
        cred = credentials.get(name)
        if cred is None:
            continue
        for key, secret in secret_refs(cred):
            try:
                value = secret.resolve().reveal()
            except ConfigError as exc:
                if unreadable:
                    p = exc.problems[0]
                    message = f"credential set {name!r}: {key}: {p.message}"
                    out.append(Problem(p.file, p.line, p.col, message, p.hint))
                continue
            problem = passphrase_problem(name, key, secret, value)
            if isinstance(cred, SnmpV3) and problem:
                out.append(
                    Problem(
                        secret.source, *secret.at, problem,
                        "use a passphrase of 8 characters or more, on the device and in the "
                        "secret (net-snmp refuses shorter ones too)",
                    )
                )  # fmt: skip
    return out
