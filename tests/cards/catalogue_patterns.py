"""The task card with the patterns before the conversation (issue 14, cards.patterns): golden
cards of tests/cards/catalogue.py, kept apart from it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cards.locale import Speaker
from cards.patterns import patterns_block
from cards.task import task_card
from config.loaded import LoadedConfig
from journey.insights_figures import NONE
from journey.patterns import Patterns, select_patterns


def patterns_of(*, too_few: bool = False) -> Patterns:
    """The catalogue's insights report for social care, as the interviewer sees it: two
    reasons and two areas shown, one reason and one area hidden and left out."""
    from tests.cards.catalogue import UNIT, insights_of

    patterns = select_patterns(replace(insights_of().report, unit=UNIT))
    if too_few:
        return Patterns(UNIT, patterns.period, 0, NONE, (), (), NONE)
    return patterns


def patterns_cards(config: LoadedConfig, language: str) -> dict[str, dict[str, Any]]:
    """The booked task card with the unit's patterns, and with too few to show."""
    from tests.cards.catalogue import PARTNER_ID, UNIT, booked

    say = Speaker(config, language, UNIT)
    period = say("insights.period.half", year="2026", half="1")
    unit_name = config.unit_name(UNIT, language) or UNIT

    def card(patterns: Patterns) -> dict[str, Any]:
        block = patterns_block(say, patterns, unit_name=unit_name, period=period, min_answers=5)
        return task_card(say, booked(), user_ids=[PARTNER_ID], patterns=block)

    return {
        "task-booked-with-patterns": card(patterns_of()),
        "task-booked-patterns-too-few": card(patterns_of(too_few=True)),
    }
