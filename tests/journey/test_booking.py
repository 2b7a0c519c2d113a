"""Accept, choose who holds it, pick a time, and everything that can happen to a booking."""

from __future__ import annotations

import asyncio
from typing import Any

from journey.departure import Departure, DepartureStatus
from journey.slots import Slot
from tests.cards.validator import assert_valid_card, assert_valid_cards
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    PARTNER,
    STRANGER,
    LiveApp,
    actions_of,
    cards_of,
    texts_of,
    verbs_of,
)

# The leaver's booked card: move, cancel, someone else, or no conversation after all.
LEAVER_BOOKED_VERBS = ["booking.reschedule", "booking.cancel", "plan.switch_ask", "plan.decline"]


async def offered(app: LiveApp) -> tuple[Departure, dict[str, Any]]:
    """HR registers; the leaver has the offer card."""
    await app.say(HR, "help")
    await app.say(LEAVER, "help")
    departure = await app.register()
    card = await app.card_for(LEAVER, app.text("offer.title"))
    await app.until(lambda: leaver_card_posted(app, departure.id), what="offer recorded")
    return await app.departure(departure.id), card


async def leaver_card_posted(app: LiveApp, departure_id: str) -> bool:
    return "leaver" in (await app.departure(departure_id)).cards


async def with_slots(app: LiveApp) -> tuple[Departure, dict[str, Any]]:
    """The leaver accepted and chose the HR partner: the slots card."""
    departure, offer = await offered(app)
    choice = (await app.press_button(LEAVER, offer, "offer.accept"))["value"]
    partner = next(a for a in actions_of(choice) if a["data"].get("person") == PARTNER.upn)
    slots = (await app.press(LEAVER, "interviewer.choose", partner["data"]))["value"]
    return departure, slots


async def booked(app: LiveApp, index: int = 0) -> tuple[Departure, dict[str, Any]]:
    departure, slots = await with_slots(app)
    confirmation = (await app.press_button(LEAVER, slots, "booking.pick", index))["value"]
    return await app.departure(departure.id), confirmation


def slot_keys(card: dict[str, Any]) -> list[str]:
    return [a["data"]["slot"] for a in actions_of(card) if a["verb"] == "booking.pick"]


async def task_posted(app: LiveApp, departure_id: str) -> bool:
    return "task" in (await app.departure(departure_id)).cards


async def test_the_whole_journey_from_offer_to_a_booked_conversation(app: LiveApp) -> None:
    departure, offer = await offered(app)

    answer = await app.press_button(LEAVER, offer, "offer.accept")
    choice = answer["value"]
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    # The unit (social-care) offers manager, HR partner and its union representative.
    people = [a["data"]["person"] for a in actions_of(choice)]
    assert people == [MANAGER.upn, PARTNER.upn, "union.rep@contoso.example"]
    assert "My manager, Mads Nielsen" in texts_of(choice)
    assert "An HR partner, Peter Holm" in texts_of(choice)

    slots = (await app.press_button(LEAVER, choice, "interviewer.choose", 1))["value"]
    keys = slot_keys(slots)
    assert 3 <= len(keys) <= 5
    assert "booking.none_fit" in verbs_of(slots)
    assert app.text("interviewer.chosen", interviewer="Peter Holm") in texts_of(slots)
    stored = await app.departure(departure.id)
    assert (stored.status, stored.interviewer_upn) == (DepartureStatus.ACCEPTED, PARTNER.upn)
    assert stored.proposed_slots == keys

    # The interviewer's task card went out at once, to a chat opened for them.
    await app.until(lambda: task_posted(app, departure.id), what="task card sent")
    stored = await app.departure(departure.id)
    task = stored.cards["task"]
    [task_message] = [a for a in app.sent_to(task.conversation_id) if "task.refresh" in str(a)]
    task_card = cards_of(task_message)[0]
    assert task_card["refresh"]["userIds"] == [PARTNER.user_id]
    assert "Sofie Andersen" in texts_of(task_card)

    confirmation = (await app.press_button(LEAVER, slots, "booking.pick"))["value"]
    picked = Slot.from_key(keys[0])
    [meeting] = app.calendar.meetings
    assert (meeting.organizer, meeting.attendees) == (PARTNER.upn, (LEAVER.upn,))
    assert (meeting.start, meeting.end) == (picked.start, picked.end)
    # The invitation is in the leaver's language (their Teams says English).
    assert meeting.subject == app.text("booking.invitation_subject", name="Sofie Andersen")
    [join] = [a for a in confirmation["actions"] if a["type"] == "Action.OpenUrl"]
    assert join["url"] == meeting.join_url
    assert verbs_of(confirmation) == LEAVER_BOOKED_VERBS
    stored = await app.departure(departure.id)
    assert stored.status is DepartureStatus.BOOKED
    assert stored.meeting_event_id == meeting.event_id

    # The interviewer: a confirmation with the link, and the task card updated in place.
    confirmed = await app.card_for(task.conversation_id, app.text("booking.join", "da"))
    assert meeting.join_url in str(confirmed["actions"])
    updated = [r for r in app.requests("PUT", task.activity_id) if r.body]
    assert updated, "the task card was not updated"
    assert app.text("state.booked", "da") in texts_of(cards_of(updated[-1].body)[0])
    assert_valid_cards([offer, choice, slots, confirmation, task_card, confirmed])


async def test_a_time_taken_meanwhile_books_nothing_and_offers_new_times(
    app: LiveApp,
) -> None:
    departure, slots = await with_slots(app)
    keys = slot_keys(slots)
    taken = Slot.from_key(keys[0])
    # Someone books the interviewer for that hour between the proposal and the pick.
    await app.calendar.create_meeting(
        PARTNER.upn, [], "Budget", "", taken.start, taken.end, "Europe/Copenhagen"
    )

    answer = (await app.press_button(LEAVER, slots, "booking.pick"))["value"]

    assert app.text("booking.slot_taken") in texts_of(answer)
    assert keys[0] not in slot_keys(answer) and slot_keys(answer)
    stored = await app.departure(departure.id)
    assert stored.status is DepartureStatus.ACCEPTED
    assert stored.proposed_slots == slot_keys(answer)
    assert [m.subject for m in app.calendar.meetings] == ["Budget"]
    assert_valid_cards([answer])


async def test_a_second_pick_is_refused_and_the_card_says_booked(app: LiveApp) -> None:
    departure, slots = await with_slots(app)
    await app.press_button(LEAVER, slots, "booking.pick", 0)
    again = (await app.press_button(LEAVER, slots, "booking.pick", 1))["value"]
    assert verbs_of(again) == LEAVER_BOOKED_VERBS
    assert len(app.calendar.meetings) == 1
    first = Slot.from_key(slot_keys(slots)[0])
    assert (await app.departure(departure.id)).meeting_start == first.start


async def test_the_leaver_reschedules(app: LiveApp) -> None:
    departure, confirmation = await booked(app)
    old = departure.meeting_start
    answer = (await app.press_button(LEAVER, confirmation, "booking.reschedule"))["value"]
    assert app.calendar.meetings == []
    keys = slot_keys(answer)
    assert keys and all(Slot.from_key(k).start != old for k in keys)
    stored = await app.departure(departure.id)
    assert (stored.status, stored.meeting_event_id) == (DepartureStatus.ACCEPTED, None)
    again = (await app.press_button(LEAVER, answer, "booking.pick"))["value"]
    assert len(app.calendar.meetings) == 1 and verbs_of(again)[0] == "booking.reschedule"


async def test_the_interviewers_confirmation_loses_its_buttons_when_the_meeting_moves(
    app: LiveApp,
) -> None:
    departure, confirmation = await booked(app)

    async def confirmation_posted() -> bool:
        return "booked" in (await app.departure(departure.id)).cards

    await app.until(confirmation_posted, what="the interviewer's confirmation recorded")
    posted = (await app.departure(departure.id)).cards["booked"]
    sent = [a for a in app.sent_to(posted.conversation_id) if "booking.cancel" in str(a)]
    assert sent, "the interviewer's confirmation carried a cancel button"

    await app.press_button(LEAVER, confirmation, "booking.reschedule")

    [update] = [r for r in app.requests("PUT", posted.activity_id) if r.body]
    [card] = cards_of(update.body)
    assert_valid_card(card)
    assert verbs_of(card) == []  # nothing stale left to press
    # In the interviewer's language (Peter's directory entry says da-DK).
    assert app.text("booking.cancelled", "da") in texts_of(card)
    assert app.text("state.accepted", "da") in texts_of(card)


async def test_the_leaver_cancels_and_can_choose_again(app: LiveApp) -> None:
    departure, confirmation = await booked(app)
    answer = (await app.press_button(LEAVER, confirmation, "booking.cancel"))["value"]
    assert app.text("booking.cancelled") in texts_of(answer)
    assert app.calendar.meetings == []
    stored = await app.departure(departure.id)
    assert (stored.status, stored.interviewer_upn) == (DepartureStatus.ACCEPTED, PARTNER.upn)
    # The old confirmation is stale now: refused, with the leaver's card as it stands.
    stale = (await app.press_button(LEAVER, confirmation, "booking.cancel"))["value"]
    assert stale["body"][0]["text"] == app.text("error.stale_card")
    assert app.text("booking.cancelled") in texts_of(stale)
    assert verbs_of(stale) == ["booking.propose"]
    times = (await app.press_button(LEAVER, answer, "booking.propose"))["value"]
    assert slot_keys(times)


async def test_the_interviewer_cancels_and_the_leaver_is_told(app: LiveApp) -> None:
    departure, _ = await booked(app)
    answer = await app.press(PARTNER, "booking.cancel", {"departure": departure.id})
    assert "task.refresh" in str(answer["value"])  # the interviewer's card is the task card
    assert app.calendar.meetings == []
    told = await app.card_for(LEAVER, app.text("booking.cancelled"))
    assert verbs_of(told) == ["booking.propose"]


async def test_none_fit_asks_the_interviewer_who_sends_new_times(app: LiveApp) -> None:
    departure, slots = await with_slots(app)
    first = slot_keys(slots)
    waiting = (await app.press_button(LEAVER, slots, "booking.none_fit"))["value"]
    assert app.text("booking.asked_interviewer", interviewer="Peter Holm") in texts_of(waiting)

    await app.until(lambda: task_posted(app, departure.id))
    task = (await app.departure(departure.id)).cards["task"]
    asked = await app.card_for(task.conversation_id, app.text("task.send_new_times", "da"))
    sent = (await app.press_button(PARTNER, asked, "task.new_times"))["value"]
    assert "task.refresh" in str(sent)

    fresh = await app.card_for(LEAVER, app.text("booking.title"))
    later = slot_keys(fresh)
    assert later and min(Slot.from_key(k).start for k in later) > max(
        Slot.from_key(k).start for k in first
    )
    # A second press of the same button: the leaver is no longer waiting. The card was drawn
    # for the earlier plan: refused, and the interviewer gets the task card as it stands.
    stale = (await app.press_button(PARTNER, asked, "task.new_times"))["value"]
    assert stale["body"][0]["text"] == app.text("error.stale_card")
    assert "task.refresh" in str(stale["refresh"])
    assert (await app.departure(departure.id)).proposed_slots == later


async def _asked_for_times(app: LiveApp) -> tuple[Departure, dict[str, Any], list[str]]:
    """The leaver said none fit: the interviewer's card asking for times, and the first ones."""
    departure, slots = await with_slots(app)
    first = slot_keys(slots)
    await app.press_button(LEAVER, slots, "booking.none_fit")
    await app.until(lambda: task_posted(app, departure.id))
    task = (await app.departure(departure.id)).cards["task"]
    asked = await app.card_for(task.conversation_id, app.text("task.choose_times", "da"))
    return departure, asked, first


def _choices(card: dict[str, Any]) -> list[str]:
    [field] = [e for e in card["body"] if e.get("type") == "Input.ChoiceSet"]
    assert field["isMultiSelect"] is True
    return [choice["value"] for choice in field["choices"]]


async def test_the_interviewer_chooses_the_times_the_leaver_gets(app: LiveApp) -> None:
    departure, asked, first = await _asked_for_times(app)
    choosing = (await app.press_button(PARTNER, asked, "task.choose_times"))["value"]
    assert_valid_card(choosing)
    offered = _choices(choosing)
    assert len(offered) > 5 and not set(offered) & set(first)  # more, and not the old ones
    picked = [offered[1], offered[4]]

    sent = await app.press_button(PARTNER, choosing, "task.send_times", slots=",".join(picked))
    assert "task.refresh" in str(sent["value"])
    fresh = await app.card_for(LEAVER, app.text("booking.title"))
    assert slot_keys(fresh) == picked
    stored = await app.departure(departure.id)
    assert stored.proposed_slots == picked and stored.times_requested_at is None


async def test_a_chosen_time_taken_meanwhile_sends_nothing_and_shows_the_choice_again(
    app: LiveApp,
) -> None:
    departure, asked, _ = await _asked_for_times(app)
    choosing = (await app.press_button(PARTNER, asked, "task.choose_times"))["value"]
    offered = _choices(choosing)
    taken = Slot.from_key(offered[0])
    before = len(app.sent_to(LEAVER))
    # Someone books the interviewer for that hour between the choice and the send.
    await app.calendar.create_meeting(
        PARTNER.upn, [], "Budget", "", taken.start, taken.end, "Europe/Copenhagen"
    )

    again = await app.press_button(PARTNER, choosing, "task.send_times", slots=offered[0])
    card = again["value"]
    assert app.text("booking.slot_taken") in texts_of(card)
    assert offered[0] not in _choices(card)
    assert len(app.sent_to(LEAVER)) == before
    assert (await app.departure(departure.id)).times_requested_at is not None


async def test_only_the_interviewer_may_choose_the_times(app: LiveApp) -> None:
    departure, asked, _ = await _asked_for_times(app)
    choosing = (await app.press_button(PARTNER, asked, "task.choose_times"))["value"]
    offered = _choices(choosing)
    before = await app.departure(departure.id)
    for someone in (LEAVER, MANAGER, STRANGER):
        refused = await app.press_button(someone, choosing, "task.send_times", slots=offered[0])
        assert refused["value"] == app.text("error.for_interviewer")
        shown = await app.press_button(someone, asked, "task.choose_times")
        assert shown["value"] == app.text("error.for_interviewer")
    after = await app.departure(departure.id)
    assert (after.version, after.proposed_slots) == (before.version, before.proposed_slots)


async def test_two_picks_at_once_book_one_meeting(app: LiveApp) -> None:
    departure, slots = await with_slots(app)
    first, second = await asyncio.gather(
        app.press_button(LEAVER, slots, "booking.pick", 0),
        app.press_button(LEAVER, slots, "booking.pick", 1),
    )
    # Both answer with the one booking that stands; the loser's meeting was taken out again.
    [meeting] = app.calendar.meetings
    stored = await app.departure(departure.id)
    assert stored.meeting_event_id == meeting.event_id
    for answer in (first, second):
        assert verbs_of(answer["value"]) == LEAVER_BOOKED_VERBS
