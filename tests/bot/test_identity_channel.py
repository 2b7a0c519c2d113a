"""Only Teams speaks to the bot, and only for the service URL its token names (issue 12):
a token without the `serviceurl` claim, or for another host, is refused with 401; a signed
activity of another channel (webchat, directline, emulator) with 403; nothing is stored."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot.auth import ChannelTokenValidator, Unauthorized
from bot.settings import SettingsError, load_settings
from testkit.standins.serve import serve
from testkit.standins.tokens import ISSUER, TokenIssuer
from tests.bot.identity_app import identity_app, post_signed, stored, token_without_service_url
from tests.helpers.journey import LEAVER, LiveApp
from tests.helpers.service import APP_ID, TENANT

__all__ = ["identity_app"]  # the fixture, for pytest

SECRET = "my private reasons for leaving"


async def test_a_token_without_the_serviceurl_claim_is_refused_and_nothing_is_stored(
    identity_app: LiveApp,
) -> None:
    app = identity_app
    before = await stored(app)
    activity = app.activity(LEAVER, "message", locale="en-US", text="help")

    status, body = await post_signed(app, activity, token_without_service_url(app))

    assert (status, body) == (401, {"error": "unauthorized"})
    assert await stored(app) == before
    assert app.connector.requests == []


async def test_a_token_for_another_host_cannot_make_it_the_persons_address(
    identity_app: LiveApp,
) -> None:
    app = identity_app
    await app.say(LEAVER, "help")  # the leaver's real address, at Teams (the stand-in)
    before = await stored(app)
    sent = len(app.connector.requests)
    # A token Teams issued for one host, with an activity naming another.
    activity = app.activity(LEAVER, "message", locale="en-US", text="help")
    activity["serviceUrl"] = "https://attacker.example/teams/"
    token = app.issuer.token(audience=APP_ID, service_url=app.connector.url)

    status, _ = await post_signed(app, activity, token)

    assert status == 401
    assert await stored(app) == before
    assert before.refs[LEAVER.aad]["service_url"] == app.connector.url
    assert len(app.connector.requests) == sent


@pytest.mark.parametrize("channel", ["webchat", "directline", "emulator"])
async def test_a_signed_activity_of_another_channel_is_refused_and_nothing_is_stored(
    identity_app: LiveApp, channel: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = identity_app
    caplog.set_level(logging.INFO)
    before = await stored(app)
    for kind, extra in (
        ("message", {"text": SECRET}),
        ("installationUpdate", {"action": "add"}),
        ("invoke", {"name": "adaptiveCard/action", "value": {"action": {"verb": "help"}}}),
    ):
        activity = app.activity(LEAVER, kind, locale="en-US", **extra)
        activity["channelId"] = channel
        token = app.issuer.token(audience=APP_ID, service_url=activity["serviceUrl"])

        status, body = await post_signed(app, activity, token)

        assert status == 403, kind
        assert body == {"error": "this bot does not accept activities from this channel"}
    assert await stored(app) == before
    assert app.connector.requests == []  # no welcome, no card, no member lookup
    assert "EXITBOT_CHANNELS" in caplog.text and SECRET not in caplog.text


async def test_the_teams_path_still_works_and_a_trailing_slash_is_no_difference(
    identity_app: LiveApp,
) -> None:
    app = identity_app
    activity = app.activity(LEAVER, "message", locale="en-US", text="help")
    activity["serviceUrl"] = app.connector.url + "/"
    token = app.issuer.token(audience=APP_ID, service_url=app.connector.url)

    status, _ = await post_signed(app, activity, token)

    assert status == 200
    await app.card_for(LEAVER, app.text("help.title"))
    ref = (await stored(app)).refs[LEAVER.aad]
    assert (ref["user_id"], ref["conversation_id"]) == (LEAVER.user_id, LEAVER.conversation)
    assert ref["channel_id"] == "msteams"


async def test_the_validator_requires_the_claim_and_the_activitys_service_url() -> None:
    issuer = TokenIssuer()
    url = "https://smba.trafficmanager.net/emea/"
    async with serve(issuer.app()) as issuer.url, aiohttp.ClientSession() as session:
        validator = ChannelTokenValidator(
            session, app_id=APP_ID, metadata_url=issuer.metadata_url, issuer=ISSUER
        )
        good = issuer.token(audience=APP_ID, service_url=url)
        claims = await validator.validate(
            f"Bearer {good}", channel_id="msteams", service_url=url.rstrip("/")
        )
        assert claims["serviceurl"] == url
        for token, service_url, why in (
            (issuer.token(audience=APP_ID, service_url=""), url, "no serviceurl"),
            (issuer.token(audience=APP_ID, service_url=url, serviceurl=None), url, "no serv"),
            (good, None, "activity has no serviceUrl"),
            (good, "", "activity has no serviceUrl"),
            (good, "https://smba.trafficmanager.net/amer/", "another service URL"),
        ):
            with pytest.raises(Unauthorized, match=why):
                await validator.validate(
                    f"Bearer {token}", channel_id="msteams", service_url=service_url
                )


def test_the_channels_are_a_setting_with_teams_by_default() -> None:
    base = {
        "_env_file": None,
        "EXITBOT_LOCAL_MODE": True,
        "MICROSOFT_APP_TENANT_ID": TENANT,
    }
    assert load_settings(**base).channel_ids == frozenset({"msteams"})
    both = load_settings(**base, EXITBOT_CHANNELS="msteams, webchat")
    assert both.channel_ids == frozenset({"msteams", "webchat"})
    for wrong in ("", "ms teams", "msteams;webchat", "msteams,"):
        with pytest.raises(SettingsError, match="EXITBOT_CHANNELS"):
            load_settings(**base, EXITBOT_CHANNELS=wrong)
