"""A stand-in for where the bot gets its bearer token for Teams (Entra ID, the managed identity
endpoint) that a test can take down: the delivery engine's token outage.

    GET /token  ->  {"access_token": ..., "expires_on": unix seconds}, or 503 while `down`

`StandInCredential` asks it the way an azure-identity async credential is asked, so the bot's own
CredentialTokenProvider (outbox.connector) sits in between and caches the token until five
minutes before it expires (`lifetime`, an hour as Entra's).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError


@dataclass
class EntraStandIn:
    """Issues tokens, or refuses them with 503 while `down`; counts both."""

    down: bool = False
    lifetime: float = 3600.0
    issued: int = 0
    refused: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/token", self._token)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        if self.down:
            self.refused += 1
            return web.json_response({"error": "temporarily_unavailable"}, status=503)
        self.issued += 1
        expires_on = int(time.time() + self.lifetime)
        return web.json_response({"access_token": f"token-{self.issued}", "expires_on": expires_on})


class StandInCredential:
    """An async credential (get_token, close) that asks an EntraStandIn at `url`."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self._url = url

    async def get_token(self, *scopes: str) -> AccessToken:
        """A token, or ClientAuthenticationError as azure-identity raises it."""
        async with self._session.get(self._url) as response:
            if response.status != 200:
                raise ClientAuthenticationError(f"token endpoint answered {response.status}")
            body = await response.json()
        return AccessToken(body["access_token"], int(body["expires_on"]))

    async def close(self) -> None:
        """The session is the caller's."""
