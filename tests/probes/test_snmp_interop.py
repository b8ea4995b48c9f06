"""SNMPv3 interoperability (issue 16): every auth/priv pair netmon offers, against two agents
written by others, asked by three managers written by others or by netmon.

Agents, on loopback, started and stopped by PID:
- net-snmp snmpd 5.9.3, one user per pair (createUser; its AES-192-C/AES-256-C are the Cisco
  "Reeder" key extension, its AES-192/AES-256 Blumenthal's);
- a pysnmp command responder (pysnmp_agent.py), the same users: an agent-side USM that is not
  net-snmp's, pysnmp's plain CFB192/CFB256 being the Cisco variants.
Managers: net-snmp's own `snmpget`, `snmpgetnext`, `snmpbulkget` and `snmpbulkwalk` (the
reference for what the agent answered), netmon's client (WireClient) and pysnmp's
(PysnmpClient), both through netmon's SnmpClient seam, by the same protocol names.

For each agent and pair: a GET (values of every type the agent has, a missing instance and a
missing object), a GETNEXT (the seam has no GETNEXT PDU: GETBULK's non-repeaters are GETNEXTs,
RFC 3416 4.2.3; snmpgetnext sends real GETNEXT PDUs), one GETBULK (a non-repeater and two
repeaters, 4 repetitions: snmpbulkget sends the same single PDU) and a walk of a subtree
(snmpbulkwalk); the three managers must agree value for value. Values that move between two
requests (sysUpTime, snmpEngineTime) are compared by OID only.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import subprocess
import sys
from collections.abc import Iterator, Sequence
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from netmon.probes.snmp.client import (
    AUTH_PROTOCOLS,
    PRIV_PROTOCOLS,
    AuthProtocol,
    Oid,
    PrivProtocol,
    SnmpClient,
    SnmpTarget,
    SnmpUsm,
    Special,
    Value,
    oid,
    oid_str,
)
from probes.snmpd import AUTH_KEY, PRIV_KEY, Snmpd, free_udp_port, snmpd

NET_SNMP_AUTH = {
    "MD5": "MD5",
    "SHA": "SHA",
    "SHA224": "SHA-224",
    "SHA256": "SHA-256",
    "SHA384": "SHA-384",
    "SHA512": "SHA-512",
}
NET_SNMP_PRIV = {
    "DES": "DES",
    "AES": "AES",
    "AES192": "AES-192",
    "AES192C": "AES-192-C",
    "AES256": "AES-256",
    "AES256C": "AES-256-C",
}
PAIRS: list[tuple[AuthProtocol, PrivProtocol | None]] = [
    *((a, p) for a in AUTH_PROTOCOLS for p in PRIV_PROTOCOLS),
    *((a, None) for a in AUTH_PROTOCOLS),  # authNoPriv
]
SYSTEM = oid("1.3.6.1.2.1.1")
MOVING = {oid("1.3.6.1.2.1.1.3.0"), oid("1.3.6.1.6.3.10.2.1.3.0")}  # sysUpTime, snmpEngineTime
NET_SNMP_PRIVATE = oid("1.3.6.1.4.1.99999.1")
PYSNMP_PRIVATE = oid("1.3.6.1.4.1.99999.2")
OVERRIDES = """\
override 1.3.6.1.4.1.99999.1.1.0 integer -42
override 1.3.6.1.4.1.99999.1.2.0 uinteger 4000000000
override 1.3.6.1.4.1.99999.1.3.0 octet_str "hello world"
override 1.3.6.1.4.1.99999.1.4.0 object_id .1.3.6.1.4.1.8072
override 1.3.6.1.4.1.99999.1.5.0 counter 123456
override 1.3.6.1.4.1.99999.1.6.0 octet_str ""
sysContact noc@metronet.invalid
sysLocation loopback
"""


def user_name(auth: str, priv: str | None) -> str:
    return f"i-{auth}-{priv or 'nopriv'}".lower()


# -- the agents -------------------------------------------------------------------------------


def _create_users() -> str:
    lines = []
    for auth, priv in PAIRS:
        name = user_name(auth, priv)
        privacy = f" {NET_SNMP_PRIV[priv]} {PRIV_KEY}" if priv else ""
        lines.append(f"createUser {name} {NET_SNMP_AUTH[auth]} {AUTH_KEY}{privacy}")
        lines.append(f"rouser {name} {'authpriv' if priv else 'auth'}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def net_snmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snmpd]:
    with snmpd(tmp_path_factory.mktemp("interop-snmpd"), extra=_create_users() + OVERRIDES) as a:
        yield a


@pytest.fixture(scope="module")
def pysnmp_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The pysnmp command responder, its port. Stopped by PID."""
    port = free_udp_port()
    users = [[user_name(a, p), a, p, AUTH_KEY, PRIV_KEY if p else None] for a, p in PAIRS]
    log = tmp_path_factory.mktemp("interop-pysnmp") / "agent.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("pysnmp_agent.py")), str(port),
             json.dumps(users)],
            stdout=subprocess.PIPE, stderr=err, text=True,
        )  # fmt: skip
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 120)  # 42 users' keys to make first
        line = proc.stdout.readline() if ready else ""
        assert line.strip() == "ready", f"pysnmp agent did not start: {log.read_text()[-2000:]}"
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# -- net-snmp's command-line tools as the reference --------------------------------------------

_SPECIALS = {
    "No Such Object available on this agent at this OID": Special.NO_SUCH_OBJECT,
    "No Such Instance currently exists at this OID": Special.NO_SUCH_INSTANCE,
    "No more variables left in this MIB View (It is past the end of the MIB tree)": (
        Special.END_OF_MIB_VIEW
    ),
}
_NUMBER_TYPES = ("INTEGER", "Gauge32", "Counter32", "Counter64", "UInteger32")


def _cli_value(text: str) -> Value:
    if text in _SPECIALS:
        return _SPECIALS[text]
    if text == '""':
        return b""
    kind, _, rest = text.partition(": ")
    if kind in _NUMBER_TYPES:
        return int(re.sub(r"^\D*\((\d+)\)$", r"\1", rest))
    if kind == "Timeticks":
        return int(rest[1 : rest.index(")")])
    if kind == "Hex-STRING":
        return bytes.fromhex(rest)
    if kind == "STRING":
        return rest.strip('"').encode("latin-1")
    if kind == "OID":
        return oid(rest)
    if kind == "IpAddress":
        return IPv4Address(rest)
    raise AssertionError(f"net-snmp printed a value this test cannot read: {text!r}")


def cli(tool: str, port: int, auth: str, priv: str | None, *args: str) -> list[tuple[Oid, Value]]:
    """net-snmp's `tool` at the pair's user; its answer as netmon's (OID, value) pairs."""
    name = user_name(auth, priv)
    security = ["-l", "authPriv" if priv else "authNoPriv", "-u", name]
    security += ["-a", NET_SNMP_AUTH[auth], "-A", AUTH_KEY]
    security += ["-x", NET_SNMP_PRIV[priv], "-X", PRIV_KEY] if priv else []
    out = subprocess.run(
        [tool, "-v3", *security, "-r", "1", "-t", "2", "-On", "-Ox", "-m", "",
         f"127.0.0.1:{port}", *args],
        capture_output=True, text=True, timeout=30, check=False,
        env={**os.environ, "MIBDIRS": "/nonexistent"},
    )  # fmt: skip
    assert out.returncode == 0, f"{tool} {name}: {out.stderr[-500:]}"
    lines: list[str] = []
    for line in out.stdout.splitlines():  # long hex strings go on over several lines
        if line.startswith("."):
            lines.append(line)
        elif line.strip():
            lines[-1] += " " + line.strip()
    pairs = []
    for line in lines:
        key, _, value = line.partition(" = ")
        pairs.append((oid(key), _cli_value(value.strip())))
    return pairs


# -- the questions ----------------------------------------------------------------------------


def questions(private: Oid, private_count: int) -> dict[str, tuple[Oid, ...]]:
    scalars = tuple((*private, i, 0) for i in range(1, private_count + 1))
    return {
        "get": (
            (*SYSTEM, 1, 0), (*SYSTEM, 2, 0), (*SYSTEM, 5, 0), *scalars,
            (*SYSTEM, 5, 1), (*private, 99, 0),
        ),
        "next": ((*SYSTEM, 4), (*private, 2), scalars[-1]),
        "bulk": ((*SYSTEM, 5), private, SYSTEM),  # non-repeater, then two repeaters
        "walk": (private,),
    }  # fmt: skip


def steady(pairs: Sequence[tuple[Oid, Value]]) -> list[tuple[str, Value | str]]:
    return [(oid_str(k), "moves" if k in MOVING else v) for k, v in pairs]


def ask_cli(
    port: int, auth: str, priv: str | None, q: dict[str, tuple[Oid, ...]]
) -> dict[str, object]:
    o = [oid_str(x) for x in q["get"]]
    return {
        "get": steady(cli("snmpget", port, auth, priv, *o)),
        "next": steady(cli("snmpgetnext", port, auth, priv, *map(oid_str, q["next"]))),
        "bulk": steady(
            cli("snmpbulkget", port, auth, priv, "-Cn1", "-Cr4", *map(oid_str, q["bulk"]))
        ),
        "walk": steady(cli("snmpbulkwalk", port, auth, priv, "-Cr10", oid_str(q["walk"][0]))),
    }


async def _walk(client: SnmpClient, target: SnmpTarget, root: Oid) -> list[tuple[Oid, Value]]:
    out: list[tuple[Oid, Value]] = []
    cursor = root
    for _ in range(32):  # bounded: a subtree of a few objects
        reply = await client.bulk(target, [], [cursor], 10)
        assert reply.ok, reply.detail
        for key, value in reply.varbinds:
            if key[: len(root)] != root or value == Special.END_OF_MIB_VIEW:
                return out
            out.append((key, value))
            cursor = key
    raise AssertionError("the walk did not end")


async def ask_client(
    client: SnmpClient, target: SnmpTarget, q: dict[str, tuple[Oid, ...]]
) -> dict[str, object]:
    out: dict[str, object] = {}
    get = await client.get(target, q["get"])
    nxt = await client.bulk(target, q["next"], [], 0)
    bulk = await client.bulk(target, q["bulk"][:1], q["bulk"][1:], 4)
    for name, reply in (("get", get), ("next", nxt), ("bulk", bulk)):
        assert reply.ok, f"{name}: {reply.error}: {reply.detail}"
        out[name] = steady(reply.varbinds)
    out["walk"] = steady(await _walk(client, target, q["walk"][0]))
    return out


def ask_both(port: int, user: SnmpUsm, q: dict[str, tuple[Oid, ...]]) -> dict[str, object]:
    from netmon.probes.snmp.pysnmp_client import PysnmpClient
    from netmon.probes.snmp.wire import WireClient

    async def run() -> dict[str, object]:
        target = SnmpTarget("127.0.0.1", user, port=port, timeout_s=1.0, retries=2)
        out: dict[str, object] = {}
        for name, client in (("netmon", WireClient()), ("pysnmp", PysnmpClient())):
            try:
                out[name] = await ask_client(client, target, q)
            finally:
                await client.aclose()
        return out

    return asyncio.run(run())


def _user(auth: AuthProtocol, priv: PrivProtocol | None) -> SnmpUsm:
    name = user_name(auth, priv)
    if priv is None:
        return SnmpUsm(name, auth, AUTH_KEY, level="authNoPriv")
    return SnmpUsm(name, auth, AUTH_KEY, priv, PRIV_KEY)


IDS = [user_name(a, p)[2:] for a, p in PAIRS]


@pytest.mark.parametrize(("auth", "priv"), PAIRS, ids=IDS)
def test_against_net_snmp(net_snmp: Snmpd, auth: AuthProtocol, priv: PrivProtocol | None) -> None:
    q = questions(NET_SNMP_PRIVATE, 6)
    reference = ask_cli(net_snmp.port, auth, priv, q)
    got = ask_both(net_snmp.port, _user(auth, priv), q)
    assert got["netmon"] == reference
    assert got["pysnmp"] == reference
    assert len(reference["walk"]) == 6  # type: ignore[arg-type]
    assert reference["get"][2] == ("1.3.6.1.2.1.1.5.0", b"loopback-agent")  # type: ignore[index]


@pytest.mark.parametrize(("auth", "priv"), PAIRS, ids=IDS)
def test_against_a_pysnmp_agent(
    pysnmp_agent: int, auth: AuthProtocol, priv: PrivProtocol | None
) -> None:
    q = questions(PYSNMP_PRIVATE, 8)
    reference = ask_cli(pysnmp_agent, auth, priv, q)
    got = ask_both(pysnmp_agent, _user(auth, priv), q)
    assert got["netmon"] == reference
    assert got["pysnmp"] == reference
    assert len(reference["walk"]) == 8  # type: ignore[arg-type]


def test_a_cisco_variant_is_not_the_net_snmp_one(net_snmp: Snmpd) -> None:
    """The two AES-256 spellings are different keys with SHA-1 (20-byte digest): a user created
    as AES-256-C does not answer a manager that extends the key the other way (snmpd drops
    what it cannot decrypt: a timeout), in both engines: netmon's names are not aliases."""
    from netmon.probes.snmp.pysnmp_client import PysnmpClient
    from netmon.probes.snmp.wire import WireClient

    wrong = SnmpUsm(user_name("SHA", "AES256C"), "SHA", AUTH_KEY, "AES256", PRIV_KEY)

    async def run() -> list[object]:
        out = []
        for client in (WireClient(), PysnmpClient()):
            target = SnmpTarget("127.0.0.1", wrong, port=net_snmp.port, timeout_s=0.3, retries=0)
            reply = await client.get(target, [(*SYSTEM, 5, 0)])
            out.append((reply.error, reply.varbinds))
            await client.aclose()
        return out

    assert asyncio.run(run()) == [("timeout", ()), ("timeout", ())]
