"""The handover checklist (seed 000: handing over knowledge and tasks): ticks and a successor.

The handover is between the leaver and their manager, whoever holds the exit conversation:
both see the same checklist and either may tick an item or name who takes over.
"""

from __future__ import annotations

from collections.abc import Sequence

from journey.departure import HANDOVER_SUCCESSOR_MAX, Departure, DepartureStatus
from journey.refusals import StaleAction

_FINISHED = frozenset({DepartureStatus.CANCELLED, DepartureStatus.CLOSED})


def tick(departure: Departure, item: str, done: bool, items: Sequence[str]) -> Departure:
    """Mark `item` done (or open again); StaleAction if it is not on the unit's checklist."""
    if departure.status in _FINISHED:
        raise StaleAction("the departure is finished")
    if item not in items:
        raise StaleAction("not on this unit's handover checklist")
    ticked = set(departure.handover_done) - {item} | ({item} if done else set())
    ordered = [each for each in items if each in ticked]
    if ordered == departure.handover_done:
        return departure
    return departure.changed(handover_done=ordered)


def name_successor(departure: Departure, name: str | None) -> Departure:
    """Who takes over (free text, trimmed; empty clears it)."""
    if departure.status in _FINISHED:
        raise StaleAction("the departure is finished")
    cleaned = (name or "").strip()[:HANDOVER_SUCCESSOR_MAX] or None
    return departure.changed(handover_successor=cleaned)
