"""`insights`: HR sees the figures across departures; a unit's manager and its union or staff
representatives those of their own unit (journey.local_ownership), a representative without
the leavers' comments (their own words, even unnamed, are not figures).

Anyone else is told that insights are not for them, and nothing else: no figure, no unit list;
a manager or representative who asks for another unit's figures, that those are not theirs.
Both are NotAllowed, audited by dialogs.router with the scope "insights".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from cards.insights import Choice, insights_card
from cards.locale import Speaker
from config.insights import insights_rules, reportable_questions
from dialogs.ownership import scope_of
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.insights_counts import InsightsRules
from journey.insights_service import InsightsSource, gather, offered_periods
from journey.local_ownership import LocalScope, Role
from journey.periods import Period, Tiling
from journey.refusals import INSIGHTS_SCOPE, NotAllowed, Reason

AUDIT_REFUSED = "insights.refused"
ALL = "all"
NEWEST = ""  # the newest period offered
COMMENTS_PER_QUESTION = 5

UnitChoice = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
# A period is chosen by its first month (YYYY-MM); a card from before whole periods (last_12,
# year:2025) still answers, with the newest period.
PeriodChoice = Annotated[str, Field(pattern=r"^(|\d{4}-\d{2}|last_(12|6|3)|year:\d{4})$")]


class ShowInsights(BaseModel):
    """The insights card's choices (Input.ChoiceSet ids `unit` and `period`)."""

    model_config = ConfigDict(extra="forbid")

    unit: UnitChoice = ALL
    period: PeriodChoice = NEWEST


def source_of(turn: DialogTurn) -> InsightsSource:
    """The insights source wired in create_app."""
    return wired(turn.services.insights, "insights")


def today_of(turn: DialogTurn) -> date:
    """Today in the organisation's default time zone."""
    return turn.services.clock.now().astimezone(turn.config.defaults.calendar.zone).date()


def period_title(say: Speaker, period: Period, tiling: Tiling) -> str:
    """A whole period as people name it: the year, its half or its quarter."""
    year = str(period.first.year)
    if tiling is Tiling.YEAR:
        return say("insights.period.year", year=year)
    part = str((period.first.month - 1) // tiling.months + 1)
    if tiling is Tiling.HALF_YEAR:
        return say("insights.period.half", year=year, half=part)
    return say("insights.period.quarter", year=year, quarter=part)


def period_choices(say: Speaker, rules: InsightsRules, today: date) -> list[Choice]:
    """The periods the card offers: whole tiles that are over, newest first."""
    return [
        Choice(str(period.first), period_title(say, period, rules.period))
        for period in offered_periods(rules, today)
    ]


def chosen_period(value: str, rules: InsightsRules, today: date) -> Period:
    """The offered period a choice on the card stands for; the newest for anything else."""
    offered = offered_periods(rules, today)
    return next((p for p in offered if str(p.first) == value), offered[0])


def _unit_choices(turn: DialogTurn, scope: LocalScope) -> list[Choice]:
    config = turn.config
    if scope.everything:
        return [Choice(ALL, turn.text("insights.scope_all"))] + [
            Choice(unit, config.unit_name(unit, turn.locale) or unit) for unit in config.unit_ids
        ]
    return [
        Choice(unit, config.unit_name(unit, turn.locale) or unit) for unit in sorted(scope.units)
    ]


def _comment_limit(scope: LocalScope, unit: str | None) -> int:
    """Leavers' comments for HR and a unit's managers; a representative sees figures only."""
    if unit is not None and scope.role_in(unit) is Role.REPRESENTATIVE:
        return 0
    return COMMENTS_PER_QUESTION


async def insights_for(turn: DialogTurn, unit_value: str, period_value: str) -> dict[str, Any]:
    """The card for one scope and period (the caller checked that the person may see it)."""
    config = turn.config
    scope = await scope_of(turn)
    say = turn.speaker()
    today = today_of(turn)
    rules = insights_rules(config)
    period = chosen_period(period_value, rules, today)
    unit = None if unit_value == ALL else unit_value
    insights = await gather(
        source_of(turn),
        period,
        unit,
        reportable_questions(config),
        rules,
        comment_limit=_comment_limit(scope, unit),
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
        units=_unit_choices(turn, scope),
        unit_value=unit_value,
        periods=period_choices(say, rules, today),
        period_value=str(period.first),
        min_answers=rules.min_answers,
    )


async def show_insights(turn: DialogTurn) -> None:
    """Answer `insights`: the organisation for HR, the first own unit for a manager or a
    representative."""
    scope = await scope_of(turn)
    if not scope.anything:
        raise NotAllowed(Reason.NO_FIGURES, scope=INSIGHTS_SCOPE, action=AUDIT_REFUSED)
    unit = ALL if scope.everything else sorted(scope.units)[0]
    await turn.send_card(await insights_for(turn, unit, NEWEST))


async def show_chosen(turn: DialogTurn, payload: ShowInsights) -> InvokeResult:
    """The card's Show button: the chosen scope and period, if the person may see it."""
    scope = await scope_of(turn)
    if not scope.sees(None if payload.unit == ALL else payload.unit):
        reason = Reason.NOT_IN_SCOPE if scope.anything else Reason.NO_FIGURES
        unit = {"unit": payload.unit}  # an id the card offers (UnitChoice), never free text
        raise NotAllowed(reason, scope=INSIGHTS_SCOPE, action=AUDIT_REFUSED, detail=unit)
    return InvokeResult(card=await insights_for(turn, payload.unit, payload.period))
