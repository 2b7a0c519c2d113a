"""Plans that change: the leaver's "I no longer want it" and "someone else", the interviewer's
handover to a colleague, and what the old interviewer's cards become."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import Element, about, adaptive_card, execute, heading, long_text, paragraph
from cards.interviewer import interviewer_card
from cards.locale import Speaker
from cards.offer import REASON, leaver_name
from journey.booking import InterviewerOption
from journey.departure import DECLINE_REASON_MAX, Departure, DepartureStatus
from journey.plan_change_rules import Release

DECLINE = verbs.PLAN_DECLINE
SWITCH_ASK = verbs.PLAN_SWITCH_ASK
SWITCH = verbs.PLAN_SWITCH
KEEP = verbs.PLAN_KEEP
HAND_OVER = verbs.PLAN_HAND_OVER
# The id of the colleague field; Teams merges it into the hand-over action's data.
COLLEAGUE = "colleague"
COLLEAGUE_MAX = 320  # an e-mail address
_CHANGEABLE = frozenset({DepartureStatus.ACCEPTED, DepartureStatus.BOOKED})


def _show_card(title: str, body: list[Element], action: Element) -> Element:
    """A button that opens a small form under the card, with one action to confirm."""
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": body, "actions": [action]},
    }


def _holder(departure: Departure) -> str:
    return departure.interviewer_name or departure.interviewer_upn or ""


def leaver_plan_buttons(say: Speaker, departure: Departure) -> list[Element]:
    """Under the leaver's booked or choose-a-time card: someone else, or no conversation."""
    data = about(departure)
    buttons: list[Element] = []
    if departure.interviewer_upn:
        buttons.append(execute(say("plan.switch"), SWITCH_ASK, data, associatedInputs="none"))
    # Saying no is confirmed first, with room for a reason (optional, kept for HR only).
    buttons.append(
        _show_card(
            say("plan.decline"),
            [
                paragraph(say("plan.decline_question")),
                long_text(REASON, say("offer.decline_reason_label"), DECLINE_REASON_MAX),
            ],
            execute(say("plan.decline_yes"), DECLINE, data, style="destructive"),
        )
    )
    return buttons


def hand_over_button(say: Speaker, departure: Departure) -> list[Element]:
    """On the interviewer's task card: hand the conversation over to a colleague (while it
    is wanted and not held)."""
    if departure.status not in _CHANGEABLE or not departure.interviewer_upn:
        return []
    form = [
        paragraph(say("plan.hand_over_intro", name=leaver_name(departure))),
        {
            "type": "Input.Text",
            "id": COLLEAGUE,
            "label": say("plan.hand_over_label"),
            "style": "Email",
            "isRequired": True,
            "errorMessage": say("register.required"),
            "maxLength": COLLEAGUE_MAX,
        },
    ]
    send = execute(say("plan.hand_over_send"), HAND_OVER, about(departure))
    return [_show_card(say("plan.hand_over"), form, send)]


def switch_card(
    say: Speaker, departure: Departure, choices: Sequence[tuple[InterviewerOption, str]]
) -> dict[str, Any]:
    """Whom the leaver may talk to instead, or keep the person they have."""
    holder = _holder(departure)
    keep = execute(
        say.plain("plan.switch_keep", interviewer=holder), KEEP, about(departure), style="positive"
    )
    if not choices:
        return adaptive_card(
            [heading(say("plan.switch")), paragraph(say("plan.switch_none", interviewer=holder))],
            [keep],
            lang=say.lang,
        )
    intro = say("plan.switch_intro", interviewer=holder)
    card = interviewer_card(say, departure, choices, intro=intro, verb=SWITCH)
    card["actions"] = [keep]
    return card


def released_card(
    say: Speaker, departure: Departure, reason: Release, *, successor: str = ""
) -> dict[str, Any]:
    """What the old interviewer's cards become: why it is no longer theirs, no buttons."""
    name = leaver_name(departure)
    return adaptive_card(
        [
            heading(say("task.title", name=name)),
            paragraph(say(f"plan.released.{reason.value}", name=name, colleague=successor)),
        ],
        lang=say.lang,
    )
