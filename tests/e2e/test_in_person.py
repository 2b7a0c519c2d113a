"""An in-person conversation in Agents Playground: Peter Holm (the demo's HR partner) is at the
keyboard; Sofie chose him and booked a Teams meeting; he moves it to a meeting room from his
task card. The calendar then holds an in-person meeting with the place and no Teams link."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.typedefs import FLOW, PEOPLE, REGISTRATION
from config.loader import default_config_dir, load_config
from journey.access import Act, Asker
from journey.departure import InterviewerKind, MeetingMode
from journey.proposals import Booked
from journey.registration_rules import RegistrationRequest
from people.local_directory import LocalDirectory
from storage.migrate import upgrade
from testkit.standins.serve import serve
from tests.cards.validator import assert_valid_cards
from tests.e2e.demo import buttons, demo_settings, title_of
from tests.e2e.playground import Playground, PlaygroundUser, require_playground

pytestmark = pytest.mark.playground

PETER = PlaygroundUser(
    id="29:1playground-peter",
    name="Peter Holm",
    aad_object_id="6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f01",
    given_name="Peter",
    surname="Holm",
    email="hrpartner@contoso.example",
)
SOFIE = Asker(user_id="sofie", upn="leaver@contoso.example", is_hr=False)
HR = Asker(user_id="hanne", upn="hr@contoso.example", is_hr=True)
ROOM = "Mødelokale 2, Rådhuset"


def _texts(card: dict[str, Any]) -> str:
    return repr(card)


async def test_the_interviewer_moves_a_booked_meeting_to_a_room(tmp_path: Path) -> None:
    require_playground()
    config = load_config(default_config_dir())
    settings = demo_settings(tmp_path)
    await upgrade(settings.database_url)
    app = create_app(settings)
    async with serve(app) as bot_url, Playground(f"{bot_url}/api/messages", user=PETER) as pg:
        await pg.install()
        await pg.wait_for(lambda event: bool(event.cards))  # the welcome
        await pg.send_text("help")  # Peter's Teams language is known from here on
        await pg.wait_for(lambda event: bool(event.cards))
        outcome = await app[REGISTRATION].register(
            RegistrationRequest(
                leaver=SOFIE.upn,
                manager="manager@contoso.example",
                unit="social-care",
                last_working_day=date.today() + timedelta(days=28),
                locale="da",
            ),
            "hr@contoso.example",
            door="teams",
        )
        assert outcome.departure is not None, outcome.problems
        departure_id = outcome.departure.id
        flow = app[FLOW]
        await flow.accept(SOFIE, departure_id)
        proposal = await flow.choose(SOFIE, departure_id, InterviewerKind.HR_PARTNER, PETER.email)
        booked = await flow.pick(SOFIE, departure_id, proposal.slots[0].key)
        assert isinstance(booked, Booked)

        # Peter's task card, as it stands once the booking is in (in English: his Teams).
        task_title = config.text("task.title", "en", unit="social-care", name="Sofie Andersen")
        # Peter's task card: the one sent when Sofie chose him may not have been updated yet
        # with the booking, so he refreshes it, as Teams does when he opens the chat.
        task = await pg.wait_for(
            lambda event: title_of(event) == task_title and "refresh" in event.cards[0]
        )
        refresh = task.cards[0]["refresh"]["action"]
        current = await pg.execute("task.refresh", refresh["data"], reply_to=task.message_id)
        assert current["type"] == "application/vnd.microsoft.card.adaptive"
        save = buttons(current["value"], "meeting.in_person")[0]
        # A place with a hidden bidi override is refused, and nothing changes.
        refused = await pg.execute(
            "meeting.in_person", {**save["data"], "place": "Rum\u202e 2"}, reply_to=task.message_id
        )
        moved = await pg.execute(
            "meeting.in_person", {**save["data"], "place": ROOM}, reply_to=task.message_id
        )
        calendar = app[PEOPLE].calendar
        assert isinstance(calendar, LocalDirectory)
        meetings = list(calendar.meetings)
        stored = await flow.open(HR, departure_id, Act.VIEW_BOOKING)

    assert refused["type"] == "application/vnd.microsoft.activity.message"
    assert refused["value"] == config.text("meeting.refused.place_control", "en")
    assert moved["type"] == "application/vnd.microsoft.card.adaptive"
    assert ROOM in _texts(moved["value"])
    assert (stored.meeting_mode, stored.meeting_place) == (MeetingMode.IN_PERSON, ROOM)
    [meeting] = meetings  # the Teams meeting is cancelled, one in person at the same time
    assert meeting.start == booked.departure.meeting_start
    assert meeting.location == ROOM and not meeting.join_url
    assert_valid_cards([current["value"], moved["value"]])
