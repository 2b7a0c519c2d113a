"""The after-conversation cards, in every language, pass the Adaptive Cards SDK; notes and the
leaver's words are shown literally, and only where they belong."""

from __future__ import annotations

from datetime import date

import pytest

from cards.after_conversation import (
    literal,
    notes_block,
    thank_you_card,
    thank_you_without_details,
    wishes_card,
)
from cards.locale import Speaker
from cards.survey import intro_card, summary_card
from cards.task import task_card
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.after_conversation import ConversationNotes, Gesture, Wishes
from journey.clock import FixedClock
from journey.departure import Departure, DepartureStatus
from journey.locale import SUPPORTED_LANGUAGES
from journey.survey import Answer, Attribution
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import T0, texts_of

UNIT = "social-care"
NOTES = ConversationNotes(
    departure_id="d1",
    main_points="Kortere transport; stolt af den nye *modtagelse*",
    agreed_actions="Jeg tager **vagtplanen** op på [personalemødet](https://evil.example)",
    data_use="Kun feedback om vagtplanen går videre, uden navn",
    revision=2,
)


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def _departure(status: DepartureStatus = DepartureStatus.BOOKED) -> Departure:
    return Departure(
        id="d1",
        leaver_upn="leaver@contoso.example",
        leaver_name="Sofie Andersen",
        manager_upn="manager@contoso.example",
        unit=UNIT,
        last_working_day=date(2026, 12, 18),
        status=status,
        interviewer_upn="hrpartner@contoso.example",
    )


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_after_card_is_valid(config: LoadedConfig, language: str) -> None:
    say = Speaker(config, language, UNIT)
    booked, held = _departure(), _departure(DepartureStatus.HELD)
    wishes = Wishes(departure_id="d1", chosen=(Gesture.ALUMNI,), answered_at=FixedClock(T0).now())
    cards = [
        task_card(say, booked, user_ids=["29:p"], notes=notes_block(say, booked, NOTES)),
        task_card(say, held, user_ids=["29:p"], notes=notes_block(say, held, NOTES)),
        thank_you_card(say, held, tuple(Gesture), user_ids=["29:l"]),
        thank_you_card(say, held, tuple(Gesture), user_ids=["29:l"], notes=NOTES, wishes=wishes),
        thank_you_card(say, held, (), user_ids=[]),
        thank_you_without_details(say, "d1", user_ids=["29:l"]),
        wishes_card(say, held, [Gesture.REFERENCE_LETTER, Gesture.CONTACT_LATER]),
        wishes_card(say, held, []),
    ]
    assert_valid_cards(cards)
    assert all(card["lang"] == language for card in cards)


def test_the_leaver_sees_what_was_agreed_but_not_the_main_points(config: LoadedConfig) -> None:
    say = Speaker(config, "da", UNIT)
    card = thank_you_card(say, _departure(DepartureStatus.HELD), (), user_ids=[], notes=NOTES)
    assert literal(NOTES.agreed_actions) in card["body"]
    assert literal(NOTES.data_use) in card["body"]
    assert NOTES.main_points not in texts_of(card)


def test_a_unit_without_offers_thanks_without_asking(config: LoadedConfig) -> None:
    say = Speaker(config, "sv", UNIT)
    card = thank_you_card(say, _departure(DepartureStatus.HELD), (), user_ids=[])
    # Nothing to choose; only the way to share, which the leaver may ignore (issue 14).
    assert [action["verb"] for action in card["actions"]] == ["sharing.open"]
    assert not [item for item in card["body"] if item["type"].startswith("Input.")]
    assert not [b for b in card["body"] if b["type"] == "Input.Toggle"]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_survey_after_a_decline_offers_only_anonymous_statistics(
    config: LoadedConfig, language: str
) -> None:
    say = Speaker(config, language, UNIT)
    declined = _departure(DepartureStatus.DECLINED).changed(interviewer_upn=None)
    only = (Attribution.ANONYMOUS_STATS,)
    sections = config.survey_sections(UNIT)
    answer = Answer(
        question_id="recommend",
        section_id="work_environment",
        value="yes",
        attribution=Attribution.ANONYMOUS_STATS,
    )
    cards = [
        intro_card(say, declined, "Survey", only),
        summary_card(say, declined, sections, 3, [answer], only),
    ]
    assert_valid_cards(cards)
    assert say("survey.after_decline") in texts_of(cards[0])
    assert say("survey.only_anonymous") in texts_of(cards[1])
    assert say("survey.attribution.named") not in texts_of(cards[0]) + texts_of(cards[1])
