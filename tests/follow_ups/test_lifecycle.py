"""A follow-up from the conversation to done, on the real app with a fixed clock: added on the
task card, the owner's card, the reminder on the due date (once), done, handed on, overdue,
and the closed case (the promise outlives it; the leaver no longer sees it)."""

from __future__ import annotations

from datetime import time, timedelta

from bot.typedefs import CONFIG, DATABASE
from jobs.closing import case_closing
from journey.departure import DepartureStatus
from journey.follow_up_rules import FollowUpState, OwnerKind
from tests.cards.validator import assert_valid_cards
from tests.follow_ups.helpers import WHAT, add, advance_to, cards_to, held_task, reminders, store
from tests.helpers.journey import HR, LEAVER, MANAGER, LiveApp, texts_of, verbs_of
from tests.survey.helpers import card_of


async def test_added_sent_reminded_once_and_done(app: LiveApp) -> None:
    departure_id, task = await held_task(app)
    assert app.text("follow_up.title") in texts_of(task)
    assert "follow_up.add" in verbs_of(task)

    answer, [added] = await add(app, task, days=3)
    card = card_of(answer)
    assert app.text("follow_up.added") in texts_of(card)
    assert WHAT in texts_of(card)  # listed on the task card, as written
    assert (added.owner_upn, added.owner_kind) == (MANAGER.upn, OwnerKind.MANAGER)
    assert added.area == "work_environment" and added.state is FollowUpState.OPEN

    # The owner's card goes now; it names the unit and the area, not the leaver.
    title = app.text("follow_up.card_title")
    owner_card = await app.card_for(MANAGER, title)
    assert WHAT in texts_of(owner_card) and "Sofie" not in texts_of(owner_card)
    assert {"follow_up.done", "follow_up.hand_on"} <= set(verbs_of(owner_card))
    assert owner_card["refresh"]["userIds"] == [MANAGER.user_id]

    # The reminder on the due date at 09:00 in Copenhagen, once, however often time passes.
    await app.settled()
    note = app.text("follow_up.reminder_note")
    assert cards_to(app, MANAGER, note) == []
    advance_to(app, added.due_on, time(9, 1))
    await app.card_for(MANAGER, note)
    await app.settled()
    app.clock.advance(seconds=3600)
    await app.settled()
    assert len(cards_to(app, MANAGER, note)) == 1
    assert await reminders(app) == {"sent": 1}

    # Done, with an outcome: the card shows it in place, without buttons.
    done = card_of(
        await app.press_button(MANAGER, owner_card, "follow_up.done", fu_outcome="New rota")
    )
    assert app.text("follow_up.done_note") in texts_of(done) and "New rota" in texts_of(done)
    assert "follow_up.done" not in verbs_of(done)
    [stored] = await store(app).of_departure(departure_id)
    assert (stored.state, stored.outcome, stored.done_by) == ("done", "New rota", MANAGER.upn)
    audit = [e for e in await app.audit(departure_id) if e.action.startswith("follow_up.")]
    assert [e.action for e in audit] == ["follow_up.created", "follow_up.done"]
    assert not any(WHAT in str(e.detail) or "New rota" in str(e.detail) for e in audit)
    assert_valid_cards([task, card, owner_card, done])


async def test_handed_on_the_new_owner_acts_and_the_old_one_cannot(app: LiveApp) -> None:
    departure_id, task = await held_task(app)
    _answer, [added] = await add(app, task, days=10)
    owner_card = await app.card_for(MANAGER, app.text("follow_up.card_title"))

    handed = card_of(await app.press_button(MANAGER, owner_card, "follow_up.hand_on", fu_to=HR.upn))
    assert app.text("follow_up.handed_on_note", name=HR.upn) in texts_of(handed)
    assert "follow_up.done" not in verbs_of(handed)  # no longer theirs to act on
    [moved] = await store(app).of_departure(departure_id)
    assert (moved.owner_upn, moved.revision) == (HR.upn, added.revision + 1)
    hr_card = await app.card_for(HR, app.text("follow_up.card_title"))

    # The old owner's card (drawn before) is refused and changes nothing.
    old = await app.press_button(MANAGER, owner_card, "follow_up.done", fu_outcome="mine")
    assert old["value"] == app.text("follow_up.not_owner")
    # The due date's reminder moved to the new owner: one pending, for HR.
    await app.settled()
    assert await reminders(app) == {"pending": 1, "cancelled": 1}

    done = card_of(await app.press_button(HR, hr_card, "follow_up.done", fu_outcome="Done"))
    assert app.text("follow_up.done_note") in texts_of(done)
    [finished] = await store(app).of_departure(departure_id)
    assert finished.state is FollowUpState.DONE and finished.done_by == HR.upn
    assert await reminders(app) == {"cancelled": 2}  # a done follow-up is not reminded
    actions = [e.action for e in await app.audit(departure_id) if "follow_up" in e.action]
    assert actions == [
        "follow_up.created",
        "follow_up.handed_on",
        "follow_up.refused",
        "follow_up.done",
    ]
    assert_valid_cards([handed, hr_card, done])


async def test_overdue_stays_open_and_the_leaver_sees_it_until_the_case_closes(
    app: LiveApp,
) -> None:
    departure_id, task = await held_task(app)
    _answer, [added] = await add(app, task, days=1)
    mine = card_of(await app.press(LEAVER, "thanks.refresh", {"departure": departure_id}))
    assert app.text("follow_up.promised_title") in texts_of(mine) and WHAT in texts_of(mine)
    assert app.text("follow_up.role.manager") in texts_of(mine)
    assert MANAGER.upn not in texts_of(mine)  # the role, not the person

    advance_to(app, added.due_on + timedelta(days=2), time(10, 0))
    overdue = card_of(await app.press(LEAVER, "thanks.refresh", {"departure": departure_id}))
    assert app.text("follow_up.overdue") in texts_of(overdue)
    [still] = await store(app).of_departure(departure_id)
    assert still.state is FollowUpState.OPEN

    # The case closes: the promise stands (the owner can still act), the leaver no longer
    # sees it, and the owner's reminder is not withdrawn with the case's messages.
    departure = await app.departure(departure_id)
    advance_to(app, departure.last_working_day + timedelta(days=20), time(10, 0))
    closing = case_closing(app.app[DATABASE], lambda: app.app[CONFIG].current, app.clock)
    assert await closing.close_if_due(departure_id)
    assert (await app.departure(departure_id)).status is DepartureStatus.CLOSED
    closed = card_of(await app.press(LEAVER, "thanks.refresh", {"departure": departure_id}))
    assert WHAT not in texts_of(closed)
    owner_card = await app.card_for(MANAGER, app.text("follow_up.card_title"))
    done = card_of(await app.press_button(MANAGER, owner_card, "follow_up.done", fu_outcome="Late"))
    assert app.text("follow_up.done_note") in texts_of(done)
    assert_valid_cards([mine, overdue, closed, done])
