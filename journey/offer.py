"""The offer of an exit conversation and the leaver's answer: yes, no (with a reason), later.

Seed 004: the employee is *offered* the conversation; it is voluntary. So a "no" is a full
answer, a reason for it is optional, and a "no" can still become a "yes" (DECLINED -> ACCEPTED).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from journey.departure import DECLINE_REASON_MAX, Departure, DepartureStatus, Reach
from journey.refusals import StaleAction

# "Ask me later": the bot asks again after this many days (issue 4 sends the reminder),
# but never later than the day before the last working day.
REMIND_LATER_DAYS = 3


def offered(departure: Departure) -> Departure:
    """The offer is on its way to the leaver (REGISTERED -> OFFERED)."""
    return departure.moved_to(DepartureStatus.OFFERED)


def unreachable(departure: Departure, reach: Reach) -> Departure:
    """The offer could not reach the leaver; HR sees why on the departure."""
    return departure.changed(reach=reach)


def accept(departure: Departure, now: datetime | None = None) -> Departure:
    """The leaver says yes (also after a no); StaleAction once it is decided otherwise."""
    if departure.status not in (DepartureStatus.OFFERED, DepartureStatus.DECLINED):
        raise StaleAction("only an open or declined offer can be accepted")
    return departure.moved_to(
        DepartureStatus.ACCEPTED,
        decline_reason=None,
        remind_offer_at=None,
        reach=Reach.OK,
        accepted_at=now,
    )


def decline(departure: Departure, reason: str | None) -> Departure:
    """The leaver says no, perhaps with a reason (trimmed, at most DECLINE_REASON_MAX)."""
    if departure.status is not DepartureStatus.OFFERED:
        raise StaleAction("only an open offer can be declined")
    cleaned = (reason or "").strip()[:DECLINE_REASON_MAX] or None
    return departure.moved_to(
        DepartureStatus.DECLINED, decline_reason=cleaned, remind_offer_at=None, reach=Reach.OK
    )


def remind_later(departure: Departure, now: datetime) -> tuple[Departure, int]:
    """The leaver wants to think: store when to ask again; the departure and the days."""
    if departure.status is not DepartureStatus.OFFERED:
        raise StaleAction("only an open offer can be postponed")
    today = now.astimezone(departure.zone).date()
    days_left = (departure.last_working_day - today).days
    days = max(1, min(REMIND_LATER_DAYS, days_left - 1))
    return departure.changed(remind_offer_at=now + timedelta(days=days), reach=Reach.OK), days
