"""Pure rules of journey.flow that are not the offer's or the booking's: HR's events, delivery.

Each takes the stored departure and answers the changed copy, or None to leave it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from journey import offer
from journey.departure import Departure, DepartureStatus, PostedCard, Reach
from journey.notify import MessageKind

# Which posted card (Departure.cards) a delivered message becomes, to update it in place later.
CARD_SLOTS: Mapping[MessageKind, str] = MappingProxyType(
    {
        MessageKind.OFFER: "leaver",
        MessageKind.SLOTS: "leaver",
        MessageKind.BOOKING_CANCELLED: "leaver",
        MessageKind.TASK: "task",
        MessageKind.BOOKED: "booked",
        MessageKind.OFFER_AGAIN: "leaver",
        MessageKind.HANDOVER: "handover",
        MessageKind.HANDOVER_MANAGER: "handover_manager",
    }
)

# What a cancelled departure no longer has: no meeting, no times, no reminder of the offer.
_CANCELLED_CLEARS: Mapping[str, object] = MappingProxyType(
    {
        "meeting_start": None,
        "meeting_end": None,
        "meeting_event_id": None,
        "meeting_join_url": None,
        "proposed_slots": (),
        "times_requested_at": None,
        "remind_offer_at": None,
    }
)


def offer_sent(departure: Departure, problem: Reach | None) -> Departure | None:
    """The offer went out (or could not): once, only from REGISTERED."""
    if departure.status is not DepartureStatus.REGISTERED:
        return None
    return offer.unreachable(departure, problem) if problem else offer.offered(departure)


def cancelled(departure: Departure) -> Departure:
    """The leaver stays; journey.departure.InvalidTransition once the conversation was held."""
    if departure.status is DepartureStatus.CANCELLED:
        return departure.changed(**_CANCELLED_CLEARS)
    return departure.moved_to(DepartureStatus.CANCELLED, **_CANCELLED_CLEARS)


def may_record(kind: MessageKind, reach: Reach | None, posted: PostedCard | None) -> bool:
    """Whether `delivered` can change anything for such a message (a reminder that went,
    for one, changes nothing: the departure need not be read)."""
    return _records_reach(kind, reach) or _records_card(kind, posted)


def _records_reach(kind: MessageKind, reach: Reach | None) -> bool:
    return kind is MessageKind.OFFER and reach is not None


def _records_card(kind: MessageKind, posted: PostedCard | None) -> bool:
    return posted is not None and kind in CARD_SLOTS


def delivered(
    departure: Departure, kind: MessageKind, reach: Reach | None, posted: PostedCard | None
) -> Departure | None:
    """How a proactive message ended: the offer's reach, the card to update later."""
    values: dict[str, object] = {}
    if _records_reach(kind, reach) and departure.reach is not reach:
        values["reach"] = reach
    if _records_card(kind, posted):
        values["cards"] = {**departure.cards, CARD_SLOTS[kind]: posted}
    return departure.changed(**values) if values else None
