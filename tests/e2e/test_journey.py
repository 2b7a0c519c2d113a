"""The exit journey in Agents Playground: the offer in four languages, and the whole journey
as `make run` plays it (config/demo/playground.yml: HR registers her own departure)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.app import create_app
from bot.settings import Settings
from bot.typedefs import DATABASE, PEOPLE, REGISTRATION
from config.loader import LoadedConfig, default_config_dir, load_config
from dialogs.commands import Command, word_for
from journey.registration_rules import RegistrationRequest
from people.local_directory import LocalDirectory
from storage.migrate import upgrade
from storage.repositories import SqlDepartureRepository
from testkit.standins.serve import serve
from tests.cards.validator import assert_valid_cards
from tests.e2e.playground import Playground, PlaygroundUser, StreamEvent, require_playground
from tests.helpers.journey import actions_of, verbs_of

pytestmark = pytest.mark.playground

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_PLAYGROUND = REPO_ROOT / "config" / "demo" / "playground.yml"
# Sofie Andersen of config/demo/people.yaml at the keyboard.
SOFIE = PlaygroundUser(
    id="29:1playground-sofie",
    name="Sofie Andersen",
    aad_object_id="00000000-0000-0000-0000-0000000000020",
    given_name="Sofie",
    surname="Andersen",
    email="leaver@contoso.example",
)


class DemoPlayground(Playground):
    """The Playground with the demo's own configuration file, as `make run` starts it."""

    def __init__(self, bot_endpoint: str, **options: Any) -> None:
        demo = YAML(typ="safe").load(DEMO_PLAYGROUND.read_text(encoding="utf-8"))
        me = demo["currentUser"]
        user = PlaygroundUser(
            id=me["id"],
            name=me["name"],
            aad_object_id=me["aadObjectId"],
            given_name=me["givenName"],
            surname=me["surname"],
            email=me["email"],
        )
        super().__init__(
            bot_endpoint,
            user=user,
            tenant_id=demo["tenantId"],
            bot_id=demo["bot"]["id"],
            bot_name=demo["bot"]["name"],
            conversation_id=demo["personalChat"]["id"],
            **options,
        )
        self._demo = demo

    def _write_config(self, path: Path) -> None:
        path.write_text(json.dumps(self._demo), encoding="utf-8")


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        EXITBOT_LOCAL_MODE=True,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}",
    )


def _buttons(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [action for action in actions_of(card) if action["verb"] == verb]


def _title(event: StreamEvent) -> str:
    return event.cards[0]["body"][0]["text"] if event.cards else ""


async def _register(app: Any, leaver: str, config: LoadedConfig) -> str:
    outcome = await app[REGISTRATION].register(
        RegistrationRequest(
            leaver=leaver,
            manager="manager@contoso.example",
            unit="social-care",
            last_working_day=date.today() + timedelta(days=21),
        ),
        "hr@contoso.example",
        door="e2e",
    )
    assert outcome.departure is not None, outcome.problems
    return outcome.departure.id


@pytest.mark.parametrize(
    ("locale", "language"), [("da-DK", "da"), ("sv-SE", "sv"), ("nb-NO", "nb"), ("en-GB", "en")]
)
async def test_the_offer_reaches_the_leaver_in_their_language(
    tmp_path: Path, locale: str, language: str
) -> None:
    require_playground()
    config = load_config(default_config_dir())
    settings = _settings(tmp_path)
    await upgrade(settings.database_url)
    app = create_app(settings)
    async with (
        serve(app) as bot_url,
        Playground(f"{bot_url}/api/messages", user=SOFIE, locale=locale) as playground,
    ):
        await playground.install()
        await playground.wait_for(lambda event: bool(event.cards))  # the welcome
        # Sofie writes once: from then on the bot knows her Teams language for sure (install
        # sends a conversationUpdate without a locale alongside the installationUpdate).
        await playground.send_text(word_for(Command.HELP, language))
        await playground.wait_for(lambda event: bool(event.cards))  # the help
        await _register(app, SOFIE.email, config)

        title = config.text("offer.title", language, unit="social-care")
        offer = await playground.wait_for(lambda event: _title(event) == title)

    card = offer.cards[0]
    body = config.text(
        "offer.body", language, unit="social-care", name="Sofie Andersen", minutes=60
    )
    assert card["body"][1]["text"] == body
    assert card["lang"] == language
    assert verbs_of(card) == ["offer.accept", "offer.decline", "offer.later"]
    assert_valid_cards([card])


async def test_the_demo_journey_from_registration_to_a_booked_conversation(
    tmp_path: Path,
) -> None:
    require_playground()
    config = load_config(default_config_dir())
    settings = _settings(tmp_path)
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
        await playground.send_text("register")
        form = await playground.wait_for(
            lambda event: _title(event) == config.text("register.title", "en")
        )
        inputs = {
            "leaver": "hr@contoso.example",
            "manager": "manager@contoso.example",
            "unit": "social-care",
            "last_working_day": (date.today() + timedelta(days=21)).isoformat(),
            "locale": "",
        }
        registered = await playground.execute("register.submit", inputs, reply_to=form.message_id)
        assert registered["type"] == "application/vnd.microsoft.card.adaptive"
        departures = SqlDepartureRepository(app[DATABASE])
        [departure] = await departures.list_for_person("hr@contoso.example")
        departure_id = departure.id

        offer = await playground.wait_for(
            lambda event: _title(event) == config.text("offer.title", "en")
        )
        message = offer.message_id
        accept = _buttons(offer.cards[0], "offer.accept")[0]
        choice = await playground.execute("offer.accept", accept["data"], reply_to=message)
        assert choice["type"] == "application/vnd.microsoft.card.adaptive"
        partner = next(
            button
            for button in _buttons(choice["value"], "interviewer.choose")
            if button["data"]["person"] == "hrpartner@contoso.example"
        )
        slots = await playground.execute("interviewer.choose", partner["data"], reply_to=message)
        times = _buttons(slots["value"], "booking.pick")
        assert 3 <= len(times) <= 5
        confirmation = await playground.execute("booking.pick", times[0]["data"], reply_to=message)

        local = app[PEOPLE].calendar
        assert isinstance(local, LocalDirectory)
        [meeting] = local.meetings
        departure = await departures.get(departure_id)

    card = confirmation["value"]
    [join] = [a for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert join["url"] == meeting.join_url
    assert (meeting.organizer, meeting.attendees) == (
        "hrpartner@contoso.example",
        ("hr@contoso.example",),
    )
    assert departure.status == "booked" and departure.meeting_event_id == meeting.event_id
    when = card["body"][1]["text"]
    assert "Peter Holm" in when
    assert_valid_cards([offer.cards[0], choice["value"], slots["value"], card])
