"""ICMP errors on the SNMP client's UDP socket (IP_RECVERR): a port-unreachable or host-
unreachable that answers a request, read from the socket's error queue, so a closed or
firewalled agent port reads as `refused` at once instead of a timeout after every retry
(docs/reliability.md, item 6).
"""

from __future__ import annotations

import errno
import os
import socket
import struct

from netmon.probes.snmp.client import SnmpReply

UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN}
# Linux <linux/in.h>, <linux/errqueue.h>: not in Python's socket module.
IP_RECVERR = 11
_EXTENDED_ERR = struct.Struct("=IBBBBII")  # ee_errno, origin, type, code, pad, info, data
_ERRORS_PER_READ = 256  # a bound per wake-up; the rest wait for the next one


def enable(sock: socket.socket) -> None:
    """Queue ICMP errors with the address they concern. Only netmon's own client drains the
    queue; pysnmp's socket must not get it, or an undrained queue would spin its event loop."""
    sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)


def queued(sock: socket.socket) -> list[tuple[tuple[str, int], SnmpReply]]:
    """(agent address, the verdict for its requests) for each error in the queue: the queue
    holds the address the failed datagram went to and the kernel's verdict."""
    out: list[tuple[tuple[str, int], SnmpReply]] = []
    for _ in range(_ERRORS_PER_READ):
        try:
            _, ancillary, _, addr = sock.recvmsg(1, 256, socket.MSG_ERRQUEUE)
        except OSError:  # the queue is empty (EAGAIN)
            break
        for level, kind, data in ancillary:
            reply = verdict(data, addr[1]) if kind == IP_RECVERR else None
            if level == socket.IPPROTO_IP and reply is not None:
                out.append((addr, reply))
    return out


def verdict(err: bytes, port: int) -> SnmpReply | None:
    """What a queued ICMP error (struct sock_extended_err, then the offender's sockaddr_in)
    says about the agent; None for errors the retries deal with (a fragmentation notice)."""
    if len(err) < _EXTENDED_ERR.size + 8:
        return None
    code = _EXTENDED_ERR.unpack_from(err)[0]
    offender = socket.inet_ntoa(err[_EXTENDED_ERR.size + 4 : _EXTENDED_ERR.size + 8])
    if code == errno.ECONNREFUSED:
        return SnmpReply(
            error="refused",
            detail=f"port {port} unreachable (ICMP from {offender}): no agent listens there, "
            "or a firewall rejects SNMP",
        )
    if code in UNREACHABLE:
        return SnmpReply(error="unreachable", detail=f"{os.strerror(code)} (ICMP from {offender})")
    return None
