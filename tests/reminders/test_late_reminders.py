"""A reminder that lost its moment is not sent late (issue 11), on the real app.

Seen with the README's test clock jump of {"days": 7}: the reminder for a 09:30 conversation
arrived at 11:59 the same day. After downtime or a clock jump, a conversation reminder once the
conversation began, or a farewell after the last day, is on HR's timeline as skipped.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from journey.due import DeliveryEvent, DueState, Outcome
from journey.notify import MessageKind
from tests.helpers.journey import LEAVER, MANAGER, PARTNER, LiveApp
from tests.journey import test_booking as flows
from tests.reminders.test_reminders_journey import (
    CPH,
    at_start_of,
    cards_with,
    move_clock_to,
    posted,
    registered,
    settle,
)


async def events(app: LiveApp, departure_id: str, kind: MessageKind) -> list[DeliveryEvent]:
    return [e for e in await app.outbox.queue.timeline(departure_id) if e.kind == kind.value]


async def test_a_conversation_reminder_after_the_conversation_began_is_skipped(
    app: LiveApp,
) -> None:
    # The last time offered: the reminder is due on the working day before it.
    departure, _ = await flows.booked(app, -1)
    assert departure.meeting_start is not None
    stored = await posted(app, departure.id, "task")
    interviewer_chat = stored.cards["task"].conversation_id
    reminders = [
        a
        for a in await app.outbox.queue.for_departure(departure.id)
        if a.kind == MessageKind.CONVERSATION_REMINDER.value
    ]
    assert {a.recipient_key for a in reminders} == {LEAVER.upn, PARTNER.upn}
    assert all(a.due_at < departure.meeting_start == a.expires_at for a in reminders)

    # The bot was down (or the clock jumped) until well after the conversation began.
    move_clock_to(app, departure.meeting_start + timedelta(hours=2, minutes=29))
    await settle(app)

    def conversation_reminders(where: str, heading: str) -> list[dict[str, object]]:
        # With the join link: the notes reminder after the conversation has the same heading.
        return [c for c in cards_with(app, where, heading) if "Action.OpenUrl" in str(c)]

    assert not conversation_reminders(LEAVER.conversation, app.text("reminder.title"))
    assert not conversation_reminders(interviewer_chat, app.text("reminder.title", "da"))
    timeline = await events(app, departure.id, MessageKind.CONVERSATION_REMINDER)
    assert {(e.recipient_key, e.outcome, e.code) for e in timeline} == {
        (LEAVER.upn, Outcome.SKIPPED, "expired"),
        (PARTNER.upn, Outcome.SKIPPED, "expired"),
    }
    states = {
        a.state
        for a in await app.outbox.queue.for_departure(departure.id)
        if a.kind == MessageKind.CONVERSATION_REMINDER.value
    }
    assert states == {DueState.SKIPPED}


async def test_a_farewell_in_time_is_sent_and_one_after_the_last_day_is_skipped(
    app: LiveApp,
) -> None:
    departure = await registered(app)
    # In time: the manager's farewell reminder on Tuesday 15 December (3 days before).
    move_clock_to(app, at_start_of(date(2026, 12, 15)))
    farewell = app.text(
        "reminder.farewell_manager", name="Sofie Andersen", last_day="18 December 2026"
    )
    await app.card_for(MANAGER, farewell)
    await settle(app)
    [sent] = await events(app, departure.id, MessageKind.FAREWELL_REMINDER)
    assert (sent.recipient_key, sent.outcome) == (MANAGER.upn, Outcome.SENT)

    # The bot is down over the last day (Friday 18 December) and back that evening: the
    # thank-you the leaver should have had that morning is no longer sent.
    evening = datetime.combine(date(2026, 12, 18), time(20), tzinfo=CPH)
    move_clock_to(app, evening)
    await settle(app)

    thanks = app.text("farewell.thanks", name="Sofie Andersen")
    assert not cards_with(app, LEAVER, thanks)
    [skipped] = await events(app, departure.id, MessageKind.THANK_YOU)
    assert (skipped.recipient_key, skipped.outcome, skipped.code) == (
        LEAVER.upn,
        Outcome.SKIPPED,
        "expired",
    )
    assert skipped.at == app.clock.now()
    assert len(cards_with(app, MANAGER, farewell)) == 1
