"""Sharing, chosen by the leaver: their own card, each reader's card, and HR's small card.

The texts the leaver wrote appear only in the leaver's own card and in a reader's own refresh,
as `literal` runs (exactly as written). The card posted to a reader's chat says only that
something was shared, and a button to show it: the text is drawn after access is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import (
    Element,
    adaptive_card,
    button_row,
    execute,
    facts,
    heading,
    literal,
    long_text,
    paragraph,
    refresh,
    separated,
    subheading,
)
from cards.locale import Speaker
from cards.offer import leaver_name
from cards.survey import by_question, shown_value
from config.schema import Section
from journey.departure import Departure
from journey.sharing import SHARE_MAX, LeaverView, Reader, ReaderView, SharedSummary

CHOOSE = verbs.SHARING_CHOOSE
WITHDRAW = verbs.SHARING_WITHDRAW
READ = verbs.SHARING_READ
HR_OPEN = verbs.SHARING_HR
NAME = verbs.SHARING_NAME
# Input ids: Teams merges them into the action's data next to the departure and revision.
WITH_MANAGER = "with_manager"
WITH_HIRING_MANAGER = "with_hiring_manager"
SUMMARY = "summary"
ADVICE = "advice"
ANSWERS = "answers_included"
HIRING_MANAGER = "hiring_manager"


def _toggle(input_id: str, title: str, on: bool) -> Element:
    return {
        "type": "Input.Toggle",
        "id": input_id,
        "title": title,
        "value": "true" if on else "false",
        "valueOn": "true",
        "valueOff": "false",
        "wrap": True,
    }


def _status(say: Speaker, shared: SharedSummary) -> str:
    if shared.shared:
        return say("sharing.status_shared")
    return say("sharing.status_withdrawn" if shared.withdrawn_at else "sharing.status_none")


def leaver_card(say: Speaker, view: LeaverView, *, note: str | None = None) -> dict[str, Any]:
    """The leaver's choice: with whom, what, and whether their named answers go along."""
    departure, shared = view.departure, view.shared
    body: list[Element] = [heading(say("sharing.title"))]
    if note:
        body.append(paragraph(note, subtle=True))
    body += [paragraph(say("sharing.intro")), paragraph(_status(say, shared), subtle=True)]
    last_day = say.day(departure.last_working_day)
    if view.final:
        body.append(paragraph(say("sharing.final", last_day=last_day)))
        body += _written(say, shared)
        return adaptive_card(body, lang=say.lang)
    body += [
        _toggle(WITH_MANAGER, say.plain("sharing.with_manager"), shared.with_manager),
        _toggle(
            WITH_HIRING_MANAGER,
            say.plain("sharing.with_hiring_manager"),
            shared.with_hiring_manager,
        ),
        long_text(SUMMARY, say.plain("sharing.summary_label"), SHARE_MAX, shared.summary or None),
        long_text(ADVICE, say.plain("sharing.advice_label"), SHARE_MAX, shared.advice or None),
        _toggle(ANSWERS, say.plain("sharing.answers"), shared.answers_included),
        paragraph(say("sharing.until", last_day=last_day), subtle=True),
    ]
    data = {"departure": departure.id, "revision": shared.revision}
    actions = [execute(say("sharing.save"), CHOOSE, data, style="positive")]
    if shared.shared:
        withdraw = execute(say("sharing.withdraw"), WITHDRAW, data, associatedInputs="none")
        actions.append({**withdraw, "style": "destructive"})
    return adaptive_card(body, actions, lang=say.lang)


def _written(say: Speaker, shared: SharedSummary) -> list[Element]:
    """The summary and the advice as written, each under its title."""
    body: list[Element] = []
    for key, text in (
        ("sharing.summary_title", shared.summary),
        ("sharing.advice_title", shared.advice),
    ):
        if text.strip():
            body += [subheading(say(key), spacing="Medium"), literal(text)]
    return body


def reader_notice_card(
    say: Speaker, departure: Departure, *, user_ids: Sequence[str]
) -> dict[str, Any]:
    """Posted to a reader's chat: that something was shared, never what (that is the refresh)."""
    name = leaver_name(departure)
    data = {"departure": departure.id}
    show = execute(say("sharing.show"), READ, data, associatedInputs="none")
    return adaptive_card(
        [heading(say("sharing.reader_title", name=name)), paragraph(say("sharing.reader_notice"))],
        [show],
        refresh=refresh(READ, departure.id, user_ids),
        lang=say.lang,
    )


def reader_card(
    say: Speaker, view: ReaderView, sections: Sequence[Section], *, user_ids: Sequence[str]
) -> dict[str, Any]:
    """A reader's own view: what the leaver shared with them, re-checked on every refresh."""
    departure, shared = view.departure, view.shared
    name = leaver_name(departure)
    why = "sharing.for_manager" if view.reader is Reader.MANAGER else "sharing.for_hiring_manager"
    body: list[Element] = [
        heading(say("sharing.reader_title", name=name)),
        paragraph(say(why, name=name)),
        *_written(say, shared),
    ]
    body += _answers(say, view, sections)
    if view.earlier_advice:
        earlier = [subheading(say("sharing.earlier_advice"), size="Medium")]
        earlier += [literal(advice) for advice in view.earlier_advice]
        body.append(separated(earlier))
    body.append(paragraph(say("sharing.reader_privacy"), subtle=True))
    data = {"departure": departure.id}
    show = execute(say("sharing.show"), READ, data, associatedInputs="none")
    return adaptive_card(body, [show], refresh=refresh(READ, departure.id, user_ids), lang=say.lang)


def _answers(say: Speaker, view: ReaderView, sections: Sequence[Section]) -> list[Element]:
    """The survey answers the leaver marked named and chose to include."""
    questions = by_question(sections)
    shown = [(questions[a.question_id], a) for a in view.answers if a.question_id in questions]
    if not shown:
        return []
    items: list[Element] = [subheading(say("sharing.answers_title"), size="Medium")]
    for question, answer in shown:
        items.append(subheading(question.prompt.get(say.lang), spacing="Medium"))
        items.append(literal(shown_value(say, question, answer.value)))
    return [separated(items)]


def nothing_shared_card(say: Speaker) -> dict[str, Any]:
    """What anyone the leaver has not shared with (now) sees: nothing about them."""
    body = [heading(say("sharing.reader_title_plain")), paragraph(say("sharing.nothing"))]
    return adaptive_card(body, lang=say.lang)


def hr_button(say: Speaker, departure_id: str) -> Element:
    """On HR's card for a departure: to the successor's hiring manager."""
    data = {"departure": departure_id}
    return execute(say("sharing.hr_open"), HR_OPEN, data, associatedInputs="none")


def with_hr_button(say: Speaker, departure_id: str, card: dict[str, Any]) -> dict[str, Any]:
    """HR's card for a departure with the way to the hiring manager, as a button in the body:
    the card's own actions may already be five, the most Teams shows."""
    return {**card, "body": [*card.get("body", []), button_row(hr_button(say, departure_id))]}


def hiring_manager_card(
    say: Speaker, view: LeaverView, *, note: str | None = None
) -> dict[str, Any]:
    """HR names who hires the successor; HR sees whether a share exists, never its text."""
    departure, shared = view.departure, view.shared
    yes, no = say.plain("sharing.yes"), say.plain("sharing.no")
    body: list[Element] = [heading(say("sharing.hr_title", name=leaver_name(departure)))]
    if note:
        body.append(paragraph(note, subtle=True))
    body += [
        paragraph(say("sharing.hr_intro")),
        facts(
            [
                (
                    say.plain("sharing.hr_with_manager"),
                    yes if shared.shared and shared.with_manager else no,
                ),
                (
                    say.plain("sharing.hr_with_hiring_manager"),
                    yes if shared.shared and shared.with_hiring_manager else no,
                ),
            ]
        ),
        {
            "type": "Input.Text",
            "id": HIRING_MANAGER,
            "label": say.plain("sharing.hr_hiring_manager"),
            "style": "Email",
            "maxLength": 320,
            **({"value": shared.hiring_manager_upn} if shared.hiring_manager_upn else {}),
        },
    ]
    data = {"departure": departure.id, "revision": shared.revision}
    return adaptive_card(body, [execute(say("sharing.hr_save"), NAME, data)], lang=say.lang)
