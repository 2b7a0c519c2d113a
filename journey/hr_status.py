"""The `status` question: which departures each person sees, and the offer a leaver still owes.

The leaver sees their own open departures, an interviewer the conversations they hold (when
the booking is theirs to see), HR every departure under way whose reach it may check. Plain
rules over the repository port; the dialog only renders what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from journey.access import Act, Asker, Role, may, roles_of
from journey.departure import Departure, DepartureStatus
from journey.ports import DepartureRepository

FINISHED = frozenset({DepartureStatus.CANCELLED, DepartureStatus.CLOSED})


class Offers(Protocol):
    """The service that owns the offer (journey.flow)."""

    async def registered(self, departure: Departure) -> None:
        """Offer the leaver the conversation, once, if it was not offered yet."""
        ...


async def open_departures_of(departures: DepartureRepository, asker: Asker) -> list[Departure]:
    """The asker's own departures (in any role) that are neither cancelled nor closed."""
    mine = await departures.list_for_person(asker.upn) if asker.upn else []
    return [d for d in mine if d.status not in FINISHED]


def leaving(open_ones: Sequence[Departure], asker: Asker) -> list[Departure]:
    """The departures in which the asker is the one leaving."""
    return [d for d in open_ones if Role.LEAVER in roles_of(d, asker.upn)]


def holding(open_ones: Sequence[Departure], asker: Asker) -> list[Departure]:
    """The conversations the asker holds and may see the booking of."""
    return [
        d
        for d in open_ones
        if Role.INTERVIEWER in roles_of(d, asker.upn) and may(d, asker, Act.VIEW_BOOKING)
    ]


async def under_way_for_hr(departures: DepartureRepository, asker: Asker) -> list[Departure] | None:
    """Every open departure HR may check the reach of; None for anyone who is not HR."""
    if not asker.is_hr:
        return None
    return [d for d in await departures.list_open() if may(d, asker, Act.VIEW_REACH)]


async def offer_again(
    offers: Offers, departures: DepartureRepository, departure: Departure
) -> Departure | None:
    """Send the offer that could not reach the leaver before; the departure as it then stands.

    None when the departure is past its offer (there is nothing to send again).
    """
    if departure.status is not DepartureStatus.REGISTERED:
        return None
    await offers.registered(departure)
    return await departures.get(departure.id)
