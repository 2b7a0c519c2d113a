"""Our activity-to-JSON writer must say exactly what msrest's serializer says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    SuggestedActions,
)

from bot.wire import to_wire
from cards.help import HelpCommand, HelpView, help_card


def _addressed(activity: Activity) -> Activity:
    activity.from_property = ChannelAccount(id="28:bot", name="exitbot")
    activity.recipient = ChannelAccount(id="29:leaver", aad_object_id="aad-1", name="Lea")
    activity.conversation = ConversationAccount(
        id="a:1", conversation_type="personal", tenant_id="t-1"
    )
    activity.service_url = "https://smba.example/emea/"
    activity.channel_id = "msteams"
    activity.reply_to_id = "1795357428739"
    activity.locale = "da-DK"
    return activity


CARD = help_card(
    HelpView(
        lang="da",
        title="Hjælp",
        intro="Det kan du",
        commands=[HelpCommand(word="hjælp", description="Viser dette")],
    )
)


@pytest.mark.parametrize(
    "activity",
    [
        MessageFactory.text("Hej"),
        MessageFactory.attachment(CardFactory.adaptive_card(CARD)),
        Activity(
            type=ActivityTypes.message,
            text="x",
            timestamp=datetime(2026, 11, 22, 15, 4, 5, 123456, tzinfo=UTC),
            channel_data={"notification": {"alert": True}},
            suggested_actions=SuggestedActions(
                actions=[CardAction(type="imBack", title="help", value="help")]
            ),
            entities=[],
        ),
    ],
    ids=["text", "card", "timestamp-and-nested"],
)
def test_the_json_matches_msrest(activity: Activity) -> None:
    activity = _addressed(activity)
    assert to_wire(activity) == activity.serialize()
