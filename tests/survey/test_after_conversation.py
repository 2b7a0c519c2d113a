"""After the conversation on the real app: the interviewer's notes and "held", the leaver's
thank-you with the unit's offers, and nobody else reading or writing any of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.typedefs import DATABASE
from cards.locale import Speaker
from journey.after_conversation import Gesture
from journey.departure import DepartureStatus
from storage.after_conversation import SqlNotesStore
from tests.cards.validator import assert_valid_cards
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
from tests.journey.test_booking import booked, offered, task_posted
from tests.survey.helpers import card_of, connector_bodies, input_value

MAIN = "Left for a shorter commute; proud of the new intake routine"
AGREED = "I will now take the **rota** question to the [unit meeting](https://evil.example)"
DATA_USE = "Only the rota feedback goes to the department, without her name"
NOTES = {"n_main_points": MAIN, "n_agreed_actions": AGREED, "n_data_use": DATA_USE}


def store(app: LiveApp) -> SqlNotesStore:
    return SqlNotesStore(app.app[DATABASE])


async def _task_for_partner(app: LiveApp) -> tuple[str, dict[str, Any]]:
    departure, _ = await booked(app)
    await app.until(lambda: task_posted(app, departure.id), what="task card sent")
    task = card_of(await app.press(PARTNER, "task.refresh", {"departure": departure.id}))
    return departure.id, task


async def _after_the_meeting(app: LiveApp, departure_id: str) -> None:
    departure = await app.departure(departure_id)
    assert departure.meeting_end is not None
    ahead = departure.meeting_end - app.clock.now() + timedelta(minutes=5)
    app.clock.advance(seconds=ahead.total_seconds())


async def _held(app: LiveApp) -> tuple[str, dict[str, Any]]:
    departure_id, task = await _task_for_partner(app)
    await _after_the_meeting(app, departure_id)
    answer = await app.press_button(PARTNER, task, "task.held", **NOTES)
    return departure_id, card_of(answer)


def _thanks_posted(app: LiveApp) -> list[dict[str, Any]]:
    title = app.text("thanks.after_conversation", name="Sofie Andersen")
    return [c for a in app.sent_to(LEAVER) for c in cards_of(a) if title in texts_of(c)]


async def test_notes_then_held_thanks_the_leaver_with_what_was_agreed(app: LiveApp) -> None:
    departure_id, task = await _task_for_partner(app)
    assert {"task.notes", "task.held"} <= set(verbs_of(task))
    assert app.text("notes.intro", name="Sofie Andersen") in texts_of(task)

    # Before the meeting has started, "held" is refused and nothing changes.
    early = await app.press_button(PARTNER, task, "task.held", **NOTES)
    assert early["value"] == app.text("notes.too_early")
    assert (await app.departure(departure_id)).status is DepartureStatus.BOOKED
    assert await store(app).notes(departure_id) is None

    await _after_the_meeting(app, departure_id)
    saved = card_of(await app.press_button(PARTNER, task, "task.notes", n_main_points=MAIN))
    # The card says it saved, and when (issue 11).
    zone = (await app.departure(departure_id)).zone
    at = Speaker(app.config, "en").moment(app.clock.now(), zone)
    assert app.text("notes.saved", at=at) in texts_of(saved)
    assert input_value(saved, "n_main_points") == MAIN
    # The card that was answered is now stale: a replay of it changes nothing.
    replay = await app.press_button(PARTNER, task, "task.notes", n_main_points="overwritten")
    assert replay["value"] == app.text("error.stale_action")

    held = card_of(await app.press_button(PARTNER, saved, "task.held", **NOTES))
    departure = await app.departure(departure_id)
    assert departure.status is DepartureStatus.HELD
    notes = await store(app).notes(departure_id)
    assert notes is not None and (notes.main_points, notes.agreed_actions) == (MAIN, AGREED)
    assert "task.held" not in verbs_of(held) and "task.notes" in verbs_of(held)
    assert app.text("notes.held_note", name="Sofie Andersen") in texts_of(held)

    # The thank-you reaches the leaver, with the offers but without any note in the chat.
    await app.until(lambda: _ready(bool(_thanks_posted(app))), what="thank-you sent")
    [posted] = _thanks_posted(app)
    for offer in Gesture:
        assert app.text(f"thanks_offer.{offer.value}") in texts_of(posted)
    assert posted["refresh"]["action"]["verb"] == "thanks.refresh"
    assert posted["refresh"]["userIds"] == [LEAVER.user_id]
    for words in (MAIN, AGREED, DATA_USE):
        assert words not in connector_bodies(app, LEAVER.conversation)
        assert words not in connector_bodies(app, departure.cards["task"].conversation_id)

    # The leaver's own view: what was agreed and how it is used, literally; not the main points.
    mine = card_of(await app.press(LEAVER, "thanks.refresh", {"departure": departure_id}))
    assert AGREED in texts_of(mine) and DATA_USE in texts_of(mine)
    assert MAIN not in texts_of(mine)
    runs = [i for b in mine["body"] if b["type"] == "RichTextBlock" for i in b["inlines"]]
    assert {"type": "TextRun", "text": AGREED} in runs  # no markdown: shown as written

    audit = await app.audit(departure_id)
    actions = [e.action for e in audit]
    assert actions.count("conversation.held") == 1
    assert any(
        e.action == "notes.saved" and e.detail["fields"] == "main_points,agreed_actions,data_use"
        for e in audit
    )
    assert not any(MAIN in str(e.detail) or AGREED in str(e.detail) for e in audit)
    assert_valid_cards([task, saved, held, posted, mine])


async def _ready(value: bool) -> bool:
    return value


async def test_the_leaver_asks_for_a_reference_and_the_interviewer_is_told(
    app: LiveApp,
) -> None:
    departure_id, _ = await _held(app)
    await app.until(lambda: _ready(bool(_thanks_posted(app))), what="thank-you sent")
    [posted] = _thanks_posted(app)

    answer = await app.press_button(
        LEAVER,
        posted,
        "thanks.choose",
        o_reference_letter="true",
        o_alumni="true",
        o_contact_later="false",
        alumni_email="sofie@example.org",  # consent to be contacted needs it (issue 11)
    )

    card = card_of(answer)
    assert app.text("thanks_offer.noted") in texts_of(card)
    assert input_value(card, "o_alumni") == "true"
    assert input_value(card, "o_contact_later") == "false"
    wishes = await store(app).wishes(departure_id)
    assert wishes is not None
    assert wishes.chosen == (Gesture.REFERENCE_LETTER, Gesture.ALUMNI)
    title = app.text("thanks.wishes_title", name="Sofie Andersen")
    told = await app.card_for(PARTNER, title)
    assert app.text("thanks_offer.reference_letter") in texts_of(told)
    assert title not in connector_bodies(app, MANAGER.conversation)
    [entry] = [e for e in await app.audit(departure_id) if e.action == "thanks.chosen"]
    assert entry.detail == {"offers": "reference_letter,alumni"}
    assert_valid_cards([card, told])


async def test_nobody_but_the_interviewer_writes_or_reads_the_notes(app: LiveApp) -> None:
    departure_id, task = await _task_for_partner(app)
    await _after_the_meeting(app, departure_id)
    card_of(await app.press_button(PARTNER, task, "task.notes", **NOTES))
    revision = 1

    for other in (MANAGER, HR, STRANGER, LEAVER):
        for verb in ("task.notes", "task.held"):
            data = {"departure": departure_id, "revision": revision, "n_main_points": "forged"}
            answer = await app.press(other, verb, data)
            assert answer["value"] == app.text("error.for_interviewer"), (other, verb)
        seen = card_of(await app.press(other, "task.refresh", {"departure": departure_id}))
        assert MAIN not in texts_of(seen) and "task.notes" not in verbs_of(seen), other
    notes = await store(app).notes(departure_id)
    assert notes is not None and notes.main_points == MAIN and notes.revision == revision
    assert (await app.departure(departure_id)).status is DepartureStatus.BOOKED
    refused = [e for e in await app.audit(departure_id) if e.action == "after.refused"]
    assert {e.actor for e in refused} == {MANAGER.upn, HR.upn, STRANGER.upn, LEAVER.upn}
    # Nor can anyone but the leaver open or answer the thank-you.
    await app.press_button(PARTNER, task, "task.held", index=0, **{**NOTES, "revision": revision})
    for other in (MANAGER, PARTNER, STRANGER):
        seen = card_of(await app.press(other, "thanks.refresh", {"departure": departure_id}))
        assert AGREED not in texts_of(seen)
        forged = await app.press(
            other, "thanks.choose", {"departure": departure_id, "o_alumni": "true"}
        )
        assert forged["value"] == app.text("error.for_leaver")
    assert await store(app).wishes(departure_id) is None


async def test_by_default_a_declined_conversation_brings_no_survey(app: LiveApp) -> None:
    departure, offer = await offered(app)

    declined = card_of(await app.press_button(LEAVER, offer, "offer.decline"))

    assert verbs_of(declined) == ["offer.accept"]
    assert (await app.departure(departure.id)).status is DepartureStatus.DECLINED
