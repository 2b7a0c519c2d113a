"""Every button acts only on the plan its card was drawn for (issue 11), on the real app.

Seen in the emulator: book, move the conversation from the `status` card, move it again from
the original booked card, then press "Cancel the conversation" on the `status` card: the
newest booking was cancelled at once. Now each such press is refused, the booking stands, and
the person gets the card that is current, headed by why.
"""

from __future__ import annotations

from typing import Any

from journey.departure import DepartureStatus
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import (
    HR,
    LEAVER,
    PARTNER,
    STRANGER,
    LiveApp,
    actions_of,
    texts_of,
    verbs_of,
)
from tests.journey.test_booking import booked

CARD = "application/vnd.microsoft.card.adaptive"


def marks_of(card: dict[str, Any]) -> set[str]:
    return {action["data"]["mark"] for action in actions_of(card) if "mark" in action["data"]}


async def test_a_stale_status_card_cannot_cancel_the_newest_booking(app: LiveApp) -> None:
    departure, booked_card = await booked(app)
    await app.say(LEAVER, "status")
    status_card = await app.card_for(LEAVER, app.text("status.title"))
    assert "booking.cancel" in verbs_of(status_card)
    assert marks_of(status_card) == {departure.mark}

    # Moved from the status card: new times, then a new booking.
    times = (await app.press_button(LEAVER, status_card, "booking.reschedule"))["value"]
    rebooked = (await app.press_button(LEAVER, times, "booking.pick", 1))["value"]
    newest = await app.departure(departure.id)
    assert newest.status is DepartureStatus.BOOKED
    assert newest.meeting_event_id != departure.meeting_event_id
    [meeting] = app.calendar.meetings
    assert meeting.event_id == newest.meeting_event_id

    # Moved again from the original booked card: drawn for the first booking, so refused.
    again = await app.press_button(LEAVER, booked_card, "booking.reschedule")
    assert again["type"] == CARD
    assert (await app.departure(departure.id)).meeting_event_id == newest.meeting_event_id

    # "Cancel the conversation" on the status card: refused, the newest booking stands.
    refused = await app.press_button(LEAVER, status_card, "booking.cancel")
    assert refused["type"] == CARD
    current = refused["value"]
    assert current["body"][0]["text"] == app.text("error.stale_card")
    stored = await app.departure(departure.id)
    assert (stored.status, stored.meeting_event_id) == (DepartureStatus.BOOKED, meeting.event_id)
    assert [m.event_id for m in app.calendar.meetings] == [meeting.event_id]
    # The card shown is the leaver's booked card as it stands now, and it works.
    assert texts_of(current).count(app.text("state.booked")) >= 1
    assert marks_of(current) == {stored.mark}
    assert current["body"][1:] == rebooked["body"]
    cancelled = (await app.press_button(LEAVER, current, "booking.cancel"))["value"]
    assert app.text("booking.cancelled") in texts_of(cancelled)
    assert app.calendar.meetings == []
    assert_valid_cards([status_card, again["value"], current, cancelled])


async def test_a_card_posted_before_marks_existed_still_works(app: LiveApp) -> None:
    """Cards already in chats carry no mark: they are not checked, the journey's rules are."""
    departure, _ = await booked(app)
    answer = await app.press(LEAVER, "booking.cancel", {"departure": departure.id})
    assert app.text("booking.cancelled") in texts_of(answer["value"])
    assert (await app.departure(departure.id)).meeting_event_id is None
    assert app.calendar.meetings == []


async def test_the_interviewer_pressing_a_stale_card_gets_the_task_card(app: LiveApp) -> None:
    departure, booked_card = await booked(app)
    # The leaver moves the conversation; the interviewer's copy of the old plan is stale.
    times = (await app.press_button(LEAVER, booked_card, "booking.reschedule"))["value"]
    await app.press_button(LEAVER, times, "booking.pick", 1)
    stored = await app.departure(departure.id)
    data = {"departure": departure.id, "mark": departure.mark}

    refused = await app.press(PARTNER, "booking.cancel", data)

    assert refused["type"] == CARD
    assert refused["value"]["body"][0]["text"] == app.text("error.stale_card")
    assert "task.refresh" in str(refused["value"].get("refresh"))
    assert (await app.departure(departure.id)).meeting_event_id == stored.meeting_event_id


async def test_hr_pressing_a_stale_card_gets_the_departures_card(app: LiveApp) -> None:
    departure, _ = await booked(app)
    refused = await app.press(HR, "booking.cancel", {"departure": departure.id, "mark": "0" * 8})
    # HR sees where the departure stands: its own card, not the leaver's buttons.
    assert refused["type"] == CARD
    assert "register.cancel" in verbs_of(refused["value"])
    assert "booking.cancel" not in verbs_of(refused["value"])
    assert (await app.departure(departure.id)).status is DepartureStatus.BOOKED


async def test_a_stale_press_by_someone_without_a_part_shows_nothing(app: LiveApp) -> None:
    departure, _ = await booked(app)
    data = {"departure": departure.id, "mark": "0" * 8}
    refused = await app.press(STRANGER, "booking.cancel", data)
    assert refused["value"] == app.text("error.not_involved")
    assert (await app.departure(departure.id)).status is DepartureStatus.BOOKED


async def test_a_malformed_mark_is_bad_input_and_changes_nothing(app: LiveApp) -> None:
    departure, _ = await booked(app)
    answer = await app.press(LEAVER, "booking.cancel", {"departure": departure.id, "mark": "x"})
    assert answer["value"] == app.text("error.bad_input")
    assert (await app.departure(departure.id)).status is DepartureStatus.BOOKED
