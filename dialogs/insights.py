"""`insights`: HR sees the figures across departures; a unit manager those of their own unit.

Anyone else is told that insights are not for them, and nothing else: no figure, no unit list;
a manager who asks for another unit's figures, that those are not theirs. Both are NotAllowed,
audited by dialogs.router with the scope "insights".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from cards.insights import Choice, insights_card
from cards.locale import Speaker
from config.insights import insights_rules, reportable_questions
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.insights_service import InsightsSource, gather
from journey.periods import Period
from journey.refusals import INSIGHTS_SCOPE, NotAllowed, Reason

AUDIT_REFUSED = "insights.refused"
ALL = "all"
DEFAULT_PERIOD = "last_12"
COMMENTS_PER_QUESTION = 5
YEARS_BACK = 3

UnitChoice = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
PeriodChoice = Annotated[str, Field(pattern=r"^(last_(12|6|3)|year:\d{4})$")]


class ShowInsights(BaseModel):
    """The insights card's choices (Input.ChoiceSet ids `unit` and `period`)."""

    model_config = ConfigDict(extra="forbid")

    unit: UnitChoice = ALL
    period: PeriodChoice = DEFAULT_PERIOD


def source_of(turn: DialogTurn) -> InsightsSource:
    """The insights source wired in create_app."""
    return wired(turn.services.insights, "insights")


def today_of(turn: DialogTurn) -> date:
    """Today in the organisation's default time zone."""
    return turn.services.clock.now().astimezone(turn.config.defaults.calendar.zone).date()


def period_of(choice: str, today: date) -> Period:
    """The period a choice on the card stands for."""
    if choice.startswith("year:"):
        return Period.year(int(choice.removeprefix("year:")))
    return Period.last_months(int(choice.removeprefix("last_")), today)


def period_choices(say: Speaker, today: date) -> list[Choice]:
    """The periods the card offers: the last 12, 6 and 3 months, and the years before this."""
    choices = [Choice(f"last_{n}", say(f"insights.period.last_{n}")) for n in (12, 6, 3)]
    choices += [
        Choice(f"year:{year}", say("insights.period.year", year=str(year)))
        for year in range(today.year - 1, today.year - 1 - YEARS_BACK, -1)
    ]
    return choices


async def _scopes(turn: DialogTurn) -> tuple[bool, frozenset[str]]:
    """Whether the person is HR, and the units they manage a departure in."""
    if turn.is_hr():
        return True, frozenset()
    return False, await source_of(turn).managed_units(turn.actor.upn)


def _unit_choices(turn: DialogTurn, hr: bool, managed: frozenset[str]) -> list[Choice]:
    config = turn.config
    if hr:
        return [Choice(ALL, turn.text("insights.scope_all"))] + [
            Choice(unit, config.unit_name(unit, turn.locale) or unit) for unit in config.unit_ids
        ]
    return [Choice(unit, config.unit_name(unit, turn.locale) or unit) for unit in sorted(managed)]


async def insights_for(turn: DialogTurn, unit_value: str, period_value: str) -> dict[str, Any]:
    """The card for one scope and period (the caller checked that the person may see it)."""
    config = turn.config
    hr, managed = await _scopes(turn)
    say = turn.speaker()
    today = today_of(turn)
    periods = period_choices(say, today)
    if period_value not in {c.value for c in periods}:
        period_value = DEFAULT_PERIOD
    unit = None if unit_value == ALL else unit_value
    rules = insights_rules(config)
    insights = await gather(
        source_of(turn),
        period_of(period_value, today),
        unit,
        reportable_questions(config),
        rules,
        comment_limit=COMMENTS_PER_QUESTION,
    )
    scope_title = (
        turn.text("insights.scope_all")
        if unit is None
        else config.unit_name(unit, turn.locale) or unit
    )
    return insights_card(
        say,
        insights,
        scope_title=scope_title,
        units=_unit_choices(turn, hr, managed),
        unit_value=unit_value,
        periods=periods,
        period_value=period_value,
        min_answers=rules.min_answers,
    )


async def show_insights(turn: DialogTurn) -> None:
    """Answer `insights`: the organisation for HR, the first own unit for a manager."""
    hr, managed = await _scopes(turn)
    if not hr and not managed:
        raise NotAllowed(Reason.NO_FIGURES, scope=INSIGHTS_SCOPE, action=AUDIT_REFUSED)
    unit = ALL if hr else sorted(managed)[0]
    await turn.send_card(await insights_for(turn, unit, DEFAULT_PERIOD))


async def show_chosen(turn: DialogTurn, payload: ShowInsights) -> InvokeResult:
    """The card's Show button: the chosen scope and period, if the person may see it."""
    hr, managed = await _scopes(turn)
    if not hr and payload.unit not in managed:
        reason = Reason.NOT_IN_SCOPE if managed else Reason.NO_FIGURES
        unit = {"unit": payload.unit}  # an id the card offers (UnitChoice), never free text
        raise NotAllowed(reason, scope=INSIGHTS_SCOPE, action=AUDIT_REFUSED, detail=unit)
    return InvokeResult(card=await insights_for(turn, payload.unit, payload.period))
