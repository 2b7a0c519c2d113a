"""The survey in Teams: the `survey` command and the card verbs, each checked by journey's rules.

Every verb parses its payload with a pydantic model; the answers arrive as the card's inputs
(`q_<question>`, `a_<question>` for how an answer may be used) and go straight to the survey
service, which checks who asks and which card it was before it keeps anything.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from cards import verbs
from cards.base import Element, execute, paragraph
from cards.locale import Speaker
from cards.survey import (
    ANSWER_PREFIX,
    USE_PREFIX,
    handoff_block,
    intro_card,
    message_card,
    section_card,
    sent_card,
    summary_card,
)
from config.survey_plan import survey_plan
from dialogs.card_action import CardInputs, DepartureId, asker_of
from dialogs.router import InvokeResult, send_result
from dialogs.turn import DialogTurn, wired
from journey.departure import Departure, DepartureStatus
from journey.survey import (
    Attribution,
    BadAnswer,
    SurveyPlan,
    SurveyStatus,
    attributions_for,
    may_take_survey,
    may_withdraw,
)
from journey.survey_service import Surveys, SurveyStep

QuestionId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
# Generous: the question's own limit is checked (and a refusal audited) by the survey rules.
RawAnswer = Annotated[str, Field(max_length=20_000)]
Revision = Annotated[int, Field(ge=0)]


class SurveyStart(BaseModel):
    """Start or resume; `attribution` comes from the intro card's choice."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    attribution: Attribution | None = None


class SectionAnswers(CardInputs):
    """A section card's Next or Back, with the answers as typed (blank ones skipped)."""

    gathered = ((ANSWER_PREFIX, "answers"), (USE_PREFIX, "uses"))

    revision: Revision
    section: QuestionId | None = None  # absent on the summary's Back
    answers: dict[QuestionId, RawAnswer] = Field(default_factory=dict, max_length=100)
    # The summary's Back carries the choices made there, so they are kept too.
    uses: dict[QuestionId, Attribution] = Field(default_factory=dict, max_length=100)


class SummaryChoices(CardInputs):
    """The summary's Save or Send, with how each answer may be used."""

    gathered = ((USE_PREFIX, "uses"),)

    revision: Revision
    uses: dict[QuestionId, Attribution] = Field(default_factory=dict, max_length=100)


class SurveyRevision(BaseModel):
    """An action on the survey as a whole (withdraw)."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    revision: Revision


def surveys_of(turn: DialogTurn) -> Surveys:
    """The survey service wired in create_app."""
    return wired(turn.services.surveys, "the survey")


def _today(turn: DialogTurn, departure: Departure) -> date:
    """Today where the departure is."""
    return turn.services.clock.now().astimezone(departure.zone).date()


def _may_take(turn: DialogTurn, departure: Departure, plan: SurveyPlan | None = None) -> bool:
    plan = plan if plan is not None else survey_plan(turn.config, departure.unit)
    return may_take_survey(departure, plan, _today(turn, departure))


def _start_button(say: Speaker, departure: Departure) -> Element:
    """Start the survey; it takes none of the card's inputs."""
    data = {"departure": departure.id}
    return execute(say("survey.start"), verbs.SURVEY_START, data, associatedInputs="none")


def step_card(turn: DialogTurn, step: SurveyStep, *, saved: bool = False) -> dict[str, Any]:
    """The card for where the leaver stands; `saved`: the summary says when it was saved."""
    departure = step.departure
    say = turn.speaker(departure.unit)
    sections = turn.config.survey_sections(departure.unit or None)
    progress = step.progress
    if progress.status is SurveyStatus.WITHDRAWN:
        card = message_card(say, say("survey.withdrawn"))
        if _may_take(turn, departure, step.plan):
            # Withdrawing is not final: the leaver may start afresh until the last day.
            card["actions"] = [_start_button(say, departure)]
        return card
    if progress.status is SurveyStatus.SENT:
        can_withdraw = may_withdraw(departure, _today(turn, departure))
        return sent_card(say, departure, progress.revision, can_withdraw=can_withdraw)
    if step.on_summary:
        allowed = attributions_for(departure)
        at = say.moment(turn.services.clock.now(), departure.zone)
        note = say("survey.choices_saved", at=at) if saved else None
        return summary_card(
            say, departure, sections, progress.revision, step.answers, allowed, note=note
        )
    return section_card(
        say, departure, sections, progress.position, progress.revision, step.answers
    )


def _intro(turn: DialogTurn, departure: Departure) -> dict[str, Any]:
    say = turn.speaker(departure.unit)
    qset = turn.config.question_set(turn.config.unit(departure.unit or None).survey.question_set)
    return intro_card(say, departure, qset.title.get(say.lang), attributions_for(departure))


def bad_answer(turn: DialogTurn, bad: BadAnswer) -> InvokeResult:
    """An answer that does not fit its question: the text says why (nothing was stored)."""
    return InvokeResult(message=turn.text(f"survey.refused.{bad.reason.value}"))


async def start(turn: DialogTurn, payload: SurveyStart) -> InvokeResult:
    """Without a choice yet: the intro card; with one: the first section (or where they were)."""
    surveys = surveys_of(turn)
    if payload.attribution is None:
        departure, _plan, step = await surveys.current(asker_of(turn), payload.departure)
        if step is None:
            return InvokeResult(card=_intro(turn, departure))
        return InvokeResult(card=step_card(turn, step))
    step = await surveys.start(asker_of(turn), payload.departure, payload.attribution)
    return InvokeResult(card=step_card(turn, step))


async def next_section(turn: DialogTurn, payload: SectionAnswers) -> InvokeResult:
    """Keep the section's answers and show the next section, or the summary after the last."""
    return await _section(turn, payload, forward=True)


async def back(turn: DialogTurn, payload: SectionAnswers) -> InvokeResult:
    """Keep what is typed and go back one section (from the summary: to the last one)."""
    if payload.section is None and not payload.answers:
        step = await surveys_of(turn).back(
            asker_of(turn), payload.departure, revision=payload.revision, changes=payload.uses
        )
        return InvokeResult(card=step_card(turn, step))
    return await _section(turn, payload, forward=False)


async def _section(turn: DialogTurn, payload: SectionAnswers, *, forward: bool) -> InvokeResult:
    step = await surveys_of(turn).answer(
        asker_of(turn),
        payload.departure,
        revision=payload.revision,
        section_id=payload.section or "",
        raw=payload.answers,
        forward=forward,
    )
    return InvokeResult(card=step_card(turn, step))


async def save_choices(turn: DialogTurn, payload: SummaryChoices) -> InvokeResult:
    """Keep the choices made on the summary; the summary again."""
    return await _summary(turn, payload, send=False)


async def send(turn: DialogTurn, payload: SummaryChoices) -> InvokeResult:
    """Send the survey with the choices on the summary: the interviewer's card shows it."""
    return await _summary(turn, payload, send=True)


async def _summary(turn: DialogTurn, payload: SummaryChoices, *, send: bool) -> InvokeResult:
    revision, uses = payload.revision, payload.uses
    step = await surveys_of(turn).attribute(
        asker_of(turn), payload.departure, revision=revision, changes=uses, send=send
    )
    return InvokeResult(card=step_card(turn, step, saved=not send))


async def withdraw(turn: DialogTurn, payload: SurveyRevision) -> InvokeResult:
    """The leaver takes their answers back: deleted, and gone from the interviewer's card."""
    step = await surveys_of(turn).withdraw(
        asker_of(turn), payload.departure, revision=payload.revision
    )
    return InvokeResult(card=step_card(turn, step))


# DECLINED: the unit may offer the survey without a conversation (survey.after_decline);
# REGISTERED: the unit's offer may give the survey instead of a conversation (issue 11).
_ACTIVE = frozenset(
    {
        DepartureStatus.REGISTERED,
        DepartureStatus.ACCEPTED,
        DepartureStatus.BOOKED,
        DepartureStatus.HELD,
        DepartureStatus.DECLINED,
    }
)


async def show_survey(turn: DialogTurn) -> None:
    """The `survey` command: start, or go on where the leaver stopped."""
    upn = (turn.actor.upn or "").strip().lower()
    mine = [
        d
        for d in (await turn.services.departures.list_for_person(upn) if upn else [])
        if d.leaver_upn == upn and d.status in _ACTIVE
    ]
    if not mine:
        await turn.send_text(turn.text("survey.not_available"))
        return
    departure = min(mine, key=lambda d: d.last_working_day)
    # A refusal (e.g. the survey is closed) is answered by the router, as for a card.
    await send_result(turn, await start(turn, SurveyStart(departure=departure.id)))


async def handoff_answers(turn: DialogTurn, departure: Departure) -> list[Element]:
    """The task card's answers block for the person asking (empty when they may read none)."""
    surveys = turn.services.surveys
    if surveys is None:
        return []
    answers = await surveys.readable_answers(asker_of(turn), departure)
    if not answers:
        return []
    sections = turn.config.survey_sections(departure.unit or None)
    return handoff_block(turn.speaker(departure.unit), departure, sections, answers)


def with_survey_after_decline(
    turn: DialogTurn, departure: Departure, card: dict[str, Any]
) -> dict[str, Any]:
    """The declined card, offering the survey too if the unit wants that (survey.after_decline)."""
    if departure.status is not DepartureStatus.DECLINED or not _may_take(turn, departure):
        return card
    say = turn.speaker(departure.unit)
    return {
        **card,
        "body": [*card["body"], paragraph(say("survey.after_decline"))],
        "actions": [*card.get("actions", []), _start_button(say, departure)],
    }
