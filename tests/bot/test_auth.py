"""The channel token validator against a local issuer: rotation, refresh limits, failures."""

from __future__ import annotations

import time

import aiohttp
import jwt
import pytest

from bot.auth import AuthUnavailable, ChannelTokenValidator, Unauthorized
from testkit.standins.serve import serve
from testkit.standins.tokens import ISSUER, TokenIssuer

APP_ID = "bot-app"
SERVICE = "https://smba.trafficmanager.net/emea/"


async def _validator(session, issuer: TokenIssuer, min_refresh: float) -> ChannelTokenValidator:
    return ChannelTokenValidator(
        session,
        app_id=APP_ID,
        metadata_url=issuer.metadata_url,
        issuer=ISSUER,
        min_refresh_seconds=min_refresh,
    )


async def test_a_key_published_after_the_first_fetch_is_picked_up() -> None:
    issuer = TokenIssuer()
    async with serve(issuer.app()) as issuer.url, aiohttp.ClientSession() as session:
        validator = await _validator(session, issuer, min_refresh=0)
        first = issuer.token(audience=APP_ID, service_url=SERVICE)
        claims = await validator.validate(
            f"Bearer {first}", channel_id="msteams", service_url=SERVICE
        )
        assert claims["aud"] == APP_ID
        issuer.rotate("key-2")
        rotated = issuer.token(audience=APP_ID, service_url=SERVICE, kid="key-2")
        claims = await validator.validate(
            f"Bearer {rotated}", channel_id="msteams", service_url=SERVICE
        )
        assert claims["aud"] == APP_ID
        assert issuer.metadata_requests == 2


async def test_unknown_key_ids_do_not_hammer_the_metadata_endpoint() -> None:
    issuer = TokenIssuer()
    async with serve(issuer.app()) as issuer.url, aiohttp.ClientSession() as session:
        validator = await _validator(session, issuer, min_refresh=300)
        good = issuer.token(audience=APP_ID, service_url=SERVICE)
        await validator.validate(f"Bearer {good}", channel_id="msteams", service_url=SERVICE)
        issuer.rotate("key-9")
        forged = issuer.token(audience=APP_ID, service_url=SERVICE, kid="key-9")
        for _ in range(5):
            with pytest.raises(Unauthorized, match="unknown key"):
                await validator.validate(
                    f"Bearer {forged}", channel_id="msteams", service_url=SERVICE
                )
        assert issuer.metadata_requests == 1


async def test_unreachable_key_endpoint_is_reported_as_unavailable_not_unauthorized() -> None:
    issuer = TokenIssuer(url="http://127.0.0.1:9")
    async with aiohttp.ClientSession() as session:
        validator = await _validator(session, issuer, min_refresh=0)
        token = issuer.token(audience=APP_ID, service_url=SERVICE)
        with pytest.raises(AuthUnavailable):
            await validator.validate(f"Bearer {token}", channel_id="msteams", service_url=SERVICE)


async def test_a_remembered_token_is_still_checked_against_each_activity() -> None:
    issuer = TokenIssuer()
    async with serve(issuer.app()) as issuer.url, aiohttp.ClientSession() as session:
        validator = await _validator(session, issuer, min_refresh=0)
        token = issuer.token(audience=APP_ID, service_url=SERVICE)
        await validator.validate(f"Bearer {token}", channel_id="msteams", service_url=SERVICE)
        with pytest.raises(Unauthorized, match="another service URL"):
            await validator.validate(
                f"Bearer {token}", channel_id="msteams", service_url="https://evil.example/"
            )
        with pytest.raises(Unauthorized, match="not endorsed"):
            await validator.validate(f"Bearer {token}", channel_id="slack", service_url=SERVICE)
        header, payload, signature = token.split(".")
        forged = f"{header}.{payload}.{signature[:-4]}AAAA"
        with pytest.raises(Unauthorized, match="rejected"):
            await validator.validate(f"Bearer {forged}", channel_id="msteams", service_url=SERVICE)


async def test_a_token_is_checked_in_full_again_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issuer = TokenIssuer()
    decoded = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: decoded.append(1) or decode(*a, **k))
    clock = [time.time()]
    async with serve(issuer.app()) as issuer.url, aiohttp.ClientSession() as session:
        validator = ChannelTokenValidator(
            session,
            app_id=APP_ID,
            metadata_url=issuer.metadata_url,
            issuer=ISSUER,
            now=lambda: clock[0],
        )
        token = issuer.token(audience=APP_ID, service_url=SERVICE, expires_in=60)
        for _ in range(3):
            await validator.validate(f"Bearer {token}", channel_id="msteams", service_url=SERVICE)
        assert len(decoded) == 1
        clock[0] += 61
        await validator.validate(f"Bearer {token}", channel_id="msteams", service_url=SERVICE)
        assert len(decoded) == 2


async def test_a_remembered_token_whose_key_was_withdrawn_is_refused() -> None:
    issuer = TokenIssuer()
    async with serve(issuer.app()) as issuer.url, aiohttp.ClientSession() as session:
        validator = await _validator(session, issuer, min_refresh=0)
        old = issuer.token(audience=APP_ID, service_url=SERVICE)
        await validator.validate(f"Bearer {old}", channel_id="msteams", service_url=SERVICE)
        issuer.rotate("key-2")
        del issuer.keys["key-1"]
        new = issuer.token(audience=APP_ID, service_url=SERVICE, kid="key-2")
        await validator.validate(f"Bearer {new}", channel_id="msteams", service_url=SERVICE)
        with pytest.raises(Unauthorized, match="unknown key"):
            await validator.validate(f"Bearer {old}", channel_id="msteams", service_url=SERVICE)
