"""Choosing the interviewer and a time, on in-memory doubles: what the leaver and HR notice."""

from __future__ import annotations

import pytest

from journey.departure import DepartureStatus, InterviewerKind
from journey.people import DirectoryUnavailable
from journey.proposals import Booked, SlotTaken
from journey.refusals import AlreadyBooked, NotAllowed
from tests.domain.world import LEAVER, MANAGER, PARTNER, STRANGER, World


async def test_choosing_the_hr_partner_offers_five_free_times(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.ACCEPTED)
    proposal = await world.flow.choose(
        LEAVER, departure.id, InterviewerKind.HR_PARTNER, "Peter@Contoso.example"
    )
    assert proposal.departure.interviewer_upn == PARTNER.upn
    assert proposal.departure.interviewer_name == "Peter Holm"
    assert len(proposal.slots) == 5
    assert proposal.departure.proposed_slots == [slot.key for slot in proposal.slots]
    assert world.notifier.kinds()[-1] == "task_changed"


async def test_a_calendar_down_while_choosing_saves_nothing_and_the_choice_can_be_pressed_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    departure = await world.departure(status=DepartureStatus.ACCEPTED)

    async def down(*_args: object) -> None:
        raise DirectoryUnavailable("Graph is down")

    with monkeypatch.context() as patched:
        patched.setattr(world.calendar, "busy_times", down)
        with pytest.raises(DirectoryUnavailable):
            await world.flow.choose(
                LEAVER, departure.id, InterviewerKind.HR_PARTNER, PARTNER.upn or ""
            )
    stored = await world.stored(departure.id)
    assert (stored.interviewer_upn, stored.proposed_slots) == (None, [])
    # The choice and its times are saved together, so the same button works once Graph is back.
    proposal = await world.flow.choose(
        LEAVER, departure.id, InterviewerKind.HR_PARTNER, PARTNER.upn or ""
    )
    assert proposal.departure.interviewer_upn == PARTNER.upn
    assert len(proposal.slots) == 5


async def test_a_manager_the_leaver_did_not_choose_cannot_choose(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.ACCEPTED)
    with pytest.raises(NotAllowed):
        await world.flow.choose(MANAGER, departure.id, InterviewerKind.MANAGER, MANAGER.upn or "")
    assert (await world.stored(departure.id)).interviewer_upn is None


async def test_a_pick_books_the_meeting_and_tells_the_interviewer(world: World) -> None:
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    result = await world.flow.pick(LEAVER, departure.id, proposal.slots[0].key)
    assert isinstance(result, Booked)
    assert result.departure.status is DepartureStatus.BOOKED
    assert result.departure.meeting_start == proposal.slots[0].start
    assert list(world.calendar.meetings) == [result.departure.meeting_event_id]
    assert "booked" in world.notifier.kinds()


async def test_a_time_taken_meanwhile_books_nothing_and_offers_others(world: World) -> None:
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    taken = proposal.slots[0]
    world.calendar.block(PARTNER.upn or "", taken.start, taken.end)
    result = await world.flow.pick(LEAVER, departure.id, taken.key)
    assert isinstance(result, SlotTaken)
    assert world.calendar.meetings == {}
    assert taken.key not in [slot.key for slot in result.slots]
    assert (await world.stored(departure.id)).status is DepartureStatus.ACCEPTED


async def test_a_second_pick_keeps_the_first_booking(world: World) -> None:
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    await world.flow.pick(LEAVER, departure.id, proposal.slots[0].key)
    with pytest.raises(AlreadyBooked):
        await world.flow.pick(LEAVER, departure.id, proposal.slots[1].key)
    assert len(world.calendar.meetings) == 1


async def test_the_interviewer_cancels_and_the_leaver_is_told(world: World) -> None:
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    booked = await world.flow.pick(LEAVER, departure.id, proposal.slots[0].key)
    assert isinstance(booked, Booked)
    saved = await world.flow.cancel_booking(PARTNER, departure.id)
    assert saved.status is DepartureStatus.ACCEPTED
    assert world.calendar.cancelled == [booked.departure.meeting_event_id]
    assert "booking_cancelled_to_leaver" in world.notifier.kinds()


async def test_the_leaver_moves_the_meeting_and_gets_other_times(world: World) -> None:
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    first = proposal.slots[0]
    await world.flow.pick(LEAVER, departure.id, first.key)
    again = await world.flow.reschedule(LEAVER, departure.id)
    assert again.departure.status is DepartureStatus.ACCEPTED
    assert first.key not in again.departure.proposed_slots
    # The leaver asked, so the new times are their answer, not a message.
    assert "slots_to_leaver" not in world.notifier.kinds()


async def test_none_fit_asks_the_interviewer_for_times(world: World) -> None:
    departure = await world.accepted_with_partner()
    await world.flow.propose_again(LEAVER, departure.id)
    saved = await world.flow.none_fit(LEAVER, departure.id)
    assert saved.times_requested_at == world.clock.now()
    assert "ask_for_times" in world.notifier.kinds()
    with pytest.raises(NotAllowed):
        await world.flow.new_times(STRANGER, departure.id)


async def test_hr_cancels_a_booked_departure(world: World) -> None:
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    await world.flow.pick(LEAVER, departure.id, proposal.slots[0].key)
    await world.flow.cancelled(await world.stored(departure.id))
    stored = await world.stored(departure.id)
    assert stored.status is DepartureStatus.CANCELLED
    assert stored.meeting_event_id is None and stored.proposed_slots == []
    assert world.calendar.meetings == {}
    told = [t for t in world.notifier.told if t.what == "departure_cancelled"]
    assert told[0].extra == (True,)  # was booked
