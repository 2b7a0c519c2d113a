"""Every reminder card and the handover checklist, valid for Teams in all four languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from cards.handover import handover_card
from cards.locale import Speaker
from cards.offer import offer_card
from cards.reminders import (
    conversation_reminder_card,
    escalation_card,
    farewell_reminder_card,
    thank_you_card,
)
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.departure import Departure, DepartureStatus
from journey.locale import SUPPORTED_LANGUAGES
from journey.notify import MessageKind
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import texts_of


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def departure(**values: Any) -> Departure:
    fields: dict[str, Any] = {
        "id": "d1",
        "leaver_upn": "sofie@contoso.example",
        "leaver_name": "Sofie Andersen",
        "manager_upn": "mads@contoso.example",
        "unit": "technical-services",
        "last_working_day": date(2026, 12, 18),
        "status": DepartureStatus.BOOKED,
        "interviewer_upn": "peter@contoso.example",
        "meeting_start": datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
        "meeting_end": datetime(2026, 12, 10, 10, 0, tzinfo=UTC),
        "meeting_event_id": "event-1",
        "meeting_join_url": "https://teams.microsoft.com/l/meetup-join/1",
        "handover_done": ["tasks"],
        "handover_successor": "Anna",
    }
    fields.update(values)
    return Departure.model_validate(fields)


def every_card(config: LoadedConfig, language: str) -> list[dict[str, Any]]:
    say = Speaker(config, language, "technical-services")
    items = config.handover_checklist("technical-services")
    booked = departure()
    every_item = [item.id for item in items]
    cards = [
        handover_card(say, booked, items, for_manager=False),
        handover_card(say, booked, items, for_manager=True),
        handover_card(say, booked.changed(handover_done=every_item), items, for_manager=False),
        handover_card(
            say, booked.changed(status=DepartureStatus.CANCELLED), items, for_manager=True
        ),
        offer_card(say, booked, 90, note=say("offer.reminder")),
        conversation_reminder_card(say, booked, 90, for_interviewer=False),
        conversation_reminder_card(say, booked, 90, for_interviewer=True),
        farewell_reminder_card(say, booked),
        thank_you_card(say, booked),
        escalation_card(say, booked, MessageKind.OFFER_ESCALATION, 3),
        escalation_card(say, booked, MessageKind.BOOKING_ESCALATION, 3),
        escalation_card(say, booked, MessageKind.HANDOVER_ESCALATION, 6, items[1:]),
    ]
    return cards


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_reminder_card_is_valid(config: LoadedConfig, language: str) -> None:
    cards = every_card(config, language)
    assert_valid_cards(cards)
    assert all(card["lang"] == language for card in cards)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_checklist_speaks_the_readers_language(config: LoadedConfig, language: str) -> None:
    say = Speaker(config, language, "technical-services")
    items = config.handover_checklist("technical-services")
    card = handover_card(say, departure(), items, for_manager=False)
    text = texts_of(card)
    # The unit's own item (keys and tools) is on it, the done one ticked, the rest open.
    assert f"✓ {items[0].label.get(language)}" in text
    assert items[-1].label.get(language) in text and items[-1].id == "keys_tools"
    assert say("handover.done") in text and say("handover.undo") in text
    assert say("handover.all_done") not in text
    thanks = texts_of(thank_you_card(say, departure()))
    assert config.text("farewell.thanks", language, name="Sofie Andersen") in thanks
