"""SNMPv3 privacy: DES-CBC (RFC 3414 8.1) and AES-CFB-128 (RFC 3826; AES-192/256 the same
with a longer key), through `cryptography`.

- AES: IV = engine boots (4 bytes) + engine time (4) + a 64-bit salt that never repeats in a
  process (a counter from a random start); the salt goes in msgPrivacyParameters.
- DES: the first 8 bytes of the 16-byte key are the DES key, the last 8 the pre-IV; the salt is
  engine boots (4) + a 32-bit counter (4), the IV is pre-IV XOR salt; the plaintext is padded to
  8 bytes (the receiver reads the scoped PDU's own length and ignores the padding). Single DES
  is 3DES with the key three times (cryptography keeps DES only as `decrepit` TripleDES).
"""

from __future__ import annotations

import itertools
import random

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.decrepit.ciphers.modes import CFB  # cryptography >= 43: "decrepit"
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from netmon.probes.snmp.keys import Keys

_salt = itertools.count(random.getrandbits(63))


class PrivacyError(ValueError):
    """Ciphertext or salt of a shape the cipher cannot take: the message is malformed."""


def encrypt(keys: Keys, boots: int, time: int, plain: bytes) -> tuple[bytes, bytes]:
    """(salt, ciphertext) of a scoped PDU."""
    n = next(_salt)
    if keys.cipher == "des":
        salt = boots.to_bytes(4, "big") + (n & 0xFFFFFFFF).to_bytes(4, "big")
        padded = plain + bytes(-len(plain) % 8)
        enc = _des(keys.priv, salt).encryptor()
        return salt, enc.update(padded) + enc.finalize()
    salt = (n & (2**64 - 1)).to_bytes(8, "big")
    enc = _aes(keys.priv, boots, time, salt).encryptor()
    return salt, enc.update(plain) + enc.finalize()


def decrypt(keys: Keys, boots: int, time: int, salt: bytes, data: bytes) -> bytes:
    """The plaintext (a scoped PDU, DES: and its padding). Raises PrivacyError."""
    if len(salt) != 8:
        raise PrivacyError(f"privacy parameters of {len(salt)} bytes (8 expected)")
    if keys.cipher == "des":
        if len(data) % 8:
            raise PrivacyError(f"DES ciphertext of {len(data)} bytes (a multiple of 8 expected)")
        dec = _des(keys.priv, salt).decryptor()
    else:
        dec = _aes(keys.priv, boots, time, salt).decryptor()
    return dec.update(data) + dec.finalize()


def _aes(key: bytes, boots: int, time: int, salt: bytes) -> Cipher[CFB]:
    iv = boots.to_bytes(4, "big") + time.to_bytes(4, "big") + salt
    return Cipher(algorithms.AES(key), CFB(iv))


def _des(key: bytes, salt: bytes) -> Cipher[modes.CBC]:
    iv = bytes(a ^ b for a, b in zip(key[8:16], salt, strict=True))
    return Cipher(TripleDES(key[:8] * 3), modes.CBC(iv))
