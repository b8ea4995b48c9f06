"""Who may read the exporter, and what every answer carries: the web config applied per request.

Basic auth against bcrypt hashes; for a client certificate, the SAN allow-list
(`client_allowed_sans`: exporter-toolkit checks it in the handshake, here before any handler
runs, so a client outside the list gets 403 and nothing else); the extra response headers.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable

import bcrypt
from aiohttp import web
from aiohttp.typedefs import Middleware

from netmon.export.tls import peer_sans
from netmon.export.webconfig import WebConfig

log = logging.getLogger("netmon.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BasicAuth:
    """Checks user and password against bcrypt hashes.

    bcrypt costs about 0.2 s by design; Prometheus sends the same credentials every scrape, so
    a success is remembered by a keyed digest (never the password itself), as exporter-toolkit
    does. Failures are never cached, so a wrong guess always pays the full bcrypt cost.
    """

    def __init__(self, users: dict[str, bytes]) -> None:
        self.users = users
        self._key = bcrypt.gensalt()  # per-process key for the cache digests
        self._ok: set[bytes] = set()

    def check(self, user: str, password: str) -> bool:
        hashed = self.users.get(user)
        if hashed is None:
            return False
        digest = hmac.new(self._key, f"{user}\0{password}".encode(), hashlib.sha256).digest()
        if digest in self._ok:
            return True
        if bcrypt.checkpw(password.encode(), hashed):
            if len(self._ok) < 1000:
                self._ok.add(digest)
            return True
        return False


async def _authorised(auth: BasicAuth, request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    if not sep:
        return False
    # bcrypt is slow on purpose: off the event loop, so a wrong guess cannot stall scrapes.
    ok = await asyncio.to_thread(auth.check, user, password)
    if not ok:
        log.info("refused basic auth for user %r from %s", user[:64], request.remote)
    return ok


def access_middleware(web_config: WebConfig | None) -> Middleware:
    """One middleware for the whole web config: SANs, then basic auth, then headers on every
    answer (refusals included, as exporter-toolkit adds them)."""
    auth = BasicAuth(web_config.users) if web_config and web_config.users else None
    sans = set(web_config.tls.client_allowed_sans) if web_config and web_config.tls else set()
    headers = dict(web_config.headers) if web_config else {}

    @web.middleware
    async def access(request: web.Request, handler: Handler) -> web.StreamResponse:
        response: web.StreamResponse
        if sans and not sans.intersection(peer_sans(_peercert(request))):
            log.info("refused a client certificate without an allowed SAN from %s", request.remote)
            response = web.Response(status=403, text="Forbidden: client certificate SAN\n")
        elif auth is not None and not await _authorised(auth, request):
            response = web.Response(
                status=401,
                text="Unauthorized\n",
                headers={"WWW-Authenticate": 'Basic realm="netmon"'},
            )
        else:
            response = await handler(request)
        response.headers.update(headers)
        return response

    return access


def _peercert(request: web.Request) -> object:
    ssl_object = request.transport.get_extra_info("ssl_object") if request.transport else None
    return ssl_object.getpeercert() if ssl_object is not None else None
