"""Patterns before the conversation on the interviewer's own view of the task card (issue 14).

Only in the card refreshed for the person asking (dialogs.after_conversation.full_task_card),
never in the card the outbox posts: the clicks that post or update that card (the leaver's
choice of interviewer, the booking) run no statement for it, and a refresh counts a unit's
figures at most once per period and configuration revision (journey.patterns.UnitPatterns).
"""

from __future__ import annotations

import logging

from cards.base import Element
from cards.patterns import patterns_block
from config.insights import insights_rules, reportable_questions
from dialogs.card_action import asker_of
from dialogs.insights import period_title, today_of
from dialogs.turn import DialogTurn
from journey.departure import Departure
from journey.patterns import patterns_period, shows_patterns

log = logging.getLogger(__name__)


async def patterns_elements(turn: DialogTurn, departure: Departure) -> list[Element]:
    """The unit's patterns for the person asking, if they hold the booked conversation."""
    service = turn.services.patterns
    config = turn.config
    enabled = config.unit(departure.unit or None).patterns.on_task_card
    if service is None or not shows_patterns(departure, asker_of(turn), enabled=enabled):
        return []
    rules = insights_rules(config)
    period = patterns_period(rules, today_of(turn), departure.last_working_day)
    if period is None:
        return []
    try:
        patterns = await service.of(
            departure.unit, period, reportable_questions(config), rules, revision=config.version
        )
    except Exception as exc:  # the task card matters more than the figures beside it
        log.warning("the patterns of a unit could not be counted (%s)", type(exc).__name__)
        return []
    say = turn.speaker(departure.unit)
    return patterns_block(
        say,
        patterns,
        unit_name=config.unit_name(departure.unit, turn.locale) or departure.unit,
        period=period_title(say, period, rules.period),
        min_answers=rules.min_answers,
    )
