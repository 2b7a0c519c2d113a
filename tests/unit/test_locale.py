"""Which language a person reads: their choice, else HR's registered one, else Teams'."""

from __future__ import annotations

import pytest

from journey.locale import LanguageNotOffered, offered_language, preferred_locale


def test_a_chosen_language_comes_before_hrs_and_teams() -> None:
    assert preferred_locale(chosen="sv", registered="da", teams="en-US") == "sv"


def test_without_a_choice_hrs_registered_language_comes_before_teams() -> None:
    # Seen: HR registered "Dansk", Teams sent en-US, and every card came in English.
    assert preferred_locale(chosen=None, registered="da", teams="en-US") == "da"


def test_without_a_choice_or_a_registration_teams_decides() -> None:
    assert preferred_locale(chosen=None, registered=None, teams="nb-NO") == "nb-NO"
    assert preferred_locale(chosen=None, registered=None, teams=None) is None


@pytest.mark.parametrize("language", ["da", "sv", "nb", "en"])
def test_the_four_languages_are_offered(language: str) -> None:
    assert offered_language(language) == language


@pytest.mark.parametrize("value", ["fr", "", "DA", "da-DK", "no", "en; drop table", "x" * 16])
def test_anything_else_is_refused(value: str) -> None:
    with pytest.raises(LanguageNotOffered):
        offered_language(value)
