"""`follow-ups` (da "opfølgning", sv "uppföljning", nb "oppfølging"): the open and overdue
follow-ups of the units the person sees (journey.local_ownership: HR every unit, a unit's
manager and representatives their unit), per unit, soonest due first, paged; and the person's
own open follow-ups.

What a list shows of each follow-up, and what never (the leaver), is journey.follow_up_lists'
rule. Someone with no unit to see and no follow-up of their own is refused (NotAllowed,
audited by dialogs.router with the scope "follow_ups"); a page button pressed by someone who
no longer sees any unit shows their own follow-ups only.
"""

from __future__ import annotations

from datetime import date

from cards.follow_up_lists import PageChoice, follow_up_lists_card
from dialogs.ownership import scope_of
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.follow_up_lists import FollowUpPage, FollowUpSource, follow_up_page
from journey.refusals import FOLLOW_UPS_SCOPE, NotAllowed, Reason

__all__ = ["PageChoice", "show_follow_ups", "show_page"]

AUDIT_REFUSED = "follow_ups.list_refused"


def source_of(turn: DialogTurn) -> FollowUpSource:
    """The lists' source wired in create_app."""
    return wired(turn.services.follow_up_lists, "follow_up_lists")


def today_of(turn: DialogTurn) -> date:
    """Today in the organisation's time zone: a follow-up due before it is overdue."""
    return turn.services.clock.now().astimezone(turn.config.defaults.calendar.zone).date()


async def _card(turn: DialogTurn, page: int) -> dict:
    """The person's card at `page`, or NotAllowed when there is nothing for them."""
    scope = await scope_of(turn)
    view: FollowUpPage = await follow_up_page(
        source_of(turn), scope, turn.actor.upn, page, today_of(turn)
    )
    if not scope.anything and not view.own:
        raise NotAllowed(Reason.NO_FOLLOW_UPS, scope=FOLLOW_UPS_SCOPE, action=AUDIT_REFUSED)
    return follow_up_lists_card(
        turn.speaker(), view, sees_units=scope.anything, hr=scope.everything
    )


async def show_follow_ups(turn: DialogTurn) -> None:
    """Answer `follow-ups` with the first page."""
    await turn.send_card(await _card(turn, 0))


async def show_page(turn: DialogTurn, payload: PageChoice) -> InvokeResult:
    """A page button: that page, for the scope the person has now."""
    return InvokeResult(card=await _card(turn, payload.page))
