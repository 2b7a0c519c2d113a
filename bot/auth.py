"""Validating the Bot Connector's token on incoming activities.

botbuilder 4.17.1's validator fetches signing keys with blocking `requests` calls inside the
event loop and raises IndexError (an HTTP 500) on an unknown key id before it can refresh its
keys. This validator fetches asynchronously, refreshes on an unknown key id (at most once per
`min_refresh_seconds`) and reports every failure as `Unauthorized`.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

CLOCK_SKEW_SECONDS = 300
# Tokens remembered at most (one per Bot Connector region and hour, in practice).
_REMEMBERED_TOKENS = 256


class Unauthorized(Exception):
    """The request's token is missing or does not validate (answer 401)."""


class AuthUnavailable(Exception):
    """The signing keys could not be fetched, so no token can be checked (answer 503)."""


class SigningKeys:
    """An issuer's signing keys from its OpenID metadata, cached and refreshed on need.

    Shared by the channel validator here and the departures API's Entra ID validator.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        metadata_url: str,
        *,
        max_age_seconds: float = 24 * 3600,
        min_refresh_seconds: float = 300,
    ) -> None:
        self._session = session
        self._metadata_url = metadata_url
        self._max_age = max_age_seconds
        self._min_refresh = min_refresh_seconds
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")

    def has(self, kid: str) -> bool:
        """Whether the key id is among the keys fetched last (no fetch)."""
        return kid in self._keys

    async def key(self, kid: str) -> dict[str, Any] | None:
        """The JWK with this key id, refreshing the cache when it is old or lacks the id."""
        age = time.monotonic() - self._fetched_at
        if age > self._max_age or (kid not in self._keys and age > self._min_refresh):
            await self._refresh()
        return self._keys.get(kid)

    async def signing_key(self, token: str) -> dict[str, Any]:
        """The RS256 key a token names in its header, or `Unauthorized` saying why not."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("malformed token") from exc
        if header.get("alg") != "RS256":
            raise Unauthorized("token not signed with RS256")
        kid = header.get("kid")
        jwk = await self.key(kid) if isinstance(kid, str) and kid else None
        if jwk is None:
            raise Unauthorized("token signed with an unknown key")
        return jwk

    async def _refresh(self) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        try:
            async with self._session.get(self._metadata_url, timeout=timeout) as response:
                response.raise_for_status()
                jwks_uri = (await response.json(content_type=None))["jwks_uri"]
            async with self._session.get(jwks_uri, timeout=timeout) as response:
                response.raise_for_status()
                keys = (await response.json(content_type=None))["keys"]
        except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
            if self._keys:
                log.warning("signing key refresh failed, keeping the cached keys: %s", exc)
                return
            raise AuthUnavailable(f"cannot fetch the signing keys: {exc}") from exc
        self._keys = {key["kid"]: key for key in keys if "kid" in key}
        self._fetched_at = time.monotonic()


def verified_claims(
    token: str, jwk: dict[str, Any], *, audience: str | list[str], issuer: str | list[str]
) -> dict[str, Any]:
    """A token's claims once its signature, expiry, audience and issuer check out."""
    try:
        return jwt.decode(
            token,
            _public_key(json.dumps(jwk, sort_keys=True)),
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"token rejected: {type(exc).__name__}") from exc


@functools.lru_cache(maxsize=32)
def _public_key(jwk_text: str) -> Any:
    """The key object of a JWK, parsed once per key (the same text is the same key)."""
    return RSAAlgorithm.from_jwk(jwk_text)


class _Checked(NamedTuple):
    """A token whose signature, issuer, audience and times checked out, until it expires."""

    claims: dict[str, Any]
    kid: str
    endorsements: list[str] | None
    expires_at: float


class ChannelTokenValidator:
    """Checks a Bot Connector bearer token the way the Bot Framework protocol prescribes."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        app_id: str,
        metadata_url: str,
        issuer: str,
        min_refresh_seconds: float = 300,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._app_id = app_id
        self._issuer = issuer
        self._keys = SigningKeys(session, metadata_url, min_refresh_seconds=min_refresh_seconds)
        self._now = now
        # The Bot Connector sends one token with every activity for about an hour: its RS256
        # check is done once, and the token (its whole text) remembered until it expires.
        self._checked: dict[str, _Checked] = {}

    async def validate(
        self, auth_header: str | None, *, channel_id: str, service_url: str | None
    ) -> dict[str, Any]:
        """The token's claims, or `Unauthorized` saying why not (never the token itself)."""
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("no bearer token")
        checked = self._checked.get(token)
        # A remembered token counts until its expiry (no clock skew allowed then) and while
        # its key is still published; the checks that depend on the activity run every time.
        if checked is None or self._now() >= checked.expires_at or not self._keys.has(checked.kid):
            checked = await self._check(token)
        if checked.endorsements is not None and channel_id not in checked.endorsements:
            raise Unauthorized("signing key not endorsed for this channel")
        check_service_url(checked.claims, service_url)
        return dict(checked.claims)

    async def _check(self, token: str) -> _Checked:
        """Every check of the token itself, and the outcome remembered."""
        self._checked.pop(token, None)
        jwk = await self._keys.signing_key(token)
        claims = verified_claims(token, jwk, audience=self._app_id, issuer=self._issuer)
        checked = _Checked(claims, jwk["kid"], jwk.get("endorsements"), float(claims["exp"]))
        if len(self._checked) >= _REMEMBERED_TOKENS:
            now = self._now()
            self._checked = {k: v for k, v in self._checked.items() if v.expires_at > now}
            if len(self._checked) >= _REMEMBERED_TOKENS:
                self._checked.clear()
        self._checked[token] = checked
        return checked


def check_service_url(claims: dict[str, Any], service_url: str | None) -> None:
    """The token names the activity's service URL, or `Unauthorized`.

    The Bot Framework's channel validation requires the `serviceurl` claim and that it equals
    the activity's serviceUrl: otherwise a token issued for one activity would let any host
    become the address the bot posts to (with its own outbound token). A trailing slash is
    not a difference.
    """
    claimed = claims.get("serviceurl")
    if not isinstance(claimed, str) or not claimed.strip():
        raise Unauthorized("token has no serviceurl claim")
    if not service_url:
        raise Unauthorized("activity has no serviceUrl")
    if claimed.rstrip("/") != service_url.rstrip("/"):
        raise Unauthorized("token was issued for another service URL")
