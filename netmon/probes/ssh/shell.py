"""Interactive-shell mode: for network operating systems whose exec channel is unusable.

One shell per session, on a pty: wait for the prompt (learnt from the first one the device
shows, then matched exactly), send the paging-off commands, then each command; read until the
prompt returns, answering the pager (`--More--`, `---- More ----`) with a space should paging
still be on. Output is capped per command; the caller's outer deadline ends a prompt that never
returns.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from netmon.model.observation import FailureReason
from netmon.probes.ssh.client import Output, Phase, ShellSpec, SshReply
from netmon.probes.ssh.lib import asyncssh
from netmon.probes.ssh.text import clean, last_line, strip_echo_and_prompt

_CHUNK = 65536
_TAIL = 1024  # what is kept to look for the prompt and the pager at the end of the output
_SETTLE_S = 0.5  # quiet after another platform's prompt: the device is showing it
TERM_SIZE = (511, 24)  # wide: devices wrap long lines at the terminal width


class TooLarge(Exception):
    """More output than the cap: the session is aborted (reason malformed_reply)."""


class ShellFailed(Exception):
    def __init__(self, reason: FailureReason, detail: str) -> None:
        super().__init__(detail)
        self.reason: FailureReason = reason


@dataclass
class SessionState:
    """What the session is doing, for the message when the outer deadline ends it."""

    doing: str = "starting"
    phase: Phase = "connect"
    tail: str = ""
    aborted: bool = False
    conn: asyncssh.SSHClientConnection | None = None


def too_large(command: str, cap: int) -> TooLarge:
    return TooLarge(
        f"output of {command!r} is larger than {cap} bytes: stopped reading (no device "
        "should answer this much to it; broken or hostile)"
    )


async def _read(stream: Any) -> bytes:
    """One chunk; b"" at the end, and also when the connection drops (the caller says what
    was cut short: a lost connection mid-output is a truncated reply, not a crash)."""
    try:
        chunk: bytes = await stream.read(_CHUNK)
    except (asyncssh.Error, ConnectionError):
        return b""
    return chunk


async def read_capped(
    stream: Any, cap: int, command: str, state: SessionState | None, truncate: bool = False
) -> bytes:
    """Everything until EOF, at most `cap` bytes: past it TooLarge, or with `truncate` the
    rest is read and dropped (stderr must be drained or the channel stalls)."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = await _read(stream)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > cap:
            if not truncate:
                if state is not None:
                    state.aborted = True
                raise too_large(command, cap)
            continue
        chunks.append(chunk)
        if state is not None:
            state.tail = chunk[-200:].decode("utf-8", errors="replace")


class Shell:
    def __init__(
        self,
        conn: asyncssh.SSHClientConnection,
        spec: ShellSpec,
        cap: int,
        state: SessionState,
    ) -> None:
        self.conn = conn
        self.spec = spec
        self.cap = cap
        self.state = state
        self.more = re.compile(rf"(?:{spec.more})\s*$") if spec.more else None
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.proc: Any = None

    async def run(self, commands: Sequence[str]) -> SshReply:
        self.state.doing = "opening a shell"
        self.proc = await self.conn.create_process(
            term_type="vt100", term_size=TERM_SIZE, encoding=None
        )
        self.state.doing = "waiting for the first prompt"
        prompt = last_line(await self._until_prompt(None, "the login"))
        for command in self.spec.paging_off:
            self._send(command)
            await self._until_prompt(prompt, command)
        outputs = []
        for command in commands:
            self._send(command)
            raw = await self._until_prompt(prompt, command)
            text = strip_echo_and_prompt(clean(raw, self.spec.more), command, prompt)
            outputs.append(Output(command, text))
        self._send(self.spec.exit)
        return SshReply(tuple(outputs), prompt=prompt)

    def _send(self, line: str) -> None:
        self.state.doing = f"waiting for the prompt after {line!r}"
        self.proc.stdin.write(line.encode("utf-8") + b"\n")

    async def _until_prompt(self, prompt: str | None, command: str) -> str:
        """Read until the last line is the prompt (the learnt one, or any line matching the
        platform's prompt regex the first time); answer the pager on the way."""
        parts: list[str] = []
        tail = ""
        since_pager = ""  # output since the pager was last answered: only a new one counts
        total = 0
        suspect: ShellFailed | None = None
        while True:
            chunk = await self._next(suspect)
            suspect = None  # more output came: judged again below
            if not chunk:
                raise ShellFailed(
                    "malformed_reply",
                    f"the session ended before the prompt returned after {command!r} "
                    f"({total} bytes: output truncated)",
                )
            total += len(chunk)
            if total > self.cap:
                self.state.aborted = True
                raise too_large(command, self.cap)
            text = self.decoder.decode(chunk)
            parts.append(text)
            tail = (tail + text)[-_TAIL:]
            since_pager = (since_pager + text)[-_TAIL:]
            self.state.tail = tail
            if self.more is not None and self.more.search(clean(since_pager)):
                self.proc.stdin.write(b" ")
                since_pager = ""
                continue
            line = last_line(tail)
            done = (
                line == prompt if prompt is not None else bool(re.fullmatch(self.spec.prompt, line))
            )
            if done:
                return "".join(parts)
            suspect = self._foreign(line) if prompt is None else None

    async def _next(self, suspect: ShellFailed | None) -> bytes:
        """The next chunk. While the last line looks like another platform's prompt, wait only
        a moment: a device that then stays quiet is showing it (a banner line that merely
        looks like one is followed by more output)."""
        if suspect is None:
            return await _read(self.proc.stdout)
        try:
            return await asyncio.wait_for(_read(self.proc.stdout), _SETTLE_S)
        except TimeoutError:
            raise suspect from None

    def _foreign(self, line: str) -> ShellFailed | None:
        for what, pattern in self.spec.foreign:
            if re.fullmatch(pattern, line):
                return ShellFailed(
                    "error",
                    f"the device shows {line[:60]!r}, the prompt of {what}, not of this "
                    "platform: check the device's platform in the inventory",
                )
        return None
