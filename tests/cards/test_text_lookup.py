"""A person reads the same words however their client names their language, in their unit's
own wording where it has one, and a reload's new wording at once: the texts a card is drawn
from are looked up once per language and unit (config.texts.TextBook, cards.locale.Speaker),
so these pin down that nothing of that shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cards.base import _INLINE_MARKS, _LEADING_DATE, _LINE_MARK, _LINE_NUMBER, markdown_safe, typed
from cards.locale import Speaker
from config.loader import LoadedConfig, default_config_dir, load_config
from config.texts import UnknownText
from journey.locale import language_of
from tests.cards.catalogue import SOURCES
from tests.cards.test_golden import as_json, golden_path
from tests.config.builder import texts_yaml, write_config

# Teams' locales and what they read; as written by clients, upper case and underscores too.
TEAMS_LOCALES = [
    ("da-DK", "da"),
    ("sv_SE", "sv"),
    ("nb-NO", "nb"),
    ("nn-NO", "nb"),
    ("no", "nb"),
    ("EN-gb", "en"),
    ("fr-FR", "en"),
]
OFFER = {"name": "Lea", "minutes": 45}
# Views that take the card's `lang` as given (the handler passes a two-letter language).
LANG_AS_GIVEN = {"_register", "_welcome_and_help", "_meeting_modes", "_sharing"}


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


@pytest.mark.parametrize(("locale", "language"), TEAMS_LOCALES)
def test_a_card_in_a_teams_locale_is_the_card_in_its_language(
    config: LoadedConfig, locale: str, language: str
) -> None:
    differing = []
    for build in SOURCES:
        if build.__name__ in LANG_AS_GIVEN:
            continue
        for name, card in build(config, locale).items():
            if as_json(card) != golden_path(name, language).read_text(encoding="utf-8"):
                differing.append(name)
    assert not differing, f"in {locale}, unlike the golden {language} files: {differing}"


def test_the_languages_of_teams_locales_and_none() -> None:
    for _ in range(2):  # asked again, the same answer
        assert [language_of(locale) for locale, _ in TEAMS_LOCALES] == [
            language for _, language in TEAMS_LOCALES
        ]
        assert [language_of(locale) for locale in (None, "", "x-y")] == ["en", "en", "en"]


def test_a_units_own_wording_reaches_its_members_and_the_units_below_it(
    config: LoadedConfig,
) -> None:
    own = config.units["social-care"].texts["offer.body"]
    organisation = config.text("offer.body", "da", **OFFER)
    assert own.da.format(**OFFER) != organisation
    for unit in ("social-care", "home-care"):  # home-care's parent is social-care
        for locale in ("da", "da-DK"):
            assert Speaker(config, locale, unit)("offer.body", **OFFER) == own.da.format(**OFFER)
            assert config.text("offer.body", locale, unit, **OFFER) == own.da.format(**OFFER)
    for unit in ("technical-services", "gone-unit", None):
        assert Speaker(config, "da-DK", unit)("offer.body", **OFFER) == organisation
    english = Speaker(config, "en-GB", "home-care")("offer.body", **OFFER)
    assert english == own.en.format(**OFFER)


def test_a_name_typed_by_a_person_is_escaped_only_where_markdown_shows(
    config: LoadedConfig,
) -> None:
    say = Speaker(config, "en")
    assert "Lea \\*B\\*" in say("offer.body", name="Lea *B*", minutes=45)
    assert "Lea *B*" in say.plain("offer.body", name="Lea *B*", minutes=45)


def test_an_unknown_key_is_named_however_it_is_asked(config: LoadedConfig) -> None:
    for ask in (
        lambda: Speaker(config, "da-DK", "home-care")("no.such.text"),
        lambda: Speaker(config, "da")("no.such.text"),
        lambda: config.text("no.such.text", "sv-SE", "gone-unit"),
    ):
        with pytest.raises(UnknownText, match=r"no\.such\.text"):
            ask()


def test_a_reloaded_configuration_speaks_its_own_words(tmp_path: Path) -> None:
    def loaded(directory: str, greeting: str) -> LoadedConfig:
        files = {"texts/da.yaml": texts_yaml("da", first={"error.generic": greeting})}
        return load_config(write_config(tmp_path / directory, files))

    before, after = loaded("before", "Før"), loaded("after", "Efter")
    for config in (before, after, before):
        expected = "Før" if config is before else "Efter"
        assert Speaker(config, "da-DK")("error.generic") == expected
        assert config.text("error.generic", "da-DK", "care") == expected


PIECES = [" ", "\t", "\n", "\r", "\u00a0", "\u2028", "22", "3", "\u0663", "\u00b2", ".", "x"]
PIECES += [" december", " dec.", " Maj 2026", "1. Hand in"]


@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
def test_a_leading_date_is_escaped_as_the_full_rule_escapes_it(text: str) -> None:
    # The shortcut for one line that does not start with a digit must change nothing.
    assert markdown_safe(text) == _LEADING_DATE.sub(r"\1\\.", text)


TYPED = [" ", "\t", "\n", "Lea", "1", "12", ".", ")", "#", ">", "+", "=", "-", "*", "_", "\\"]
TYPED += ["`", "[", "]", "<", "~", "|", "æ", "\u0663"]


@given(st.lists(st.sampled_from(TYPED), max_size=8).map("".join))
def test_a_typed_text_is_escaped_as_the_three_rules_escape_it(text: str) -> None:
    # The shortcut for text with nothing markdown acts on must change nothing.
    escaped = _INLINE_MARKS.sub(r"\\\1", text)
    escaped = _LINE_NUMBER.sub(r"\1\\\2", escaped)
    assert typed(text) == _LINE_MARK.sub(r"\1\\\2", escaped)
