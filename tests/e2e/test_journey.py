"""The exit journey in Agents Playground: the offer in four languages, and the whole journey
as `make run` plays it (config/demo/playground.yml: HR registers her own departure)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.typedefs import DATABASE, PEOPLE, REGISTRATION
from config.loader import LoadedConfig, default_config_dir, load_config
from dialogs.commands import Command, word_for
from journey.registration_rules import RegistrationRequest
from people.local_directory import LocalDirectory
from storage.migrate import upgrade
from storage.repositories import SqlDepartureRepository
from testkit.standins.serve import serve
from tests.cards.validator import assert_valid_cards
from tests.e2e.demo import (
    SOFIE,
    DemoPlayground,
    book_own_conversation,
    buttons,
    demo_settings,
    title_of,
)
from tests.e2e.playground import Playground, require_playground
from tests.helpers.journey import verbs_of

pytestmark = pytest.mark.playground

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_PLAYGROUND = REPO_ROOT / "config" / "demo" / "playground.yml"


async def _register(app: Any, leaver: str, config: LoadedConfig) -> str:
    outcome = await app[REGISTRATION].register(
        RegistrationRequest(
            leaver=leaver,
            manager="manager@contoso.example",
            unit="social-care",
            last_working_day=date.today() + timedelta(days=21),
        ),
        "hr@contoso.example",
        door="teams",
    )
    assert outcome.departure is not None, outcome.problems
    return outcome.departure.id


@pytest.mark.parametrize("language", ["da", "sv", "nb", "en"])
async def test_the_leaver_chooses_a_language_and_the_offer_comes_in_it(
    tmp_path: Path, language: str
) -> None:
    """The Playground always sends en-US and the directory says Sofie reads Danish: the
    language she chooses with the `language` command (in any of its words) comes first."""
    require_playground()
    config = load_config(default_config_dir())
    settings = demo_settings(tmp_path)
    await upgrade(settings.database_url)
    app = create_app(settings)
    async with (
        serve(app) as bot_url,
        Playground(f"{bot_url}/api/messages", user=SOFIE) as playground,
    ):
        await playground.install()
        await playground.wait_for(lambda event: bool(event.cards))  # the welcome
        await playground.send_text(word_for(Command.LANGUAGE, language))
        languages = await playground.wait_for(
            lambda event: bool(event.cards and buttons(event.cards[0], "language.choose"))
        )
        [choice] = [
            button
            for button in buttons(languages.cards[0], "language.choose")
            if button["data"]["language"] == language
        ]
        chosen = await playground.execute(
            "language.choose", choice["data"], reply_to=languages.message_id
        )
        # A forged choice is refused and changes nothing.
        forged = await playground.execute(
            "language.choose", {"language": "fr"}, reply_to=languages.message_id
        )
        await _register(app, SOFIE.email, config)

        title = config.text("offer.title", language, unit="social-care")
        offer = await playground.wait_for(lambda event: title_of(event) == title)

    assert chosen["value"]["lang"] == language
    assert forged["type"] == "application/vnd.microsoft.activity.message"
    assert forged["value"] == config.text("language.not_offered", language)
    card = offer.cards[0]
    body = config.text(
        "offer.body", language, unit="social-care", name="Sofie Andersen", minutes=60
    )
    assert card["body"][1]["text"] == body
    assert card["lang"] == language
    assert verbs_of(card)[:3] == ["offer.accept", "offer.decline", "offer.later"]
    assert_valid_cards([languages.cards[0], chosen["value"], card])


async def test_the_demo_journey_from_registration_to_a_booked_conversation(
    tmp_path: Path,
) -> None:
    require_playground()
    config = load_config(default_config_dir())
    settings = demo_settings(tmp_path)
    await upgrade(settings.database_url)
    app = create_app(settings)
    async with (
        serve(app) as bot_url,
        DemoPlayground(f"{bot_url}/api/messages") as playground,
    ):
        await playground.install()
        await playground.wait_for(lambda event: bool(event.cards))  # the welcome
        # Hanne (HR) registers her own departure through the form, as README's demo says:
        # the Playground has one person at the keyboard.
        departures = SqlDepartureRepository(app[DATABASE])
        booked = await book_own_conversation(playground, config, departures)
        departure_id = booked.departure_id

        local = app[PEOPLE].calendar
        assert isinstance(local, LocalDirectory)
        [meeting] = local.meetings
        departure = await departures.get(departure_id)

    card = booked.card
    [join] = [a for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert join["url"] == meeting.join_url
    assert (meeting.organizer, meeting.attendees) == (
        "hrpartner@contoso.example",
        ("hr@contoso.example",),
    )
    assert departure.status == "booked" and departure.meeting_event_id == meeting.event_id
    when = card["body"][1]["text"]
    assert "Peter Holm" in when
    assert_valid_cards([booked.offer, booked.choice, booked.slots, card])
