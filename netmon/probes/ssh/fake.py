"""A recording fake SshClient: answers commands from captured outputs, keeps every session.

Tests use it at the seam: the probe's observations are checked together with the exact
session it asked for (host, user, mode, commands in order). A device is a map from command to
output (text, or an Output with an exit status); a command it does not know answers like a
shell that has no such command. Unknown hosts behave like a black hole (timeout).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from netmon.model.observation import FailureReason
from netmon.probes.ssh.client import Output, ShellSpec, SshReply, SshTarget


@dataclass
class FakeDevice:
    outputs: Mapping[str, str | Output]
    prompt: str = ""  # shell mode: the prompt the device shows
    fail: FailureReason | None = None  # every session fails with this reason
    detail: str = ""


@dataclass(frozen=True)
class Session:
    """One session as the device saw it."""

    host: str
    port: int
    username: str
    mode: str  # "exec" or "shell"
    commands: tuple[str, ...]
    paging_off: tuple[str, ...] = ()
    known_hosts: str = field(default="", compare=False)


class RecordingSshClient:
    def __init__(self, devices: dict[str, FakeDevice]) -> None:
        self.devices = devices
        self.sessions: list[Session] = []

    async def run(
        self, target: SshTarget, commands: Sequence[str], shell: ShellSpec | None
    ) -> SshReply:
        self.sessions.append(
            Session(
                target.host,
                target.port,
                target.auth.username,
                "exec" if shell is None else "shell",
                tuple(commands),
                shell.paging_off if shell is not None else (),
                target.known_hosts,
            )
        )
        device = self.devices.get(target.host)
        if device is None:
            return SshReply(
                error="timeout", detail="no answer (fake: unknown host)", phase="connect"
            )
        if device.fail is not None:
            detail = device.detail or f"fake device set to fail: {device.fail}"
            return SshReply(error=device.fail, detail=detail, phase="connect")
        outputs = []
        for command in commands:
            found = device.outputs.get(command)
            if isinstance(found, Output):
                outputs.append(found)
            elif found is not None:
                outputs.append(Output(command, found, 0 if shell is None else None))
            elif shell is None:
                outputs.append(Output(command, "", 127, f"sh: 1: {command}: not found\n"))
            else:
                outputs.append(Output(command, "% Invalid input detected at '^' marker.\n"))
        return SshReply(tuple(outputs), prompt=device.prompt if shell is not None else "")
