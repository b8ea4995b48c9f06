"""Small inventories and settings built in code for poller tests (loopback addresses only)."""

from __future__ import annotations

from ipaddress import IPv4Address

from netmon.config import ProbeSettings, SecretRef, Settings, SnmpV2c
from netmon.model import Agency, CredentialRefs, Device, Endpoint, Inventory, Level, Link, Site

COMMUNITY_ENV = "NETMON_TEST_COMMUNITY"


def fleet(addresses: list[str], probes: tuple[str, ...] = ("snmp",)) -> Inventory:
    """One PoP (no probes) and one agency with one CPE per address, each CPE linked to it."""
    assert all(a.startswith("127.") for a in addresses), "loopback only"
    agencies = tuple(
        Agency(id=f"agency-{i:03d}", name=f"Agency {i}", level="commune", group="g")
        for i in range(len(addresses))
    )
    cpes = tuple(
        Device(
            id=f"cpe-{i:03d}",
            role="cpe",
            mgmt=IPv4Address(a),
            platform="linux",
            probes=probes,
            credentials=CredentialRefs(snmp="loop"),
            interfaces=("lo",),
            agency=f"agency-{i:03d}",
        )
        for i, a in enumerate(addresses)
    )
    pop = Device(
        id="pop-1",
        role="pop",
        mgmt=IPv4Address("127.0.1.1"),
        platform="linux",
        probes=(),
        credentials=CredentialRefs(),
        interfaces=tuple(f"acc{i}" for i in range(len(addresses))),
        site="pop-1",
    )
    links = tuple(
        Link(f"l{i}", Endpoint("pop-1", f"acc{i}"), Endpoint(d.id, "lo"), "access", 10**8)
        for i, d in enumerate(cpes)
    )
    return Inventory(
        name="loopback fleet",
        lab=False,
        management_network=None,
        levels=(Level("commune", "Commune"),),
        groups=(),
        services=(),
        sites=(Site("pop-1", "PoP", "pop"),),
        agencies=agencies,
        devices=(pop, *cpes),
        links=links,
    )


def settings(**kw: object) -> Settings:
    base: dict[str, object] = {
        "interval_s": 10.0,
        "jitter_s": 0.0,
        "deadline_s": 3.0,
        "concurrency": 200,
        "down_after": 3,
        "full_every": 10,
        "probes": {
            "snmp": ProbeSettings(0.3, 1),
            "icmp": ProbeSettings(0.3, 1),
            "tcp": ProbeSettings(0.3, 0),
        },
        "credentials": {"loop": SnmpV2c(SecretRef(env=COMMUNITY_ENV))},
    }
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]
