"""A pysnmp 7 command responder (an SNMP agent) on loopback, for the interop tests: another
implementation of USM on the agent side than net-snmp's, with every protocol pysnmp has,
the Cisco ("Reeder") AES-192/256 key extension among them.

Run as a script by the test (started and stopped by PID):
    python pysnmp_agent.py PORT USERS_JSON
USERS_JSON: [[user, auth, priv or null, auth passphrase, priv passphrase], ...] with auth and
priv in snmp_exporter's names. Serves pysnmp's own system and SNMP engine groups and PRIVATE
(below), read-only, at each user's level. Prints "ready" once it listens.
"""

from __future__ import annotations

import json
import sys

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context
from pysnmp.proto.api import v2c

AUTH = {
    "MD5": config.USM_AUTH_HMAC96_MD5,
    "SHA": config.USM_AUTH_HMAC96_SHA,
    "SHA224": config.USM_AUTH_HMAC128_SHA224,
    "SHA256": config.USM_AUTH_HMAC192_SHA256,
    "SHA384": config.USM_AUTH_HMAC256_SHA384,
    "SHA512": config.USM_AUTH_HMAC384_SHA512,
}
PRIV = {
    "DES": config.USM_PRIV_CBC56_DES,
    "AES": config.USM_PRIV_CFB128_AES,
    "AES192": config.USM_PRIV_CFB192_AES_BLUMENTHAL,
    "AES192C": config.USM_PRIV_CFB192_AES,
    "AES256": config.USM_PRIV_CFB256_AES_BLUMENTHAL,
    "AES256C": config.USM_PRIV_CFB256_AES,
}
ENGINE_ID = "80004fb8056e65746d6f6e2d7079736e6d70"  # enterprise 20408 (pysnmp), text format
PRIVATE = (1, 3, 6, 1, 4, 1, 99999, 2)
# Types snmpd's `override` cannot make (Counter64, IpAddress) among them.
VALUES = (
    v2c.Integer32(-42),
    v2c.Gauge32(4_000_000_000),
    v2c.OctetString(b"hello \xff world"),
    v2c.ObjectIdentifier((1, 3, 6, 1, 4, 1, 8072)),
    v2c.Counter32(123_456),
    v2c.Counter64(2**40 + 5),
    v2c.IpAddress("10.46.0.11"),
    v2c.OctetString(b""),
)


def main(port: int, users: list[list[str | None]]) -> None:
    snmp = engine.SnmpEngine(snmpEngineID=v2c.OctetString(hexValue=ENGINE_ID))
    transport = udp.UdpTransport().open_server_mode(("127.0.0.1", port))
    config.add_transport(snmp, udp.DOMAIN_NAME, transport)
    for name, auth, priv, auth_key, priv_key in users:
        assert name and auth and auth_key
        level = "authPriv" if priv else "authNoPriv"
        config.add_v3_user(
            snmp,
            name,
            AUTH[auth],
            auth_key,
            PRIV[priv] if priv else config.USM_PRIV_NONE,
            priv_key if priv else None,
        )
        config.add_vacm_user(snmp, 3, name, level, (1, 3, 6), ())
    snmp_context = context.SnmpContext(snmp)
    builder = snmp_context.get_mib_instrum().get_mib_builder()
    scalar, instance = builder.import_symbols("SNMPv2-SMI", "MibScalar", "MibScalarInstance")
    objects = []
    for i, value in enumerate(VALUES, start=1):
        objects += [scalar((*PRIVATE, i), value), instance((*PRIVATE, i), (0,), value)]
    builder.export_symbols("__NETMON_INTEROP", *objects)
    cmdrsp.GetCommandResponder(snmp, snmp_context)
    cmdrsp.NextCommandResponder(snmp, snmp_context)
    cmdrsp.BulkCommandResponder(snmp, snmp_context)
    snmp.transport_dispatcher.job_started(1)
    print("ready", flush=True)
    snmp.open_dispatcher()


if __name__ == "__main__":
    main(int(sys.argv[1]), json.loads(sys.argv[2]))
