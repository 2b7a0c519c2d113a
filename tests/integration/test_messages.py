"""The service as Teams meets it: /api/messages on a loopback port, with real tokens."""

from __future__ import annotations

import asyncio
import logging

import pytest

from testkit.standins.tokens import new_key
from tests.helpers.service import (
    APP_ID,
    OUTBOUND_TOKEN,
    Running,
    make_activity,
)


def _card_texts(card: dict) -> list[str]:
    return [block.get("text", "") for block in card["body"] if block.get("type") == "TextBlock"]


async def test_install_welcomes_the_leaver_in_danish(running: Running) -> None:
    # Teams sends both on install, the conversationUpdate without a locale; one welcome, in Danish.
    update = make_activity(
        running.connector.url, "conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}]
    )
    del update["locale"]
    install = make_activity(
        running.connector.url, "installationUpdate", locale="da-DK", action="add"
    )
    responses = await asyncio.gather(running.post(update), running.post(install))
    assert [r.status for r in responses] == [200, 200]
    [card] = running.connector.cards()
    assert _card_texts(card)[0] == running.config.text("welcome.title", "da")
    assert running.config.text("welcome.title", "da") != running.config.text("welcome.title", "en")
    assert card["lang"] == "da"
    # The bot proved who it is to the connector with its own token.
    assert running.connector.requests[-1].authorization == f"Bearer {OUTBOUND_TOKEN}"


async def test_help_lists_the_commands_in_swedish(running: Running) -> None:
    await running.post(make_activity(running.connector.url, text="hej", locale="sv-SE"))
    await running.post(make_activity(running.connector.url, text="hjälp", locale="sv-SE"))
    help_card = running.connector.cards()[-1]
    assert _card_texts(help_card)[0] == running.config.text("help.title", "sv")
    [fact_set] = [b for b in help_card["body"] if b["type"] == "FactSet"]
    words = [fact["title"] for fact in fact_set["facts"]]
    assert "hjälp" in words
    # A leaver is not an HR member, so HR's commands are not offered.
    assert "registrera" not in words


async def test_first_message_gets_the_welcome_then_the_answer(running: Running) -> None:
    await running.post(make_activity(running.connector.url, text="help", locale="nb-NO"))
    cards = running.connector.cards()
    assert len(cards) == 2
    assert _card_texts(cards[0])[0] == running.config.text("welcome.title", "nb")
    assert _card_texts(cards[1])[0] == running.config.text("help.title", "nb")


async def test_unknown_text_is_answered_without_echoing_it(running: Running) -> None:
    await running.post(make_activity(running.connector.url, text="help"))
    secret = "my manager is the reason I leave"
    await running.post(make_activity(running.connector.url, text=secret))
    last = running.connector.sent[-1]
    assert last["text"] == running.config.text("error.unknown_command", "en")
    assert secret not in str(running.connector.sent)


async def test_card_action_invoke_returns_200_with_the_body(running: Running) -> None:
    invoke = make_activity(
        running.connector.url,
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "help.show", "data": {}}},
    )
    response = await running.post(invoke)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    titles = [_card_texts(card)[0] for card in running.connector.cards()]
    assert running.config.text("help.title", "en") in titles


async def test_card_action_with_a_payload_that_does_not_parse_changes_nothing(
    running: Running,
) -> None:
    invoke = make_activity(
        running.connector.url,
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "help.show", "data": {"x": 1}}},
    )
    response = await running.post(invoke)
    assert response.status == 200
    body = await response.json()
    assert body["value"] == running.config.text("error.bad_input", "en")
    assert not [c for c in running.connector.cards() if "FactSet" in str(c)]


async def test_a_resent_activity_is_answered_once(running: Running) -> None:
    activity = make_activity(running.connector.url, text="help")
    first, second = await asyncio.gather(running.post(activity), running.post(activity))
    assert {first.status, second.status} == {200}
    await running.post(make_activity(running.connector.url, text="help"))
    # welcome + help for the first, help for the third; the re-send added nothing
    assert len(running.connector.cards()) == 3


async def test_an_activity_from_another_tenant_is_refused(running: Running) -> None:
    foreign = make_activity(running.connector.url, text="help", tenant="other-tenant")
    response = await running.post(foreign)
    assert response.status == 403
    assert running.connector.requests == []


@pytest.mark.parametrize(
    "problem",
    ["missing", "garbage", "wrong_key", "wrong_audience", "expired", "wrong_issuer", "no_endorse"],
)
async def test_a_token_that_does_not_validate_gets_401(running: Running, problem: str) -> None:
    activity = make_activity(running.connector.url, text="help")
    url = activity["serviceUrl"]
    if problem == "no_endorse":
        running.issuer.endorsements = ["webchat"]
    tokens = {
        "missing": None,
        "garbage": "not.a.jwt",
        "wrong_key": running.issuer.token(audience=APP_ID, service_url=url, key=new_key()),
        "wrong_audience": running.issuer.token(audience="someone-else", service_url=url),
        "expired": running.issuer.token(audience=APP_ID, service_url=url, expires_in=-3600),
        "wrong_issuer": running.issuer.token(
            audience=APP_ID, service_url=url, issuer="https://evil.example"
        ),
        "no_endorse": running.issuer.token(audience=APP_ID, service_url=url),
    }
    response = await running.post(activity, token=tokens[problem])
    assert response.status == 401
    assert running.connector.requests == []


async def test_a_token_for_another_service_url_gets_401(running: Running) -> None:
    activity = make_activity(running.connector.url, text="help")
    token = running.issuer.token(audience=APP_ID, service_url="https://smba.example/emea/")
    response = await running.post(activity, token=token)
    assert response.status == 401


async def test_malformed_json_gets_400(running: Running) -> None:
    response = await running.http.post(
        f"{running.url}/api/messages",
        data=b'{"type": "message", ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 400
    assert running.connector.requests == []


async def test_an_activity_without_a_conversation_gets_400(running: Running) -> None:
    activity = make_activity(running.connector.url, text="help")
    del activity["conversation"]
    response = await running.post(activity)
    assert response.status == 400
    assert "conversation" in (await response.json())["error"]


async def test_an_oversize_body_gets_413(running: Running) -> None:
    activity = make_activity(running.connector.url, text="x" * 400_000)
    response = await running.post(activity)
    assert response.status == 413
    assert running.connector.requests == []


async def test_healthz_reports_database_and_config_version(running: Running) -> None:
    response = await running.http.get(f"{running.url}/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["database"] == "reachable"
    assert body["config_version"] == running.config.version


async def test_local_mode_needs_no_token_and_warns(settings_for, caplog) -> None:
    from bot.app import create_app
    from testkit.standins.connector import ConnectorStandIn
    from testkit.standins.serve import serve

    connector = ConnectorStandIn()
    settings = settings_for(EXITBOT_LOCAL_MODE=True, MICROSOFT_APP_ID="")
    caplog.set_level(logging.WARNING)
    async with serve(connector.app()) as connector.url, serve(create_app(settings)) as url:
        import aiohttp

        async with aiohttp.ClientSession() as http:
            activity = make_activity(connector.url, text="help")
            response = await http.post(f"{url}/api/messages", json=activity)
    assert response.status == 200
    assert len(connector.cards()) == 2
    assert connector.requests[-1].authorization is None
    assert any("NOT authenticated" in record.message for record in caplog.records)


async def test_the_demo_plays_in_the_language_local_mode_is_given(settings_for) -> None:
    # Agents Playground always sends en-US; EXITBOT_DEMO_LOCALE=da-DK is how to play in Danish.
    from bot.app import create_app
    from config.loader import default_config_dir, load_config
    from testkit.standins.connector import ConnectorStandIn
    from testkit.standins.serve import serve

    connector, config = ConnectorStandIn(), load_config(default_config_dir())
    settings = settings_for(EXITBOT_LOCAL_MODE=True, EXITBOT_DEMO_LOCALE="da-DK")
    async with serve(connector.app()) as connector.url, serve(create_app(settings)) as url:
        import aiohttp

        async with aiohttp.ClientSession() as http:
            activity = make_activity(connector.url, text="help", locale="en-US")
            response = await http.post(f"{url}/api/messages", json=activity)
    assert response.status == 200
    welcome, help_card = connector.cards()
    assert _card_texts(welcome)[0] == config.text("welcome.title", "da")
    assert _card_texts(help_card)[0] == config.text("help.title", "da")
    assert config.text("help.title", "da") != config.text("help.title", "en")


def test_the_demo_language_is_refused_outside_local_mode(settings_for) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="EXITBOT_DEMO_LOCALE needs EXITBOT_LOCAL_MODE"):
        settings_for(EXITBOT_DEMO_LOCALE="da-DK")
