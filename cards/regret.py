"""The manager's assessment of a departure: do we regret losing this person? (issue 11)

Only HR and the leaver's manager see or set it (journey.access.may_set_regret); it is drawn on
the manager's copy of the handover checklist and on HR's departure card, never on a card the
leaver gets.
"""

from __future__ import annotations

from cards import verbs
from cards.base import Element, about, execute, paragraph
from cards.locale import Speaker
from cards.offer import leaver_name
from journey.departure import Departure

SET = verbs.REGRET_SET
REGRET_INPUT = "regrettable"
VALUES = ("yes", "no", "unset")


def regret_value(departure: Departure) -> str:
    """The regret as the choice's value: yes, no or unset."""
    if departure.regrettable is None:
        return "unset"
    return "yes" if departure.regrettable else "no"


def regret_action(say: Speaker, departure: Departure) -> Element:
    """A button that opens the choice (yes, no, not assessed) and saves it."""
    choices = [{"title": say(f"register.regret_{value}"), "value": value} for value in VALUES]
    body: list[Element] = [
        paragraph(say("regret.intro", name=leaver_name(departure)), subtle=True),
        {
            "type": "Input.ChoiceSet",
            "id": REGRET_INPUT,
            "label": say("register.regret"),
            "style": "expanded",
            "value": regret_value(departure),
            "choices": choices,
        },
    ]
    save = execute(say("regret.save"), SET, about(departure))
    return {
        "type": "Action.ShowCard",
        "title": say("regret.title"),
        "card": {"type": "AdaptiveCard", "body": body, "actions": [save]},
    }
