"""The SSH probe: interfaces and LLDP (and CDP) neighbours from devices SNMP cannot reach.

One session per device and cycle runs the platform's commands (platforms.py) and turns their
outputs into the observations the SNMP probe yields, so the topology does not care where a fact
came from. Host keys are always verified against the configured known_hosts file: without one
the probe refuses to run (reason host_key). The whole session is bounded by the probe timeout
(a frozen sshd or a prompt that never returns is a "timeout"), output by a size cap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from netmon.model import InterfaceState, Neighbour, ProbeResult
from netmon.model.observation import FailureReason
from netmon.probes.base import (
    RETRIES,
    TIMEOUT,
    Clock,
    ProbeEnv,
    ProbeKind,
    ProbeSettings,
    ProbeTarget,
    failed,
    setting,
)
from netmon.probes.ssh.client import SshAuth, SshClient, SshReply, SshTarget
from netmon.probes.ssh.parse import CommandRejected, ParseError
from netmon.probes.ssh.platforms import PLATFORMS, Platform, hostname
from netmon.yamlspec import Float, Int

NAME = "ssh"
PORT = 22
_GRACE_S = 1.0  # the client ends its own session at timeout_s; this catches a client that hangs


@dataclass(frozen=True)
class SshSettings(ProbeSettings):
    # The whole session (login and every command) within timeout_s, inside the cycle deadline;
    # only a connection that timed out is tried again.
    timeout_s: float = setting(5.0, TIMEOUT)
    retries: int = setting(0, RETRIES)
    # Logins cost the devices CPU (key exchange): far fewer at once than SNMP or ICMP probes.
    concurrency: int | None = setting(
        20, Int(minimum=1, maximum=1000, doc="SSH sessions open at once")
    )
    keepalive_s: float = setting(
        15.0, Float(minimum=1, maximum=3600, doc="keepalive interval of a session")
    )


def client(env: ProbeEnv) -> SshClient:
    """The env's SSH client; the asyncssh one is made on first use (and asyncssh imported)."""
    if env.ssh is None:
        from netmon.probes.ssh.asyncssh_client import AsyncsshClient

        env.ssh = AsyncsshClient()
    return env.ssh


def _refuse(target: ProbeTarget[SshSettings]) -> tuple[FailureReason, str] | None:
    """(reason, detail) when the probe must not even try; None when it may."""
    platform = target.device.platform
    if platform not in PLATFORMS:
        known = ", ".join(sorted(PLATFORMS))
        return "error", f"no SSH platform {platform!r} (known: {known}): see docs/probes.md"
    if not isinstance(target.auth, SshAuth):
        return "credentials", target.auth_problem or "no SSH credential set for this device"
    known_hosts = target.auth.known_hosts
    if not known_hosts:
        return "host_key", (
            "ssh.known_hosts is not set in config.yaml: host keys are always verified, so the "
            "ssh probe does not run without a known_hosts file"
        )
    if not Path(known_hosts).is_file():
        return "host_key", (
            f"known_hosts file {known_hosts} does not exist: create it (ssh-keyscan, after "
            "checking the keys) or fix ssh.known_hosts in config.yaml"
        )
    return None


async def probe(target: ProbeTarget[SshSettings], env: ProbeEnv) -> ProbeResult:
    import asyncio  # here, not at the top: the registry's imports stay light (__init__.py)

    clock = Clock()
    refused = _refuse(target)
    if refused is not None:
        return failed(target, NAME, clock, *refused)
    assert isinstance(target.auth, SshAuth)
    platform = PLATFORMS[target.device.platform]
    wire = SshTarget(
        host=target.address,
        auth=target.auth,
        known_hosts=target.auth.known_hosts,
        port=target.port_for(NAME, PORT),
        timeout_s=target.timeout_s,
        keepalive_s=target.settings.keepalive_s,
    )
    commands = [c.text for c in platform.commands]
    ssh = client(env)
    reply = SshReply(error="error", detail="not run")
    for _ in range(target.retries + 1):
        try:
            async with asyncio.timeout(target.timeout_s + _GRACE_S):
                reply = await ssh.run(wire, commands, platform.shell)
        except TimeoutError:
            reply = SshReply(
                error="timeout", detail=f"the session did not end within {target.timeout_s} s"
            )
        # Only a connection that timed out is worth another try; the rest is an answer.
        if reply.ok or reply.phase != "connect" or reply.error != "timeout":
            break
    if reply.error is not None:
        return failed(target, NAME, clock, reply.error, reply.detail)
    result = _result(target, platform, reply, clock)
    if result.uptime_s is None:
        return result
    before = env.ssh_uptime.get(target.device.id)
    env.ssh_uptime[target.device.id] = result.uptime_s
    # /proc/uptime (CLOCK_BOOTTIME) never goes back and does not wrap: back means a reboot
    return replace(result, restarted=before is not None and result.uptime_s < before)


def _result(
    target: ProbeTarget[SshSettings], platform: Platform, reply: SshReply, clock: Clock
) -> ProbeResult:
    interfaces: list[InterfaceState] = []
    lldp: list[Neighbour] = []
    cdp: list[Neighbour] = []
    lldp_read = False
    sys_name = hostname(reply.prompt) if reply.prompt else ""
    uptime_s: float | None = None
    notes: list[str] = []
    by_command = {o.command: o for o in reply.outputs}
    for command in platform.commands:
        output = by_command.get(command.text)
        if output is None:
            return failed(target, NAME, clock, "malformed_reply", f"no output for {command.text!r}")
        try:
            parsed = command.parse(output)
        except CommandRejected as exc:
            detail = (
                f"the device refused {command.text!r} ({exc}): check the device's platform in "
                "the inventory, and the account's rights"
            )
            return failed(target, NAME, clock, "command_rejected", detail)
        except ParseError as exc:
            return failed(target, NAME, clock, "parse_error", f"{command.text!r}: {exc}")
        if parsed.unavailable:
            notes.append(f"{command.table.upper()} not read: {parsed.unavailable}")
            continue
        if command.table == "interfaces":
            interfaces += parsed.interfaces
        elif command.table == "lldp":
            lldp += parsed.neighbours
            lldp_read = True
        elif command.table == "system":
            sys_name, uptime_s = parsed.sys_name or sys_name, parsed.uptime_s
        else:
            cdp += parsed.neighbours
    return ProbeResult(
        device=target.device.id,
        probe=NAME,
        success=True,
        duration_s=clock.elapsed(),
        detail=f"{platform.mode}: {len(platform.commands)} commands"
        + "".join(f"; {n}" for n in notes),
        sys_name=sys_name,
        uptime_s=uptime_s,
        interfaces=tuple(interfaces),
        neighbours=merge(lldp, cdp),
        lldp_read=lldp_read,
    )


def merge(lldp: list[Neighbour], cdp: list[Neighbour]) -> tuple[Neighbour, ...]:
    """LLDP neighbours, plus CDP neighbours LLDP did not see on the same port (a Cisco
    neighbour usually speaks both: it must not count twice)."""
    seen = {(n.local_interface, _short(n.sys_name)) for n in lldp}
    extra = [n for n in cdp if (n.local_interface, _short(n.sys_name)) not in seen]
    return tuple(lldp + extra)


def _short(name: str) -> str:
    return name.lower().split(".", 1)[0]


KIND = ProbeKind(
    NAME,
    probe,
    SshSettings,
    doc="interfaces and LLDP/CDP neighbours from the device's CLI, host keys always verified",
    port=PORT,
    credential="ssh",
    quick=False,
)
