"""Every type that crosses a stage. Imports nothing from the rest of netmon."""

from netmon.model.inventory import (
    DEVICE_ROLES,
    LINK_KINDS,
    PLATFORMS,
    PROBE_KINDS,
    SITE_ROLES,
    Agency,
    CredentialRefs,
    Device,
    Endpoint,
    Group,
    Inventory,
    Level,
    Link,
    Location,
    Service,
    Site,
)
from netmon.model.observation import InterfaceState, Neighbour, ProbeResult

__all__ = [
    "DEVICE_ROLES",
    "LINK_KINDS",
    "PLATFORMS",
    "PROBE_KINDS",
    "SITE_ROLES",
    "Agency",
    "CredentialRefs",
    "Device",
    "Endpoint",
    "Group",
    "InterfaceState",
    "Inventory",
    "Level",
    "Link",
    "Location",
    "Neighbour",
    "ProbeResult",
    "Service",
    "Site",
]
