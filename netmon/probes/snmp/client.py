"""The SNMP wire behind a small seam: what the SNMP probe may ask of a device, nothing more.

`SnmpClient` has two calls, GET and GETBULK, on plain Python values (OIDs as int tuples, values
as int / bytes / OID / IPv4Address / Special). The real client (wire.py) speaks BER itself,
pysnmp_client.py the same through pysnmp (a cross-check in the tests); the recording fake
(fake.py) answers from `snmpwalk -ObentU` recordings and keeps every request, so a test
checks both what the probe concluded and exactly what it asked of the device.

A failed call is a reply with `error` set, never an exception: timeouts, authentication
failures and garbage on the wire all come back as values the probe turns into a ProbeResult.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from ipaddress import IPv4Address
from typing import Literal, Protocol, get_args

from netmon.model.inventory import SnmpSecurityLevel
from netmon.model.observation import FailureReason

Oid = tuple[int, ...]

RCVBUF_BYTES = 8 * 1024 * 1024  # FIELD-NOTES: at least 4 MiB, or replies are lost silently
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)  # Linux: ignores rmem_max (needs root)


def udp_client_socket(rcvbuf_bytes: int = RCVBUF_BYTES) -> socket.socket:
    """The one non-blocking UDP socket an SNMP client sends from, its receive buffer raised."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf_bytes)
    except OSError:  # not root: capped by net.core.rmem_max
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf_bytes)
    sock.bind(("0.0.0.0", 0))  # noqa: S104 - a client socket: any local address
    return sock


class Special(Enum):
    """SNMPv2 exception values: an answer that says "there is nothing here"."""

    NO_SUCH_OBJECT = "noSuchObject"
    NO_SUCH_INSTANCE = "noSuchInstance"
    END_OF_MIB_VIEW = "endOfMibView"


# Every integer type (Integer32, Counter32/64, Gauge32, TimeTicks) is an int; octet strings
# are bytes (never decoded here: a MAC-address port id is not text); an OID value is a tuple.
Value = int | bytes | Oid | IPv4Address | Special
VarBind = tuple[Oid, Value]


def oid(text: str) -> Oid:
    """'1.3.6.1.2.1.1.3.0' (leading dot allowed) -> (1, 3, 6, ...)."""
    return tuple(int(p) for p in text.strip(".").split("."))


def oid_str(o: Oid) -> str:
    return ".".join(map(str, o))


@dataclass(frozen=True)
class SnmpCommunity:
    """SNMPv2c. The community is a secret: kept out of repr."""

    community: str = field(repr=False)


# USM protocols, named as snmp_exporter (gosnmp) names them, and meaning the same bytes in both
# engines behind this seam (wire.py and pysnmp_client.py). AES192/AES256 extend a key that is
# shorter than the cipher needs the way net-snmp does (Blumenthal draft: append the hash of the
# key); AES192C/AES256C the way Cisco does (Reeder draft: append the localised key of the key).
# With SHA-256 and longer digests nothing is extended, so the two spellings then agree.
AuthProtocol = Literal["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"]
PrivProtocol = Literal["DES", "AES", "AES192", "AES192C", "AES256", "AES256C"]
AUTH_PROTOCOLS: tuple[AuthProtocol, ...] = get_args(AuthProtocol)
PRIV_PROTOCOLS: tuple[PrivProtocol, ...] = get_args(PrivProtocol)
MIN_PASSPHRASE = 8  # RFC 3414 11.2: shorter passphrases are refused


@dataclass(frozen=True)
class SnmpUsm:
    """SNMPv3 USM user. Keys are secrets: kept out of repr. authPriv unless config.yaml allowed
    less for this set; a level ignores the protocols and keys it does not use."""

    user: str
    auth_protocol: AuthProtocol
    auth_key: str = field(repr=False)
    priv_protocol: PrivProtocol = "AES"
    priv_key: str = field(default="", repr=False)
    level: SnmpSecurityLevel = "authPriv"

    def __post_init__(self) -> None:
        # config.yaml spells them case-insensitively and hands over these names; code that
        # builds a user by hand with another spelling is a bug, found here rather than later.
        if self.auth_protocol not in AUTH_PROTOCOLS or self.priv_protocol not in PRIV_PROTOCOLS:
            raise ValueError(
                f"unknown USM protocol {self.auth_protocol!r}/{self.priv_protocol!r}: use one of "
                f"{', '.join(AUTH_PROTOCOLS)} / {', '.join(PRIV_PROTOCOLS)}"
            )

    @property
    def authenticated(self) -> bool:
        return self.level != "noAuthNoPriv"

    @property
    def private(self) -> bool:
        return self.level == "authPriv"


SnmpAuth = SnmpCommunity | SnmpUsm


SNMP_PORT = 161
# The engines behind this seam: "netmon" (wire.py, its own BER codec) or "pysnmp".
SNMP_CLIENTS = ("netmon", "pysnmp")


@dataclass(frozen=True)
class SnmpTarget:
    """One agent and how to talk to it: each request waits timeout_s per try, retries times
    more. No defaults for those: they are policy, set in one place (the probe's settings)."""

    host: str
    auth: SnmpAuth
    port: int = SNMP_PORT
    timeout_s: float = field(kw_only=True)
    retries: int = field(kw_only=True)

    @property
    def budget_s(self) -> float:
        """The longest one call may take: every try timing out, plus slack for the loop."""
        return self.timeout_s * (self.retries + 1) + 0.5


@dataclass(frozen=True)
class SnmpReply:
    varbinds: tuple[VarBind, ...] = ()
    error: FailureReason | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Stats:
    """What went over the wire: for benchmarks and the exporter's self-metrics."""

    requests: int = 0
    varbinds: int = 0
    failures: int = 0


class SnmpClient(Protocol):
    """The seam. Implementations never raise for what a device does; they reply with `error`."""

    async def get(self, target: SnmpTarget, oids: Sequence[Oid]) -> SnmpReply: ...

    async def bulk(
        self,
        target: SnmpTarget,
        non_repeaters: Sequence[Oid],
        repeaters: Sequence[Oid],
        max_repetitions: int,
    ) -> SnmpReply: ...
