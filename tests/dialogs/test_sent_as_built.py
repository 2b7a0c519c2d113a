"""A card goes out as built: botbuilder's TurnContext deep-copies every outgoing activity, card
and all, and the bot's replies (dialogs.turn.SentAsBuilt) and the invoke answer of a card press
(bot.handler.answer_invoke) skip that copy; what Teams gets is addressed as before."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ResourceResponse,
)

from bot.handler import answer_invoke
from bot.wire import to_wire
from dialogs.router import InvokeResult
from dialogs.turn import Actor, DialogTurn, Services


class Recorder(BotAdapter):
    """Keeps what a turn sends, as the bot's adapter receives it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Activity] = []

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        self.sent += activities
        return [ResourceResponse(id=f"sent-{len(self.sent)}") for _ in activities]

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        raise NotImplementedError

    async def delete_activity(self, context: TurnContext, reference: Any) -> None:
        raise NotImplementedError


class NotToCopy(dict):
    """A card part that fails the test when deep-copied."""

    def __deepcopy__(self, memo: dict[int, Any]) -> NotToCopy:
        raise AssertionError("the card was deep-copied")


def _press() -> Activity:
    return Activity(
        type=ActivityTypes.invoke,
        name="adaptiveCard/action",
        id="press-1",
        channel_id="msteams",
        service_url="https://smba.example/emea/",
        from_property=ChannelAccount(id="29:leaver", name="Lea"),
        recipient=ChannelAccount(id="28:bot", name="exitbot"),
        conversation=ConversationAccount(id="a:1", tenant_id="t-1"),
        locale="da-DK",
    )


def _card() -> dict[str, Any]:
    return {"type": "AdaptiveCard", "body": [NotToCopy(type="TextBlock", text="Tak")]}


@pytest.fixture
def turn() -> tuple[Recorder, TurnContext]:
    adapter = Recorder()
    return adapter, TurnContext(adapter, _press())


async def test_a_card_press_is_answered_with_the_card_as_built(
    turn: tuple[Recorder, TurnContext],
) -> None:
    adapter, context = turn
    card = _card()
    response = await answer_invoke(context, InvokeResult(card=card).body())
    (sent,) = adapter.sent
    assert sent.type == ActivityTypes.invoke_response
    assert sent.value is response
    assert response.status == 200
    # The card's parts are the ones built (InvokeResult holds a shallow copy of the card).
    assert response.body["value"] == card
    assert response.body["value"]["body"][0] is card["body"][0]
    # Addressed by botbuilder as any reply: to the person's conversation, in reply to the press.
    assert (sent.conversation.id, sent.recipient.id, sent.reply_to_id) == (
        "a:1",
        "29:leaver",
        "press-1",
    )


async def test_a_card_and_a_text_go_out_as_built_and_addressed(
    turn: tuple[Recorder, TurnContext],
) -> None:
    adapter, context = turn
    services = cast(Services, SimpleNamespace())
    dialog = DialogTurn(
        context, services, Actor(user_id="29:leaver"), locale="da-DK", first_contact=False
    )
    card = _card()
    assert await dialog.send_card(card) == "sent-1"
    assert await dialog.send_text("Hej") == "sent-2"
    sent_card, sent_text = adapter.sent
    assert sent_card.attachments[0].content is card
    for sent in (sent_card, sent_text):
        wire = to_wire(sent)
        assert wire["conversation"]["id"] == "a:1"
        assert wire["recipient"]["id"] == "29:leaver"
        assert wire["replyToId"] == "press-1"
    assert to_wire(sent_text)["text"] == "Hej"
    assert to_wire(sent_card)["attachments"][0]["contentType"] == (
        "application/vnd.microsoft.card.adaptive"
    )
