"""asyncssh, imported in one place, without the warnings it raises about itself.

asyncssh 2.24 names cryptography's DSA key types at import; cryptography 47 and later
deprecate DSA, so every `netmon poll` printed five CryptographyDeprecationWarnings (twelve
lines of stderr) about a dependency's import, none about the network or the keys in use.
Only those (DSA, during this import) are silenced: any other warning, from asyncssh or
anything else, is still shown.
"""

from __future__ import annotations

import warnings

from cryptography.utils import CryptographyDeprecationWarning

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*DSA.*", category=CryptographyDeprecationWarning)
    import asyncssh

__all__ = ["asyncssh"]
