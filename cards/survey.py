"""The survey's cards: the choice of how answers may be used, one card per section, the summary,
and the answers block on the interviewer's task card.

Each action carries the departure and the progress revision it was built from; the answers
themselves travel only as the leaver's inputs, and the bot keeps them in the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cards import verbs
from cards.base import (
    Element,
    about,
    adaptive_card,
    choice_set,
    execute,
    heading,
    literal,
    long_text,
    notice_card,
    paragraph,
    separated,
    subheading,
)
from cards.locale import Speaker
from cards.offer import leaver_name
from cards.sharing_entry import share_button
from config.schema import (
    FreeText,
    MultipleChoice,
    QuestionSet,
    Rating,
    Section,
    SingleChoice,
    YesNo,
)
from journey.departure import Departure, DepartureStatus
from journey.survey import Answer, AnswerValue, Attribution

START = verbs.SURVEY_START
NEXT = verbs.SURVEY_NEXT
BACK = verbs.SURVEY_BACK
ATTRIBUTION = verbs.SURVEY_ATTRIBUTION
SEND = verbs.SURVEY_SEND
WITHDRAW = verbs.SURVEY_WITHDRAW
# Input ids: Teams merges them into the action's data next to the departure and revision.
ATTRIBUTION_INPUT = "attribution"
ANSWER_PREFIX = "q_"
USE_PREFIX = "a_"

Question = SingleChoice | MultipleChoice | Rating | FreeText | YesNo


def _data(departure_id: str, revision: int, **extra: str) -> dict[str, Any]:
    return {"departure": departure_id, "revision": revision, **extra}


ALL_ATTRIBUTIONS: tuple[Attribution, ...] = tuple(Attribution)


def _attribution_choices(
    say: Speaker, allowed: Sequence[Attribution] = ALL_ATTRIBUTIONS, *, short: bool = False
) -> list[tuple[str, str]]:
    """How answers may be used, as choices. `short`: each answer's own compact choice, whose
    titles Teams cuts off, so they are short with the difference first."""
    key = "survey.attribution_short" if short else "survey.attribution"
    return [(say(f"{key}.{choice.value}"), choice.value) for choice in allowed]


def _privacy(say: Speaker, allowed: Sequence[Attribution]) -> str:
    """Who may read what; without an interviewer, that answers only count anonymously."""
    return say("survey.privacy") if len(allowed) > 1 else say("survey.only_anonymous")


def _who_reads(say: Speaker, departure: Departure, only_statistics: bool) -> str:
    """Who may read the answers: after a "no", or with the survey instead of a conversation
    (issue 11: still REGISTERED), only anonymous statistics."""
    if not only_statistics:
        return say("survey.privacy")
    if departure.status is DepartureStatus.DECLINED:
        return say("survey.after_decline")
    return say("survey.only_anonymous")


def intro_card(
    say: Speaker,
    departure: Departure,
    qset_title: str,
    allowed: Sequence[Attribution] = ALL_ATTRIBUTIONS,
) -> dict[str, Any]:
    """Before the first question: what the survey is, and who may read what, in plain words.

    After a declined conversation (`allowed` is statistics only), the card says so instead.
    """
    only = len(allowed) == 1
    choice = choice_set(
        ATTRIBUTION_INPUT,
        say("survey.attribution.title"),
        _attribution_choices(say, allowed),
        style="expanded",
        isRequired=True,
        errorMessage=say("survey.attribution.title"),
    )
    if only:
        choice["value"] = allowed[0].value
    body: list[Element] = [
        heading(qset_title),
        paragraph(say("survey.intro")),
        paragraph(_who_reads(say, departure, only)),
        choice,
    ]
    start = execute(say("survey.start"), START, about(departure), style="positive")
    return adaptive_card(body, [start], lang=say.lang)


def _choice_input(say: Speaker, question: Question, value: AnswerValue | None) -> Element:
    choices: list[tuple[str, str]]
    if isinstance(question, SingleChoice | MultipleChoice):
        choices = [(o.label.get(say.lang), o.id) for o in question.options]
    elif isinstance(question, Rating):
        low, high = question.low_label.get(say.lang), question.high_label.get(say.lang)
        choices = []
        for point in range(1, question.points + 1):
            label = f"{point} – {low}" if point == 1 else str(point)
            label = f"{point} – {high}" if point == question.points else label
            choices.append((label, str(point)))
    else:
        choices = [(say("survey.yes"), "yes"), (say("survey.no"), "no")]
    element = choice_set(
        ANSWER_PREFIX + question.id, question.prompt.get(say.lang), choices, style="expanded"
    )
    if isinstance(question, MultipleChoice):
        element["isMultiSelect"] = True
    if value:
        element["value"] = ",".join(value) if isinstance(value, list) else value
    return element


def _input(say: Speaker, question: Question, value: AnswerValue | None) -> Element:
    if isinstance(question, FreeText):
        return long_text(
            ANSWER_PREFIX + question.id,
            question.prompt.get(say.lang),
            question.max_length,
            value if isinstance(value, str) else None,
        )
    return _choice_input(say, question, value)


def section_card(
    say: Speaker,
    departure: Departure,
    sections: Sequence[Section],
    position: int,
    revision: int,
    answers: Sequence[Answer],
) -> dict[str, Any]:
    """One section: its questions, each voluntary, filled with what the leaver answered before."""
    section = sections[position]
    given = {answer.question_id: answer.value for answer in answers}
    body: list[Element] = [
        heading(section.title.get(say.lang)),
        paragraph(say("survey.progress", current=position + 1, total=len(sections)), subtle=True),
    ]
    if section.intro is not None:
        body.append(paragraph(section.intro.get(say.lang)))
    body += [_input(say, question, given.get(question.id)) for question in section.questions]
    data = _data(departure.id, revision, section=section.id)
    actions: list[Element] = []
    if position > 0:
        actions.append(execute(say("survey.back"), BACK, data))
    last = position == len(sections) - 1
    title = say("survey.to_summary") if last else say("survey.next")
    actions.append(execute(title, NEXT, data, style="positive"))
    return adaptive_card(body, actions, lang=say.lang)


def shown_value(say: Speaker, question: Question, value: AnswerValue) -> str:
    """An answer as words: choice labels, the rating with its scale, free text as written."""
    if isinstance(question, SingleChoice | MultipleChoice):
        labels = {option.id: option.label.get(say.lang) for option in question.options}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(choice, choice) for choice in chosen)
    if isinstance(question, Rating):
        return f"{value} / {question.points}"
    if isinstance(question, YesNo):
        return say("survey.yes") if value == "yes" else say("survey.no")
    return value if isinstance(value, str) else ", ".join(value)


def _answer_blocks(say: Speaker, question: Question, value: AnswerValue) -> list[Element]:
    # The leaver's own words exactly as written: a TextBlock would render "**" or "[x](y)".
    shown = shown_value(say, question, value)
    answer = literal(shown) if isinstance(question, FreeText) else paragraph(shown)
    return [subheading(question.prompt.get(say.lang), spacing="Medium"), answer]


def _answered(
    sections: Sequence[Section], answers: Sequence[Answer]
) -> list[tuple[Section, list[tuple[Question, Answer]]]]:
    """The answers grouped by section, in the survey's order."""
    by_id = {answer.question_id: answer for answer in answers}
    grouped = []
    for section in sections:
        rows = [(q, by_id[q.id]) for q in section.questions if q.id in by_id]
        if rows:
            grouped.append((section, rows))
    return grouped


def summary_card(
    say: Speaker,
    departure: Departure,
    sections: Sequence[Section],
    revision: int,
    answers: Sequence[Answer],
    allowed: Sequence[Attribution] = ALL_ATTRIBUTIONS,
    *,
    note: str | None = None,
) -> dict[str, Any]:
    """Every answer before sending, each with its own choice of how it may be used; `note`
    says when the choices were saved."""
    body: list[Element] = [heading(say("survey.summary_title"))]
    if note:
        body.append(paragraph(note, subtle=True))
    grouped = _answered(sections, answers)
    body.append(paragraph(say("survey.summary_intro") if grouped else say("survey.summary_none")))
    # The same label and choices under every answer: looked up once.
    use_label = say("survey.answer_use")
    uses = _attribution_choices(say, allowed, short=True)
    for section, rows in grouped:
        items = [subheading(section.title.get(say.lang), size="Medium")]
        for question, answer in rows:
            items += _answer_blocks(say, question, answer.value)
            items.append(
                choice_set(
                    USE_PREFIX + question.id, use_label, uses, value=answer.attribution.value
                )
            )
        body.append(separated(items))
    body.append(paragraph(_privacy(say, allowed), subtle=True))
    data = _data(departure.id, revision)
    # Back carries the choices too: what the leaver changed here is kept.
    actions = [execute(say("survey.back"), BACK, data)]
    if grouped:
        actions.append(execute(say("survey.save_choices"), ATTRIBUTION, data))
    actions.append(execute(say("survey.submit"), SEND, data, style="positive"))
    return adaptive_card(body, actions, lang=say.lang)


def sent_card(
    say: Speaker, departure: Departure, revision: int, *, can_withdraw: bool
) -> dict[str, Any]:
    """Thanks, and the way to take the answers back until the last working day."""
    body = [heading(say("survey.offer_title")), paragraph(say("survey.thanks"))]
    actions: list[Element] = []
    if can_withdraw:
        last_day = say.day(departure.last_working_day)
        body.append(paragraph(say("survey.withdraw_until", last_day=last_day), subtle=True))
        actions.append(
            execute(
                say("survey.withdraw"), WITHDRAW, _data(departure.id, revision), style="destructive"
            )
        )
    actions.append(share_button(say, departure.id))  # issue 14: share with whom they choose
    return adaptive_card(body, actions, lang=say.lang)


def message_card(say: Speaker, text: str) -> dict[str, Any]:
    """A survey card that only says something (withdrawn, closed)."""
    return notice_card(say("survey.offer_title"), text, lang=say.lang)


def offer_survey_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """After the booking: the survey is there if the leaver wants it."""
    return adaptive_card(
        [heading(say("survey.offer_title")), paragraph(say("survey.intro"))],
        [execute(say("survey.start"), START, about(departure), associatedInputs="none")],
        lang=say.lang,
    )


def handoff_block(
    say: Speaker,
    departure: Departure,
    sections: Sequence[Section],
    answers: Sequence[Answer],
) -> list[Element]:
    """For the interviewer's task card (per-user refresh only): the answers they may read."""
    grouped = _answered(sections, answers)
    if not grouped:
        return []
    name = leaver_name(departure)
    items: list[Element] = [
        subheading(say("survey.handoff.title", name=name), size="Medium"),
        paragraph(say("survey.handoff.intro", name=name)),
        paragraph(say("survey.handoff.guide", name=name), subtle=True),
    ]
    for section, rows in grouped:
        items.append(subheading(section.title.get(say.lang), separator=True, spacing="Medium"))
        for question, answer in rows:
            items += _answer_blocks(say, question, answer.value)
    return [separated(items)]


def question_set_title(say: Speaker, qset: QuestionSet) -> str:
    """The question set's title in the reader's language."""
    return qset.title.get(say.lang)


def by_question(sections: Sequence[Section]) -> Mapping[str, Question]:
    """Every question of the sections by id."""
    return {question.id: question for section in sections for question in section.questions}
