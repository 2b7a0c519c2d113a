"""`status`: the leaver sees their departure, an interviewer the conversations they hold, HR
the departures under way (with anyone the bot could not reach). Each only what they may see:
journey.hr_status decides which; this module renders it."""

from __future__ import annotations

from typing import Any

from cards.status import holding_card, hr_card, leaver_status_card
from dialogs.card_action import asker_of, leaver_card
from dialogs.turn import DialogTurn
from journey.departure import Departure
from journey.hr_status import (
    holding,
    leaving,
    offer_again,
    open_departures_of,
    under_way_for_hr,
)


async def _leaver_view(turn: DialogTurn, departure: Departure) -> dict[str, Any]:
    """Where the leaver's departure stands, with the card they act on next."""
    journey = turn.services.flow
    if journey is not None:
        # The offer could not reach them before; now they are here it can, as its own
        # message (the status card then just says where things stand).
        offered = await offer_again(journey, turn.services.departures, departure)
        if offered is not None:
            return leaver_status_card(turn.speaker(offered.unit), offered, None)
    card = await leaver_card(turn, departure)
    return leaver_status_card(turn.speaker(departure.unit), departure, card)


async def show_status(turn: DialogTurn) -> None:
    """Answer `status` with every view the person has a right to, or that there is none."""
    asker = asker_of(turn)
    departures = turn.services.departures
    open_ones = await open_departures_of(departures, asker)
    answered = False
    for departure in leaving(open_ones, asker):
        await turn.send_card(await _leaver_view(turn, departure))
        answered = True
    say = turn.speaker()
    held = holding(open_ones, asker)
    if held:
        await turn.send_card(holding_card(say, held))
        answered = True
    listed = await under_way_for_hr(departures, asker)
    if listed is not None:
        await turn.send_card(hr_card(say, listed))
        answered = True
    if not answered:
        await turn.send_text(turn.text("status.none"))
