"""In person, agreed outside the bot, and short notice, on the real app (SQLite, the demo people,
a fixed clock): what the interviewer, the leaver and HR see."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.typedefs import DATABASE
from cards.locale import Speaker
from journey.departure import Departure, DepartureStatus, MeetingMode
from journey.slots import Slot
from storage.tables import due_actions
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import (
    HR,
    LEAVER,
    PARTNER,
    T0,
    LiveApp,
    actions_of,
    cards_of,
    texts_of,
    verbs_of,
)
from tests.journey.test_booking import booked, offered, with_slots

PLACE = "Mødelokale 2, Rådhuset"
TOMORROW = date(2026, 11, 24)  # T0 is Monday 23 November 2026, 09:00 in Copenhagen


async def task_of(app: LiveApp, departure_id: str) -> dict[str, Any]:
    """The interviewer's own refreshed task card."""
    return (await app.press(PARTNER, "task.refresh", {"departure": departure_id}))["value"]


def link_buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]


async def thanked(app: LiveApp) -> bool:
    return any("thanks.refresh" in str(card) for a in app.sent_to(LEAVER) for card in cards_of(a))


async def reminders_of(app: LiveApp, departure_id: str) -> list[tuple[str, str]]:
    async with app.app[DATABASE].sessions() as session:
        rows = await session.execute(
            select(due_actions.c.kind, due_actions.c.recipient_key).where(
                due_actions.c.departure_id == departure_id,
                due_actions.c.kind == "conversation_reminder",
            )
        )
    return sorted((kind, recipient) for kind, recipient in rows)


async def test_a_booked_teams_meeting_moves_in_person_and_the_leaver_sees_the_place(
    app: LiveApp,
) -> None:
    departure, confirmation = await booked(app)
    [teams] = app.calendar.meetings
    assert link_buttons(confirmation)  # a Teams meeting until now
    task = await task_of(app, departure.id)
    assert "meeting.in_person" in verbs_of(task)

    answer = (await app.press_button(PARTNER, task, "meeting.in_person", place=f" {PLACE} "))[
        "value"
    ]

    # The calendar: the Teams event is gone, one in person at the same time has the place.
    [meeting] = app.calendar.meetings
    assert meeting.event_id != teams.event_id
    assert (meeting.start, meeting.end) == (teams.start, teams.end)
    assert (meeting.location, meeting.join_url) == (PLACE, None)
    stored = await app.departure(departure.id)
    assert (stored.meeting_mode, stored.meeting_place) == (MeetingMode.IN_PERSON, PLACE)
    assert (stored.meeting_event_id, stored.meeting_join_url) == (meeting.event_id, None)
    assert PLACE in texts_of(answer) and not link_buttons(answer)
    # The invitation says where, and asks for no camera.
    _, body = await app.outbox.notifier.invitation(stored)
    assert PLACE in body and "camera" not in body
    # The leaver is told: their booked card shows the place, and no link to join.
    told = await app.card_for(LEAVER, app.text("meeting.changed_note"))
    assert PLACE in texts_of(told)
    assert not link_buttons(told)
    assert "booking.reschedule" in verbs_of(told)
    # The reminders show it too: planned again from the booking in person.
    assert [r for _, r in await reminders_of(app, departure.id)]
    entry = [e for e in await app.audit(departure.id) if e.action == "meeting.in_person"]
    assert entry and PLACE not in str(entry[0].detail)
    assert_valid_cards([task, answer, told])


async def test_a_place_set_before_booking_makes_the_booking_in_person(app: LiveApp) -> None:
    departure, slots = await with_slots(app)
    task = await task_of(app, departure.id)
    await app.press_button(PARTNER, task, "meeting.in_person", place=PLACE)

    # The leaver's times were drawn before the place: that card is no longer current, and
    # the current one shows the same times, in person at the place.
    stale = (await app.press_button(LEAVER, slots, "booking.pick"))["value"]
    assert app.calendar.meetings == []
    assert app.text("error.stale_card") in texts_of(stale)
    assert PLACE in texts_of(stale)
    confirmation = (await app.press_button(LEAVER, stale, "booking.pick"))["value"]

    [meeting] = app.calendar.meetings
    assert (meeting.location, meeting.join_url) == (PLACE, None)
    assert PLACE in texts_of(confirmation)
    assert not link_buttons(confirmation)
    assert_valid_cards([stale, confirmation])


async def test_a_place_with_control_characters_is_refused_and_nothing_changes(
    app: LiveApp,
) -> None:
    departure, _ = await booked(app)
    before = await app.departure(departure.id)
    meetings = list(app.calendar.meetings)
    task = await task_of(app, departure.id)

    answer = await app.press_button(PARTNER, task, "meeting.in_person", place="Lokale 2\nBcc: x")

    assert answer["value"] == app.text("meeting.refused.place_control")
    after = await app.departure(departure.id)
    plan = ("status", "meeting_mode", "meeting_place", "meeting_event_id", "meeting_join_url")
    assert [getattr(after, f) for f in plan] == [getattr(before, f) for f in plan]
    assert after.meeting_mode is None
    assert app.calendar.meetings == meetings
    refused = [e for e in await app.audit(departure.id) if e.action == "meeting.refused"]
    assert refused[-1].detail == {"reason": "place_control"}


async def test_only_the_interviewer_or_hr_records_one_agreed_outside(app: LiveApp) -> None:
    departure, _ = await offered(app)
    data = {"departure": departure.id, "outside_day": "2026-12-02", "outside_time": "13:30"}

    answer = await app.press(LEAVER, "meeting.outside_booked", data)

    assert answer["value"] == app.text("error.for_interviewer_or_hr")
    assert (await app.departure(departure.id)).status is DepartureStatus.OFFERED


async def test_hr_records_a_time_agreed_outside_and_the_reminders_follow(app: LiveApp) -> None:
    departure, _ = await offered(app)
    # HR's way in: the departure's card from the list, then the form.
    manage = (await app.press(HR, "register.manage", {"departure_id": departure.id}))["value"]
    form = (await app.press_button(HR, manage, "meeting.form"))["value"]

    answer = await app.press_button(
        HR,
        form,
        "meeting.outside_booked",
        outside_day="2026-12-02",
        outside_time="13:30",
        outside_place="Kantinen",
    )

    stored = await app.departure(departure.id)
    assert stored.status is DepartureStatus.BOOKED
    assert (stored.meeting_mode, stored.meeting_place) == (MeetingMode.OUTSIDE, "Kantinen")
    assert stored.meeting_start is not None
    assert stored.meeting_start.astimezone(stored.zone).strftime("%Y-%m-%d %H:%M") == (
        "2026-12-02 13:30"
    )
    assert app.calendar.meetings == []  # no invitation from the bot
    assert "Kantinen" in texts_of(answer["value"])
    assert await reminders_of(app, departure.id) == [("conversation_reminder", LEAVER.upn)]
    told = await app.card_for(LEAVER, app.text("meeting.changed_note"))
    assert "Kantinen" in texts_of(told) and not link_buttons(told)
    assert_valid_cards([manage, form, answer["value"], told])


async def test_held_outside_the_bot_leads_to_the_notes_and_the_thanks(app: LiveApp) -> None:
    departure, _ = await with_slots(app)
    task = await task_of(app, departure.id)

    answer = (await app.press_button(PARTNER, task, "meeting.outside_held"))["value"]

    stored = await app.departure(departure.id)
    assert stored.status is DepartureStatus.HELD
    assert stored.meeting_mode is MeetingMode.OUTSIDE
    # The interviewer's card is the notes step now; the leaver is thanked.
    assert "task.notes" in verbs_of(answer)
    assert "task.held" not in verbs_of(answer)
    await app.until(lambda: thanked(app), what="the leaver's thank-you")
    assert_valid_cards([answer])


async def test_a_last_day_tomorrow_offers_a_time_today_or_tomorrow(app: LiveApp) -> None:
    await app.say(HR, "help")
    await app.say(LEAVER, "help")
    departure = await app.register(last_working_day=TOMORROW)
    offer = await app.card_for(LEAVER, app.text("offer.title"))
    last_day = Speaker(app.config, "en", "social-care").day(TOMORROW)
    assert app.text("offer.short_notice", last_day=last_day) in texts_of(offer)

    choice = (await app.press_button(LEAVER, offer, "offer.accept"))["value"]
    partner = next(a for a in actions_of(choice) if a["data"].get("person") == PARTNER.upn)
    slots = (await app.press(LEAVER, "interviewer.choose", partner["data"]))["value"]

    keys = [a["data"]["slot"] for a in actions_of(slots) if a["verb"] == "booking.pick"]
    days = {Slot.from_key(key).start.astimezone(departure.zone).date() for key in keys}
    assert keys and days <= {T0.date(), TOMORROW}
    assert T0.date() in days  # today too: a day's notice is not asked at short notice
    assert min(Slot.from_key(key).start for key in keys) >= T0 + timedelta(hours=1)


async def test_a_last_day_tomorrow_with_no_time_offers_the_survey_and_tells_hr(
    app: LiveApp,
) -> None:
    await app.say(HR, "help")
    await app.say(LEAVER, "help")
    departure: Departure = await app.register(last_working_day=TOMORROW)
    offer = await app.card_for(LEAVER, app.text("offer.title"))
    # The leaver is away until they leave: no hour is free for both.
    await app.calendar.create_meeting(
        LEAVER.upn, [], "Handover", "", T0, T0 + timedelta(days=2), "Europe/Copenhagen"
    )

    choice = (await app.press_button(LEAVER, offer, "offer.accept"))["value"]
    partner = next(a for a in actions_of(choice) if a["data"].get("person") == PARTNER.upn)
    answer = (await app.press(LEAVER, "interviewer.choose", partner["data"]))["value"]

    assert "booking.pick" not in verbs_of(answer)
    assert "survey.start" in verbs_of(answer)
    assert app.text("short_notice.survey") in texts_of(answer)
    hr_card = await app.card_for(HR, app.text("short_notice.hr_title", name="Sofie Andersen"))
    assert "Peter Holm" in texts_of(hr_card)  # who holds it, so HR knows whom to ask
    audit = [e.action for e in await app.audit(departure.id)]
    assert "short_notice.no_time" in audit
    assert_valid_cards([answer, hr_card])


async def test_moving_a_booking_at_short_notice_with_no_other_time_offers_the_survey(
    app: LiveApp,
) -> None:
    await app.say(HR, "help")
    await app.say(LEAVER, "help")
    departure = await app.register(last_working_day=TOMORROW)
    offer = await app.card_for(LEAVER, app.text("offer.title"))
    choice = (await app.press_button(LEAVER, offer, "offer.accept"))["value"]
    partner = next(a for a in actions_of(choice) if a["data"].get("person") == PARTNER.upn)
    slots = (await app.press(LEAVER, "interviewer.choose", partner["data"]))["value"]
    confirmation = (await app.press_button(LEAVER, slots, "booking.pick"))["value"]
    # Every other hour until the leaver leaves is taken now.
    await app.calendar.create_meeting(
        LEAVER.upn, [], "Handover", "", T0, T0 + timedelta(days=2), "Europe/Copenhagen"
    )

    answer = (await app.press_button(LEAVER, confirmation, "booking.reschedule"))["value"]

    assert "booking.pick" not in verbs_of(answer)
    assert "survey.start" in verbs_of(answer)
    assert (await app.departure(departure.id)).status is DepartureStatus.ACCEPTED
    await app.card_for(HR, app.text("short_notice.hr_title", name="Sofie Andersen"))
