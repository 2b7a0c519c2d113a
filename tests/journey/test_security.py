"""Every card action checks who asks before it shows or changes anything; old cards are stale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from journey.departure import DepartureStatus
from journey.slots import Slot
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    PARTNER,
    STRANGER,
    LiveApp,
    cards_of,
    texts_of,
    verbs_of,
)
from tests.journey.test_booking import LEAVER_BOOKED_VERBS, booked, offered, with_slots


@pytest.mark.parametrize(
    ("verb", "extra"),
    [
        ("offer.accept", {}),
        ("offer.decline", {"reason": "x"}),
        ("offer.later", {}),
    ],
)
async def test_another_user_replaying_the_leavers_card_is_refused_and_audited(
    app: LiveApp, verb: str, extra: dict[str, str]
) -> None:
    departure, _ = await offered(app)
    before = await app.departure(departure.id)

    answer = await app.press(STRANGER, verb, {"departure": departure.id, **extra})

    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert answer["value"] == app.text("error.for_leaver")
    after = await app.departure(departure.id)
    assert after.status is DepartureStatus.OFFERED and after.version == before.version
    refused = [e for e in await app.audit(departure.id) if e.action == "refused"]
    assert [(e.actor, e.detail["act"]) for e in refused] == [(STRANGER.upn, "answer_offer")]


async def test_the_manager_cannot_book_for_the_leaver_nor_see_the_task(app: LiveApp) -> None:
    departure, slots = await with_slots(app)
    pick = next(a for a in slots["body"] if a["type"] == "ActionSet")["actions"][0]
    answer = await app.press(MANAGER, "booking.pick", pick["data"])
    assert answer["value"] == app.text("error.for_leaver")
    assert app.calendar.meetings == []
    # The task card, refreshed by the manager (not chosen): no details at all.
    hidden = (await app.press(MANAGER, "task.refresh", {"departure": departure.id}))["value"]
    assert texts_of(hidden) == app.text("task.no_details")
    full = (await app.press(PARTNER, "task.refresh", {"departure": departure.id}))["value"]
    assert "Sofie Andersen" in texts_of(full)
    assert full["refresh"]["userIds"] == [PARTNER.user_id]


@pytest.mark.parametrize(
    "data",
    [
        {"extra": "field"},
        {"reason": "x" * 501},
        {"departure": "../../etc"},
        {"departure": None},
    ],
)
async def test_a_payload_that_does_not_parse_changes_nothing(
    app: LiveApp, data: dict[str, object]
) -> None:
    departure, _ = await offered(app)
    before = await app.departure(departure.id)
    payload = {"departure": departure.id, **data}
    answer = await app.press(LEAVER, "offer.decline", payload, locale="sv-SE")
    # In the language HR registered (English), which comes before Teams' sv-SE (issue 11).
    assert answer["value"] == app.config.text("error.bad_input", "en")
    after = await app.departure(departure.id)
    assert after.status is DepartureStatus.OFFERED and after.version == before.version


async def test_a_forged_slot_is_stale_and_books_nothing(app: LiveApp) -> None:
    departure, _ = await with_slots(app)
    for slot in ("20261201T0300Z/60", "not-a-slot"):
        answer = await app.press(LEAVER, "booking.pick", {"departure": departure.id, "slot": slot})
        assert answer["value"] in (app.text("error.stale_action"), app.text("error.bad_input"))
    assert app.calendar.meetings == []


async def test_accept_after_the_departure_was_cancelled_is_stale(app: LiveApp) -> None:
    departure, _ = await offered(app)
    await app.until(lambda: _leaver_card_posted(app, departure.id))
    await app.hr_cancels(departure.id)

    answer = await app.press(LEAVER, "offer.accept", {"departure": departure.id})
    assert answer["value"] == app.text("error.stale_action")
    assert (await app.departure(departure.id)).status is DepartureStatus.CANCELLED
    # The offer card in the chat now says cancelled.
    posted = (await app.departure(departure.id)).cards["leaver"]
    [update] = [r for r in app.requests("PUT", posted.activity_id) if r.body]
    card = cards_of(update.body)[0]
    assert texts_of(card).startswith(app.text("state.cancelled"))
    assert verbs_of(card) == []


async def _leaver_card_posted(app: LiveApp, departure_id: str) -> bool:
    return "leaver" in (await app.departure(departure_id)).cards


async def test_a_cancelled_departure_cancels_the_meeting_and_marks_the_task_card(
    app: LiveApp,
) -> None:
    departure, _ = await booked(app)
    await app.until(lambda: _task_posted(app, departure.id))
    assert len(app.calendar.meetings) == 1

    await app.hr_cancels(departure.id)

    assert app.calendar.meetings == []
    stored = await app.departure(departure.id)
    assert stored.status is DepartureStatus.CANCELLED and stored.meeting_event_id is None
    task = stored.cards["task"]
    last = [r for r in app.requests("PUT", task.activity_id) if r.body][-1]
    card = cards_of(last.body)[0]
    assert app.text("state.cancelled", "da") in texts_of(card)
    assert "booking.reschedule" not in verbs_of(card)
    # Buttons on old cards now change nothing.
    answer = await app.press(PARTNER, "booking.reschedule", {"departure": departure.id})
    assert answer["value"] == app.text("error.stale_action")


async def _task_posted(app: LiveApp, departure_id: str) -> bool:
    return "task" in (await app.departure(departure_id)).cards


async def test_last_day_moved_before_the_booked_slot_offers_new_times(app: LiveApp) -> None:
    departure, _ = await booked(app, index=-1)  # the latest of the times offered
    booked_day = departure.meeting_start.astimezone(departure.zone).date()  # type: ignore[union-attr]
    new_last_day = booked_day - timedelta(days=1)
    while new_last_day.weekday() >= 5:
        new_last_day -= timedelta(days=1)
    outcome = await app.registration.change_last_day(
        departure.id, new_last_day, HR.upn, door="test"
    )
    assert outcome.departure is not None

    assert app.calendar.meetings == []
    stored = await app.departure(departure.id)
    assert stored.status is DepartureStatus.ACCEPTED
    assert stored.proposed_slots
    offered_days = {
        Slot.from_key(key).start.astimezone(stored.zone).date() for key in stored.proposed_slots
    }
    assert max(offered_days) <= new_last_day
    fresh = await app.card_for(LEAVER, app.text("booking.title"))
    assert "booking.pick" in verbs_of(fresh)


async def test_status_shows_each_person_what_they_may_see(app: LiveApp) -> None:
    await booked(app)
    await app.say(LEAVER, "status")
    leaver_view = cards_of(app.sent_to(LEAVER)[-1])[0]
    assert app.text("status.title") in texts_of(leaver_view)
    assert verbs_of(leaver_view) == LEAVER_BOOKED_VERBS

    await app.say(PARTNER, "status")
    holding = cards_of(app.sent_to(PARTNER)[-1])[0]
    assert app.text("status.holding_title") in texts_of(holding)
    assert "Sofie Andersen" in texts_of(holding)

    await app.say(MANAGER, "status")  # not chosen: nothing about the conversation
    assert app.sent_to(MANAGER)[-1]["text"] == app.text("status.none")

    await app.say(HR, "status")
    hr_view = cards_of(app.sent_to(HR)[-1])[0]
    assert app.text("status.hr_title") in texts_of(hr_view)
    assert app.text("state.booked") in texts_of(hr_view)
