"""Platforms as data: per platform, the mode, the commands and their parsers, the prompt and
how to stop paging. Adding a platform is an entry here (and its parsers), nothing else.

- mode "exec": one exec channel per command, exit status kept (linux: OpenSSH).
- mode "shell": one interactive shell on a pty, for network operating systems whose exec
  channel is unusable (one command per connection, or none at all): the prompt is learnt from
  the first one the device shows (the `prompt` regex must match a whole prompt line), then the
  paging-off commands are sent, and a pager prompt (`more`) is still answered with a space.

Commands are sent exactly as written: ntc-templates picks its template by the command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from netmon.probes.ssh import parse as ssh_parse
from netmon.probes.ssh import vendor as ssh_vendor
from netmon.probes.ssh import vendor_cisco_like as cisco_like
from netmon.probes.ssh import vendor_hp as hp
from netmon.probes.ssh import vendor_junos_routeros as junos_routeros
from netmon.probes.ssh.client import Output, ShellSpec
from netmon.probes.ssh.parse import Parsed

Table = Literal["interfaces", "lldp", "cdp", "system"]


@dataclass(frozen=True)
class Command:
    text: str
    # interfaces: required (a failure fails the probe); lldp, cdp: neighbours; system: the
    # host name and uptime (required too: sys_name and uptime_s, as SNMP's sysName, sysUpTime)
    table: Table
    parse: Callable[[Output], Parsed]


@dataclass(frozen=True)
class Platform:
    name: str
    commands: tuple[Command, ...]
    shell: ShellSpec | None = None  # None: exec mode

    @property
    def mode(self) -> str:
        return "exec" if self.shell is None else "shell"


# IOS-like prompts: Router# (privileged) or Router> (user exec)
_CISCO_PROMPT = r"[\w.\-@/:()]+[>#]"
_CISCO_MORE = r" ?--More-- ?"
# VRP and Comware: <HUAWEI>, [~HUAWEI], [H3C-GigabitEthernet1/0/1]
_DISPLAY_PROMPT = r"<[\w.\-@/:()]+>|\[[~*]?[\w.\-@/:()]+\]"

PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            "linux",
            (
                Command("ip -j -s link", "interfaces", ssh_parse.ip_link),
                Command("lldpcli -f json0 show neighbors", "lldp", ssh_parse.lldpcli),
                # sysName and sysUpTime: one exec channel, no shell features (cat, in order)
                Command("cat /proc/sys/kernel/hostname /proc/uptime", "system", ssh_parse.system),
            ),
        ),
        Platform(
            "cisco_ios",
            (
                Command("show interfaces", "interfaces", ssh_vendor.cisco_interfaces),
                Command("show lldp neighbors detail", "lldp", ssh_vendor.cisco_lldp),
                Command("show cdp neighbors detail", "cdp", ssh_vendor.cisco_cdp),
            ),
            ShellSpec(
                prompt=_CISCO_PROMPT,
                paging_off=("terminal length 0", "terminal width 511"),
                more=_CISCO_MORE,
                exit="exit",
            ),
        ),
        Platform(
            "cisco_nxos",
            (
                Command("show interface", "interfaces", cisco_like.nxos_interfaces),
                Command("show lldp neighbors detail", "lldp", cisco_like.nxos_lldp),
            ),
            ShellSpec(
                prompt=_CISCO_PROMPT,
                paging_off=("terminal length 0", "terminal width 511"),
                more=_CISCO_MORE,
                exit="exit",
            ),
        ),
        Platform(
            "arista_eos",
            (
                Command("show interfaces", "interfaces", cisco_like.eos_interfaces),
                Command("show lldp neighbors detail", "lldp", cisco_like.eos_lldp),
            ),
            ShellSpec(
                prompt=_CISCO_PROMPT,
                paging_off=("terminal length 0", "terminal width 511"),
                more=_CISCO_MORE,
                exit="exit",
            ),
        ),
        # ntc-templates has no LLDP template for ZXROS: interfaces only (LLDP over SNMP)
        Platform(
            "zte_zxros",
            (Command("show interface brief", "interfaces", cisco_like.zte_interfaces),),
            ShellSpec(
                prompt=_CISCO_PROMPT,
                paging_off=("terminal length 0",),
                more=_CISCO_MORE,
                exit="exit",
            ),
        ),
        Platform(
            "juniper_junos",
            (
                Command("show interfaces", "interfaces", junos_routeros.junos_interfaces),
                Command("show lldp neighbors", "lldp", junos_routeros.junos_lldp),
            ),
            ShellSpec(
                prompt=r"[\w.\-]+@[\w.\-]+[>#]",  # netmon@mx960>
                paging_off=("set cli screen-length 0", "set cli screen-width 511"),
                more=r"---\(more(?: \d+%)?\)---",
                exit="exit",
            ),
        ),
        Platform(
            "hp_comware",
            (
                Command("display interface brief", "interfaces", hp.comware_interfaces),
                Command("display lldp neighbor-information verbose", "lldp", hp.comware_lldp),
            ),
            ShellSpec(
                prompt=_DISPLAY_PROMPT,
                paging_off=("screen-length disable",),
                more=r"  ---- More ----",
                exit="quit",
            ),
        ),
        Platform(
            "hp_procurve",
            (
                Command("show interfaces brief", "interfaces", hp.procurve_interfaces),
                Command("show lldp info remote-device", "lldp", hp.procurve_lldp),
            ),
            ShellSpec(
                prompt=r"[\w.\-() ]*[\w.\-()][>#]",  # "ProCurve Switch 2510-24#", "HP-2920#"
                paging_off=("no page",),
                # its pager, and the banner's "Press any key to continue": a space for both
                more=r"-- MORE --[^\x1b\r\n]*|Press any key to continue",
                exit="exit",
            ),
        ),
        # RouterOS runs one command per exec channel (no pager, no prompt to learn)
        Platform(
            "mikrotik_routeros",
            (
                Command(
                    "/interface print detail", "interfaces", junos_routeros.routeros_interfaces
                ),
                Command("/ip neighbor print detail", "lldp", junos_routeros.routeros_neighbours),
            ),
        ),
        Platform(
            "huawei_vrp",
            (
                Command("display interface brief", "interfaces", ssh_vendor.huawei_interfaces),
                Command("display lldp neighbor", "lldp", ssh_vendor.huawei_lldp),
            ),
            ShellSpec(
                prompt=_DISPLAY_PROMPT,
                paging_off=("screen-length 0 temporary",),
                more=r"  ---- More ----",
                exit="quit",
            ),
        ),
    )
}


# A Unix shell's prompt (user@host:~$, or a bare $): a linux device named as a network OS.
_UNIX_PROMPT = ("a Unix shell (platform linux)", r"(?:\S+@\S+.*)?\$")


def _with_foreign(platforms: dict[str, Platform]) -> dict[str, Platform]:
    """Each shell platform learns the prompts of the other prompt families (ShellSpec.foreign):
    platforms whose prompts look alike (IOS, NX-OS, EOS, ZXROS; VRP and Comware) cannot tell
    each other apart by the prompt, so they are named together."""
    shells = {n: p.shell for n, p in platforms.items() if p.shell is not None}
    families: dict[str, list[str]] = {}
    for name, shell in shells.items():
        families.setdefault(shell.prompt, []).append(name)
    out = dict(platforms)
    for name, shell in shells.items():
        others = tuple(
            ("platform " + " or ".join(names), prompt)
            for prompt, names in families.items()
            if prompt != shell.prompt
        )
        out[name] = replace(platforms[name], shell=replace(shell, foreign=(*others, _UNIX_PROMPT)))
    return out


PLATFORMS = _with_foreign(PLATFORMS)


def hostname(prompt: str) -> str:
    """The device name inside a shell prompt: Router# -> Router, <HUAWEI> -> HUAWEI,
    netmon@mx960-1> -> mx960-1 (Junos shows the user first)."""
    name = prompt.strip().strip("<>[]~*#").rstrip(">#").strip()
    return name.rsplit("@", 1)[-1]
