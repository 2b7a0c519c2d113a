"""Every survey card, in every language, passes the Adaptive Cards SDK; the hand-off hides nothing
it should show and shows nothing it should hide."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cards.locale import Speaker
from cards.survey import (
    handoff_block,
    intro_card,
    message_card,
    offer_survey_card,
    section_card,
    sent_card,
    summary_card,
)
from cards.task import task_card
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.departure import Departure, DepartureStatus
from journey.locale import SUPPORTED_LANGUAGES
from tests.cards.catalogue import answers as sofies_answers
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import texts_of

UNIT = "social-care"


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def _departure() -> Departure:
    return Departure(
        leaver_upn="leaver@contoso.example",
        leaver_name="Sofie Andersen",
        manager_upn="manager@contoso.example",
        unit=UNIT,
        last_working_day=date(2026, 12, 18),
        status=DepartureStatus.BOOKED,
        interviewer_upn="hrpartner@contoso.example",
    )


def _every_card(config: LoadedConfig, language: str) -> list[dict[str, Any]]:
    say = Speaker(config, language, UNIT)
    departure = _departure()
    sections = config.survey_sections(UNIT)
    answers = sofies_answers()
    cards = [
        intro_card(say, departure, "Din tid hos os"),
        offer_survey_card(say, departure),
        *(section_card(say, departure, sections, i, 3, answers) for i in range(len(sections))),
        summary_card(say, departure, sections, 3, answers),
        summary_card(say, departure, sections, 3, []),
        sent_card(say, departure, 4, can_withdraw=True),
        sent_card(say, departure, 4, can_withdraw=False),
        message_card(say, say("survey.withdrawn")),
        task_card(
            say,
            departure,
            user_ids=["29:partner"],
            survey=handoff_block(say, departure, sections, answers),
        ),
    ]
    return cards


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_survey_card_is_valid(config: LoadedConfig, language: str) -> None:
    assert_valid_cards(_every_card(config, language))


def test_the_task_card_shows_the_answers_in_the_readers_language(config: LoadedConfig) -> None:
    say = Speaker(config, "da", UNIT)
    departure = _departure()
    sections = config.survey_sections(UNIT)
    card = task_card(
        say,
        departure,
        user_ids=["29:p"],
        survey=handoff_block(say, departure, sections, sofies_answers()),
    )
    texts = texts_of(card)
    assert "Bedre karrieremuligheder et andet sted, Løn og goder" in texts
    assert "Længere transport – og «nye» opgaver" in texts  # as the leaver wrote it
    assert "4 / 5" in texts and "Ja" in texts
    # Grouped by section, in the survey's order.
    assert texts.index("Hvorfor du stopper") < texts.index("Arbejdsmiljø")
    assert say("survey.handoff.guide", name="Sofie Andersen") in texts


def test_without_answers_the_task_card_has_no_survey_block(config: LoadedConfig) -> None:
    say = Speaker(config, "en", UNIT)
    departure = _departure()
    block = handoff_block(say, departure, config.survey_sections(UNIT), [])
    assert block == []
    assert say("survey.handoff.title", name="Sofie Andersen") not in texts_of(
        task_card(say, departure, user_ids=[], survey=block)
    )
