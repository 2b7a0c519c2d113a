"""A unit that turns on `reminders.escalate_unanswered_offer_to_manager` (issue 11), on the
real app: the offer left unanswered after the one reminder reaches the manager, once."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime

import pytest

from config.loader import default_config_dir
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import LEAVER, MANAGER, LiveApp, texts_of
from tests.reminders.test_reminders_journey import (
    at_start_of,
    cards_with,
    move_clock_to,
    registered,
    settle,
)


@pytest.fixture
def journey_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """HR's default configuration with the unanswered offer going to the manager."""
    directory = tmp_path_factory.mktemp("config")
    shutil.copytree(default_config_dir(), directory, dirs_exist_ok=True)
    organisation = directory / "organisation.yaml"
    text = organisation.read_text(encoding="utf-8")
    text, found = re.subn(
        r"^(    escalate_unanswered_offer_to_manager:) false$", r"\1 true", text, flags=re.M
    )
    if not found:  # the example file does not spell out the default
        text, found = re.subn(
            r"^(    escalate_after_working_days: .*)$",
            r"\1\n    escalate_unanswered_offer_to_manager: true",
            text,
            count=1,
            flags=re.MULTILINE,
        )
    assert found == 1
    organisation.write_text(text, encoding="utf-8")
    return {"EXITBOT_CONFIG_DIR": str(directory)}


async def test_where_the_unit_says_so_silence_reaches_the_manager(app: LiveApp) -> None:
    await registered(app)
    offer = await app.card_for(LEAVER, app.text("offer.title"))
    await app.press_button(LEAVER, offer, "offer.later")
    # The offer comes again on Thursday 26 November (three days later)...
    move_clock_to(app, datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    again = await app.card_for(LEAVER, app.text("offer.reminder"))

    # ...and three working days after that (Tuesday 1 December) the manager hears, once.
    silence = app.text("reminder.escalation", name="Sofie Andersen", days=3)
    move_clock_to(app, at_start_of(date(2026, 12, 1)))
    escalation = await app.card_for(MANAGER, silence)
    assert "Sofie Andersen" in texts_of(escalation)
    app.clock.advance(hours=1)
    await settle(app)
    assert len(cards_with(app, MANAGER, silence)) == 1
    # Answering now ends the ladder: HR is not told three working days later.
    await app.press_button(LEAVER, again, "offer.accept")
    move_clock_to(app, at_start_of(date(2026, 12, 4)))
    await settle(app)
    hr_silence = app.text("reminder.escalation", name="Sofie Andersen", days=6)
    assert not any(hr_silence in texts_of(c) for c in app.connector.cards())
    assert_valid_cards([again, escalation])
