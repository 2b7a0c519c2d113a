"""HR registers a departure in Agents Playground: register → form → submit → confirmation."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings
from cards.locale import Speaker
from config.loader import default_config_dir, load_config
from dialogs.commands import Command, word_for
from storage.database import Database
from storage.migrate import upgrade
from storage.repositories import SqlDepartureRepository
from testkit.standins.serve import serve
from tests.cards.validator import assert_valid_card
from tests.e2e.playground import Playground, PlaygroundUser, StreamEvent, require_playground

pytestmark = pytest.mark.playground

# The person at the keyboard is HR: the bot learns the UPN from the Playground's connector
# (GET /v3/conversations/{id}/members/{userId} answers the configured userPrincipleName).
HR_USER = PlaygroundUser(
    id="29:1playground-hr",
    name="Hanne Rasmussen",
    aad_object_id="7a3c1f2e-0000-4000-8000-000000000022",
    given_name="Hanne",
    surname="Rasmussen",
    email="hr@contoso.example",
)


def _title(event: StreamEvent) -> str:
    return event.cards[0]["body"][0]["text"] if event.cards else ""


@pytest.mark.parametrize(("locale", "language"), [("da-DK", "da"), ("en-GB", "en")])
async def test_hr_registers_a_departure_through_the_form(
    tmp_path: Path, locale: str, language: str
) -> None:
    require_playground()
    config = load_config(default_config_dir())
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(database_url)
    settings = Settings(_env_file=None, EXITBOT_LOCAL_MODE=True, DATABASE_URL=database_url)
    last_day = date.today() + timedelta(days=30)
    async with (
        serve(create_app(settings)) as bot_url,
        Playground(f"{bot_url}/api/messages", user=HR_USER, locale=locale) as playground,
    ):
        await playground.install()
        await playground.wait_for(lambda event: bool(event.cards))  # the welcome

        await playground.send_text(word_for(Command.REGISTER, language))
        form = await playground.wait_for(
            lambda event: _title(event) == config.text("register.title", language)
        )
        card = form.cards[0]
        assert_valid_card(card)
        assert card["actions"][0]["verb"] == "register.submit"

        inputs = {
            "leaver": "leaver@contoso.example",
            "manager": "",
            "unit": "technical-services",
            "last_working_day": last_day.isoformat(),
            "locale": "",
        }
        answer = await playground.execute("register.submit", inputs, reply_to=form.message_id)

    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    confirmation = answer["value"]
    assert_valid_card(confirmation)
    written_out = Speaker(config, language).day(last_day)  # one date style per language
    expected = config.text(
        "register.created", language, name="Sofie Andersen", last_day=written_out
    )
    texts = [block.get("text") for block in confirmation["body"]]
    assert texts[0] == "Sofie Andersen"
    assert expected in texts
    db = await Database.open(database_url)
    try:
        [departure] = await SqlDepartureRepository(db).list_for_person("leaver@contoso.example")
    finally:
        await db.close()
    assert departure.last_working_day == last_day
    assert departure.unit == "technical-services"
    assert departure.manager_upn == "manager@contoso.example"
