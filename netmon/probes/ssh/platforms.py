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
                prompt=r"[\w.\-@/:()]+[>#]",  # Router# (privileged) or Router> (user exec)
                paging_off=("terminal length 0", "terminal width 511"),
                more=r" ?--More-- ?",
                exit="exit",
            ),
        ),
        Platform(
            "huawei_vrp",
            (
                Command("display interface brief", "interfaces", ssh_vendor.huawei_interfaces),
                Command("display lldp neighbor", "lldp", ssh_vendor.huawei_lldp),
            ),
            ShellSpec(
                prompt=r"<[\w.\-@/:()]+>|\[[~*]?[\w.\-@/:()]+\]",  # <HUAWEI>, [~HUAWEI]
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
    """Each shell platform learns the other platforms' prompts (ShellSpec.foreign)."""
    shells = {n: p.shell for n, p in platforms.items() if p.shell is not None}
    out = dict(platforms)
    for name, shell in shells.items():
        others = tuple(
            (f"platform {other}", spec.prompt) for other, spec in shells.items() if other != name
        )
        out[name] = replace(platforms[name], shell=replace(shell, foreign=(*others, _UNIX_PROMPT)))
    return out


PLATFORMS = _with_foreign(PLATFORMS)


def hostname(prompt: str) -> str:
    """The device name inside a shell prompt: Router# -> Router, <HUAWEI> -> HUAWEI."""
    return prompt.strip().strip("<>[]~*#").rstrip(">#").strip()
