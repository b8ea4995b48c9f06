"""The TCP probe: can a connection be opened to the device's port (tcp_port, default 22)?

A refused connection is still an answer (the host is up, the port closed), so it is its own
reason, distinct from a timeout (nothing answered) and from unreachable (a router said so).
"""

from __future__ import annotations

import contextlib
import errno

from netmon.model import ProbeResult
from netmon.model.observation import FailureReason
from netmon.probes.base import Clock, ProbeEnv, ProbeKind, ProbeSettings, ProbeTarget, failed

NAME = "tcp"
PORT = 22  # SSH: the port every managed device has open
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN}


async def _connect_once(host: str, port: int, timeout_s: float) -> tuple[FailureReason, str] | None:
    import asyncio  # here, not at the top: the registry's imports stay light (__init__.py)

    try:
        async with asyncio.timeout(timeout_s):
            _, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        return "timeout", f"no answer to SYN within {timeout_s} s"
    except ConnectionRefusedError:
        return "refused", f"port {port} refused the connection"
    except OSError as exc:
        reason: FailureReason = "unreachable" if exc.errno in _UNREACHABLE else "error"
        return reason, exc.strerror or str(exc)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return None


async def probe(target: ProbeTarget[ProbeSettings], env: ProbeEnv) -> ProbeResult:
    clock = Clock()
    port = target.port_for(NAME, PORT)
    outcome: tuple[FailureReason, str] | None = ("error", "not tried")
    for _ in range(target.retries + 1):
        outcome = await _connect_once(target.address, port, target.timeout_s)
        if outcome is None or outcome[0] != "timeout":
            break  # success, or an answer (refused, unreachable): trying again changes nothing
    if outcome is not None:
        return failed(target, NAME, clock, outcome[0], outcome[1])
    return ProbeResult(
        device=target.device.id,
        probe=NAME,
        success=True,
        duration_s=clock.elapsed(),
        rtt_s=clock.elapsed(),
    )


KIND = ProbeKind(
    NAME,
    probe,
    ProbeSettings,  # the common defaults: 1 s, one retry
    doc="a TCP connect to the device's port: up, refused or unreachable",
    port=PORT,
)
