"""A loopback SSH server that behaves like a Cisco IOS or Huawei VRP device (asyncssh).

It serves the command outputs captured from real devices (../shared/device-outputs/, read from
there, never copied) through an interactive shell the way the devices do: a prompt (`Router#`,
`<HUAWEI>`), echo of what is typed, a pager (` --More-- `, `  ---- More ----`, then the control
sequences that erase it) until the paging-off command was sent, an error for unknown commands.
The vendor personas refuse exec channels (as fakenos does); the linux persona serves exec.

Hostile behaviours per command: garbage, truncated (the connection drops mid-output), huge
(10 MB), ansi (colour and erase-line escapes around every line), noprompt (the output, then
nothing). The server counts concurrent connections, so a test sees the poller's cap from the
device side. Listens on 127.0.0.0/8 only, on an ephemeral port, with its own host key.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import asyncssh
import pytest

# Where the captured outputs live: $NETMON_DEVICE_OUTPUTS, else ../shared/device-outputs beside
# the checkout, else the workplace's shared folder (a fresh clone elsewhere, as CI makes).
_PLACES = [
    Path(__file__).resolve().parents[2].parent / "shared" / "device-outputs",
    Path("/work/shared/device-outputs"),
]
OUTPUTS = Path(
    os.environ.get("NETMON_DEVICE_OUTPUTS") or next((p for p in _PLACES if p.is_dir()), _PLACES[0])
)
PAGE = 23  # lines per page, as on a 24-line terminal
HUGE = 10 * 1024 * 1024

Hostile = Literal["garbage", "truncated", "huge", "ansi", "noprompt"]


def captured(name: str) -> str:
    """A captured device output; fails (never skips) when the shared folder is not there."""
    path = OUTPUTS / name
    if not path.is_file():
        pytest.fail(
            f"captured device output {path} is missing: the SSH tests read the real outputs "
            "in ../shared/device-outputs/ beside the repository (or set NETMON_DEVICE_OUTPUTS)"
        )
    return path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Persona:
    name: str
    prompt: str
    paging_off: dict[str, str]  # command -> what the device answers to it
    more: str
    erase: str
    unknown: str
    outputs: dict[str, str]
    exec_ok: bool = False
    exit_words: tuple[str, ...] = ("exit", "quit", "logout")


def cisco(**outputs: str) -> Persona:
    return Persona(
        name="cisco_ios",
        prompt="Router#",
        paging_off={"terminal length 0": "", "terminal width 511": ""},
        more=" --More-- ",
        erase="\b" * 9 + " " * 9 + "\b" * 9,
        unknown="                ^\n% Invalid input detected at '^' marker.\n",
        outputs={
            "show interfaces": captured("cisco_ios_show_interfaces.raw"),
            "show lldp neighbors detail": captured("cisco_ios_show_lldp_neighbors_detail_01.raw"),
            "show cdp neighbors detail": captured("cisco_ios_show_cdp_neighbors_detail.raw"),
            **outputs,
        },
    )


def huawei(**outputs: str) -> Persona:
    return Persona(
        name="huawei_vrp",
        prompt="<HUAWEI>",
        paging_off={
            "screen-length 0 temporary": "Info: The configuration takes effect on the current "
            "user terminal interface only.\n"
        },
        more="  ---- More ----",
        erase="\x1b[42D" + " " * 42 + "\x1b[42D",
        unknown="              ^\nError: Unrecognized command found at '^' position.\n",
        outputs={
            "display interface brief": captured("huawei_vrp_display_interface_brief.raw"),
            "display lldp neighbor": captured("huawei_vrp_display_lldp_neighbor.raw"),
            **outputs,
        },
    )


# The other shell platforms serve ntc-templates' own fixtures (in the repository, with their
# sources: tests/data/ssh/ntc-templates/README.md), behind each CLI's prompt and pager.
NTC = Path(__file__).resolve().parents[1] / "data" / "ssh" / "ntc-templates"


def _ntc(platform: str, name: str) -> str:
    return (NTC / platform / name).read_text(encoding="utf-8")


def nxos() -> Persona:
    return Persona(
        name="cisco_nxos",
        prompt="nx-core-1#",
        paging_off={"terminal length 0": "", "terminal width 511": ""},
        more=" --More-- ",
        erase="\b" * 10 + " " * 10 + "\b" * 10,
        unknown="                ^\n% Invalid command at '^' marker.\n",
        outputs={
            "show interface": _ntc("cisco_nxos", "cisco_nxos_show_interface_01.raw"),
            "show lldp neighbors detail": _ntc(
                "cisco_nxos", "cisco_nxos_show_lldp_neighbors_detail.raw"
            ),
        },
    )


def junos() -> Persona:
    return Persona(
        name="juniper_junos",
        prompt="netmon@mx960-1>",
        paging_off={
            "set cli screen-length 0": "Screen length set to 0\n",
            "set cli screen-width 511": "Screen width set to 511\n",
        },
        more="---(more)---",
        erase="\r" + " " * 12 + "\r",
        unknown="                 ^\nsyntax error, expecting <command>.\n",
        outputs={
            "show interfaces": _ntc("juniper_junos", "juniper_junos_show_interfaces.raw"),
            "show lldp neighbors": _ntc(
                "juniper_junos", "juniper_junos_show_lldp_neighbors_ae7.raw"
            ),
        },
    )


def comware() -> Persona:
    return Persona(
        name="hp_comware",
        prompt="<H3C-S5560>",
        paging_off={"screen-length disable": ""},
        more="  ---- More ----",
        erase="\x1b[16D" + " " * 16 + "\x1b[16D",
        unknown="              ^\n % Unrecognized command found at '^' position.\n",
        outputs={
            "display interface brief": _ntc(
                "hp_comware", "hp_comware_display_interface_brief_release_9119P17.raw"
            ),
            "display lldp neighbor-information verbose": _ntc(
                "hp_comware", "hp_comware_display_lldp_neighbor-information_verbose.raw"
            ),
        },
    )


def procurve() -> Persona:
    return Persona(
        name="hp_procurve",
        prompt="HP-2920-48G#",
        paging_off={"no page": ""},
        more="-- MORE --, next page: Space, next line: Enter, quit: Control-C",
        erase="\x1b[2K\r",
        unknown="Invalid input: bogus\n",
        outputs={
            "show interfaces brief": _ntc("hp_procurve", "show_interfaces_brief.raw"),
            "show lldp info remote-device": _ntc(
                "hp_procurve", "hp_procurve_show_lldp_info_remote-device.raw"
            ),
        },
    )


SHELL_PERSONAS = {
    "cisco_nxos": nxos,
    "juniper_junos": junos,
    "hp_comware": comware,
    "hp_procurve": procurve,
}


def linux(**outputs: str) -> Persona:
    return Persona("linux", "$ ", {}, "", "", "sh: not found\n", dict(outputs), exec_ok=True)


def garbage(n: int = 6000) -> str:
    """Deterministic junk: printable noise in lines of 70, with a few control bytes."""
    text = "".join(chr(33 + (i * 7919) % 90) for i in range(n))
    return "\n".join(text[i : i + 70] + "\x07" for i in range(0, n, 70)) + "\n"


@dataclass
class DeviceServer:
    persona: Persona
    username: str = "netmon"
    password: str | None = None
    client_key: asyncssh.SSHKey | None = None  # the public key it accepts
    hostile: dict[str, Hostile] = field(default_factory=dict)
    ignore_paging_off: bool = False  # a device that pages whatever it is told
    delay_s: float = 0.0  # per command: keeps sessions open long enough to overlap
    host_key: asyncssh.SSHKey = field(
        default_factory=lambda: asyncssh.generate_private_key("ssh-ed25519")
    )
    active: int = 0
    max_active: int = 0
    connections: int = 0
    pages: int = 0  # pager prompts shown
    commands: list[str] = field(default_factory=list)
    port: int = 0
    hosts: tuple[str, ...] = ()
    _listeners: list[asyncssh.SSHAcceptor] = field(default_factory=list)

    async def start(self, hosts: tuple[str, ...] = ("127.0.0.1",)) -> int:
        assert all(h.startswith("127.") for h in hosts), "loopback only"
        for host in hosts:
            listener = await asyncssh.listen(
                host,
                self.port,
                server_factory=lambda: _Server(self),
                server_host_keys=[self.host_key],
                process_factory=self._process,
                encoding=None,
                line_editor=False,
                allow_scp=False,
                sftp_factory=None,
            )
            self.port = self.port or listener.get_port()
            self._listeners.append(listener)
        self.hosts = hosts
        return self.port

    async def close(self) -> None:
        for listener in self._listeners:
            listener.close()
            await listener.wait_closed()
        self._listeners.clear()

    def known_hosts(self, key: asyncssh.SSHKey | None = None) -> str:
        """known_hosts lines for every address it listens on ([host]:port, a non-22 port)."""
        public = (key or self.host_key).export_public_key().decode().split()[:2]
        return "".join(f"[{h}]:{self.port} {' '.join(public)}\n" for h in self.hosts)

    async def _process(self, process: asyncssh.SSHServerProcess[bytes]) -> None:
        try:
            if process.command is not None:
                await self._exec(process, process.command)
            else:
                await _Shell(self, process).run()
        except (asyncssh.Error, OSError, BrokenPipeError):
            pass  # the client went away (as it should after a cap or a timeout)
        finally:
            with contextlib.suppress(Exception):
                process.exit(0)

    async def _exec(self, process: asyncssh.SSHServerProcess[bytes], command: str) -> None:
        self.commands.append(command)
        if not self.persona.exec_ok:
            process.stderr.write(b"% exec channel not supported: use an interactive shell\n")
            process.exit(1)
            return
        text = self.persona.outputs.get(command)
        if text is None:
            process.stderr.write(self.persona.unknown.encode())
            process.exit(127)
            return
        await asyncio.sleep(self.delay_s)
        how = self.hostile.get(command)
        if how == "huge":
            await _flood(process)
        elif how == "truncated":
            process.stdout.write(text[: len(text) // 2].encode())
            await process.stdout.drain()
            process.channel.get_connection().abort()
            return
        elif how == "noprompt":
            await asyncio.sleep(3600)  # never finishes: the client's deadline must end it
        else:
            process.stdout.write((garbage() if how == "garbage" else text).encode())
        process.exit(0)


async def _flood(process: asyncssh.SSHServerProcess[bytes]) -> None:
    line = ("x" * 79 + "\n").encode()
    block = line * (65536 // len(line))
    for _ in range(HUGE // len(block) + 1):
        process.stdout.write(block)
        await process.stdout.drain()


class _Server(asyncssh.SSHServer):
    def __init__(self, device: DeviceServer) -> None:
        self.device = device

    counted = False

    def auth_completed(self) -> None:
        # Counted from login (not TCP accept) to close: the handshake of the next session
        # takes several round trips, so a close still in flight cannot look like an overlap.
        d = self.device
        self.counted = True
        d.active += 1
        d.connections += 1
        d.max_active = max(d.max_active, d.active)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.counted:
            self.device.active -= 1

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return self.device.password is not None

    def validate_password(self, username: str, password: str) -> bool:
        return username == self.device.username and password == self.device.password

    def public_key_auth_supported(self) -> bool:
        return self.device.client_key is not None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        want = self.device.client_key
        return (
            username == self.device.username
            and want is not None
            and key.public_data == want.public_data
        )


class _Shell:
    """One interactive session: echo, line editing, commands, the pager."""

    def __init__(self, device: DeviceServer, process: asyncssh.SSHServerProcess[bytes]) -> None:
        self.device = device
        self.p = device.persona
        self.process = process
        self.paging = True

    def write(self, text: str) -> None:
        self.process.stdout.write(text.replace("\n", "\r\n").encode())

    async def run(self) -> None:
        self.write(f"\n{self.p.name} lab device (netmon test)\n\n{self.p.prompt}")
        line = ""
        last = ""
        while True:
            data = await self.process.stdin.read(1024)
            if not data:
                return
            for ch in data.decode(errors="replace"):
                if ch == "\n" and last == "\r":
                    last = ch
                    continue
                last = ch
                if ch in "\r\n":
                    self.write("\n")
                    if not await self.command(line.strip()):
                        return
                    line = ""
                elif ch in "\x08\x7f":
                    if line:
                        line = line[:-1]
                        self.write("\b \b")
                else:
                    line += ch
                    self.write(ch)  # echo, as a terminal expects

    async def command(self, line: str) -> bool:
        """Run one command line; False to end the session."""
        d = self.device
        if line:
            d.commands.append(line)
        if line in self.p.exit_words:
            return False
        if line in self.p.paging_off:
            self.paging = self.paging and d.ignore_paging_off
            self.write(self.p.paging_off[line] + self.p.prompt)
            return True
        if not line:
            self.write(self.p.prompt)
            return True
        text = self.p.outputs.get(line)
        if text is None:
            self.write(self.p.unknown + self.p.prompt)
            return True
        await asyncio.sleep(d.delay_s)
        how = d.hostile.get(line)
        if how == "huge":
            await _flood(self.process)
        elif how == "truncated":
            self.write(text[: len(text) // 2])
            await self.process.stdout.drain()
            self.process.channel.get_connection().abort()
            return False
        elif how == "garbage":
            await self.page(garbage())
        elif how == "ansi":
            colour = "".join(f"\x1b[K\x1b[1;32m{ln}\x1b[0m\n" for ln in text.split("\n"))
            await self.page(colour)
        else:
            await self.page(text)
        if how == "noprompt":
            await asyncio.sleep(3600)  # the output came, the prompt never does
        self.write(self.p.prompt)
        return True

    async def page(self, text: str) -> None:
        lines = text.rstrip("\n").split("\n")
        if not self.paging:
            self.write("\n".join(lines) + "\n")
            return
        for start in range(0, len(lines), PAGE):
            self.write("\n".join(lines[start : start + PAGE]) + "\n")
            if start + PAGE >= len(lines):
                return
            self.write(self.p.more.rstrip("\n"))
            self.device.pages += 1
            key = await self.process.stdin.read(1)
            if not key or key in (b"q", b"Q"):
                self.write("\n")
                return
            self.process.stdout.write(self.p.erase.encode())
