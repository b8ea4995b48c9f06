"""The real SshClient on asyncssh: one connection per device and cycle, host keys verified.

Set up the way FIELD-NOTES says asyncssh must be: `known_hosts=` is always a loaded known_hosts
file (never None, which would accept any key), connect and login timeouts are the probe's
timeout (asyncssh's login default is 120 s), keepalive is on, and one outer deadline bounds the
whole session, so a frozen server or a prompt that never returns costs `timeout_s`, not a hang.
No ~/.ssh/config, no default keys, no agent: only the credential set in config.yaml is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
from collections.abc import Sequence
from pathlib import Path

from netmon.model.observation import FailureReason
from netmon.probes.ssh.client import Output, ShellSpec, SshReply, SshTarget
from netmon.probes.ssh.lib import asyncssh
from netmon.probes.ssh.shell import SessionState, Shell, ShellFailed, TooLarge, read_capped
from netmon.probes.ssh.text import excerpt

_STDERR_CAP = 64 * 1024
_CLOSE_GRACE_S = 1.0


def key_problem(text: str) -> str:
    """'' when `text` is a private key asyncssh can use; else what is wrong (no secret in it)."""
    try:
        asyncssh.import_private_key(text)
    except (asyncssh.KeyImportError, ValueError) as exc:
        return f"the private key cannot be read: {exc}"
    return ""


class KnownHostsError(Exception):
    """The known_hosts file is missing or unreadable: reason host_key, never 'accept any'."""


class AsyncsshClient:
    """Stateless per session; keeps parsed known_hosts files, re-read when they change."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple[int, int], asyncssh.SSHKnownHosts]] = {}

    def known_hosts(self, path: str) -> asyncssh.SSHKnownHosts:
        try:
            st = Path(path).stat()
            stamp = (st.st_mtime_ns, st.st_size)
            cached = self._known.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            loaded = asyncssh.import_known_hosts(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise KnownHostsError(
                f"known_hosts file {path} cannot be read ({exc.strerror}): host keys are always "
                "verified; create it (ssh-keyscan, after checking the keys) or fix ssh.known_hosts "
                "in config.yaml"
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise KnownHostsError(f"known_hosts file {path} is not valid: {exc}") from None
        self._known[path] = (stamp, loaded)
        return loaded

    async def run(
        self, target: SshTarget, commands: Sequence[str], shell: ShellSpec | None
    ) -> SshReply:
        state = SessionState()
        try:
            async with asyncio.timeout(target.timeout_s):
                reply = await self._session(target, commands, shell, state)
        except TimeoutError:
            tail = f" (last output: {excerpt(state.tail)!r})" if state.tail.strip() else ""
            reply = SshReply(
                error="timeout",
                detail=f"no answer within {target.timeout_s} s while {state.doing}{tail}",
                phase=state.phase,
            )
        conn = state.conn
        if conn is not None:
            # Closed before the concurrency slot is given back, so the cap holds on the wire
            # too; a frozen device gets a short grace, never the whole timeout again.
            if state.aborted or not reply.ok:
                conn.abort()
            else:
                conn.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(conn.wait_closed(), _CLOSE_GRACE_S)
        return reply

    async def _session(
        self,
        target: SshTarget,
        commands: Sequence[str],
        shell: ShellSpec | None,
        state: SessionState,
    ) -> SshReply:
        try:
            known = self.known_hosts(target.known_hosts)
        except KnownHostsError as exc:
            return SshReply(error="host_key", detail=str(exc), phase="connect")
        auth = target.auth
        state.doing = f"connecting to {target.host}:{target.port} and logging in"
        try:
            conn = await asyncssh.connect(
                target.host,
                port=target.port,
                username=auth.username,
                known_hosts=known,
                client_keys=[asyncssh.import_private_key(auth.private_key)]
                if auth.private_key
                else None,
                password=auth.password or None,
                agent_path=None,
                config=None,
                gss_auth=False,
                gss_kex=False,
                connect_timeout=target.timeout_s,
                login_timeout=target.timeout_s,
                keepalive_interval=target.keepalive_s,
                keepalive_count_max=3,
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            return SshReply(error="host_key", detail=_host_key(known, target, exc), phase="connect")
        except asyncssh.PermissionDenied:
            return SshReply(
                error="authentication",
                detail=f"user {auth.username!r} was refused (wrong key or password, or the "
                "user is not allowed on this device)",
                phase="connect",
            )
        except TimeoutError:  # asyncssh's connect/login timeout (an OSError: caught first)
            return SshReply(
                error="timeout",
                detail=f"no answer within {target.timeout_s} s while {state.doing}",
                phase="connect",
            )
        except ConnectionRefusedError:
            return SshReply(
                error="refused",
                detail=f"port {target.port} refused the connection",
                phase="connect",
            )
        except (asyncssh.Error, OSError) as exc:
            return SshReply(error=_os_reason(exc), detail=_describe(exc), phase="connect")
        state.phase = "session"
        state.conn = conn
        try:
            if shell is None:
                return await _exec(conn, target, commands, state)
            return await Shell(conn, shell, target.max_output, state).run(commands)
        except TooLarge as exc:
            return SshReply(error="malformed_reply", detail=str(exc))
        except ShellFailed as exc:
            return SshReply(error=exc.reason, detail=str(exc))
        except (asyncssh.Error, OSError) as exc:
            return SshReply(error="error", detail=f"while {state.doing}: {_describe(exc)}")


async def _exec(
    conn: asyncssh.SSHClientConnection,
    target: SshTarget,
    commands: Sequence[str],
    state: SessionState,
) -> SshReply:
    outputs = []
    for command in commands:
        state.doing = f"running {command!r}"
        proc = await conn.create_process(command, encoding=None, stdin=asyncssh.DEVNULL)
        try:
            out, err = await asyncio.gather(
                read_capped(proc.stdout, target.max_output, command, state),
                read_capped(proc.stderr, _STDERR_CAP, command, None, truncate=True),
            )
        except TooLarge:
            state.aborted = True
            raise
        try:
            await proc.wait_closed()
            status = proc.exit_status
        except (asyncssh.Error, OSError):  # the connection dropped mid-command
            status = None
        if status is None:
            return SshReply(
                error="malformed_reply",
                detail=f"{command!r} ended without an exit status after {len(out)} bytes "
                "(connection lost: output truncated)",
            )
        outputs.append(
            Output(
                command,
                out.decode("utf-8", errors="replace"),
                exit_status=status,
                stderr=err.decode("utf-8", errors="replace"),
            )
        )
    return SshReply(tuple(outputs))


def _host_key(
    known: asyncssh.SSHKnownHosts, target: SshTarget, exc: asyncssh.HostKeyNotVerifiable
) -> str:
    """Unknown (no entry for this host) and changed (an entry with another key) say different
    things to the NOC: the first needs a key added, the second needs someone to look."""
    port = target.port if target.port != 22 else None
    host_keys = known.match(target.host, target.host, port)[0]
    where = f"{target.host}:{target.port}"
    if host_keys:
        return (
            f"host key of {where} does not match {target.known_hosts} (changed key: the device "
            "was replaced or someone is in the middle); check it, then update known_hosts"
        )
    return (
        f"host key of {where} is unknown: no entry in {target.known_hosts}; verify the key "
        f"and add it (asyncssh: {exc.reason})"
    )


def _os_reason(exc: BaseException) -> FailureReason:
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "unreachable"
    return "error"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncssh.DisconnectError):
        return f"disconnected: {exc.reason}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {exc}"
