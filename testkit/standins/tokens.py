"""A local token issuer: an RSA key, the OpenID metadata and JWKS the bot reads, signed tokens."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class TokenIssuer:
    """Publishes signing keys like login.botframework.com and signs channel tokens with them."""

    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=lambda: {"key-1": new_key()})
    endorsements: list[str] = field(default_factory=lambda: ["msteams"])
    url: str = ""
    metadata_requests: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/keys", self._jwks)
        return app

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    def rotate(self, kid: str) -> None:
        """Publish a new signing key, as Microsoft does from time to time."""
        self.keys[kid] = new_key()

    def token(
        self,
        *,
        audience: str,
        service_url: str,
        kid: str = "key-1",
        key: rsa.RSAPrivateKey | None = None,
        issuer: str = ISSUER,
        expires_in: int = 3600,
        **claims: Any,
    ) -> str:
        """A bearer token as the Bot Connector would send it."""
        now = int(time.time())
        payload = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 10,
            "iat": now - 10,
            "exp": now + expires_in,
            **claims,
        }
        signing_key = key or self.keys[kid]
        return jwt.encode(payload, signing_key, algorithm="RS256", headers={"kid": kid})

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_requests += 1
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/v1/keys"})

    async def _jwks(self, request: web.Request) -> web.Response:
        keys = []
        for kid, private in self.keys.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "endorsements": self.endorsements})
        return web.json_response({"keys": keys})
