"""Where a lab keeps its state: one folder, nothing in the host's /run or /etc.

Layout under the state folder (default `var/lab`, env NETMON_LAB_DIR, CLI --state-dir):

    lab.json                 what `up` built (the marker `down` trusts), see state.py
    inventory/               with `up --agencies N`: those N agencies as an inventory of their own
    secrets/                 snmp-community, snmp-auth-key, snmp-priv-key (0600, no newline)
    ssh/                     id_ed25519(.pub) client key, known_hosts, authorized_keys, sshd_config
    etc/                     passwd and group bind-mounted over /etc in every node (user netmon)
    ns/                      a private bind mount holding one network-namespace file per node,
                             and `_mnt`: the mount namespace device nodes are copied from
    nodes/NAME/              per node: configs, host key, logs, and `run/` mounted as its /run
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STATE_DIR = Path("var/lab")
ENV_STATE_DIR = "NETMON_LAB_DIR"
# `lab exec` exports the lab's inventory folder under this name; the CLI's --inventory option
# defaults to it, so netmon run in the lab polls what the lab replicates.
ENV_INVENTORY = "NETMON_INVENTORY"
# The namespace of the management switch: a leading underscore cannot be a device id.
SWITCH = "_mgmt"
NOC = "noc"
# The template mount namespace of device nodes (lifecycle.up); a leading underscore again.
MOUNT_TEMPLATE = "_mnt"


def resolve_state_dir(explicit: Path | None = None) -> Path:
    """--state-dir wins, then NETMON_LAB_DIR, then var/lab under the current directory."""
    if explicit is not None:
        return explicit.absolute()
    env = os.environ.get(ENV_STATE_DIR)
    return Path(env).absolute() if env else DEFAULT_STATE_DIR.absolute()


@dataclass(frozen=True)
class LabPaths:
    root: Path

    @property
    def state_file(self) -> Path:
        return self.root / "lab.json"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def ssh(self) -> Path:
        return self.root / "ssh"

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def ns_dir(self) -> Path:
        return self.root / "ns"

    @property
    def nodes(self) -> Path:
        return self.root / "nodes"

    @property
    def mount_template(self) -> Path:
        return self.ns_dir / MOUNT_TEMPLATE

    def netns(self, node: str) -> Path:
        return self.ns_dir / node

    def node_dir(self, node: str) -> Path:
        return self.nodes / node

    def node_run(self, node: str) -> Path:
        return self.nodes / node / "run"

    @property
    def inventory(self) -> Path:
        return self.root / "inventory"

    @property
    def known_hosts(self) -> Path:
        return self.ssh / "known_hosts"

    @property
    def client_key(self) -> Path:
        return self.ssh / "id_ed25519"
