"""The manager (or HR) marks a departure as regrettable, from the manager's handover card.

The leaver never sees it; journey.access.may_set_regret refuses anyone but HR and the
departure's manager, and the router answers that refusal.
"""

from __future__ import annotations

from pydantic import Field

from cards.regret import VALUES
from dialogs.card_action import DepartureAction, asker_of
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn
from journey.departure import HANDOVER_SUCCESSOR_MAX


class RegretSet(DepartureAction):
    """The save button in the card's "Your assessment"; Teams merges the card's inputs in."""

    regrettable: str = Field("", max_length=10)
    # The checklist's successor field rides along with every action of that card; unused here.
    successor: str | None = Field(default=None, max_length=HANDOVER_SUCCESSOR_MAX)


async def set_regret(turn: DialogTurn, payload: RegretSet) -> InvokeResult:
    """Save the assessment; the card itself stays (it is updated in place with the rest)."""
    if payload.regrettable not in VALUES:
        return InvokeResult(message=turn.text("error.bad_input"))
    value = None if payload.regrettable == "unset" else payload.regrettable == "yes"
    registration = turn.services.registration
    outcome = await registration.mark_regret(asker_of(turn), payload.departure, value)
    if outcome.rejected:
        codes = dict.fromkeys(problem.code for problem in outcome.problems)
        return InvokeResult(message=" ".join(turn.text(code) for code in codes))
    return InvokeResult(message=turn.text("regret.saved"))
