"""A planned reminder is rendered when it goes (outbox.render), not when it is planned."""

from __future__ import annotations

from datetime import date

from journey.due import CardToRender
from journey.notify import MessageKind
from outbox.messages import card_activity, card_message
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import LEAVER, MANAGER, LiveApp, texts_of
from tests.reminders.test_reminders_journey import (
    at_start_of,
    cards_with,
    move_clock_to,
    registered,
    settle,
)


async def test_the_checklist_speaks_the_language_chosen_after_it_was_planned(
    app: LiveApp,
) -> None:
    departure = await registered(app)
    [planned] = [
        a
        for a in await app.outbox.queue.for_departure(departure.id)
        if a.kind == MessageKind.HANDOVER
    ]
    assert CardToRender.of(planned.payload) == CardToRender(), "stored as a card, not its name"

    # Days later, and nothing about the departure changed: the leaver chooses Danish.
    await app.press(LEAVER, "language.choose", {"language": "da"})
    move_clock_to(app, at_start_of(date(2026, 12, 4)))

    card = await app.card_for(LEAVER, app.text("handover.title", "da"))
    await app.card_for(MANAGER, app.text("handover.title"))
    assert not cards_with(app, LEAVER, app.text("handover.title"))
    assert_valid_cards([card])


async def test_a_reminder_stored_with_its_card_goes_as_it_was_stored(app: LiveApp) -> None:
    departure = await registered(app)
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Stored before cards were rendered at send"}],
    }
    stored = card_message(
        departure,
        MessageKind.FAREWELL_REMINDER,
        MANAGER.upn,
        card,
        key=f"{departure.id}:stored-with-its-card",
        due_at=app.clock.now(),
    )
    assert stored.payload == card_activity(card)

    await app.outbox.queue.schedule(stored)
    await settle(app)

    [sent] = cards_with(app, MANAGER, "Stored before cards were rendered at send")
    assert texts_of(sent) == "Stored before cards were rendered at send"
