"""Plans that change, on the real app (SQLite, the demo directory and calendars, the Bot
Connector stand-in): "no" after "yes", someone else, a handover, and a time that has passed."""

from __future__ import annotations

from typing import Any

from journey.departure import DepartureStatus, InterviewerKind
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    PARTNER,
    LiveApp,
    TeamsUser,
    actions_of,
    cards_of,
    texts_of,
    verbs_of,
)
from tests.journey.test_booking import booked, task_posted, with_slots
from tests.survey.test_survey_journey import CULTURE, STAY, _sent_survey

# The union representative of social care, in the demo directory: a trusted colleague.
LENE = TeamsUser(
    "user-id-4", "6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f02", "union.rep@contoso.example", "Lene"
)
SOFIE = "Sofie Andersen"


async def posted_task(app: LiveApp, departure_id: str) -> Any:
    await app.until(lambda: task_posted(app, departure_id), what="the task card was sent")
    return (await app.departure(departure_id)).cards["task"]


def last_put(app: LiveApp, activity_id: str) -> dict[str, Any]:
    """The card a posted message was last replaced with."""
    updates = [r for r in app.requests("PUT", activity_id) if r.body]
    assert updates, "the card was not updated in place"
    [card] = cards_of(updates[-1].body)
    return card


async def plan_of(app: LiveApp, departure_id: str) -> tuple[Any, ...]:
    """Where the conversation stands: who holds it, when, which meeting, the times offered."""
    d = await app.departure(departure_id)
    return (d.status, d.interviewer_upn, d.meeting_start, d.meeting_event_id, d.proposed_slots)


def refreshed(answer: dict[str, Any]) -> str:
    return texts_of(answer["value"])


async def test_no_after_booking_cancels_the_meeting_and_withdraws_the_task_card(
    app: LiveApp,
) -> None:
    departure, confirmation = await booked(app)
    task = await posted_task(app, departure.id)
    assert len(app.calendar.meetings) == 1

    answer = await app.press_button(
        LEAVER, confirmation, "plan.decline", reason="I have said what I wanted to say"
    )

    card = answer["value"]
    assert verbs_of(card) == ["offer.accept"]  # a "no" can still become a "yes"
    assert app.calendar.meetings == []
    stored = await app.departure(departure.id)
    assert (stored.status, stored.interviewer_upn) == (DepartureStatus.DECLINED, None)
    assert stored.decline_reason == "I have said what I wanted to say"
    # Peter's task card says so, in his language, with nothing left to press or refresh.
    withdrawn = last_put(app, task.activity_id)
    assert app.text("plan.released.declined", "da", name=SOFIE) in texts_of(withdrawn)
    assert verbs_of(withdrawn) == [] and "refresh" not in withdrawn
    # And if his Teams asks for the card again, it holds nothing about her.
    seen = await app.press(PARTNER, "task.refresh", {"departure": departure.id})
    assert refreshed(seen) == app.text("task.no_details")
    [entry] = [e for e in await app.audit(departure.id) if e.action == "plan.declined"]
    assert entry.detail == {"was_booked": "true", "reason": "given"}
    assert_valid_cards([card, withdrawn])


async def test_no_then_yes_again_brings_the_same_interviewer_a_new_task_card(
    app: LiveApp,
) -> None:
    departure, slots = await with_slots(app)
    task = await posted_task(app, departure.id)
    declined = (await app.press_button(LEAVER, slots, "plan.decline"))["value"]
    withdrawn = last_put(app, task.activity_id)
    assert app.text("plan.released.declined", "da", name=SOFIE) in texts_of(withdrawn)

    app.clock.advance(minutes=5)  # she thinks it over
    choice = (await app.press_button(LEAVER, declined, "offer.accept"))["value"]
    partner = next(a for a in actions_of(choice) if a["data"].get("person") == PARTNER.upn)
    await app.press(LEAVER, "interviewer.choose", partner["data"])

    # Peter holds it again: a task card of its own, not the withdrawn one brought back.
    again = await posted_task(app, departure.id)
    assert again.activity_id != task.activity_id
    assert app.text("task.body", "da", name=SOFIE) in texts_of(
        await app.card_for(again.conversation_id, app.text("task.body", "da", name=SOFIE))
    )


async def test_someone_else_after_booking_moves_the_answers_to_the_new_interviewer(
    app: LiveApp,
) -> None:
    departure_id = await _sent_survey(app)  # booked with Peter; answers shared with him
    # Mads reads Danish by his own choice: his Teams (en-US in these tests) does not decide
    # when the task card is drawn, before or after his first press below.
    await app.press(MANAGER, "language.choose", {"language": "da"})
    old_task = (await app.departure(departure_id)).cards["task"]
    mine = {"departure": departure_id}
    assert STAY in refreshed(await app.press(PARTNER, "task.refresh", mine))

    choice = (await app.press(LEAVER, "plan.switch_ask", mine))["value"]
    people = [a["data"].get("person") for a in actions_of(choice) if a["verb"] == "plan.switch"]
    assert people == [MANAGER.upn, "union.rep@contoso.example"]  # not Peter again
    times = (await app.press_button(LEAVER, choice, "plan.switch", 0))["value"]

    assert app.text("interviewer.chosen", interviewer="Mads Nielsen") in texts_of(times)
    assert "booking.pick" in verbs_of(times)
    assert app.calendar.meetings == []
    stored = await app.departure(departure_id)
    assert (stored.status, stored.interviewer_upn, stored.interviewer_kind) == (
        DepartureStatus.ACCEPTED,
        MANAGER.upn,
        InterviewerKind.MANAGER,
    )
    # Peter is refused the answers now; Mads, who holds it, gets them.
    old = refreshed(await app.press(PARTNER, "task.refresh", mine))
    assert STAY not in old and CULTURE not in old
    new = refreshed(await app.press(MANAGER, "task.refresh", mine))
    assert STAY in new and CULTURE in new
    # Peter's card is withdrawn in place; Mads gets a task card of his own.
    # (In English: Peter's Teams said en-US when he opened the card.)
    assert app.text("plan.released.switched", name=SOFIE) in texts_of(
        last_put(app, old_task.activity_id)
    )
    new_task = await posted_task(app, departure_id)
    assert new_task.activity_id != old_task.activity_id
    task = await app.card_for(new_task.conversation_id, app.text("task.body", "da", name=SOFIE))
    assert task["refresh"]["userIds"] == [MANAGER.user_id]
    assert_valid_cards([choice, times, task])


async def test_a_handover_to_someone_unknown_changes_nothing(app: LiveApp) -> None:
    departure, _ = await booked(app)
    await posted_task(app, departure.id)
    before = await plan_of(app, departure.id)
    for typed in ("nobody@contoso.example", "Lene K.", "union.rep@contoso.example\u202e"):
        answer = await app.press(
            PARTNER, "plan.hand_over", {"departure": departure.id, "colleague": typed}
        )
        assert answer["value"] == app.text("plan.unknown_colleague")
    assert await plan_of(app, departure.id) == before
    assert len(app.calendar.meetings) == 1
    # Only the interviewer may hand it over: the leaver and HR are refused.
    for other in (LEAVER, HR):
        answer = await app.press(
            other, "plan.hand_over", {"departure": departure.id, "colleague": LENE.upn}
        )
        assert answer["value"] == app.text("error.for_interviewer")
    assert await plan_of(app, departure.id) == before


async def test_a_handover_gives_the_colleague_the_task_and_tells_the_leaver(
    app: LiveApp,
) -> None:
    app.connector.members[LENE.user_id] = LENE.member()
    departure, _ = await booked(app)
    task = await posted_task(app, departure.id)
    # The task card as Peter's Teams shows it now, booked.
    card = (await app.press(PARTNER, "task.refresh", {"departure": departure.id}))["value"]
    assert "plan.hand_over" in verbs_of(card)

    answer = await app.press_button(PARTNER, card, "plan.hand_over", colleague=LENE.upn)

    handed = texts_of(answer["value"])
    assert app.text("plan.released.handed_over", name=SOFIE, colleague="Lene Kristensen") in handed
    assert app.calendar.meetings == []
    stored = await app.departure(departure.id)
    assert (stored.status, stored.interviewer_upn) == (DepartureStatus.ACCEPTED, LENE.upn)
    # The leaver is told who holds it now, with times free with Lene.
    note = app.text("plan.handed_over_leaver", previous="Peter Holm", interviewer="Lene Kristensen")
    told = await app.card_for(LEAVER, note)
    assert "booking.pick" in verbs_of(told)
    # Lene's own task card, in her language, says who handed it over.
    new_task = await posted_task(app, departure.id)
    assert new_task.conversation_id != task.conversation_id
    hers = await app.card_for(
        new_task.conversation_id, app.text("plan.handed_over_to_you", "da", previous="Peter Holm")
    )
    assert hers["refresh"]["userIds"] == [LENE.user_id]
    assert_valid_cards([answer["value"], told, hers])


async def test_a_conversation_whose_time_has_passed_cannot_be_moved_or_cancelled(
    app: LiveApp,
) -> None:
    departure, confirmation = await booked(app)
    assert departure.meeting_start is not None
    app.clock.advance(seconds=(departure.meeting_start - app.clock.now()).total_seconds() + 600)
    passed = app.text("plan.passed")

    # The leaver's booked card.
    for verb in ("booking.reschedule", "booking.cancel"):
        assert (await app.press_button(LEAVER, confirmation, verb))["value"] == passed
    assert (await app.press_button(LEAVER, confirmation, "plan.decline"))["value"] == passed
    # The status card.
    await app.say(LEAVER, "status")
    status = await app.card_for(LEAVER, app.text("status.title"))
    assert (await app.press_button(LEAVER, status, "booking.cancel"))["value"] == passed
    # The interviewer's buttons.
    data = {"departure": departure.id}
    assert (await app.press(PARTNER, "booking.cancel", data))["value"] == passed
    answer = await app.press(PARTNER, "plan.hand_over", {**data, "colleague": LENE.upn})
    assert answer["value"] == passed
    stored = await app.departure(departure.id)
    assert (stored.status, stored.meeting_event_id) == (
        DepartureStatus.BOOKED,
        departure.meeting_event_id,
    )
    # HR's door: the leaver stays after all, but a meeting that happened is not cancelled.
    await app.hr_cancels(departure.id)
    assert [m.event_id for m in app.calendar.meetings] == [departure.meeting_event_id]


async def test_notes_written_before_a_switch_stay_with_the_interviewer_who_wrote_them(
    app: LiveApp,
) -> None:
    """'Only you see these': Peter prepares notes before the meeting; Sofie then chooses Mads.
    Mads gets a blank notes form, and what he saves replaces Peter's, which nobody reads again."""
    departure, _ = await booked(app)
    mine = {"departure": departure.id}
    await app.until(lambda: task_posted(app, departure.id), what="task card sent")
    task = (await app.press(PARTNER, "task.refresh", mine))["value"]
    private = "Peter's own preparation, for his eyes only"
    await app.press_button(PARTNER, task, "task.notes", n_main_points=private)
    assert private in refreshed(await app.press(PARTNER, "task.refresh", mine))

    choice = (await app.press(LEAVER, "plan.switch_ask", mine))["value"]
    times = (await app.press_button(LEAVER, choice, "plan.switch", 0))["value"]  # Mads
    await app.press_button(LEAVER, times, "booking.pick", 0)
    assert (await app.departure(departure.id)).interviewer_upn == MANAGER.upn

    madss = (await app.press(MANAGER, "task.refresh", mine))["value"]
    assert private not in refreshed({"value": madss})
    await app.press_button(MANAGER, madss, "task.notes", n_main_points="Mads's points")
    again = refreshed(await app.press(MANAGER, "task.refresh", mine))
    assert "Mads's points" in again and private not in again
