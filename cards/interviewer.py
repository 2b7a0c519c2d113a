"""The leaver chooses who holds the conversation: the manager, an HR partner, or someone trusted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import about, adaptive_card, button_row, execute, heading, paragraph
from cards.locale import Speaker
from journey.booking import InterviewerOption
from journey.departure import Departure, InterviewerKind

CHOOSE = verbs.INTERVIEWER_CHOOSE


def option_label(say: Speaker, option: InterviewerOption, name: str, *, pool_size: int = 1) -> str:
    """The button for one person: named for manager and HR partners; the pool by its text."""
    if option.kind is InterviewerKind.POOL:
        label = say("interviewer.option.pool")
        # Several trusted people: the leaver must still be able to tell them apart.
        return f"{label} – {name}" if pool_size > 1 else label
    return say.plain(f"interviewer.option.{option.kind.value}", name=name)


def interviewer_card(
    say: Speaker,
    departure: Departure,
    choices: Sequence[tuple[InterviewerOption, str]],
    *,
    intro: str | None = None,
    verb: str = CHOOSE,
) -> dict[str, Any]:
    """One button per person the unit lets the leaver choose (`verb`: choosing someone
    else instead, cards.plan_changes)."""
    body = [heading(say("interviewer.title"))]
    if intro:
        body.append(paragraph(intro))
    body.append(paragraph(say("interviewer.body")))
    pool_size = sum(1 for option, _ in choices if option.kind is InterviewerKind.POOL)
    buttons = [
        execute(
            option_label(say, option, name, pool_size=pool_size),
            verb,
            about(departure, kind=option.kind.value, person=option.upn),
        )
        for option, name in choices
    ]
    # One button per row: a long name must not squeeze the others.
    body += [button_row(button) for button in buttons]
    return adaptive_card(body, lang=say.lang)
