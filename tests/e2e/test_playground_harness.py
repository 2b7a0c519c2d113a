"""The Playground harness against a minimal echo bot that speaks the Bot Connector wire format.

The bot here is plain aiohttp on purpose: these tests pin down what the Playground sends and
expects, independent of botbuilder, so the real bot's e2e tests can rely on the harness.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.e2e.playground import (
    CARD_CONTENT_TYPE,
    Playground,
    PlaygroundError,
    PlaygroundTimeout,
    PlaygroundUser,
    require_playground,
)

pytestmark = pytest.mark.playground


def card(text: str, *, verb: str = "echo.again") -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": text, "wrap": True}],
        "actions": [{"type": "Action.Execute", "title": "Again", "verb": verb, "data": {"n": 1}}],
    }


@dataclass
class EchoBot:
    """Answers messages through the connector, cards actions in the invoke response."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    http: aiohttp.ClientSession | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        activity = await request.json()
        self.received.append(activity)
        kind = activity["type"]
        if kind == "message" and activity.get("text"):
            await self.reply(activity, {"type": "message", "text": f"echo: {activity['text']}"})
            await self.reply(
                activity,
                {
                    "type": "message",
                    "attachments": [
                        {"contentType": CARD_CONTENT_TYPE, "content": card(activity["text"])}
                    ],
                },
            )
        elif kind == "message" and "value" in activity:
            # An Action.Submit: answer by editing the card message it came from.
            await self.update(
                activity, activity["replyToId"], {"type": "message", "text": "submitted"}
            )
        elif kind == "conversationUpdate":
            user = next(
                m for m in activity["membersAdded"] if m["id"] != activity["recipient"]["id"]
            )
            member = await self.connector(
                "GET", activity, f"/members/{user['id']}", expect=200, body=None
            )
            await self.reply(activity, {"type": "message", "text": f"Welcome, {member['name']}"})
        elif kind == "invoke" and activity["name"] == "adaptiveCard/action":
            action = activity["value"]["action"]
            if action["verb"] == "fail":
                return web.Response(status=500)
            return web.json_response(
                {
                    "statusCode": 200,
                    "type": CARD_CONTENT_TYPE,
                    "value": card(f"{action['verb']} {action['data']['n']}"),
                }
            )
        return web.Response(status=200)

    async def reply(self, to: dict[str, Any], activity: dict[str, Any]) -> Any:
        activity = {
            **activity,
            "from": to["recipient"],
            "recipient": to["from"],
            "conversation": to["conversation"],
            "replyToId": to["id"],
        }
        return await self.connector(
            "POST", to, f"/activities/{to['id']}", expect=201, body=activity
        )

    async def update(self, to: dict[str, Any], message_id: str, activity: dict[str, Any]) -> Any:
        return await self.connector(
            "PUT", to, f"/activities/{message_id}", expect=200, body={**activity, "id": message_id}
        )

    async def connector(
        self, method: str, to: dict[str, Any], path: str, *, expect: int, body: Any
    ) -> Any:
        assert self.http is not None
        url = f"{to['serviceUrl'].rstrip('/')}/v3/conversations/{to['conversation']['id']}{path}"
        async with self.http.request(method, url, json=body) as response:
            assert response.status == expect, await response.text()
            return await response.json()


@pytest.fixture
async def echo_bot() -> AsyncIterator[EchoBot]:
    require_playground()
    bot = EchoBot()
    app = web.Application()
    app.router.add_post("/api/messages", bot.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    bot.url = f"http://127.0.0.1:{port}/api/messages"
    async with aiohttp.ClientSession() as http:
        bot.http = http
        try:
            yield bot
        finally:
            await runner.cleanup()


async def test_a_typed_message_reaches_the_bot_and_its_reply_reaches_the_stream(
    echo_bot: EchoBot,
) -> None:
    async with Playground(echo_bot.url) as pg:
        await pg.send_text("hello")

        reply = await pg.next_bot_activity()
        assert reply.text == "echo: hello"
        assert reply.from_id == pg.bot_id
        card_message = await pg.next_bot_activity()
        assert card_message.cards == [card("hello")]

    activity = echo_bot.received[-1]
    assert activity["type"] == "message" and activity["text"] == "hello"
    assert activity["channelId"] == "msteams"
    assert activity["serviceUrl"] == pg.service_url
    assert activity["conversation"]["id"] == pg.conversation_id
    assert activity["conversation"]["conversationType"] == "personal"
    assert activity["conversation"]["tenantId"] == pg.tenant_id
    assert activity["channelData"]["tenant"]["id"] == pg.tenant_id
    assert activity["from"] == {
        "id": pg.user.id,
        "name": pg.user.name,
        "aadObjectId": pg.user.aad_object_id,
    }
    assert activity["recipient"] == {"id": pg.bot_id, "name": pg.bot_name}
    assert activity["locale"] == "en-US"


async def test_install_sends_installation_update_then_members_added(echo_bot: EchoBot) -> None:
    user = PlaygroundUser(
        id="29:1kari",
        name="Kari Nordmann",
        aad_object_id="0b6e3c9a-1d2f-4e5a-8b7c-9d0e1f2a3b4c",
        given_name="Kari",
        surname="Nordmann",
        email="kari@example.no",
    )
    async with Playground(echo_bot.url, user=user) as pg:
        await pg.install()

        welcome = await pg.next_bot_activity()
        assert welcome.text == "Welcome, Kari Nordmann"

    kinds = [(a["type"], a.get("action")) for a in echo_bot.received]
    assert kinds == [("installationUpdate", "add"), ("conversationUpdate", None)]
    update = echo_bot.received[1]
    assert update["membersAdded"] == [
        {"id": user.id, "aadObjectId": user.aad_object_id},
        {"id": pg.bot_id},
    ]
    assert [x.status for x in pg.exchanges] == [200, 200]


async def test_action_execute_returns_the_bots_card_from_the_invoke_response(
    echo_bot: EchoBot,
) -> None:
    async with Playground(echo_bot.url) as pg:
        await pg.send_text("hi")
        card_message = await pg.wait_for(lambda e: bool(e.cards))

        answer = await pg.execute("echo.again", {"n": 7}, reply_to=card_message.message_id)

        assert answer == {"type": CARD_CONTENT_TYPE, "value": card("echo.again 7")}
        invoke = (await pg.wait_for_exchange(lambda x: x.activity["type"] == "invoke")).activity
        assert invoke["name"] == "adaptiveCard/action"
        assert invoke["replyToId"] == card_message.message_id
        assert invoke["value"]["action"] == {
            "type": "Action.Execute",
            "verb": "echo.again",
            "data": {"n": 7},
        }


async def test_a_failing_invoke_is_an_error_not_a_silent_pass(echo_bot: EchoBot) -> None:
    async with Playground(echo_bot.url) as pg:
        await pg.send_text("hi")
        card_message = await pg.wait_for(lambda e: bool(e.cards))

        with pytest.raises(PlaygroundError, match="invoke"):
            await pg.execute("fail", {"n": 1}, reply_to=card_message.message_id)


async def test_submit_reaches_the_bot_and_its_update_reaches_the_stream(echo_bot: EchoBot) -> None:
    async with Playground(echo_bot.url) as pg:
        await pg.send_text("hi")
        card_message = await pg.wait_for(lambda e: bool(e.cards))

        await pg.submit({"verb": "survey.answer", "q1": "yes"}, reply_to=card_message.message_id)

        updated = await pg.wait_for(lambda e: e.action == "updateMessage")
        assert updated.message_id == card_message.message_id
        assert updated.text == "submitted"
    submitted = echo_bot.received[-1]
    assert submitted["type"] == "message"
    assert submitted["value"] == {"verb": "survey.answer", "q1": "yes"}


async def test_any_activity_can_be_sent_such_as_an_uninstall(echo_bot: EchoBot) -> None:
    async with Playground(echo_bot.url) as pg:
        await pg.send_activity({"type": "installationUpdate", "action": "remove"})

        exchange = await pg.wait_for_exchange(lambda x: x.activity["type"] == "installationUpdate")
    assert exchange.status == 200
    activity = echo_bot.received[-1]
    assert activity["action"] == "remove"
    assert activity["conversation"]["id"] == pg.conversation_id
    assert activity["from"]["id"] == pg.user.id
    assert activity["serviceUrl"] == pg.service_url


async def test_the_users_locale_and_time_zone_reach_the_bot(echo_bot: EchoBot) -> None:
    async with Playground(echo_bot.url, locale="nb-NO", timezone="Europe/Oslo") as pg:
        await pg.send_text("hei")
        await pg.next_bot_activity()

    activity = echo_bot.received[-1]
    assert activity["locale"] == "nb-NO"
    client_info = next(e for e in activity["entities"] if e["type"] == "clientInfo")
    assert client_info["locale"] == "nb-NO" and client_info["country"] == "NO"
    assert client_info["timezone"] == "Europe/Oslo"
    assert activity["localTimezone"] == "Europe/Oslo"
    assert activity["localTimestamp"].endswith(("+01:00", "+02:00"))


async def test_waiting_for_what_never_comes_names_what_did(echo_bot: EchoBot) -> None:
    async with Playground(echo_bot.url) as pg:
        await pg.send_text("my private words")
        await pg.next_bot_activity()

        with pytest.raises(PlaygroundTimeout) as excinfo:
            await pg.wait_for(lambda e: e.action == "updateMessage", timeout=0.3)
    message = str(excinfo.value)
    assert "Requests to the bot: message -> 200." in message
    assert "createMessage" in message and "1 card(s)" in message
    assert "private" not in message  # never message text in errors


async def test_startup_failure_shows_the_playgrounds_own_words(echo_bot: EchoBot) -> None:
    # Its config schema caps a bot's name at 42 characters; it refuses to start beyond that.
    with pytest.raises(PlaygroundError, match=r"(?s)exited.*Failed to start.*name"):
        async with Playground(echo_bot.url, bot_name="x" * 43):
            pass


async def test_startup_takes_seconds_not_minutes(echo_bot: EchoBot) -> None:
    async with Playground(echo_bot.url) as pg:
        assert pg.startup_seconds is not None
        assert pg.startup_seconds < 15, pg.startup_seconds
