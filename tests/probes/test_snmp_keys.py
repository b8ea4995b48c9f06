"""SNMPv3 keys, MACs and ciphers of netmon's own client (snmp/keys.py, privacy.py) against
pysnmp's, for every protocol name: the same name must mean the same bytes in both engines
(issue 16). pysnmp is handed the protocol behind each name by pysnmp_client.py's own tables, so
a wrong mapping there fails here too. On the wire, against net-snmp and a pysnmp agent:
test_snmp_interop.py.
"""

from __future__ import annotations

import asyncio

import pytest
from pyasn1.type import univ
from pysnmp.proto.secmod.rfc3414.service import SnmpUSMSecurityModel

from netmon.probes.snmp import keys, privacy
from netmon.probes.snmp.client import (
    AUTH_PROTOCOLS,
    PRIV_PROTOCOLS,
    AuthProtocol,
    PrivProtocol,
    SnmpTarget,
    SnmpUsm,
)
from netmon.probes.snmp.pysnmp_client import _AUTH, _PRIV
from netmon.probes.snmp.usm import Engine
from probes.snmpd import black_hole, free_udp_port

ENGINE = bytes.fromhex("80001f8880e752f10cebf5146b00000000")
AUTH_PASS, PRIV_PASS = "interop-auth-pass", "interop-priv-pass"
PAIRS = [(a, p) for a in AUTH_PROTOCOLS for p in PRIV_PROTOCOLS]


def _pysnmp_keys(auth: AuthProtocol, priv: PrivProtocol) -> tuple[bytes, bytes]:
    """(auth, priv) keys localised to ENGINE as pysnmp's USM does it for a user it is given."""
    auth_service = SnmpUSMSecurityModel.AUTH_SERVICES[_AUTH[auth]]
    priv_service = SnmpUSMSecurityModel.PRIV_SERVICES[_PRIV[priv]]
    ku = auth_service.hash_passphrase(univ.OctetString(AUTH_PASS))
    auth_key = auth_service.localize_key(ku, univ.OctetString(ENGINE))
    kp = priv_service.hash_passphrase(_AUTH[auth], univ.OctetString(PRIV_PASS))
    priv_key = priv_service.localize_key(_AUTH[auth], kp, univ.OctetString(ENGINE))
    return bytes(auth_key), bytes(priv_key)


def _netmon_keys(auth: AuthProtocol, priv: PrivProtocol) -> keys.Keys:
    got = keys.keys_for(SnmpUsm("u", auth, AUTH_PASS, priv, PRIV_PASS), ENGINE)
    assert got is not None
    return got


@pytest.mark.parametrize(("auth", "priv"), PAIRS, ids=[f"{a}-{p}" for a, p in PAIRS])
def test_keys_equal_pysnmps(auth: AuthProtocol, priv: PrivProtocol) -> None:
    ours = _netmon_keys(auth, priv)
    auth_key, priv_key = _pysnmp_keys(auth, priv)
    assert (ours.auth, ours.priv) == (auth_key, priv_key)
    assert len(ours.priv) == {"DES": 16, "AES": 16}.get(priv, 24 if "192" in priv else 32)


@pytest.mark.parametrize("auth", AUTH_PROTOCOLS)
def test_blumenthal_and_reeder_differ_only_where_a_key_is_extended(auth: AuthProtocol) -> None:
    """MD5 (16-byte digest) extends both, SHA-1 (20) and SHA-224 (28) extend AES-256 keys and
    SHA-1 AES-192 ones; SHA-256 and longer extend nothing, so both spellings agree there."""
    for bits in ("192", "256"):
        plain, cisco = _netmon_keys(auth, f"AES{bits}"), _netmon_keys(auth, f"AES{bits}C")  # type: ignore[arg-type]
        digest = {"MD5": 16, "SHA": 20, "SHA224": 28}.get(auth, 99)
        extended = digest < int(bits) // 8
        assert (plain.priv != cisco.priv) == extended, (auth, bits)
        assert plain.priv[:digest] == cisco.priv[:digest]  # the localised key comes first


@pytest.mark.parametrize("auth", AUTH_PROTOCOLS)
def test_macs_equal_pysnmps(auth: AuthProtocol) -> None:
    ours = _netmon_keys(auth, "AES")
    service = SnmpUSMSecurityModel.AUTH_SERVICES[_AUTH[auth]]
    mac_len = service.digest_length
    mac_len = mac_len() if callable(mac_len) else mac_len
    whole = b"\x30\x81\x90" + bytes(mac_len) + b"the rest of an SNMP message"
    signed = bytes(service.authenticate_outgoing_message(univ.OctetString(ours.auth), whole))
    assert (
        ours.mac_len
        == mac_len
        == {"MD5": 12, "SHA": 12, "SHA224": 16}.get(
            auth, {"SHA256": 24, "SHA384": 32, "SHA512": 48}.get(auth)
        )
    )
    assert signed == b"\x30\x81\x90" + ours.mac(whole) + b"the rest of an SNMP message"


@pytest.mark.parametrize("priv", PRIV_PROTOCOLS)
@pytest.mark.parametrize("size", [1, 8, 61, 300])
def test_ciphers_read_each_others_messages(priv: PrivProtocol, size: int) -> None:
    """netmon encrypts, pysnmp decrypts, and the other way round (DES pads to 8 bytes: the
    receiver reads the scoped PDU's own length, so only the prefix is compared)."""
    ours = _netmon_keys("SHA", priv)
    service = SnmpUSMSecurityModel.PRIV_SERVICES[_PRIV[priv]]
    key = univ.OctetString(ours.priv)
    plain = bytes(i % 251 for i in range(size))
    boots, time = 7, 123_456
    salt, cipher = privacy.encrypt(ours, boots, time, plain)
    theirs = service.decrypt_data(
        key, (boots, time, univ.OctetString(salt)), univ.OctetString(cipher)
    )
    assert bytes(theirs)[:size] == plain
    cipher2, salt2 = service.encrypt_data(key, (boots, time, None), plain)
    back = privacy.decrypt(ours, boots, time, bytes(salt2), bytes(cipher2))
    assert back[:size] == plain and len(bytes(salt2)) == 8


def test_des_refuses_ciphertext_of_a_wrong_length() -> None:
    ours = _netmon_keys("SHA", "DES")
    with pytest.raises(privacy.PrivacyError, match="multiple of 8"):
        privacy.decrypt(ours, 1, 1, bytes(8), bytes(13))
    with pytest.raises(privacy.PrivacyError, match="privacy parameters of 4 bytes"):
        privacy.decrypt(ours, 1, 1, bytes(4), bytes(16))


def test_keys_stay_out_of_repr() -> None:
    ours = _netmon_keys("SHA512", "AES256C")
    shown = repr(ours) + str(ours)
    for secret in (ours.auth, ours.priv):
        assert secret.hex() not in shown and repr(secret)[2:-1] not in shown
    user = SnmpUsm("u", "SHA", AUTH_PASS, "AES", PRIV_PASS)
    assert AUTH_PASS not in repr(user) and PRIV_PASS not in repr(user)


@pytest.mark.parametrize("passphrase", ["", "short!!"])
def test_passphrases_rfc3414_refuses(passphrase: str) -> None:
    """Under 8 characters (RFC 3414 11.2): refused before any key is made, and the client
    answers `credentials` (netmon's own key, not the agent refusing it) without sending
    anything (no agent is needed for it)."""
    from netmon.probes.snmp.wire import WireClient

    user = SnmpUsm("u", "SHA", passphrase, "AES", PRIV_PASS)
    words = "cannot be empty" if not passphrase else "7 characters: RFC 3414 11.2 requires"
    with pytest.raises(ValueError, match=words):
        keys.keys_for(user, ENGINE)

    async def run() -> tuple[object, str, bool]:
        client = WireClient()
        with black_hole("127.0.0.1", free_udp_port()) as hole:
            hole.setblocking(False)
            addr = hole.getsockname()
            client.engines.known[addr] = Engine(ENGINE, 1, 1, 0.0, True)  # skip the discovery
            target = SnmpTarget(addr[0], user, port=addr[1], timeout_s=0.2, retries=0)
            reply = await client.get(target, [(1, 3, 6, 1)])
            try:
                sent = bool(hole.recv(65535))
            except BlockingIOError:
                sent = False
        await client.aclose()
        return reply.error, reply.detail, sent

    error, detail, sent = asyncio.run(run())
    assert (error, words in detail, sent) == ("credentials", True, False)
    assert not passphrase or passphrase not in detail


def test_unknown_protocol_names_are_refused_where_the_user_is_built() -> None:
    with pytest.raises(ValueError, match="unknown USM protocol 'sha'"):
        SnmpUsm("u", "sha", AUTH_PASS)  # type: ignore[arg-type]
