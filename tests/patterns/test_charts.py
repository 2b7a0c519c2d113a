"""The patterns' charts in four languages: each valid as documented, with a fallback the
Adaptive Cards SDK accepts that writes the same figures; a hidden figure in neither."""

from __future__ import annotations

from typing import Any

import pytest

from config.insights import option_label, section_title
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.locale import SUPPORTED_LANGUAGES
from tests.cards.catalogue_patterns import patterns_cards
from tests.cards.validator import validate_cards
from tests.patterns.cards import anywhere, charts_of, fallback_titles, part_of, x_labels


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def test_every_card_validates_in_four_languages(config: LoadedConfig) -> None:
    cards = [card for lang in SUPPORTED_LANGUAGES for card in patterns_cards(config, lang).values()]
    assert validate_cards(cards) == [[] for _ in cards]


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_the_charts_and_their_text_bars_show_the_same_figures(
    config: LoadedConfig, lang: str
) -> None:
    card = patterns_cards(config, lang)["task-booked-with-patterns"]
    assert card["lang"] == lang
    part = part_of(card, config, lang)
    assert part is not None
    charts = charts_of(part)
    assert set(charts) == {"Chart.HorizontalBar", "Chart.Donut"}
    reasons, areas = [item for item in part["items"] if item["type"] == "Chart.HorizontalBar"]
    # Shown: career (8 of 16) and pay (6); commute (2) is hidden. Areas: job content and
    # relations; pay and benefits has no figure.
    expected = [option_label(config, "reasons", o, lang) for o in ("career", "pay")]
    assert x_labels(reasons) == fallback_titles(reasons) == expected
    titles = [section_title(config, s, lang) for s in ("job_content", "relations")]
    assert x_labels(areas) == fallback_titles(areas) == titles
    donut = charts["Chart.Donut"]
    assert [p["value"] for p in donut["data"]] == [81, 19]
    assert len(donut["fallback"]["facts"]) == 2
    hidden = option_label(config, "reasons", "commute", lang)
    assert hidden not in anywhere(card)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_too_few_is_one_line_in_each_language(config: LoadedConfig, lang: str) -> None:
    card: dict[str, Any] = patterns_cards(config, lang)["task-booked-patterns-too-few"]
    part = part_of(card, config, lang)
    assert part is not None
    [line] = part["items"]
    assert line["type"] == "TextBlock"
    assert config.unit_name("social-care", lang) in line["text"]
    assert "Chart." not in anywhere(card)
