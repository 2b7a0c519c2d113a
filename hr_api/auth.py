"""Who may call the departures API: Entra ID access tokens with an app role, or a local token.

In a tenant, HR's system gets an access token for the bot's API from Entra ID (client
credentials) and sends it as `Authorization: Bearer`. The token must be signed by a key from
the tenant's OpenID metadata, be issued by the tenant, be meant for this API (audience), be
unexpired, and carry the app role (`roles`) that the API demands. In local mode only, a static
token (EXITBOT_API_TOKEN) is accepted too. Configured with neither, every call gets 401.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

import aiohttp
from pydantic import SecretStr

from bot.auth import SigningKeys, Unauthorized, verified_claims
from bot.settings import Settings

log = logging.getLogger(__name__)

STATIC_ACTOR = "api:static-token"


class Forbidden(Exception):
    """The caller is known but lacks the app role the API demands (answer 403)."""


@dataclass(frozen=True)
class ApiCaller:
    """Who called: an `actor` for the audit log (an app's client id, never a token)."""

    actor: str


class EntraTokenValidator:
    """Checks an Entra ID access token for the API: signature, issuer, audience, expiry, role."""

    def __init__(
        self,
        keys: SigningKeys,
        *,
        issuers: tuple[str, ...],
        audiences: tuple[str, ...],
        role: str,
        tenant_id: str | None = None,
    ) -> None:
        self._keys = keys
        self._issuers = issuers
        self._audiences = audiences
        self._role = role
        self._tenant_id = tenant_id or None

    async def validate(self, token: str) -> ApiCaller:
        """The caller; `Unauthorized` if the token does not validate, `Forbidden` without role."""
        jwk = await self._keys.signing_key(token)
        claims = verified_claims(
            token, jwk, audience=list(self._audiences), issuer=list(self._issuers)
        )
        tenant = claims.get("tid")
        if self._tenant_id and tenant is not None and tenant != self._tenant_id:
            raise Unauthorized("token issued for another tenant")
        roles = claims.get("roles")
        if not isinstance(roles, list) or self._role not in roles:
            raise Forbidden(f"the token lacks the app role {self._role}")
        # azp (v2) / appid (v1) name the calling application; oid/sub when neither is there.
        who = claims.get("azp") or claims.get("appid") or claims.get("oid") or claims.get("sub")
        return ApiCaller(actor=f"api:{who}" if who else "api:unknown")


class ApiAuthenticator:
    """Checks the Authorization header of an API call against what is configured."""

    def __init__(
        self, *, entra: EntraTokenValidator | None = None, static_token: SecretStr | None = None
    ) -> None:
        self._entra = entra
        self._static = static_token.get_secret_value().encode() if static_token else None

    @property
    def open_to_nobody(self) -> bool:
        """True when no way to authenticate is configured: every call gets 401."""
        return self._entra is None and self._static is None

    async def authenticate(self, auth_header: str | None) -> ApiCaller:
        """The caller; raises Unauthorized, Forbidden, or bot.auth.AuthUnavailable."""
        scheme, _, token = (auth_header or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("no bearer token")
        if self._static is not None and hmac.compare_digest(token.encode(), self._static):
            return ApiCaller(actor=STATIC_ACTOR)
        if self._entra is None:
            raise Unauthorized("token not accepted")
        return await self._entra.validate(token)


def api_authenticator(settings: Settings, session: aiohttp.ClientSession) -> ApiAuthenticator:
    """The authenticator the settings ask for; says at startup what it accepts."""
    entra = None
    audiences, issuers = settings.api_audience_list, settings.api_issuers
    if settings.api_metadata_url and audiences and issuers:
        entra = EntraTokenValidator(
            SigningKeys(session, settings.api_metadata_url),
            issuers=issuers,
            audiences=audiences,
            role=settings.api_role,
            tenant_id=settings.app_tenant_id,
        )
    static = None
    if settings.api_token is not None and settings.local_mode:
        static = settings.api_token
        log.warning(
            "EXITBOT_API_TOKEN is accepted on the departures API because EXITBOT_LOCAL_MODE is "
            "on. A static token is for local runs only; never run a deployment like this."
        )
    elif settings.api_token is not None:
        log.warning(
            "EXITBOT_API_TOKEN is ignored: a static API token is accepted only in local mode. "
            "Callers need an Entra ID access token with the app role %s.",
            settings.api_role,
        )
    authenticator = ApiAuthenticator(entra=entra, static_token=static)
    if authenticator.open_to_nobody:
        log.warning(
            "the departures API answers 401 to every call: set MICROSOFT_APP_TENANT_ID and "
            "MICROSOFT_APP_ID for Entra ID tokens (or EXITBOT_API_TOKEN in local mode)"
        )
    return authenticator
