"""A good farewell for everyone on the real app (issue 11, seed 000): the unit's offers reach a
leaver who declined the conversation; consent to alumni contact keeps a private e-mail that HR
can export, that outlives retention, and that the person can withdraw."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.typedefs import DATABASE
from jobs.retention import answer_keeper
from journey.after_conversation import Gesture
from journey.departure import DepartureStatus
from journey.ports import NotFound
from storage.after_conversation import SqlNotesStore
from storage.alumni import SqlAlumni
from storage.retention import apply_retention
from tests.cards.validator import assert_valid_cards
from tests.cli.helpers import REPO, command_env, run_exitbot
from tests.helpers.journey import LEAVER, PARTNER, LiveApp, actions_of, cards_of, texts_of
from tests.journey.test_booking import booked, offered
from tests.survey.helpers import card_of

CPH = ZoneInfo("Europe/Copenhagen")
NAME = "Sofie Andersen"
PRIVATE = "sofie.andersen@example.org"


def move_clock_to(app: LiveApp, moment: datetime) -> None:
    app.clock.advance(seconds=(moment - app.clock.now()).total_seconds())


def alumni(app: LiveApp) -> SqlAlumni:
    return SqlAlumni(app.app[DATABASE])


async def _declined_until_the_farewell(app: LiveApp) -> tuple[str, dict[str, Any]]:
    """The leaver says no to the conversation; on the farewell reminder's day (Tuesday 15
    December, three days before the last day) the offers reach them all the same."""
    await app.say(PARTNER, "help")  # the unit's HR contact has talked to the bot
    departure, offer = await offered(app)
    await app.press_button(LEAVER, offer, "offer.decline")
    assert (await app.departure(departure.id)).status is DepartureStatus.DECLINED
    intro = app.text("farewell.gestures", name=NAME)
    day_before = datetime.combine(date(2026, 12, 14), time(12), tzinfo=CPH)
    move_clock_to(app, day_before.astimezone(UTC))
    await app.settled()
    assert not any(intro in texts_of(c) for a in app.sent_to(LEAVER) for c in cards_of(a))
    move_clock_to(app, datetime.combine(date(2026, 12, 15), time(8), tzinfo=CPH).astimezone(UTC))
    return departure.id, await app.card_for(LEAVER, intro)


async def _export(tmp_path: Path, name: str) -> list[dict[str, str]]:
    """HR runs `exitbot alumni export --out FILE` on the app's database."""
    env = command_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}")
    out = tmp_path / name
    code, _, err = await run_exitbot("alumni", "export", "--out", str(out), env=env, cwd=REPO)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


async def test_a_leaver_who_declined_gets_the_offers_on_the_farewell_day(app: LiveApp) -> None:
    departure_id, card = await _declined_until_the_farewell(app)

    for offer in Gesture:
        assert app.text(f"thanks_offer.{offer.value}") in texts_of(card)
    assert app.text("alumni.email_label") in texts_of(card)
    assert card["refresh"]["action"]["verb"] == "thanks.refresh"
    assert card["refresh"]["userIds"] == [LEAVER.user_id]
    # Sent once, and the reference can be asked for; HR's contact is told (no interviewer).
    app.clock.advance(hours=2)
    await app.settled()
    intro = app.text("farewell.gestures", name=NAME)
    sent = [c for a in app.sent_to(LEAVER) for c in cards_of(a) if intro in texts_of(c)]
    assert len(sent) == 1
    answer = await app.press_button(LEAVER, card, "thanks.choose", o_reference_letter="true")
    mine = card_of(answer)
    assert app.text("thanks_offer.noted") in texts_of(mine)
    wishes = await SqlNotesStore(app.app[DATABASE]).wishes(departure_id)
    assert wishes is not None and wishes.chosen == (Gesture.REFERENCE_LETTER,)
    told = await app.card_for(PARTNER, app.text("thanks.wishes_title", name=NAME))
    assert app.text("thanks_offer.reference_letter") in texts_of(told)
    assert_valid_cards([card, mine, told])


async def test_alumni_consent_keeps_a_private_email_through_retention_until_withdrawn(
    app: LiveApp, tmp_path: Path
) -> None:
    departure_id, card = await _declined_until_the_farewell(app)
    store = SqlNotesStore(app.app[DATABASE])

    # A bad address and the work address are refused with a clear message; nothing is kept.
    for typed, refusal in (
        ("sofie at example", "alumni.email_bad"),
        ("sofie\u202e@example.org", "alumni.email_bad"),  # a hidden direction mark
        ("Sofie@Contoso.example", "alumni.email_work"),
        ("", "alumni.email_needed"),
    ):
        answer = await app.press_button(
            LEAVER, card, "thanks.choose", o_alumni="true", alumni_email=typed
        )
        assert answer["value"] == app.text(refusal), typed
    assert await alumni(app).contact(departure_id) is None
    assert await store.wishes(departure_id) is None

    mine = card_of(
        await app.press_button(
            LEAVER,
            card,
            "thanks.choose",
            o_alumni="true",
            alumni_email=" Sofie.Andersen@Example.org ",
        )
    )
    kept = await alumni(app).contact(departure_id)
    assert kept is not None and (kept.private_email, kept.name) == (PRIVATE, NAME)
    assert app.text("alumni.kept", email=PRIVATE) in texts_of(mine)
    assert "alumni.withdraw" in [a["verb"] for a in actions_of(mine)]
    audit = await app.audit(departure_id)
    assert "alumni.consented" in [e.action for e in audit]
    assert not any("example.org" in str(e.detail) for e in audit)

    rows = await _export(tmp_path, "alumni.csv")
    assert rows == [
        {
            "name": NAME,
            "unit": "social-care",
            "private_email": PRIVATE,
            "consented_at": "2026-12-15",
        }
    ]

    # Withdrawn from the card: the entry goes, audited without the address.
    withdrawn = card_of(await app.press_button(LEAVER, mine, "alumni.withdraw"))
    assert app.text("alumni.withdrawn") in texts_of(withdrawn)
    assert await alumni(app).contact(departure_id) is None
    wishes = await store.wishes(departure_id)
    assert wishes is not None and Gesture.ALUMNI not in wishes.chosen
    assert "alumni.withdrawn" in [e.action for e in await app.audit(departure_id)]
    assert await _export(tmp_path, "after-withdrawal.csv") == []
    assert_valid_cards([card, mine, withdrawn])

    # Consent again; a year and a month after the last day retention anonymises the departure,
    # and only the consented entry outlives it.
    await app.press_button(
        LEAVER, card, "thanks.choose", o_contact_later="true", alumni_email=PRIVATE
    )
    later = datetime(2028, 1, 20, 3, 0, tzinfo=UTC)
    report = await apply_retention(
        app.app[DATABASE], months=12, now=later, keep_answer=answer_keeper(app.config)
    )
    assert report.departures == 1
    assert report.counts.kept["alumni_contacts"] == 1
    with pytest.raises(NotFound):
        await app.departure(departure_id)
    assert await store.wishes(departure_id) is None
    assert [row["private_email"] for row in await _export(tmp_path, "kept.csv")] == [PRIVATE]

    # After the departure is gone the person asks HR to withdraw: by their e-mail.
    env = command_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}")
    code, out, err = await run_exitbot("alumni", "withdraw", "--email", PRIVATE, env=env, cwd=REPO)
    assert (code, err) == (0, ""), err
    assert "1 alumni contact(s) deleted" in out
    assert await alumni(app).contact(departure_id) is None
    code, _, err = await run_exitbot("alumni", "withdraw", "--email", PRIVATE, env=env, cwd=REPO)
    assert code == 1 and "no alumni contact has that e-mail" in err


async def test_after_the_conversation_the_interviewer_is_reminded_to_record_the_notes(
    app: LiveApp,
) -> None:
    await app.say(PARTNER, "help")
    departure, _ = await booked(app)
    assert departure.meeting_end is not None
    opens = app.text("reminder.notes_open")

    def reminders() -> list[dict[str, Any]]:
        return [c for a in app.sent_to(PARTNER) for c in cards_of(a) if opens in texts_of(c)]

    move_clock_to(app, departure.meeting_end - timedelta(minutes=1))
    await app.settled()
    assert not reminders(), "the notes reminder came before the conversation ended"
    move_clock_to(app, departure.meeting_end + timedelta(minutes=1))

    async def arrived() -> bool:
        return bool(reminders())

    await app.until(arrived, what="the notes reminder")
    [reminder] = reminders()
    # Its button opens the interviewer's own task card with the notes form.
    task = card_of(await app.press_button(PARTNER, reminder, "task.refresh"))
    assert {"task.notes", "task.held"} <= {a["verb"] for a in actions_of(task)}
    assert_valid_cards([reminder, task])
