"""What a pick sends, in each reader's language, now that the click renders neither the
interviewer's confirmation nor the leaver's survey offer (both drawn when they are sent) and
finds the leaver's chosen language from the turn's start: the meeting invitation in the
language the leaver chose, the survey offer in it too, the interviewer's confirmation with the
join link in theirs (Peter's directory entry says da-DK)."""

from __future__ import annotations

from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import LEAVER, LiveApp, texts_of
from tests.journey.test_booking import booked, task_posted, with_slots
from tests.language.test_language_choice import choose


async def test_a_pick_speaks_the_language_the_leaver_chose(app: LiveApp) -> None:
    departure, slots = await with_slots(app)
    await choose(app, LEAVER, "sv")

    await app.press_button(LEAVER, slots, "booking.pick")

    [meeting] = app.calendar.meetings
    assert meeting.subject == app.text("booking.invitation_subject", "sv", name="Sofie Andersen")
    offer = await app.card_for(LEAVER, app.text("survey.offer_title", "sv"))
    await app.until(lambda: task_posted(app, departure.id), what="task card sent")
    task = (await app.departure(departure.id)).cards["task"]
    # Found by its own title: a meeting reminder to the same chat has the join button too.
    confirmed = await app.card_for(task.conversation_id, app.text("state.booked", "da"))
    assert meeting.join_url in str(confirmed["actions"])
    assert app.text("booking.join", "da") in texts_of(confirmed)
    assert_valid_cards([offer, confirmed])


async def test_a_leaver_without_a_choice_reads_the_registered_language(app: LiveApp) -> None:
    await booked(app)
    [meeting] = app.calendar.meetings
    assert meeting.subject == app.text("booking.invitation_subject", name="Sofie Andersen")
    await app.card_for(LEAVER, app.text("survey.offer_title"))
