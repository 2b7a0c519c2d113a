"""HR's YAML says what a leaver is offered, on the real app: a unit that offers a dismissed
leaver the survey and no conversation, and a unit that offers the survey instead (seed 002)."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from bot.typedefs import DATABASE
from config.loader import default_config_dir
from journey.departure import DepartureStatus
from storage.tables import due_actions
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import LEAVER, LiveApp, cards_of, texts_of, verbs_of

CONVERSATION_KINDS = {
    "offer",
    "offer_again",
    "offer_escalation",
    "booking_escalation",
    "conversation_reminder",
}


@pytest.fixture
def journey_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The default configuration, with social care offering a dismissed leaver the survey and
    no conversation, and home care (its child) the survey instead of every conversation."""
    root = tmp_path_factory.mktemp("config")
    shutil.copytree(default_config_dir(), root, dirs_exist_ok=True)
    units = (root / "units.yaml").read_text(encoding="utf-8")
    social = "  - id: social-care\n"
    home = "  - id: home-care\n"
    assert social in units and home in units
    units = units.replace(
        social,
        social + "    offer:\n      by_type:\n"
        "        dismissal: {conversation: false, survey: true}\n",
    ).replace(home, home + "    offer:\n      mode: survey_instead\n")
    (root / "units.yaml").write_text(units, encoding="utf-8")
    return {"EXITBOT_CONFIG_DIR": str(root)}


async def _kinds_planned(app: LiveApp, departure_id: str) -> set[str]:
    async with app.app[DATABASE].sessions() as session:
        rows = await session.execute(
            select(due_actions.c.kind).where(due_actions.c.departure_id == departure_id)
        )
    return {row.kind for row in rows}


async def _survey_only(app: LiveApp, departure_id: str, locale: str) -> None:
    """The leaver got the survey offer, no offer of a conversation, nothing planned about one,
    and can start the survey straight from the card."""
    card = await app.card_for(LEAVER, app.text("survey_instead.title", locale))
    assert_valid_card(card)
    assert card["lang"] == locale
    assert verbs_of(card) == ["survey.start"]
    await app.settled()
    sent = [c for a in app.sent_to(LEAVER) for c in cards_of(a)]
    assert not any("offer.accept" in verbs_of(c) for c in sent)
    current = await app.departure(departure_id)
    assert current.status is DepartureStatus.REGISTERED
    planned = await _kinds_planned(app, departure_id)
    assert "survey_offer" in planned
    assert not planned & CONVERSATION_KINDS
    actions = [entry.action for entry in await app.audit(departure_id)]
    assert "offer.survey_instead" in actions and "offer.sent" not in actions
    # The survey opens at once; its answers can only count anonymously.
    [start] = [a for a in card["actions"] if a["verb"] == "survey.start"]
    started = await app.press(LEAVER, "survey.start", start["data"], locale=locale)
    intro = started["value"]
    assert isinstance(intro, dict), intro
    assert_valid_card(intro)
    assert app.text("survey.only_anonymous", locale) in texts_of(intro)
    assert app.text("survey.attribution.named", locale) not in texts_of(intro)


async def test_a_dismissed_leaver_gets_the_survey_and_no_conversation(app: LiveApp) -> None:
    await app.say(LEAVER, "hej", locale="da-DK")
    departure = await app.register(departure_type="dismissal", locale="da")
    await _survey_only(app, departure.id, "da")


async def test_a_resigning_leaver_of_the_same_unit_is_offered_the_conversation(
    app: LiveApp,
) -> None:
    await app.say(LEAVER, "hello")
    departure = await app.register(departure_type="resignation", locale="en")
    await app.card_for(LEAVER, app.text("offer.title"))
    await app.settled()
    assert (await app.departure(departure.id)).status is DepartureStatus.OFFERED
    assert "offer" in await _kinds_planned(app, departure.id)


async def test_a_unit_that_offers_the_survey_instead_of_a_conversation(app: LiveApp) -> None:
    await app.say(LEAVER, "hello")
    departure = await app.register(unit="home-care", departure_type="retirement", locale="en")
    await _survey_only(app, departure.id, "en")
