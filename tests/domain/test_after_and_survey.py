"""The survey and the time after the conversation, on in-memory doubles."""

from __future__ import annotations

import pytest

from journey.after_conversation import NoteField, NotYetHeld
from journey.departure import DepartureStatus
from journey.refusals import NotAllowed, Reason, StaleAction
from journey.survey import Attribution, SurveyStatus
from tests.domain.world import HR, LEAVER, MANAGER, PARTNER, World


async def _booked(world: World):  # type: ignore[no-untyped-def]
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    await world.flow.pick(LEAVER, departure.id, proposal.slots[0].key)
    return await world.stored(departure.id)


async def test_a_sent_survey_is_read_by_the_interviewer_not_the_manager(world: World) -> None:
    departure = await world.accepted_with_partner()
    step = await world.surveys.start(LEAVER, departure.id, Attribution.INTERVIEWER_ONLY)
    step = await world.surveys.answer(
        LEAVER,
        departure.id,
        revision=step.progress.revision,
        section_id="work",
        raw={"climate": "3", "comment": "kind words"},
    )
    assert step.on_summary
    step = await world.surveys.attribute(
        LEAVER, departure.id, revision=step.progress.revision, changes={}, send=True
    )
    assert step.progress.status is SurveyStatus.SENT
    assert world.sent == [departure.id]
    stored = await world.stored(departure.id)
    assert len(await world.surveys.readable_answers(PARTNER, stored)) == 2
    assert await world.surveys.readable_answers(MANAGER, stored) == []
    assert await world.surveys.readable_answers(HR, stored) == []
    assert "kind words" not in str([e.model_dump() for e in world.audit.entries])


async def test_an_older_survey_card_changes_nothing(world: World) -> None:
    departure = await world.accepted_with_partner()
    step = await world.surveys.start(LEAVER, departure.id, Attribution.NAMED)
    old = step.progress.revision
    await world.surveys.answer(
        LEAVER, departure.id, revision=old, section_id="work", raw={"climate": "2"}
    )
    with pytest.raises(StaleAction):
        await world.surveys.answer(
            LEAVER, departure.id, revision=old, section_id="work", raw={"climate": "1"}
        )
    assert world.audit.entries[-1].detail == {"reason": "stale"}


async def test_only_the_leaver_takes_the_survey(world: World) -> None:
    departure = await world.accepted_with_partner()
    with pytest.raises(NotAllowed) as refused:
        await world.surveys.start(PARTNER, departure.id, Attribution.NAMED)
    # Audited once by dialogs.router with this reason and detail.
    assert (refused.value.action, refused.value.reason) == ("survey.refused", Reason.NOT_LEAVER)
    assert refused.value.detail == {"step": "start"}


async def test_held_before_the_meeting_starts_is_refused(world: World) -> None:
    departure = await _booked(world)
    with pytest.raises(NotYetHeld):
        await world.after.record(PARTNER, departure.id, revision=0, texts={}, held=True)
    assert (await world.stored(departure.id)).status is DepartureStatus.BOOKED


async def test_held_once_thanks_the_leaver_once_and_shows_only_what_was_agreed(
    world: World,
) -> None:
    departure = await _booked(world)
    assert departure.meeting_start is not None
    world.clock.advance(days=30)
    texts = {NoteField.MAIN_POINTS: "private", NoteField.AGREED_ACTIONS: "a reference"}
    held, notes = await world.after.record(
        PARTNER, departure.id, revision=0, texts=texts, held=True
    )
    assert held.status is DepartureStatus.HELD
    await world.after.record(PARTNER, departure.id, revision=notes.revision, texts={}, held=True)
    assert world.notifier.kinds().count("thank_you") == 1
    _, shown, _ = await world.after.for_leaver(LEAVER, departure.id)
    assert shown is not None
    assert shown.agreed_actions == "a reference" and shown.main_points == ""
    assert await world.after.notes_for(MANAGER, held) is None
    with pytest.raises(NotAllowed):
        await world.after.record(MANAGER, departure.id, revision=1, texts={})
