"""The task card of the person holding the conversation: who, when, where it stands, a guide.

It refreshes itself (Universal Actions): Teams asks the bot for the current card whenever a
person in `userIds` opens the chat, and the bot answers per person: the interviewer sees it in
full, anyone else a card without details (the manager, if not chosen, learns nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import (
    Element,
    about,
    adaptive_card,
    execute,
    facts,
    heading,
    paragraph,
    refresh,
    subheading,
    typed,
)
from cards.booking import change_buttons, join_button, meeting_time
from cards.locale import Speaker
from cards.meeting_modes import meeting_actions, where_block
from cards.offer import leaver_name
from cards.plan_changes import hand_over_button
from journey.booking import times_requested
from journey.departure import Departure, DepartureStatus
from journey.slots import Slot

REFRESH = verbs.TASK_REFRESH
NEW_TIMES = verbs.TASK_NEW_TIMES
CHOOSE_TIMES = verbs.TASK_CHOOSE_TIMES
SEND_TIMES = verbs.TASK_SEND_TIMES
# The id of the times field; Teams merges the chosen keys, comma-separated, into the data.
TIMES_INPUT = "slots"


def refresh_for(departure: Departure | str, user_ids: Sequence[str]) -> Element | None:
    """The card's refresh: who gets their own view of it (Teams user ids)."""
    return refresh(REFRESH, departure, user_ids)


def task_card(
    say: Speaker,
    departure: Departure,
    *,
    user_ids: Sequence[str],
    survey: Sequence[Element] = (),
    notes: Sequence[Element] = (),
    note: str | None = None,
    patterns: Sequence[Element] = (),
) -> dict[str, Any]:
    """The interviewer's full view; `survey` (the answers), `notes` and `patterns` (earlier
    leavers of the unit, cards.patterns) only in a per-user refresh; `note` first (e.g. who
    handed the conversation over)."""
    name = leaver_name(departure)
    body: list[Element] = [heading(say("task.title", name=name))]
    if note:
        body.append(paragraph(note))
    cancelled = departure.status is DepartureStatus.CANCELLED
    if not cancelled:
        body.append(paragraph(say("task.body", name=name)))
    body.append(
        facts(
            [
                (say("task.leaver"), typed(name)),
                (say("task.last_day"), say.day(departure.last_working_day)),
                (say("task.state"), say(f"state.{departure.status.value}")),
                (say("task.when"), meeting_time(say, departure) or "–"),
            ]
        )
    )
    body += where_block(say, departure)  # in person or agreed outside: where, not a link
    actions: list[Element] = []
    if times_requested(departure):
        body.append(_times_wanted(say, departure))
        actions += _times_buttons(say, departure)
    if departure.status is DepartureStatus.BOOKED:
        actions += [*join_button(say, departure), *change_buttons(say, departure)]
    actions += hand_over_button(say, departure)
    actions += meeting_actions(say, departure)
    if not cancelled:
        body += patterns
        body += survey
        body += notes
        body.append(_guide(say))
    return adaptive_card(body, actions, refresh=refresh_for(departure, user_ids), lang=say.lang)


def task_card_without_details(
    say: Speaker, departure_id: str, *, user_ids: Sequence[str]
) -> dict[str, Any]:
    """What anyone but the interviewer sees of the task card: nothing about the leaver."""
    return adaptive_card(
        [paragraph(say("task.no_details"))],
        refresh=refresh_for(departure_id, user_ids),
        lang=say.lang,
    )


def _guide(say: Speaker) -> Element:
    """How to hold a good exit conversation, set apart at the foot of the task card."""
    return {
        "type": "Container",
        "style": "emphasis",
        "items": [subheading(say("guide.title")), paragraph(say("guide.body"))],
    }


def _times_wanted(say: Speaker, departure: Departure) -> Element:
    """The leaver needs times from the interviewer before the last working day."""
    last_day = say.day(departure.last_working_day)
    name = leaver_name(departure)
    return paragraph(say("booking.ask_interviewer_for_times", name=name, last_day=last_day))


def ask_times_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """To the interviewer: the leaver needs other times (none fit, or none were found)."""
    return adaptive_card(
        [heading(say("task.title", name=leaver_name(departure))), _times_wanted(say, departure)],
        _times_buttons(say, departure),
        lang=say.lang,
    )


def _times_buttons(say: Speaker, departure: Departure) -> list[Element]:
    """Let the bot find times, or choose them yourself."""
    data = about(departure)
    return [
        execute(say("task.send_new_times"), NEW_TIMES, data),
        execute(say("task.choose_times"), CHOOSE_TIMES, data),
    ]


def choose_times_card(
    say: Speaker, departure: Departure, slots: Sequence[Slot], *, note: str | None = None
) -> dict[str, Any]:
    """To the interviewer: tick the times that suit you; the leaver chooses among them."""
    name = leaver_name(departure)
    body: list[Element] = [heading(say("task.title", name=name))]
    if note:
        body.append(paragraph(note))
    if not slots:
        body.append(_times_wanted(say, departure))
        return adaptive_card(body, lang=say.lang)
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": TIMES_INPUT,
            "label": say.plain("task.choose_times_label", name=name),
            "isMultiSelect": True,
            "style": "expanded",
            "isRequired": True,
            "errorMessage": say("register.required"),
            "choices": [
                {"title": say.span(slot.start, slot.end, departure.zone), "value": slot.key}
                for slot in slots
            ],
        }
    )
    send = execute(say.plain("task.send_times", name=name), SEND_TIMES, about(departure))
    return adaptive_card(body, [send], lang=say.lang)
