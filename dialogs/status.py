"""`status`: the leaver sees their departure, an interviewer the conversations they hold, HR
the departures under way (with anyone the bot could not reach). Each only what they may see."""

from __future__ import annotations

from cards.locale import Speaker
from cards.status import holding_card, hr_card, leaver_status_card
from dialogs.journey_turn import asker_of, leaver_card, speaker
from dialogs.turn import DialogTurn
from journey.access import Act, Role, may, roles_of
from journey.departure import DepartureStatus

_FINISHED = frozenset({DepartureStatus.CANCELLED, DepartureStatus.CLOSED})


async def show_status(turn: DialogTurn) -> None:
    """Answer `status` with every view the person has a right to, or that there is none."""
    asker = asker_of(turn)
    upn = asker.upn
    mine = await turn.services.departures.list_for_person(upn) if upn else []
    open_ones = [d for d in mine if d.status not in _FINISHED]
    answered = False
    for departure in open_ones:
        if Role.LEAVER in roles_of(departure, upn):
            card = None
            if departure.status is DepartureStatus.REGISTERED and turn.services.journey:
                # The offer could not reach them before; now they are here it can, as its own
                # message (the status card then just says where things stand).
                await turn.services.journey.registered(departure)
                departure = await turn.services.departures.get(departure.id)
            else:
                card = await leaver_card(turn, departure)
            await turn.send_card(leaver_status_card(speaker(turn, departure), departure, card))
            answered = True
    say = Speaker(turn.config, turn.locale)
    holding = [
        d
        for d in open_ones
        if Role.INTERVIEWER in roles_of(d, upn) and may(d, asker, Act.VIEW_BOOKING)
    ]
    if holding:
        await turn.send_card(holding_card(say, holding))
        answered = True
    if asker.is_hr:
        listed = [
            d for d in await turn.services.departures.list_open() if may(d, asker, Act.VIEW_REACH)
        ]
        await turn.send_card(hr_card(say, listed))
        answered = True
    if not answered:
        await turn.send_text(turn.text("status.none"))
