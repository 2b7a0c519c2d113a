"""Our activity JSON writer and reader must say exactly what msrest says and reads."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime
from typing import Any

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

from bot.wire import from_wire, to_wire
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


def _teams_message() -> dict[str, Any]:
    return {
        "type": "message",
        "id": "1795357428739",
        "timestamp": "2026-11-22T15:04:05.1234567Z",
        "localTimestamp": "2026-11-22T16:04:05.123+01:00",
        "channelId": "msteams",
        "serviceUrl": "https://smba.example/emea/",
        "locale": "da-DK",
        "text": "<at>exitbot</at> hjælp",
        "from": {"id": "29:leaver", "name": "Lea", "aadObjectId": "aad-1"},
        "recipient": {"id": "28:bot", "name": "exitbot"},
        "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t-1"},
        "entities": [
            {"type": "mention", "mentioned": {"id": "28:bot"}, "text": "<at>exitbot</at>"},
            {"type": "clientInfo", "locale": "da-DK", "timezone": "Europe/Copenhagen"},
        ],
        "attachments": [{"contentType": "text/html", "content": "<p>hjælp</p>"}],
        "channelData": {"tenant": {"id": "t-1"}, "settings": None, "list": [1, None, 2.5]},
        "somethingNew": {"from": "a later Teams"},
    }


def _card_press() -> dict[str, Any]:
    body = _teams_message()
    body.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "offer.accept", "data": {"a": 1}}},
        replyToId="1795357428700",
    )
    return body


def _odd(**changes: Any) -> dict[str, Any]:
    body = _teams_message()
    body.update(changes)
    return body


@pytest.mark.parametrize(
    "body",
    [
        _teams_message(),
        _card_press(),
        _odd(text=12),  # msrest makes text of a number
        _odd(from_={"id": "29:x"}),
        _odd(historyDisclosed="true"),  # msrest reads a bool from text
        _odd(membersAdded=[{"id": "29:leaver"}, None]),
        _odd(conversation={"id": "a:1", "isGroup": True, "tenantId": "t-1"}),
    ],
)
def test_an_activity_is_read_as_msrest_reads_it(body: dict[str, Any]) -> None:
    expected = Activity().deserialize(copy.deepcopy(body))
    read = from_wire(Activity, copy.deepcopy(body))
    assert read == expected
    assert read.entities[0].additional_properties == {
        "mentioned": {"id": "28:bot"},
        "text": "<at>exitbot</at>",
    }


@pytest.mark.parametrize("body", [_odd(timestamp="not a time"), _odd(membersAdded="29:x")])
def test_what_msrest_refuses_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(Exception) as refused:
        Activity().deserialize(copy.deepcopy(body))
    with pytest.raises(type(refused.value)):
        from_wire(Activity, copy.deepcopy(body))


MOMENT_PIECES = {
    "date": ["2026-11-22", "2026-02-30", "0001-01-01", "9999-12-31", "2026-1-22", "٢٠٢٦-11-22"],
    "time": ["T15:04:05", "T24:00:00", "T23:59:60", "t15:04:05", " 15:04:05"],
    "fraction": ["", ".1", ".123", ".123456", ".1234567", ".9999999", "."],
    "zone": ["Z", "z", "+01:00", "-05:30", "+00:00", "-00:00", "+24:00", "+0100", ""],
}


def test_a_moment_is_read_as_msrest_reads_it() -> None:
    for pieces in itertools.product(*MOMENT_PIECES.values()):
        text = "".join(pieces)
        body = {"type": "message", "timestamp": text, "localTimestamp": text}
        try:
            expected = Activity().deserialize(copy.deepcopy(body))
        except Exception as refused:
            with pytest.raises(type(refused)):
                from_wire(Activity, body)
            continue
        read = from_wire(Activity, body)
        for field in ("timestamp", "local_timestamp"):
            moment, wanted = getattr(read, field), getattr(expected, field)
            assert (moment, repr(moment), moment.utcoffset()) == (
                wanted,
                repr(wanted),
                wanted.utcoffset(),
            ), text
