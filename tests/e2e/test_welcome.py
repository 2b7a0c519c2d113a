"""The real bot in Agents Playground: welcome and help arrive in the person's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings
from config.loader import default_config_dir, load_config
from dialogs.commands import Command, word_for
from storage.migrate import upgrade
from testkit.standins.serve import serve
from tests.e2e.playground import Playground, StreamEvent, require_playground

pytestmark = pytest.mark.playground


def _title(event: StreamEvent) -> str:
    return event.cards[0]["body"][0]["text"] if event.cards else ""


@pytest.mark.parametrize(
    ("locale", "language"), [("da-DK", "da"), ("sv-SE", "sv"), ("nb-NO", "nb"), ("en-GB", "en")]
)
async def test_welcome_and_help_arrive_in_the_users_language(
    tmp_path: Path, locale: str, language: str
) -> None:
    require_playground()
    config = load_config(default_config_dir())
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(database_url)
    settings = Settings(_env_file=None, EXITBOT_LOCAL_MODE=True, DATABASE_URL=database_url)
    async with (
        serve(create_app(settings)) as bot_url,
        Playground(f"{bot_url}/api/messages", locale=locale) as playground,
    ):
        await playground.install()
        welcome = await playground.wait_for(lambda event: bool(event.cards))
        assert _title(welcome) == config.text("welcome.title", language)

        await playground.send_text(word_for(Command.HELP, language))
        help_title = config.text("help.title", language)
        answer = await playground.wait_for(lambda event: _title(event) == help_title)
        facts = next(b for b in answer.cards[0]["body"] if b["type"] == "FactSet")["facts"]
        assert facts[0]["title"] == word_for(Command.HELP, language)
        # Install sends installationUpdate and conversationUpdate: still one welcome.
        welcomes = [e for e in playground.events if _title(e) == _title(welcome)]
        assert len(welcomes) == 1
