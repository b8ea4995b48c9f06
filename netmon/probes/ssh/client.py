"""The SSH wire behind a small seam: one session per device, a list of commands, their outputs.

`SshClient.run` opens one connection, runs every command in it (exec channels, or one
interactive shell for network operating systems whose exec channel is unusable) and returns
the outputs. The real client (asyncssh_client.py) speaks asyncssh; the recording fake (fake.py)
answers from captured device outputs and keeps every session it was asked for, so a test checks
both what the probe concluded and exactly what it asked of the device.

A failed session is a reply with `error` set, never an exception: timeouts, refused host keys,
authentication failures, oversized output all come back as values the probe turns into a
ProbeResult. This module imports no SSH library (layering: base.py imports it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from netmon.model.observation import FailureReason

# A device that answers one command with more than this is hostile or broken: stop reading.
# (The largest real output in the captured set, a 56-port `show interfaces`, is 74 KB.)
MAX_OUTPUT = 4 * 1024 * 1024


@dataclass(frozen=True)
class SshAuth:
    """Both sides of an SSH login: who netmon is (a username, a private key in OpenSSH or PEM
    text and/or a password) and how it knows the device (the known_hosts file its host key
    must be in; "" = not configured, and the probe refuses to run). The key and the password
    are secrets: repr shows whether they are set, never what they are."""

    username: str
    private_key: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    known_hosts: str = ""

    def __repr__(self) -> str:
        key = "<secret>" if self.private_key else "None"
        password = "<secret>" if self.password else "None"
        return (
            f"SshAuth(username={self.username!r}, private_key={key}, password={password}, "
            f"known_hosts={self.known_hosts!r})"
        )

    __str__ = __repr__


@dataclass(frozen=True)
class ShellSpec:
    """How to drive an interactive shell: what the prompt looks like, how to stop paging."""

    prompt: str  # regex a whole prompt line matches (e.g. r"[\w.\-]+[>#]")
    paging_off: tuple[str, ...] = ()  # sent first; their output is ignored
    more: str = ""  # regex of the pager prompt, answered with a space when it shows
    exit: str = "exit"
    # (what it is, regex of its prompt): a first prompt matching one of these, and not `prompt`,
    # means the inventory names the wrong platform; the session ends at once instead of waiting
    # for a prompt that will never come until the timeout.
    foreign: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SshTarget:
    """One device and how to talk to it. `timeout_s` bounds the whole session."""

    host: str
    auth: SshAuth
    known_hosts: str  # a file; host keys are always verified (there is no "off")
    timeout_s: float  # policy, set in one place: the probe's settings (SshSettings)
    keepalive_s: float
    port: int = 22
    max_output: int = MAX_OUTPUT


@dataclass(frozen=True)
class Output:
    """One command's output, as text. exit_status: exec mode only (None in a shell)."""

    command: str
    text: str
    exit_status: int | None = None
    stderr: str = ""


Phase = Literal["connect", "session"]


@dataclass(frozen=True)
class SshReply:
    outputs: tuple[Output, ...] = ()
    error: FailureReason | None = None
    detail: str = ""
    prompt: str = ""  # shell mode: the prompt the device showed (it holds the hostname)
    phase: Phase = "session"  # where it failed: only connection failures are retried

    @property
    def ok(self) -> bool:
        return self.error is None


class SshClient(Protocol):
    """The seam. Implementations never raise for what a device does; they reply with `error`."""

    async def run(
        self, target: SshTarget, commands: Sequence[str], shell: ShellSpec | None
    ) -> SshReply: ...
